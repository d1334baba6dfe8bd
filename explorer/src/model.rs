//! What the pages show, read once from the index into one snapshot: the ledger's identity and the slot the index
//! is at, every agency with its budget chain, every executed payment (from the same rows `verify` replays and
//! `export` writes), every event in chain order, the audit's findings and the public flags. Pages and downloads
//! read the snapshot; a new one replaces it whole when the index has moved ([`crate::Explorer::reload`]).

use std::collections::BTreeMap;

use anchor_lang::prelude::Pubkey;
use public_spending::state::{ControlChange, ExclusionStatus};
use public_spending_sdk::{
    amount::{format_amount, format_grouped},
    role_names, LedgerEvent,
};
use public_spending_watchdog::{
    audit::{self, AuditOptions, FlagHistory},
    ledger::LedgerState,
    store::META_GENESIS,
    Store,
};
use serde::Serialize;

use crate::Result;

/// One event as the index holds it, with where it was read.
#[derive(Clone, Debug)]
pub struct EventRow {
    pub signature: String,
    pub slot: u64,
    pub time: Option<i64>,
    pub event: LedgerEvent,
}

/// One executed payment, as the row a page lists and a download writes.
#[derive(Clone, Debug, Serialize)]
pub struct PaymentRow {
    pub signature: String,
    pub slot: u64,
    pub executed_at: String,
    #[serde(skip)]
    pub executed_unix: i64,
    pub fiscal_year: i32,
    pub agency: String,
    pub award_id: String,
    #[serde(skip)]
    pub award_href: String,
    pub payment_index: u32,
    pub sequence: u64,
    pub uei: String,
    pub recipient_name: String,
    pub amount: String,
    /// The amount in base units, exactly as the chain holds it (what the in-browser verifier compares).
    pub amount_units: u64,
    /// The amount for people: `12,400.00`.
    #[serde(skip)]
    pub amount_text: String,
    pub path: &'static str,
    pub tas: String,
    pub invoice_hash: String,
    pub executor: String,
    pub recipient_token_account: String,
    pub previous_hash: String,
    pub outlay_hash: String,
    /// Made while the recipient's UEI was excluded, or on the day it was registered.
    #[serde(skip)]
    pub while_excluded: bool,
    #[serde(skip)]
    pub registration_day: bool,
    /// What a search's words are matched against, lower-cased once: agency code and name, award id, vendor
    /// name, UEI, TAS.
    #[serde(skip)]
    pub haystack: String,
}

/// An agency's budget chain and standing.
#[derive(Clone, Debug, Serialize)]
pub struct AgencyRow {
    pub code: String,
    pub name: String,
    pub address: String,
    pub head: String,
    pub frozen: bool,
    pub appropriated: String,
    pub allotted: String,
    pub obligated: String,
    pub outlayed: String,
    pub payments: u64,
    /// appropriations >= allotments >= obligations >= outlays, as the accounts hold them.
    pub chain_holds: bool,
}

/// The ledger's identity, as the home page shows it and every download names it.
#[derive(Clone, Debug, Serialize)]
pub struct Identity {
    pub program: String,
    pub ledger: String,
    pub genesis_hash: String,
    /// The newest slot of a transaction the index holds.
    pub slot: u64,
    pub transactions: u64,
    pub decimals: u8,
}

/// The whole ledger as one index read gives it.
pub struct Snapshot {
    pub identity: Identity,
    pub state: LedgerState,
    pub agencies: Vec<AgencyRow>,
    /// In chain order (slot, then agency sequence).
    pub payments: Vec<PaymentRow>,
    pub events: Vec<EventRow>,
    /// The events that are not payments (a ledger's governance, budget, awards, flags): what the agency,
    /// award and recipient pages scan, without the payments' own.
    pub governance: Vec<usize>,
    /// Payments (indices into `payments`) by agency code, by (agency code, award id), by UEI.
    pub by_agency: BTreeMap<String, Vec<usize>>,
    pub by_award: BTreeMap<(String, String), Vec<usize>>,
    pub by_uei: BTreeMap<String, Vec<usize>>,
    /// `PaymentExecuted` events (indices into `events`) by award address.
    pub executed_by_award: BTreeMap<Pubkey, Vec<usize>>,
    /// Each agency's outlays by month (`YYYY-MM`, payments, base units).
    pub months: BTreeMap<String, Vec<(String, u64, u64)>>,
    pub findings: Vec<audit::Finding>,
    pub flags: Vec<FlagHistory>,
    /// The index's transaction count and newest id when read: a change means a new snapshot is due.
    pub mark: (u64, i64),
}

impl Snapshot {
    pub fn money(&self, units: u64) -> String {
        format_grouped(units, self.identity.decimals)
    }

