//! The reader's side in a real browser, against a ledger served over JSON-RPC by `pubspend serve`'s server.
//! The in-browser check: the ledger indexed from the node, and two explorers over that index, one honest and one
//! whose index has a payment's amount altered; in Debian's Chromium each page's "Verify in this browser" reads
//! the chain from the node, replays it with the verifier compiled to WebAssembly, and concludes: the honest page
//! verifies, the tampered one names the altered payment. And a public flag raised from an award's page, signed
//! by a Wallet Standard wallet the test injects (its key stays in the test), lands on the chain and appears on
//! the award's page once indexed.

use std::sync::Arc;

use public_spending_explorer::Explorer;
use public_spending_localnet::{Localnet, LocalnetConfig};
use public_spending_sdk::backend::RpcBackend;
use public_spending_tests::{external_program, prerequisite_missing, Chain, World, UNIT};
use public_spending_watchdog::{index, Location, Store};
use solana_sdk::signature::{Keypair, Signer};

const INSTALL: &str = "apt-get install chromium nodejs npm && npm ci --prefix explorer/tests/browser && rustup target add wasm32-unknown-unknown";

/// Serves `explorer` on a free loopback port; its URL.
async fn serve(explorer: Explorer) -> String {
    let listener = public_spending_explorer::bind("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(public_spending_explorer::serve(
        listener,
        Arc::new(explorer),
        std::future::pending(),
    ));
    url
}

/// Where the browser scripts and their npm packages are.
fn browser_folder() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// Runs one of the browser scripts (`tests/browser/SCRIPT`) with `args` and returns the report it prints, which
/// must carry no error.
fn run_script(script: &str, args: &[&str]) -> serde_json::Value {
    let output = std::process::Command::new("node")
        .current_dir(browser_folder())
        .arg(script)
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{script}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["errors"], serde_json::json!([]), "{report}");
    report
}

/// What the page concluded after its verify button was pressed.
fn press_verify(page: &str) -> serde_json::Value {
    run_script("verify.mjs", &[page])
}

/// Whether Node.js, Chromium and playwright-core are here (a test without them is skipped with a line, or
/// fails under CI, which installs them).
fn browser_ready(test: &str) -> bool {
    if external_program("node", test, INSTALL).is_none()
        || external_program("chromium", test, INSTALL).is_none()
    {
        return false;
    }
    if !browser_folder()
        .join("node_modules/playwright-core")
        .is_dir()
    {
        prerequisite_missing(test, "playwright-core is not installed", INSTALL);
        return false;
    }
    true
}

/// A new chain served over JSON-RPC on free ports (as `pubspend serve` serves it), and an SDK backend whose fee
/// payer the node has funded; `also` are funded too.
struct Node {
    runtime: tokio::runtime::Runtime,
    dir: tempfile::TempDir,
    running: public_spending_localnet::Running,
    url: String,
}

impl Node {
    fn start(also: &[solana_sdk::pubkey::Pubkey]) -> (Self, RpcBackend) {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let running = runtime
            .block_on(Localnet::start(LocalnetConfig {
                // Free ports: the tests of this binary run at once.
                rpc_port: 0,
                ..LocalnetConfig::new(dir.path().join("chain.json"))
            }))
            .unwrap();
        let url = running.rpc_url();
        let payer = Keypair::new();
        let backend = RpcBackend::new(url.clone(), payer.insecure_clone());
        for key in std::iter::once(payer.pubkey()).chain(also.iter().copied()) {
            runtime
                .block_on(Chain::airdrop(&backend, &key, 1_000_000_000_000))
                .unwrap();
        }
        let node = Self {
            runtime,
            dir,
            running,
            url,
        };
        (node, backend)
    }

    fn stop(self) {
        self.runtime.block_on(self.running.shutdown()).unwrap();
    }
}

