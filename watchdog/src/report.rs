//! `report`: one self-contained HTML file (nothing is fetched when it is viewed) with the charts drawn in Rust
//! as inline SVG: budget execution per agency, monthly outlays per agency, the top recipients, the audit's
//! findings each with its payments (award id, date, amount, and the transaction linked in an explorer of the
//! ledger's cluster), the public flags, the property and what it cost, and the verification status with every
//! chain head. Amounts are US dollars (the stablecoin's units) with thousands separators; charts name their
//! axes and the agencies; the report states the dates its data covers and when it was generated.

use std::collections::BTreeMap;

use anchor_lang::prelude::Pubkey;
use plotters::prelude::*;
use public_spending_sdk::amount::format_grouped;
use serde::Serialize;

use crate::{
    audit::{flag_histories, AuditReport},
    ledger::LedgerState,
    store::IndexedPayment,
    verify::VerifyReport,
    Result, Store, WatchdogError,
};

/// Where the report links transactions: an explorer URL that takes the cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportOptions {
    /// The explorer's query for the ledger's cluster: `cluster=devnet`, `cluster=mainnet-beta`, or
    /// `cluster=custom&customUrl=...` for another node ([`explorer_query`]).
    pub explorer_query: String,
}

impl Default for ReportOptions {
    fn default() -> Self {
        Self {
            explorer_query: explorer_query("http://127.0.0.1:8899"),
        }
    }
}

/// The explorer query naming the cluster an RPC URL serves: the public clusters by name, any other node as a
/// custom cluster at its URL.
pub fn explorer_query(rpc_url: &str) -> String {
    for (host, cluster) in [
        ("api.mainnet-beta.solana.com", "mainnet-beta"),
        ("api.devnet.solana.com", "devnet"),
        ("api.testnet.solana.com", "testnet"),
    ] {
        if rpc_url.contains(host) {
            return format!("cluster={cluster}");
        }
    }
    let encoded: String = rpc_url
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("cluster=custom&customUrl={encoded}")
}

/// A transaction's page in the explorer.
pub fn explorer_tx_url(signature: &str, options: &ReportOptions) -> String {
    format!(
        "https://explorer.solana.com/tx/{signature}?{}",
        options.explorer_query
    )
}

#[derive(Serialize)]
struct RecordLink {
    /// Award id, date and amount when the record is a payment; empty for another event's transaction.
    award_id: String,
    date: String,
    amount: String,
    signature: String,
    url: String,
}

#[derive(Serialize)]
struct FindingRow {
    agency: String,
    subject: String,
    summary: String,
    records: Vec<RecordLink>,
}

#[derive(Serialize)]
struct FlagRow {
    agency: String,
    subject: String,
    target_kind: String,
    reason: String,
    status: &'static str,
    raised: String,
    url: String,
}

#[derive(Serialize)]
struct PropertyRow {
    agency: String,
    rpuid: String,
    description: String,
    size: String,
    awards: usize,
    paid: String,
    per_square_foot: String,
}

const TEMPLATE: &str = include_str!("../templates/report.html");
const WIDTH: u32 = 1000;
const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

#[derive(Serialize)]
struct AgencyRow {
    code: String,
    name: String,
    authority: String,
    allotted: String,
    obligated: String,
    outlayed: String,
}

#[derive(Serialize)]
struct RecipientRow {
    name: String,
    uei: String,
    paid: String,
    payments: u64,
}

fn chart_error(e: impl std::fmt::Display) -> WatchdogError {
    WatchdogError::Invalid(format!("cannot draw a chart: {e}"))
}

/// Whole units of the mint, for chart axes.
fn units(amount: u64, decimals: u8) -> f64 {
    amount as f64 / 10f64.powi(i32::from(decimals))
}

fn day(time: i64) -> String {
    chrono::DateTime::from_timestamp(time, 0)
        .map_or_else(String::new, |t| t.format("%Y-%m-%d").to_string())
}