    /// Reads everything from `store`.
    pub fn load(store: &Store) -> Result<Self> {
        let mark = mark(store)?;
        let state = LedgerState::from_store(store)?;
        let decimals = state.decimals();
        let money = |units: u64| format_amount(units, decimals);
        let mut slots: BTreeMap<String, (u64, Option<i64>)> = BTreeMap::new();
        store.query(
            "SELECT signature, slot, block_time FROM transactions",
            &[],
            |row| {
                slots.insert(row.text(0)?, (row.int(1)?.unsigned_abs(), row.opt_int(2)?));
                Ok(())
            },
        )?;
        let events = events(store)?;
        let registered: BTreeMap<Pubkey, i64> = state
            .recipients
            .iter()
            .map(|(address, r)| (*address, r.registered_at))
            .collect();
        let windows = exclusion_windows(&events);
        let mut payments = Vec::new();
        let raw = store.payments()?;
        for p in &raw {
            let record = &p.record;
            let (slot, _) = slots.get(&p.signature).copied().unwrap_or((0, None));
            let award = state.awards.get(&record.award);
            let uei = state.uei(&record.recipient);
            let tas = award
                .and_then(|a| state.appropriations.get(&a.appropriation))
                .map(|a| {
                    format!(
                        "{}-{}-{} FY{}",
                        state.agency_code(&a.agency),
                        String::from_utf8_lossy(&a.main_account),
                        String::from_utf8_lossy(&a.sub_account),
                        a.fiscal_year
                    )
                })
                .unwrap_or_default();
            let at = record.executed_at;
            let while_excluded = windows.get(&uei).is_some_and(|list| {
                list.iter()
                    .any(|(from, to)| at >= *from && to.is_none_or(|to| at < to))
            });
            let registration_day = registered
                .get(&record.recipient)
                .is_some_and(|r| day(*r) == day(at));
            let (code, award_id) = (
                state.agency_code(&record.agency),
                state.award_id(&record.award),
            );
            payments.push(PaymentRow {
                signature: p.signature.clone(),
                slot,
                executed_at: time_text(at),
                executed_unix: at,
                fiscal_year: audit::fiscal_year(at),
                award_href: award_href(&code, &award_id),
                agency: code,
                award_id,
                payment_index: record.payment_index,
                sequence: record.sequence,
                uei,
                recipient_name: state.public_name(&record.recipient),
                amount: money(record.amount),
                amount_units: record.amount,
                amount_text: format_grouped(record.amount, decimals),
                path: if p.fast_path {
                    "fast path"
                } else {
                    "approval path"
                },
                tas,
                invoice_hash: hex::encode(record.invoice_hash),
                executor: p.executor.to_string(),
                recipient_token_account: record.recipient_token_account.to_string(),
                previous_hash: hex::encode(p.previous_hash),
                outlay_hash: hex::encode(p.outlay_hash),
                while_excluded,
                registration_day,
                haystack: String::new(),
            });
        }
        payments
            .sort_by(|a, b| (a.slot, &a.agency, a.sequence).cmp(&(b.slot, &b.agency, b.sequence)));
        let name_of: BTreeMap<String, String> = state
            .agencies
            .values()
            .map(|a| (a.code.clone(), a.name.clone()))
            .collect();
        let mut by_agency: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut by_award: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
        let mut by_uei: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut months: BTreeMap<String, BTreeMap<String, (u64, u64)>> = BTreeMap::new();
        for (i, p) in payments.iter_mut().enumerate() {
            p.haystack = [
                p.agency.as_str(),
                name_of.get(&p.agency).map_or("", String::as_str),
                p.award_id.as_str(),
                p.recipient_name.as_str(),
                p.uei.as_str(),
                p.tas.as_str(),
            ]
            .join("\n")
            .to_lowercase();
            by_agency.entry(p.agency.clone()).or_default().push(i);
            by_award
                .entry((p.agency.clone(), p.award_id.clone()))
                .or_default()
                .push(i);
            by_uei.entry(p.uei.clone()).or_default().push(i);
            let month = months
                .entry(p.agency.clone())
                .or_default()
                .entry(p.executed_at.get(..7).unwrap_or("").to_string())
                .or_default();
            month.0 += 1;
            month.1 += p.amount_units;
        }
        let months = months
            .into_iter()
            .map(|(code, by_month)| {
                let rows = by_month
                    .into_iter()
                    .map(|(month, (count, units))| (month, count, units))
                    .collect();
                (code, rows)
            })
            .collect();
        let mut governance = Vec::new();
        let mut executed_by_award: BTreeMap<Pubkey, Vec<usize>> = BTreeMap::new();
        for (i, row) in events.iter().enumerate() {
            match &row.event {
                LedgerEvent::PaymentExecuted(e) => {
                    executed_by_award.entry(e.record.award).or_default().push(i)
                }
                _ => governance.push(i),
            }
        }
        // A batch pays several awards in one transaction: those share a signature, told apart by award.
        let mut agencies: Vec<AgencyRow> = state
            .agencies
            .iter()
            .map(|(address, a)| AgencyRow {
                code: a.code.clone(),
                name: a.name.clone(),
                address: address.to_string(),
                head: a.head.to_string(),
                frozen: a.frozen,
                appropriated: format_grouped(a.budget_authority, decimals),
                allotted: format_grouped(a.allotted, decimals),
                obligated: format_grouped(a.obligated, decimals),
                outlayed: format_grouped(a.outlayed, decimals),
                payments: a.outlay_count,
                chain_holds: a.budget_authority >= a.allotted
                    && a.allotted >= a.obligated
                    && a.obligated >= a.outlayed,
            })
            .collect();
        agencies.sort_by(|a, b| a.code.cmp(&b.code));
        let findings = audit::audit(store, &AuditOptions::default())?.findings;
        let flags = audit::flag_histories(store, &state)?;
        let identity = Identity {
            program: public_spending::ID.to_string(),
            ledger: public_spending_sdk::pda::ledger().0.to_string(),
            genesis_hash: store.meta(META_GENESIS)?.unwrap_or_default(),
            slot: slots.values().map(|(slot, _)| *slot).max().unwrap_or(0),
            transactions: mark.0,
            decimals,
        };
        Ok(Self {
            identity,
            state,
            agencies,
            payments,
            events,
            governance,
            by_agency,
            by_award,
            by_uei,
            executed_by_award,
            months,
            findings,
            flags,
            mark,
        })
    }
}

