//! The DATA Act broker's validation rules that the USAspending-style files must pass, checked the way the
//! broker checks them: the three CSV files loaded into SQLite and one query per rule. The queries are this
//! project's own, written after what each rule of the broker (`data-act-broker-backend`,
//! `dataactvalidator/config/sqlrules/`) checks:
//!
//! - **A18**: File A's `GrossOutlayAmountByTAS_CPE` equals the sum of File B's
//!   `GrossOutlayAmountByProgramObjectClass_CPE` for the TAS.
//! - **A19**: File A's `ObligationsIncurredTotalByTAS_CPE` equals the *negative* of the sum of File B's
//!   `ObligationsIncurredByProgramObjectClass_CPE` for the TAS (File B carries the USSGL credit sign).
//! - **B20**: every TAS, program activity and object class combination of File C is in File B.
//! - **C23**: for each award (PIID or FAIN) of File C, the sum of `TransactionObligatedAmount` is the negative
//!   of the award's obligation (the broker compares it with Files D1 and D2; here with the award as the ledger
//!   records it).
//! - **DEFC**: every row of Files B and C carries a valid Disaster Emergency Fund Code (never blank).
//!
//! Two checks of this project's own go with them: a program activity has one name in Files B and C, and each
//! file is in TAS order.
//!
//! Amounts are compared exactly, as integers of millionths.

use std::{collections::BTreeMap, path::Path};

use rusqlite::{params_from_iter, Connection};
use serde::Serialize;

use crate::{
    export::{FILE_A, FILE_B, FILE_C},
    Result, WatchdogError,
};

/// The DEFC values the broker accepts.
pub const VALID_DEFC: [&str; 21] = [
    "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q", "R", "S",
    "T", "9",
];

/// One rule and the rows that break it (empty: it passes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleResult {
    pub rule: &'static str,
    pub description: &'static str,
    pub failures: Vec<String>,
}

impl RuleResult {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// The columns amounts are read from (stored as integers of millionths).
const AMOUNT_COLUMNS: [&str; 10] = [
    "BudgetAuthorityAppropriatedAmount_CPE",
    "TotalBudgetaryResources_CPE",
    "ObligationsIncurredTotalByTAS_CPE",
    "GrossOutlayAmountByTAS_CPE",
    "UnobligatedBalance_CPE",
    "StatusOfBudgetaryResourcesTotal_CPE",
    "ObligationsIncurredByProgramObjectClass_CPE",
    "GrossOutlayAmountByProgramObjectClass_CPE",
    "TransactionObligatedAmount",
    "GrossOutlayAmountByAward_CPE",
];

/// A decimal amount (`-1250.50`) as an integer of millionths; `None` for anything else.
pub fn millionths(text: &str) -> Option<i64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty()
        || fraction.len() > 6
        || !whole
            .bytes()
            .chain(fraction.bytes())
            .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let value = whole
        .parse::<i64>()
        .ok()?
        .checked_mul(1_000_000)?
        .checked_add(format!("{fraction:0<6}").parse::<i64>().ok()?)?;
    Some(if negative { -value } else { value })
}

/// Loads one CSV file into table `table` of `db`: every column as written (amount columns as integers of
/// millionths), plus `row_number`, the row's line in the file.
fn load(db: &Connection, dir: &Path, file: &str, table: &str) -> Result<()> {
    let path = dir.join(file);
    let fail = |reason: String| WatchdogError::Invalid(format!("{}: {reason}", path.display()));
    let mut reader = csv::Reader::from_path(&path).map_err(|e| fail(e.to_string()))?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| fail(e.to_string()))?
        .iter()
        .map(String::from)
        .collect();
    let columns: Vec<String> = header
        .iter()
        .map(|h| {
            let kind = if AMOUNT_COLUMNS.contains(&h.as_str()) {
                "INTEGER"
            } else {
                "TEXT"
            };
            format!("\"{h}\" {kind}")
        })
        .collect();
    db.execute_batch(&format!(
        "CREATE TABLE {table} (row_number INTEGER, {});",
        columns.join(", ")
    ))?;
    let placeholders = vec!["?"; header.len() + 1].join(", ");
    let mut insert = db.prepare(&format!("INSERT INTO {table} VALUES ({placeholders})"))?;
    for (n, record) in reader.records().enumerate() {
        let record = record.map_err(|e| fail(e.to_string()))?;
        let mut values: Vec<rusqlite::types::Value> =
            vec![rusqlite::types::Value::Integer(n as i64 + 2)];
        for (name, value) in header.iter().zip(record.iter()) {
            values.push(if AMOUNT_COLUMNS.contains(&name.as_str()) {
                match millionths(value) {
                    Some(v) => rusqlite::types::Value::Integer(v),
                    None if value.is_empty() => rusqlite::types::Value::Null,
                    None => {
                        return Err(fail(format!(
                            "line {}: {name} {value:?} is not an amount",
                            n + 2
                        )))
                    }
                }
            } else {
                rusqlite::types::Value::Text(value.to_string())
            });
        }
        insert.execute(params_from_iter(values))?;
    }
    Ok(())
}

