//! The pages: each handler checks its path and query, reads the snapshot, and renders one askama template (or,
//! with `?format=csv|json`, streams its list). A page that cannot be made is a 400 or 404 page with a message.

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::Arc,
};

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::{header, StatusCode},
    response::{Html, IntoResponse, Response},
};
use public_spending::state::{FlagReason, FlagTarget};
use public_spending_sdk::{role_names, LedgerEvent};
use public_spending_watchdog::audit::{self, Finding, CHECKS};

use crate::{
    download,
    model::{award_href, change_text, time_text, AgencyRow, Identity, PaymentRow, Snapshot},
    params::{self, Format, Refusal, View},
    Explorer,
};

type Shared = State<Arc<Explorer>>;
type Params = Query<BTreeMap<String, String>>;

/// The parameters every payment list takes.
const LIST: [&str; 13] = params::LIST_PARAMETERS;

/// The page's payment list, or (with `?format=`) the download that answers the request instead.
macro_rules! list_or_download {
    ($listed:expr) => {
        match $listed {
            Ok(list) => list,
            Err(download) => return Ok(*download),
        }
    };
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    slot: u64,
    heading: &'a str,
    message: &'a str,
}

/// A refusal as a page of its own, with its status.
fn refused(slot: u64, refusal: Refusal) -> Response {
    let heading = if refusal.status == StatusCode::NOT_FOUND {
        "Not found"
    } else {
        "Bad request"
    };
    let page = ErrorPage {
        slot,
        heading,
        message: &refusal.message,
    };
    (refusal.status, render(&page)).into_response()
}

fn render<T: Template>(page: &T) -> Response {
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(err) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the page could not be rendered: {err}"),
        )
            .into_response(),
    }
}

/// Makes a page or its refusal.
fn page(snapshot: &Snapshot, made: Result<Response, Refusal>) -> Response {
    made.unwrap_or_else(|refusal| refused(snapshot.identity.slot, refusal))
}

pub async fn not_found(State(explorer): Shared) -> Response {
    refused(
        explorer.snapshot().identity.slot,
        Refusal::missing("no page here: start from the ledger's home page or search"),
    )
}

/// A file of the site's own, with its type.
fn asset(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

pub async fn style() -> Response {
    asset(
        "text/css; charset=utf-8",
        include_str!("../static/style.css"),
    )
}

/// The verifier compiled to WebAssembly (built by build.rs; empty when the target was missing).
const VERIFIER: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/verifier.wasm"));

pub async fn verify_script() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../static/verify.js"),
    )
}

pub async fn verify_module(State(explorer): Shared) -> Response {
    if VERIFIER.is_empty() {
        return refused(
            explorer.snapshot().identity.slot,
            Refusal::missing(
                "this explorer was built without its verifier (rustup target add wasm32-unknown-unknown)",
            ),
        );
    }
    ([(header::CONTENT_TYPE, "application/wasm")], VERIFIER).into_response()
}

pub async fn flag_script() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../static/flag.js"),
    )
}

/// The reasons a reader may give, as the form and the query name them.
const FLAG_REASONS: [(&str, FlagReason); 6] = [
    ("duplicate-invoice", FlagReason::DuplicateInvoice),
    ("unknown-vendor", FlagReason::UnknownVendor),
    ("price", FlagReason::Price),
    ("split-payment", FlagReason::SplitPayment),
    ("work-not-done", FlagReason::WorkNotDone),
    ("other", FlagReason::Other),
];

