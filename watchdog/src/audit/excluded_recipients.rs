//! Money committed to suspended or debarred recipients: payments executed while the recipient's UEI was
//! excluded (from the exclusion events: SQL reads only each excluded recipient's payments in each period), and
//! awards that still hold obligated money for a recipient excluded now (from the accounts).

use std::collections::BTreeMap;

use public_spending::state::{AwardStatus, ExclusionStatus};
use public_spending_sdk::LedgerEvent;

use super::{finding_id, rows, rows::Paid, About, Changes, Check, Context, Finding, Found};
use crate::{store::Value, Result};

pub const ABOUT: About = About {
    id: "excluded-recipients",
    title: "Money committed to suspended or debarred recipients",
    explanation: "A payment executed while its recipient was suspended or debarred, or an award that still holds obligated money for a recipient that is now suspended or debarred. The program refuses new payments to an excluded recipient, but obligated money left on its awards should be deobligated or its award closed.",
};

pub struct ExcludedRecipients;

/// When an exclusion came into force, when it was lifted (if it was), and the transaction that imposed it.
type Period = (i64, Option<i64>, String);

impl Check for ExcludedRecipients {
    fn about(&self) -> &'static About {
        &ABOUT
    }

    fn run(&self, audit: &Context, found: &mut Found) -> Result<()> {
        let periods = periods(audit)?;
        paid_while_excluded(audit, &periods, found)?;
        awards_still_obligated(audit, &periods, found)
    }

    fn rerun(&self, audit: &Context, changes: &Changes, found: &mut Found) -> Result<()> {
        let periods = periods(audit)?;
        if changes.any_of(&["ExclusionSet"]) {
            paid_while_excluded(audit, &periods, found)?;
        } else {
            for (signature, p) in changes.payments() {
                let r = &p.record;
                let excluded = audit
                    .state
                    .recipients
                    .get(&r.recipient)
                    .and_then(|recipient| periods.get(&recipient.uei))
                    .is_some_and(|list| {
                        list.iter().any(|(from, to, _)| {
                            r.executed_at >= *from && to.is_none_or(|to| r.executed_at < to)
                        })
                    });
                if excluded {
                    found(paid_finding(audit, Paid::from_event(signature, p)))?;
                }
            }
        }
        awards_still_obligated(audit, &periods, found)
    }
}

/// When each UEI was excluded, from the exclusion events in chain order.
fn periods(audit: &Context) -> Result<BTreeMap<[u8; 12], Vec<Period>>> {
    let mut periods: BTreeMap<[u8; 12], Vec<Period>> = BTreeMap::new();
    for (signature, time, event) in audit.store.events("ExclusionSet")? {
        let LedgerEvent::ExclusionSet(e) = event else {
            continue;
        };
        let time = time.unwrap_or_default();
        let list = periods.entry(e.uei).or_default();
        match e.status {
            ExclusionStatus::Lifted => {
                if let Some(open) = list.last_mut().filter(|p| p.1.is_none()) {
                    open.1 = Some(time);
                }
            }
            _ => {
                if list.last().is_none_or(|p| p.1.is_some()) {
                    list.push((time, None, signature));
                }
            }
        }
    }
    Ok(periods)
}

/// The payments of each excluded recipient within its exclusion periods: one query, in the chain's order.
fn paid_while_excluded(
    audit: &Context,
    periods: &BTreeMap<[u8; 12], Vec<Period>>,
    found: &mut Found,
) -> Result<()> {
    let mut conditions = Vec::new();
    let mut params: Vec<Value> = Vec::new();
    for (address, recipient) in &audit.state.recipients {
        for (from, to, _) in periods.get(&recipient.uei).into_iter().flatten() {
            let n = params.len();
            conditions.push(format!(
                "(p.recipient = ${} AND p.executed_at >= ${} AND p.executed_at < ${})",
                n + 1,
                n + 2,
                n + 3
            ));
            params.extend([
                address.as_ref().into(),
                (*from).into(),
                to.unwrap_or(i64::MAX).into(),
            ]);
        }
    }
    if conditions.is_empty() {
        return Ok(());
    }
    rows::each(
        audit.store,
        &conditions.join(" OR "),
        &params,
        rows::CHAIN_ORDER,
        |p| found(paid_finding(audit, p)),
    )
}

fn paid_finding(audit: &Context, p: Paid) -> Finding {
    Finding {
        id: finding_id(ABOUT.id, &[&p.signature]),
        check: ABOUT.id,
        agency: audit.state.agency_code(&p.agency),
        subject: audit.state.uei(&p.recipient),
        summary: format!(
            "payment of {} on award {} executed while the recipient was excluded",
            audit.money(p.amount),
            audit.state.award_id(&p.award)
        ),
        records: vec![p.signature],
    }
}

/// Awards not closed that still hold obligated money for a recipient excluded now.
fn awards_still_obligated(
    audit: &Context,
    periods: &BTreeMap<[u8; 12], Vec<Period>>,
    found: &mut Found,
) -> Result<()> {
    let state = &audit.state;
    for award in state.awards.values() {
        let Some(recipient) = state.recipients.get(&award.recipient) else {
            continue;
        };
        let open = award.obligated.saturating_sub(award.outlayed);
        let Some(exclusion) = state.exclusion_of(&award.recipient) else {
            continue;
        };
        if award.status != AwardStatus::Closed && open > 0 {
            let records: Vec<String> = periods
                .get(&recipient.uei)
                .map(|list| list.iter().map(|p| p.2.clone()).collect())
                .unwrap_or_default();
            // The award, and the exclusion in force (the last one imposed).
            let rests_on = [
                award.award_id.as_str(),
                records.last().map_or("", String::as_str),
            ];
            found(Finding {
                id: finding_id(ABOUT.id, &rests_on),
                check: ABOUT.id,
                agency: state.agency_code(&award.agency),
                subject: String::from_utf8_lossy(&recipient.uei).into_owned(),
                summary: format!(
                    "award {} still holds {} obligated for a recipient that is {:?}",
                    award.award_id,
                    audit.money(open),
                    exclusion.status
                ),
                records,
            })?;
        }
    }
    Ok(())
}
