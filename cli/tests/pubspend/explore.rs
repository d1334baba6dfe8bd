//! `pubspend explore` following a served chain: the pages it serves show a payment made after it started, once
//! it has indexed it (the explorer follows the node as `watch` does and re-reads the index), and Ctrl-C stops it.

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
};

use public_spending_localnet::{Localnet, LocalnetConfig};
use public_spending_sdk::backend::RpcBackend;
use public_spending_tests::{Chain, World, UNIT};
use solana_sdk::signature::{Keypair, Signer};

/// The page's text at `url`, over a plain HTTP/1.1 GET on loopback.
fn get(url: &str) -> String {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_string()), |(h, p)| (h, format!("/{p}")));
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    use std::io::{Read, Write};
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

#[test]
fn explore_follows_the_node_and_shows_a_new_payment() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let running = runtime
        .block_on(Localnet::start(LocalnetConfig {
            rpc_port: 0,
            ..LocalnetConfig::new(dir.path().join("chain.json"))
        }))
        .unwrap();
    let payer = Keypair::new();
    let backend = RpcBackend::new(running.rpc_url(), payer.insecure_clone());
    runtime
        .block_on(Chain::airdrop(&backend, &payer.pubkey(), 1_000_000_000_000))
        .unwrap();
    let mut world = runtime.block_on(World::on(backend));
    let agency = runtime.block_on(world.fast_path_agency("075"));
    let award = runtime.block_on(world.award(&agency, b"EXPLORE00001", 10_000 * UNIT));
    let pay = |world: &mut World<RpcBackend>, amount: u64| {
        runtime.block_on(async {
            let ix = world
                .pay_small_ix(&agency, &award, amount)
                .await
                .instruction();
            world.send(&[ix], &[&agency.executor]).await.unwrap();
        })
    };
    pay(&mut world, 10 * UNIT);

    let pubspend = |args: &[&str]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_pubspend"));
        command
            .current_dir(dir.path())
            .env("HOME", dir.path())
            .args(["-u", &running.rpc_url(), "--ws", &running.ws_url()])
            .args(args);
        command
    };
    let indexed = pubspend(&["index", "--db", "idx.sqlite"]).output().unwrap();
    assert!(
        indexed.status.success(),
        "{}",
        String::from_utf8_lossy(&indexed.stderr)
    );
    let mut explore = pubspend(&[
        "explore",
        "--db",
        "idx.sqlite",
        "--listen",
        "127.0.0.1:0",
        "--refresh",
        "1",
    ])
    .stdout(Stdio::piped())
    .stderr(std::fs::File::create(dir.path().join("explore.log")).unwrap())
    .spawn()
    .unwrap();
    // Its first line says where the pages are.
    let mut lines = BufReader::new(explore.stdout.take().unwrap()).lines();
    let pages = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| line.strip_prefix("pages").map(|url| url.trim().to_string()))
        .expect("explore printed where its pages are");
    assert!(get(&format!("{pages}agency/075")).contains("Rows 1 to 1 of 1."));

    // A payment after the explorer started: it follows the node, indexes it and the page shows it.
    pay(&mut world, 20 * UNIT);
    let guard = std::time::Instant::now() + std::time::Duration::from_secs(300);
    loop {
        if get(&format!("{pages}agency/075")).contains("Rows 1 to 2 of 2.") {
            break;
        }
        assert!(
            explore.try_wait().unwrap().is_none() && std::time::Instant::now() < guard,
            "the page never showed the second payment: {}",
            std::fs::read_to_string(dir.path().join("explore.log")).unwrap_or_default()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }

    // Ctrl-C: the server stops after the requests under way, and says so.
    let interrupted = Command::new("kill")
        .args(["-INT", &explore.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let status = explore.wait().unwrap();
    assert!(status.success(), "{status}");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(
        rest.iter().any(|line| line.starts_with("stopped")),
        "{rest:?}"
    );
    let log = std::fs::read_to_string(dir.path().join("explore.log")).unwrap();
    assert!(
        log.contains("GET /agency/075 200"),
        "one line per request: {log}"
    );
    runtime.block_on(running.shutdown()).unwrap();
}