/// `raise_flag` on an award as an unsigned transaction for the reader's wallet: the reader's key pays and
/// signs; the server only writes out the instruction the SDK builds (which the wallet shows before signing).
/// Query: `agency`, `award_id`, `flagger`, `nonce`, `reason`, `evidence` (sha256 hex), `blockhash`.
pub async fn flag_transaction(State(explorer): Shared, Query(query): Params) -> Response {
    use std::str::FromStr;
    let snapshot = explorer.snapshot();
    let built = (|| -> Result<serde_json::Value, Refusal> {
        let get = |name: &str| {
            query
                .get(name)
                .map(String::as_str)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| Refusal::bad(format!("{name} is missing")))
        };
        let code = params::agency_code(get("agency")?)?;
        let award_id = get("award_id")?;
        let (award, _) = snapshot
            .state
            .awards
            .iter()
            .find(|(_, a)| a.award_id == award_id && snapshot.state.agency_code(&a.agency) == code)
            .ok_or_else(|| Refusal::missing(format!("agency {code} has no award {award_id:?}")))?;
        let flagger = anchor_lang::prelude::Pubkey::from_str(get("flagger")?)
            .map_err(|_| Refusal::bad("flagger is not a public key (base58)"))?;
        let nonce: u32 = get("nonce")?
            .parse()
            .map_err(|_| Refusal::bad("nonce is not a number from 0 to 4294967295"))?;
        let reason = FLAG_REASONS
            .iter()
            .find(|(name, _)| *name == get("reason").unwrap_or_default())
            .map(|(_, reason)| *reason)
            .ok_or_else(|| {
                Refusal::bad(format!(
                    "reason is one of {}",
                    FLAG_REASONS.map(|(name, _)| name).join(", ")
                ))
            })?;
        let evidence = get("evidence")?;
        let evidence_hash: [u8; 32] = hex::decode(evidence)
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or_else(|| Refusal::bad("evidence is not a sha256 (64 hex digits)"))?;
        let blockhash = solana_sdk::hash::Hash::from_str(get("blockhash")?)
            .map_err(|_| Refusal::bad("blockhash is not a blockhash (base58)"))?;
        let raise = public_spending_sdk::builders::RaiseFlag {
            target: *award,
            payment_award: None,
            target_kind: FlagTarget::Award,
            flagger,
            nonce,
            reason,
            evidence_hash,
            payment_index: None,
        };
        use base64::Engine;
        Ok(serde_json::json!({
            "transaction": base64::engine::general_purpose::STANDARD
                .encode(raise.unsigned_transaction(blockhash)),
            "flag": raise.flag().to_string(),
        }))
    })();
    match built {
        Ok(json) => axum::Json(json).into_response(),
        Err(refusal) => (
            refusal.status,
            axum::Json(serde_json::json!({ "error": refusal.message })),
        )
            .into_response(),
    }
}

/// What the in-browser verifier needs from the page: whose chain, where to read it, and where the page's rows
/// of that chain are (the agency's payments as JSON: fetched when the reader asks, not carried by every page).
pub struct VerifyPanel {
    pub agency: String,
    pub program: String,
    pub decimals: u8,
    pub rpc: String,
    pub claims: String,
    /// The payment the page is about, if it is a payment's page.
    pub focus: String,
}

impl VerifyPanel {
    fn of(explorer: &Explorer, snapshot: &Snapshot, code: &str, focus: &str) -> Option<Self> {
        let (address, _) = snapshot
            .state
            .agencies
            .iter()
            .find(|(_, a)| a.code == code)?;
        Some(Self {
            agency: address.to_string(),
            program: snapshot.identity.program.clone(),
            decimals: snapshot.identity.decimals,
            rpc: explorer
                .rpc()
                .unwrap_or("http://127.0.0.1:8899")
                .to_string(),
            claims: format!("/agency/{code}?format=json"),
            focus: focus.to_string(),
        })
    }
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home<'a> {
    slot: u64,
    identity: &'a Identity,
    agencies: &'a [AgencyRow],
    findings: Vec<&'a Finding>,
    finding_count: usize,
}

pub async fn home(State(explorer): Shared) -> Response {
    let snapshot = explorer.snapshot();
    render(&Home {
        slot: snapshot.identity.slot,
        identity: &snapshot.identity,
        agencies: &snapshot.agencies,
        findings: snapshot.findings.iter().rev().take(10).collect(),
        finding_count: snapshot.findings.len(),
    })
}

/// One page of a payment list, and the links to the others and to the downloads.
pub struct PaymentList<'a> {
    pub caption: String,
    pub rows: Vec<&'a PaymentRow>,
    pub first: usize,
    pub last: usize,
    pub total: usize,
    pub previous: Option<String>,
    pub next: Option<String>,
    pub csv: String,
    pub json: String,
}

