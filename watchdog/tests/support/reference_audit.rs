//! The audit as it was before its checks moved into SQL (schema 1, `watchdog/src/audit.rs` at c6c168b): every
//! payment loaded into memory, each check a loop over them. Kept, frozen, as the oracle the SQL checks are
//! compared with (`audit_in_sql.rs`, and the `replay` bench at 1M payments): the same findings, in the same
//! order, on the same index. Only its imports changed.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};

use anchor_lang::prelude::Pubkey;
use public_spending::{
    constants::ROLE_EXECUTE,
    state::{AwardStatus, ControlChange, ExclusionStatus, FlagStatus, LedgerLimits},
};
use public_spending_sdk::{amount::format_grouped, role_names, LedgerEvent};
use public_spending_watchdog::{
    audit::{
        finding_id, fiscal_year, fiscal_year_end, AuditOptions, AuditReport, Finding, FlagHistory,
        CHECKS, CONTROLS_LOOSENED, DOMINANT_APPROVER, DUPLICATE_INVOICES, EXCLUDED_RECIPIENTS,
        LIFTED_BY_ANOTHER, NEW_AGENCY_PAYING, NEW_RECIPIENTS, OUTSIDE_PERIOD, PUBLIC_FLAGS,
        REPROPOSED_AFTER_VETO, ROLE_GRANT_PAYMENTS, SPLIT_PAYMENTS, SPLIT_WALLETS, WALLET_CHANGES,
        YEAR_END_SPIKE,
    },
    ledger::LedgerState,
    store::IndexedPayment,
    Result, Store,
};

const DAY: i64 = 86_400;

/// Runs every check over the index.
pub fn audit(store: &Store, options: &AuditOptions) -> Result<AuditReport> {
    let state = LedgerState::from_store(store)?;
    let payments = store.payments()?;
    let mut findings = Vec::new();
    let decimals = state.decimals();
    let money = |units: u64| format_grouped(units, decimals);
    split_payments(&state, &payments, options, &money, &mut findings);
    duplicate_invoices(&state, &payments, &money, &mut findings);
    new_recipients(&state, &payments, options, &mut findings);
    excluded_recipients(store, &state, &payments, &money, &mut findings)?;
    year_end_spikes(&state, &payments, options, &money, &mut findings);
    outside_period(&state, &payments, &mut findings);
    dominant_approvers(store, &state, options, &mut findings)?;
    public_flags(store, &state, &payments, &mut findings)?;
    wallet_changes(store, &state, &payments, options, &money, &mut findings)?;
    split_wallets(&state, &payments, &mut findings);
    controls_loosened(store, &state, &payments, options, &money, &mut findings)?;
    ledger_limits_loosened(store, &payments, options, &money, &mut findings)?;
    role_grant_payments(store, &state, &payments, options, &money, &mut findings)?;
    lifted_by_another(store, &state, &mut findings)?;
    new_agencies_paying(store, &state, &payments, &money, &mut findings)?;
    reproposed_after_veto(store, &state, &mut findings)?;
    Ok(AuditReport {
        checks: CHECKS.to_vec(),
        options: *options,
        payments_examined: payments.len() as u64,
        findings,
    })
}

/// What a finding about an event and the payments after it rests on: their total, and the event's transaction
/// followed by the payments'.
fn event_and_payments(signature: &str, soon: &[&IndexedPayment]) -> (u64, Vec<String>) {
    let total = soon.iter().map(|p| p.record.amount).sum();
    let records = std::iter::once(signature.to_string())
        .chain(soon.iter().map(|p| p.signature.clone()))
        .collect();
    (total, records)
}

fn signatures<'a>(payments: impl IntoIterator<Item = &'a &'a IndexedPayment>) -> Vec<String> {
    payments.into_iter().map(|p| p.signature.clone()).collect()
}

