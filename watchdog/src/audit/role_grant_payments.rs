//! Paid by an officer soon after being given the paying role: for each change that gave a member EXECUTE, the
//! payments that member executed in the window after it.

use public_spending::{constants::ROLE_EXECUTE, state::ControlChange};
use public_spending_sdk::{role_names, LedgerEvent};

use super::{
    finding_id, rows, windows_reached, About, Changes, Check, Context, Finding, Found, DAY,
};
use crate::Result;

pub const ABOUT: About = About {
    id: "role-grant-payments",
    title: "Paid by an officer soon after being given the paying role",
    explanation: "A member was given the EXECUTE role (or reactivated with it) on an agency in service, and then executed payments within days of it. The grant was public a day or more before it applied, but a key that has just been allowed to pay is the one an insider would use: each payment it made in the window is listed.",
};

const KINDS: [&str; 1] = ["ChangeApplied"];

pub struct RoleGrantPayments;

impl Check for RoleGrantPayments {
    fn about(&self) -> &'static About {
        &ABOUT
    }

    fn run(&self, audit: &Context, found: &mut Found) -> Result<()> {
        check(audit, audit.store.events_of(&KINDS)?, found)
    }

    /// A new grant, or a new payment by a member within the window after its grant.
    fn rerun(&self, audit: &Context, changes: &Changes, found: &mut Found) -> Result<()> {
        let seconds = audit.options.loosening_seconds;
        let reached = windows_reached(audit, changes, &KINDS, seconds, |event, p| {
            matches!(event, LedgerEvent::ChangeApplied(e)
                if e.agency == p.record.agency
                    && matches!(e.change, ControlChange::Member { key, .. } if key == p.executor))
        })?;
        check(audit, reached, found)
    }
}

fn check(
    audit: &Context,
    applied: Vec<(String, Option<i64>, LedgerEvent)>,
    found: &mut Found,
) -> Result<()> {
    let seconds = audit.options.loosening_seconds;
    for (signature, time, event) in applied {
        let LedgerEvent::ChangeApplied(e) = event else {
            continue;
        };
        let ControlChange::Member { key, roles, active } = e.change else {
            continue;
        };
        let Some(applied_at) = time else { continue };
        if !active || roles & ROLE_EXECUTE == 0 {
            continue;
        }
        let soon = rows::select(
            audit.store,
            "p.agency = $1 AND p.executed_at >= $2 AND p.executed_at < $3 AND p.executor = $4",
            &[
                e.agency.as_ref().into(),
                applied_at.into(),
                applied_at.saturating_add(seconds).into(),
                key.as_ref().into(),
            ],
        )?;
        if soon.is_empty() {
            continue;
        }
        let (total, records) = rows::event_and_payments(&signature, &soon);
        found(Finding {
            id: finding_id(ABOUT.id, &[&signature]),
            check: ABOUT.id,
            agency: audit.state.agency_code(&e.agency),
            subject: key.to_string(),
            summary: format!(
                "given {} and then executed {} payment(s) of {} in all within {} days",
                role_names(roles),
                soon.len(),
                audit.money(total),
                seconds / DAY
            ),
            records,
        })?;
    }
    Ok(())
}
