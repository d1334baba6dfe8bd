//! Year-end spending spike: an agency's last four weeks of a fiscal year against an average four weeks of it.
//! SQL sums each agency's payments by day (a GROUP BY over the agency-time index: a few hundred rows per agency
//! and year); only the payments of a spike's four weeks are read.

use std::collections::BTreeMap;

use anchor_lang::prelude::Pubkey;

use super::{
    finding_id, fiscal_year, fiscal_year_end, rows, About, Changes, Check, Context, Finding, Found,
    DAY,
};
use crate::{store::Value, Result, WatchdogError};

pub const ABOUT: About = About {
    id: "year-end-spike",
    title: "Year-end spending spike",
    explanation: "An agency spent far more in the last four weeks of the fiscal year than in an average four weeks of that year. 'Use it or lose it' spending at year end is a well-documented source of waste; the purchases behind the spike are worth a look.",
};

const FOUR_WEEKS: i64 = 28 * DAY;

pub struct YearEndSpike;

impl Check for YearEndSpike {
    fn about(&self) -> &'static About {
        &ABOUT
    }

    fn run(&self, audit: &Context, found: &mut Found) -> Result<()> {
        check(audit, "true", &[], found)
    }

    /// Only a payment in the last four weeks of its year can make a spike; the year is summed again.
    fn rerun(&self, audit: &Context, changes: &Changes, found: &mut Found) -> Result<()> {
        let years = changes.touched(|p| (p.record.agency, fiscal_year(p.record.executed_at)));
        for (agency, fy) in years {
            let end = fiscal_year_end(fy);
            let late = changes.payments().any(|(_, p)| {
                p.record.agency == agency && p.record.executed_at >= end - FOUR_WEEKS
            });
            if late {
                check(
                    audit,
                    "p.agency = $1 AND p.executed_at >= $2 AND p.executed_at < $3",
                    &[
                        agency.as_ref().into(),
                        fiscal_year_end(fy - 1).into(),
                        end.into(),
                    ],
                    found,
                )?;
            }
        }
        Ok(())
    }
}

fn check(audit: &Context, filter: &str, params: &[Value], found: &mut Found) -> Result<()> {
    // Each agency and fiscal year's total, and its last four weeks', from the daily sums.
    let mut years: BTreeMap<(Pubkey, i32), (u64, u64)> = BTreeMap::new();
    audit.store.query(
        &format!(
            "SELECT p.agency, p.executed_at / {DAY}, CAST(sum(p.amount) AS BIGINT) FROM payments p WHERE {filter}
             GROUP BY p.agency, p.executed_at / {DAY}"
        ),
        params,
        |row| {
            let agency = <[u8; 32]>::try_from(row.bytes(0)?)
                .map(Pubkey::new_from_array)
                .map_err(|_| WatchdogError::Invalid("an agency column is not a key".into()))?;
            let day = row.int(1)? * DAY;
            let amount = row.int(2)?.unsigned_abs();
            let fy = fiscal_year(day);
            let year = years.entry((agency, fy)).or_default();
            year.0 += amount;
            if day >= fiscal_year_end(fy) - FOUR_WEEKS {
                year.1 += amount;
            }
            Ok(())
        },
    )?;
    for ((agency, fy), (total, late)) in years {
        // An average four weeks of the year: the year's total over its 365 days, times 28.
        let average = u128::from(total) * 28 / 365;
        if late == 0 || u128::from(late) * 100 <= average * u128::from(audit.options.spike_percent)
        {
            continue;
        }
        let end = fiscal_year_end(fy);
        let last = rows::within(audit.store, Some(&agency), end - FOUR_WEEKS, FOUR_WEEKS)?;
        // One finding per agency and fiscal year, however many payments the spike grows by.
        let code = audit.state.agency_code(&agency);
        found(Finding {
            id: finding_id(ABOUT.id, &[code.clone(), fy.to_string()]),
            check: ABOUT.id,
            agency: code,
            subject: format!("FY{fy}"),
            summary: format!(
                "{} paid in the last four weeks of FY{fy}, {:.1} times an average four weeks ({})",
                audit.money(late),
                late as f64 / average.max(1) as f64,
                audit.money(u64::try_from(average).unwrap_or(u64::MAX))
            ),
            records: last.into_iter().map(|p| p.signature).collect(),
        })?;
    }
    Ok(())
}
