//! `cargo bench -p public-spending-watchdog --bench replay`: the watchdog at scale, on the synthetic ledger
//! (`public_spending_tests::synthetic`: 4 agencies, 97 awards and recipients, split payments everywhere and a
//! few red flags of other kinds planted).
//!
//! For 10k, 100k and 1M executed payments (`PUBSPEND_BENCH_SIZES=10000,100000` to choose), into an SQLite file
//! and into a PostgreSQL database (on the server `scripts/test-postgres` runs, or `PUBSPEND_TEST_POSTGRES`;
//! `PUBSPEND_BENCH_DBS=sqlite` to skip it), each size and database in a process of its own so that its peak
//! memory is its own:
//! - indexing rate: payments written into the index, in batches of the indexer's size;
//! - hash-chain replay: records per second through `verify::replay` (read from the index, rebuild each record,
//!   fold, compare), next to raw sha256 over the same 32 + 162 bytes per record, in the same run;
//! - the audit over the whole index (every check, findings streamed and counted), in a process of its own as
//!   `pubspend audit` runs: its time, and that process's peak resident memory (VmHWM); a PostgreSQL server's own
//!   memory is not in it;
//! - the watch: from a new transaction committed to the index (a payment repeating an invoice) to its alert,
//!   through the watch's own incremental audit (`watch::Alerts`), median of 5;
//! - with `PUBSPEND_BENCH_KEEP=1`, the index is kept and named, for a look at its query plans;
//! - with `PUBSPEND_BENCH_COMPARE=1` (or `--compare`), the in-memory audit the SQL checks replaced, run after
//!   the figures above: the findings must be identical, in the same order.

use std::{process::Command, time::Instant};

use public_spending_sdk::PaymentRecord;
use public_spending_tests::synthetic;
use public_spending_watchdog::{
    audit, index::BATCH, ledger::LedgerState, verify, watch::Alerts, Location, Store,
};

#[path = "../tests/support/reference_audit.rs"]
mod reference_audit;

/// Writes `transactions` into the index, `BATCH` to a database transaction.
fn write(store: &mut Store, transactions: Vec<synthetic::Transaction>) {
    for chunk in transactions.chunks(BATCH) {
        let batch = store.batch().expect("batch");
        for t in chunk {
            batch
                .transaction(&t.signature, t.slot, Some(t.block_time), None, 1)
                .expect("transaction");
            batch
                .event(&t.signature, 0, &t.event, &t.data)
                .expect("event");
        }
        batch.commit().expect("commit");
    }
}

/// A location as the command line names it (`--audit`).
fn location_text(location: &Location) -> String {
    match location {
        Location::Sqlite(path) => path.display().to_string(),
        Location::Postgres(url) => url.clone(),
    }
}

/// `--audit LOCATION --expect N`: the whole audit over the index at `LOCATION`, its findings streamed and
/// counted; prints its time, the findings and this process's peak memory.
fn audit_only(location: &str, expect: u64) {
    let location: Location = location.parse().expect("a location");
    let options = audit::AuditOptions::default();
    let started = Instant::now();
    let store = Store::open_existing(&location).expect("the index, for reading");
    let mut findings = 0u64;
    let examined = audit::audit_each(&store, &options, |_| {
        findings += 1;
        Ok(())
    })
    .expect("audit");
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(examined, expect);
    let peak = public_spending_tests::peak_kib();
    // Each check's own time, one after another on one connection.
    let context = audit::Context::new(&store, &options).expect("the accounts");
    let mut times: Vec<(f64, &str)> = Vec::new();
    for check in audit::ALL {
        let check_started = Instant::now();
        check.run(&context, &mut |_| Ok(())).expect("audit");
        times.push((check_started.elapsed().as_secs_f64(), check.about().id));
    }
    times.sort_by(|a, b| b.0.total_cmp(&a.0));
    let slowest: Vec<String> = times
        .iter()
        .take(4)
        .map(|(t, id)| format!("{id} {t:.2}"))
        .collect();
    println!(
        "audit {seconds:>6.2} s, {findings} findings, peak {peak:>6} KiB (checks alone: {})",
        slowest.join(", "),
    );
}

