//! `cargo bench -p public-spending-explorer --bench pages`: the explorer's pages over synthetic ledgers.
//!
//! For 10k, 100k and 1M executed payments (`PUBSPEND_BENCH_SIZES=10000,100000` to choose), each size in a
//! process of its own: an SQLite index with 4 agencies, 97 awards and 97 recipients and every payment's event,
//! then the explorer over it, served on a loopback port and asked over HTTP, as a reader asks:
//! - the time to read the index into the pages' snapshot (the audit included), and the peak memory after it;
//! - median and p95 latency of the home, agency, award, recipient and search pages (`PUBSPEND_BENCH_REQUESTS`
//!   requests each, 30 by default);
//! - a CSV download of up to 100k rows: its time, its size, and the peak memory while it streams (the peak is
//!   reset just before it, so a download that held its rows in memory would show here).

use std::{process::Command, sync::Arc, time::Instant};

use anchor_lang::{prelude::Pubkey, AccountSerialize};
use public_spending::state::{Agency, ApprovalPolicy, Award, Ledger, Recipient};
use public_spending_sdk::PaymentRecord;
use public_spending_watchdog::{index::BATCH, Location, Store};

const AGENCIES: u64 = 4;
const AWARDS: u64 = 97;
const START: i64 = 1_759_276_800; // 2025-10-01 00:00 UTC

fn key(tag: u64, n: u64) -> Pubkey {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&tag.to_le_bytes());
    bytes[8..16].copy_from_slice(&n.to_le_bytes());
    Pubkey::new_from_array(bytes)
}

fn agency_key(a: u64) -> Pubkey {
    Pubkey::new_from_array([a as u8 + 1; 32])
}

fn code(a: u64) -> String {
    format!("{:03}", 70 + a)
}

fn uei(r: u64) -> String {
    format!("BENCH{r:07}")
}

fn account<T: AccountSerialize>(account: &T) -> Vec<u8> {
    let mut data = Vec::new();
    account
        .try_serialize(&mut data)
        .expect("an account serializes");
    data
}

/// The ledger's accounts: the ledger, the agencies, awards 0..97 (award `w` belongs to agency `w % 4`) and their
/// recipients.
fn accounts(size: u64) -> Vec<(Pubkey, &'static str, Vec<u8>)> {
    let mut all = vec![(
        public_spending_sdk::pda::ledger().0,
        "Ledger",
        account(&Ledger {
            mint_decimals: 2,
            ..Ledger::default()
        }),
    )];
    for a in 0..AGENCIES {
        all.push((
            agency_key(a),
            "Agency",
            account(&Agency {
                code: code(a),
                name: format!("Bench agency {a}"),
                policy: ApprovalPolicy {
                    threshold: 100_000,
                    approvals_required: 1,
                    time_lock_seconds: 0,
                    fast_path_daily_cap: 10_000_000,
                },
                outlay_count: size / AGENCIES,
                budget_authority: u64::MAX / 8,
                allotted: u64::MAX / 16,
                obligated: u64::MAX / 32,
                ..Agency::default()
            }),
        ));
    }
    for w in 0..AWARDS {
        all.push((
            key(1 + w, 0),
            "Award",
            account(&Award {
                agency: agency_key(w % AGENCIES),
                recipient: key(200 + w, 0),
                award_id: format!("BENCH-{w:04}"),
                period_end: 4_000_000_000,
                ..Award::default()
            }),
        ));
        all.push((
            key(200 + w, 0),
            "Recipient",
            account(&Recipient {
                agency: agency_key(w % AGENCIES),
                uei: uei(w).into_bytes().try_into().expect("12 bytes"),
                name: format!("Bench vendor {w}"),
                registered_at: START - 86_400 * 400,
                ..Recipient::default()
            }),
        ));
    }
    all
}

fn record(n: u64) -> PaymentRecord {
    let a = n % AGENCIES;
    let w = n % AWARDS;
    PaymentRecord {
        sequence: n / AGENCIES,
        agency: agency_key(a),
        award: key(1 + w, 0),
        payment_index: u32::try_from(n / AWARDS).unwrap_or(u32::MAX),
        recipient: key(200 + w, 0),
        recipient_token_account: key(400 + w, 0),
        amount: 1_000 + n % 50_000,
        invoice_hash: *key(600, n).as_array(),
        reference: key(800, n),
        executed_at: START + i64::try_from(n).unwrap_or(0) * 60,
    }
}

/// Writes the synthetic ledger of `size` payments into a new SQLite index.
fn build(size: u64, location: &Location) {
    let mut store = Store::open(location).expect("store");
    store
        .claim_ledger(
            &public_spending_sdk::pda::ledger().0,
            "synthetic-bench-genesis",
        )
        .expect("claim");
    let batch = store.batch().expect("batch");
    batch.accounts(&accounts(size)).expect("accounts");
    batch.commit().expect("commit");
    let mut heads = vec![[0u8; 32]; AGENCIES as usize];
    let mut n = 0u64;
    while n < size {
        let batch = store.batch().expect("batch");
        for _ in 0..BATCH.min((size - n) as usize) {
            let record = record(n);
            let a = (n % AGENCIES) as usize;
            let (event, data, head) = public_spending_tests::executed_event(record, heads[a]);
            heads[a] = head;
            let signature = bs58::encode(key(900, n).as_array().repeat(2)).into_string();
            batch
                .transaction(&signature, n + 1, Some(START + n as i64 * 60), None, 1)
                .expect("transaction");
            batch.event(&signature, 0, &event, &data).expect("event");
            n += 1;
        }
        batch.commit().expect("commit");
    }
}

