//! `export`: the indexed ledger in the formats public-finance people already use.
//!
//! - USAspending-style CSV with the column names of the DAIMS Reporting Submission Specification: File A
//!   (appropriations account, one row per TAS), File B (object class and program activity, one row per TAS,
//!   program activity and object class) and File C (award financial, one row per award). Amounts are decimal
//!   dollars with the mint's decimals, obligations and outlays as positive figures (`_CPE`: cumulative to the
//!   end of the period, here the moment of export).
//! - An OCDS 1.1 release package: one release per award, the award in `awards[]`, its contract in
//!   `contracts[]` and every executed payment in `contracts[].implementation.transactions[]`.
//!
//! Individuals appear by their salted name hash only.

use std::{collections::BTreeMap, path::Path};

use anchor_lang::prelude::Pubkey;
use public_spending::state::{AwardStatus, AwardType};
use public_spending_sdk::amount::format_amount;
use serde_json::{json, Value};

use crate::{ledger::LedgerState, store::IndexedPayment, Result, Store, WatchdogError};

pub const FILE_A: &str = "File_A_AppropriationsAccount.csv";
pub const FILE_B: &str = "File_B_ObjectClassProgramActivity.csv";
pub const FILE_C: &str = "File_C_AwardFinancial.csv";

/// The columns that identify a Treasury Account Symbol, first in all three files.
const TAS_COLUMNS: [&str; 7] = [
    "AllocationTransferAgencyIdentifier",
    "AgencyIdentifier",
    "BeginningPeriodOfAvailability",
    "EndingPeriodOfAvailability",
    "AvailabilityTypeCode",
    "MainAccountCode",
    "SubAccountCode",
];

pub const FILE_A_COLUMNS: [&str; 13] = [
    TAS_COLUMNS[0],
    TAS_COLUMNS[1],
    TAS_COLUMNS[2],
    TAS_COLUMNS[3],
    TAS_COLUMNS[4],
    TAS_COLUMNS[5],
    TAS_COLUMNS[6],
    "BudgetAuthorityAppropriatedAmount_CPE",
    "TotalBudgetaryResources_CPE",
    "ObligationsIncurredTotalByTAS_CPE",
    "GrossOutlayAmountByTAS_CPE",
    "UnobligatedBalance_CPE",
    "StatusOfBudgetaryResourcesTotal_CPE",
];

pub const FILE_B_COLUMNS: [&str; 14] = [
    TAS_COLUMNS[0],
    TAS_COLUMNS[1],
    TAS_COLUMNS[2],
    TAS_COLUMNS[3],
    TAS_COLUMNS[4],
    TAS_COLUMNS[5],
    TAS_COLUMNS[6],
    "ProgramActivityCode",
    "ProgramActivityName",
    "ObjectClass",
    "ByDirectReimbursableFundingSource",
    "DisasterEmergencyFundCode",
    "ObligationsIncurredByProgramObjectClass_CPE",
    "GrossOutlayAmountByProgramObjectClass_CPE",
];

pub const FILE_C_COLUMNS: [&str; 18] = [
    TAS_COLUMNS[0],
    TAS_COLUMNS[1],
    TAS_COLUMNS[2],
    TAS_COLUMNS[3],
    TAS_COLUMNS[4],
    TAS_COLUMNS[5],
    TAS_COLUMNS[6],
    "ProgramActivityCode",
    "ProgramActivityName",
    "ObjectClass",
    "ByDirectReimbursableFundingSource",
    "DisasterEmergencyFundCode",
    "PIID",
    "ParentAwardId",
    "FAIN",
    "URI",
    "TransactionObligatedAmount",
    "GrossOutlayAmountByAward_CPE",
];

/// What the export wrote.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CsvExport {
    pub files: Vec<(String, usize)>,
}

