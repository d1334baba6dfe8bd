//! `pubspend watch`: follows a node over WebSocket, indexes each new transaction as it lands, and prints each
//! new red flag (and appends it to `--alerts FILE` as a JSON line). The logic is the watchdog's
//! (`public_spending_watchdog::watch`); this parses, opens the index and the alerts file, and prints.

use std::{
    io::{BufRead, Write},
    path::{Path, PathBuf},
    time::Duration,
};

use clap::Args;
use public_spending_watchdog::watch::{Alert, FindingKey, Status, Watch, WatchOptions};

use crate::{
    args,
    context::{Globals, Mode, Session, Target},
    error::{fail, CliError, CliResult},
    output::{say, Format, Output},
};

#[derive(Debug, Args)]
pub struct WatchArgs {
    #[command(flatten)]
    pub db: args::Db,
    /// Append each new red flag to this file as a JSON line; the red flags already in it are not reported
    /// again, so a watch restarted on the same file reports each red flag once
    #[arg(long)]
    pub alerts: Option<PathBuf>,
    /// Audit at least this often (seconds) without a new transaction, for the red flags a clock trips (a flag
    /// unanswered past its deadline)
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub every: u64,
}

/// The red flags an alerts file already holds.
fn reported(path: &Path) -> CliResult<Vec<FindingKey>> {
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => fail!("cannot read {}: {e}", path.display()),
    };
    let mut keys = Vec::new();
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| CliError(format!("cannot read {}: {e}", path.display())))?;
        if line.trim().is_empty() {
            continue;
        }
        let alert: serde_json::Value = serde_json::from_str(&line).map_err(|e| {
            CliError(format!(
                "{} line {}: not an alert ({e}); give another --alerts file",
                path.display(),
                n + 1
            ))
        })?;
        let Some(id) = alert["id"].as_str() else {
            fail!(
                "{} line {}: an alert without an id (written by an older pubspend); give another --alerts file",
                path.display(),
                n + 1
            )
        };
        keys.push(id.to_string());
    }
    Ok(keys)
}

/// An alert as a terminal shows it: when, the check, where, what, and the transaction it rests on first.
fn alert_line(alert: &Alert) -> String {
    let f = &alert.finding;
    let when = chrono::DateTime::from_timestamp(alert.detected_at, 0).map_or_else(
        || alert.detected_at.to_string(),
        |t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
    );
    let agency = if f.agency.is_empty() {
        "ledger".to_string()
    } else {
        format!("agency {}", f.agency)
    };
    let evidence = match f.records.as_slice() {
        [] => String::new(),
        [one] => format!(" (tx {one})"),
        [first, rest @ ..] => format!(" (tx {first} and {} more)", rest.len()),
    };
    format!(
        "{when}  RED FLAG  {}  {agency}, {}: {}{evidence}",
        f.check, f.subject, f.summary
    )
}

/// Appends one alert as a JSON line, written whole and flushed before the next.
fn append(path: &Path, alert: &Alert) -> CliResult<()> {
    let mut line = serde_json::to_string(alert).expect("an alert serializes");
    line.push('\n');
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| CliError(format!("cannot write {}: {e}", path.display())))?;
    file.write_all(line.as_bytes())
        .and_then(|()| file.sync_data())
        .map_err(|e| CliError(format!("cannot write {}: {e}", path.display())))
}

pub async fn run(args: WatchArgs, globals: &Globals) -> CliResult<Output> {
    const EMBEDDED: &str = "watch follows a node over WebSocket: serve the chain (`pubspend serve`) and watch it with -u http://127.0.0.1:8899";
    if Session::target(globals)?.0 == Target::Embedded {
        fail!("{EMBEDDED}");
    }
    let session = Session::open(globals, Mode::Read).await?;
    let websocket = session.websocket(EMBEDDED)?;
    let already = match &args.alerts {
        Some(path) => reported(path)?,
        None => Vec::new(),
    };
    let mut store = args.db.open(false)?;
    let options = WatchOptions {
        every: Duration::from_secs(args.every),
        ..WatchOptions::default()
    };
    let json = globals.output == Format::Json;
    let mut watch = Watch::new(session.client.backend(), &mut store, options, already);
    let alerts = args.alerts.clone();
    let mut count = 0u64;
    let followed = tokio::select! {
        followed = watch.follow(
            &websocket,
            |alert| {
                count += 1;
                if let Some(path) = &alerts {
                    append(path, alert).map_err(|e| public_spending_watchdog::WatchdogError::Invalid(e.0))?;
                }
                // The real stdout (the process's descriptor 1 carries the embedded program's logs, or nothing).
                if json {
                    say!("{}", serde_json::to_string(alert).expect("an alert serializes"));
                } else {
                    say!("{}", alert_line(alert));
                }
                Ok(())
            },
            |status| match status {
                Status::Watching { transactions } => eprintln!(
                    "watching {websocket}: {transactions} transactions indexed into {}",
                    args.db.db
                ),
                Status::Reconnecting { reason, wait } => {
                    eprintln!("{reason}; reconnecting in {:.1} s", wait.as_secs_f64())
                }
            },
        ) => followed,
        _ = tokio::signal::ctrl_c() => Ok(()),
    };
    followed?;
    Ok(Output::record(vec![
        ("db", args.db.db.to_string().into()),
        ("alerts", count.into()),
    ]))
}