/// The payments `view` admits among `candidates` (indices into the snapshot's payments; every payment when
/// none), as a page or (with a format) a download.
fn payment_list<'a>(
    snapshot: &'a Arc<Snapshot>,
    view: &View,
    path: &str,
    caption: String,
    candidates: Option<&[usize]>,
) -> Result<PaymentList<'a>, Box<Response>> {
    let flagged: Option<BTreeSet<&str>> = view.filter.finding.as_ref().map(|check| {
        snapshot
            .findings
            .iter()
            .filter(|f| f.check == check)
            .flat_map(|f| f.records.iter().map(String::as_str))
            .collect()
    });
    let admitted = |i: &usize| view.filter.admits(&snapshot.payments[*i], flagged.as_ref());
    let rows: Vec<usize> = match candidates {
        Some(candidates) => candidates.iter().copied().filter(admitted).collect(),
        None => (0..snapshot.payments.len()).filter(admitted).collect(),
    };
    if view.format != Format::Html {
        let name = path.trim_start_matches('/').replace('/', "-");
        let name = if name.is_empty() {
            "payments".into()
        } else {
            name
        };
        return Err(Box::new(download::respond(
            Arc::clone(snapshot),
            rows,
            |s, i| &s.payments[i],
            view.format,
            &name,
        )));
    }
    let total = rows.len();
    let start = (view.page - 1).saturating_mul(view.per_page).min(total);
    let end = start.saturating_add(view.per_page).min(total);
    let page_link = |page: usize| view.link(path, &[("page", page.to_string())]);
    Ok(PaymentList {
        caption,
        rows: rows[start..end]
            .iter()
            .map(|&i| &snapshot.payments[i])
            .collect(),
        first: if total == 0 { 0 } else { start + 1 },
        last: end,
        total,
        previous: (view.page > 1).then(|| page_link(view.page - 1)),
        next: (end < total).then(|| page_link(view.page + 1)),
        csv: view.link(path, &[("format", "csv".into())]),
        json: view.link(path, &[("format", "json".into())]),
    })
}

/// A month's bar of the agency's chart.
pub struct Bar {
    pub x: usize,
    pub y: u64,
    pub height: u64,
}

pub struct Chart {
    pub width: usize,
    pub top: String,
    pub bars: Vec<Bar>,
}

/// A member's roles at one moment, and how they came to be.
pub struct MemberChange {
    pub when: String,
    pub key: String,
    pub roles: String,
    pub how: &'static str,
    pub signature: String,
}

#[derive(Template)]
#[template(path = "agency.html")]
struct AgencyPage<'a> {
    slot: u64,
    agency: &'a AgencyRow,
    policy: String,
    budget: Vec<(String, String, String, String, String)>,
    chart: Chart,
    months: Vec<(String, u64, String)>,
    pending: Vec<(String, String, String)>,
    members: Vec<MemberChange>,
    list: PaymentList<'a>,
    verify: Option<VerifyPanel>,
}

