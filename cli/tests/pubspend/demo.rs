//! The demo's fiscal year, and every watchdog command run on its ledger from the command line: index (and an
//! index killed mid-way), verify (clean, and failing on a tampered index), verify-document, audit (finding
//! exactly the red flags the demo planted), the DAIMS CSV files, the OCDS package (schema-valid), the payment
//! histories, and the HTML report drawn in headless Chromium. One demo run serves every test.

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
    sync::OnceLock,
};

use serde_json::Value;
use tempfile::TempDir;

/// The demo's output folder (demo.json, chain.json, index.sqlite, report.html) and what it printed.
struct DemoRun {
    dir: TempDir,
    stdout: String,
}

fn demo() -> &'static DemoRun {
    static DEMO: OnceLock<DemoRun> = OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = TempDir::new().unwrap();
        let output = Command::new(env!("CARGO_BIN_EXE_pubspend"))
            .current_dir(dir.path())
            .args(["demo", "--payments-per-month", "6", "--output-dir"])
            .arg(dir.path())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            output.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        DemoRun { dir, stdout }
    })
}

/// `pubspend` on the demo's chain.
fn on_demo_chain(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pubspend"));
    cmd.current_dir(demo().dir.path())
        .env("HOME", demo().dir.path())
        .args(["-u", "embedded", "--embedded-state"])
        .arg(demo().dir.path().join("chain.json"))
        .args(args);
    cmd
}

/// `pubspend` on the demo's chain with `db` as the index.
fn pubspend(db: &Path, args: &[&str]) -> Command {
    let mut cmd = on_demo_chain(args);
    cmd.arg("--db").arg(db);
    cmd
}

fn run(db: &Path, args: &[&str]) -> Output {
    pubspend(db, args).output().unwrap()
}

/// Runs a command that must succeed with JSON output, and returns the JSON.
fn json(db: &Path, args: &[&str]) -> Value {
    let output = run(db, &[args, &["--output", "json"]].concat());
    assert!(
        output.status.success(),
        "pubspend {args:?}: {}{}",
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&output.stdout)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "pubspend {args:?} printed no JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

/// A fresh index of the demo's chain in its own folder.
fn fresh_index() -> (TempDir, PathBuf) {
    let dir = TempDir::new().unwrap();
    let db = dir.path().join("index.sqlite");
    let indexed = json(&db, &["index"]);
    assert!(indexed["payments"].as_u64().unwrap() >= 200, "{indexed}");
    (dir, db)
}

#[test]
fn demo_plays_a_fiscal_year_and_writes_demo_json() {
    let demo_run = demo();
    let stdout = demo_run.stdout.as_str();
    let out = demo_run.dir.path();
    assert!(stdout.contains("hash chains verified"), "{stdout}");
    let demo: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("demo.json")).unwrap()).unwrap();
    let payments = demo["payments"].as_array().unwrap();
    assert!(payments.len() >= 200, "{} payments", payments.len());
    assert!(payments.iter().all(
        |p| p["signature"].as_str().is_some_and(|s| s.len() > 60) && p["status"] == "executed"
    ));
    assert!(
        payments.iter().any(|p| p["path"] == "fast")
            && payments.iter().any(|p| p["path"] == "approval")
    );
    let refused: Vec<&str> = demo["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["error"].as_str().unwrap())
        .collect();
    for expected in [
        "ExceedsAwardRemaining",
        "ConflictingRoles",
        "SelfApproval",
        "RecipientNotActive",
        "AboveFastPathThreshold",
        "TimeLockActive",
    ] {
        assert!(
            refused.contains(&expected),
            "{expected} missing from {refused:?}"
        );
    }
    assert_eq!(demo["agencies"].as_array().unwrap().len(), 3);
    assert_eq!(demo["hash_chains_verified"], true);
    let paid: u64 = payments
        .iter()
        .map(|p| p["amount_units"].as_u64().unwrap())
        .sum();
    let outlayed: u64 = demo["agencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let text = a["outlayed"].as_str().unwrap().replace('.', "");
            text.parse::<u64>().unwrap()
        })
        .sum();
    assert_eq!(
        paid, outlayed,
        "demo.json payments add up to the agencies' outlays"
    );

    // Each month's header comes before that month's events.
    let header = stdout.find("month  2  November 2025").unwrap();
    let refusal = stdout.find("refused  075  invoice of").unwrap();
    let next = stdout.find("month  3  December 2025").unwrap();
    assert!(header < refusal && refusal < next, "{stdout}");

    // Every agency's hash chain can be recomputed from demo.json alone.
    for agency in demo["agencies"].as_array().unwrap() {
        let address = agency["address"].as_str().unwrap();
        let mut records: Vec<&Value> = payments
            .iter()
            .map(|p| &p["record"])
            .filter(|r| r["agency"] == address)
            .collect();
        records.sort_by_key(|r| r["sequence"].as_u64());
        let head = records.iter().fold([0u8; 32], |head, record| {
            let canonical = hex::decode(record["canonical_hex"].as_str().unwrap()).unwrap();
            solana_sha256_hasher::hashv(&[&head, &canonical]).to_bytes()
        });
        assert_eq!(hex::encode(head), agency["outlay_hash"].as_str().unwrap());
        assert_eq!(records.len() as u64, agency["payments"].as_u64().unwrap());
    }
    let first = &payments[0];
    assert_eq!(
        (&first["month"], &first["path"]),
        (&1.into(), &"fast".into())
    );
    assert!(first["date"].as_str().unwrap().starts_with("2025-10-"));
}