/// Median and 95th percentile of `times` (milliseconds).
fn percentiles(mut times: Vec<f64>) -> (f64, f64) {
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
    (at(0.5), at(0.95))
}

fn measure(size: u64) {
    let dir = tempfile::tempdir().expect("temp dir");
    let location = Location::Sqlite(dir.path().join("bench.sqlite"));
    build(size, &location);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let started = Instant::now();
    let explorer = Arc::new(
        public_spending_explorer::Explorer::open(location, None).expect("the explorer opens"),
    );
    let load = started.elapsed().as_secs_f64();
    let loaded_peak = public_spending_tests::peak_kib();
    let url = runtime.block_on(async {
        let listener = public_spending_explorer::bind("127.0.0.1:0".parse().expect("address"))
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        tokio::spawn(public_spending_explorer::serve(
            listener,
            Arc::clone(&explorer),
            std::future::pending(),
        ));
        url
    });
    let requests: usize = std::env::var("PUBSPEND_BENCH_REQUESTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(30);
    let client = reqwest::Client::new();
    let get = |path: String| {
        let client = client.clone();
        let url = format!("{url}{path}");
        async move {
            let started = Instant::now();
            let response = client.get(&url).send().await.expect("request");
            assert_eq!(response.status().as_u16(), 200, "{url}");
            let body = response.bytes().await.expect("body");
            (started.elapsed().as_secs_f64() * 1e3, body.len())
        }
    };
    let pages: [(&str, String); 5] = [
        ("home", "/".into()),
        ("agency", format!("/agency/{}", code(1))),
        (
            "award",
            format!("/award/{}/BENCH-{:04}", code(5 % AGENCIES), 5),
        ),
        ("recipient", format!("/recipient/{}", uei(7))),
        (
            "search",
            format!("/search?q=vendor+3&agency={}&min=100&max=300", code(2)),
        ),
    ];
    let mut line = format!("{size:>9} payments | load {load:>6.2} s, peak {loaded_peak:>8} KiB |");
    for (name, path) in &pages {
        let times: Vec<f64> = runtime.block_on(async {
            let mut times = Vec::with_capacity(requests);
            for _ in 0..requests {
                times.push(get(path.clone()).await.0);
            }
            times
        });
        let (median, p95) = percentiles(times);
        line.push_str(&format!(" {name} {median:.1}/{p95:.1} ms |"));
    }
    // Up to 100k rows: the first 100k minutes of the year, one payment a minute.
    let rows = size.min(100_000);
    let to = chrono::DateTime::from_timestamp(START + (rows as i64 - 1) * 60, 0)
        .expect("a date")
        .format("%Y-%m-%d");
    let before_kib = public_spending_tests::peak_kib();
    // Resets the peak (VmHWM) to the current size, so that the next reading is the download's own peak.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let rss = public_spending_tests::peak_kib();
    // Read chunk by chunk and dropped: the client holds no copy, so the memory is the server's.
    let (ms, bytes) = runtime.block_on(async {
        let started = Instant::now();
        let mut response = client
            .get(format!("{url}/search?format=csv&to={to}"))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status().as_u16(), 200);
        let mut bytes = 0usize;
        while let Some(chunk) = response.chunk().await.expect("a chunk") {
            bytes += chunk.len();
        }
        (started.elapsed().as_secs_f64() * 1e3, bytes)
    });
    let during = public_spending_tests::peak_kib();
    line.push_str(&format!(
        " csv {} rows asked, {:.1} MB in {ms:.0} ms, memory {rss} -> {during} KiB while streaming (peak before {before_kib})",
        rows,
        bytes as f64 / 1e6
    ));
    println!("{line}");
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(size) = args
        .iter()
        .position(|a| a == "--size")
        .and_then(|i| args.get(i + 1))
    {
        measure(size.parse().expect("a size"));
        return;
    }
    if args.iter().any(|a| a == "--test" || a == "--list") {
        // `cargo test --benches` runs benches as tests: the smallest size only.
        measure(1_000);
        return;
    }
    let sizes =
        std::env::var("PUBSPEND_BENCH_SIZES").unwrap_or_else(|_| "10000,100000,1000000".into());
    println!("explorer pages bench: {AGENCIES} agencies, {AWARDS} awards; median/p95 per page; each size in its own process");
    let exe = std::env::current_exe().expect("this bench's path");
    for size in sizes.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let status = Command::new(&exe)
            .args(["--size", size])
            .status()
            .expect("run a size");
        assert!(status.success(), "size {size} failed");
    }
}