pub async fn agency(
    State(explorer): Shared,
    Path(code): Path<String>,
    Query(query): Params,
) -> Response {
    let snapshot = explorer.snapshot();
    let made = (|| {
        let code = params::agency_code(&code)?;
        let view = View::read(&query, snapshot.identity.decimals, &LIST)?;
        let row = snapshot
            .agencies
            .iter()
            .find(|a| a.code == code)
            .ok_or_else(|| Refusal::missing(format!("no agency {code} on this ledger")))?;
        let (address, state) = snapshot
            .state
            .agencies
            .iter()
            .find(|(_, a)| a.code == code)
            .ok_or_else(|| Refusal::missing(format!("no agency {code} on this ledger")))?;
        let money = |units: u64| snapshot.money(units);
        let list = list_or_download!(payment_list(
            &snapshot,
            &view,
            &format!("/agency/{code}"),
            format!("Payments of agency {code}"),
            Some(snapshot.by_agency.get(code).map_or(&[][..], Vec::as_slice)),
        ));
        let mut budget = Vec::new();
        for (appropriation_address, a) in snapshot
            .state
            .appropriations
            .iter()
            .filter(|(_, a)| a.agency == *address)
        {
            let tas = format!(
                "{code}-{}-{} FY{}",
                String::from_utf8_lossy(&a.main_account),
                String::from_utf8_lossy(&a.sub_account),
                a.fiscal_year
            );
            budget.push((
                tas.clone(),
                money(a.budget_authority),
                money(a.allotted),
                money(a.obligated),
                money(a.outlayed),
            ));
            for allotment in snapshot
                .state
                .allotments
                .values()
                .filter(|l| l.appropriation == *appropriation_address)
            {
                budget.push((
                    format!(
                        "{tas}, allotment {} (program activity {})",
                        allotment.index,
                        String::from_utf8_lossy(&allotment.program_activity)
                    ),
                    money(allotment.amount),
                    "—".into(),
                    money(allotment.obligated),
                    money(allotment.outlayed),
                ));
            }
        }
        let by_month: &[(String, u64, u64)] = snapshot.months.get(code).map_or(&[], Vec::as_slice);
        let top = by_month
            .iter()
            .map(|(_, _, units)| *units)
            .max()
            .unwrap_or(0);
        let bars = by_month
            .iter()
            .enumerate()
            .map(|(i, (_, _, units))| {
                let height = (units * 120).checked_div(top).unwrap_or(0);
                Bar {
                    x: 10 + i * 30,
                    y: 130 - height,
                    height,
                }
            })
            .collect();
        let chart = Chart {
            width: 20 + by_month.len() * 30,
            top: money(top),
            bars,
        };
        let months = by_month
            .iter()
            .map(|(month, count, units)| (month.clone(), *count, money(*units)))
            .collect();
        // Pending changes: proposed and not yet applied, vetoed or withdrawn.
        let mut pending: BTreeMap<String, (String, String, String)> = BTreeMap::new();
        let mut members = Vec::new();
        for row in snapshot.governance.iter().map(|&i| &snapshot.events[i]) {
            match &row.event {
                LedgerEvent::ChangeProposed(e) if e.agency == *address => {
                    pending.insert(
                        e.pending.to_string(),
                        (
                            change_text(&e.change, &money),
                            row.time.map_or_else(String::new, time_text),
                            time_text(e.effective_at),
                        ),
                    );
                }
                LedgerEvent::ChangeApplied(e) if e.agency == *address => {
                    pending.remove(&e.pending.to_string());
                }
                LedgerEvent::ChangeVetoed(e) if e.agency == *address => {
                    pending.remove(&e.pending.to_string());
                }
                LedgerEvent::ChangeWithdrawn(e) if e.agency == *address => {
                    pending.remove(&e.pending.to_string());
                }
                LedgerEvent::MemberSet(e) if e.agency == *address => {
                    members.push(MemberChange {
                        when: row.time.map_or_else(String::new, time_text),
                        key: e.key.to_string(),
                        roles: format!(
                            "{}{}",
                            role_names(e.roles),
                            if e.active { "" } else { " (inactive)" }
                        ),
                        how: "set by the head",
                        signature: row.signature.clone(),
                    });
                }
                _ => {}
            }
        }
        // A member applied on notice shows as MemberSet too; mark those that followed a ChangeApplied.
        for row in snapshot.governance.iter().map(|&i| &snapshot.events[i]) {
            if let LedgerEvent::ChangeApplied(e) = &row.event {
                if e.agency == *address {
                    for m in members.iter_mut().filter(|m| m.signature == row.signature) {
                        m.how = "applied after notice";
                    }
                }
            }
        }
        let policy = &state.policy;
        Ok(render(&AgencyPage {
            slot: snapshot.identity.slot,
            agency: row,
            policy: format!(
                "payments of {} or more need {} approval(s) and wait {} s after the last; the fast path pays up to {} a day",
                money(policy.threshold),
                policy.approvals_required,
                policy.time_lock_seconds,
                money(policy.fast_path_daily_cap)
            ),
            budget,
            chart,
            months,
            pending: pending.into_values().collect(),
            members,
            list,
            verify: VerifyPanel::of(&explorer, &snapshot, code, ""),
        }))
    })();
    page(&snapshot, made)
}