fn year(time: i64) -> String {
    chrono::DateTime::from_timestamp(time, 0)
        .map_or_else(String::new, |t| t.format("%Y").to_string())
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The TAS columns of an appropriation.
fn tas(state: &LedgerState, appropriation: &Pubkey) -> Vec<String> {
    let Some(a) = state.appropriations.get(appropriation) else {
        return vec![String::new(); TAS_COLUMNS.len()];
    };
    vec![
        String::new(),
        state.agency_code(&a.agency),
        a.fiscal_year.to_string(),
        // Availability ends at the start of `availability_end`; the last available day is the second before.
        year(a.availability_end - 1),
        String::new(),
        text(&a.main_account),
        text(&a.sub_account),
    ]
}

fn write_csv(path: &Path, header: &[&str], rows: &[Vec<String>]) -> Result<usize> {
    let fail = |e: &dyn std::fmt::Display| WatchdogError::Write {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let mut writer = csv::Writer::from_path(path).map_err(|e| fail(&e))?;
    writer.write_record(header).map_err(|e| fail(&e))?;
    for row in rows {
        writer.write_record(row).map_err(|e| fail(&e))?;
    }
    writer.flush().map_err(|e| fail(&e))?;
    Ok(rows.len())
}

/// Writes Files A, B and C into `dir` (created if missing).
pub fn usaspending(store: &Store, dir: &Path) -> Result<CsvExport> {
    std::fs::create_dir_all(dir).map_err(|e| WatchdogError::Write {
        path: dir.display().to_string(),
        reason: e.to_string(),
    })?;
    let state = LedgerState::from_store(store)?;
    let decimals = state.decimals();
    let money = |units: u64| format_amount(units, decimals);

    let file_a: Vec<Vec<String>> = state
        .appropriations
        .keys()
        .filter_map(|address| state.appropriations.get(address).map(|a| (address, a)))
        .map(|(address, a)| {
            let mut row = tas(&state, address);
            row.extend([
                money(a.budget_authority),
                money(a.budget_authority),
                money(a.obligated),
                money(a.outlayed),
                money(a.budget_authority.saturating_sub(a.obligated)),
                money(a.budget_authority),
            ]);
            row
        })
        .collect();

    // File B: per TAS, program activity and object class, summed over the awards.
    let mut file_b: BTreeMap<(Vec<String>, String, String), (u64, u64)> = BTreeMap::new();
    let mut file_c = Vec::new();
    for award in state.awards.values() {
        let Some(allotment) = state.allotments.get(&award.allotment) else {
            continue;
        };
        let activity = text(&allotment.program_activity);
        let object_class = text(&award.object_class);
        let tas_columns = tas(&state, &award.appropriation);
        let entry = file_b
            .entry((tas_columns.clone(), activity.clone(), object_class.clone()))
            .or_default();
        entry.0 += award.obligated;
        entry.1 += award.outlayed;
        let (piid, fain) = match award.award_type {
            AwardType::Contract => (award.award_id.clone(), String::new()),
            _ => (String::new(), award.award_id.clone()),
        };
        let mut row = tas_columns;
        row.extend([
            activity,
            format!("Allotment {}", allotment.index),
            object_class,
            "D".into(),
            String::new(),
            piid,
            String::new(),
            fain,
            String::new(),
            money(award.obligated),
            money(award.outlayed),
        ]);
        file_c.push(row);
    }
    let file_b: Vec<Vec<String>> = file_b
        .into_iter()
        .map(
            |((tas_columns, activity, object_class), (obligated, outlayed))| {
                let mut row = tas_columns;
                row.extend([
                    activity.clone(),
                    format!("Program activity {activity}"),
                    object_class,
                    "D".into(),
                    String::new(),
                    money(obligated),
                    money(outlayed),
                ]);
                row
            },
        )
        .collect();
    let files = vec![
        (
            FILE_A.to_string(),
            write_csv(&dir.join(FILE_A), &FILE_A_COLUMNS, &file_a)?,
        ),
        (
            FILE_B.to_string(),
            write_csv(&dir.join(FILE_B), &FILE_B_COLUMNS, &file_b)?,
        ),
        (
            FILE_C.to_string(),
            write_csv(&dir.join(FILE_C), &FILE_C_COLUMNS, &file_c)?,
        ),
    ];
    Ok(CsvExport { files })
}

fn rfc3339(time: i64) -> String {
    chrono::DateTime::from_timestamp(time, 0).map_or_else(String::new, |t| {
        t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    })
}

/// Base units as the decimal number OCDS `Value.amount` holds.
fn amount_value(units: u64, decimals: u8) -> Value {
    let exact = format_amount(units, decimals);
    exact
        .parse::<serde_json::Number>()
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

/// The OCDS release package of the whole ledger. `published` is the package's publication time.
pub fn ocds(store: &Store, published: i64) -> Result<Value> {
    let state = LedgerState::from_store(store)?;
    let decimals = state.decimals();
    let money = |units: u64| json!({ "amount": amount_value(units, decimals), "currency": "USD" });
    let mut payments: BTreeMap<Pubkey, Vec<IndexedPayment>> = BTreeMap::new();
    for p in store.payments()? {
        payments.entry(p.record.award).or_default().push(p);
    }
    let mut releases = Vec::new();
    for (address, award) in &state.awards {
        let agency = state.agencies.get(&award.agency);
        let buyer = json!({
            "id": state.agency_code(&award.agency),
            "name": agency.map_or_else(String::new, |a| a.name.clone()),
        });
        let supplier = json!({
            "id": state.uei(&award.recipient),
            "name": state.public_name(&award.recipient),
        });
        let period = json!({
            "startDate": rfc3339(award.period_start),
            "endDate": rfc3339(award.period_end - 1),
        });
        let mut list = payments.remove(address).unwrap_or_default();
        list.sort_by_key(|p| p.record.payment_index);
        let transactions: Vec<Value> = list
            .iter()
            .map(|p| {
                json!({
                    "id": format!("{}-{}", award.award_id, p.record.payment_index),
                    "source": format!("solana:{}", p.signature),
                    "date": rfc3339(p.record.executed_at),
                    "value": money(p.record.amount),
                    "payer": buyer,
                    "payee": supplier,
                })
            })
            .collect();
        let last = list
            .iter()
            .map(|p| p.record.executed_at)
            .max()
            .unwrap_or(award.period_start);
        let status = if award.status == AwardStatus::Closed {
            "terminated"
        } else {
            "active"
        };
        let award_status = if award.status == AwardStatus::Closed {
            "cancelled"
        } else {
            "active"
        };
        let ocid = format!(
            "ocds-psl-{}-{}",
            state.agency_code(&award.agency),
            award.award_id
        );
        releases.push(json!({
            "ocid": ocid,
            "id": format!("{}-{}", award.award_id, list.len()),
            "date": rfc3339(last.max(award.period_start)),
            "tag": ["award", "contract", "implementation"],
            "initiationType": "tender",
            "language": "en",
            "buyer": buyer,
            "parties": [
                {
                    "id": state.agency_code(&award.agency),
                    "name": agency.map_or_else(String::new, |a| a.name.clone()),
                    "roles": ["buyer", "payer"],
                },
                {
                    "id": state.uei(&award.recipient),
                    "name": state.public_name(&award.recipient),
                    "roles": ["supplier", "payee"],
                },
            ],
            "awards": [{
                "id": award.award_id,
                "status": award_status,
                "value": money(award.obligated),
                "suppliers": [supplier],
                "contractPeriod": period,
                "description": format!("{:?} award {} on chain at {address}", award.award_type, award.award_id),
            }],
            "contracts": [{
                "id": award.award_id,
                "awardID": award.award_id,
                "status": status,
                "value": money(award.obligated),
                "period": period,
                "implementation": { "transactions": transactions },
            }],
        }));
    }
    Ok(json!({
        "uri": format!("https://explorer.solana.com/address/{}", public_spending::ID),
        "version": "1.1",
        "publishedDate": rfc3339(published),
        "publisher": { "name": "Public Spending Ledger watchdog export" },
        "license": "https://creativecommons.org/publicdomain/zero/1.0/",
        "releases": releases,
    }))
}