#[test]
fn the_browser_replays_the_chain_from_the_node_and_names_a_tampered_payment() {
    if !browser_ready("the_browser_replays_the_chain_from_the_node_and_names_a_tampered_payment") {
        return;
    }
    let (served, backend) = Node::start(&[]);
    let (dir, node) = (served.dir.path(), served.url.clone());
    let (honest, tampered, signatures) = served.runtime.block_on(async {
        let mut world = World::on(backend).await;
        let agency = world.fast_path_agency("075").await;
        let award = world.award(&agency, b"VERIFY000001", 10_000 * UNIT).await;
        let mut signatures = Vec::new();
        for amount in [10, 11, 12] {
            let ix = world
                .pay_small_ix(&agency, &award, amount * UNIT)
                .await
                .instruction();
            signatures.push(
                world
                    .send(&[ix], &[&agency.executor])
                    .await
                    .unwrap()
                    .signature,
            );
        }
        let honest = dir.join("honest.sqlite");
        let mut store = Store::open(Location::Sqlite(honest.clone())).unwrap();
        index::index(&world.chain, &mut store, |_| {})
            .await
            .unwrap();
        drop(store);
        // The same index with payment 1's amount raised by one base unit, as a dishonest server would show it.
        let tampered = dir.join("tampered.sqlite");
        std::fs::copy(&honest, &tampered).unwrap();
        let store = Store::open_existing(Location::Sqlite(tampered.clone())).unwrap();
        let mut record = store
            .query_opt(
                "SELECT record FROM payments WHERE sequence = 1",
                &[],
                |row| Ok(row.bytes(0)?.to_vec()),
            )
            .unwrap()
            .unwrap();
        record[140] = record[140].wrapping_add(1);
        store
            .execute(
                "UPDATE payments SET record = $1 WHERE sequence = 1",
                &[record.into()],
            )
            .unwrap();
        drop(store);
        let open = |path: std::path::PathBuf| {
            Explorer::open(Location::Sqlite(path), None)
                .unwrap()
                .with_rpc(node.clone())
        };
        (
            serve(open(honest)).await,
            serve(open(tampered)).await,
            signatures,
        )
    });

    let report = press_verify(&format!("{honest}/agency/075"));
    assert_eq!(report["verified"], "true", "{report}");
    assert!(
        report["summary"]
            .as_str()
            .unwrap()
            .starts_with("Verified in this browser: 3 payments replayed from"),
        "{report}"
    );

    let report = press_verify(&format!("{tampered}/payment/{}", signatures[1]));
    assert_eq!(report["verified"], "false", "{report}");
    assert_eq!(
        report["problems"],
        serde_json::json!([{
            "sequence": 1,
            "signature": signatures[1].to_string(),
            "text": format!(
                "Payment 1 of the chain: the explorer shows amount 11.000001 where the chain paid 11.000000 (its transaction)"
            ),
        }]),
        "{report}"
    );
    served.stop();
}

/// Where the flag test's key comes from: a fresh keypair, its public key and its 32-byte seed in hex.
fn test_wallet() -> (Keypair, String, String) {
    let keypair = Keypair::new();
    let seed = hex::encode(&keypair.to_bytes()[..32]);
    let address = keypair.pubkey().to_string();
    (keypair, address, seed)
}

#[test]
fn a_flag_raised_with_the_readers_wallet_lands_and_shows_on_the_award() {
    if !browser_ready("a_flag_raised_with_the_readers_wallet_lands_and_shows_on_the_award") {
        return;
    }
    let (reader, address, seed) = test_wallet();
    let (served, backend) = Node::start(&[reader.pubkey()]);
    let (runtime, node) = (&served.runtime, served.url.clone());
    let db = Location::Sqlite(served.dir.path().join("index.sqlite"));
    let (world, explorer, url) = runtime.block_on(async {
        let mut world = World::on(backend).await;
        let agency = world.agency("075").await;
        world.award(&agency, b"FLAGGED00001", 10_000 * UNIT).await;
        let mut store = Store::open(db.clone()).unwrap();
        index::index(&world.chain, &mut store, |_| {})
            .await
            .unwrap();
        let explorer = Arc::new(
            Explorer::open(db.clone(), None)
                .unwrap()
                .with_rpc(node.clone()),
        );
        let listener = public_spending_explorer::bind("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(public_spending_explorer::serve(
            listener,
            Arc::clone(&explorer),
            std::future::pending(),
        ));
        (world, explorer, url)
    });
    let page = format!("{url}/award/075/AWD-FLAGGED00001");
    let report = run_script("flag.mjs", &[&page, &address, &seed]);
    let signature = report["flagged"].as_str().unwrap().to_string();
    assert!(
        report["status"]
            .as_str()
            .unwrap()
            .contains(&format!("raised by {address} in transaction {signature}")),
        "{report}"
    );

    // On the chain: the flag's event names the reader as the flagger and the award as the target.
    runtime.block_on(async {
        let mut store = Store::open(db.clone()).unwrap();
        index::index(&world.chain, &mut store, |_| {})
            .await
            .unwrap();
    });
    assert!(explorer.reload().unwrap());
    let snapshot = explorer.snapshot();
    let raised: Vec<_> = snapshot
        .events
        .iter()
        .filter_map(|row| match &row.event {
            public_spending_sdk::LedgerEvent::FlagRaised(e) => {
                Some((row.signature.clone(), e.clone()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(raised.len(), 1);
    assert_eq!(raised[0].0, signature);
    assert_eq!(raised[0].1.flagger, reader.pubkey());
    assert_eq!(
        raised[0].1.target,
        public_spending_sdk::pda::award(
            &public_spending_sdk::pda::agency("075").0,
            "AWD-FLAGGED00001"
        )
        .0
    );
    let html = runtime.block_on(async { reqwest::get(&page).await.unwrap().text().await.unwrap() });
    assert!(html.contains("public flag raised: Price"), "{html}");
    assert!(html.contains(&format!("/payment/{signature}")));
    served.stop();
}