/// One line of a timeline.
pub struct Moment {
    pub when: String,
    pub what: String,
    pub signature: String,
}

#[derive(Template)]
#[template(path = "award.html")]
struct AwardPage<'a> {
    slot: u64,
    code: String,
    award_id: String,
    uei: String,
    recipient: String,
    kind: String,
    obligated: String,
    outlayed: String,
    period: String,
    status: String,
    timeline: Vec<Moment>,
    list: PaymentList<'a>,
    rpc: String,
    reasons: Vec<&'static str>,
}

pub async fn award(
    State(explorer): Shared,
    Path((code, award_id)): Path<(String, String)>,
    Query(query): Params,
) -> Response {
    let snapshot = explorer.snapshot();
    let made = (|| {
        let code = params::agency_code(&code)?;
        let view = View::read(&query, snapshot.identity.decimals, &LIST)?;
        let state = &snapshot.state;
        let (address, award) = state
            .awards
            .iter()
            .find(|(_, a)| a.award_id == award_id && state.agency_code(&a.agency) == code)
            .ok_or_else(|| Refusal::missing(format!("agency {code} has no award {award_id:?}")))?;
        let money = |units: u64| snapshot.money(units);
        let path = award_href(code, &award_id);
        let list = list_or_download!(payment_list(
            &snapshot,
            &view,
            &path,
            format!("Payments on award {award_id}"),
            Some(
                snapshot
                    .by_award
                    .get(&(code.to_string(), award_id.clone()))
                    .map_or(&[][..], Vec::as_slice),
            ),
        ));
        let payment_addresses: BTreeMap<String, u32> = (0..award.payment_count)
            .map(|i| {
                (
                    public_spending_sdk::pda::payment(address, i).0.to_string(),
                    i,
                )
            })
            .collect();
        let of_payment = |payment: &anchor_lang::prelude::Pubkey| {
            payment_addresses.get(&payment.to_string()).copied()
        };
        let mut timeline = Vec::new();
        let mut relevant: Vec<usize> = snapshot.governance.clone();
        relevant.extend(
            snapshot
                .executed_by_award
                .get(address)
                .into_iter()
                .flatten(),
        );
        relevant.sort_unstable();
        for row in relevant.iter().map(|&i| &snapshot.events[i]) {
            let what = match &row.event {
                LedgerEvent::AwardObligated(e) if e.award == *address => {
                    Some(format!("obligated {}", money(e.amount)))
                }
                LedgerEvent::AwardModified(e) if e.award == *address => Some(format!(
                    "modification {}: {} {} (now {})",
                    e.modification,
                    if e.change < 0 { "deobligated" } else { "added" },
                    money(u64::try_from(e.change.unsigned_abs()).unwrap_or(u64::MAX)),
                    money(e.award_obligated)
                )),
                LedgerEvent::AwardClosed(e) if e.award == *address => Some("closed".into()),
                LedgerEvent::AwardHoldSet(e) if e.award == *address => Some(format!(
                    "{} by an auditor ({:?})",
                    if e.held { "held" } else { "released" },
                    e.reason
                )),
                LedgerEvent::PaymentRequested(e) if e.award == *address => Some(format!(
                    "payment {} requested: {} (needs {} approval(s))",
                    e.index,
                    money(e.amount),
                    e.approvals_required
                )),
                LedgerEvent::PaymentApproved(e) => of_payment(&e.payment).map(|i| {
                    format!(
                        "payment {i} approved by {} ({} of {})",
                        e.approver, e.approvals, e.approvals_required
                    )
                }),
                LedgerEvent::PaymentRejected(e) => {
                    of_payment(&e.payment).map(|i| format!("payment {i} rejected by {}", e.by))
                }
                LedgerEvent::PaymentCancelled(e) => {
                    of_payment(&e.payment).map(|i| format!("payment {i} cancelled"))
                }
                LedgerEvent::PaymentHoldSet(e) => of_payment(&e.payment).map(|i| {
                    format!(
                        "payment {i} {} by an auditor ({:?})",
                        if e.held { "held" } else { "released" },
                        e.reason
                    )
                }),
                LedgerEvent::PaymentExecuted(e) if e.record.award == *address => Some(format!(
                    "payment {} executed on the {}: {}",
                    e.record.payment_index,
                    if e.fast_path {
                        "fast path"
                    } else {
                        "approval path"
                    },
                    money(e.record.amount)
                )),
                LedgerEvent::FlagRaised(e) if e.target == *address => {
                    Some(format!("public flag raised: {:?}", e.reason))
                }
                _ => None,
            };
            if let Some(what) = what {
                timeline.push(Moment {
                    when: row.time.map_or_else(String::new, time_text),
                    what,
                    signature: row.signature.clone(),
                });
            }
        }
        let day = |t: i64| time_text(t).get(..10).unwrap_or("").to_string();
        Ok(render(&AwardPage {
            slot: snapshot.identity.slot,
            code: code.to_string(),
            award_id: award.award_id.clone(),
            uei: state.uei(&award.recipient),
            recipient: state.public_name(&award.recipient),
            kind: format!("{:?}", award.award_type),
            obligated: money(award.obligated),
            outlayed: money(award.outlayed),
            period: format!(
                "{} to {}",
                day(award.period_start),
                day(award.period_end.saturating_sub(1))
            ),
            status: format!(
                "{:?}{}",
                award.status,
                if award.held { ", held" } else { "" }
            ),
            timeline,
            list,
            rpc: explorer
                .rpc()
                .unwrap_or("http://127.0.0.1:8899")
                .to_string(),
            reasons: FLAG_REASONS.iter().map(|(name, _)| *name).collect(),
        }))
    })();
    page(&snapshot, made)
}

