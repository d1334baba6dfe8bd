//! One approver approves most payments: from the approval events, per agency (a new approval re-counts its
//! agency only).

use std::collections::{BTreeMap, BTreeSet};

use anchor_lang::prelude::Pubkey;
use public_spending_sdk::LedgerEvent;

use super::{finding_id, About, Changes, Check, Context, Finding, Found};
use crate::Result;

pub const ABOUT: About = About {
    id: "dominant-approver",
    title: "One approver approves most payments",
    explanation: "One approver took part in most of an agency's approved payments although the agency has other approvers. Concentrating approvals in one person weakens the two-person control that approvals exist for.",
};

pub struct DominantApprover;

impl Check for DominantApprover {
    fn about(&self) -> &'static About {
        &ABOUT
    }

    fn run(&self, audit: &Context, found: &mut Found) -> Result<()> {
        check(audit, None, found)
    }

    fn rerun(&self, audit: &Context, changes: &Changes, found: &mut Found) -> Result<()> {
        let agencies: BTreeSet<Pubkey> = changes
            .of(&["PaymentApproved"])
            .filter_map(|(_, _, e)| match e {
                LedgerEvent::PaymentApproved(e) => Some(e.agency),
                _ => None,
            })
            .collect();
        if agencies.is_empty() {
            return Ok(());
        }
        check(audit, Some(&agencies), found)
    }
}

/// The check over the approvals of `agencies` (of every agency, for `None`).
fn check(audit: &Context, agencies: Option<&BTreeSet<Pubkey>>, found: &mut Found) -> Result<()> {
    let mut approvals: BTreeMap<Pubkey, BTreeMap<Pubkey, Vec<String>>> = BTreeMap::new();
    let mut approved: BTreeMap<Pubkey, BTreeSet<Pubkey>> = BTreeMap::new();
    for (signature, _, event) in audit.store.events("PaymentApproved")? {
        let LedgerEvent::PaymentApproved(e) = event else {
            continue;
        };
        if agencies.is_some_and(|only| !only.contains(&e.agency)) {
            continue;
        }
        approvals
            .entry(e.agency)
            .or_default()
            .entry(e.approver)
            .or_default()
            .push(signature);
        approved.entry(e.agency).or_default().insert(e.payment);
    }
    for (agency, by_approver) in approvals {
        let payments = approved.get(&agency).map_or(0, BTreeSet::len);
        if by_approver.len() < audit.options.min_approvers || payments == 0 {
            continue;
        }
        for (approver, records) in by_approver {
            let share = records.len() * 100 / payments;
            if share as u64 > audit.options.dominant_percent {
                // One finding per agency and approver, however many approvals it grows by.
                let code = audit.state.agency_code(&agency);
                found(Finding {
                    id: finding_id(ABOUT.id, &[code.clone(), approver.to_string()]),
                    check: ABOUT.id,
                    agency: code,
                    subject: approver.to_string(),
                    summary: format!(
                        "approved {} of the agency's {payments} approved payments ({share}%)",
                        records.len()
                    ),
                    records,
                })?;
            }
        }
    }
    Ok(())
}
