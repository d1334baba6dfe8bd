//! Paid soon after a payout-wallet change: for each confirmed change, the recipient's payments in the window
//! after it (a range over the recipient-time index).

use public_spending_sdk::LedgerEvent;

use super::{
    finding_id, rows, windows_reached, About, Changes, Check, Context, Finding, Found, DAY,
};
use crate::Result;

pub const ABOUT: About = About {
    id: "wallet-changes",
    title: "Paid soon after a payout-wallet change",
    explanation: "A recipient was paid within days of its payout wallet being changed. \"Please update our bank details\" is the classic vendor-fraud route: the program requires two members and the agency's time lock for the change, but the first payments to a new wallet deserve a call to the vendor on a number already on file.",
};

const KINDS: [&str; 1] = ["PayoutWalletConfirmed"];

pub struct WalletChanges;

impl Check for WalletChanges {
    fn about(&self) -> &'static About {
        &ABOUT
    }

    fn run(&self, audit: &Context, found: &mut Found) -> Result<()> {
        check(audit, audit.store.events_of(&KINDS)?, found)
    }

    /// A new change, or a new payment to a recipient within the window after its change.
    fn rerun(&self, audit: &Context, changes: &Changes, found: &mut Found) -> Result<()> {
        let seconds = audit.options.wallet_change_seconds;
        let reached = windows_reached(
            audit,
            changes,
            &KINDS,
            seconds,
            |event, p| matches!(event, LedgerEvent::PayoutWalletConfirmed(e) if e.recipient == p.record.recipient),
        )?;
        check(audit, reached, found)
    }
}

fn check(
    audit: &Context,
    events: Vec<(String, Option<i64>, LedgerEvent)>,
    found: &mut Found,
) -> Result<()> {
    let seconds = audit.options.wallet_change_seconds;
    for (signature, time, event) in events {
        let LedgerEvent::PayoutWalletConfirmed(e) = event else {
            continue;
        };
        let Some(changed_at) = time else { continue };
        let soon = rows::select(
            audit.store,
            "p.recipient = $1 AND p.executed_at >= $2 AND p.executed_at < $3",
            &[
                e.recipient.as_ref().into(),
                changed_at.into(),
                changed_at.saturating_add(seconds).into(),
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
            subject: String::from_utf8_lossy(&e.uei).into_owned(),
            summary: format!(
                "{} payment(s) of {} in all to the new wallet {} within {} days of the change",
                soon.len(),
                audit.money(total),
                e.payout_wallet,
                seconds / DAY
            ),
            records,
        })?;
    }
    Ok(())
}
