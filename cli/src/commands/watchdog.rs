//! The watchdog's commands: `index`, `verify`, `verify-document`, `audit`, `export` and `report`. They parse
//! arguments, call `public-spending-watchdog`, and print.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use public_spending_watchdog::{
    audit::{self, AuditOptions, AuditReport},
    export, index, lookup, report,
    verify::{self, VerifyReport},
    Store,
};

use crate::{
    args,
    context::Globals,
    context::{Mode, Session},
    error::fail,
    error::CliResult,
    files::write_file,
    output::{Field, Output, Table},
};

#[derive(Debug, Args)]
pub struct IndexArgs {
    #[command(flatten)]
    pub db: args::Db,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub db: args::Db,
}

#[derive(Debug, Args)]
pub struct VerifyDocumentArgs {
    /// The document (a contract, an invoice): its sha256 is looked for
    pub file: PathBuf,
    #[command(flatten)]
    pub db: args::Db,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    pub db: args::Db,
    /// Also write the findings as an HTML report
    #[arg(long)]
    pub html: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// USAspending-style CSV: DAIMS Files A (appropriations), B (program activity, object class), C (awards),
    /// then checked against the DATA Act broker's rules (A18, A19, B20, C23, DEFC); exits 1 if one fails
    Usaspending {
        /// Folder for the three files
        dir: PathBuf,
        #[command(flatten)]
        db: args::Db,
    },
    /// An OCDS 1.1 release package (JSON): one release per change (each award, its modifications, each payment
    /// as an implementation release, its closing), which `ocdskit compile` merges into one record per award
    Ocds {
        /// The package file to write
        file: PathBuf,
        /// Your ocid prefix, registered with the Open Contracting Partnership (e.g. ocds-a1b2c3)
        #[arg(long, default_value = "ocds-psl", value_parser = ocid_prefix)]
        ocid_prefix: String,
        #[command(flatten)]
        db: args::Db,
    },
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The HTML file to write
    #[arg(long)]
    pub html: PathBuf,
    #[command(flatten)]
    pub db: args::Db,
}

pub async fn index(args: IndexArgs, globals: &Globals) -> CliResult<Output> {
    let session = Session::open(globals, Mode::Read).await?;
    let created = args.db.file().is_some_and(|file| !file.exists());
    let mut store = args.db.open(false)?;
    let bar = indicatif::ProgressBar::new_spinner();
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    let indexed = index::index(session.client.backend(), &mut store, |p| {
        bar.set_message(format!("indexing {}: {} transactions", p.address, p.done));
    })
    .await;
    bar.finish_and_clear();
    let report = match indexed {
        Ok(report) => report,
        Err(err) => {
            // A run that fails before indexing anything leaves no index it created behind.
            if let Some(file) = args.db.file().filter(|_| created) {
                if store.count("transactions")? == 0 {
                    drop(store);
                    remove_database(file);
                }
            }
            return Err(err.into());
        }
    };
    let output = Output::record(vec![
        ("db", args.db.db.to_string().into()),
        ("accounts", report.accounts.into()),
        ("new_transactions", report.transactions.into()),
        ("new_events", report.events.into()),
        ("new_payments", report.payments.into()),
        ("transactions", store.count("transactions")?.into()),
        ("payments", store.count("payments")?.into()),
    ]);
    session.close().await?;
    Ok(output)
}

/// An ocid prefix: `ocds-` and six letters or digits, as the Open Contracting Partnership assigns them, or
/// another `ocds-` prefix of letters, digits and hyphens.
fn ocid_prefix(input: &str) -> Result<String, String> {
    match input.strip_prefix("ocds-") {
        Some(rest)
            if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') =>
        {
            Ok(input.to_string())
        }
        _ => Err(format!(
            "{input:?} is not an ocid prefix: ocds- and letters or digits, e.g. ocds-a1b2c3"
        )),
    }
}

/// Where the report links transactions: the explorer, on the cluster `--url` names (a node on this machine for
/// the embedded chain, as `pubspend serve` serves it).
fn report_options(globals: &Globals) -> report::ReportOptions {
    match globals.url.as_deref().map(crate::context::resolve_url) {
        Some(Ok(crate::context::Target::Rpc(url))) => report::ReportOptions {
            explorer_query: report::explorer_query(&url),
        },
        _ => report::ReportOptions::default(),
    }
}

/// Removes an SQLite database and its WAL files.
fn remove_database(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(file));
    }
}