#[derive(Template)]
#[template(path = "recipient.html")]
struct RecipientPage<'a> {
    slot: u64,
    uei: String,
    records: Vec<(String, String, String, String, u32)>,
    history: Vec<Moment>,
    list: PaymentList<'a>,
}

pub async fn recipient(
    State(explorer): Shared,
    Path(uei): Path<String>,
    Query(query): Params,
) -> Response {
    let snapshot = explorer.snapshot();
    let made = (|| {
        let uei = params::uei(&uei)?;
        let view = View::read(&query, snapshot.identity.decimals, &LIST)?;
        let state = &snapshot.state;
        let records: Vec<(String, String, String, String, u32)> = state
            .recipients
            .iter()
            .filter(|(_, r)| r.uei == uei.as_bytes())
            .map(|(address, r)| {
                (
                    state.agency_code(&r.agency),
                    state.public_name(address),
                    time_text(r.registered_at),
                    r.payout_wallet.to_string(),
                    r.payout_change_count,
                )
            })
            .collect();
        if records.is_empty() {
            return Err(Refusal::missing(format!(
                "no agency of this ledger has registered UEI {uei}"
            )));
        }
        let list = list_or_download!(payment_list(
            &snapshot,
            &view,
            &format!("/recipient/{uei}"),
            format!("Payments to {uei}"),
            Some(snapshot.by_uei.get(&uei).map_or(&[][..], Vec::as_slice)),
        ));
        let mut history = Vec::new();
        for row in snapshot.governance.iter().map(|&i| &snapshot.events[i]) {
            let what = match &row.event {
                LedgerEvent::ExclusionSet(e) if e.uei == uei.as_bytes() => {
                    Some(format!("{:?} by an auditor ({:?})", e.status, e.reason))
                }
                LedgerEvent::PayoutWalletConfirmed(e) if e.uei == uei.as_bytes() => Some(format!(
                    "agency {}: payout wallet changed from {} to {}",
                    state.agency_code(&e.agency),
                    e.previous_wallet,
                    e.payout_wallet
                )),
                _ => None,
            };
            if let Some(what) = what {
                history.push(Moment {
                    when: row.time.map_or_else(String::new, time_text),
                    what,
                    signature: row.signature.clone(),
                });
            }
        }
        Ok(render(&RecipientPage {
            slot: snapshot.identity.slot,
            uei,
            records,
            history,
            list,
        }))
    })();
    page(&snapshot, made)
}