#[test]
fn index_twice_fetches_nothing_new_and_verify_is_clean() {
    let (_dir, db) = fresh_index();
    let again = json(&db, &["index"]);
    assert_eq!(
        (
            &again["new_transactions"],
            &again["new_events"],
            &again["new_payments"]
        ),
        (&0.into(), &0.into(), &0.into())
    );
    let report = json(&db, &["verify"]);
    assert_eq!(report["mismatches"], serde_json::json!([]));
    let chains = report["chains"].as_array().unwrap();
    assert_eq!(chains.len(), 3);
    assert!(chains
        .iter()
        .all(|c| c["verified"] == true && c["replayed_head"] == c["on_chain_head"]));
}

#[test]
fn verify_fails_precisely_on_a_tampered_index() {
    let (_dir, db) = fresh_index();
    let store = public_spending_watchdog::Store::open(&db).unwrap();
    let (agency, sequence, signature, mut record) = store
        .query_opt(
            "SELECT p.agency, p.sequence, t.signature, p.record FROM payments p JOIN transactions t ON t.id = p.tx
             ORDER BY p.agency, p.sequence LIMIT 1 OFFSET 10",
            &[],
            |row| {
                Ok((
                    row.bytes(0)?.to_vec(),
                    row.int(1)?,
                    row.text(2)?,
                    row.bytes(3)?.to_vec(),
                ))
            },
        )
        .unwrap()
        .unwrap();
    // Ten times the amount (the little-endian u64 at bytes 140..148 of the canonical record).
    let amount = u64::from_le_bytes(record[140..148].try_into().unwrap()) * 10;
    record[140..148].copy_from_slice(&amount.to_le_bytes());
    store
        .execute(
            "UPDATE payments SET record = $1 WHERE agency = $2 AND sequence = $3",
            &[record.into(), agency.clone().into(), sequence.into()],
        )
        .unwrap();
    drop(store);
    let output = run(&db, &["verify"]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("error: verification failed: "),
        "{stderr}"
    );
    let agency_code = ["075", "069", "089"]
        .into_iter()
        .find(|c| public_spending_sdk::pda::agency(c).0.to_bytes().as_slice() == agency.as_slice())
        .unwrap();
    let line = stdout
        .lines()
        .find(|l| l.contains("record altered"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(line.starts_with(agency_code), "{line}");
    assert!(
        line.contains(&signature) && line.contains(&format!(" {sequence} ")),
        "{line}"
    );
}

/// Rows an index holds now, read while another process may be writing it (the index is in WAL mode: a reader
/// never blocks the writer); 0 before its file and tables exist.
fn committed(db: &Path, table: &str) -> i64 {
    let Ok(conn) =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
    else {
        return 0;
    };
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
        row.get(0)
    })
    .unwrap_or(0)
}