fn split_payments(
    state: &LedgerState,
    payments: &[IndexedPayment],
    options: &AuditOptions,
    money: &dyn Fn(u64) -> String,
    findings: &mut Vec<Finding>,
) {
    let mut by_award: BTreeMap<(Pubkey, Pubkey), Vec<&IndexedPayment>> = BTreeMap::new();
    for p in payments {
        by_award
            .entry((p.record.award, p.record.recipient))
            .or_default()
            .push(p);
    }
    for ((award, _), mut list) in by_award {
        let Some(agency) = state
            .awards
            .get(&award)
            .and_then(|a| state.agencies.get(&a.agency))
        else {
            continue;
        };
        let threshold = agency.policy.threshold;
        if threshold == 0 {
            continue;
        }
        list.sort_by_key(|p| (p.record.executed_at, p.record.sequence));
        let mut start = 0;
        while start < list.len() {
            let first = list[start].record.executed_at;
            let end = start
                + list[start..]
                    .iter()
                    .take_while(|p| p.record.executed_at - first <= options.split_window_seconds)
                    .count();
            let cluster: Vec<&&IndexedPayment> = list[start..end]
                .iter()
                .filter(|p| p.record.amount < threshold)
                .collect();
            let total: u64 = cluster.iter().map(|p| p.record.amount).sum();
            if cluster.len() >= 2 && total >= threshold {
                let records = signatures(cluster.iter().copied());
                findings.push(Finding {
                    id: finding_id(SPLIT_PAYMENTS.id, &records),
                    check: SPLIT_PAYMENTS.id,
                    agency: agency.code.clone(),
                    subject: state.award_id(&award),
                    summary: format!(
                        "{} payments to {} within {} days total {}, each under the {} approval threshold",
                        cluster.len(),
                        state.uei(&list[start].record.recipient),
                        options.split_window_seconds / DAY,
                        money(total),
                        money(threshold)
                    ),
                    records,
                });
                start = end;
            } else {
                start += 1;
            }
        }
    }
}

fn duplicate_invoices(
    state: &LedgerState,
    payments: &[IndexedPayment],
    money: &dyn Fn(u64) -> String,
    findings: &mut Vec<Finding>,
) {
    let mut by_invoice: BTreeMap<[u8; 32], Vec<&IndexedPayment>> = BTreeMap::new();
    for p in payments {
        by_invoice.entry(p.record.invoice_hash).or_default().push(p);
    }
    for (invoice, list) in by_invoice.into_iter().filter(|(_, l)| l.len() > 1) {
        let total: u64 = list.iter().map(|p| p.record.amount).sum();
        let awards: BTreeSet<String> = list
            .iter()
            .map(|p| state.award_id(&p.record.award))
            .collect();
        let records = signatures(&list);
        findings.push(Finding {
            id: finding_id(DUPLICATE_INVOICES.id, &records),
            check: DUPLICATE_INVOICES.id,
            agency: state.agency_code(&list[0].record.agency),
            subject: hex::encode(invoice),
            summary: format!(
                "one invoice paid {} times ({} in all) on {}",
                list.len(),
                money(total),
                awards.into_iter().collect::<Vec<_>>().join(", ")
            ),
            records,
        });
    }
}

fn new_recipients(
    state: &LedgerState,
    payments: &[IndexedPayment],
    options: &AuditOptions,
    findings: &mut Vec<Finding>,
) {
    let mut first: BTreeMap<Pubkey, &IndexedPayment> = BTreeMap::new();
    for p in payments {
        let entry = first.entry(p.record.recipient).or_insert(p);
        if p.record.executed_at < entry.record.executed_at {
            *entry = p;
        }
    }
    for (recipient, payment) in first {
        let Some(registered) = state.recipients.get(&recipient) else {
            continue;
        };
        let gap = payment.record.executed_at - registered.registered_at;
        if gap < options.new_recipient_seconds {
            findings.push(Finding {
                id: finding_id(NEW_RECIPIENTS.id, &[&payment.signature]),
                check: NEW_RECIPIENTS.id,
                agency: state.agency_code(&payment.record.agency),
                subject: state.uei(&recipient),
                summary: format!(
                    "first paid {:.1} days after registration, on award {}",
                    gap as f64 / DAY as f64,
                    state.award_id(&payment.record.award)
                ),
                records: vec![payment.signature.clone()],
            });
        }
    }
}

/// When an exclusion came into force, when it was lifted (if it was), and the transaction that imposed it.
type ExclusionPeriod = (i64, Option<i64>, String);

