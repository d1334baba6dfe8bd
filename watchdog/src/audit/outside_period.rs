//! Payments outside the period of performance: each payment's time against its award's period (from the
//! accounts). SQL hands over two narrow columns of the payments that could be outside a period (before the
//! latest start or after the earliest end); only those outside their own award's period are read in full.

use anchor_lang::prelude::Pubkey;

use super::{finding_id, rows, rows::Paid, About, Changes, Check, Context, Finding, Found};
use crate::{Result, WatchdogError};

pub const ABOUT: About = About {
    id: "outside-period",
    title: "Payments outside the period of performance",
    explanation: "A payment executed before its award's period of performance began or after it ended. Work paid for outside the period was either not covered by the award or the award's dates are wrong.",
};

pub struct OutsidePeriod;

impl Check for OutsidePeriod {
    fn about(&self) -> &'static About {
        &ABOUT
    }

    fn run(&self, audit: &Context, found: &mut Found) -> Result<()> {
        // The chain-order keys of the payments outside their award's period (few), then those payments.
        let mut outside: Vec<(Vec<u8>, i64, i64, i64)> = Vec::new();
        // A payment outside its award's period is before the latest start of any period or after the earliest
        // end: only those are read.
        let awards = || audit.state.awards.values();
        let (Some(latest_start), Some(earliest_end)) = (
            awards().map(|a| a.period_start).max(),
            awards().map(|a| a.period_end).min(),
        ) else {
            return Ok(());
        };
        audit.store.query(
            "SELECT p.award, p.executed_at, p.agency, p.sequence, p.tx, p.ordinal FROM payments p
             WHERE p.executed_at < $1 OR p.executed_at >= $2",
            &[latest_start.into(), earliest_end.into()],
            |row| {
                let award = <[u8; 32]>::try_from(row.bytes(0)?)
                    .map(Pubkey::new_from_array)
                    .map_err(|_| WatchdogError::Invalid("an award column is not a key".into()))?;
                if is_outside(audit, &award, row.int(1)?) {
                    outside.push((
                        row.bytes(2)?.to_vec(),
                        row.int(3)?,
                        row.int(4)?,
                        row.int(5)?,
                    ));
                }
                Ok(())
            },
        )?;
        outside.sort();
        for (agency, sequence, tx, ordinal) in outside {
            for p in rows::select(
                audit.store,
                "p.agency = $1 AND p.sequence = $2 AND p.tx = $3 AND p.ordinal = $4",
                &[agency.into(), sequence.into(), tx.into(), ordinal.into()],
            )? {
                found(finding(audit, p))?;
            }
        }
        Ok(())
    }

    fn rerun(&self, audit: &Context, changes: &Changes, found: &mut Found) -> Result<()> {
        for (signature, p) in changes.payments() {
            if is_outside(audit, &p.record.award, p.record.executed_at) {
                found(finding(audit, Paid::from_event(signature, p)))?;
            }
        }
        Ok(())
    }
}

fn is_outside(audit: &Context, award: &Pubkey, at: i64) -> bool {
    audit
        .state
        .awards
        .get(award)
        .is_some_and(|award| at < award.period_start || at >= award.period_end)
}

fn finding(audit: &Context, p: Paid) -> Finding {
    let award = &audit.state.awards[&p.award];
    let day = |t: i64| {
        chrono::DateTime::from_timestamp(t, 0)
            .map_or(t.to_string(), |d| d.format("%Y-%m-%d").to_string())
    };
    Finding {
        id: finding_id(ABOUT.id, &[&p.signature]),
        check: ABOUT.id,
        agency: audit.state.agency_code(&award.agency),
        subject: format!("{} payment {}", award.award_id, p.payment_index),
        summary: format!(
            "paid on {}, outside the period of performance {} to {}",
            day(p.executed_at),
            day(award.period_start),
            day(award.period_end - 1)
        ),
        records: vec![p.signature],
    }
}
