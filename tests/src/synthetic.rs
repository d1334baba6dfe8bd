//! The synthetic ledger the benches and the audit's comparison test index: 4 agencies, 97 awards and their
//! recipients as accounts, and `size` fast-path payments one minute apart from October 1st, 2025, each with its
//! `PaymentExecuted` event on a hash chain per agency. Payment `n` goes to award `n % 97`, so every award is
//! paid every 97 minutes in amounts under the agencies' approval threshold (split payments everywhere); and a
//! few red flags of other kinds are planted: every 1000th payment repeats the previous one's invoice, award 1's
//! period of performance starts a day late, recipient 2 is registered the day before it is first paid,
//! recipients 3 and 4 are one UEI with two wallets, and amounts triple in the last four weeks of FY2026.

use anchor_lang::{prelude::Pubkey, AccountSerialize};
use public_spending::state::{Agency, ApprovalPolicy, Award, Ledger, Recipient};
use public_spending_sdk::{LedgerEvent, PaymentRecord};

pub const AGENCIES: u64 = 4;
pub const AWARDS: u64 = 97;
/// 2025-10-01 00:00 UTC, the first day of FY2026.
pub const START: i64 = 1_759_276_800;
const DAY: i64 = 86_400;
/// The last four weeks of FY2026, when amounts triple.
const SPIKE: std::ops::Range<i64> = 1_790_812_800 - 28 * DAY..1_790_812_800;

/// A key made of a tag and a number.
pub fn key(tag: u64, n: u64) -> Pubkey {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&tag.to_le_bytes());
    bytes[8..16].copy_from_slice(&n.to_le_bytes());
    Pubkey::new_from_array(bytes)
}

pub fn agency_key(a: u64) -> Pubkey {
    Pubkey::new_from_array([a as u8 + 1; 32])
}

pub fn code(a: u64) -> String {
    format!("{:03}", 70 + a)
}

/// Recipient `r`'s UEI (recipient 4 shares recipient 3's).
pub fn uei(r: u64) -> String {
    format!("BENCH{:07}", if r == 4 { 3 } else { r })
}

fn account<T: AccountSerialize>(account: &T) -> Vec<u8> {
    let mut data = Vec::new();
    account
        .try_serialize(&mut data)
        .expect("an account serializes");
    data
}

/// The ledger's accounts: the ledger, the agencies, awards 0..97 (award `w` belongs to agency `w % 4`) and their
/// recipients.
pub fn accounts(size: u64) -> Vec<(Pubkey, &'static str, Vec<u8>)> {
    let mut all = vec![(
        public_spending_sdk::pda::ledger().0,
        "Ledger",
        account(&Ledger {
            mint_decimals: 2,
            ..Ledger::default()
        }),
    )];
    for a in 0..AGENCIES {
        all.push((
            agency_key(a),
            "Agency",
            account(&Agency {
                code: code(a),
                name: format!("Bench agency {a}"),
                policy: ApprovalPolicy {
                    threshold: 100_000,
                    approvals_required: 1,
                    time_lock_seconds: 0,
                    fast_path_daily_cap: 10_000_000,
                },
                outlay_count: size / AGENCIES,
                budget_authority: u64::MAX / 8,
                allotted: u64::MAX / 16,
                obligated: u64::MAX / 32,
                ..Agency::default()
            }),
        ));
    }
    for w in 0..AWARDS {
        all.push((
            key(1 + w, 0),
            "Award",
            account(&Award {
                agency: agency_key(w % AGENCIES),
                recipient: key(200 + w, 0),
                award_id: format!("BENCH-{w:04}"),
                period_start: if w == 1 { START + DAY } else { 0 },
                period_end: 4_000_000_000,
                ..Award::default()
            }),
        ));
        all.push((
            key(200 + w, 0),
            "Recipient",
            account(&Recipient {
                agency: agency_key(w % AGENCIES),
                uei: uei(w).into_bytes().try_into().expect("12 bytes"),
                name: format!("Bench vendor {w}"),
                registered_at: if w == 2 {
                    START - DAY
                } else {
                    START - 400 * DAY
                },
                payout_wallet: if w == 4 {
                    key(500, 4)
                } else {
                    Pubkey::default()
                },
                ..Recipient::default()
            }),
        ));
    }
    all
}

/// Payment `n`.
pub fn record(n: u64) -> PaymentRecord {
    let a = n % AGENCIES;
    let w = n % AWARDS;
    let executed_at = START + i64::try_from(n).unwrap_or(0) * 60;
    // Spread over 1,000..51,000 in no order, so that any few payments to one award can add up past the threshold.
    let amount = 1_000 + n.wrapping_mul(7_919) % 50_000;
    PaymentRecord {
        sequence: n / AGENCIES,
        agency: agency_key(a),
        award: key(1 + w, 0),
        payment_index: u32::try_from(n / AWARDS).unwrap_or(u32::MAX),
        recipient: key(200 + w, 0),
        recipient_token_account: key(400 + w, 0),
        amount: if SPIKE.contains(&executed_at) {
            amount * 3
        } else {
            amount
        },
        invoice_hash: *key(600, if n % 1000 == 999 { n - 1 } else { n }).as_array(),
        reference: key(800, n),
        executed_at,
    }
}

/// One indexed transaction of the synthetic ledger: its signature, slot and block time, and its one event with
/// the event's data.
pub struct Transaction {
    pub signature: String,
    pub slot: u64,
    pub block_time: i64,
    pub event: LedgerEvent,
    pub data: Vec<u8>,
}

/// The payments `from..to` in order, each on its agency's hash chain (`heads`, one per agency, start at zero).
pub fn payments(from: u64, to: u64, heads: &mut [[u8; 32]]) -> Vec<Transaction> {
    (from..to)
        .map(|n| {
            let record = record(n);
            let block_time = record.executed_at;
            let a = (n % AGENCIES) as usize;
            let (event, data, head) = crate::executed_event(record, heads[a]);
            heads[a] = head;
            let mut signature = [0u8; 64];
            signature[..32].copy_from_slice(key(900, n).as_ref());
            signature[32..].copy_from_slice(key(900, n).as_ref());
            Transaction {
                signature: solana_sdk::signature::Signature::from(signature).to_string(),
                slot: n + 1,
                block_time,
                event,
                data,
            }
        })
        .collect()
}