/// Renders the report. `generated` is the time it is generated at (unix seconds, the real time). Without a
/// verification (an audit-only report) the verification section says it was not run.
pub fn render(
    store: &Store,
    audit: &AuditReport,
    verify: Option<&VerifyReport>,
    generated: i64,
    options: &ReportOptions,
) -> Result<String> {
    let state = LedgerState::from_store(store)?;
    let decimals = state.decimals();
    let money = |u: u64| format!("${}", format_grouped(u, decimals));
    let payments = store.payments()?;
    let by_signature: BTreeMap<&str, Vec<&IndexedPayment>> =
        payments.iter().fold(BTreeMap::new(), |mut map, p| {
            map.entry(p.signature.as_str())
                .or_insert_with(Vec::new)
                .push(p);
            map
        });
    let link = |signature: &String| -> Vec<RecordLink> {
        let url = explorer_tx_url(signature, options);
        match by_signature.get(signature.as_str()) {
            Some(paid) => paid
                .iter()
                .map(|p| RecordLink {
                    award_id: state.award_id(&p.record.award),
                    date: day(p.record.executed_at),
                    amount: money(p.record.amount),
                    signature: signature.clone(),
                    url: url.clone(),
                })
                .collect(),
            None => vec![RecordLink {
                award_id: String::new(),
                date: String::new(),
                amount: String::new(),
                signature: signature.clone(),
                url,
            }],
        }
    };
    let findings: Vec<FindingRow> = audit
        .findings
        .iter()
        .map(|f| FindingRow {
            agency: f.agency.clone(),
            subject: f.subject.clone(),
            summary: f.summary.clone(),
            records: f.records.iter().flat_map(&link).collect(),
        })
        .collect();
    let finding_checks: Vec<(&str, Vec<&FindingRow>)> = audit
        .checks
        .iter()
        .map(|check| {
            let rows = audit
                .findings
                .iter()
                .zip(&findings)
                .filter(|(f, _)| f.check == check.id)
                .map(|(_, row)| row)
                .collect();
            (check.id, rows)
        })
        .collect();
    let flags: Vec<FlagRow> = flag_histories(store, &state)?
        .into_iter()
        .map(|f| FlagRow {
            agency: f.agency.clone(),
            subject: f.subject.clone(),
            target_kind: f.target_kind.clone(),
            reason: f.reason.clone(),
            status: f.status_words(),
            raised: f.raised_at.map(day).unwrap_or_default(),
            url: f
                .records
                .first()
                .map(|s| explorer_tx_url(s, options))
                .unwrap_or_default(),
        })
        .collect();
    let properties: Vec<PropertyRow> = state
        .properties
        .iter()
        .map(|(address, p)| {
            let charged: Vec<_> = state
                .awards
                .values()
                .filter(|a| a.property == *address)
                .collect();
            let paid: u64 = charged.iter().map(|a| a.outlayed).sum();
            let d = &p.details;
            let square_feet = d.size_unit == public_spending::state::SizeUnit::SquareFeet;
            PropertyRow {
                agency: state.agency_code(&p.agency),
                rpuid: p.rpuid.clone(),
                description: format!(
                    "{:?} {:?}, {:?}, {}, {}",
                    d.property_type,
                    d.property_use,
                    d.legal_interest,
                    d.location.city,
                    String::from_utf8_lossy(&d.location.state)
                ),
                size: if square_feet {
                    format!("{} sq ft", format_grouped(d.size, 0))
                } else {
                    format!("{} acres", format_grouped(d.size, 2))
                },
                awards: charged.len(),
                paid: money(paid),
                per_square_foot: if square_feet && d.size > 0 {
                    money(paid / d.size)
                } else {
                    String::new()
                },
            }
        })
        .collect();
    let first = payments.iter().map(|p| p.record.executed_at).min();
    let last = payments.iter().map(|p| p.record.executed_at).max();

    let agencies: Vec<AgencyRow> = state
        .agencies
        .values()
        .map(|a| AgencyRow {
            code: a.code.clone(),
            name: a.name.clone(),
            authority: money(a.budget_authority),
            allotted: money(a.allotted),
            obligated: money(a.obligated),
            outlayed: money(a.outlayed),
        })
        .collect();

    let mut monthly: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    let mut by_recipient: BTreeMap<Pubkey, (u64, u64)> = BTreeMap::new();
    for p in &payments {
        let month = chrono::DateTime::from_timestamp(p.record.executed_at, 0)
            .map_or_else(String::new, |t| t.format("%Y-%m").to_string());
        *monthly
            .entry(state.agency_code(&p.record.agency))
            .or_default()
            .entry(month)
            .or_default() += p.record.amount;
        let entry = by_recipient.entry(p.record.recipient).or_default();
        entry.0 += p.record.amount;
        entry.1 += 1;
    }
    let mut top: Vec<(Pubkey, (u64, u64))> = by_recipient.into_iter().collect();
    top.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(&b.0)));
    top.truncate(10);
    let recipients: Vec<RecipientRow> = top
        .iter()
        .map(|(key, (paid, count))| RecipientRow {
            name: state.public_name(key),
            uei: state.uei(key),
            paid: money(*paid),
            payments: *count,
        })
        .collect();

    let budget_chart = budget_chart(&state)?;
    let names: BTreeMap<String, String> = state
        .agencies
        .values()
        .map(|a| (a.code.clone(), format!("{} {}", a.code, a.name)))
        .collect();
    let monthly: BTreeMap<String, BTreeMap<String, u64>> = monthly
        .into_iter()
        .map(|(code, months)| (names.get(&code).cloned().unwrap_or(code), months))
        .collect();
    let monthly_chart = monthly_chart(&monthly, decimals)?;
    let recipients_chart = recipients_chart(&state, &top, decimals)?;

    let mut env = minijinja::Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    env.add_template("report.html", TEMPLATE)
        .map_err(|e| WatchdogError::Invalid(format!("report template: {e}")))?;
    let template = env
        .get_template("report.html")
        .map_err(|e| WatchdogError::Invalid(format!("report template: {e}")))?;
    template
        .render(minijinja::context! {
            program => public_spending::ID.to_string(),
            generated => chrono::DateTime::from_timestamp(generated, 0)
                .map_or_else(String::new, |t| t.format("%Y-%m-%d %H:%M UTC").to_string()),
            generated_iso => chrono::DateTime::from_timestamp(generated, 0)
                .map_or_else(String::new, |t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            payments => payments.len(),
            first_payment => first.map(day).unwrap_or_default(),
            last_payment => last.map(day).unwrap_or_default(),
            explorer_query => options.explorer_query.clone(),
            flags => flags,
            properties => properties,
            finding_checks => finding_checks,
            finding_rows => findings,
            verification_run => verify.is_some(),
            verified => verify.is_some_and(VerifyReport::is_clean),
            mismatches => verify.map(|v| v.mismatches.clone()).unwrap_or_default(),
            chains => verify.map(|v| v.chains.clone()).unwrap_or_default(),
            agencies => agencies,
            recipients => recipients,
            checks => &audit.checks,
            findings => &audit.findings,
            budget_chart => budget_chart,
            monthly_chart => monthly_chart,
            recipients_chart => recipients_chart,
        })
        .map_err(|e| WatchdogError::Invalid(format!("report template: {e}")))
}