fn excluded_recipients(
    store: &Store,
    state: &LedgerState,
    payments: &[IndexedPayment],
    money: &dyn Fn(u64) -> String,
    findings: &mut Vec<Finding>,
) -> Result<()> {
    // When each UEI was excluded, from the exclusion events in chain order.
    let mut periods: BTreeMap<[u8; 12], Vec<ExclusionPeriod>> = BTreeMap::new();
    for (signature, time, event) in store.events("ExclusionSet")? {
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
    let uei_of = |recipient: &Pubkey| state.recipients.get(recipient).map(|r| r.uei);
    for p in payments {
        let excluded = uei_of(&p.record.recipient)
            .and_then(|uei| periods.get(&uei))
            .is_some_and(|list| {
                list.iter().any(|(from, to, _)| {
                    p.record.executed_at >= *from && to.is_none_or(|to| p.record.executed_at < to)
                })
            });
        if excluded {
            findings.push(Finding {
                id: finding_id(EXCLUDED_RECIPIENTS.id, &[&p.signature]),
                check: EXCLUDED_RECIPIENTS.id,
                agency: state.agency_code(&p.record.agency),
                subject: state.uei(&p.record.recipient),
                summary: format!(
                    "payment of {} on award {} executed while the recipient was excluded",
                    money(p.record.amount),
                    state.award_id(&p.record.award)
                ),
                records: vec![p.signature.clone()],
            });
        }
    }
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
            findings.push(Finding {
                id: finding_id(EXCLUDED_RECIPIENTS.id, &rests_on),
                check: EXCLUDED_RECIPIENTS.id,
                agency: state.agency_code(&award.agency),
                subject: String::from_utf8_lossy(&recipient.uei).into_owned(),
                summary: format!(
                    "award {} still holds {} obligated for a recipient that is {:?}",
                    award.award_id,
                    money(open),
                    exclusion.status
                ),
                records,
            });
        }
    }
    Ok(())
}

/// Every flag ever raised, in chain order, with its status from its later events.
pub fn flag_histories(
    store: &Store,
    state: &LedgerState,
    payments: &[IndexedPayment],
) -> Result<Vec<FlagHistory>> {
    // A payment is flagged at its address `["payment", award, index]`, live or not: named by award id and index.
    let payment_names: BTreeMap<Pubkey, String> = payments
        .iter()
        .map(|p| {
            let address =
                public_spending_sdk::pda::payment(&p.record.award, p.record.payment_index).0;
            let name = format!(
                "{} payment {}",
                state.award_id(&p.record.award),
                p.record.payment_index
            );
            (address, name)
        })
        .collect();
    let name = |target: &Pubkey| {
        state
            .awards
            .get(target)
            .map(|a| a.award_id.clone())
            .or_else(|| {
                state
                    .recipients
                    .get(target)
                    .map(|r| String::from_utf8_lossy(&r.uei).into_owned())
            })
            .or_else(|| state.properties.get(target).map(|p| p.rpuid.clone()))
            .or_else(|| payment_names.get(target).cloned())
            .unwrap_or_else(|| target.to_string())
    };
    // A flag's address is reused when a flag is closed and the same flagger raises one on the same target with
    // the same nonce: each raising is its own flag, and a ruling belongs to the flag live at the address when it
    // was made. So the flag events are read in chain order, and each raising opens a new record.
    let mut flags: Vec<FlagHistory> = Vec::new();
    let mut live: BTreeMap<Pubkey, usize> = BTreeMap::new();
    for (signature, time, event) in
        store.events_of(&["FlagRaised", "FlagResponded", "FlagResolved", "FlagClosed"])?
    {
        let (flag, status) = match event {
            LedgerEvent::FlagRaised(e) => {
                live.insert(e.flag, flags.len());
                flags.push(FlagHistory {
                    agency: state.agency_code(&e.agency),
                    subject: name(&e.target),
                    target_kind: format!("{:?}", e.target_kind),
                    reason: format!("{:?}", e.reason),
                    status: FlagStatus::Open,
                    status_text: "",
                    raised_at: time,
                    records: vec![signature],
                });
                continue;
            }
            LedgerEvent::FlagClosed(e) => {
                live.remove(&e.flag);
                continue;
            }
            LedgerEvent::FlagResponded(e) => (e.flag, FlagStatus::Responded),
            LedgerEvent::FlagResolved(e) => (e.flag, e.outcome),
            _ => continue,
        };
        if let Some(raised) = live.get(&flag).map(|at| &mut flags[*at]) {
            // A response never reopens a ruling.
            if !raised.status.is_final() {
                raised.status = status;
            }
            raised.records.push(signature);
        }
    }
    for flag in &mut flags {
        flag.status_text = flag.status_words();
    }
    Ok(flags)
}