/// One size on one database (`sqlite` or `postgres`), measured in this process.
fn measure(size: u64, db: &str, compare: bool) {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = (db == "postgres").then(|| {
        public_spending_tests::postgres::database().expect("a PostgreSQL server for the bench")
    });
    let location = match &database {
        Some(database) => Location::Postgres(database.url.clone()),
        None => Location::Sqlite(dir.path().join("bench.sqlite")),
    };
    let mut store = Store::open(&location).expect("store");
    store
        .claim_ledger(&public_spending_sdk::pda::ledger().0, "synthetic")
        .expect("claim");
    let batch = store.batch().expect("batch");
    batch
        .accounts(&synthetic::accounts(size))
        .expect("accounts");
    batch.commit().expect("commit");
    let mut heads = vec![[0u8; 32]; synthetic::AGENCIES as usize];

    // As the indexer's first run does: the audit's indexes are built once the rows are in.
    let started = Instant::now();
    store.defer_audit_indexes().expect("defer the indexes");
    let mut indexing = started.elapsed().as_secs_f64();
    let mut n = 0u64;
    while n < size {
        // Generated a slice at a time outside the clock, written inside it.
        let end = (n + 10 * BATCH as u64).min(size);
        let transactions = synthetic::payments(n, end, &mut heads);
        let started = Instant::now();
        write(&mut store, transactions);
        indexing += started.elapsed().as_secs_f64();
        n = end;
    }
    let started = Instant::now();
    store.build_audit_indexes().expect("build the indexes");
    indexing += started.elapsed().as_secs_f64();
    // Verification and the audit read the index as `pubspend verify` and `audit` do: a store opened for reading.
    drop(store);
    let store = Store::open_existing(&location).expect("the index, for reading");

    let started = Instant::now();
    let report = verify::replay(&store, &LedgerState::default()).expect("replay");
    let replay = started.elapsed().as_secs_f64();
    assert!(
        report.mismatches.is_empty(),
        "the synthetic chains hold together"
    );

    // The audit in a process of its own, as `pubspend audit` runs: its peak memory is the audit's alone.
    drop(store);
    let audited = Command::new(std::env::current_exe().expect("this bench's path"))
        .args([
            "--audit",
            &location_text(&location),
            "--expect",
            &size.to_string(),
        ])
        .output()
        .expect("run the audit");
    assert!(
        audited.status.success(),
        "the audit failed: {}",
        String::from_utf8_lossy(&audited.stderr)
    );
    let audited = String::from_utf8_lossy(&audited.stdout).trim().to_string();

    // The watch (which writes the index: a store opened as the indexer opens it), caught up (its first audit
    // is the whole index), then one new payment at a time, each paying the last indexed payment's invoice again.
    let mut store = Store::open(&location).expect("the index, for the watch");
    let mut alerts = Alerts::new(audit::AuditOptions::default(), Vec::<String>::new());
    alerts
        .after_index(&store, 0)
        .expect("the watch's first audit");
    let mut waits = Vec::new();
    for k in 0..5 {
        let n = size + k;
        let mut transaction = synthetic::payments(n, n + 1, &mut heads).remove(0);
        // The same payment, but with payment `size - 1`'s invoice (and its head recomputed).
        let a = (n % synthetic::AGENCIES) as usize;
        let public_spending_sdk::LedgerEvent::PaymentExecuted(executed) = &transaction.event else {
            unreachable!("a synthetic transaction is a payment")
        };
        let mut record: PaymentRecord = executed.record.clone();
        record.invoice_hash = synthetic::record(size - 1).invoice_hash;
        let (event, data, head) =
            public_spending_tests::executed_event(record, executed.previous_outlay_hash);
        heads[a] = head;
        transaction.event = event;
        transaction.data = data;
        let signature = transaction.signature.clone();
        write(&mut store, vec![transaction]);
        let started = Instant::now();
        let new = alerts.after_index(&store, 0).expect("the watch's step");
        waits.push(started.elapsed().as_secs_f64() * 1_000.0);
        assert!(
            new.iter()
                .any(|a| a.finding.check == audit::DUPLICATE_INVOICES.id
                    && a.finding.records.contains(&signature)),
            "the repeated invoice is alerted"
        );
    }
    waits.sort_by(f64::total_cmp);
    let watch_ms = waits[waits.len() / 2];

    // Raw sha256 over the same bytes, in memory: 32 bytes of head and the 162-byte canonical record per payment.
    let canonical: Vec<[u8; PaymentRecord::CANONICAL_LEN]> = (0..size)
        .map(|n| synthetic::record(n).canonical_bytes())
        .collect();
    let started = Instant::now();
    let mut head = [0u8; 32];
    for bytes in &canonical {
        head = solana_sha256_hasher::hashv(&[&head, bytes]).to_bytes();
    }
    let raw = started.elapsed().as_secs_f64();
    std::hint::black_box(head);
    drop(canonical);

    let rate = |seconds: f64| size as f64 / seconds.max(1e-9);
    println!(
        "{db:>8} {size:>9} payments | index {:>7.0} payments/s ({indexing:>6.1} s) | replay {:>8.0} records/s | raw sha256 {:>8.0} records/s | replay/raw {:>4.2} | {audited} | watch new tx -> alert {watch_ms:>7.1} ms",
        rate(indexing),
        rate(replay),
        rate(raw),
        rate(replay) / rate(raw),
    );

    if compare {
        let started = Instant::now();
        let sql = audit::audit(&store, &audit::AuditOptions::default()).expect("audit");
        let sql_seconds = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let in_memory = reference_audit::audit(&store, &audit::AuditOptions::default())
            .expect("the in-memory audit");
        let in_memory_seconds = started.elapsed().as_secs_f64();
        assert!(
            sql == in_memory,
            "the SQL checks and the in-memory audit differ at {size} payments on {db}"
        );
        println!(
            "{db:>8} {size:>9} payments | findings identical to the in-memory audit: {} findings (in-memory audit {in_memory_seconds:.2} s, SQL audit keeping its findings {sql_seconds:.2} s, process peak {} KiB)",
            sql.findings.len(),
            public_spending_tests::peak_kib()
        );
    }
    drop(store);
    if std::env::var_os("PUBSPEND_BENCH_KEEP").is_some() {
        // Kept for a look with `psql` or `sqlite3`.
        println!("kept: {}", location_text(&location));
        std::mem::forget(database);
        std::mem::forget(dir);
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
    };
    let compare = args.iter().any(|a| a == "--compare")
        || std::env::var("PUBSPEND_BENCH_COMPARE").is_ok_and(|v| v == "1");
    if let Some(location) = value("--audit") {
        audit_only(
            location,
            value("--expect")
                .expect("--expect")
                .parse()
                .expect("a size"),
        );
        return;
    }
    if let Some(size) = value("--size") {
        measure(
            size.parse().expect("a size"),
            value("--db").map_or("sqlite", String::as_str),
            compare,
        );
        return;
    }
    if args.iter().any(|a| a == "--test" || a == "--list") {
        // `cargo test --benches` runs benches as tests: measure the smallest size only, and compare.
        measure(1_000, "sqlite", true);
        return;
    }
    let sizes =
        std::env::var("PUBSPEND_BENCH_SIZES").unwrap_or_else(|_| "10000,100000,1000000".into());
    println!(
        "watchdog replay bench: {} agencies, {} awards, index batches of {BATCH}, each size in its own process",
        synthetic::AGENCIES,
        synthetic::AWARDS
    );
    let exe = std::env::current_exe().expect("this bench's path");
    let dbs = std::env::var("PUBSPEND_BENCH_DBS").unwrap_or_else(|_| "sqlite,postgres".into());
    for size in sizes.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        for db in dbs.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let mut command = Command::new(&exe);
            command.args(["--size", size, "--db", db]);
            if compare {
                command.arg("--compare");
            }
            let status = command.status().expect("run a size");
            assert!(status.success(), "size {size} on {db} failed");
        }
    }
}
