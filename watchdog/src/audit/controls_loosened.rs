//! Controls loosened: every change on notice that took effect on an agency (a policy, a member), and every
//! loosening of the ledger-wide limits, each with the payments in the window after it (a range over the
//! agency-time index; every agency's, for the ledger's limits).

use public_spending::state::{ControlChange, LedgerLimits};
use public_spending_sdk::{role_names, LedgerEvent};

use super::{finding_id, rows, About, Changes, Check, Context, Finding, Found, DAY};
use crate::Result;

pub const ABOUT: About = About {
    id: "controls-loosened",
    title: "Controls loosened",
    explanation: "An agency's head loosened a control and it took effect: a higher approval threshold or fast-path cap, fewer approvals, a shorter time lock, a new member, a role granted or a member reactivated. Each was public a day or more before it applied and an auditor could have vetoed it; the payments the agency made in the 30 days after it are the ones the looser control let through, and those executed by a member just given a role most of all.",
};

pub struct ControlsLoosened;

impl Check for ControlsLoosened {
    fn about(&self) -> &'static About {
        &ABOUT
    }

    fn run(&self, audit: &Context, found: &mut Found) -> Result<()> {
        agency_changes(audit, audit.store.events("ChangeApplied")?, found)?;
        ledger_limits(audit, |_| true, found)
    }

    /// A finding rests on the change alone (the payments after it only describe it): new changes only.
    fn rerun(&self, audit: &Context, changes: &Changes, found: &mut Found) -> Result<()> {
        agency_changes(
            audit,
            changes.of(&["ChangeApplied"]).cloned().collect(),
            found,
        )?;
        if changes.any_of(&["LedgerLimitsSet"]) {
            ledger_limits(
                audit,
                |signature| {
                    changes
                        .of(&["LedgerLimitsSet"])
                        .any(|(s, _, _)| s == signature)
                },
                found,
            )?;
        }
        Ok(())
    }
}

/// One finding per change of an agency's controls that took effect.
fn agency_changes(
    audit: &Context,
    applied: Vec<(String, Option<i64>, LedgerEvent)>,
    found: &mut Found,
) -> Result<()> {
    let days = audit.options.loosening_seconds / DAY;
    for (signature, time, event) in applied {
        let LedgerEvent::ChangeApplied(e) = event else {
            continue;
        };
        let Some(applied_at) = time else { continue };
        let (subject, what, member) = match e.change {
            ControlChange::Policy { policy } => (
                "policy".to_string(),
                format!(
                    "approval policy loosened to a threshold of {}, {} approval(s), a {} s time lock and a fast-path cap of {} a day",
                    audit.money(policy.threshold),
                    policy.approvals_required,
                    policy.time_lock_seconds,
                    audit.money(policy.fast_path_daily_cap)
                ),
                None,
            ),
            ControlChange::Member { key, roles, active } => (
                key.to_string(),
                format!(
                    "member {key} given {} ({})",
                    role_names(roles),
                    if active { "active" } else { "inactive" }
                ),
                Some(key),
            ),
            // The ledger's own auditors and limits: `ledger_limits` reads the limits from their own events.
            ControlChange::Auditors { .. } | ControlChange::Limits { .. } => continue,
        };
        let soon = rows::within(
            audit.store,
            Some(&e.agency),
            applied_at,
            audit.options.loosening_seconds,
        )?;
        let by_member = member.map_or_else(String::new, |key| {
            format!(
                ", {} of them executed by this member",
                soon.iter().filter(|p| p.executor == key).count()
            )
        });
        let (total, records) = rows::event_and_payments(&signature, &soon);
        found(Finding {
            id: finding_id(ABOUT.id, &[&signature]),
            check: ABOUT.id,
            agency: audit.state.agency_code(&e.agency),
            subject,
            summary: format!(
                "{what}; {} payment(s) of {} in all by the agency within {days} days after it{by_member}",
                soon.len(),
                audit.money(total),
            ),
            records,
        })?;
    }
    Ok(())
}

/// Every loosening of the ledger-wide limits that took effect (a ceiling raised or the minimum notice
/// shortened, judged against the limits in force before it) among those `which` picks, with every agency's
/// payments in the window after it.
fn ledger_limits(audit: &Context, which: impl Fn(&str) -> bool, found: &mut Found) -> Result<()> {
    let mut in_force = LedgerLimits::INITIAL;
    for (signature, time, event) in audit.store.events("LedgerLimitsSet")? {
        let LedgerEvent::LedgerLimitsSet(e) = event else {
            continue;
        };
        let before = std::mem::replace(&mut in_force, e.limits);
        let Some(applied_at) = time else { continue };
        if !before.loosened_by(&e.limits) || !which(&signature) {
            continue;
        }
        let soon = rows::within(
            audit.store,
            None,
            applied_at,
            audit.options.loosening_seconds,
        )?;
        let ceiling = |units: u64| {
            if units == u64::MAX {
                "none".to_string()
            } else {
                audit.money(units)
            }
        };
        let (total, records) = rows::event_and_payments(&signature, &soon);
        found(Finding {
            id: finding_id(ABOUT.id, &[&signature]),
            check: ABOUT.id,
            agency: String::new(),
            subject: "ledger limits".to_string(),
            summary: format!(
                "ledger-wide limits loosened to a fast-path threshold ceiling of {}, a daily cap ceiling of {} and {} s minimum notice; {} payment(s) of {} in all within {} days after it",
                ceiling(e.limits.max_fast_path_threshold),
                ceiling(e.limits.max_fast_path_daily_cap),
                e.limits.min_change_notice_seconds,
                soon.len(),
                audit.money(total),
                audit.options.loosening_seconds / DAY
            ),
            records,
        })?;
    }
    Ok(())
}
