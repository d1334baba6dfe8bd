//! The hash chain every agency's payments form, checked from public bytes alone.
//!
//! Each executed payment folds its record into the agency's head: `head = sha256(head || record)`, from 32 zero
//! bytes. This crate holds that fold ([`fold`]), reads the `PaymentExecuted` event and the `Agency` account
//! from their raw bytes ([`decode_payment_executed`], [`decode_agency`]), finds the events in raw
//! `getTransaction` answers ([`payments_in`]), and replays one agency's chain against the head its account
//! holds and against what an explorer claims ([`verify`]). It depends on no Solana crate, so the same code runs
//! in `pubspend verify` (through the watchdog) and, compiled to WebAssembly, in a reader's browser, where the
//! explorer's own data is not trusted.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[cfg(target_arch = "wasm32")]
mod wasm;

/// Length of a payment record's canonical bytes (its Borsh encoding): sequence, agency, award, payment index,
/// recipient, recipient token account, amount, invoice hash, reference, executed at.
pub const RECORD_LEN: usize = 8 + 32 + 32 + 4 + 32 + 32 + 8 + 32 + 32 + 8;
/// Anchor's tag on the data of an `emit_cpi!` inner instruction (`EVENT_IX_TAG`, little-endian).
pub const EVENT_IX_TAG_LE: [u8; 8] = 0x1d9a_cb51_2ea5_45e4_u64.to_le_bytes();
/// `PaymentExecuted`'s discriminator, as the IDL gives it.
pub const PAYMENT_EXECUTED: [u8; 8] = [153, 165, 141, 18, 246, 20, 204, 227];
/// `Agency`'s account discriminator, as the IDL gives it.
pub const AGENCY: [u8; 8] = [190, 253, 179, 184, 231, 128, 71, 112];
/// Where the `Agency` account holds its payment count and chain head: after the discriminator, version, bumps,
/// head and treasury keys, the approval policy (21 bytes), the fast-path window (8 + 25 x 8), frozen, the
/// freeze note (41), the appropriation count (4) and the award count (8); then four totals.
pub const AGENCY_OUTLAY_COUNT: usize = 358;
pub const AGENCY_OUTLAY_HASH: usize = 398;

/// `sha256(previous || record)`: one step of an agency's chain.
pub fn fold(previous: &[u8; 32], record: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(previous);
    hasher.update(record);
    hasher.finalize().into()
}

/// One `PaymentExecuted` event: the record that entered the chain, and the heads it says it went between.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Executed {
    pub record: [u8; RECORD_LEN],
    pub fast_path: bool,
    pub previous: [u8; 32],
    pub outlay_hash: [u8; 32],
}

fn u64_at(bytes: &[u8], at: usize) -> u64 {
    let mut le = [0u8; 8];
    le.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(le)
}

impl Executed {
    pub fn sequence(&self) -> u64 {
        u64_at(&self.record, 0)
    }

    pub fn agency(&self) -> &[u8] {
        &self.record[8..40]
    }

    pub fn payment_index(&self) -> u32 {
        let mut le = [0u8; 4];
        le.copy_from_slice(&self.record[72..76]);
        u32::from_le_bytes(le)
    }

    pub fn amount(&self) -> u64 {
        u64_at(&self.record, 140)
    }
}

/// The event in the data of an `emit_cpi!` inner instruction, if it is a `PaymentExecuted`.
pub fn decode_payment_executed(data: &[u8]) -> Option<Executed> {
    let body = data
        .strip_prefix(&EVENT_IX_TAG_LE)?
        .strip_prefix(&PAYMENT_EXECUTED)?;
    // payment (32), fast_path (1), executor (32), record, four totals (32), previous head, new head.
    let record_at = 32 + 1 + 32;
    let previous_at = record_at + RECORD_LEN + 4 * 8;
    if body.len() < previous_at + 64 {
        return None;
    }
    let mut record = [0u8; RECORD_LEN];
    record.copy_from_slice(&body[record_at..record_at + RECORD_LEN]);
    let mut previous = [0u8; 32];
    previous.copy_from_slice(&body[previous_at..previous_at + 32]);
    let mut outlay_hash = [0u8; 32];
    outlay_hash.copy_from_slice(&body[previous_at + 32..previous_at + 64]);
    Some(Executed {
        record,
        fast_path: body[32] == 1,
        previous,
        outlay_hash,
    })
}