pub async fn verify(args: VerifyArgs, globals: &Globals) -> CliResult<Output> {
    let session = Session::open(globals, Mode::Read).await?;
    let store = args.db.open(true)?;
    let report = verify::verify(session.client.backend(), &store).await?;
    session.close().await?;
    if !report.checked_anything() {
        fail!("nothing verified: the ledger on this chain has no agency yet");
    }
    let output = Output::Text {
        text: if report.behind > 0 {
            format!(
                "{}; until then the comparison below is of an old index, not evidence of tampering\n\n{}",
                behind_text(&report, &args.db),
                verification_text(&report)
            )
        } else {
            verification_text(&report)
        },
        json: serde_json::to_value(&report).unwrap_or_default(),
    };
    if report.is_clean() {
        Ok(output)
    } else if report.behind > 0 {
        // An index that has not read the latest transactions disagrees with the chain without anyone having
        // altered it: say that, not "failed".
        Ok(output.failing(behind_text(&report, &args.db)))
    } else {
        // The report is printed, then the failure: an auditor sees every mismatch.
        Ok(output.failing(format!(
            "verification failed: {} mismatch(es) between the index and the chain",
            report.mismatches.len()
        )))
    }
}

fn behind_text(report: &VerifyReport, db: &args::Db) -> String {
    format!(
        "the index is behind the chain by {} transaction(s): run `pubspend index --db {}` and verify again",
        report.behind, db.db
    )
}

/// The verification for people: every hash chain, then what did not match.
fn verification_text(report: &VerifyReport) -> String {
    let mut chains = Table::new(&[
        "agency",
        "payments",
        "replayed_head",
        "on_chain_head",
        "status",
    ]);
    for c in &report.chains {
        chains.push(vec![
            c.agency.clone().into(),
            c.payments.into(),
            c.replayed_head.clone().into(),
            c.on_chain_head.clone().into(),
            if c.verified { "verified" } else { "MISMATCH" }.into(),
        ]);
    }
    if report.is_clean() {
        return format!(
            "{chains}\nall {} hash chains and {} totals, balances and lists match the chain",
            report.chains.len(),
            report.totals_checked
        );
    }
    let mut table = Table::new(&[
        "agency",
        "check",
        "subject",
        "sequence",
        "signature",
        "expected",
        "found",
    ]);
    for m in &report.mismatches {
        table.push(vec![
            m.agency.clone().into(),
            m.check.clone().into(),
            m.subject.clone().into(),
            m.sequence.into(),
            m.signature.clone().into(),
            m.expected.clone().into(),
            m.found.clone().into(),
        ]);
    }
    format!("{chains}\n\n{table}")
}

pub async fn verify_document(args: VerifyDocumentArgs, _globals: &Globals) -> CliResult<Output> {
    let hash = args::file_hash(&args.file)?;
    let store = args.db.open(true)?;
    let matches = lookup::document(&store, &hash)?;
    let codes = agency_codes(&store)?;
    let mut table = Table::new(&[
        "recorded_as",
        "agency",
        "award_id",
        "payment",
        "time",
        "signature",
    ]);
    for m in &matches {
        table.push(vec![
            m.recorded_as.clone().into(),
            codes.agency_code(&m.agency).into(),
            codes.award_id(&m.award).into(),
            m.payment_index.into(),
            m.block_time.map_or(Field::None, Field::Time),
            m.signature.clone().into(),
        ]);
    }
    if matches.is_empty() {
        fail!(
            "no award or payment on this ledger recorded {} (sha256 {})",
            args.file.display(),
            hex::encode(hash)
        );
    }
    Ok(Output::Text {
        text: format!(
            "{}  sha256 {}\n{table}",
            args.file.display(),
            hex::encode(hash)
        ),
        json: serde_json::json!({ "file": args.file.display().to_string(), "sha256": hex::encode(hash), "matches": table.to_json() }),
    })
}

fn agency_codes(store: &Store) -> CliResult<public_spending_watchdog::ledger::LedgerState> {
    Ok(public_spending_watchdog::ledger::LedgerState::from_store(
        store,
    )?)
}

pub fn audit(args: AuditArgs, globals: &Globals) -> CliResult<Output> {
    let store = args.db.open(true)?;
    let report = audit::audit(&store, &AuditOptions::default())?;
    if let Some(html) = &args.html {
        let rendered = report::render(
            &store,
            &report,
            None,
            chrono::Utc::now().timestamp(),
            &report_options(globals),
        )?;
        write_file(html, rendered.as_bytes())?;
    }
    Ok(Output::Text {
        text: audit_text(&report),
        json: serde_json::to_value(&report).unwrap_or_default(),
    })
}

