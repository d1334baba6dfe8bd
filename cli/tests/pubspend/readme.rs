//! The README's walkthroughs, run as written: each block after a `<!-- ... walkthrough` marker is extracted and
//! run by bash in an empty folder with the built `pubspend` on the PATH, so the README cannot drift from the code.

use std::{path::Path, process::Command};

use serde_json::Value;

/// The shell block that follows the first walkthrough marker in README.md.
fn walkthrough() -> String {
    block_after("<!-- walkthrough")
}

/// The shell block that follows `marker` in README.md.
fn block_after(marker: &str) -> String {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"))
            .expect("README.md");
    let after = readme
        .split_once(marker)
        .unwrap_or_else(|| panic!("README.md has no {marker:?} marker"))
        .1;
    let block = after
        .split_once("```sh\n")
        .expect("a sh block after the marker")
        .1;
    block
        .split_once("\n```")
        .expect("the block is closed")
        .0
        .to_string()
}

/// Runs `script` with bash in an empty folder, the built `pubspend` first on the PATH.
fn run_script(script: &str, dir: &Path) -> std::process::Output {
    let binary = Path::new(env!("CARGO_BIN_EXE_pubspend"));
    let path = std::env::join_paths(
        std::iter::once(binary.parent().unwrap().to_path_buf()).chain(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        )),
    )
    .unwrap();
    Command::new("bash")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .env("HOME", dir)
        .env("PATH", path)
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

#[test]
fn the_readme_watchdog_walkthrough_runs_as_written() {
    let dir = tempfile::TempDir::new().unwrap();
    let output = run_script(&block_after("<!-- watchdog walkthrough"), dir.path());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the watchdog walkthrough failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("all 3 hash chains and"), "{stdout}");
    assert!(stdout.contains("18 findings from 15 checks"), "{stdout}");
    // The oversight reads: the debarred vendor with its grounds, the open flag, and the headquarters' cost.
    assert!(
        stdout.contains("069V10000006") && stdout.contains("CourtOrder"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Price") && stdout.contains("Open"),
        "{stdout}"
    );
    assert!(
        stdout.contains("412,000 sq ft") && stdout.contains("075-26-0101M"),
        "{stdout}"
    );
    for file in [
        "pubspend-index.sqlite",
        "audit.html",
        "usaspending/File_A_AppropriationsAccount.csv",
        "usaspending/File_B_ObjectClassProgramActivity.csv",
        "usaspending/File_C_AwardFinancial.csv",
        "ocds.json",
        "report.html",
    ] {
        assert!(dir.path().join(file).exists(), "{file} was not written");
    }
    assert!(stdout.contains("award document"), "{stdout}");
}

/// The explorer walkthrough: the pages and the download it fetches, and the digest its headers name.
#[test]
fn the_readme_explorer_walkthrough_runs_as_written() {
    let dir = tempfile::TempDir::new().unwrap();
    let output = run_script(&block_after("<!-- explorer walkthrough"), dir.path());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the explorer walkthrough failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let csv = std::fs::read(dir.path().join("payments-075.csv")).unwrap();
    let sha256 = hex::encode(solana_sdk::hash::hash(&csv).to_bytes());
    assert!(
        stdout
            .to_lowercase()
            .contains(&format!("x-content-sha256: {sha256}")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("{sha256}  payments-075.csv")),
        "{stdout}"
    );
    let agency = std::fs::read_to_string(dir.path().join("agency-075.html")).unwrap();
    assert!(agency.contains("<h1>Agency 075: Department of Health and Human Services</h1>"));
    let search = std::fs::read_to_string(dir.path().join("search.html")).unwrap();
    assert!(search.contains("Payments matching the search"));
    // 101 payments of agency 075 in the demo's year, one CSV row each under the header.
    assert_eq!(String::from_utf8_lossy(&csv).lines().count(), 1 + 101);
    let log = std::fs::read_to_string(dir.path().join("explore.log")).unwrap();
    assert!(
        log.contains("stopped"),
        "the explorer stopped on Ctrl-C: {log}"
    );
}

