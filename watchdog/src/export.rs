//! `export`: the indexed ledger in the formats public-finance people already use.
//!
//! - USAspending-style CSV with the column names of the DAIMS Reporting Submission Specification: File A
//!   (appropriations account, one row per TAS), File B (object class and program activity, one row per TAS,
//!   program activity and object class) and File C (award financial, one row per award), each in TAS order.
//!   Amounts are decimal dollars with the mint's decimals (`_CPE`: cumulative to the end of the period, here the
//!   moment of export), signed as the DATA Act broker expects them: File A's obligations and outlays positive,
//!   File B's and File C's obligations negative (the USSGL credit balance: broker rules A19 and C23), outlays
//!   positive (A18). Every row carries the Disaster Emergency Fund Code `Q` (no disaster or emergency funding),
//!   and a program activity has one name in Files B and C. [`crate::broker`] checks the files against the
//!   broker's rules.
//! - An OCDS 1.1 release package: one release per change (an award's obligation, each modification, each
//!   executed payment as an implementation release, its closing), so that compiling the releases rebuilds each
//!   award's record ([`ocds`]).
//!
//! Individuals appear by their salted name hash only.

use std::{collections::BTreeMap, path::Path};

use anchor_lang::prelude::Pubkey;
use public_spending::state::{AwardStatus, AwardType};
use public_spending_sdk::{amount::format_amount, LedgerEvent};
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

/// The Disaster Emergency Fund Code of ordinary funds: `Q`, "excluded from tracking".
pub const ORDINARY_DEFC: &str = "Q";

/// A program activity's name, the same in File B and File C.
pub fn program_activity_name(code: &str) -> String {
    format!("Program activity {code}")
}