fn public_flags(
    store: &Store,
    state: &LedgerState,
    payments: &[IndexedPayment],
    findings: &mut Vec<Finding>,
) -> Result<()> {
    for flag in flag_histories(store, state, payments)? {
        if flag.status == FlagStatus::Dismissed {
            continue;
        }
        // A flag is the transaction that raised it; its answer and ruling do not make it another.
        findings.push(Finding {
            id: finding_id(PUBLIC_FLAGS.id, &flag.records[..1]),
            check: PUBLIC_FLAGS.id,
            agency: flag.agency.clone(),
            summary: format!(
                "{} flag on {} {}: {}",
                flag.reason,
                flag.target_kind,
                flag.subject,
                flag.status_words()
            ),
            subject: flag.subject,
            records: flag.records,
        });
    }
    Ok(())
}

/// The payments `which` picks that were executed in the `seconds` from `from` on.
fn executed_within(
    payments: &[IndexedPayment],
    from: i64,
    seconds: i64,
    which: impl Fn(&IndexedPayment) -> bool,
) -> Vec<&IndexedPayment> {
    payments
        .iter()
        .filter(|p| {
            which(p) && p.record.executed_at >= from && p.record.executed_at - from < seconds
        })
        .collect()
}

/// Payments to a recipient within `wallet_change_seconds` after its payout wallet changed: one finding per
/// change, naming the confirmation and the payments.
fn wallet_changes(
    store: &Store,
    state: &LedgerState,
    payments: &[IndexedPayment],
    options: &AuditOptions,
    money: &dyn Fn(u64) -> String,
    findings: &mut Vec<Finding>,
) -> Result<()> {
    for (signature, time, event) in store.events("PayoutWalletConfirmed")? {
        let LedgerEvent::PayoutWalletConfirmed(e) = event else {
            continue;
        };
        let Some(changed_at) = time else { continue };
        let soon = executed_within(payments, changed_at, options.wallet_change_seconds, |p| {
            p.record.recipient == e.recipient
        });
        if soon.is_empty() {
            continue;
        }
        let (total, records) = event_and_payments(&signature, &soon);
        findings.push(Finding {
            id: finding_id(WALLET_CHANGES.id, &[&signature]),
            check: WALLET_CHANGES.id,
            agency: state.agency_code(&e.agency),
            subject: String::from_utf8_lossy(&e.uei).into_owned(),
            summary: format!(
                "{} payment(s) of {} in all to the new wallet {} within {} days of the change",
                soon.len(),
                money(total),
                e.payout_wallet,
                options.wallet_change_seconds / DAY
            ),
            records,
        });
    }
    Ok(())
}