#[test]
fn the_readme_walkthrough_runs_as_written() {
    let script = walkthrough();
    let placeholder = script
        .match_indices('<')
        .find(|(at, _)| script[at + 1..].starts_with(|c: char| c.is_ascii_uppercase()));
    assert_eq!(placeholder, None, "a <PLACEHOLDER> in the walkthrough");
    let dir = tempfile::TempDir::new().unwrap();
    let binary = Path::new(env!("CARGO_BIN_EXE_pubspend"));
    let path = std::env::join_paths(
        std::iter::once(binary.parent().unwrap().to_path_buf()).chain(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        )),
    )
    .unwrap();
    let output = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(dir.path())
        .env("HOME", dir.path())
        .env("PATH", path)
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the walkthrough failed:\n{stdout}\n{stderr}"
    );
    assert!(stderr.trim().is_empty(), "nothing on stderr: {stderr}");

    // Its last command prints the agency as JSON: both payments are in the totals and the hash chain.
    let agency: Value = serde_json::from_str(stdout.trim().lines().last().unwrap()).unwrap();
    assert_eq!(agency["code"], "075");
    assert_eq!(agency["outlayed"], "40950.00");
    assert_eq!(agency["obligated"], "250000.00");
    assert_eq!(agency["payments"], 2);
    assert_eq!(agency["frozen"], false);
    assert_eq!(agency["outlay_hash"].as_str().map(str::len), Some(64));
    // Every command that moves or records money printed the amount it sent, with thousands separators.
    let printed: Vec<(&str, &str)> = stdout
        .lines()
        .filter_map(|line| line.split_once("  "))
        .map(|(key, value)| (key.trim(), value.trim()))
        .collect();
    for (key, value) in [
        ("amount", "5,000,000.00"),
        ("amount", "3,000,000.00"),
        ("amount", "1,000,000.00"),
        ("obligated", "250,000.00"),
        ("amount", "40,000.00"),
        ("amount", "950.00"),
    ] {
        assert!(
            printed.contains(&(key, value)),
            "{key} {value} missing from:\n{stdout}"
        );
    }
}

/// The serve walkthrough continues the main one in its folder: the same keys, over JSON-RPC.
/// The oversight block: the auditors proposed and applied on notice, a freeze another auditor cannot lift alone
/// but can with a second one, a planted auditor vetoed.
#[test]
fn the_readme_oversight_walkthrough_runs_after_the_main_one() {
    let dir = tempfile::TempDir::new().unwrap();
    let first = run_script(&walkthrough(), dir.path());
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let output = run_script(&block_after("<!-- oversight walkthrough"), dir.path());
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the oversight walkthrough failed:\n{stdout}\n{stderr}"
    );
    assert!(
        stderr.contains("it lifts it alone, or another auditor lifts it with a second auditor's concurring signature"),
        "{stderr}"
    );
    assert!(stdout.contains("vetoed by"), "{stdout}");
}

#[test]
fn the_readme_serve_walkthrough_runs_after_the_main_one() {
    let dir = tempfile::TempDir::new().unwrap();
    let first = run_script(&walkthrough(), dir.path());
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let output = run_script(&block_after("<!-- serve walkthrough"), dir.path());
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the serve walkthrough failed:\n{stdout}\n{stderr}"
    );
    let served = std::fs::read_to_string(dir.path().join("serve.log")).unwrap();
    assert!(
        served.contains("json rpc   http://127.0.0.1:") && served.contains("ws://127.0.0.1:"),
        "{served}"
    );
    assert!(served.contains("loopback only"), "{served}");
    // The RPC index verified every chain it read.
    assert!(stdout.contains("all 1 hash chains"), "{stdout}");
    // Its last command reads the embedded chain the server saved: all four payments are there.
    let award: Value = serde_json::from_str(stdout.trim().lines().last().unwrap()).unwrap();
    assert_eq!(award["outlayed"], "44150.00", "{award}");
    assert_eq!(award["payments"], 4, "{award}");
    // Ctrl-C saved the chain: the server's last record says so.
    let saved = std::fs::read_to_string(dir.path().join("serve.log")).unwrap();
    assert!(
        saved.contains("stopped  yes\nsaved    pubspend-embedded.json"),
        "{saved}"
    );
}