/// Base units as a signed decimal amount: `-1250.00` for an obligation in Files B and C.
fn negative(units: u64, decimals: u8) -> String {
    if units == 0 {
        format_amount(0, decimals)
    } else {
        format!("-{}", format_amount(units, decimals))
    }
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
    let obligation = |units: u64| negative(units, decimals);

    let mut file_a: Vec<Vec<String>> = state
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
    file_a.sort();

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
            activity.clone(),
            program_activity_name(&activity),
            object_class,
            "D".into(),
            ORDINARY_DEFC.into(),
            piid,
            String::new(),
            fain,
            String::new(),
            obligation(award.obligated),
            money(award.outlayed),
        ]);
        file_c.push(row);
    }
    // In TAS order, then program activity, object class and award id.
    file_c.sort();
    let file_b: Vec<Vec<String>> = file_b
        .into_iter()
        .map(
            |((tas_columns, activity, object_class), (obligated, outlayed))| {
                let mut row = tas_columns;
                let name = program_activity_name(&activity);
                row.extend([
                    activity,
                    name,
                    object_class,
                    "D".into(),
                    ORDINARY_DEFC.into(),
                    obligation(obligated),
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

/// Each award's obligation as the ledger records it, by agency code and award id, in the files' decimal form:
/// what [`crate::broker::check`] holds File C against (rule C23).
pub fn award_obligations(store: &Store) -> Result<BTreeMap<(String, String), String>> {
    let state = LedgerState::from_store(store)?;
    let decimals = state.decimals();
    Ok(state
        .awards
        .values()
        .map(|award| {
            (
                (state.agency_code(&award.agency), award.award_id.clone()),
                format_amount(award.obligated, decimals),
            )
        })
        .collect())
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

/// How the OCDS package names its contracting processes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OcdsOptions {
    /// The publisher's ocid prefix (registered with the Open Contracting Partnership, e.g. `ocds-a1b2c3`): each
    /// award's ocid is `{prefix}-{agency}-{award id}`.
    pub ocid_prefix: String,
}

impl Default for OcdsOptions {
    fn default() -> Self {
        Self {
            ocid_prefix: "ocds-psl".into(),
        }
    }
}

/// The OCDS release package of the whole ledger, one release per change, so that `ocdskit compile` rebuilds each
/// award's history: the award's obligation (`award`, `contract`), each modification (`awardUpdate`,
/// `contractAmendment`), each payment (`implementation`, carrying that one transaction; compiling merges them by
/// id), and its closing (`contractTermination`). `published` is the package's publication time.
///
/// OCDS 1.1 requires `initiationType` and its closed codelist has one code, `tender`, so every release carries
/// it; a grant or other assistance award is not presented as a procurement: its recipient is a `payee` (not a
/// `supplier`) and the award and contract say what kind of award it is.
pub fn ocds(store: &Store, published: i64, options: &OcdsOptions) -> Result<Value> {
    let state = LedgerState::from_store(store)?;
    let decimals = state.decimals();
    let money = |units: u64| json!({ "amount": amount_value(units, decimals), "currency": "USD" });
    let mut payments: BTreeMap<Pubkey, Vec<IndexedPayment>> = BTreeMap::new();
    for p in store.payments()? {
        payments.entry(p.record.award).or_default().push(p);
    }
    // When each award was obligated, modified and closed, from its events.
    let mut obligated_at: BTreeMap<Pubkey, (i64, u64)> = BTreeMap::new();
    let mut modifications: BTreeMap<Pubkey, Vec<(i64, u32, u64)>> = BTreeMap::new();
    let mut closed_at: BTreeMap<Pubkey, i64> = BTreeMap::new();
    for (_, time, event) in store.events_of(&["AwardObligated", "AwardModified", "AwardClosed"])? {
        let time = time.unwrap_or_default();
        match event {
            LedgerEvent::AwardObligated(e) => {
                obligated_at.insert(e.award, (time, e.amount));
            }
            LedgerEvent::AwardModified(e) => modifications.entry(e.award).or_default().push((
                time,
                e.modification,
                e.award_obligated,
            )),
            LedgerEvent::AwardClosed(e) => {
                closed_at.insert(e.award, time);
            }
            _ => {}
        }
    }
    let mut releases = Vec::new();
    for (address, award) in &state.awards {
        let procurement = award.award_type == AwardType::Contract;
        let agency = state.agencies.get(&award.agency);
        let agency_name = agency.map_or_else(String::new, |a| a.name.clone());
        let buyer = json!({ "id": state.agency_code(&award.agency), "name": agency_name });
        let recipient = json!({
            "id": state.uei(&award.recipient),
            "name": state.public_name(&award.recipient),
        });
        let recipient_roles = if procurement {
            json!(["supplier", "payee"])
        } else {
            json!(["payee"])
        };
        let period = json!({
            "startDate": rfc3339(award.period_start),
            "endDate": rfc3339(award.period_end - 1),
        });
        let kind = format!("{:?}", award.award_type);
        let ocid = format!(
            "{}-{}-{}",
            options.ocid_prefix,
            state.agency_code(&award.agency),
            award.award_id
        );
        let parties = json!([
            { "id": state.agency_code(&award.agency), "name": buyer["name"], "roles": ["buyer", "payer"] },
            { "id": state.uei(&award.recipient), "name": state.public_name(&award.recipient), "roles": recipient_roles },
        ]);
        let release = |id: String, date: i64, tag: Value, awards: Value, contracts: Value| {
            json!({
                "ocid": ocid,
                "id": id,
                "date": rfc3339(date),
                "tag": tag,
                "initiationType": "tender",
                "language": "en",
                "buyer": buyer,
                "parties": parties,
                "awards": awards,
                "contracts": contracts,
            })
        };
        let award_object = |value: u64, status: &str| {
            let mut object = json!({
                "id": award.award_id,
                "status": status,
                "value": money(value),
                "contractPeriod": period,
                "description": format!("{kind} award {} on chain at {address}", award.award_id),
            });
            if procurement {
                object["suppliers"] = json!([recipient]);
            }
            object
        };
        let contract_object = |value: u64, status: &str| {
            json!({
                "id": award.award_id,
                "awardID": award.award_id,
                "status": status,
                "value": money(value),
                "period": period,
                "description": format!("{kind} {}", award.award_id),
            })
        };
        let (first_at, first_amount) = obligated_at
            .get(address)
            .copied()
            .unwrap_or((award.period_start, award.obligated));
        releases.push(release(
            format!("{}-award", award.award_id),
            first_at,
            json!(["award", "contract"]),
            json!([award_object(first_amount, "active")]),
            json!([contract_object(first_amount, "active")]),
        ));
        for (time, modification, obligated) in modifications.remove(address).unwrap_or_default() {
            releases.push(release(
                format!("{}-modification-{modification}", award.award_id),
                time,
                json!(["awardUpdate", "contractAmendment"]),
                json!([award_object(obligated, "active")]),
                json!([contract_object(obligated, "active")]),
            ));
        }
        let mut list = payments.remove(address).unwrap_or_default();
        list.sort_by_key(|p| p.record.payment_index);
        for p in &list {
            let transaction = json!({
                "id": format!("{}-{}", award.award_id, p.record.payment_index),
                "source": format!("solana:{}", p.signature),
                "date": rfc3339(p.record.executed_at),
                "value": money(p.record.amount),
                "payer": buyer,
                "payee": recipient,
            });
            releases.push(release(
                format!("{}-payment-{}", award.award_id, p.record.payment_index),
                p.record.executed_at,
                json!(["implementation"]),
                json!([]),
                json!([{
                    "id": award.award_id,
                    "awardID": award.award_id,
                    "implementation": { "transactions": [transaction] },
                }]),
            ));
        }
        if award.status == AwardStatus::Closed {
            let time = closed_at
                .get(address)
                .copied()
                .unwrap_or(award.period_end - 1);
            releases.push(release(
                format!("{}-closed", award.award_id),
                time,
                json!(["contractTermination"]),
                json!([]),
                json!([contract_object(award.obligated, "terminated")]),
            ));
        }
    }
    // Each release's arrays hold only what changed; an empty array says nothing and is left out.
    for release in &mut releases {
        if let Some(object) = release.as_object_mut() {
            object.retain(|_, v| v.as_array().is_none_or(|a| !a.is_empty()));
        }
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