/// Every loosening of an agency's controls that took effect: one finding each, with the agency's payments in
/// the `loosening_seconds` after it (and how many of them the member it concerns executed).
fn controls_loosened(
    store: &Store,
    state: &LedgerState,
    payments: &[IndexedPayment],
    options: &AuditOptions,
    money: &dyn Fn(u64) -> String,
    findings: &mut Vec<Finding>,
) -> Result<()> {
    for (signature, time, event) in store.events("ChangeApplied")? {
        let LedgerEvent::ChangeApplied(e) = event else {
            continue;
        };
        let Some(applied_at) = time else { continue };
        let soon = executed_within(payments, applied_at, options.loosening_seconds, |p| {
            p.record.agency == e.agency
        });
        let total: u64 = soon.iter().map(|p| p.record.amount).sum();
        let days = options.loosening_seconds / DAY;
        let (subject, what, by_member) = match e.change {
            ControlChange::Policy { policy } => (
                "policy".to_string(),
                format!(
                    "approval policy loosened to a threshold of {}, {} approval(s), a {} s time lock and a fast-path cap of {} a day",
                    money(policy.threshold),
                    policy.approvals_required,
                    policy.time_lock_seconds,
                    money(policy.fast_path_daily_cap)
                ),
                String::new(),
            ),
            ControlChange::Member { key, roles, active } => (
                key.to_string(),
                format!(
                    "member {key} given {} ({})",
                    role_names(roles),
                    if active { "active" } else { "inactive" }
                ),
                format!(
                    ", {} of them executed by this member",
                    soon.iter().filter(|p| p.executor == key).count()
                ),
            ),
            // The ledger's own auditors and limits: `limits_loosened` reads the limits from their own events.
            ControlChange::Auditors { .. } | ControlChange::Limits { .. } => continue,
        };
        let mut records = vec![signature.clone()];
        records.extend(soon.iter().map(|p| p.signature.clone()));
        findings.push(Finding {
            id: finding_id(CONTROLS_LOOSENED.id, &[&signature]),
            check: CONTROLS_LOOSENED.id,
            agency: state.agency_code(&e.agency),
            subject,
            summary: format!(
                "{what}; {} payment(s) of {} in all by the agency within {days} days after it{by_member}",
                soon.len(),
                money(total),
            ),
            records,
        });
    }
    Ok(())
}

/// Every loosening of the ledger-wide limits that took effect (a ceiling raised or the minimum notice
/// shortened, judged against the limits in force before it): one finding each, with every agency's payments in
/// the `loosening_seconds` after it.
fn ledger_limits_loosened(
    store: &Store,
    payments: &[IndexedPayment],
    options: &AuditOptions,
    money: &dyn Fn(u64) -> String,
    findings: &mut Vec<Finding>,
) -> Result<()> {
    let mut in_force = LedgerLimits::INITIAL;
    for (signature, time, event) in store.events("LedgerLimitsSet")? {
        let LedgerEvent::LedgerLimitsSet(e) = event else {
            continue;
        };
        let before = std::mem::replace(&mut in_force, e.limits);
        let Some(applied_at) = time else { continue };
        if !before.loosened_by(&e.limits) {
            continue;
        }
        let soon = executed_within(payments, applied_at, options.loosening_seconds, |_| true);
        let total: u64 = soon.iter().map(|p| p.record.amount).sum();
        let ceiling = |units: u64| {
            if units == u64::MAX {
                "none".to_string()
            } else {
                money(units)
            }
        };
        let mut records = vec![signature.clone()];
        records.extend(soon.iter().map(|p| p.signature.clone()));
        findings.push(Finding {
            id: finding_id(CONTROLS_LOOSENED.id, &[&signature]),
            check: CONTROLS_LOOSENED.id,
            agency: String::new(),
            subject: "ledger limits".to_string(),
            summary: format!(
                "ledger-wide limits loosened to a fast-path threshold ceiling of {}, a daily cap ceiling of {} and {} s minimum notice; {} payment(s) of {} in all within {} days after it",
                ceiling(e.limits.max_fast_path_threshold),
                ceiling(e.limits.max_fast_path_daily_cap),
                e.limits.min_change_notice_seconds,
                soon.len(),
                money(total),
                options.loosening_seconds / DAY
            ),
            records,
        });
    }
    Ok(())
}

/// Payments executed by a member within `loosening_seconds` after a change applied on notice gave it the
/// EXECUTE role: one finding per grant that was followed by such payments.
fn role_grant_payments(
    store: &Store,
    state: &LedgerState,
    payments: &[IndexedPayment],
    options: &AuditOptions,
    money: &dyn Fn(u64) -> String,
    findings: &mut Vec<Finding>,
) -> Result<()> {
    for (signature, time, event) in store.events("ChangeApplied")? {
        let LedgerEvent::ChangeApplied(e) = event else {
            continue;
        };
        let ControlChange::Member { key, roles, active } = e.change else {
            continue;
        };
        let Some(applied_at) = time else { continue };
        if !active || roles & ROLE_EXECUTE == 0 {
            continue;
        }
        let soon = executed_within(payments, applied_at, options.loosening_seconds, |p| {
            p.record.agency == e.agency && p.executor == key
        });
        if soon.is_empty() {
            continue;
        }
        let (total, records) = event_and_payments(&signature, &soon);
        findings.push(Finding {
            id: finding_id(ROLE_GRANT_PAYMENTS.id, &[&signature]),
            check: ROLE_GRANT_PAYMENTS.id,
            agency: state.agency_code(&e.agency),
            subject: key.to_string(),
            summary: format!(
                "given {} and then executed {} payment(s) of {} in all within {} days",
                role_names(roles),
                soon.len(),
                money(total),
                options.loosening_seconds / DAY
            ),
            records,
        });
    }
    Ok(())
}