/// The charts' text: tick labels, axis titles and legends, large enough to read at the report's width.
const LABEL_FONT: (&str, u32) = ("sans-serif", 15);
const TITLE_FONT: (&str, u32) = ("sans-serif", 16);
/// Head room above the highest value, where the legend sits clear of every bar and line.
const HEADROOM: f64 = 1.45;

/// Whole dollars with thousands separators, for an axis: `$7,000,000`.
fn dollars(value: f64) -> String {
    format!("${}", format_grouped(value.max(0.0).round() as u64, 0))
}

/// The legend box of the series drawn so far, in the charts' one style, in the head room at the top left.
fn draw_legend<'a, X, Y>(
    chart: &mut ChartContext<'a, SVGBackend<'a>, Cartesian2d<X, Y>>,
) -> Result<()>
where
    X: plotters::coord::ranged1d::Ranged,
    Y: plotters::coord::ranged1d::Ranged,
{
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font(LABEL_FONT)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()
        .map_err(chart_error)
}

/// The label of a whole-number tick (`name(i)` at `i`), none between them.
fn label_at(at: f64, name: impl Fn(usize) -> Option<String>) -> String {
    let i = at.round();
    if (at - i).abs() > 1e-6 || i < 0.0 {
        return String::new();
    }
    name(i as usize).unwrap_or_default()
}

/// Gives a plotters SVG the class and label the report (and its rendering test) look for.
fn tagged(svg: String, name: &str) -> String {
    svg.replacen(
        "<svg ",
        &format!("<svg class=\"chart\" data-chart=\"{name}\" role=\"img\" "),
        1,
    )
}

