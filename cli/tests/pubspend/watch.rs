//! `pubspend watch` against a served chain: each planted red flag is reported once, within moments of its
//! transaction, through a restart of the server (the watch reconnects and resumes from the last indexed
//! signature) and a restart of the watch (the alerts file remembers what was reported). Each alert reaches the
//! terminal: the test reads the watch's own stdout, not only the alerts file.

use std::{
    io::BufRead,
    path::Path,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
};

use public_spending_localnet::{Localnet, LocalnetConfig, Running};
use public_spending_sdk::backend::RpcBackend;
use public_spending_tests::{state::ApprovalPolicy, AgencyFixture, Chain, World, UNIT};
use serde_json::Value;
use solana_sdk::{pubkey::Pubkey, signature::Keypair, signer::Signer};

/// The alerts the file holds, one JSON object per line.
fn alerts(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// A running `pubspend watch`, and every line it has printed on its stdout so far.
struct Watching {
    child: Child,
    stdout: Arc<Mutex<Vec<String>>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Watching {
    /// Stops the watch and reads what it printed to the end.
    fn stop(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        if let Some(reader) = self.reader.take() {
            reader.join().unwrap();
        }
    }

    fn printed(&self) -> Vec<String> {
        self.stdout.lock().unwrap().clone()
    }
}

/// Waits until the alerts file holds `n` alerts and the watch has printed `printed` lines, on the file and the
/// pipe themselves; the guard only keeps a broken watch from hanging the test.
fn wait_for_alerts(
    path: &Path,
    (n, printed): (usize, usize),
    watch: &mut Watching,
    log: &Path,
) -> Vec<Value> {
    let guard = std::time::Instant::now() + std::time::Duration::from_secs(300);
    loop {
        let found = alerts(path);
        if found.len() >= n && watch.printed().len() >= printed {
            return found;
        }
        let watch = &mut watch.child;
        assert!(
            watch.try_wait().unwrap().is_none(),
            "the watch stopped: {}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        assert!(
            std::time::Instant::now() < guard,
            "no alert {n} in 5 minutes: {}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// A vendor registered, awarded (under the budget `parents`, an appropriation and its allotment) and paid at
/// once: the audit's `new-recipients` red flag, on the vendor's UEI.
async fn plant(
    world: &mut World<RpcBackend>,
    agency: &AgencyFixture,
    (appropriation, allotment): (Pubkey, Pubkey),
    uei: &[u8; 12],
) {
    let award = world
        .award_under(agency, appropriation, allotment, uei, 1_000 * UNIT)
        .await;
    let pay = world
        .pay_small_ix(agency, &award, 10 * UNIT)
        .await
        .instruction();
    world.send(&[pay], &[&agency.executor]).await.unwrap();
}

/// A server on `ports` (RPC, WebSocket; 0 for free ones).
fn start(runtime: &tokio::runtime::Runtime, state: &Path, (rpc, ws): (u16, u16)) -> Running {
    runtime
        .block_on(Localnet::start(LocalnetConfig {
            rpc_port: rpc,
            ws_port: Some(ws),
            ..LocalnetConfig::new(state.to_path_buf())
        }))
        .unwrap()
}

fn watch(dir: &Path, running: &Running) -> Watching {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pubspend"))
        .current_dir(dir)
        .env("HOME", dir)
        .args(["-u", &running.rpc_url(), "--ws", &running.ws_url()])
        .args(["watch", "--db", "index.sqlite", "--alerts", "alerts.jsonl"])
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(dir.join("watch.log")).unwrap())
        .spawn()
        .unwrap();
    let stdout = Arc::new(Mutex::new(Vec::new()));
    let pipe = child.stdout.take().unwrap();
    let lines = Arc::clone(&stdout);
    let reader = std::thread::spawn(move || {
        for line in std::io::BufReader::new(pipe).lines().map_while(Result::ok) {
            lines.lock().unwrap().push(line);
        }
    });
    Watching {
        child,
        stdout,
        reader: Some(reader),
    }
}

/// What the terminal shows of one alert: `time  RED FLAG  check  agency 075, subject: summary (tx signature)`.
fn assert_printed(line: &str, alert: &Value) {
    let records = alert["records"].as_array().unwrap();
    let more = match records.len() {
        1 => String::new(),
        n => format!(" and {} more", n - 1),
    };
    let expected = format!(
        "RED FLAG  {}  agency {}, {}: {} (tx {}{more})",
        alert["check"].as_str().unwrap(),
        alert["agency"].as_str().unwrap(),
        alert["subject"].as_str().unwrap(),
        alert["summary"].as_str().unwrap(),
        records[0].as_str().unwrap(),
    );
    assert!(
        line.ends_with(&expected) && line.contains(" UTC  "),
        "printed {line:?}, expected it to end with {expected:?}"
    );
}

#[test]
fn watch_reports_each_red_flag_once_through_a_server_restart_and_a_watch_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (alerts_file, log) = (
        dir.path().join("alerts.jsonl"),
        dir.path().join("watch.log"),
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let state = dir.path().join("chain.json");
    let running = start(&runtime, &state, (0, 0));
    let url = running.rpc_url();
    let ports = (running.rpc_addr().port(), running.ws_addr().port());

    let payer = Keypair::new();
    let backend = RpcBackend::new(url.clone(), payer.insecure_clone());
    runtime
        .block_on(Chain::airdrop(&backend, &payer.pubkey(), 1_000_000_000_000))
        .unwrap();
    let mut world = runtime.block_on(World::on(backend));
    let agency = runtime.block_on(world.agency("075"));
    // An agency paying within 30 days of its registration is a red flag of its own: this one is older.
    runtime
        .block_on(Chain::advance_clock(&world.chain, 30 * 86_400))
        .unwrap();
    runtime.block_on(world.set_policy(
        &agency,
        ApprovalPolicy {
            threshold: 1_000 * UNIT,
            approvals_required: 1,
            time_lock_seconds: 0,
            fast_path_daily_cap: 1_000_000 * UNIT,
        },
    ));
    let appropriation = runtime.block_on(world.appropriation(&agency, 100_000 * UNIT));
    let allotment = runtime.block_on(world.allot(&agency, appropriation, 100_000 * UNIT));
    let budget = (appropriation, allotment);
    // A red flag before the watch starts is reported when it starts (nothing is in the alerts file yet).
    runtime.block_on(plant(&mut world, &agency, budget, b"VENDOR000001"));
    let mut watching = watch(dir.path(), &running);
    let found = wait_for_alerts(&alerts_file, (1, 1), &mut watching, &log);
    assert_printed(&watching.printed()[0], &found[0]);

    // One planted while it watches.
    runtime.block_on(plant(&mut world, &agency, budget, b"VENDOR000002"));
    let found = wait_for_alerts(&alerts_file, (2, 2), &mut watching, &log);
    assert_printed(&watching.printed()[1], &found[1]);

    // The server stops (the watch loses its connection) and comes back at the same address; the next red flag
    // is reported after the watch reconnects.
    runtime.block_on(running.shutdown()).unwrap();
    let running = start(&runtime, &state, ports);
    runtime.block_on(plant(&mut world, &agency, budget, b"VENDOR000003"));
    let found = wait_for_alerts(&alerts_file, (3, 3), &mut watching, &log);
    assert_printed(&watching.printed()[2], &found[2]);
    assert_eq!(watching.printed().len(), 3, "each alert printed once");
    assert!(
        std::fs::read_to_string(&log)
            .unwrap()
            .contains("reconnecting"),
        "the watch never lost the connection"
    );

    // The watch itself stops and starts again: the red flags in the alerts file are not reported twice, and
    // one planted while no watch ran is reported.
    watching.stop();
    runtime.block_on(plant(&mut world, &agency, budget, b"VENDOR000004"));
    let mut watching = watch(dir.path(), &running);
    let found = wait_for_alerts(&alerts_file, (4, 1), &mut watching, &log);
    assert_printed(&watching.printed()[0], &found[3]);

    let subjects: Vec<(&str, &str, &str)> = found
        .iter()
        .map(|a| {
            (
                a["check"].as_str().unwrap(),
                a["agency"].as_str().unwrap(),
                a["subject"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        subjects,
        [
            "VENDOR000001",
            "VENDOR000002",
            "VENDOR000003",
            "VENDOR000004"
        ]
        .map(|uei| ("new-recipients", "075", uei))
    );
    assert!(found
        .iter()
        .all(|a| a["records"].as_array().is_some_and(|r| !r.is_empty())));

    // The index holds every payment once: nothing skipped across the restarts, nothing written twice.
    watching.stop();
    assert_eq!(
        watching.printed().len(),
        1,
        "the restarted watch printed only the new red flag"
    );
    let store =
        public_spending_watchdog::Store::open_existing(dir.path().join("index.sqlite")).unwrap();
    assert_eq!(store.count("payments").unwrap(), 4);
    let again = Command::new(env!("CARGO_BIN_EXE_pubspend"))
        .current_dir(dir.path())
        .env("HOME", dir.path())
        .args([
            "-u",
            &url,
            "index",
            "--db",
            "index.sqlite",
            "--output",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let again: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(
        again["new_transactions"], 0,
        "the watch had indexed everything"
    );
    runtime.block_on(running.shutdown()).unwrap();
}

/// The embedded chain has no WebSocket to follow: the watch says how to serve it, and creates no index.
#[test]
fn watch_refuses_the_embedded_chain_and_names_the_way() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_pubspend"))
        .current_dir(dir.path())
        .env("HOME", dir.path())
        .args(["-u", "embedded", "watch", "--db", "index.sqlite"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr).trim(),
        "error: watch follows a node over WebSocket: serve the chain (`pubspend serve`) and watch it with -u http://127.0.0.1:8899"
    );
    assert!(!dir.path().join("index.sqlite").exists());
}
