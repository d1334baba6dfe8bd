//! Paid soon after registration: a recipient's first payment within days of its registration. SQL gives each
//! recipient's first payment time (a GROUP BY over the recipient index); only the recipients paid too soon are
//! read further.

use anchor_lang::prelude::Pubkey;

use super::{finding_id, rows, About, Changes, Check, Context, Finding, Found, DAY};
use crate::{store::Value, Result, WatchdogError};

pub const ABOUT: About = About {
    id: "new-recipients",
    title: "Paid soon after registration",
    explanation: "A recipient was registered only days before its first payment. Shell vendors are typically created just before they are paid; a legitimate urgent purchase looks the same, so the registration and the award behind it should be checked.",
};

pub struct NewRecipients;

impl Check for NewRecipients {
    fn about(&self) -> &'static About {
        &ABOUT
    }

    fn run(&self, audit: &Context, found: &mut Found) -> Result<()> {
        check(audit, "true", &[], found)
    }

    /// Only a recipient's first payment can be the finding: a recipient paid before is not looked at again.
    fn rerun(&self, audit: &Context, changes: &Changes, found: &mut Found) -> Result<()> {
        for (recipient, at) in changes.touched(|p| (p.record.recipient, p.record.executed_at)) {
            let paid_before = audit
                .store
                .query_opt(
                    "SELECT 1 FROM payments p WHERE p.recipient = $1 AND p.executed_at < $2 LIMIT 1",
                    &[recipient.as_ref().into(), at.into()],
                    |_| Ok(()),
                )?
                .is_some();
            if !paid_before {
                check(
                    audit,
                    "p.recipient = $1",
                    &[recipient.as_ref().into()],
                    found,
                )?;
            }
        }
        Ok(())
    }
}

fn check(audit: &Context, filter: &str, params: &[Value], found: &mut Found) -> Result<()> {
    // Each recipient's first payment time, and those that came too soon after the registration.
    let mut soon: Vec<(Pubkey, i64)> = Vec::new();
    audit.store.query(
        &format!(
            "SELECT p.recipient, min(p.executed_at) FROM payments p WHERE {filter}
             GROUP BY p.recipient ORDER BY p.recipient"
        ),
        params,
        |row| {
            let recipient = <[u8; 32]>::try_from(row.bytes(0)?)
                .map(Pubkey::new_from_array)
                .map_err(|_| WatchdogError::Invalid("a recipient column is not a key".into()))?;
            let first = row.int(1)?;
            if let Some(registered) = audit.state.recipients.get(&recipient) {
                if first - registered.registered_at < audit.options.new_recipient_seconds {
                    soon.push((recipient, first - registered.registered_at));
                }
            }
            Ok(())
        },
    )?;
    for (recipient, gap) in soon {
        let registered_at = audit.state.recipients[&recipient].registered_at;
        // The first payment: the earliest, and the first in the chain's order of those at that time.
        let first = rows::select(
            audit.store,
            "p.recipient = $1 AND p.executed_at = $2",
            &[recipient.as_ref().into(), (registered_at + gap).into()],
        )?;
        let Some(payment) = first.into_iter().next() else {
            continue;
        };
        found(Finding {
            id: finding_id(ABOUT.id, &[&payment.signature]),
            check: ABOUT.id,
            agency: audit.state.agency_code(&payment.agency),
            subject: audit.state.uei(&recipient),
            summary: format!(
                "first paid {:.1} days after registration, on award {}",
                gap as f64 / DAY as f64,
                audit.state.award_id(&payment.award)
            ),
            records: vec![payment.signature],
        })?;
    }
    Ok(())
}