/// The agencies that paid one wallet, and one transaction that did.
type WalletPayers = (BTreeSet<String>, String);

/// UEIs paid into different wallets by different agencies (from each executed payment's recipient record).
fn split_wallets(state: &LedgerState, payments: &[IndexedPayment], findings: &mut Vec<Finding>) {
    // UEI -> wallet -> (agencies, a signature paying it)
    let mut paid: BTreeMap<[u8; 12], BTreeMap<Pubkey, WalletPayers>> = BTreeMap::new();
    for p in payments {
        let Some(recipient) = state.recipients.get(&p.record.recipient) else {
            continue;
        };
        let entry = paid
            .entry(recipient.uei)
            .or_default()
            .entry(recipient.payout_wallet)
            .or_insert_with(|| (BTreeSet::new(), p.signature.clone()));
        entry.0.insert(state.agency_code(&p.record.agency));
    }
    for (uei, wallets) in paid {
        let agencies: BTreeSet<&String> = wallets.values().flat_map(|(a, _)| a).collect();
        if wallets.len() < 2 || agencies.len() < 2 {
            continue;
        }
        let described: Vec<String> = wallets
            .iter()
            .map(|(wallet, (agencies, _))| {
                let agencies: Vec<&str> = agencies.iter().map(String::as_str).collect();
                format!("{} by {}", wallet, agencies.join(", "))
            })
            .collect();
        // The wallets themselves: one more wallet for the UEI is a new finding.
        let wallet_names: Vec<String> = wallets.keys().map(Pubkey::to_string).collect();
        findings.push(Finding {
            id: finding_id(SPLIT_WALLETS.id, &wallet_names),
            check: SPLIT_WALLETS.id,
            agency: agencies
                .iter()
                .map(|a| a.as_str())
                .collect::<Vec<_>>()
                .join(","),
            subject: String::from_utf8_lossy(&uei).into_owned(),
            summary: format!(
                "paid into {} wallets: {}",
                wallets.len(),
                described.join("; ")
            ),
            records: wallets
                .into_values()
                .map(|(_, signature)| signature)
                .collect(),
        });
    }
}

fn year_end_spikes(
    state: &LedgerState,
    payments: &[IndexedPayment],
    options: &AuditOptions,
    money: &dyn Fn(u64) -> String,
    findings: &mut Vec<Finding>,
) {
    const FOUR_WEEKS: i64 = 28 * DAY;
    let mut years: BTreeMap<(Pubkey, i32), Vec<&IndexedPayment>> = BTreeMap::new();
    for p in payments {
        years
            .entry((p.record.agency, fiscal_year(p.record.executed_at)))
            .or_default()
            .push(p);
    }
    for ((agency, fy), list) in years {
        let end = fiscal_year_end(fy);
        let total: u64 = list.iter().map(|p| p.record.amount).sum();
        let last: Vec<&&IndexedPayment> = list
            .iter()
            .filter(|p| p.record.executed_at >= end - FOUR_WEEKS)
            .collect();
        let late: u64 = last.iter().map(|p| p.record.amount).sum();
        // An average four weeks of the year: the year's total over its 365 days, times 28.
        let average = u128::from(total) * 28 / 365;
        if late > 0 && u128::from(late) * 100 > average * u128::from(options.spike_percent) {
            // One finding per agency and fiscal year, however many payments the spike grows by.
            let code = state.agency_code(&agency);
            findings.push(Finding {
                id: finding_id(YEAR_END_SPIKE.id, &[code.clone(), fy.to_string()]),
                check: YEAR_END_SPIKE.id,
                agency: code,
                subject: format!("FY{fy}"),
                summary: format!(
                    "{} paid in the last four weeks of FY{fy}, {:.1} times an average four weeks ({})",
                    money(late),
                    late as f64 / average.max(1) as f64,
                    money(u64::try_from(average).unwrap_or(u64::MAX))
                ),
                records: signatures(last),
            });
        }
    }
}