/// The audit for people: each check, what it looks for, and what it found.
fn audit_text(report: &AuditReport) -> String {
    let mut lines = vec![format!(
        "{} findings from {} checks over {} payments",
        report.findings.len(),
        report.checks.len(),
        report.payments_examined
    )];
    for check in &report.checks {
        let found: Vec<_> = report.findings_of(check.id).collect();
        lines.push(String::new());
        lines.push(format!("{} ({}): {}", check.title, check.id, found.len()));
        lines.push(format!("  {}", check.explanation));
        for f in found {
            lines.push(format!("  - {} {}: {}", f.agency, f.subject, f.summary));
            for record in f.records.iter().take(5) {
                lines.push(format!("      {record}"));
            }
            if f.records.len() > 5 {
                lines.push(format!("      ... and {} more", f.records.len() - 5));
            }
        }
    }
    lines.join("\n")
}

pub async fn export(command: ExportCommand) -> CliResult<Output> {
    Ok(match command {
        ExportCommand::Usaspending { dir, db } => {
            let store = db.open(true)?;
            let written = export::usaspending(&store, &dir)?;
            let rules =
                public_spending_watchdog::broker::check(&dir, &export::award_obligations(&store)?)?;
            let failed: Vec<&str> = rules
                .iter()
                .filter(|r| !r.passed())
                .map(|r| r.rule)
                .collect();
            let files: Vec<serde_json::Value> = written
                .files
                .iter()
                .map(|(file, rows)| serde_json::json!({ "file": dir.join(file).display().to_string(), "rows": rows }))
                .collect();
            let json = serde_json::json!({ "files": files, "broker_rules": rules });
            let text = {
                let mut table = Table::new(&["file", "rows"]);
                for (file, rows) in &written.files {
                    table.push(vec![
                        dir.join(file).display().to_string().into(),
                        (*rows as u64).into(),
                    ]);
                }
                let mut checks = Table::new(&["rule", "result", "what_it_checks"]);
                for rule in &rules {
                    let result = if rule.passed() {
                        "pass".to_string()
                    } else {
                        format!("FAIL ({} rows)", rule.failures.len())
                    };
                    checks.push(vec![
                        rule.rule.into(),
                        result.into(),
                        rule.description.into(),
                    ]);
                }
                let mut lines = vec![table.to_string(), checks.to_string()];
                for rule in rules.iter().filter(|r| !r.passed()) {
                    for failure in rule.failures.iter().take(5) {
                        lines.push(format!("  {}: {failure}", rule.rule));
                    }
                }
                lines.join("\n")
            };
            let output = Output::Text { text, json };
            if failed.is_empty() {
                output
            } else {
                output.failing(format!(
                    "the files break the broker's rules {}",
                    failed.join(", ")
                ))
            }
        }
        ExportCommand::Ocds {
            file,
            ocid_prefix,
            db,
        } => {
            let store = db.open(true)?;
            let options = export::OcdsOptions { ocid_prefix };
            let package = export::ocds(&store, chrono::Utc::now().timestamp(), &options)?;
            let text = serde_json::to_string_pretty(&package).unwrap_or_default();
            write_file(&file, text.as_bytes())?;
            let releases = package["releases"].as_array().map_or(0, Vec::len) as u64;
            Output::record(vec![
                ("file", file.display().to_string().into()),
                ("releases", releases.into()),
            ])
        }
    })
}

pub async fn report(args: ReportArgs, globals: &Globals) -> CliResult<Output> {
    let session = Session::open(globals, Mode::Read).await?;
    let store = args.db.open(true)?;
    let verification = verify::verify(session.client.backend(), &store).await?;
    let audited = audit::audit(&store, &AuditOptions::default())?;
    let html = report::render(
        &store,
        &audited,
        Some(&verification),
        chrono::Utc::now().timestamp(),
        &report_options(globals),
    )?;
    write_file(&args.html, html.as_bytes())?;
    let output = Output::record(vec![
        ("html", args.html.display().to_string().into()),
        ("verified", verification.is_clean().into()),
        ("findings", (audited.findings.len() as u64).into()),
    ]);
    session.close().await?;
    Ok(output)
}
