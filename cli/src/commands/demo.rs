//! `pubspend demo`: a whole fiscal year on the embedded chain, with no validator and no setup.
//!
//! The year itself is [`public_spending_scenario::fiscal_year::play`]; this command gives it its arguments,
//! prints its narration, has the watchdog index, verify and audit it, and writes what happened to a folder:
//! `demo.json` (the typed outcome), `chain.json` (the chain, for every other command), `index.sqlite` and
//! `report.html`.

use std::{
    path::{Path, PathBuf},
    sync::OnceLock,
    time::Instant,
};

use clap::Args;
use indicatif::ProgressBar;
use public_spending_embedded::{Access, StateFile};
use public_spending_scenario::fiscal_year::{self, FiscalYear, Narration, DECIMALS};
use public_spending_watchdog::{audit, index, report, verify, Store};
use serde::Serialize;

use crate::{
    error::fail,
    error::CliResult,
    files::write_file,
    output::{progress, Field, Format, Output, Table},
};

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Folder for demo.json, chain.json, index.sqlite and report.html
    #[arg(long, default_value = "pubspend-demo")]
    pub output_dir: PathBuf,
    /// Payments per agency per month
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u32).range(1..=40))]
    pub payments_per_month: u32,
    /// Pay in a Token-2022 stablecoin instead of an SPL Token one
    #[arg(long)]
    pub token_2022: bool,
}

/// demo.json: the year's outcome, and the watchdog's verdict on it.
#[derive(Serialize)]
struct DemoJson<'a> {
    #[serde(flatten)]
    year: &'a FiscalYear,
    hash_chains_verified: bool,
    wall_seconds: f64,
}

/// What `--output json` prints.
#[derive(Serialize)]
struct Summary<'a> {
    payments: usize,
    fast_path: usize,
    approval_path: usize,
    refused: usize,
    planted: usize,
    flags: usize,
    hash_chains_verified: bool,
    agencies: &'a [fiscal_year::AgencyBooks],
    demo_json: String,
}

/// Plays the year, narrating it as it goes (the one output printed while the command runs), and returns the
/// books and the summary for `main` to print.
pub async fn run(args: DemoArgs, format: Format) -> CliResult<Output> {
    let started = Instant::now();
    if let Err(err) = std::fs::create_dir_all(&args.output_dir) {
        fail!("cannot create {}: {err}", args.output_dir.display());
    }
    let narrate = format == Format::Table;
    let bar: OnceLock<ProgressBar> = OnceLock::new();
    let say = |line: &str| match bar.get() {
        Some(bar) => bar.suspend(|| crate::output::say!("{line}")),
        None => crate::output::say!("{line}"),
    };
    let narration = |event: Narration| match event {
        Narration::Line(line) if narrate => say(&line),
        Narration::Paying { total } if narrate => {
            let _ = bar.set(progress(total, "paying invoices"));
        }
        Narration::Paid => {
            if let Some(bar) = bar.get() {
                bar.inc(1);
            }
        }
        _ => {}
    };
    let options = fiscal_year::Options {
        payments_per_month: args.payments_per_month,
        token_2022: args.token_2022,
    };
    let year = fiscal_year::play(options, &narration)
        .await
        .map_err(|err| crate::error::CliError(err.to_string()))?;
    if let Some(bar) = bar.get() {
        bar.finish_and_clear();
    }

    // The watchdog indexes the year and verifies every hash chain and total against the chain: the demo's
    // "verified" is the watchdog's.
    let (report_path, chains_ok) = watchdog_report(&year, &args.output_dir).await?;
    let path = args.output_dir.join("demo.json");
    let dump = DemoJson {
        year: &year,
        hash_chains_verified: chains_ok,
        wall_seconds: started.elapsed().as_secs_f64(),
    };
    let text = match serde_json::to_string_pretty(&dump) {
        Ok(text) => text,
        Err(err) => fail!("cannot encode demo.json: {err}"),
    };
    write_file(&path, text.as_bytes())?;
    // The chain itself, with its history, so that every watchdog command runs on the demo's ledger.
    let chain_path = args.output_dir.join("chain.json");
    let state = StateFile::lock(&chain_path, Access::Write)?;
    state.save(&year.chain).await?;
    let text = format!(
        "\n{}\n\n{} payments executed ({} fast path, {} approval path), {} attempts refused; hash chains {}\nwrote {}, {} and {} in {:.1}s",
        books_table(&year),
        year.payments.len(),
        year.fast_path(),
        year.approval_path(),
        year.refused.len(),
        if chains_ok { "verified" } else { "MISMATCH" },
        path.display(),
        chain_path.display(),
        report_path.display(),
        started.elapsed().as_secs_f64()
    );
    let summary = Summary {
        payments: year.payments.len(),
        fast_path: year.fast_path(),
        approval_path: year.approval_path(),
        refused: year.refused.len(),
        planted: year.planted.len(),
        flags: year.flags.len(),
        hash_chains_verified: chains_ok,
        agencies: &year.agencies,
        demo_json: path.display().to_string(),
    };
    let json = match serde_json::to_value(&summary) {
        Ok(json) => json,
        Err(err) => fail!("cannot encode the summary: {err}"),
    };
    let output = Output::Text { text, json };
    if chains_ok {
        Ok(output)
    } else {
        Ok(output.failing("an outlay hash chain does not match its events".into()))
    }
}

/// Every agency's books at the year's end, for people.
fn books_table(year: &FiscalYear) -> Table {
    let mut table = Table::new(&[
        "agency",
        "authority",
        "allotted",
        "obligated",
        "outlayed",
        "payments",
        "outlay_hash_head",
    ]);
    let units = |u| Field::amount(u, DECIMALS);
    for books in &year.agencies {
        table.push(vec![
            format!("{} {}", books.code, books.name).into(),
            units(books.budget_authority),
            units(books.allotted),
            units(books.obligated),
            units(books.outlayed),
            books.payments.into(),
            Field::Hash(books.outlay_hash),
        ]);
    }
    table
}

/// Indexes the year's chain beside demo.json (`index.sqlite`), verifies and audits it, and writes the HTML
/// report (`report.html`). Returns the report's path and whether the verification is clean.
async fn watchdog_report(year: &FiscalYear, dir: &Path) -> CliResult<(PathBuf, bool)> {
    let db = dir.join("index.sqlite");
    for stale in ["index.sqlite", "index.sqlite-wal", "index.sqlite-shm"] {
        let _ = std::fs::remove_file(dir.join(stale));
    }
    let mut store = Store::open(&db)?;
    index::index(&year.chain, &mut store, |_| {}).await?;
    let verification = verify::verify(&year.chain, &store).await?;
    let audited = audit::audit(&store, &audit::AuditOptions::default())?;
    // Generated now, in the real world; the data's own dates come from the chain.
    let html = report::render(
        &store,
        &audited,
        Some(&verification),
        chrono::Utc::now().timestamp(),
        &report::ReportOptions::default(),
    )?;
    let path = dir.join("report.html");
    write_file(&path, html.as_bytes())?;
    Ok((path, verification.is_clean()))
}
