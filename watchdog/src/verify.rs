//! `verify`: what a citizen can check from public data alone. Every agency's outlay hash chain is replayed
//! from the indexed `PaymentExecuted` events and compared with the head and count the chain holds; every total
//! (award, allotment, appropriation, agency: obligated and outlayed) is recomputed from the events and compared
//! with the accounts; each treasury's balance must equal its funding minus its outlays; and the exclusion list
//! `pay_batch` checks must hold exactly the UEIs whose exclusion accounts are in force.

use std::collections::BTreeMap;

use anchor_lang::prelude::Pubkey;
use public_spending::constants::UEI_LEN;
use public_spending_sdk::{history::History, Backend, LedgerEvent};
use serde::Serialize;

use crate::{ledger::LedgerState, store::ChainLink, Result, Store};

/// One thing that does not match, with the two values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    /// The agency's code (`ledger` for a check of the whole ledger).
    pub agency: String,
    /// What was checked: "hash chain", "award obligated", "treasury", ...
    pub check: String,
    /// The account or record it concerns (an award id, a TAS, a payment's sequence).
    pub subject: String,
    /// The payment's chain sequence and transaction signature, where one is concerned.
    pub sequence: Option<u64>,
    pub signature: Option<String>,
    /// What the chain (or the replay) says, and what was found.
    pub expected: String,
    pub found: String,
}

/// One agency's chain as the replay saw it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChainStatus {
    pub agency: String,
    pub address: String,
    pub payments: u64,
    pub replayed_head: String,
    pub on_chain_head: String,
    pub on_chain_count: u64,
    pub verified: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// Transactions on the chain that the index has not read yet (newer than its cursors). Above zero, the
    /// mismatches say the index is out of date, not that it was altered: run `index` and verify again.
    pub behind: u64,
    pub chains: Vec<ChainStatus>,
    /// Totals compared (each level, obligated and outlayed) and treasuries checked.
    pub totals_checked: u64,
    pub mismatches: Vec<Mismatch>,
}

impl VerifyReport {
    /// Something was checked and everything matched. A report of a ledger without agencies (no hash chain, no
    /// budget) is never clean: nothing verified is not "verified".
    pub fn is_clean(&self) -> bool {
        self.checked_anything() && self.behind == 0 && self.mismatches.is_empty()
    }

    /// Whether any agency's hash chain was replayed.
    pub fn checked_anything(&self) -> bool {
        !self.chains.is_empty()
    }
}

/// Replays the index's hash chains alone (no totals, no chain): for each agency of `state`, whether its
/// chain holds together, and every break. The part of [`verify`] that grows with the ledger.
pub fn replay(store: &Store, state: &LedgerState) -> Result<VerifyReport> {
    let mut report = VerifyReport::default();
    replay_chains(store, state, &mut report)?;
    check_signatures(store, state, &mut report)?;
    Ok(report)
}

/// Replays the index against the chain as it stands now.
/// The index must be of this chain's ledger ([`Store::claim_ledger`]).
pub async fn verify<C: Backend + History>(chain: &C, store: &Store) -> Result<VerifyReport> {
    crate::index::claim(chain, store).await?;
    let state = LedgerState::from_chain(chain).await?;
    let mut report = VerifyReport {
        behind: unindexed(chain, store, &state).await?,
        ..VerifyReport::default()
    };
    replay_chains(store, &state, &mut report)?;
    check_signatures(store, &state, &mut report)?;
    check_totals(store, &state, &mut report)?;
    check_treasuries(chain, store, &state, &mut report).await?;
    check_exclusion_list(&state, &mut report);
    Ok(report)
}