#[derive(Template)]
#[template(path = "payment.html")]
struct PaymentPage<'a> {
    slot: u64,
    signature: String,
    time: String,
    cluster_link: Option<String>,
    payments: Vec<&'a PaymentRow>,
    events: Vec<(&'static str, String)>,
    verify: Option<VerifyPanel>,
}

pub async fn payment(State(explorer): Shared, Path(signature): Path<String>) -> Response {
    let snapshot = explorer.snapshot();
    let made = (|| {
        let signature = params::signature(&signature)?;
        let events: Vec<_> = snapshot
            .events
            .iter()
            .filter(|e| e.signature == signature)
            .collect();
        let payments: Vec<&PaymentRow> = snapshot
            .payments
            .iter()
            .filter(|p| p.signature == signature)
            .collect();
        let Some(first) = events.first() else {
            return Err(Refusal::missing(format!(
                "the index holds no event of transaction {signature}"
            )));
        };
        let slot = first.slot;
        let verify = payments
            .first()
            .and_then(|p| VerifyPanel::of(&explorer, &snapshot, &p.agency, &signature));
        Ok(render(&PaymentPage {
            verify,
            slot,
            time: first.time.map_or_else(String::new, time_text),
            cluster_link: explorer.cluster().map(|cluster| {
                format!("https://explorer.solana.com/tx/{signature}?cluster={cluster}")
            }),
            signature,
            payments,
            events: events
                .iter()
                .map(|e| (e.event.name(), format!("{:?}", e.event)))
                .collect(),
        }))
    })();
    page(&snapshot, made)
}

#[derive(Template)]
#[template(path = "property.html")]
struct PropertyPage {
    slot: u64,
    code: String,
    rpuid: String,
    fields: Vec<(&'static str, String)>,
    awards: Vec<(String, String, String, String)>,
}

pub async fn property(
    State(explorer): Shared,
    Path((code, rpuid)): Path<(String, String)>,
) -> Response {
    let snapshot = explorer.snapshot();
    let made = (|| {
        let code = params::agency_code(&code)?;
        let state = &snapshot.state;
        let (address, property) = state
            .properties
            .iter()
            .find(|(_, p)| p.rpuid == rpuid && state.agency_code(&p.agency) == code)
            .ok_or_else(|| Refusal::missing(format!("agency {code} has no property {rpuid:?}")))?;
        let money = |units: u64| snapshot.money(units);
        let d = &property.details;
        let awards: Vec<(String, String, String, String)> = state
            .awards
            .values()
            .filter(|a| a.property == *address)
            .map(|a| {
                (
                    award_href(code, &a.award_id),
                    a.award_id.clone(),
                    money(a.obligated),
                    money(a.outlayed),
                )
            })
            .collect();
        let outlayed: u64 = state
            .awards
            .values()
            .filter(|a| a.property == *address)
            .map(|a| a.outlayed)
            .sum();
        let per_unit = outlayed.checked_div(d.size).map_or_else(
            || "-".to_string(),
            |per| format!("{} per {:?}", money(per), d.size_unit),
        );
        Ok(render(&PropertyPage {
            slot: snapshot.identity.slot,
            code: code.to_string(),
            rpuid: property.rpuid.clone(),
            fields: vec![
                ("Type", format!("{:?}", d.property_type)),
                ("Use", format!("{:?}", d.property_use)),
                ("Legal interest", format!("{:?}", d.legal_interest)),
                ("Status", format!("{:?}", d.status)),
                ("Size", format!("{} {:?}", d.size, d.size_unit)),
                ("Location", format!("{:?}", d.location)),
                ("Condition index", d.condition_index.to_string()),
                ("Annual operating cost", money(d.annual_operating_cost)),
                ("Annual rent", money(d.annual_rent)),
                ("Paid through its awards", money(outlayed)),
                ("Cost per unit of size", per_unit),
            ],
            awards,
        }))
    })();
    page(&snapshot, made)
}

#[derive(Template)]
#[template(path = "flags.html")]
struct FlagsPage {
    slot: u64,
    flags: Vec<(String, String, String, String, String, Vec<String>)>,
}

pub async fn flags(State(explorer): Shared) -> Response {
    let snapshot = explorer.snapshot();
    render(&FlagsPage {
        slot: snapshot.identity.slot,
        flags: snapshot
            .flags
            .iter()
            .map(|f| {
                (
                    f.raised_at.map_or_else(String::new, time_text),
                    f.agency.clone(),
                    format!("{} {}", f.target_kind, f.subject),
                    f.reason.clone(),
                    f.status_text.to_string(),
                    f.records.clone(),
                )
            })
            .collect(),
    })
}

#[derive(Template)]
#[template(path = "findings.html")]
struct FindingsPage<'a> {
    slot: u64,
    findings: &'a [Finding],
}