/// The main walkthrough, every command with `-u` against `pubspend serve`'s server started in this test on a
/// fresh chain: the whole payment path through the CLI's RPC backend. What only the embedded chain can do is
/// done as on a real cluster instead: the test makes and funds the keys and creates the mint (the admin its
/// mint authority), and the policy has no time lock, since nothing moves a served chain's clock.
#[test]
fn the_readme_walkthrough_runs_over_json_rpc() {
    use anchor_lang::solana_program::program_pack::Pack;
    use public_spending_localnet::{Localnet, LocalnetConfig};
    use public_spending_sdk::{Backend, RpcBackend};
    use solana_sdk::signature::{Keypair, Signer};

    let dir = tempfile::TempDir::new().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let running = runtime
        .block_on(Localnet::start(LocalnetConfig {
            rpc_port: 0,
            ..LocalnetConfig::new(dir.path().join("served.json"))
        }))
        .unwrap();
    let url = running.rpc_url();
    let mint = runtime.block_on(async {
        let rpc = solana_client::nonblocking::rpc_client::RpcClient::new(url.clone());
        let mut admin = None;
        for who in [
            "admin",
            "head",
            "budget",
            "obligor",
            "clerk",
            "approver1",
            "approver2",
            "disbursing",
            "vendor",
        ] {
            let keypair = Keypair::new();
            rpc.request_airdrop(&keypair.pubkey(), 100_000_000_000)
                .await
                .unwrap();
            solana_keypair::write_keypair_file(&keypair, dir.path().join(format!("{who}.json")))
                .unwrap();
            if who == "admin" {
                admin = Some(keypair);
            }
        }
        let admin = admin.unwrap();
        let backend = RpcBackend::new(url.clone(), admin.insecure_clone());
        let mint = Keypair::new();
        let len = anchor_spl::token::spl_token::state::Mint::LEN;
        let lamports = rpc
            .get_minimum_balance_for_rent_exemption(len)
            .await
            .unwrap();
        let instructions = [
            anchor_lang::solana_program::system_instruction::create_account(
                &admin.pubkey(),
                &mint.pubkey(),
                lamports,
                len as u64,
                &anchor_spl::token::spl_token::ID,
            ),
            anchor_spl::token::spl_token::instruction::initialize_mint2(
                &anchor_spl::token::spl_token::ID,
                &mint.pubkey(),
                &admin.pubkey(),
                None,
                2, // the decimals `ledger init` gives the embedded chain's test stablecoin
            )
            .unwrap(),
        ];
        backend.send(&instructions, &[&mint]).await.unwrap();
        mint.pubkey()
    });

    let script = walkthrough()
        .replace(
            "  pubspend keygen new -o \"$who.json\"\n",
            "  test -s \"$who.json\"\n",
        )
        .replace(
            "pubspend ledger init -k admin.json",
            "pubspend ledger init --mint \"$MINT\" -k admin.json",
        )
        .replace("--time-lock 86400", "--time-lock 0")
        .replace(
            "pubspend ",
            "pubspend -u \"$URL\" -C config.yml --with-compute-unit-price 1000 ",
        );
    assert_eq!(
        script.matches("pubspend ").count(),
        script.matches("pubspend -u \"$URL\" -C config.yml").count(),
        "every command goes to the server:\n{script}"
    );
    // The Solana CLI config names the server's WebSocket and the commitment: every send is confirmed by a
    // `signatureSubscribe` notification at `finalized`, and bids a priority fee.
    std::fs::write(
        dir.path().join("config.yml"),
        format!(
            "---\njson_rpc_url: \"{url}\"\nwebsocket_url: \"{}\"\nkeypair_path: \"\"\naddress_labels: {{}}\ncommitment: finalized\n",
            running.ws_url()
        ),
    )
    .unwrap();
    let script = format!("export URL={url} MINT={mint}\n{script}");
    let output = run_script(&script, dir.path());
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the walkthrough over RPC failed:\n{stdout}\n{stderr}"
    );
    let agency: Value = serde_json::from_str(stdout.trim().lines().last().unwrap()).unwrap();
    assert_eq!(agency["outlayed"], "40950.00");
    assert_eq!(agency["payments"], 2);
    assert!(
        !dir.path().join("pubspend-embedded.json").exists(),
        "nothing ran on the embedded chain"
    );
    // Every transaction the CLI sent bid 1,000 micro-lamports per compute unit, and paid for it.
    let priced = runtime.block_on(priority_fees_paid(&url));
    assert!(priced > 10, "the walkthrough sent {priced} transactions");
    runtime.block_on(running.shutdown()).unwrap();
}

/// Checks that every transaction of the ledger's program on the node at `url` starts with a
/// `SetComputeUnitPrice(1000)` and paid more than its signatures' base fee; returns how many there were.
async fn priority_fees_paid(url: &str) -> usize {
    use solana_client::{nonblocking::rpc_client::RpcClient, rpc_config::RpcTransactionConfig};
    use solana_commitment_config::CommitmentConfig;
    use solana_transaction_status_client_types::UiTransactionEncoding;
    let rpc = RpcClient::new_with_commitment(url.to_string(), CommitmentConfig::confirmed());
    let signatures = rpc
        .get_signatures_for_address(&public_spending::ID)
        .await
        .unwrap();
    let price =
        solana_compute_budget_interface::ComputeBudgetInstruction::set_compute_unit_price(1000);
    for info in &signatures {
        let landed = rpc
            .get_transaction_with_config(
                &info.signature.parse().unwrap(),
                RpcTransactionConfig {
                    encoding: Some(UiTransactionEncoding::Base64),
                    commitment: Some(CommitmentConfig::confirmed()),
                    max_supported_transaction_version: Some(0),
                },
            )
            .await
            .unwrap();
        let transaction = landed.transaction.transaction.decode().unwrap();
        let message = &transaction.message;
        let keys = message.static_account_keys();
        let bids = message.instructions().iter().any(|ix| {
            keys[usize::from(ix.program_id_index)] == price.program_id && ix.data == price.data
        });
        assert!(bids, "{} bid no priority fee", info.signature);
        let fee = landed.transaction.meta.unwrap().fee;
        let base = 5_000 * transaction.signatures.len() as u64;
        assert!(
            fee > base,
            "{} paid {fee}, only the base fee",
            info.signature
        );
    }
    signatures.len()
}