/// How many transactions the chain holds that the index has not read: for each address an index run reads
/// (the program, each agency's treasury), those newer than the last finished run's newest; a transaction naming
/// several of them is counted once.
pub async fn unindexed<C: History>(chain: &C, store: &Store, state: &LedgerState) -> Result<u64> {
    let mut addresses = vec![public_spending::ID];
    addresses.extend(state.agencies.values().map(|a| a.treasury));
    let mut unread = std::collections::BTreeSet::new();
    for address in &addresses {
        let until = match store.cursor(address)?.newest {
            Some(newest) => Some(newest.parse().map_err(|_| {
                crate::WatchdogError::Invalid(format!("the cursor of {address} is not a signature"))
            })?),
            None => None,
        };
        let mut before = None;
        loop {
            let page = chain
                .signatures_for_address(
                    address,
                    before,
                    until,
                    public_spending_sdk::history::MAX_PAGE,
                )
                .await?;
            let Some(last) = page.last() else { break };
            before = Some(last.signature);
            unread.extend(page.iter().map(|info| info.signature));
        }
    }
    Ok(unread.len() as u64)
}

/// Base units (replayed totals can go below zero in a tampered index) in token units.
fn token_units(units: i128, decimals: u8) -> String {
    let sign = if units < 0 { "-" } else { "" };
    match u64::try_from(units.unsigned_abs()) {
        Ok(abs) => format!(
            "{sign}{}",
            public_spending_sdk::amount::format_amount(abs, decimals)
        ),
        Err(_) => format!("{units} base units"),
    }
}

/// Replays the rows that claim one place in an agency's chain (normally exactly one), then empties `group`.
fn replay_group(
    group: &mut Vec<ChainLink>,
    replays: &mut BTreeMap<Pubkey, Replay>,
    state: &LedgerState,
    mismatches: &mut Vec<(Mismatch, i64)>,
) {
    let Some(first) = group.first() else {
        return;
    };
    let replay = replays.entry(first.agency).or_insert(Replay {
        agency: first.agency,
        head: [0; 32],
        next: 0,
        mismatches: 0,
    });
    // Each row's own fold: from the head it says it followed, it must give the hash it carried.
    let folds: Vec<[u8; 32]> = group.iter().map(ChainLink::fold).collect();
    let in_place =
        |p: &ChainLink| p.record_agency() == p.agency.as_ref() && p.record_sequence() == p.sequence;
    let chosen = (0..group.len())
        .find(|&i| {
            group[i].previous_hash == replay.head
                && folds[i] == group[i].outlay_hash
                && in_place(&group[i])
        })
        .unwrap_or(0);
    let found_before = mismatches.len();
    let agency = replay.agency;
    // The signature is filled in from the transaction id once the replay is done.
    let mismatch = |payment: &ChainLink, check: &str, expected: String, found: String| {
        let found_mismatch = Mismatch {
            agency: state.agency_code(&agency),
            check: check.into(),
            subject: format!(
                "payment {} of award {}",
                payment.decode().map_or(0, |r| r.payment_index),
                payment
                    .decode()
                    .map_or_else(|_| "?".into(), |r| state.award_id(&r.award))
            ),
            sequence: Some(payment.sequence),
            signature: None,
            expected,
            found,
        };
        (found_mismatch, payment.tx)
    };
    for (_, extra) in group.iter().enumerate().filter(|(i, _)| *i != chosen) {
        mismatches.push(mismatch(
            extra,
            "extra event (a sequence seen before)",
            format!("one payment at sequence {}", extra.sequence),
            format!("another at sequence {}", extra.sequence),
        ));
    }
    let payment = &group[chosen];
    if payment.sequence < replay.next {
        mismatches.push(mismatch(
            payment,
            "extra event (a sequence seen before)",
            format!("sequence {}", replay.next),
            format!("sequence {}", payment.sequence),
        ));
    } else {
        if payment.sequence > replay.next {
            mismatches.push(mismatch(
                payment,
                "missing event(s)",
                format!("sequence {}", replay.next),
                format!("sequence {}", payment.sequence),
            ));
        }
        if payment.previous_hash != replay.head {
            mismatches.push(mismatch(
                payment,
                "previous hash",
                hex::encode(replay.head),
                hex::encode(payment.previous_hash),
            ));
        }
        if !in_place(payment) {
            mismatches.push(mismatch(
                payment,
                "record out of place (it names another agency or sequence)",
                format!("sequence {}", payment.sequence),
                format!("sequence {}", payment.record_sequence()),
            ));
        }
        // The record's own integrity (a broken link alone is reported above, not again here).
        let folded = folds[chosen];
        if folded != payment.outlay_hash {
            mismatches.push(mismatch(
                payment,
                "record altered (its fold differs from the hash it carried)",
                hex::encode(payment.outlay_hash),
                hex::encode(folded),
            ));
        }
        // The columns the audit reads must say what the record says, or a finding could be hidden (or made
        // up) while the chain still holds together. (An altered record is named above, once.)
        if folded == payment.outlay_hash && !payment.columns_agree {
            mismatches.push(mismatch(
                payment,
                "record columns altered (the audit's columns differ from the record)",
                "the record's award, recipient, amount, invoice, time and index".into(),
                "other values".into(),
            ));
        }
        // Carry on from what the chain itself committed to, so that one altered record is named once.
        replay.head = payment.outlay_hash;
        replay.next = payment.sequence + 1;
    }
    replay.mismatches += mismatches.len() - found_before;
    group.clear();
}

