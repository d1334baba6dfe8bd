//! A new agency paying within 30 days of its registration: for each registration, the agency's payments in the
//! 30 days after it.

use public_spending_sdk::LedgerEvent;

use super::{
    finding_id, rows, windows_reached, About, Changes, Check, Context, Finding, Found, DAY,
};
use crate::Result;

pub const ABOUT: About = About {
    id: "new-agency-paying",
    title: "A new agency paying within 30 days of its registration",
    explanation: "An agency paid within 30 days of being registered. Its head, staff and policy were public for the ledger's minimum notice before its members could act, but the program cannot tell two keys of one person apart: an agency registered, staffed and paying within weeks is the shape of one insider holding every key, and its first payments deserve a look.",
};

const WINDOW: i64 = 30 * DAY;
const KINDS: [&str; 1] = ["AgencyRegistered"];

pub struct NewAgencyPaying;

impl Check for NewAgencyPaying {
    fn about(&self) -> &'static About {
        &ABOUT
    }

    fn run(&self, audit: &Context, found: &mut Found) -> Result<()> {
        check(audit, audit.store.events_of(&KINDS)?, found)
    }

    /// A new payment by an agency within 30 days of its registration.
    fn rerun(&self, audit: &Context, changes: &Changes, found: &mut Found) -> Result<()> {
        let reached = windows_reached(
            audit,
            changes,
            &KINDS,
            WINDOW,
            |event, p| matches!(event, LedgerEvent::AgencyRegistered(e) if e.agency == p.record.agency),
        )?;
        check(audit, reached, found)
    }
}

fn check(
    audit: &Context,
    registered: Vec<(String, Option<i64>, LedgerEvent)>,
    found: &mut Found,
) -> Result<()> {
    for (signature, time, event) in registered {
        let (LedgerEvent::AgencyRegistered(e), Some(registered_at)) = (event, time) else {
            continue;
        };
        let soon = rows::within(audit.store, Some(&e.agency), registered_at, WINDOW)?;
        let Some(first) = soon.iter().map(|p| p.executed_at).min() else {
            continue;
        };
        let (total, records) = rows::event_and_payments(&signature, &soon);
        found(Finding {
            id: finding_id(ABOUT.id, &[&signature]),
            check: ABOUT.id,
            agency: audit.state.agency_code(&e.agency),
            subject: e.head.to_string(),
            summary: format!(
                "registered with head {} and paying {} day(s) later: {} payment(s) of {} in all within 30 days",
                e.head,
                (first - registered_at) / DAY,
                soon.len(),
                audit.money(total)
            ),
            records,
        })?;
    }
    Ok(())
}