/// What an `Agency` account says of its chain: how many payments, and the head.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AgencyHead {
    pub outlay_count: u64,
    pub outlay_hash: [u8; 32],
}

/// The chain an `Agency` account holds, if the bytes are one.
pub fn decode_agency(data: &[u8]) -> Option<AgencyHead> {
    if !data.starts_with(&AGENCY) || data.len() < AGENCY_OUTLAY_HASH + 32 {
        return None;
    }
    let mut outlay_hash = [0u8; 32];
    outlay_hash.copy_from_slice(&data[AGENCY_OUTLAY_HASH..AGENCY_OUTLAY_HASH + 32]);
    Some(AgencyHead {
        outlay_count: u64_at(data, AGENCY_OUTLAY_COUNT),
        outlay_hash,
    })
}

/// Every `PaymentExecuted` event of `program` in a `getTransaction` answer (`"encoding": "json"`): from the
/// inner instructions whose program is `program`, with the account keys the message and its address lookup
/// tables load. A failed transaction has none.
pub fn payments_in(
    transaction: &serde_json::Value,
    program: &str,
) -> Result<Vec<Executed>, String> {
    let meta = &transaction["meta"];
    if !meta["err"].is_null() {
        return Ok(Vec::new());
    }
    let keys: Vec<&str> = transaction["transaction"]["message"]["accountKeys"]
        .as_array()
        .ok_or("a transaction without account keys (ask for the \"json\" encoding)")?
        .iter()
        .chain(
            meta["loadedAddresses"]["writable"]
                .as_array()
                .into_iter()
                .flatten(),
        )
        .chain(
            meta["loadedAddresses"]["readonly"]
                .as_array()
                .into_iter()
                .flatten(),
        )
        .filter_map(|key| key.as_str())
        .collect();
    let mut found = Vec::new();
    for inner in meta["innerInstructions"].as_array().into_iter().flatten() {
        for ix in inner["instructions"].as_array().into_iter().flatten() {
            let by_program = ix["programIdIndex"]
                .as_u64()
                .and_then(|i| keys.get(usize::try_from(i).ok()?))
                .is_some_and(|key| *key == program);
            if !by_program {
                continue;
            }
            let data = ix["data"].as_str().unwrap_or_default();
            let bytes = bs58::decode(data)
                .into_vec()
                .map_err(|e| format!("an inner instruction's data is not base58: {e}"))?;
            found.extend(decode_payment_executed(&bytes));
        }
    }
    Ok(found)
}

/// What a reader asks to check: one agency's chain, from raw chain data, against an explorer's claims.
#[derive(Clone, Debug, Deserialize)]
pub struct Input {
    /// The program's id and the agency account's address (base58).
    pub program: String,
    pub agency: String,
    /// The agency account's data as `getAccountInfo` returns it (`"encoding": "base64"`).
    pub agency_account: String,
    /// Every `getTransaction` answer (`"encoding": "json"`) of the transactions that name the agency.
    pub transactions: Vec<serde_json::Value>,
    /// What the explorer shows of each of the agency's payments.
    pub claims: Vec<Claim>,
    /// The token's decimals, to write amounts as people read them.
    pub decimals: u8,
}

/// One payment as the explorer lists it.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Claim {
    pub signature: String,
    pub sequence: u64,
    /// Base units (the explorer's `amount_units` column).
    #[serde(rename = "amount_units")]
    pub amount: u64,
    /// The head after it, in hex.
    pub outlay_hash: String,
}

/// What the replay found.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Report {
    /// The chain replays to the account's head and count, and every claim matches it.
    pub verified: bool,
    pub payments: u64,
    pub replayed_head: String,
    pub on_chain_head: String,
    pub on_chain_count: u64,
    pub problems: Vec<Problem>,
}

/// One thing that does not hold, naming the payment where there is one.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Problem {
    pub sequence: Option<u64>,
    pub signature: Option<String>,
    pub what: String,
}

