//! `cargo bench -p public-spending-watchdog --bench replay`: the watchdog at scale, on synthetic ledgers.
//!
//! For 10k, 100k and 1M executed payments (`PUBSPEND_BENCH_SIZES=10000,100000` to choose), into an SQLite file
//! and into a PostgreSQL database (on the server `scripts/test-postgres` runs, or `PUBSPEND_TEST_POSTGRES`;
//! `PUBSPEND_BENCH_DBS=sqlite` to skip it), each size and database in a process of its own so that its peak
//! memory is its own:
//! - indexing rate: payments written into the index, in batches of the indexer's size;
//! - hash-chain replay: records per second through `verify::replay` (read from the index, rebuild each record,
//!   fold, compare), next to raw sha256 over the same 32 + 162 bytes per record, in the same run;
//! - the audit's time over the whole index (every check);
//! - peak resident memory (VmHWM) of this process (a PostgreSQL server's own memory is not in it), which must
//!   not grow with the ledger.

use std::{process::Command, time::Instant};

use anchor_lang::prelude::Pubkey;
use public_spending_sdk::PaymentRecord;
use public_spending_watchdog::{audit, index::BATCH, ledger::LedgerState, verify, Location, Store};

const AGENCIES: u64 = 4;

fn record(agency: Pubkey, sequence: u64, n: u64) -> PaymentRecord {
    let key = |tag: u64| {
        let mut bytes = [0u8; 32];
        bytes[..8].copy_from_slice(&tag.to_le_bytes());
        bytes[8..16].copy_from_slice(&n.to_le_bytes());
        Pubkey::new_from_array(bytes)
    };
    PaymentRecord {
        sequence,
        agency,
        award: key(1 + n % 97),
        payment_index: u32::try_from(n / 97).unwrap_or(u32::MAX),
        recipient: key(200 + n % 97),
        recipient_token_account: key(400 + n % 97),
        amount: 1_000 + n % 50_000,
        invoice_hash: *key(600).as_array(),
        reference: key(800),
        executed_at: 1_759_276_800 + i64::try_from(n).unwrap_or(0) * 60,
    }
}

/// One size on one database (`sqlite` or `postgres`), measured in this process.
fn measure(size: u64, db: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = (db == "postgres").then(|| {
        public_spending_tests::postgres::database().expect("a PostgreSQL server for the bench")
    });
    let location = match &database {
        Some(database) => Location::Postgres(database.url.clone()),
        None => Location::Sqlite(dir.path().join("bench.sqlite")),
    };
    let mut store = Store::open(&location).expect("store");
    let agencies: Vec<Pubkey> = (0..AGENCIES)
        .map(|a| Pubkey::new_from_array([a as u8 + 1; 32]))
        .collect();
    let mut heads = vec![[0u8; 32]; agencies.len()];

    let started = Instant::now();
    let mut n = 0u64;
    while n < size {
        let batch = store.batch().expect("batch");
        for _ in 0..BATCH.min((size - n) as usize) {
            let a = (n % AGENCIES) as usize;
            let record = record(agencies[a], n / AGENCIES, n);
            let (event, data, head) = public_spending_tests::executed_event(record, heads[a]);
            heads[a] = head;
            let signature = format!("synthetic-{n}");
            batch
                .transaction(&signature, n, Some(0), None, 1)
                .expect("transaction");
            batch.event(&signature, 0, &event, &data).expect("event");
            n += 1;
        }
        batch.commit().expect("commit");
    }
    let indexing = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let report = verify::replay(&store, &LedgerState::default()).expect("replay");
    let replay = started.elapsed().as_secs_f64();
    assert!(
        report.mismatches.is_empty(),
        "the synthetic chains hold together"
    );
    assert_eq!(
        report.chains.len(),
        0,
        "no agency accounts: chains are replayed, not compared"
    );

    let started = Instant::now();
    let audited = audit::audit(&store, &audit::AuditOptions::default()).expect("audit");
    let audit_seconds = started.elapsed().as_secs_f64();
    assert_eq!(audited.payments_examined, size);

    let peak = public_spending_tests::peak_kib();

    // Raw sha256 over the same bytes, in memory: 32 bytes of head and the 162-byte canonical record per payment.
    // (Built after the peak was read: the comparison's buffer is the bench's, not the watchdog's.)
    let canonical: Vec<[u8; PaymentRecord::CANONICAL_LEN]> = (0..size)
        .map(|n| record(agencies[(n % AGENCIES) as usize], n / AGENCIES, n).canonical_bytes())
        .collect();
    let started = Instant::now();
    let mut head = [0u8; 32];
    for bytes in &canonical {
        head = solana_sha256_hasher::hashv(&[&head, bytes]).to_bytes();
    }
    let raw = started.elapsed().as_secs_f64();
    std::hint::black_box(head);

    let rate = |seconds: f64| size as f64 / seconds.max(1e-9);
    println!(
        "{db:>8} {size:>9} payments | index {:>8.0} payments/s | replay {:>9.0} records/s | raw sha256 {:>9.0} records/s | replay/raw {:>5.2} | audit {audit_seconds:>7.2} s | peak {:>7} KiB",
        rate(indexing),
        rate(replay),
        rate(raw),
        rate(replay) / rate(raw),
        peak
    );
    drop(store);
    drop(database);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
    };
    if let Some(size) = value("--size") {
        measure(
            size.parse().expect("a size"),
            value("--db").map_or("sqlite", String::as_str),
        );
        return;
    }
    if args.iter().any(|a| a == "--test" || a == "--list") {
        // `cargo test --benches` runs benches as tests: measure the smallest size only.
        measure(1_000, "sqlite");
        return;
    }
    let sizes =
        std::env::var("PUBSPEND_BENCH_SIZES").unwrap_or_else(|_| "10000,100000,1000000".into());
    println!("watchdog replay bench: {AGENCIES} agencies, index batches of {BATCH}, each size in its own process");
    let exe = std::env::current_exe().expect("this bench's path");
    let dbs = std::env::var("PUBSPEND_BENCH_DBS").unwrap_or_else(|_| "sqlite,postgres".into());
    for size in sizes.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        for db in dbs.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let status = Command::new(&exe)
                .args(["--size", size, "--db", db])
                .status()
                .expect("run a size");
            assert!(status.success(), "size {size} on {db} failed");
        }
    }
}