/// The running replay of one agency's chain.
struct Replay {
    agency: Pubkey,
    head: [u8; 32],
    next: u64,
    mismatches: usize,
}

/// Links handed from the reading thread to the hashing thread at a time.
const LINKS_PER_HANDOFF: usize = 4_096;

/// Every payment row whose signature column (what the audit's findings name) is not its transaction's.
fn check_signatures(store: &Store, state: &LedgerState, report: &mut VerifyReport) -> Result<()> {
    let mut wrong = Vec::new();
    store.query(
        "SELECT p.agency, p.sequence, p.signature, t.signature FROM payments p LEFT JOIN transactions t ON t.id = p.tx
         WHERE p.signature IS NULL OR t.signature IS NULL OR p.signature <> t.signature
         ORDER BY p.agency, p.sequence, p.tx, p.ordinal",
        &[],
        |row| {
            let agency = <[u8; 32]>::try_from(row.bytes(0)?).map(Pubkey::new_from_array).ok();
            wrong.push(Mismatch {
                agency: agency.map_or_else(|| "?".into(), |a| state.agency_code(&a)),
                check: "payment row names another transaction (its signature column differs)".into(),
                subject: format!("the payment at sequence {}", row.int(1)?),
                sequence: Some(row.int(1)?.unsigned_abs()),
                signature: row.opt_text(3)?,
                expected: row.opt_text(3)?.unwrap_or_default(),
                found: row.opt_text(2)?.unwrap_or_default(),
            });
            Ok(())
        },
    )?;
    // The chain replayed, but the index does not say truly which transactions made it.
    for chain in &mut report.chains {
        if wrong.iter().any(|m| m.agency == chain.agency) {
            chain.verified = false;
        }
    }
    report.mismatches.extend(wrong);
    Ok(())
}