fn amount_text(units: u64, decimals: u8) -> String {
    if decimals == 0 {
        return units.to_string();
    }
    let text = format!("{units:0>width$}", width = usize::from(decimals) + 1);
    let (whole, fraction) = text.split_at(text.len() - usize::from(decimals));
    format!("{whole}.{fraction}")
}

/// Replays `input`'s agency chain from its transactions and checks it against the account and the claims.
pub fn verify(input: &Input) -> Report {
    use base64::Engine;
    let mut report = Report::default();
    let problem = |sequence: Option<u64>, signature: Option<&str>, what: String| Problem {
        sequence,
        signature: signature.map(str::to_string),
        what,
    };
    let agency_key = match bs58::decode(&input.agency).into_vec() {
        Ok(key) if key.len() == 32 => key,
        _ => {
            report.problems.push(problem(
                None,
                None,
                format!("{:?} is not an account address", input.agency),
            ));
            return report;
        }
    };
    let head = base64::engine::general_purpose::STANDARD
        .decode(&input.agency_account)
        .ok()
        .and_then(|data| decode_agency(&data));
    let Some(head) = head else {
        report.problems.push(problem(
            None,
            None,
            format!(
                "the account at {} is not an agency of this program",
                input.agency
            ),
        ));
        return report;
    };
    report.on_chain_head = hex(&head.outlay_hash);
    report.on_chain_count = head.outlay_count;

    // The chain's payments, by sequence, each with the transaction it came in.
    let mut chain: Vec<(Executed, String)> = Vec::new();
    for transaction in &input.transactions {
        let signature = transaction["transaction"]["signatures"][0]
            .as_str()
            .unwrap_or_default()
            .to_string();
        match payments_in(transaction, &input.program) {
            Ok(found) => chain.extend(
                found
                    .into_iter()
                    .filter(|e| e.agency() == agency_key.as_slice())
                    .map(|e| (e, signature.clone())),
            ),
            Err(what) => report.problems.push(problem(None, Some(&signature), what)),
        }
    }
    chain.sort_by_key(|(e, _)| e.sequence());
    chain.dedup_by(|a, b| a.1 == b.1 && a.0 == b.0);

    let mut replayed = [0u8; 32];
    for (expected, (event, signature)) in (0u64..).zip(&chain) {
        let sequence = event.sequence();
        if sequence != expected {
            report.problems.push(problem(
                Some(expected),
                None,
                format!("the chain has no payment {expected} among the transactions read (the next is {sequence})"),
            ));
            break;
        }
        if event.previous != replayed {
            report.problems.push(problem(
                Some(sequence),
                Some(signature),
                "its event does not follow the payment before it".into(),
            ));
        }
        replayed = fold(&replayed, &event.record);
        if replayed != event.outlay_hash {
            report.problems.push(problem(
                Some(sequence),
                Some(signature),
                "its record does not fold into the head its event carries".into(),
            ));
        }
    }
    report.payments = chain.len() as u64;
    report.replayed_head = hex(&replayed);
    if replayed != head.outlay_hash || report.payments != head.outlay_count {
        report.problems.push(problem(
            None,
            None,
            format!(
                "the replay ends at {} after {} payments; the agency account holds {} after {}",
                report.replayed_head, report.payments, report.on_chain_head, head.outlay_count
            ),
        ));
    }

    // The explorer's claims against the chain, payment by payment.
    let by_sequence: std::collections::BTreeMap<u64, &(Executed, String)> =
        chain.iter().map(|c| (c.0.sequence(), c)).collect();
    let mut claimed = std::collections::BTreeSet::new();
    for claim in &input.claims {
        claimed.insert(claim.sequence);
        let Some((event, signature)) = by_sequence.get(&claim.sequence) else {
            report.problems.push(problem(
                Some(claim.sequence),
                Some(&claim.signature),
                "the explorer lists a payment the chain does not hold".into(),
            ));
            continue;
        };
        let mut differs = Vec::new();
        if claim.amount != event.amount() {
            differs.push(format!(
                "amount {} where the chain paid {}",
                amount_text(claim.amount, input.decimals),
                amount_text(event.amount(), input.decimals)
            ));
        }
        if claim.signature != *signature {
            differs.push(format!(
                "transaction {} where the chain has {signature}",
                claim.signature
            ));
        }
        if claim.outlay_hash != hex(&event.outlay_hash) {
            differs.push(format!(
                "head {} where the chain has {}",
                claim.outlay_hash,
                hex(&event.outlay_hash)
            ));
        }
        if !differs.is_empty() {
            report.problems.push(problem(
                Some(claim.sequence),
                Some(signature),
                format!("the explorer shows {}", differs.join("; ")),
            ));
        }
    }
    for (sequence, (_, signature)) in &by_sequence {
        if !claimed.contains(sequence) {
            report.problems.push(problem(
                Some(*sequence),
                Some(signature),
                "the explorer does not list this payment of the chain".into(),
            ));
        }
    }
    report.verified = report.problems.is_empty();
    report
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use anchor_lang::{AccountSerialize, Discriminator, Event};
    use public_spending::{
        events::PaymentExecuted,
        state::{Agency, PaymentRecord},
    };

    use super::*;

    fn record(sequence: u64) -> PaymentRecord {
        PaymentRecord {
            sequence,
            agency: anchor_lang::prelude::Pubkey::new_unique(),
            award: anchor_lang::prelude::Pubkey::new_unique(),
            payment_index: 7,
            recipient: anchor_lang::prelude::Pubkey::new_unique(),
            recipient_token_account: anchor_lang::prelude::Pubkey::new_unique(),
            amount: 123_456,
            invoice_hash: [9; 32],
            reference: anchor_lang::prelude::Pubkey::new_unique(),
            executed_at: 1_790_000_000,
        }
    }

    /// The layout read here is the program's: the constants against the IDL's discriminators and a real
    /// serialization of each type.
    #[test]
    fn the_event_and_account_layouts_are_the_programs() {
        assert_eq!(PAYMENT_EXECUTED, PaymentExecuted::DISCRIMINATOR);
        assert_eq!(AGENCY, Agency::DISCRIMINATOR);
        assert_eq!(EVENT_IX_TAG_LE, anchor_lang::event::EVENT_IX_TAG_LE);
        let record = record(4);
        assert_eq!(RECORD_LEN, PaymentRecord::CANONICAL_LEN);
        let event = PaymentExecuted {
            payment: anchor_lang::prelude::Pubkey::new_unique(),
            fast_path: true,
            executor: anchor_lang::prelude::Pubkey::new_unique(),
            record: record.clone(),
            award_outlayed: 1,
            allotment_outlayed: 2,
            appropriation_outlayed: 3,
            agency_outlayed: 4,
            previous_outlay_hash: [5; 32],
            outlay_hash: [6; 32],
        };
        let data = [EVENT_IX_TAG_LE.as_slice(), &event.data()].concat();
        let decoded = decode_payment_executed(&data).unwrap();
        assert_eq!(decoded.record, record.canonical_bytes());
        assert_eq!(
            (
                decoded.sequence(),
                decoded.amount(),
                decoded.payment_index()
            ),
            (4, 123_456, 7)
        );
        assert_eq!(decoded.agency(), record.agency.as_ref());
        assert_eq!(
            (decoded.previous, decoded.outlay_hash, decoded.fast_path),
            ([5; 32], [6; 32], true)
        );

        let agency = Agency {
            outlay_count: 42,
            outlay_hash: [0xab; 32],
            code: "075".into(),
            name: "Health".into(),
            ..Agency::default()
        };
        let mut bytes = Vec::new();
        agency.try_serialize(&mut bytes).unwrap();
        assert_eq!(
            decode_agency(&bytes),
            Some(AgencyHead {
                outlay_count: 42,
                outlay_hash: [0xab; 32]
            })
        );
    }

    #[test]
    fn the_fold_is_sha256_of_the_previous_head_and_the_record() {
        let record = record(0).canonical_bytes();
        assert_eq!(
            fold(&[0; 32], &record),
            public_spending::state::fold_outlay_hash(&[0; 32], &record_of(&record))
        );
    }

    fn record_of(bytes: &[u8; RECORD_LEN]) -> PaymentRecord {
        anchor_lang::AnchorDeserialize::deserialize(&mut bytes.as_slice()).unwrap()
    }
}
