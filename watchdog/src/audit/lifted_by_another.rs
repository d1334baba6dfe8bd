//! A hold lifted by an auditor who did not impose it: from the freeze, hold and exclusion events in chain
//! order (each lift is matched with the imposition it ended).

use std::collections::BTreeMap;

use anchor_lang::prelude::Pubkey;
use public_spending::state::ExclusionStatus;
use public_spending_sdk::LedgerEvent;

use super::{finding_id, About, Changes, Check, Context, Finding, Found};
use crate::Result;

pub const ABOUT: About = About {
    id: "lifted-by-another",
    title: "A hold lifted by an auditor who did not impose it",
    explanation: "An agency freeze, a payment or award hold, or a suspension or debarment was lifted by an auditor other than the one who imposed it. The program allows it only with a second auditor's concurring signature, so no single lenient auditor can undo another's hold; each such lift is still worth reading against the grounds of the hold it ended.",
};

const KINDS: [&str; 4] = [
    "AgencyFreezeSet",
    "PaymentHoldSet",
    "AwardHoldSet",
    "ExclusionSet",
];

pub struct LiftedByAnother;

impl Check for LiftedByAnother {
    fn about(&self) -> &'static About {
        &ABOUT
    }

    fn run(&self, audit: &Context, found: &mut Found) -> Result<()> {
        check(audit, found)
    }

    /// Holds are few: a new freeze, hold or exclusion event reads them all again.
    fn rerun(&self, audit: &Context, changes: &Changes, found: &mut Found) -> Result<()> {
        if changes.any_of(&KINDS) {
            check(audit, found)?;
        }
        Ok(())
    }
}

/// Every lift of a freeze, hold or exclusion by an auditor other than the one who imposed it (the program
/// requires a second auditor's signature for it; the finding names both).
fn check(audit: &Context, found: &mut Found) -> Result<()> {
    let state = &audit.state;
    // What each freeze, hold or exclusion is on, and who imposed the one in force.
    let mut imposed: BTreeMap<Pubkey, (Pubkey, String)> = BTreeMap::new();
    for (signature, _, event) in audit.store.events_of(&KINDS)? {
        let (on, agency, what, imposing, auditor, concurring) = match &event {
            LedgerEvent::AgencyFreezeSet(e) => (
                e.agency,
                state.agency_code(&e.agency),
                "freeze of the agency".to_string(),
                e.frozen,
                e.auditor,
                e.concurring,
            ),
            LedgerEvent::PaymentHoldSet(e) => (
                e.payment,
                state.agency_code(&e.agency),
                format!("hold on payment {}", e.payment),
                e.held,
                e.auditor,
                e.concurring,
            ),
            LedgerEvent::AwardHoldSet(e) => (
                e.award,
                state.agency_code(&e.agency),
                format!("hold on award {}", state.award_id(&e.award)),
                e.held,
                e.auditor,
                e.concurring,
            ),
            LedgerEvent::ExclusionSet(e) => (
                e.exclusion,
                String::new(),
                format!("exclusion of {}", String::from_utf8_lossy(&e.uei)),
                e.status != ExclusionStatus::Lifted,
                e.auditor,
                e.concurring,
            ),
            _ => continue,
        };
        if imposing {
            imposed.insert(on, (auditor, signature));
            continue;
        }
        let Some((imposer, imposed_in)) = imposed.remove(&on) else {
            continue;
        };
        if imposer == auditor {
            continue;
        }
        let second = concurring.map_or_else(|| "no second auditor".to_string(), |c| c.to_string());
        found(Finding {
            id: finding_id(ABOUT.id, &[&signature]),
            check: ABOUT.id,
            agency,
            subject: on.to_string(),
            summary: format!(
                "the {what} imposed by auditor {imposer} was lifted by auditor {auditor}, with {second} concurring"
            ),
            records: vec![imposed_in, signature],
        })?;
    }
    Ok(())
}
