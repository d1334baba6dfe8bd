//! Public flags not dismissed: every flag raised on the record, with its status from its later events.

use std::collections::{BTreeMap, BTreeSet};

use anchor_lang::prelude::Pubkey;
use public_spending::state::FlagStatus;
use public_spending_sdk::LedgerEvent;
use serde::Serialize;

use super::{finding_id, About, Changes, Check, Context, Finding, Found};
use crate::{ledger::LedgerState, store::Value, Result, Store};

pub const ABOUT: About = About {
    id: "public-flags",
    title: "Public flags not dismissed",
    explanation: "Someone raised a flag on the record (a duplicate invoice, an unknown vendor, a price, a split payment, work not done) and no auditor has dismissed it: it is still open, answered but not ruled on, or an auditor found substance in it. A flag blocks nothing by itself; it is a question the agency owes an answer to.",
};

const FLAG_EVENTS: [&str; 4] = ["FlagRaised", "FlagResponded", "FlagResolved", "FlagClosed"];

pub struct PublicFlags;

impl Check for PublicFlags {
    fn about(&self) -> &'static About {
        &ABOUT
    }

    fn run(&self, audit: &Context, found: &mut Found) -> Result<()> {
        for flag in flag_histories(audit.store, &audit.state)? {
            if flag.status == FlagStatus::Dismissed {
                continue;
            }
            // A flag is the transaction that raised it; its answer and ruling do not make it another.
            found(Finding {
                id: finding_id(ABOUT.id, &flag.records[..1]),
                check: ABOUT.id,
                agency: flag.agency.clone(),
                summary: format!(
                    "{} flag on {} {}: {}",
                    flag.reason,
                    flag.target_kind,
                    flag.subject,
                    flag.status_words()
                ),
                subject: flag.subject,
                records: flag.records,
            })?;
        }
        Ok(())
    }

    /// A flag's history is short: a new flag event reads them all again.
    fn rerun(&self, audit: &Context, changes: &Changes, found: &mut Found) -> Result<()> {
        if changes.any_of(&FLAG_EVENTS) {
            self.run(audit, found)?;
        }
        Ok(())
    }
}

/// One public flag as its events tell it: each raising is its own flag, even at an address a closed flag used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FlagHistory {
    pub agency: String,
    /// What it names: an award id, a UEI, an RPUID, or `award id payment N`.
    pub subject: String,
    pub target_kind: String,
    pub reason: String,
    #[serde(skip)]
    pub status: FlagStatus,
    /// The status in words ([`FlagHistory::status_words`]).
    pub status_text: &'static str,
    /// Block time of the raising.
    pub raised_at: Option<i64>,
    /// The signatures of its raising, answers and ruling.
    pub records: Vec<String>,
}

impl FlagHistory {
    /// The status in words: open, answered (awaiting an auditor), resolved (substantiated) or dismissed.
    pub fn status_words(&self) -> &'static str {
        match self.status {
            FlagStatus::Open => "open, no answer from the agency",
            FlagStatus::Responded => "answered by the agency, awaiting an auditor",
            FlagStatus::Resolved => "substantiated by an auditor",
            FlagStatus::Dismissed => "dismissed by an auditor",
        }
    }
}

/// Every flag ever raised, in chain order, with its status from its later events (closed flags included).
pub fn flag_histories(store: &Store, state: &LedgerState) -> Result<Vec<FlagHistory>> {
    let events = store.events_of(&FLAG_EVENTS)?;
    let payment_names = payment_names(store, state, &events)?;
    let name = |target: &Pubkey| {
        state
            .awards
            .get(target)
            .map(|a| a.award_id.clone())
            .or_else(|| {
                state
                    .recipients
                    .get(target)
                    .map(|r| String::from_utf8_lossy(&r.uei).into_owned())
            })
            .or_else(|| state.properties.get(target).map(|p| p.rpuid.clone()))
            .or_else(|| payment_names.get(target).cloned())
            .unwrap_or_else(|| target.to_string())
    };
    // A flag's address is reused when a flag is closed and the same flagger raises one on the same target with
    // the same nonce: each raising is its own flag, and a ruling belongs to the flag live at the address when it
    // was made. So the flag events are read in chain order, and each raising opens a new record.
    let mut flags: Vec<FlagHistory> = Vec::new();
    let mut live: BTreeMap<Pubkey, usize> = BTreeMap::new();
    for (signature, time, event) in events {
        let (flag, status) = match event {
            LedgerEvent::FlagRaised(e) => {
                live.insert(e.flag, flags.len());
                flags.push(FlagHistory {
                    agency: state.agency_code(&e.agency),
                    subject: name(&e.target),
                    target_kind: format!("{:?}", e.target_kind),
                    reason: format!("{:?}", e.reason),
                    status: FlagStatus::Open,
                    status_text: "",
                    raised_at: time,
                    records: vec![signature],
                });
                continue;
            }
            LedgerEvent::FlagClosed(e) => {
                live.remove(&e.flag);
                continue;
            }
            LedgerEvent::FlagResponded(e) => (e.flag, FlagStatus::Responded),
            LedgerEvent::FlagResolved(e) => (e.flag, e.outcome),
            _ => continue,
        };
        if let Some(raised) = live.get(&flag).map(|at| &mut flags[*at]) {
            // A response never reopens a ruling.
            if !raised.status.is_final() {
                raised.status = status;
            }
            raised.records.push(signature);
        }
    }
    for flag in &mut flags {
        flag.status_text = flag.status_words();
    }
    Ok(flags)
}

/// Bytes 16..48 of a `PaymentExecuted` event's data (after the event tag and its discriminator): the address of
/// the payment, which is where a flag on it points.
const EVENT_PAYMENT: &str = "substr(e.data, 17, 32)";

/// The executed payments that flags point at, named `award id payment N`: a payment's account is closed once it
/// is paid, so its address is found in its `PaymentExecuted` event and named from the record it carried.
fn payment_names(
    store: &Store,
    state: &LedgerState,
    events: &[(String, Option<i64>, LedgerEvent)],
) -> Result<BTreeMap<Pubkey, String>> {
    let targets: BTreeSet<Pubkey> = events
        .iter()
        .filter_map(|(_, _, e)| match e {
            LedgerEvent::FlagRaised(e) => Some(e.target),
            _ => None,
        })
        .filter(|t| {
            !state.awards.contains_key(t)
                && !state.recipients.contains_key(t)
                && !state.properties.contains_key(t)
        })
        .collect();
    let mut names = BTreeMap::new();
    if targets.is_empty() {
        return Ok(names);
    }
    let placeholders: Vec<String> = (1..=targets.len()).map(|n| format!("${n}")).collect();
    let params: Vec<Value> = targets.iter().map(|t| t.as_ref().into()).collect();
    store.query(
        &format!(
            "SELECT e.data FROM events e WHERE e.kind = 'PaymentExecuted' AND {EVENT_PAYMENT} IN ({})",
            placeholders.join(", ")
        ),
        &params,
        |row| {
            if let Some(LedgerEvent::PaymentExecuted(e)) = LedgerEvent::decode(row.bytes(0)?) {
                let address = public_spending_sdk::pda::payment(
                    &e.record.award,
                    e.record.payment_index,
                )
                .0;
                // Named only where the record agrees with the address the event gives.
                if targets.contains(&address) {
                    let name = format!(
                        "{} payment {}",
                        state.award_id(&e.record.award),
                        e.record.payment_index
                    );
                    names.insert(address, name);
                }
            }
            Ok(())
        },
    )?;
    Ok(names)
}