fn outside_period(state: &LedgerState, payments: &[IndexedPayment], findings: &mut Vec<Finding>) {
    for p in payments {
        let Some(award) = state.awards.get(&p.record.award) else {
            continue;
        };
        let at = p.record.executed_at;
        if at < award.period_start || at >= award.period_end {
            let day = |t: i64| {
                chrono::DateTime::from_timestamp(t, 0)
                    .map_or(t.to_string(), |d| d.format("%Y-%m-%d").to_string())
            };
            findings.push(Finding {
                id: finding_id(OUTSIDE_PERIOD.id, &[&p.signature]),
                check: OUTSIDE_PERIOD.id,
                agency: state.agency_code(&award.agency),
                subject: format!("{} payment {}", award.award_id, p.record.payment_index),
                summary: format!(
                    "paid on {}, outside the period of performance {} to {}",
                    day(at),
                    day(award.period_start),
                    day(award.period_end - 1)
                ),
                records: vec![p.signature.clone()],
            });
        }
    }
}

fn dominant_approvers(
    store: &Store,
    state: &LedgerState,
    options: &AuditOptions,
    findings: &mut Vec<Finding>,
) -> Result<()> {
    let mut approvals: BTreeMap<Pubkey, BTreeMap<Pubkey, Vec<String>>> = BTreeMap::new();
    let mut approved: BTreeMap<Pubkey, BTreeSet<Pubkey>> = BTreeMap::new();
    for (signature, _, event) in store.events("PaymentApproved")? {
        if let LedgerEvent::PaymentApproved(e) = event {
            approvals
                .entry(e.agency)
                .or_default()
                .entry(e.approver)
                .or_default()
                .push(signature);
            approved.entry(e.agency).or_default().insert(e.payment);
        }
    }
    for (agency, by_approver) in approvals {
        let payments = approved.get(&agency).map_or(0, BTreeSet::len);
        if by_approver.len() < options.min_approvers || payments == 0 {
            continue;
        }
        for (approver, records) in by_approver {
            let share = records.len() * 100 / payments;
            if share as u64 > options.dominant_percent {
                // One finding per agency and approver, however many approvals it grows by.
                let code = state.agency_code(&agency);
                findings.push(Finding {
                    id: finding_id(DOMINANT_APPROVER.id, &[code.clone(), approver.to_string()]),
                    check: DOMINANT_APPROVER.id,
                    agency: code,
                    subject: approver.to_string(),
                    summary: format!(
                        "approved {} of the agency's {payments} approved payments ({share}%)",
                        records.len()
                    ),
                    records,
                });
            }
        }
    }
    Ok(())
}

/// Every lift of a freeze, hold or exclusion by an auditor other than the one who imposed it (the program
/// requires a second auditor's signature for it; the finding names both).
fn lifted_by_another(
    store: &Store,
    state: &LedgerState,
    findings: &mut Vec<Finding>,
) -> Result<()> {
    // What each freeze, hold or exclusion is on, and who imposed the one in force.
    let mut imposed: BTreeMap<Pubkey, (Pubkey, String)> = BTreeMap::new();
    let kinds = [
        "AgencyFreezeSet",
        "PaymentHoldSet",
        "AwardHoldSet",
        "ExclusionSet",
    ];
    for (signature, _, event) in store.events_of(&kinds)? {
        let (on, agency, what, imposing, auditor, concurring) = match &event {
            LedgerEvent::AgencyFreezeSet(e) => (
                e.agency,
                state.agency_code(&e.agency),
                "freeze of the agency".to_string(),
                e.frozen,
                e.auditor,
                e.concurring,
            ),
            LedgerEvent::PaymentHoldSet(e) => (
                e.payment,
                state.agency_code(&e.agency),
                format!("hold on payment {}", e.payment),
                e.held,
                e.auditor,
                e.concurring,
            ),
            LedgerEvent::AwardHoldSet(e) => (
                e.award,
                state.agency_code(&e.agency),
                format!("hold on award {}", state.award_id(&e.award)),
                e.held,
                e.auditor,
                e.concurring,
            ),
            LedgerEvent::ExclusionSet(e) => (
                e.exclusion,
                String::new(),
                format!("exclusion of {}", String::from_utf8_lossy(&e.uei)),
                e.status != ExclusionStatus::Lifted,
                e.auditor,
                e.concurring,
            ),
            _ => continue,
        };
        if imposing {
            imposed.insert(on, (auditor, signature));
            continue;
        }
        let Some((imposer, imposed_in)) = imposed.remove(&on) else {
            continue;
        };
        if imposer == auditor {
            continue;
        }
        let second = concurring.map_or_else(|| "no second auditor".to_string(), |c| c.to_string());
        findings.push(Finding {
            id: finding_id(LIFTED_BY_ANOTHER.id, &[&signature]),
            check: LIFTED_BY_ANOTHER.id,
            agency,
            subject: on.to_string(),
            summary: format!(
                "the {what} imposed by auditor {imposer} was lifted by auditor {auditor}, with {second} concurring"
            ),
            records: vec![imposed_in, signature],
        });
    }
    Ok(())
}