#[test]
fn an_index_killed_mid_way_finishes_on_the_next_run_with_no_row_twice() {
    let (_full_dir, full) = fresh_index();
    let dir = TempDir::new().unwrap();
    let db = dir.path().join("index.sqlite");
    let count = |db: &Path, table: &str| {
        public_spending_watchdog::Store::open(db)
            .unwrap()
            .count(table)
            .unwrap()
    };
    let full_count = count(&full, "transactions") as i64;
    // Each run is killed as soon as it has committed more than the run before it left, so every kill lands in
    // the middle of a run, whatever the machine's speed. The test waits on the index itself, not on a clock.
    for _ in 0..2 {
        let left = committed(&db, "transactions");
        let mut child = pubspend(&db, &["index"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let guard = std::time::Instant::now() + std::time::Duration::from_secs(600);
        while committed(&db, "transactions") <= left && child.try_wait().unwrap().is_none() {
            assert!(
                std::time::Instant::now() < guard,
                "the index committed nothing in 10 minutes"
            );
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        child.kill().unwrap();
        child.wait().unwrap();
        let at_kill = committed(&db, "transactions");
        assert!(
            at_kill > left && at_kill < full_count,
            "killed mid-run: {left} -> {at_kill} of {full_count}"
        );
    }
    json(&db, &["index"]);
    for table in ["transactions", "events", "payments", "funding"] {
        assert_eq!(count(&db, table), count(&full, table), "{table}");
    }
    assert_eq!(json(&db, &["verify"])["mismatches"], serde_json::json!([]));
}

/// Two indexers on one PostgreSQL index at once, as two processes: both succeed, and the index holds exactly
/// what one indexer alone writes into SQLite, every row once. Then every watchdog command reads the PostgreSQL
/// index (`PUBSPEND_DB`, as a newsroom would set it) and prints and writes what it does from the SQLite index.
#[test]
fn two_indexers_share_a_postgresql_index_and_every_command_reads_it_as_from_sqlite() {
    let Some(database) = public_spending_tests::postgres::database() else {
        return;
    };
    let postgres = Path::new(&database.url);
    let (dir, sqlite) = fresh_index();
    let indexers: Vec<std::process::Child> = (0..2)
        .map(|_| {
            pubspend(postgres, &["index", "--output", "json"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut new_transactions = 0;
    for indexer in indexers {
        let output = indexer.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        new_transactions += report["new_transactions"].as_u64().unwrap();
    }
    let open = |at: &Path| {
        public_spending_watchdog::Store::open_existing(
            at.to_str()
                .unwrap()
                .parse::<public_spending_watchdog::Location>()
                .unwrap(),
        )
        .unwrap()
    };
    let (shared, alone) = (open(postgres), open(&sqlite));
    assert_eq!(new_transactions, alone.count("transactions").unwrap());
    for table in ["transactions", "events", "payments", "funding", "accounts"] {
        assert_eq!(
            shared.count(table).unwrap(),
            alone.count(table).unwrap(),
            "{table}"
        );
    }
    assert_eq!(shared.payments().unwrap(), alone.payments().unwrap());
    drop((shared, alone));

    // Every reading command, from each index: the same output, the same files.
    let from = |db: &Path, args: &[&str]| {
        let output = on_demo_chain(args).env("PUBSPEND_DB", db).output().unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        );
        (output.status.code(), stdout, stderr)
    };
    let out = |name: &str, db: &str| dir.path().join(format!("{db}-{name}"));
    for (name, args) in [
        ("verify", vec!["verify", "--output", "json"]),
        ("audit", vec!["audit", "--output", "json"]),
        ("history", vec!["payment", "history", "075", "075-26-0001"]),
    ] {
        assert_eq!(from(postgres, &args), from(&sqlite, &args), "{name}");
    }
    for db in ["sqlite", "postgres"] {
        let at = if db == "sqlite" {
            sqlite.as_path()
        } else {
            postgres
        };
        let usaspending = out("usaspending", db);
        let ocds = out("ocds.json", db);
        let report = out("report.html", db);
        for args in [
            vec!["export", "usaspending", usaspending.to_str().unwrap()],
            vec!["export", "ocds", ocds.to_str().unwrap()],
            vec!["report", "--html", report.to_str().unwrap()],
        ] {
            let (code, _, stderr) = from(at, &args);
            assert_eq!(code, Some(0), "{db} {args:?}: {stderr}");
        }
    }
    let read = |path: PathBuf| std::fs::read_to_string(&path).unwrap();
    for file in [
        public_spending_watchdog::export::FILE_A,
        public_spending_watchdog::export::FILE_B,
        public_spending_watchdog::export::FILE_C,
    ] {
        assert_eq!(
            read(out("usaspending", "postgres").join(file)),
            read(out("usaspending", "sqlite").join(file)),
            "{file}"
        );
    }
    // The OCDS package and the report, but for the moment each was written at.
    let package = |db: &str| {
        let mut package: Value = serde_json::from_str(&read(out("ocds.json", db))).unwrap();
        package.as_object_mut().unwrap().remove("publishedDate");
        package
    };
    assert!(
        package("postgres") == package("sqlite"),
        "the OCDS packages differ"
    );
    let report = |db: &str| -> Vec<String> {
        read(out("report.html", db))
            .lines()
            .filter(|line| !line.to_lowercase().contains("generated"))
            .map(str::to_owned)
            .collect()
    };
    assert!(report("postgres") == report("sqlite"), "the reports differ");
}

#[test]
fn the_audit_finds_exactly_the_planted_red_flags() {
    let db = demo().dir.path().join("index.sqlite");
    let demo_json: Value = serde_json::from_str(
        &std::fs::read_to_string(demo().dir.path().join("demo.json")).unwrap(),
    )
    .unwrap();
    let key = |v: &Value| {
        (
            v["check"].as_str().unwrap().to_string(),
            v["agency"].as_str().unwrap().to_string(),
            v["subject"].as_str().unwrap().to_string(),
        )
    };
    let mut planted: Vec<_> = demo_json["planted"]
        .as_array()
        .unwrap()
        .iter()
        .map(key)
        .collect();
    let report = json(&db, &["audit"]);
    let mut found: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(key)
        .collect();
    planted.sort();
    found.sort();
    assert_eq!(found, planted);
    // One of each kind the audit checks.
    let checks: std::collections::BTreeSet<&str> =
        planted.iter().map(|(c, _, _)| c.as_str()).collect();
    assert_eq!(checks.len(), report["checks"].as_array().unwrap().len());
    assert!(report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| !f["records"].as_array().unwrap().is_empty()));

    let html = demo().dir.path().join("audit.html");
    let output = run(&db, &["audit", "--html", html.to_str().unwrap()]);
    assert!(output.status.success());
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(text.contains("Split payments") && text.contains("075-26-0008"));
}

#[test]
fn verify_document_names_the_award_that_recorded_a_contract() {
    let db = demo().dir.path().join("index.sqlite");
    // The demo records each award document as the sha256 of the award id's text.
    let contract = demo().dir.path().join("contract-075-26-0001.txt");
    std::fs::write(&contract, "075-26-0001").unwrap();
    let found = json(&db, &["verify-document", contract.to_str().unwrap()]);
    let matches = found["matches"].as_array().unwrap();
    assert_eq!(matches.len(), 1, "{found}");
    assert_eq!(
        (
            &matches[0]["recorded_as"],
            &matches[0]["agency"],
            &matches[0]["award_id"]
        ),
        (
            &"award document".into(),
            &"075".into(),
            &"075-26-0001".into()
        )
    );
    let unknown = demo().dir.path().join("unknown.txt");
    std::fs::write(&unknown, "never recorded").unwrap();
    let output = run(&db, &["verify-document", unknown.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr)
        .contains("no award or payment on this ledger recorded"));
}

#[test]
fn histories_outlive_the_archive() {
    let db = demo().dir.path().join("index.sqlite");
    let history = json(&db, &["payment", "history", "075", "075-26-0001"]);
    let rows = history.as_array().unwrap();
    assert!(rows.len() >= 5, "{history}");
    assert!(rows
        .iter()
        .all(|r| r["status"] == "executed" && r["archived"] == true));
    let shown = json(&db, &["payment", "show", "075", "075-26-0001", "0"]);
    assert_eq!(
        (&shown["status"], &shown["archived"]),
        (&"executed".into(), &true.into())
    );
    assert_eq!(shown["amount"], rows[0]["amount"]);
    // Every agency's payments to the UEI: 075's on this award, and the one 089 made to its own record of it.
    let paid = json(&db, &["recipient", "payments", "075V00000001"]);
    let paid = paid.as_array().unwrap();
    let by = |code: &str| paid.iter().filter(|p| p["agency"] == code).count();
    assert_eq!(
        (by("075"), by("089"), paid.len()),
        (rows.len(), 1, rows.len() + 1)
    );
}

#[test]
fn exports_follow_daims_and_ocds() {
    let db = demo().dir.path().join("index.sqlite");
    let dir = TempDir::new().unwrap();
    let csv = dir.path().join("usaspending");
    let files = json(&db, &["export", "usaspending", csv.to_str().unwrap()]);
    assert_eq!(files["files"].as_array().unwrap().len(), 3);
    // The broker's rules pass on the demo's files (A19 failed on every File A row, DEFC on all 46 rows).
    let rules = files["broker_rules"].as_array().unwrap();
    let names: Vec<&str> = rules.iter().map(|r| r["rule"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["A18", "A19", "B20", "C23", "DEFC", "PA-NAME", "TAS-ORDER"]
    );
    for rule in rules {
        assert_eq!(rule["failures"], serde_json::json!([]), "{rule}");
    }
    let header = |file: &str| {
        std::fs::read_to_string(csv.join(file))
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .to_string()
    };
    assert!(header(public_spending_watchdog::export::FILE_A).contains("BudgetAuthorityAppropriatedAmount_CPE,TotalBudgetaryResources_CPE,ObligationsIncurredTotalByTAS_CPE,GrossOutlayAmountByTAS_CPE,UnobligatedBalance_CPE"));
    assert!(header(public_spending_watchdog::export::FILE_C).ends_with(
        "PIID,ParentAwardId,FAIN,URI,TransactionObligatedAmount,GrossOutlayAmountByAward_CPE"
    ));
    // Individuals stay private: the demo's individual payees appear by salted hash only.
    let all = std::fs::read_to_string(csv.join(public_spending_watchdog::export::FILE_C)).unwrap();
    assert!(!all.contains("Jordan Example"));

    let ocds = dir.path().join("ocds.json");
    let written = json(&db, &["export", "ocds", ocds.to_str().unwrap()]);
    assert!(written["releases"].as_u64().unwrap() >= 24);
    let text = std::fs::read_to_string(&ocds).unwrap();
    assert!(!text.contains("Jordan Example"));
    let package: Value = serde_json::from_str(&text).unwrap();
    let schemas = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/ocds-1.1.5");
    let load = |name: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(schemas.join(name)).unwrap()).unwrap()
    };
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .with_resource(
            "https://standard.open-contracting.org/schema/1__1__5/release-schema.json",
            jsonschema::Resource::from_contents(load("release-schema.json")).unwrap(),
        )
        .build(&load("release-package-schema.json"))
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&package)
        .take(5)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let transactions: usize = package["releases"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["contracts"][0]["implementation"]["transactions"].as_array())
        .map(Vec::len)
        .sum();
    let demo_json: Value = serde_json::from_str(
        &std::fs::read_to_string(demo().dir.path().join("demo.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        transactions,
        demo_json["payments"].as_array().unwrap().len()
    );

    // ocdskit merges the releases into one record per award, each with every payment of its award.
    let test = "exports_follow_daims_and_ocds";
    let Some(ocdskit) =
        public_spending_tests::external_program("ocdskit", test, "pip install ocdskit")
    else {
        return;
    };
    let output = std::process::Command::new(ocdskit)
        .args(["compile", "--package", "--schema"])
        .arg(schemas.join("release-schema.json"))
        .stdin(std::fs::File::open(&ocds).unwrap())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let compiled: Value = serde_json::from_slice(&output.stdout).unwrap();
    let records = compiled["records"].as_array().unwrap();
    let awards: std::collections::BTreeSet<&str> = package["releases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ocid"].as_str().unwrap())
        .collect();
    assert_eq!(records.len(), awards.len());
    let compiled_transactions: usize = records
        .iter()
        .filter_map(|r| {
            r["compiledRelease"]["contracts"][0]["implementation"]["transactions"].as_array()
        })
        .map(Vec::len)
        .sum();
    assert_eq!(compiled_transactions, transactions);
}

/// Headless Chromium as the environment notes describe it: no sandbox (root), no GPU, no network chatter.
fn chromium(program: &Path, profile: &Path) -> Command {
    let mut cmd = Command::new(program);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    cmd
}

#[test]
fn the_report_draws_every_chart_in_chromium() {
    let report = demo().dir.path().join("report.html");
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(
        !html.contains("http://") || !html.contains("src=\"http"),
        "nothing is fetched at view time"
    );
    assert!(
        !html.contains("<script src") && !html.contains("<link "),
        "self-contained"
    );
    let Some(program) = public_spending_tests::external_program(
        "chromium",
        "the_report_draws_every_chart_in_chromium",
        "apt-get install chromium",
    ) else {
        return;
    };
    let profile = TempDir::new().unwrap();
    let dom = chromium(&program, profile.path())
        .arg("--dump-dom")
        .arg(&report)
        .output()
        .unwrap();
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8_lossy(&dom.stdout);
    let check = dom
        .split_once("id=\"chart-check\"")
        .and_then(|(_, rest)| rest.split_once('>'))
        .and_then(|(_, rest)| rest.split_once("</pre>"))
        .map(|(text, _)| text.replace("&quot;", "\""))
        .unwrap_or_else(|| panic!("the page did not run its chart check: {dom}"));
    let charts: Vec<Value> = serde_json::from_str(&check).unwrap();
    let names: Vec<&str> = charts
        .iter()
        .map(|c| c["chart"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["budget", "monthly", "recipients"]);
    for chart in &charts {
        assert!(
            chart["width"].as_u64().unwrap() >= 900 && chart["height"].as_u64().unwrap() >= 300,
            "{chart}"
        );
        assert!(
            chart["shapes"].as_u64().unwrap() >= 20 && chart["labels"].as_u64().unwrap() >= 5,
            "{chart}"
        );
        // Readable text (it was 9.7 px), dollars with separators on the axis, and the axis titled.
        assert!(chart["min_font_px"].as_f64().unwrap() >= 12.0, "{chart}");
        let texts: Vec<&str> = chart["texts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        assert!(
            texts.iter().any(|t| t.starts_with('$') && t.contains(',')),
            "{texts:?}"
        );
        let title = match chart["chart"].as_str().unwrap() {
            "budget" => "US dollars",
            "monthly" => "US dollars outlayed",
            _ => "US dollars paid",
        };
        assert!(texts.contains(&title), "{texts:?}");
        // Agencies by name, not by code alone.
        if chart["chart"] != "recipients" {
            assert!(
                texts.iter().any(|t| t.contains("Department of Energy")),
                "{texts:?}"
            );
        }
    }
    // Every finding lists its transactions, linked to the explorer on the ledger's cluster; payments by award
    // id, date and amount.
    let findings: Vec<&str> = dom.split("<tr class=\"finding\">").skip(1).collect();
    assert_eq!(findings.len(), 18);
    for finding in &findings {
        let row = finding.split("</tr>").next().unwrap();
        assert!(
            row.contains("href=\"https://explorer.solana.com/tx/") && row.contains("cluster="),
            "{row}"
        );
    }
    assert!(dom.contains("class=\"award-id\">075-26-0008</span>"));
    // Flags (open, answered, ruled) and property (cost per building) have their sections.
    let flags = dom.matches("<tr class=\"flag\">").count();
    assert!(flags >= 3, "{flags} flags");
    assert!(dom.contains("open, no answer from the agency"));
    let properties: Vec<&str> = dom.split("<tr class=\"property\">").skip(1).collect();
    assert!(properties.len() >= 2);
    assert!(properties
        .iter()
        .any(|p| p.contains("class=\"num per-square-foot\">$")));
    // The dates the data covers, and when the report was really generated (not the chain's clock).
    assert!(
        dom.contains("id=\"data-from\" datetime=\"2025-"),
        "no data range"
    );
    let generated = dom
        .split_once("id=\"generated\" datetime=\"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(time, _)| chrono::DateTime::parse_from_rfc3339(time).unwrap())
        .expect("generated time");
    let age = chrono::Utc::now().signed_duration_since(generated);
    assert!(
        age.num_seconds() >= 0 && age.num_hours() < 24,
        "generated {generated}"
    );
    let png = demo().dir.path().join("report.png");
    let shot = chromium(&program, TempDir::new().unwrap().path())
        .args([
            "--window-size=1200,2000",
            &format!("--screenshot={}", png.display()),
        ])
        .arg(&report)
        .output()
        .unwrap();
    assert!(shot.status.success());
    let bytes = std::fs::read(&png).unwrap();
    assert!(
        bytes.starts_with(b"\x89PNG") && bytes.len() > 50_000,
        "{} bytes",
        bytes.len()
    );
}