fn budget_chart(state: &LedgerState) -> Result<String> {
    let decimals = state.decimals();
    let agencies: Vec<_> = state.agencies.values().collect();
    let series = ["budget authority", "allotted", "obligated", "outlayed"];
    let max = agencies
        .iter()
        .map(|a| units(a.budget_authority, decimals))
        .fold(1.0, f64::max);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, 420)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let groups = agencies.len().max(1) as f64;
        let mut chart = ChartBuilder::on(&root)
            .margin(15)
            .x_label_area_size(55)
            .y_label_area_size(130)
            .build_cartesian_2d(-0.5..groups - 0.5, 0.0..max * HEADROOM)
            .map_err(chart_error)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(agencies.len().max(1))
            .x_label_formatter(&|x| label_at(*x, |i| agencies.get(i).map(|a| a.name.clone())))
            .y_label_formatter(&|y| dollars(*y))
            .label_style(LABEL_FONT)
            .axis_desc_style(TITLE_FONT)
            .x_desc("Agency")
            .y_desc("US dollars")
            .draw()
            .map_err(chart_error)?;
        for (s, name) in series.iter().enumerate() {
            let color = PALETTE[s];
            chart
                .draw_series(agencies.iter().enumerate().map(|(i, a)| {
                    let value = [a.budget_authority, a.allotted, a.obligated, a.outlayed][s];
                    let left = i as f64 - 0.4 + s as f64 * 0.2;
                    Rectangle::new(
                        [(left, 0.0), (left + 0.18, units(value, decimals))],
                        color.filled(),
                    )
                }))
                .map_err(chart_error)?
                .label(*name)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled())
                });
        }
        draw_legend(&mut chart)?;
        root.present().map_err(chart_error)?;
    }
    Ok(tagged(svg, "budget"))
}

fn monthly_chart(
    monthly: &BTreeMap<String, BTreeMap<String, u64>>,
    decimals: u8,
) -> Result<String> {
    let months: Vec<String> = monthly
        .values()
        .flat_map(|m| m.keys().cloned())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let max = monthly
        .values()
        .flat_map(|m| m.values())
        .map(|u| units(*u, decimals))
        .fold(1.0, f64::max);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, 420)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let mut chart = ChartBuilder::on(&root)
            .margin(15)
            .margin_right(40)
            .x_label_area_size(55)
            .y_label_area_size(130)
            .build_cartesian_2d(0.0..(months.len().max(2) - 1) as f64, 0.0..max * HEADROOM)
            .map_err(chart_error)?;
        chart
            .configure_mesh()
            .x_labels(months.len().max(2))
            .x_label_formatter(&|x| months.get(x.round() as usize).cloned().unwrap_or_default())
            .y_label_formatter(&|y| dollars(*y))
            .label_style(LABEL_FONT)
            .axis_desc_style(TITLE_FONT)
            .x_desc("Month (UTC)")
            .y_desc("US dollars outlayed")
            .draw()
            .map_err(chart_error)?;
        for (s, (agency, by_month)) in monthly.iter().enumerate() {
            let color = PALETTE[s % PALETTE.len()];
            let points: Vec<(f64, f64)> = months
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    (
                        i as f64,
                        units(by_month.get(m).copied().unwrap_or(0), decimals),
                    )
                })
                .collect();
            chart
                .draw_series(LineSeries::new(points, color.stroke_width(2)))
                .map_err(chart_error)?
                .label(agency.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 15, y)], color.stroke_width(2))
                });
        }
        draw_legend(&mut chart)?;
        root.present().map_err(chart_error)?;
    }
    Ok(tagged(svg, "monthly"))
}

fn recipients_chart(
    state: &LedgerState,
    top: &[(Pubkey, (u64, u64))],
    decimals: u8,
) -> Result<String> {
    let max = top
        .iter()
        .map(|(_, (paid, _))| units(*paid, decimals))
        .fold(1.0, f64::max);
    let rows = top.len().max(1);
    let mut svg = String::new();
    {
        let root =
            SVGBackend::with_string(&mut svg, (WIDTH, 90 + 34 * rows as u32)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let mut chart = ChartBuilder::on(&root)
            .margin(15)
            .margin_right(60)
            .x_label_area_size(55)
            .y_label_area_size(150)
            .build_cartesian_2d(0.0..max * 1.1, -0.5..rows as f64 - 0.5)
            .map_err(chart_error)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(rows)
            .y_label_formatter(&|y| {
                label_at(*y, |i| {
                    top.get(rows.checked_sub(1 + i)?)
                        .map(|(key, _)| state.uei(key))
                })
            })
            .x_label_formatter(&|x| dollars(*x))
            .label_style(LABEL_FONT)
            .axis_desc_style(TITLE_FONT)
            .x_desc("US dollars paid")
            .y_desc("Recipient (UEI)")
            .draw()
            .map_err(chart_error)?;
        chart
            .draw_series(top.iter().enumerate().map(|(i, (_, (paid, _)))| {
                let y = (rows - 1 - i) as f64;
                Rectangle::new(
                    [(0.0, y - 0.35), (units(*paid, decimals), y + 0.35)],
                    PALETTE[0].filled(),
                )
            }))
            .map_err(chart_error)?;
        root.present().map_err(chart_error)?;
    }
    Ok(tagged(svg, "recipients"))
}
