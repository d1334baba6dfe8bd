//! A change proposed again after a veto: from the veto and proposal events in chain order.

use std::collections::BTreeMap;

use anchor_lang::prelude::Pubkey;
use public_spending::state::ControlChange;
use public_spending_sdk::LedgerEvent;

use super::{finding_id, About, Changes, Check, Context, Finding, Found};
use crate::Result;

pub const ABOUT: About = About {
    id: "reproposed-after-veto",
    title: "A change proposed again after a veto",
    explanation: "A head or the ledger admin proposed a change on a subject (a member, a policy, the auditors, the limits) that an auditor had vetoed. The program keeps a vetoed subject closed for 30 days; a proposal that returns as soon as that is over is pressing against the veto, not answering it.",
};

const KINDS: [&str; 2] = ["ChangeVetoed", "ChangeProposed"];

pub struct ReproposedAfterVeto;

impl Check for ReproposedAfterVeto {
    fn about(&self) -> &'static About {
        &ABOUT
    }

    fn run(&self, audit: &Context, found: &mut Found) -> Result<()> {
        check(audit, found)
    }

    /// Vetoes are few: a new veto or proposal reads them all again.
    fn rerun(&self, audit: &Context, changes: &Changes, found: &mut Found) -> Result<()> {
        if changes.any_of(&KINDS) {
            check(audit, found)?;
        }
        Ok(())
    }
}

/// Every proposal of a change on a subject an auditor had vetoed before.
fn check(audit: &Context, found: &mut Found) -> Result<()> {
    let state = &audit.state;
    let mut vetoed: BTreeMap<Pubkey, (Pubkey, String)> = BTreeMap::new();
    for (signature, _, event) in audit.store.events_of(&KINDS)? {
        match event {
            LedgerEvent::ChangeVetoed(e) => {
                vetoed.insert(e.pending, (e.auditor, signature));
            }
            LedgerEvent::ChangeProposed(e) => {
                let Some((auditor, veto)) = vetoed.get(&e.pending) else {
                    continue;
                };
                found(Finding {
                    id: finding_id(ABOUT.id, &[&signature]),
                    check: ABOUT.id,
                    agency: state.agency_code(&e.agency),
                    subject: e.pending.to_string(),
                    summary: format!(
                        "{} proposed again by {} after auditor {auditor} vetoed it",
                        change_subject(&e.change),
                        e.proposed_by
                    ),
                    records: vec![veto.clone(), signature],
                })?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// What a change is about, in words.
fn change_subject(change: &ControlChange) -> String {
    match change {
        ControlChange::Policy { .. } => "the agency's approval policy".to_string(),
        ControlChange::Member { key, .. } => format!("member {key}"),
        ControlChange::Auditors { .. } => "the ledger's auditors".to_string(),
        ControlChange::Limits { .. } => "the ledger's limits".to_string(),
    }
}