/// The TAS of a row of table `alias`, as the broker displays it (`075-2026/2027-0100-000`).
fn tas_display(alias: &str) -> String {
    format!(
        "{alias}.\"AgencyIdentifier\" || '-' || {alias}.\"BeginningPeriodOfAvailability\" || '/' || {alias}.\"EndingPeriodOfAvailability\" || '-' || {alias}.\"MainAccountCode\" || '-' || {alias}.\"SubAccountCode\""
    )
}
/// The columns that identify a TAS, for joins.
const TAS_KEY: [&str; 7] = [
    "AllocationTransferAgencyIdentifier",
    "AgencyIdentifier",
    "BeginningPeriodOfAvailability",
    "EndingPeriodOfAvailability",
    "AvailabilityTypeCode",
    "MainAccountCode",
    "SubAccountCode",
];

fn same_tas(left: &str, right: &str) -> String {
    TAS_KEY
        .iter()
        .map(|c| format!("{left}.\"{c}\" IS {right}.\"{c}\""))
        .collect::<Vec<_>>()
        .join(" AND ")
}

fn rows(db: &Connection, sql: &str) -> Result<Vec<String>> {
    let mut statement = db.prepare(sql)?;
    let found = statement.query_map([], |row| row.get::<_, String>(0))?;
    Ok(found.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Checks the three files in `dir` against the broker's rules. `obligated` is each award's obligation as the
/// ledger records it, by agency code and award id, in the files' decimal form (C23).
pub fn check(
    dir: &Path,
    obligated: &BTreeMap<(String, String), String>,
) -> Result<Vec<RuleResult>> {
    let db = Connection::open_in_memory()?;
    load(&db, dir, FILE_A, "a")?;
    load(&db, dir, FILE_B, "b")?;
    load(&db, dir, FILE_C, "c")?;
    db.execute_batch(
        "CREATE TABLE awards (agency TEXT, award_id TEXT, obligated INTEGER, PRIMARY KEY (agency, award_id));",
    )?;
    for ((agency, award_id), amount) in obligated {
        let amount = millionths(amount).ok_or_else(|| {
            WatchdogError::Invalid(format!("award {award_id}: {amount:?} is not an amount"))
        })?;
        db.execute(
            "INSERT INTO awards VALUES (?1, ?2, ?3)",
            rusqlite::params![agency, award_id, amount],
        )?;
    }
    let defc_list = VALID_DEFC
        .iter()
        .map(|c| format!("'{c}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut results = vec![
        RuleResult {
            rule: "A18",
            description: "File A GrossOutlayAmountByTAS_CPE = sum of File B GrossOutlayAmountByProgramObjectClass_CPE",
            failures: rows(
                &db,
                &format!(
                    "SELECT 'File A line ' || a.row_number || ' (' || {tas_a} || '): ' || a.\"GrossOutlayAmountByTAS_CPE\" || ' <> ' || SUM(b.\"GrossOutlayAmountByProgramObjectClass_CPE\")
                     FROM a JOIN b ON {join} GROUP BY a.row_number
                     HAVING a.\"GrossOutlayAmountByTAS_CPE\" <> SUM(b.\"GrossOutlayAmountByProgramObjectClass_CPE\")",
                    tas_a = tas_display("a"),
                    join = same_tas("a", "b")
                ),
            )?,
        },
        RuleResult {
            rule: "A19",
            description: "File A ObligationsIncurredTotalByTAS_CPE = -(sum of File B ObligationsIncurredByProgramObjectClass_CPE)",
            failures: rows(
                &db,
                &format!(
                    "SELECT 'File A line ' || a.row_number || ' (' || {tas_a} || '): ' || a.\"ObligationsIncurredTotalByTAS_CPE\" || ' <> -(' || SUM(b.\"ObligationsIncurredByProgramObjectClass_CPE\") || ')'
                     FROM a JOIN b ON {join} GROUP BY a.row_number
                     HAVING a.\"ObligationsIncurredTotalByTAS_CPE\" <> -SUM(b.\"ObligationsIncurredByProgramObjectClass_CPE\")",
                    tas_a = tas_display("a"),
                    join = same_tas("a", "b")
                ),
            )?,
        },
        RuleResult {
            rule: "B20",
            description: "Every TAS, program activity and object class of File C is in File B",
            failures: rows(
                &db,
                &format!(
                    "SELECT 'File C line ' || c.row_number || ': ' || c.\"ProgramActivityCode\" || '/' || c.\"ObjectClass\" || ' not in File B'
                     FROM c WHERE NOT EXISTS (SELECT 1 FROM b WHERE {join}
                        AND (b.\"ProgramActivityCode\" IS c.\"ProgramActivityCode\" OR COALESCE(c.\"ProgramActivityCode\", '') IN ('', '0000'))
                        AND b.\"ObjectClass\" IS c.\"ObjectClass\")",
                    join = same_tas("b", "c")
                ),
            )?,
        },
        RuleResult {
            rule: "C23",
            description: "For each award in File C, the sum of TransactionObligatedAmount = -(the award's obligation)",
            failures: rows(
                &db,
                "SELECT 'award ' || agency || ' ' || id || ': ' || total || ' <> -(' || COALESCE(awards.obligated, 'none') || ')'
                 FROM (SELECT \"AgencyIdentifier\" AS agency, COALESCE(NULLIF(\"PIID\", ''), \"FAIN\") AS id,
                              SUM(\"TransactionObligatedAmount\") AS total
                       FROM c GROUP BY agency, id) AS grouped
                 LEFT JOIN awards USING (agency)
                 WHERE awards.award_id = grouped.id AND total <> -awards.obligated
                 UNION ALL
                 SELECT 'award ' || agency || ' ' || id || ': not on the ledger'
                 FROM (SELECT DISTINCT \"AgencyIdentifier\" AS agency, COALESCE(NULLIF(\"PIID\", ''), \"FAIN\") AS id FROM c) AS listed
                 WHERE NOT EXISTS (SELECT 1 FROM awards WHERE awards.agency = listed.agency AND awards.award_id = listed.id)",
            )?,
        },
        RuleResult {
            rule: "DEFC",
            description: "DisasterEmergencyFundCode is a valid code in every row of Files B and C (never blank)",
            failures: rows(
                &db,
                &format!(
                    "SELECT 'File B line ' || row_number || ': ' || quote(\"DisasterEmergencyFundCode\") FROM b WHERE UPPER(\"DisasterEmergencyFundCode\") NOT IN ({defc_list})
                     UNION ALL
                     SELECT 'File C line ' || row_number || ': ' || quote(\"DisasterEmergencyFundCode\") FROM c WHERE UPPER(\"DisasterEmergencyFundCode\") NOT IN ({defc_list})"
                ),
            )?,
        },
        RuleResult {
            rule: "PA-NAME",
            description: "A program activity has one name in Files B and C (this project's check)",
            failures: rows(
                &db,
                "SELECT 'program activity ' || code || ': ' || group_concat(DISTINCT name)
                 FROM (SELECT \"ProgramActivityCode\" AS code, \"ProgramActivityName\" AS name FROM b
                       UNION SELECT \"ProgramActivityCode\", \"ProgramActivityName\" FROM c)
                 GROUP BY code HAVING COUNT(DISTINCT name) > 1",
            )?,
        },
    ];
    let mut order = Vec::new();
    for (file, table) in [(FILE_A, "a"), (FILE_B, "b"), (FILE_C, "c")] {
        let keys: Vec<String> = rows(
            &db,
            &format!(
                "SELECT {} FROM {table} ORDER BY row_number",
                TAS_KEY
                    .iter()
                    .map(|c| format!("\"{c}\""))
                    .collect::<Vec<_>>()
                    .join(" || '|' || ")
            ),
        )?;
        if let Some(at) = keys.windows(2).position(|pair| pair[0] > pair[1]) {
            order.push(format!("{file}: line {} comes before a lower TAS", at + 2));
        }
    }
    results.push(RuleResult {
        rule: "TAS-ORDER",
        description: "Each file's rows are in TAS order (this project's check)",
        failures: order,
    });
    Ok(results)
}