/// Every agency that paid within 30 days of its registration: one finding each, with those payments.
fn new_agencies_paying(
    store: &Store,
    state: &LedgerState,
    payments: &[IndexedPayment],
    money: &dyn Fn(u64) -> String,
    findings: &mut Vec<Finding>,
) -> Result<()> {
    const WINDOW: i64 = 30 * DAY;
    for (signature, time, event) in store.events("AgencyRegistered")? {
        let (LedgerEvent::AgencyRegistered(e), Some(registered_at)) = (event, time) else {
            continue;
        };
        let soon = executed_within(payments, registered_at, WINDOW, |p| {
            p.record.agency == e.agency
        });
        let Some(first) = soon.iter().map(|p| p.record.executed_at).min() else {
            continue;
        };
        let (total, records) = event_and_payments(&signature, &soon);
        findings.push(Finding {
            id: finding_id(NEW_AGENCY_PAYING.id, &[&signature]),
            check: NEW_AGENCY_PAYING.id,
            agency: state.agency_code(&e.agency),
            subject: e.head.to_string(),
            summary: format!(
                "registered with head {} and paying {} day(s) later: {} payment(s) of {} in all within 30 days",
                e.head,
                (first - registered_at) / DAY,
                soon.len(),
                money(total)
            ),
            records,
        });
    }
    Ok(())
}

/// Every proposal of a change on a subject an auditor had vetoed before.
fn reproposed_after_veto(
    store: &Store,
    state: &LedgerState,
    findings: &mut Vec<Finding>,
) -> Result<()> {
    let mut vetoed: BTreeMap<Pubkey, (Pubkey, String)> = BTreeMap::new();
    for (signature, _, event) in store.events_of(&["ChangeVetoed", "ChangeProposed"])? {
        match event {
            LedgerEvent::ChangeVetoed(e) => {
                vetoed.insert(e.pending, (e.auditor, signature));
            }
            LedgerEvent::ChangeProposed(e) => {
                let Some((auditor, veto)) = vetoed.get(&e.pending) else {
                    continue;
                };
                findings.push(Finding {
                    id: finding_id(REPROPOSED_AFTER_VETO.id, &[&signature]),
                    check: REPROPOSED_AFTER_VETO.id,
                    agency: state.agency_code(&e.agency),
                    subject: e.pending.to_string(),
                    summary: format!(
                        "{} proposed again by {} after auditor {auditor} vetoed it",
                        change_subject(&e.change),
                        e.proposed_by
                    ),
                    records: vec![veto.clone(), signature],
                });
            }
            _ => {}
        }
    }
    Ok(())
}

/// What a change is about, in words.
fn change_subject(change: &ControlChange) -> String {
    match change {
        ControlChange::Policy { .. } => "the agency's approval policy".to_string(),
        ControlChange::Member { key, .. } => format!("member {key}"),
        ControlChange::Auditors { .. } => "the ledger's auditors".to_string(),
        ControlChange::Limits { .. } => "the ledger's limits".to_string(),
    }
}