fn replay_chains(store: &Store, state: &LedgerState, report: &mut VerifyReport) -> Result<()> {
    // SQLite reads the links on this thread while another folds them, so that reading and hashing overlap.
    let (replays, found) = std::thread::scope(|scope| -> Result<_> {
        let (send, receive) = std::sync::mpsc::sync_channel::<Vec<ChainLink>>(4);
        let hasher = scope.spawn(move || {
            let mut replays: BTreeMap<Pubkey, Replay> = BTreeMap::new();
            let mut found = Vec::new();
            // Rows come ordered by agency and sequence; rows claiming the same place are weighed together, so
            // that the one that links into the chain is taken and the others are named as extra, whatever
            // their order.
            let mut group: Vec<ChainLink> = Vec::new();
            for links in receive {
                for link in links {
                    let same_place = group.last().is_some_and(|last| {
                        last.agency == link.agency && last.sequence == link.sequence
                    });
                    if !same_place {
                        replay_group(&mut group, &mut replays, state, &mut found);
                    }
                    group.push(link);
                }
            }
            replay_group(&mut group, &mut replays, state, &mut found);
            (replays, found)
        });
        let mut links = Vec::with_capacity(LINKS_PER_HANDOFF);
        let read = store.for_each_link(|link| {
            links.push(link);
            if links.len() == LINKS_PER_HANDOFF {
                let full = std::mem::replace(&mut links, Vec::with_capacity(LINKS_PER_HANDOFF));
                // A closed channel means the hasher stopped; its join below reports why.
                let _ = send.send(full);
            }
            Ok(())
        });
        let _ = send.send(links);
        drop(send);
        let joined = hasher.join().map_err(|_| {
            crate::WatchdogError::Invalid("the hash-chain replay thread panicked".into())
        })?;
        read.map(|()| joined)
    })?;
    for (mut mismatch, tx) in found {
        mismatch.signature = Some(
            store
                .signature_of(tx)?
                .unwrap_or_else(|| format!("(no transaction {tx} in the index)")),
        );
        report.mismatches.push(mismatch);
    }
    for (address, agency) in &state.agencies {
        let (head, count, broken) = replays
            .get(address)
            .map_or(([0u8; 32], 0, 0), |r| (r.head, r.next, r.mismatches));
        let verified = broken == 0 && head == agency.outlay_hash && count == agency.outlay_count;
        if head != agency.outlay_hash || count != agency.outlay_count {
            report.mismatches.push(Mismatch {
                agency: agency.code.clone(),
                check: "hash chain head".into(),
                subject: format!("agency {}", agency.code),
                sequence: None,
                signature: None,
                expected: format!(
                    "{} after {} payments",
                    hex::encode(agency.outlay_hash),
                    agency.outlay_count
                ),
                found: format!("{} after {count} payments", hex::encode(head)),
            });
        }
        report.chains.push(ChainStatus {
            agency: agency.code.clone(),
            address: address.to_string(),
            payments: count,
            replayed_head: hex::encode(head),
            on_chain_head: hex::encode(agency.outlay_hash),
            on_chain_count: agency.outlay_count,
            verified,
        });
    }
    Ok(())
}

/// Obligated and outlayed per award, from the events.
#[derive(Default, Clone, Copy)]
struct Totals {
    obligated: i128,
    outlayed: i128,
}

fn check_totals(store: &Store, state: &LedgerState, report: &mut VerifyReport) -> Result<()> {
    let mut awards: BTreeMap<Pubkey, Totals> = BTreeMap::new();
    for (_, _, event) in store.events("AwardObligated")? {
        if let LedgerEvent::AwardObligated(e) = event {
            awards.entry(e.award).or_default().obligated += i128::from(e.amount);
        }
    }
    for (_, _, event) in store.events("AwardModified")? {
        if let LedgerEvent::AwardModified(e) = event {
            awards.entry(e.award).or_default().obligated += e.change;
        }
    }
    store.for_each_payment(|p| {
        awards.entry(p.record.award).or_default().outlayed += i128::from(p.record.amount);
        Ok(())
    })?;
    let mut allotments: BTreeMap<Pubkey, Totals> = BTreeMap::new();
    let mut appropriations: BTreeMap<Pubkey, Totals> = BTreeMap::new();
    let mut agencies: BTreeMap<Pubkey, Totals> = BTreeMap::new();
    let add = |map: &mut BTreeMap<Pubkey, Totals>, key: Pubkey, t: Totals| {
        let entry = map.entry(key).or_default();
        entry.obligated += t.obligated;
        entry.outlayed += t.outlayed;
    };
    for (address, totals) in &awards {
        if let Some(award) = state.awards.get(address) {
            add(&mut allotments, award.allotment, *totals);
            add(&mut appropriations, award.appropriation, *totals);
            add(&mut agencies, award.agency, *totals);
        }
    }
    let decimals = state.decimals();
    let mut compare = |agency: &Pubkey,
                       level: &str,
                       subject: String,
                       replayed: Totals,
                       obligated: u64,
                       outlayed: u64| {
        report.totals_checked += 2;
        for (what, replayed, held) in [
            ("obligated", replayed.obligated, obligated),
            ("outlayed", replayed.outlayed, outlayed),
        ] {
            if replayed != i128::from(held) {
                report.mismatches.push(Mismatch {
                    agency: state.agency_code(agency),
                    check: format!("{level} {what}"),
                    subject: subject.clone(),
                    sequence: None,
                    signature: None,
                    expected: token_units(i128::from(held), decimals),
                    found: token_units(replayed, decimals),
                });
            }
        }
    };
    for (address, award) in &state.awards {
        let replayed = awards.get(address).copied().unwrap_or_default();
        compare(
            &award.agency,
            "award",
            format!("award {}", award.award_id),
            replayed,
            award.obligated,
            award.outlayed,
        );
    }
    for (address, allotment) in &state.allotments {
        let replayed = allotments.get(address).copied().unwrap_or_default();
        compare(
            &allotment.agency,
            "allotment",
            format!("allotment {address}"),
            replayed,
            allotment.obligated,
            allotment.outlayed,
        );
    }
    for (address, appropriation) in &state.appropriations {
        let replayed = appropriations.get(address).copied().unwrap_or_default();
        let tas = format!(
            "TAS {}-{} FY{}",
            String::from_utf8_lossy(&appropriation.main_account),
            String::from_utf8_lossy(&appropriation.sub_account),
            appropriation.fiscal_year
        );
        compare(
            &appropriation.agency,
            "appropriation",
            tas,
            replayed,
            appropriation.obligated,
            appropriation.outlayed,
        );
    }
    for (address, agency) in &state.agencies {
        let replayed = agencies.get(address).copied().unwrap_or_default();
        compare(
            address,
            "agency",
            format!("agency {}", agency.code),
            replayed,
            agency.obligated,
            agency.outlayed,
        );
    }
    Ok(())
}

