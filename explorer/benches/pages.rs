//! `cargo bench -p public-spending-explorer --bench pages`: the explorer's pages over synthetic ledgers.
//!
//! For 10k, 100k and 1M executed payments (`PUBSPEND_BENCH_SIZES=10000,100000` to choose), each size in a
//! process of its own: an SQLite index of the synthetic ledger (`public_spending_tests::synthetic`: 4 agencies, 97 awards
//! and their recipients, and every payment's event),
//! then the explorer over it, served on a loopback port and asked over HTTP, as a reader asks:
//! - the time to read the index into the pages' snapshot (the audit included), and the peak memory after it;
//! - median and p95 latency of the home, agency, award, recipient and search pages (`PUBSPEND_BENCH_REQUESTS`
//!   requests each, 30 by default);
//! - a CSV download of up to 100k rows: its time, its size, and the peak memory while it streams (the peak is
//!   reset just before it, so a download that held its rows in memory would show here).

use std::{process::Command, sync::Arc, time::Instant};

use public_spending_tests::synthetic::{self, code, uei, AGENCIES, AWARDS, START};
use public_spending_watchdog::{index::BATCH, Location, Store};

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
    batch
        .accounts(&synthetic::accounts(size))
        .expect("accounts");
    batch.commit().expect("commit");
    let mut heads = vec![[0u8; 32]; AGENCIES as usize];
    let mut n = 0u64;
    while n < size {
        let end = (n + BATCH as u64).min(size);
        let batch = store.batch().expect("batch");
        for t in synthetic::payments(n, end, &mut heads) {
            batch
                .transaction(&t.signature, t.slot, Some(t.block_time), None, 1)
                .expect("transaction");
            batch
                .event(&t.signature, 0, &t.event, &t.data)
                .expect("event");
        }
        batch.commit().expect("commit");
        n = end;
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