/// The index's transaction count and newest row id: what tells that it has moved.
pub fn mark(store: &Store) -> Result<(u64, i64)> {
    Ok(store
        .query_opt(
            "SELECT count(*), coalesce(max(id), 0) FROM transactions",
            &[],
            |row| Ok((row.int(0)?.unsigned_abs(), row.int(1)?)),
        )?
        .unwrap_or((0, 0)))
}

/// Every event in chain order, with its slot.
fn events(store: &Store) -> Result<Vec<EventRow>> {
    let mut all = Vec::new();
    store.query(
        "SELECT e.signature, t.slot, t.block_time, e.data FROM events e JOIN transactions t USING (signature)
         ORDER BY t.slot, t.block_time, t.run, t.discovered DESC, e.ordinal",
        &[],
        |row| {
            if let Some(event) = LedgerEvent::decode(row.bytes(3)?) {
                all.push(EventRow {
                    signature: row.text(0)?,
                    slot: row.int(1)?.unsigned_abs(),
                    time: row.opt_int(2)?,
                    event,
                });
            }
            Ok(())
        },
    )?;
    Ok(all)
}

/// When each UEI was excluded (from, until), from the exclusion events in chain order.
pub fn exclusion_windows(events: &[EventRow]) -> BTreeMap<String, Vec<(i64, Option<i64>)>> {
    let mut windows: BTreeMap<String, Vec<(i64, Option<i64>)>> = BTreeMap::new();
    for row in events {
        let LedgerEvent::ExclusionSet(e) = &row.event else {
            continue;
        };
        let time = row.time.unwrap_or_default();
        let list = windows
            .entry(String::from_utf8_lossy(&e.uei).into_owned())
            .or_default();
        match e.status {
            ExclusionStatus::Lifted => {
                if let Some(open) = list.last_mut().filter(|w| w.1.is_none()) {
                    open.1 = Some(time);
                }
            }
            _ => {
                if list.last().is_none_or(|w| w.1.is_some()) {
                    list.push((time, None));
                }
            }
        }
    }
    windows
}

/// What a control change sets, in words.
pub fn change_text(change: &ControlChange, money: &dyn Fn(u64) -> String) -> String {
    match change {
        ControlChange::Policy { policy } => format!(
            "approval policy: threshold {}, {} approval(s), time lock {} s, fast-path cap {} a day",
            money(policy.threshold),
            policy.approvals_required,
            policy.time_lock_seconds,
            money(policy.fast_path_daily_cap)
        ),
        ControlChange::Member { key, roles, active } => format!(
            "member {key}: {}{}",
            role_names(*roles),
            if *active { "" } else { " (inactive)" }
        ),
        ControlChange::Auditors { auditors } => format!(
            "the ledger's auditors: {}",
            auditors
                .iter()
                .map(|a| a.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        ControlChange::Limits { limits } => format!(
            "ledger limits: fast-path threshold at most {}, daily cap at most {}, notice at least {} s",
            money(limits.max_fast_path_threshold),
            money(limits.max_fast_path_daily_cap),
            limits.min_change_notice_seconds
        ),
    }
}

/// A time as pages show it: `2026-03-14 09:30 UTC`.
pub fn time_text(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0).map_or_else(
        || seconds.to_string(),
        |t| t.format("%Y-%m-%d %H:%M UTC").to_string(),
    )
}

/// An award page's path: `/award/075/075-26-0001`, the id percent-encoded.
pub fn award_href(code: &str, award_id: &str) -> String {
    format!("/award/{code}/{}", crate::params::encode(award_id))
}

impl PaymentRow {
    /// The signature's first characters, for a table (the link carries it whole).
    pub fn short_signature(&self) -> String {
        let head: String = self.signature.chars().take(12).collect();
        format!("{head}…")
    }
}

/// The UTC day of a time.
fn day(seconds: i64) -> i64 {
    seconds.div_euclid(86_400)
}