pub async fn findings(State(explorer): Shared, Query(query): Params) -> Response {
    let snapshot = explorer.snapshot();
    let made = (|| {
        let view = View::read(&query, snapshot.identity.decimals, &["format"])?;
        if view.format != Format::Html {
            let rows = (0..snapshot.findings.len()).collect();
            return Ok(download::respond(
                Arc::clone(&snapshot),
                rows,
                |s, i| &s.findings[i],
                view.format,
                "findings",
            ));
        }
        Ok(render(&FindingsPage {
            slot: snapshot.identity.slot,
            findings: &snapshot.findings,
        }))
    })();
    page(&snapshot, made)
}

#[derive(Template)]
#[template(path = "finding.html")]
struct FindingPage<'a> {
    slot: u64,
    finding: &'a Finding,
    title: &'static str,
    explanation: &'static str,
    thresholds: String,
}

pub async fn finding(State(explorer): Shared, Path(id): Path<String>) -> Response {
    let snapshot = explorer.snapshot();
    let made = (|| {
        let finding = snapshot
            .findings
            .iter()
            .find(|f| f.id == id)
            .ok_or_else(|| Refusal::missing(format!("no finding {id:?} in this index")))?;
        let check = CHECKS
            .iter()
            .find(|c| c.id == finding.check)
            .ok_or_else(|| Refusal::missing("a finding of an unknown check"))?;
        let options = audit::AuditOptions::default();
        Ok(render(&FindingPage {
            slot: snapshot.identity.slot,
            finding,
            title: check.title,
            explanation: check.explanation,
            thresholds: format!(
                "split window {} days; new recipient {} days; year-end spike above {}% of an average four weeks; dominant approver above {}% with {} or more approvers; wallet change {} days; loosening {} days",
                options.split_window_seconds / 86_400,
                options.new_recipient_seconds / 86_400,
                options.spike_percent,
                options.dominant_percent,
                options.min_approvers,
                options.wallet_change_seconds / 86_400,
                options.loosening_seconds / 86_400
            ),
        }))
    })();
    page(&snapshot, made)
}

/// The search form as the URL filled it.
pub struct SearchForm {
    pub q: String,
    pub agency: String,
    pub fy: String,
    pub from: String,
    pub to: String,
    pub min: String,
    pub max: String,
    pub path: String,
    pub finding: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage<'a> {
    slot: u64,
    form: SearchForm,
    checks: Vec<String>,
    list: PaymentList<'a>,
}

pub async fn search(State(explorer): Shared, Query(query): Params) -> Response {
    let snapshot = explorer.snapshot();
    let made = (|| {
        let view = View::read(&query, snapshot.identity.decimals, &LIST)?;
        let list = list_or_download!(payment_list(
            &snapshot,
            &view,
            "/search",
            "Payments matching the search".into(),
            None,
        ));
        let field = |name: &str| query.get(name).cloned().unwrap_or_default();
        Ok(render(&SearchPage {
            slot: snapshot.identity.slot,
            form: SearchForm {
                q: field("q"),
                agency: field("agency"),
                fy: field("fy"),
                from: field("from"),
                to: field("to"),
                min: field("min"),
                max: field("max"),
                path: field("path"),
                finding: field("finding"),
            },
            checks: CHECKS.iter().map(|c| c.id.to_string()).collect(),
            list,
        }))
    })();
    page(&snapshot, made)
}