async fn check_treasuries<C: Backend>(
    chain: &C,
    store: &Store,
    state: &LedgerState,
    report: &mut VerifyReport,
) -> Result<()> {
    let funding: BTreeMap<Pubkey, u64> = store.funding()?.into_iter().collect();
    let mut outlays: BTreeMap<Pubkey, u64> = BTreeMap::new();
    store.for_each_payment(|p| {
        *outlays.entry(p.record.agency).or_default() += p.record.amount;
        Ok(())
    })?;
    for (address, agency) in &state.agencies {
        report.totals_checked += 1;
        let balance = public_spending_sdk::fetch::token_balance(chain, &agency.treasury).await?;
        let funded = funding.get(&agency.treasury).copied().unwrap_or(0);
        let paid = outlays.get(address).copied().unwrap_or(0);
        let expected = i128::from(funded) - i128::from(paid);
        if i128::from(balance) != expected {
            let units = |units: u64| token_units(i128::from(units), state.decimals());
            report.mismatches.push(Mismatch {
                agency: agency.code.clone(),
                check: "treasury balance (funding minus outlays)".into(),
                subject: format!("treasury {}", agency.treasury),
                sequence: None,
                signature: None,
                expected: format!(
                    "{} ({} funded - {} paid)",
                    token_units(expected, state.decimals()),
                    units(funded),
                    units(paid)
                ),
                found: units(balance),
            });
        }
    }
    Ok(())
}

/// The exclusion list must be exactly the UEIs whose exclusion is in force, ascending: a UEI missing from it
/// could be paid by `pay_batch` though debarred. (Checked once a ledger exists.)
fn check_exclusion_list(state: &LedgerState, report: &mut VerifyReport) {
    if state.ledger.is_none() {
        return;
    }
    report.totals_checked += 1;
    let in_force: Vec<[u8; UEI_LEN]> = state
        .exclusions
        .values()
        .filter(|e| e.in_force())
        .map(|e| e.uei)
        .collect();
    let listed = state.exclusion_list.as_ref().map(|l| &l.ueis);
    if listed != Some(&in_force) {
        let ueis = |list: &[[u8; UEI_LEN]]| {
            let names: Vec<String> = list
                .iter()
                .map(|u| String::from_utf8_lossy(u).into_owned())
                .collect();
            format!("[{}]", names.join(", "))
        };
        report.mismatches.push(Mismatch {
            agency: "ledger".into(),
            check: "exclusion list (the UEIs whose exclusion is in force)".into(),
            subject: public_spending_sdk::pda::exclusion_list().to_string(),
            sequence: None,
            signature: None,
            expected: ueis(&in_force),
            found: listed.map_or_else(|| "no exclusion list account".into(), |l| ueis(l)),
        });
    }
}
