//! `pubspend` end to end against the embedded backend: every command group's success path with its JSON output
//! parsed and checked, and every kind of bad input refused with its message, a non-zero exit code, and nothing
//! sent (the saved chain is byte-for-byte unchanged).

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use solana_sdk::signature::{Keypair, Signer};
use tempfile::TempDir;

/// A temporary folder holding keypair files and the saved embedded chain.
struct Env {
    dir: TempDir,
}

impl Env {
    fn new() -> Self {
        Self {
            dir: TempDir::new().unwrap(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes a fresh keypair file named `name`.json and returns its public key.
    fn keypair(&self, name: &str) -> String {
        let keypair = Keypair::new();
        std::fs::write(
            self.path(&format!("{name}.json")),
            serde_json::to_string(&keypair.to_bytes().to_vec()).unwrap(),
        )
        .unwrap();
        keypair.pubkey().to_string()
    }

    fn cmd(&self, signer: &str, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("pubspend").unwrap();
        cmd.current_dir(self.dir.path())
            .env("HOME", self.dir.path())
            .args(["-u", "embedded", "--embedded-state"])
            .arg(self.path("chain.json"))
            .arg("-k")
            .arg(self.path(&format!("{signer}.json")))
            .args(args);
        cmd
    }

    /// Runs a command that must succeed and returns its JSON output.
    fn json(&self, signer: &str, args: &[&str]) -> Value {
        let output = self
            .cmd(signer, &[args, &["--output", "json"]].concat())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "pubspend {args:?} failed: {}{stdout}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_str(stdout.trim())
            .unwrap_or_else(|e| panic!("pubspend {args:?} printed no JSON ({e}): {stdout}"))
    }

    /// Runs a command that must fail with `message`, and checks that the saved chain did not change.
    fn refused(&self, signer: &str, args: &[&str], message: &str) {
        self.refused_cmd(self.cmd(signer, args), args, message);
    }

    fn refused_cmd(&self, mut cmd: Command, args: &[&str], message: &str) {
        let before = std::fs::read(self.path("chain.json")).ok();
        let output = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            output.status.code(),
            Some(1),
            "pubspend {args:?} should fail with exit code 1: {stderr}"
        );
        assert!(
            stderr.contains(message),
            "pubspend {args:?}: expected {message:?} in {stderr:?}"
        );
        assert_eq!(
            stderr.trim().lines().count(),
            1,
            "one-line error expected: {stderr:?}"
        );
        assert_eq!(
            std::fs::read(self.path("chain.json")).ok(),
            before,
            "a refused command changed the chain"
        );
    }
}

const HASH: &str = "0101010101010101010101010101010101010101010101010101010101010101";

/// A ledger with agency 075, its members, a funded treasury, a recipient and an award C-1.
fn ledger_with_award() -> Env {
    let env = Env::new();
    let auditor = env.keypair("auditor");
    let head = env.keypair("head");
    env.keypair("admin");
    let init = env.json("admin", &["ledger", "init"]);
    assert!(init["signature"].as_str().is_some_and(|s| !s.is_empty()));
    env.json("admin", &["ledger", "set-auditors", &auditor]);
    env.json(
        "admin",
        &[
            "agency",
            "register",
            "--code",
            "075",
            "--name",
            "Health and Human Services",
            "--head",
            &head,
        ],
    );
    for (name, roles) in [
        ("budget", "budget"),
        ("obligor", "obligate"),
        ("clerk", "request"),
        ("approver1", "approve"),
        ("approver2", "approve"),
        ("executor", "execute"),
    ] {
        let key = env.keypair(name);
        let out = env.json("head", &["member", "set", "075", &key, "--roles", roles]);
        assert_eq!(out["roles"], roles);
    }
    env.json(
        "head",
        &[
            "agency",
            "set-policy",
            "075",
            "--threshold",
            "1000.00",
            "--approvals",
            "2",
            "--daily-cap",
            "5000.00",
        ],
    );
    env.json(
        "admin",
        &[
            "budget",
            "appropriate",
            "075",
            "--tas",
            "0100-000",
            "--fy",
            "2026",
            "--amount",
            "100,000.00",
        ],
    );
    env.json(
        "budget",
        &[
            "budget", "allot", "075", "--tas", "0100-000", "--fy", "2026", "--amount", "50000",
        ],
    );
    env.json("admin", &["agency", "fund", "075", "20000.00"]);
    let wallet = Keypair::new().pubkey().to_string();
    env.json(
        "obligor",
        &[
            "recipient",
            "register",
            "075",
            "--uei",
            "ABCDEF123456",
            "--kind",
            "business",
            "--name",
            "Acme Paving",
            "--wallet",
            &wallet,
        ],
    );
    env.json(
        "obligor",
        &[
            "award",
            "obligate",
            "075",
            "--award-id",
            "C-1",
            "--tas",
            "0100-000",
            "--fy",
            "2026",
            "--uei",
            "ABCDEF123456",
            "--amount",
            "10000.00",
            "--start",
            "2026-01-01",
            "--end",
            "2026-12-31",
            "--document-hash",
            HASH,
        ],
    );
    env
}

#[test]
fn every_command_group_works_end_to_end() {
    let env = ledger_with_award();

    let ledger = env.json("admin", &["ledger", "show"]);
    assert_eq!(
        (ledger["decimals"].as_str(), ledger["agencies"].as_str()),
        (Some("2"), Some("1"))
    );
    let members = env.json("head", &["member", "list", "075"]);
    assert_eq!(members.as_array().unwrap().len(), 6);
    let budget = env.json("admin", &["budget", "list", "075"]);
    assert_eq!(
        (budget[0]["tas"].as_str(), budget[0]["allotted"].as_str()),
        (Some("0100-000"), Some("50000.00"))
    );
    let allotments = env.json(
        "admin",
        &[
            "budget",
            "allotments",
            "075",
            "--tas",
            "0100-000",
            "--fy",
            "2026",
        ],
    );
    assert_eq!(allotments[0]["amount"], "50000.00");

    // The fast path, then the approval path end to end.
    let small = env.json(
        "executor",
        &[
            "payment",
            "pay-small",
            "075",
            "C-1",
            "--amount",
            "250.00",
            "--invoice-hash",
            HASH,
        ],
    );
    assert_eq!(
        (small["index"].as_str(), small["status"].as_str()),
        (Some("0"), Some("sent"))
    );
    let request = env.json(
        "clerk",
        &[
            "payment",
            "request",
            "075",
            "C-1",
            "--amount",
            "2000.00",
            "--invoice-hash",
            HASH,
        ],
    );
    assert_eq!(request["index"], "1");
    env.json("approver1", &["payment", "approve", "075", "C-1", "1"]);
    let shown = env.json("admin", &["payment", "show", "075", "C-1", "1"]);
    assert_eq!(
        (shown["status"].as_str(), shown["approvals"].as_str()),
        (Some("Requested"), Some("1/2"))
    );
    env.json("approver2", &["payment", "approve", "075", "C-1", "1"]);
    env.json("executor", &["payment", "execute", "075", "C-1", "1"]);
    env.json("admin", &["payment", "archive", "075", "C-1", "1"]);

    let award = env.json("admin", &["award", "show", "075", "C-1"]);
    assert_eq!(
        (award["outlayed"].as_str(), award["payments"].as_str()),
        (Some("2250.00"), Some("2"))
    );
    let agency = env.json("admin", &["agency", "show", "075"]);
    assert_eq!(
        (agency["outlayed"].as_str(), agency["payments"].as_str()),
        (Some("2250.00"), Some("2"))
    );
    assert_eq!(agency["outlay_hash"].as_str().map(str::len), Some(64));
    let agencies = env.json("admin", &["agency", "list"]);
    assert_eq!(agencies[0]["obligated"], "10000.00");
    let awards = env.json(
        "admin",
        &["award", "list", "--agency", "075", "--uei", "ABCDEF123456"],
    );
    assert_eq!(awards.as_array().unwrap().len(), 1);

    // Payment 0 is executed but not archived; payment 1 is archived and gone from state.
    let payments = env.json(
        "admin",
        &["payment", "list", "--agency", "075", "--award-id", "C-1"],
    );
    assert_eq!(payments.as_array().unwrap().len(), 1);
    assert_eq!(
        (
            payments[0]["index"].as_str(),
            payments[0]["status"].as_str()
        ),
        (Some("0"), Some("Executed"))
    );

    // Oversight.
    env.json("auditor", &["recipient", "debar", "ABCDEF123456"]);
    let debarred = env.json("admin", &["recipient", "list", "--debarred"]);
    assert_eq!(debarred[0]["uei"], "ABCDEF123456");
    env.refused(
        "executor",
        &[
            "payment",
            "pay-small",
            "075",
            "C-1",
            "--amount",
            "10.00",
            "--invoice-hash",
            HASH,
        ],
        "RecipientNotActive",
    );
    env.json("auditor", &["recipient", "reinstate", "ABCDEF123456"]);
    env.json("auditor", &["agency", "freeze", "075"]);
    env.refused(
        "executor",
        &[
            "payment",
            "pay-small",
            "075",
            "C-1",
            "--amount",
            "10.00",
            "--invoice-hash",
            HASH,
        ],
        "AgencyFrozen",
    );
    env.json("auditor", &["agency", "unfreeze", "075"]);
    env.json(
        "obligor",
        &[
            "award",
            "modify",
            "075",
            "C-1",
            "--deobligate",
            "1000.00",
            "--document-hash",
            HASH,
        ],
    );
    assert_eq!(
        env.json("admin", &["award", "show", "075", "C-1"])["obligated"],
        "9000.00"
    );
}

#[test]
fn bad_input_gets_a_one_line_error_and_sends_nothing() {
    let env = ledger_with_award();
    fn pay(amount: &str) -> Vec<&str> {
        vec![
            "payment",
            "pay-small",
            "075",
            "C-1",
            "--amount",
            amount,
            "--invoice-hash",
            HASH,
        ]
    }

    std::fs::write(env.path("broken.json"), "[1, 2, 3").unwrap();
    env.refused("broken", &pay("10.00"), "is not a Solana keypair");
    env.refused("missing", &pay("10.00"), "cannot read keypair file");
    let mut cmd = Command::cargo_bin("pubspend").unwrap();
    cmd.current_dir(env.dir.path())
        .env("HOME", env.dir.path())
        .args(["-u", "devnett", "ledger", "show"]);
    env.refused_cmd(
        cmd,
        &["-u", "devnett"],
        "unknown moniker or URL \"devnett\"",
    );
    env.refused("executor", &pay("12a"), "invalid amount: not a number");
    env.refused(
        "executor",
        &pay("-5"),
        "invalid amount: amount must not be negative",
    );
    env.refused(
        "executor",
        &pay("0.00"),
        "invalid amount: amount must be greater than zero",
    );
    env.refused("executor", &pay("1.234"), "more than 2 decimal places");
    env.refused(
        "obligor",
        &[
            "recipient",
            "register",
            "075",
            "--uei",
            "abc",
            "--kind",
            "business",
            "--name",
            "X",
            "--wallet",
            &Keypair::new().pubkey().to_string(),
        ],
        "is not a UEI",
    );
    env.refused(
        "executor",
        &[
            "payment",
            "pay-small",
            "999",
            "C-1",
            "--amount",
            "1.00",
            "--invoice-hash",
            HASH,
        ],
        "unknown agency \"999\"",
    );
    env.refused(
        "clerk",
        &["payment", "approve", "075", "C-1", "0"],
        "no payment 0",
    );
    env.refused(
        "clerk",
        &pay("10.00"),
        "lacks the execute role in agency 075",
    );
    env.refused(
        "executor",
        &[
            "payment",
            "request",
            "075",
            "C-1",
            "--amount",
            "1.00",
            "--invoice-hash",
            HASH,
        ],
        "lacks the request role",
    );
    env.refused(
        "executor",
        &[
            "payment",
            "pay-small",
            "075",
            "C-1",
            "--amount",
            "1.00",
            "--invoice-hash",
            "xyz",
        ],
        "is not a sha256 hash",
    );
    // What the program refuses comes back with its error name and code.
    env.refused("executor", &pay("1000.00"), "AboveFastPathThreshold (6051)");

    // A usage error is clap's: exit code 2.
    let output = env
        .cmd("executor", &["payment", "pay-small"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn migrate_applies_the_plan_once_and_names_bad_lines() {
    let env = Env::new();
    env.keypair("admin");
    let head = env.keypair("head");
    let member = Keypair::new().pubkey().to_string();
    env.json("admin", &["ledger", "init"]);
    let file = env.path("ledger.toml");
    std::fs::write(
        &file,
        format!(
            "[[agency]]\ncode = \"069\"\nname = \"Department of Transportation\"\nhead = \"{head}\"\n\n[agency.policy]\nthreshold = \"25000.00\"\napprovals = 2\ntime_lock_seconds = 3600\ndaily_cap = \"100000.00\"\n\n[[agency.member]]\nkey = \"{member}\"\nroles = [\"request\", \"approve\"]\n"
        ),
    )
    .unwrap();
    let file_arg = file.to_str().unwrap();
    let first = env.json(
        "admin",
        &[
            "migrate",
            file_arg,
            "--signer",
            env.path("head.json").to_str().unwrap(),
        ],
    );
    assert_eq!(first["plan"].as_array().unwrap().len(), 3, "{first}");
    assert_eq!(first["applied"].as_array().unwrap().len(), 3);
    let agency = env.json("admin", &["agency", "show", "069"]);
    assert_eq!(
        (
            agency["threshold"].as_str(),
            agency["approvals_required"].as_str()
        ),
        (Some("25000.00"), Some("2"))
    );
    let second = env.json(
        "admin",
        &[
            "migrate",
            file_arg,
            "--signer",
            env.path("head.json").to_str().unwrap(),
        ],
    );
    assert_eq!(
        second["plan"].as_array().unwrap().len(),
        0,
        "a second run must change nothing: {second}"
    );

    std::fs::write(&file, format!("[[agency]]\ncode = \"069\"\nname = \"Department of Transportation\"\nhead = \"{head}\"\n\n[[agency.member]]\nkey = \"{member}\"\nroles = [\"request\", \"auditor\"]\n")).unwrap();
    env.refused(
        "admin",
        &["migrate", file_arg],
        "ledger.toml:8: unknown role \"auditor\"",
    );
    std::fs::write(&file, "[[agency]]\ncode = \"069\"\nnam = \"typo\"\n").unwrap();
    env.refused("admin", &["migrate", file_arg], "ledger.toml:3:");
}

#[test]
fn demo_plays_a_fiscal_year_and_writes_demo_json() {
    let env = Env::new();
    let out = env.path("out");
    let output = Command::cargo_bin("pubspend")
        .unwrap()
        .current_dir(env.dir.path())
        .args(["demo", "--payments-per-month", "6", "--output-dir"])
        .arg(&out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("hash chains verified"), "{stdout}");
    let demo: Value =
        serde_json::from_str(&std::fs::read_to_string(Path::new(&out).join("demo.json")).unwrap())
            .unwrap();
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
}

#[test]
fn the_example_migration_file_plans_cleanly() {
    let env = Env::new();
    env.keypair("admin");
    env.json("admin", &["ledger", "init"]);
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations/ledger.example.toml");
    let plan = env.json(
        "admin",
        &["migrate", example.to_str().unwrap(), "--dry-run"],
    );
    let steps: Vec<&str> = plan["plan"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(steps.len(), 8, "{steps:?}");
    assert!(steps[0].starts_with("register agency 069"));
    assert!(steps[1].starts_with("set policy of 069: threshold 25000.00, 2 approvals"));
    assert_eq!(
        plan["applied"].as_array().unwrap().len(),
        0,
        "a dry run applies nothing"
    );
}
