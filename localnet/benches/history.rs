//! `cargo bench -p public-spending-localnet --bench history`: reading a ledger's history over JSON-RPC from
//! `pubspend serve`, one `getTransaction` per request (the Solana RPC client's way) against batched requests
//! (`public_spending_sdk::rpc_batch`, as the indexer reads), on the same transactions of the same server:
//! transactions per second for each, the ratio, and this process's peak memory.
//!
//! `PUBSPEND_BENCH_TRANSACTIONS` (default 5,000) transfers are sent to a fresh served chain first; each way then
//! reads all of them back, and the two readings must be equal.

use std::time::Instant;

use public_spending_localnet::{Localnet, LocalnetConfig};
use public_spending_sdk::{
    backend::RpcBackend,
    history::{History, MAX_PAGE},
    rpc_batch::BatchOptions,
};
use solana_client::nonblocking::rpc_client::RpcClient;
use solana_commitment_config::CommitmentConfig;
use solana_sdk::{
    signature::{Keypair, Signature},
    signer::Signer,
    transaction::Transaction,
};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let quick = std::env::args().any(|a| a == "--test" || a == "--list");
    let count: usize = if quick {
        200
    } else {
        std::env::var("PUBSPEND_BENCH_TRANSACTIONS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(5_000)
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let running = Localnet::start(LocalnetConfig {
        rpc_port: 0,
        ..LocalnetConfig::new(dir.path().join("chain.json"))
    })
    .await
    .expect("serve");
    let url = running.rpc_url();
    let rpc = RpcClient::new_with_commitment(url.clone(), CommitmentConfig::confirmed());
    let payer = Keypair::new();
    let airdrop = rpc
        .request_airdrop(&payer.pubkey(), 1_000_000_000_000)
        .await
        .expect("airdrop");
    let mut sent = vec![airdrop];
    let blockhash = rpc.get_latest_blockhash().await.expect("blockhash");
    for n in 0..count as u64 {
        let transfer = Transaction::new_signed_with_payer(
            &[anchor_lang::solana_program::system_instruction::transfer(
                &payer.pubkey(),
                &Keypair::new().pubkey(),
                1_000_000 + n,
            )],
            Some(&payer.pubkey()),
            &[&payer],
            blockhash,
        );
        sent.push(rpc.send_transaction(&transfer).await.expect("send"));
    }

    let backend = RpcBackend::new(url.clone(), Keypair::new());
    let mut signatures: Vec<Signature> = Vec::new();
    loop {
        let page = backend
            .signatures_for_address(&payer.pubkey(), signatures.last().copied(), None, MAX_PAGE)
            .await
            .expect("page");
        if page.is_empty() {
            break;
        }
        signatures.extend(page.iter().map(|info| info.signature));
    }
    assert_eq!(signatures.len(), sent.len(), "every transaction is paged");

    let started = Instant::now();
    let mut one_by_one = Vec::with_capacity(signatures.len());
    for signature in &signatures {
        one_by_one.push(
            backend
                .transaction(signature)
                .await
                .expect("getTransaction"),
        );
    }
    let single = started.elapsed().as_secs_f64();

    let options = BatchOptions::default();
    let batched_backend = RpcBackend::new(url, Keypair::new()).with_batch_options(options.clone());
    let started = Instant::now();
    let batched = batched_backend
        .transactions(&signatures)
        .await
        .expect("batched getTransaction");
    let batch = started.elapsed().as_secs_f64();
    assert!(
        batched == one_by_one,
        "both ways read the same transactions"
    );

    let rate = |seconds: f64| signatures.len() as f64 / seconds.max(1e-9);
    println!(
        "history over JSON-RPC from pubspend serve, {} transactions: one call per request {:>8.0} tx/s | batched ({} calls per request, {} in flight) {:>8.0} tx/s | batched/one-call {:>5.1}x | peak {} KiB",
        signatures.len(),
        rate(single),
        options.calls_per_request,
        options.concurrency,
        rate(batch),
        rate(batch) / rate(single),
        public_spending_tests::peak_kib()
    );
    running.shutdown().await.expect("shutdown");
}
