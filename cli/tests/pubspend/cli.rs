//! `pubspend` end to end against the embedded backend: every command group's success path with its JSON output
//! parsed and checked, and every kind of bad input refused with its message, a non-zero exit code, and nothing
//! sent (the saved chain is byte-for-byte unchanged).

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use solana_sdk::{
    pubkey::Pubkey,
    signature::{Keypair, Signer},
};
use tempfile::TempDir;

/// A temporary folder holding keypair files and the saved embedded chain.
pub(crate) struct Env {
    pub(crate) dir: TempDir,
}

impl Env {
    pub(crate) fn new() -> Self {
        Self {
            dir: TempDir::new().unwrap(),
        }
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes a fresh keypair file named `name`.json and returns its public key.
    pub(crate) fn keypair(&self, name: &str) -> String {
        let keypair = Keypair::new();
        std::fs::write(
            self.path(&format!("{name}.json")),
            serde_json::to_string(&keypair.to_bytes().to_vec()).unwrap(),
        )
        .unwrap();
        keypair.pubkey().to_string()
    }

    pub(crate) fn cmd(&self, signer: &str, args: &[&str]) -> Command {
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
    pub(crate) fn json(&self, signer: &str, args: &[&str]) -> Value {
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
    pub(crate) fn refused(&self, signer: &str, args: &[&str], message: &str) {
        self.refused_cmd(self.cmd(signer, args), args, message);
    }

    /// Refused by the argument parser (exit code 2) with `message`, before anything is read or sent.
    pub(crate) fn usage_refused(&self, signer: &str, args: &[&str], message: &str) {
        let before = std::fs::read(self.path("chain.json")).ok();
        let output = self.cmd(signer, args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            output.status.code(),
            Some(2),
            "pubspend {args:?} should be a usage error: {stderr}"
        );
        assert!(
            stderr.contains(message),
            "pubspend {args:?}: expected {message:?} in {stderr:?}"
        );
        assert_eq!(
            std::fs::read(self.path("chain.json")).ok(),
            before,
            "a refused command changed the chain"
        );
    }

    pub(crate) fn refused_cmd(&self, mut cmd: Command, args: &[&str], message: &str) {
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

pub(crate) const HASH: &str = "0101010101010101010101010101010101010101010101010101010101010101";
pub(crate) const HASH3: &str = "0303030303030303030303030303030303030303030303030303030303030303";
pub(crate) const HASH2: &str = "0202020202020202020202020202020202020202020202020202020202020202";

/// Gives `key` the member `roles` of agency 075 in service: proposed by the head, applied after a day's notice.
pub(crate) fn grant_on_notice(env: &Env, key: &str, roles: &str) {
    env.json(
        "head",
        &["member", "set", "075", key, "--roles", roles, "--propose"],
    );
    env.json("admin", &["clock", "advance", "1d"]);
    env.json("head", &["change", "apply", "075", key]);
}

/// A ledger with agency 075, its members, a treasury funded with 20,000.00, a recipient and an award C-1.
pub(crate) fn ledger_with_award() -> Env {
    ledger_with_treasury("20000.00")
}

/// [`ledger_with_award`] with `treasury` in the agency's treasury.
pub(crate) fn ledger_with_treasury(treasury: &str) -> Env {
    ledger_initialized_with(treasury, &["ledger", "init"])
}

/// [`ledger_with_treasury`], the ledger created by `init`.
pub(crate) fn ledger_initialized_with(treasury: &str, init: &[&str]) -> Env {
    let env = Env::new();
    let auditor = env.keypair("auditor");
    let head = env.keypair("head");
    env.keypair("admin");
    let init = env.json("admin", init);
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
    // A new agency is on notice for the ledger's minimum notice (a day) before its members act.
    env.json("admin", &["clock", "advance", "1d"]);
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
    let funded = env.json("admin", &["agency", "fund", "075", "--amount", treasury]);
    assert_eq!(funded["amount"], treasury);
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
        (&ledger["decimals"], &ledger["agencies"]),
        (&2.into(), &1.into())
    );
    assert_eq!(ledger["pending_admin"], Value::Null);
    assert_eq!(ledger["paused"], false);
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
        (&small["index"], &small["status"], &small["amount"]),
        (&0.into(), &"sent".into(), &"250.00".into())
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
            HASH2,
        ],
    );
    assert_eq!(
        (&request["index"], &request["amount"]),
        (&1.into(), &"2000.00".into())
    );
    env.json("approver1", &["payment", "approve", "075", "C-1", "1"]);
    let shown = env.json("admin", &["payment", "show", "075", "C-1", "1"]);
    assert_eq!(
        (
            &shown["status"],
            &shown["approvals"],
            &shown["approvals_required"],
            &shown["executed_at"]
        ),
        (&"Requested".into(), &1.into(), &2.into(), &Value::Null)
    );
    env.json("approver2", &["payment", "approve", "075", "C-1", "1"]);
    env.json("executor", &["payment", "execute", "075", "C-1", "1"]);
    env.json("admin", &["payment", "archive", "075", "C-1", "1"]);
    // Archived, the payment is gone from state, but its invoice is still found in the award's history.
    env.refused(
        "executor",
        &strs(&pay_small("10.00", HASH2)),
        "duplicate invoice: award C-1 already has payment 1 of 2,000.00 with this invoice (paid)",
    );

    let award = env.json("admin", &["award", "show", "075", "C-1"]);
    assert_eq!(
        (&award["outlayed"], &award["payments"]),
        (&"2250.00".into(), &2.into())
    );
    let agency = env.json("admin", &["agency", "show", "075"]);
    assert_eq!(
        (&agency["outlayed"], &agency["payments"]),
        (&"2250.00".into(), &2.into())
    );
    assert_eq!(agency["outlay_hash"].as_str().map(str::len), Some(64));
    let agencies = env.json("admin", &["agency", "list"]);
    assert_eq!(agencies[0]["obligated"], "10000.00");
    let awards = env.json(
        "admin",
        &["award", "list", "--agency", "075", "--uei", "ABCDEF123456"],
    );
    assert_eq!(awards.as_array().unwrap().len(), 1);

    // Payment 0 went through the fast path, which creates no account; payment 1 is archived: neither is in
    // state, both are in the hash chain (2 payments above).
    let payments = env.json(
        "admin",
        &["payment", "list", "--agency", "075", "--award-id", "C-1"],
    );
    assert_eq!(payments.as_array().unwrap().len(), 0);

    // Oversight, each action with its reason and evidence.
    std::fs::write(env.path("memo.txt"), "OIG memo 26-04").unwrap();
    let memo = env.path("memo.txt").display().to_string();
    let grounds = ["--reason", "court-order", "--evidence", &memo];
    let debar = env.json(
        "auditor",
        &[&["recipient", "debar", "ABCDEF123456"][..], &grounds].concat(),
    );
    assert_eq!(
        (&debar["status"], &debar["reason"]),
        (&"Debarred".into(), &"CourtOrder".into())
    );
    let excluded = env.json("admin", &["recipient", "list", "--excluded"]);
    assert_eq!(
        (
            &excluded[0]["uei"],
            &excluded[0]["reason"],
            &excluded[0]["evidence"]
        ),
        (
            &"ABCDEF123456".into(),
            &"CourtOrder".into(),
            &hex::encode(solana_sha256_hasher::hash(b"OIG memo 26-04").to_bytes()).into()
        )
    );
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
            HASH3,
        ],
        "RecipientNotActive",
    );
    // No oversight without grounds.
    env.usage_refused(
        "auditor",
        &[
            "recipient",
            "reinstate",
            "ABCDEF123456",
            "--reason",
            "other",
        ],
        "the following required arguments were not provided",
    );
    env.json(
        "auditor",
        &[&["recipient", "reinstate", "ABCDEF123456"][..], &grounds].concat(),
    );
    let shown = env.json("admin", &["recipient", "show", "ABCDEF123456"]);
    assert_eq!(shown["exclusion"], "Lifted");
    env.json(
        "auditor",
        &[&["agency", "freeze", "075"][..], &grounds].concat(),
    );
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
            HASH3,
        ],
        "AgencyFrozen",
    );
    env.json(
        "auditor",
        &[&["agency", "unfreeze", "075"][..], &grounds].concat(),
    );
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
            HASH3,
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
    env.usage_refused("executor", &pay("12a"), "invalid amount: not a number");
    env.usage_refused(
        "executor",
        &pay("-5"),
        "invalid amount: amount must not be negative",
    );
    env.usage_refused(
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
    env.usage_refused(
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
            "[[agency]]\ncode = \"069\"\nname = \"Department of Transportation\"\nhead = \"{head}\"\n\n[agency.policy]\nthreshold = \"25000.00\"\napprovals = 2\ntime_lock_seconds = 3600\ndaily_cap = \"100000.00\"\n\n[[agency.member]]\nkey = \"{member}\"\nroles = [\"request\", \"budget\"]\n"
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
        (&agency["threshold"], &agency["approvals_required"]),
        (&"25000.00".into(), &2.into())
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
fn the_demo_prints_json_for_scripts() {
    let env = Env::new();
    let out = env.path("out");
    let output = Command::cargo_bin("pubspend")
        .unwrap()
        .current_dir(env.dir.path())
        .args([
            "--output",
            "json",
            "demo",
            "--payments-per-month",
            "1",
            "--output-dir",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success());
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["hash_chains_verified"], true);
    // One a month per agency, the approval shown refused before its time lock, the planted red flags'
    // payments (2 on the short contract, 3 split, 2 duplicate, 1 new vendor, 8 at year end), and 075's rent
    // and maintenance on its two buildings every month, 2 around the planted wallet red flags, and 1 by the
    // relief disbursing officer.
    assert_eq!(summary["payments"], 36 + 1 + 16 + 24 + 2 + 1, "{summary}");
    // Refused: over an award, conflicting roles, self-approval, fast path too large, before the time lock, a
    // debarred vendor, a frozen agency, cancelling a held payment. Planted: one finding per check (three for
    // the loosened controls), two public flags.
    assert_eq!(
        (&summary["refused"], &summary["planted"], &summary["flags"]),
        (&8.into(), &18.into(), &3.into())
    );
    assert_eq!(summary["agencies"].as_array().unwrap().len(), 3);
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
    assert!(
        steps[1].starts_with("set policy of 069: threshold 25,000.00, 2 approvals"),
        "{steps:?}"
    );
    assert_eq!(
        plan["applied"].as_array().unwrap().len(),
        0,
        "a dry run applies nothing"
    );
}

/// `pay-small` on award C-1 of agency 075 with `amount` and a fresh invoice hash.
pub(crate) fn pay_small(amount: &str, invoice: &str) -> Vec<String> {
    [
        "payment",
        "pay-small",
        "075",
        "C-1",
        "--amount",
        amount,
        "--invoice-hash",
        invoice,
    ]
    .map(String::from)
    .to_vec()
}

pub(crate) fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// The old parser dropped every comma and underscore: `12,50` paid 1,250.00, `1,2,3` paid 123.00, `1_0` paid
/// 10.00. Each is now refused with what was read, and nothing is sent; grouped thousands still work.
#[test]
fn amounts_with_misplaced_separators_are_refused() {
    let env = ledger_with_award();
    for (bad, message) in [
        ("12,50", "invalid amount: \"12,50\" is not a grouped amount: commas go only between groups of exactly three digits (1,250.00)"),
        ("1,2,3", "invalid amount: \"1,2,3\" is not a grouped amount"),
        ("1,25", "invalid amount: \"1,25\" is not a grouped amount"),
        ("1_0", "invalid amount: not a number: \"1_0\" (write it like 1250.00 or 1,250.00)"),
        (".50", "invalid amount: not a number: \".50\""),
    ] {
        env.usage_refused("executor", &strs(&pay_small(bad, HASH)), message);
    }
    let requested = env.json(
        "clerk",
        &[
            "payment",
            "request",
            "075",
            "C-1",
            "--amount",
            "1,250.5",
            "--invoice-hash",
            HASH,
        ],
    );
    assert_eq!(requested["amount"], "1250.50", "{requested}");
    let award = env.json("admin", &["award", "show", "075", "C-1"]);
    assert_eq!(award["in_flight"], "1250.50");
}

/// Four (here six) `agency register` run at once on one state file used to all print a signature while only
/// one agency survived. Writers now hold an exclusive lock from load to save: every write is found.
#[test]
fn concurrent_writers_lose_no_write() {
    let env = Env::new();
    env.keypair("admin");
    let head = env.keypair("head");
    env.json("admin", &["ledger", "init"]);
    let codes = ["101", "102", "103", "104", "105", "106"];
    let children: Vec<_> = codes
        .iter()
        .map(|code| {
            let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_pubspend"));
            cmd.current_dir(env.dir.path())
                .env("HOME", env.dir.path())
                .args(["-u", "embedded", "--embedded-state"])
                .arg(env.path("chain.json"))
                .arg("-k")
                .arg(env.path("admin.json"))
                .args(["--output", "json", "agency", "register", "--code", code])
                .args(["--name", &format!("Agency {code}"), "--head", &head])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            cmd.spawn().unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert!(printed["signature"].as_str().is_some_and(|s| s.len() > 60));
    }
    let agencies = env.json("admin", &["agency", "list"]);
    let listed: Vec<&str> = agencies
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        listed, codes,
        "every concurrent write is in the saved chain"
    );
    let ledger = env.json("admin", &["ledger", "show"]);
    assert_eq!(ledger["agencies"], 6);
    // The state was replaced by renames: no temporary file is left beside it.
    let leftovers: Vec<String> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".pubspend-state-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// A state file that is not a saved chain is named with what is wrong, and left as it is.
#[test]
fn broken_state_files_are_named_and_left_alone() {
    let env = Env::new();
    env.keypair("admin");
    for (content, message) in [
        ("", "is empty (not a saved chain)"),
        (
            "{\"unix_timestamp\": 1, \"acc",
            "not a saved embedded chain (EOF while parsing",
        ),
        ("[1, 2]", "not a saved embedded chain (invalid type"),
    ] {
        std::fs::write(env.path("chain.json"), content).unwrap();
        env.refused(
            "admin",
            &["ledger", "show"],
            &format!("embedded state {}: ", env.path("chain.json").display()),
        );
        env.refused("admin", &["agency", "list"], message);
        assert_eq!(
            std::fs::read_to_string(env.path("chain.json")).unwrap(),
            content
        );
    }
}

#[test]
fn impossible_dates_and_bad_codes_are_refused() {
    let env = ledger_with_award();
    let obligate = |end: &str| {
        vec![
            "award",
            "obligate",
            "075",
            "--award-id",
            "C-2",
            "--tas",
            "0100-000",
            "--fy",
            "2026",
            "--uei",
            "ABCDEF123456",
            "--amount",
            "10.00",
            "--start",
            "2026-01-01",
            "--end",
            end,
            "--document-hash",
            HASH,
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>()
    };
    for bad in ["2026-02-30", "2026-02-29", "2026-04-31", "2026-1-5"] {
        env.usage_refused(
            "obligor",
            &strs(&obligate(bad)),
            &format!("\"{bad}\" is not a date: write YYYY-MM-DD, a day that exists"),
        );
    }
    for bad in ["75", "ABC", "07a", "12345"] {
        env.refused(
            "admin",
            &["agency", "register", "--code", bad, "--name", "X", "--head", HASH_KEY],
            &format!("\"{bad}\" is not an agency code: 3 digits (CGAC, e.g. 075) or 4 digits (FREC, e.g. 1601)"),
        );
        env.refused("admin", &["agency", "show", bad], "is not an agency code");
    }
    env.refused(
        "admin",
        &[
            "agency", "register", "--code", "075", "--name", "Again", "--head", HASH_KEY,
        ],
        "agency 075 exists already (Health and Human Services, head ",
    );
}

/// Any valid public key, for arguments that are checked before it matters.
const HASH_KEY: &str = "11111111111111111111111111111111";

/// Errors a finance officer can act on: the treasury's balance, what an award has left, a duplicate invoice.
#[test]
fn refusals_say_what_to_do() {
    let env = ledger_with_treasury("100.00");
    env.refused(
        "executor",
        &strs(&pay_small("250.00", HASH)),
        "InsufficientFunds: the treasury holds 100.00, the payment needs 250.00",
    );
    let request = |amount: &str, invoice: &str| {
        [
            "payment",
            "request",
            "075",
            "C-1",
            "--amount",
            amount,
            "--invoice-hash",
            invoice,
        ]
        .map(String::from)
        .to_vec()
    };
    env.refused(
        "clerk",
        &strs(&request("10,000.01", HASH)),
        "ExceedsAwardRemaining (6041): award C-1 has 10,000.00 left (obligated 10,000.00, outlayed 0.00, in flight 0.00), the payment needs 10,000.01",
    );
    env.json("clerk", &strs(&request("4,000.00", HASH)));
    env.refused(
        "clerk",
        &strs(&request("4,000.00", HASH)),
        "duplicate invoice: award C-1 already has payment 0 of 4,000.00 with this invoice (Requested); pass --allow-duplicate-invoice",
    );
    env.refused(
        "executor",
        &strs(&pay_small("50.00", HASH)),
        "duplicate invoice: award C-1 already has payment 0",
    );
    let mut again = request("4,000.00", HASH);
    again.push("--allow-duplicate-invoice".into());
    assert_eq!(env.json("clerk", &strs(&again))["index"], 1);

    // Errors are JSON on stderr for scripts.
    let output = env
        .cmd(
            "executor",
            &[&strs(&pay_small("12,50", HASH))[..], &["--output", "json"]].concat(),
        )
        .output()
        .unwrap();
    // A usage error (exit code 2): the amount is refused when the arguments are parsed.
    assert_eq!(output.status.code(), Some(2));
    let error: Value = serde_json::from_slice(&output.stderr).unwrap();
    assert!(error["error"]
        .as_str()
        .unwrap()
        .contains("\"12,50\" is not a grouped amount"));
    assert!(output.stdout.is_empty());
}

#[test]
fn an_unreachable_node_is_named() {
    let env = Env::new();
    env.keypair("admin");
    let mut cmd = Command::cargo_bin("pubspend").unwrap();
    cmd.current_dir(env.dir.path())
        .env("HOME", env.dir.path())
        .args(["-u", "http://127.0.0.1:9", "agency", "show", "075"]);
    env.refused_cmd(
        cmd,
        &["agency", "show"],
        "cannot reach the RPC node at http://127.0.0.1:9: Connection refused",
    );
    let mut cmd = env.cmd("admin", &["clock", "advance", "1d"]);
    cmd.args(["-u", "http://127.0.0.1:9"]);
    env.refused_cmd(
        cmd,
        &["clock", "advance"],
        "cannot reach the RPC node at http://127.0.0.1:9: Connection refused",
    );
}

#[test]
fn keygen_writes_and_reads_keypairs_and_never_overwrites_by_accident() {
    let env = Env::new();
    let new = |extra: &[&str]| {
        let mut cmd = Command::cargo_bin("pubspend").unwrap();
        cmd.current_dir(env.dir.path())
            .args(["--output", "json", "keygen", "new", "-o", "keys/a.json"])
            .args(extra);
        cmd.output().unwrap()
    };
    let first = new(&[]);
    assert!(first.status.success());
    let made: Value = serde_json::from_slice(&first.stdout).unwrap();
    let read = Command::cargo_bin("pubspend")
        .unwrap()
        .current_dir(env.dir.path())
        .args(["keygen", "pubkey", "keys/a.json"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&read.stdout).trim(), made["pubkey"]);
    let file = std::fs::read(env.path("keys/a.json")).unwrap();
    let keypair = solana_keypair::read_keypair_file(env.path("keys/a.json")).unwrap();
    assert_eq!(keypair.pubkey().to_string(), made["pubkey"]);

    let refused = new(&[]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr)
        .contains("exists already: refusing to overwrite a keypair (pass --force"));
    assert_eq!(
        std::fs::read(env.path("keys/a.json")).unwrap(),
        file,
        "the key is kept"
    );
    let forced = new(&["--force"]);
    assert!(forced.status.success());
    let replaced: Value = serde_json::from_slice(&forced.stdout).unwrap();
    assert_ne!(replaced["pubkey"], made["pubkey"]);
}

#[test]
fn the_clock_moves_only_forward_and_only_when_asked() {
    let env = Env::new();
    env.keypair("admin");
    env.json("admin", &["ledger", "init"]);
    let before = env.json("admin", &["clock", "show"])["unix_timestamp"]
        .as_u64()
        .unwrap();
    let moved = env.json("admin", &["clock", "advance", "36h"]);
    assert_eq!(moved["advanced_seconds"], 129_600);
    let after = env.json("admin", &["clock", "show"])["unix_timestamp"]
        .as_u64()
        .unwrap();
    assert!(after >= before + 129_600, "{before} -> {after}");
    env.refused("admin", &["clock", "advance", "0d"], "is not a duration");
    env.refused("admin", &["clock", "advance", "1w"], "is not a duration");
}

/// Issue 9 through the CLI: an award hold, public flags from raise to close, a building with an award charged to
/// it, and a payout wallet changed by two members.
#[test]
fn holds_flags_property_and_wallet_changes_work_through_the_cli() {
    let env = ledger_with_award();
    std::fs::write(env.path("memo.txt"), "audit memo").unwrap();
    let memo = env.path("memo.txt").display().to_string();
    let grounds = ["--reason", "suspected-fraud", "--evidence", &memo];
    let pay = [
        "payment",
        "pay-small",
        "075",
        "C-1",
        "--amount",
        "10.00",
        "--invoice-hash",
        HASH2,
    ];

    // A held award pays nothing until released.
    let held = env.json(
        "auditor",
        &[&["award", "hold", "075", "C-1"][..], &grounds].concat(),
    );
    assert_eq!(
        (&held["held"], &held["reason"]),
        (&true.into(), &"SuspectedFraud".into())
    );
    let shown = env.json("admin", &["award", "show", "075", "C-1"]);
    assert_eq!(
        (&shown["held"], &shown["hold_reason"]),
        (&true.into(), &"SuspectedFraud".into())
    );
    env.refused("executor", &pay, "AwardHeld");
    env.refused(
        "head",
        &[&["award", "release", "075", "C-1"][..], &grounds].concat(),
        "NotAuditor",
    );
    env.json(
        "auditor",
        &[&["award", "release", "075", "C-1"][..], &grounds].concat(),
    );
    env.json("executor", &pay);

    // A public flag: raised by anyone, answered by the agency, dismissed, closed by anyone.
    let citizen = env.keypair("citizen");
    std::fs::write(env.path("evidence.txt"), "the price is twice the market").unwrap();
    let evidence = env.path("evidence.txt").display().to_string();
    let raised = env.json(
        "citizen",
        &[
            "flag",
            "raise",
            "award",
            "075",
            "C-1",
            "--reason",
            "price",
            "--evidence",
            &evidence,
        ],
    );
    let flag = raised["flag"].as_str().unwrap().to_string();
    let listed = env.json("citizen", &["flag", "list", "--agency", "075", "--open"]);
    assert_eq!(listed[0]["flag"], flag.as_str());
    env.refused(
        "citizen",
        &["flag", "respond", &flag, "--response-hash", HASH],
        "only the flagged agency's head or members answer a flag",
    );
    env.json(
        "clerk",
        &["flag", "respond", &flag, "--response-hash", HASH],
    );
    env.refused("citizen", &["flag", "close", &flag], "FlagNotFinal");
    env.json(
        "auditor",
        &[
            "flag",
            "resolve",
            &flag,
            "--outcome",
            "dismissed",
            "--note-hash",
            HASH2,
        ],
    );
    let shown = env.json("citizen", &["flag", "show", &flag]);
    assert_eq!(
        (&shown["status"], &shown["response"]),
        (&"Dismissed".into(), &HASH.into())
    );
    let closed = env.json("admin", &["flag", "close", &flag]);
    assert_eq!(closed["rent_returned_to"], citizen.as_str());
    env.refused("citizen", &["flag", "show", &flag], "no flag at");

    // A building, an award charged to it, and its cost per square foot.
    // A new member of an agency in service is proposed, waits out its notice, and is applied; an auditor can
    // veto one meanwhile.
    let facilities = env.keypair("facilities");
    env.refused(
        "head",
        &["member", "set", "075", &facilities, "--roles", "property"],
        "LooseningNeedsNotice",
    );
    let new_member = [
        "member",
        "set",
        "075",
        &facilities,
        "--roles",
        "property",
        "--propose",
    ];
    let proposed = env.json("head", &new_member);
    assert_eq!(
        (
            &proposed["proposed"],
            &proposed["roles"],
            &proposed["change"]
        ),
        (&true.into(), &"property".into(), &"member".into())
    );
    env.refused(
        "head",
        &["change", "apply", "075", &facilities],
        &format!("the notice of agency 075's change about {facilities} ends "),
    );
    env.refused(
        "facilities",
        &[
            "change",
            "veto",
            "075",
            &facilities,
            "--reason",
            "other",
            "--evidence-hash",
            HASH,
        ],
        "NotAuditor",
    );
    let vetoed = env.json(
        "auditor",
        &[
            "change",
            "veto",
            "075",
            &facilities,
            "--reason",
            "audit-finding",
            "--evidence-hash",
            HASH,
        ],
    );
    assert_eq!(vetoed["vetoed"], true);
    // The vetoed change stays on chain, marked, and the head cannot propose it again for 30 days.
    let shown = env.json("citizen", &["change", "show", "075", &facilities]);
    let auditors = env.json("citizen", &["ledger", "show"])["auditors"].clone();
    assert_eq!(shown["vetoed_by"], auditors[0]);
    env.refused("head", &new_member, "no change on it may be proposed until");
    env.json("admin", &["clock", "advance", "30d"]);
    env.json("head", &new_member);
    let withdrawn = env.json("head", &["change", "withdraw", "075", &facilities]);
    assert_eq!(withdrawn["withdrawn"], true);
    env.json("head", &new_member);
    let shown = env.json("citizen", &["change", "show", "075", &facilities]);
    assert_eq!(shown["member"], facilities.as_str());
    env.json("admin", &["clock", "advance", "1d"]);
    let applied = env.json("head", &["change", "apply", "075", &facilities]);
    assert_eq!(applied["applied"], true);
    let members = env.json("citizen", &["member", "list", "075"]);
    assert!(members.to_string().contains(&facilities), "{members}");
    let building = [
        "--type",
        "building",
        "--use",
        "office",
        "--interest",
        "leased",
        "--size",
        "2,000",
        "--state",
        "MD",
        "--city",
        "Rockville",
        "--zip",
        "20852",
        "--latitude",
        "39.0840",
        "--longitude",
        "-77.1528",
        "--condition",
        "71",
        "--operating-cost",
        "12,000.00",
        "--rent",
        "24,000.00",
        "--lease-start",
        "2026-01-01",
        "--lease-end",
        "2030-12-31",
    ];
    env.json(
        "facilities",
        &[&["property", "register", "075", "075-MD-1"][..], &building].concat(),
    );
    env.refused(
        "facilities",
        &[&["property", "register", "075", "075-MD-1"][..], &building].concat(),
        "agency 075 has a property \"075-MD-1\" already",
    );
    env.json(
        "obligor",
        &[
            "award",
            "obligate",
            "075",
            "--award-id",
            "RENT-1",
            "--tas",
            "0100-000",
            "--fy",
            "2026",
            "--uei",
            "ABCDEF123456",
            "--amount",
            "2,000.00",
            "--start",
            "2026-01-01",
            "--end",
            "2026-12-31",
            "--document-hash",
            HASH,
            "--property",
            "075-MD-1",
        ],
    );
    env.json(
        "executor",
        &[
            "payment",
            "pay-small",
            "075",
            "RENT-1",
            "--amount",
            "500.00",
            "--invoice-hash",
            HASH3,
        ],
    );
    let shown = env.json("admin", &["property", "show", "075", "075-MD-1"]);
    assert_eq!(
        (
            &shown["legal_interest"],
            &shown["paid"],
            &shown["paid_per_square_foot"],
            &shown["coordinates"]
        ),
        (
            &"Leased".into(),
            &"500.00".into(),
            &"0.25".into(),
            &"39.084000, -77.152800".into()
        )
    );
    env.json(
        "facilities",
        &[
            "property",
            "dispose",
            "075",
            "075-MD-1",
            "--date",
            "2026-06-30",
            "--method",
            "lease-termination",
        ],
    );
    env.refused(
        "facilities",
        &[&["property", "update", "075", "075-MD-1"][..], &building].concat(),
        "PropertyDisposed",
    );
    let listed = env.json("admin", &["property", "list", "075"]);
    assert_eq!(
        (&listed[0]["rpuid"], &listed[0]["status"]),
        (&"075-MD-1".into(), &"Disposed".into())
    );

    // A payout wallet change: proposed by one OBLIGATE member, confirmed by another, never by the proposer.
    let second = env.keypair("obligor2");
    grant_on_notice(&env, &second, "obligate");
    let wallet = Keypair::new().pubkey().to_string();
    env.json(
        "obligor",
        &[
            "recipient",
            "propose-wallet",
            "075",
            "ABCDEF123456",
            "--wallet",
            &wallet,
        ],
    );
    let confirm = [
        "recipient",
        "confirm-wallet",
        "075",
        "ABCDEF123456",
        "--wallet",
    ];
    env.refused(
        "obligor",
        &[&confirm[..], &[wallet.as_str()]].concat(),
        "ProposerCannotConfirm",
    );
    let other = Keypair::new().pubkey().to_string();
    env.refused(
        "obligor2",
        &[&confirm[..], &[other.as_str()]].concat(),
        "PayoutWalletMismatch",
    );
    let confirmed = env.json("obligor2", &[&confirm[..], &[wallet.as_str()]].concat());
    assert_eq!(confirmed["payout_wallet"], wallet.as_str());
    let shown = env.json(
        "admin",
        &["recipient", "show", "ABCDEF123456", "--agency", "075"],
    );
    assert_eq!(
        (
            &shown["records"][0]["payout_wallet"],
            &shown["records"][0]["wallet_changes"]
        ),
        (&wallet.as_str().into(), &1.into())
    );
}

/// `payment pay-batch`: the whole schedule is checked before anything is sent, then paid in batches, each line
/// named with the transaction that paid it.
#[test]
fn a_payment_schedule_is_checked_whole_then_paid_in_batches() {
    let env = ledger_with_award();
    for id in ["C-2", "C-3"] {
        env.json(
            "obligor",
            &[
                "award",
                "obligate",
                "075",
                "--award-id",
                id,
                "--tas",
                "0100-000",
                "--fy",
                "2026",
                "--uei",
                "ABCDEF123456",
                "--amount",
                "1,000.00",
                "--start",
                "2026-01-01",
                "--end",
                "2026-12-31",
                "--document-hash",
                HASH,
            ],
        );
    }
    std::fs::write(env.path("inv-1.pdf"), "invoice 1").unwrap();
    std::fs::write(
        env.path("bad.csv"),
        format!("award_id,amount,invoice\nC-1,100.00,inv-1.pdf\nC-9,5.00,{HASH}\nC-2,1000.00,{HASH2}\nC-3,\"1,2\",{HASH3}\nC-1,7.00,inv-1.pdf\n"),
    )
    .unwrap();
    let bad = env.path("bad.csv").display().to_string();
    let output = env
        .cmd("executor", &["payment", "pay-batch", "075", &bad])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    for expected in [
        "refused, nothing sent",
        "line 3: no award \"C-9\" in agency 075",
        "line 4: 1,000.00 is not below the fast-path threshold of 1,000.00",
        "line 5:",
        "line 6: the same invoice as line 2 on award C-1",
    ] {
        assert!(
            stderr.contains(expected),
            "{expected:?} missing from {stderr}"
        );
    }
    assert_eq!(
        env.json("admin", &["agency", "show", "075"])["payments"],
        0,
        "nothing was paid"
    );

    std::fs::write(
        env.path("good.csv"),
        format!("award_id,amount,invoice\nC-1,100.00,inv-1.pdf\nC-2,200.00,{HASH2}\nC-3,\"1,250.00\",{HASH3}\nC-1,7.00,{HASH}\n"),
    )
    .unwrap();
    let good = env.path("good.csv").display().to_string();
    // 1,250.00 is above the threshold: still refused whole.
    env.refused(
        "executor",
        &["payment", "pay-batch", "075", &good],
        "line 4: 1,250.00 is not below the fast-path threshold",
    );
    std::fs::write(
        env.path("good.csv"),
        format!("award_id,amount,invoice\nC-1,100.00,inv-1.pdf\nC-2,200.00,{HASH2}\nC-3,250.00,{HASH3}\nC-1,7.00,{HASH}\n"),
    )
    .unwrap();
    let paid = env.json("executor", &["payment", "pay-batch", "075", &good]);
    let rows = paid.as_array().unwrap();
    let lines: Vec<u64> = rows.iter().map(|r| r["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [2, 3, 4, 5]);
    assert!(rows
        .iter()
        .all(|r| r["transaction"].as_str().is_some_and(|s| s.len() > 80)));
    let c1 = env.json("admin", &["award", "show", "075", "C-1"]);
    assert_eq!(
        (&c1["outlayed"], &c1["payments"]),
        (&"107.00".into(), &2.into())
    );
    assert_eq!(
        env.json("admin", &["agency", "show", "075"])["outlayed"],
        "557.00"
    );
    // Sent again, the same schedule is refused: its invoices are on the awards' history now.
    env.refused(
        "executor",
        &["payment", "pay-batch", "075", &good],
        "duplicate invoice: award C-1 already has payment 0 of 100.00 with this invoice (paid)",
    );
}

#[test]
fn a_schedule_is_paid_in_v0_transactions_with_a_lookup_table() {
    use base64::Engine;
    use solana_address_lookup_table_interface::state::{AddressLookupTable, LookupTableMeta};

    let env = ledger_with_award();
    std::fs::write(
        env.path("schedule.csv"),
        format!("award_id,amount,invoice\nC-1,100.00,{HASH}\nC-1,7.00,{HASH2}\n"),
    )
    .unwrap();
    let schedule = env.path("schedule.csv").display().to_string();
    let bytes: Vec<u8> =
        serde_json::from_str(&std::fs::read_to_string(env.path("executor.json")).unwrap()).unwrap();
    let executor = Keypair::try_from(&bytes[..]).unwrap().pubkey().to_string();

    let listed = env.json(
        "executor",
        &[
            "payment",
            "batch-addresses",
            "075",
            &schedule,
            "--executor",
            &executor,
        ],
    );
    let addresses: Vec<Pubkey> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["address"].as_str().unwrap().parse().unwrap())
        .collect();
    assert_eq!(
        addresses.len(),
        10 + 3,
        "the batch's own accounts (the exclusion list among them) with the appropriation and allotment, and the \
         award, recipient and token account once"
    );
    assert!(!addresses.contains(&executor.parse().unwrap()));

    // The table, written into the saved chain as `solana address-lookup-table create/extend` would leave it.
    let table = Pubkey::new_unique();
    let data = AddressLookupTable {
        meta: LookupTableMeta {
            deactivation_slot: u64::MAX,
            ..LookupTableMeta::default()
        },
        addresses: std::borrow::Cow::Borrowed(&addresses),
    }
    .serialize_for_tests()
    .unwrap();
    let mut chain: Value =
        serde_json::from_slice(&std::fs::read(env.path("chain.json")).unwrap()).unwrap();
    chain["accounts"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "address": table.to_string(),
            "lamports": 10_000_000_000u64,
            "owner": solana_address_lookup_table_interface::program::ID.to_string(),
            "data": base64::engine::general_purpose::STANDARD.encode(&data),
        }));
    std::fs::write(env.path("chain.json"), serde_json::to_vec(&chain).unwrap()).unwrap();

    // A key that is no lookup table is refused before anything is sent.
    let agency = env.json("admin", &["agency", "show", "075"])["address"]
        .as_str()
        .unwrap()
        .to_string();
    env.refused(
        "executor",
        &[
            "payment",
            "pay-batch",
            "075",
            &schedule,
            "--lookup-table",
            &agency,
        ],
        "is not a valid address lookup table",
    );

    let paid = env.json(
        "executor",
        &[
            "payment",
            "pay-batch",
            "075",
            &schedule,
            "--lookup-table",
            &table.to_string(),
        ],
    );
    let rows = paid.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows[0]["transaction"], rows[1]["transaction"],
        "one transaction"
    );
    // It went as v0, its accounts loaded from the table.
    let chain: Value =
        serde_json::from_slice(&std::fs::read(env.path("chain.json")).unwrap()).unwrap();
    let last = chain["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["signature"], rows[0]["transaction"]);
    assert!(
        last["loaded_writable"].as_array().unwrap().len() >= 3,
        "award, allotment, appropriation, treasury and the token account are written through the table: {last}"
    );
    let c1 = env.json("admin", &["award", "show", "075", "C-1"]);
    assert_eq!(
        (&c1["outlayed"], &c1["payments"]),
        (&"107.00".into(), &2.into())
    );
}

/// A command on a state file that `pubspend serve` is serving fails at once, naming the server's real URL and
/// the `-u` to add, instead of waiting for a server that may run for days; once the server stops (or when a
/// server that died left its URL behind) commands run again.
#[test]
fn commands_on_a_served_state_file_fail_at_once_and_name_the_server() {
    use public_spending_localnet::{Localnet, LocalnetConfig};

    let env = Env::new();
    let admin = env.keypair("admin");
    env.json("admin", &["ledger", "init"]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let running = runtime
        .block_on(Localnet::start(LocalnetConfig {
            rpc_port: 0,
            ..LocalnetConfig::new(env.path("chain.json"))
        }))
        .unwrap();
    let url = running.rpc_url();
    assert_ne!(
        running.rpc_addr().port(),
        8899,
        "a free port, not the default"
    );
    let hint = format!("is being served by `pubspend serve` at {url}: add -u {url}");
    let db = env.path("index.sqlite");
    for args in [
        vec!["ledger", "show"],
        vec!["clock", "advance", "1d"],
        vec![
            "agency", "register", "--code", "075", "--name", "X", "--head", &admin,
        ],
        vec!["index", "--db", db.to_str().unwrap()],
    ] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_pubspend"))
            .current_dir(env.dir.path())
            .env("HOME", env.dir.path())
            .args(["--embedded-state"])
            .arg(env.path("chain.json"))
            .arg("-k")
            .arg(env.path("admin.json"))
            .args(&args)
            .stderr(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // A guard, not a clock the test waits on: a command that waits for the server is killed and fails the
        // test rather than hanging it.
        let mut waited = 0;
        while child.try_wait().unwrap().is_none() && waited < 600 {
            std::thread::sleep(std::time::Duration::from_millis(100));
            waited += 1;
        }
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            panic!("pubspend {args:?} waited for the server instead of failing");
        }
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(&hint), "{args:?}: {stderr}");
        assert!(!stderr.contains("waiting"), "{args:?}: {stderr}");
    }
    runtime.block_on(running.shutdown()).unwrap();
    assert_eq!(env.json("admin", &["ledger", "show"])["agencies"], 0);

    // A server killed outright leaves its URL in the lock file; the next command takes the lock and clears it.
    let lock = env.path("chain.json.lock");
    std::fs::write(&lock, "served at http://127.0.0.1:1\n").unwrap();
    env.json("admin", &["clock", "advance", "1d"]);
    assert_eq!(std::fs::read_to_string(&lock).unwrap(), "");
}

/// `ledger limits`: the admin lowers the fast-path ceilings at once; raising one takes a proposal and the
/// notice in force, and an agency's fast path is held to the ceiling meanwhile.
#[test]
fn the_admin_sets_ledger_limits_tightening_at_once_and_loosening_on_notice() {
    let env = ledger_with_award();
    let set = env.json(
        "admin",
        &[
            "ledger",
            "limits",
            "--max-threshold",
            "500.00",
            "--max-daily-cap",
            "2000.00",
        ],
    );
    assert!(set["signature"].as_str().is_some());
    let shown = env.json("admin", &["ledger", "show"]);
    assert_eq!(
        (
            &shown["fast_path_threshold_ceiling"],
            &shown["fast_path_daily_cap_ceiling"],
            &shown["minimum_notice_hours"]
        ),
        (&"500.00".into(), &"2000.00".into(), &24.into())
    );
    env.refused(
        "admin",
        &["ledger", "limits", "--max-threshold", "none"],
        "LooseningNeedsNotice",
    );
    let usage = env
        .cmd("admin", &["ledger", "limits", "--min-notice-hours", "0"])
        .output()
        .unwrap();
    assert_eq!(usage.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&usage.stderr).contains("0 is not in 1..=720"));
    env.json(
        "admin",
        &["ledger", "limits", "--max-threshold", "none", "--propose"],
    );
    env.refused(
        "admin",
        &["ledger", "apply-limits"],
        "the notice of the proposed limits ends ",
    );
    env.json("admin", &["clock", "advance", "1d"]);
    env.json("admin", &["ledger", "apply-limits"]);
    let shown = env.json("admin", &["ledger", "show"]);
    assert_eq!(
        (
            &shown["fast_path_threshold_ceiling"],
            &shown["fast_path_daily_cap_ceiling"]
        ),
        (&"none".into(), &"2000.00".into())
    );
}

/// `ledger init --token-2022` on the embedded chain: the ledger pays in a Token-2022 stablecoin, and a payment
/// reaches the vendor's Token-2022 account in full.
#[test]
fn a_ledger_on_a_token_2022_mint_pays_its_vendors() {
    let env = ledger_initialized_with("20000.00", &["ledger", "init", "--token-2022"]);
    let shown = env.json("admin", &["ledger", "show"]);
    assert_eq!(
        shown["token_program"],
        anchor_spl::token_2022::ID.to_string().as_str()
    );
    let paid = env.json("executor", &strs(&pay_small("250.00", HASH)));
    assert_eq!(
        (&paid["status"], &paid["amount"]),
        (&"sent".into(), &"250.00".into())
    );
    let agency = env.json("admin", &["agency", "show", "075"]);
    assert_eq!(agency["outlayed"], "250.00");
}

/// `pubspend` with `args` on the embedded chain saved at `state`, in the env's folder, signed by `admin`.
pub(crate) fn on_state(env: &Env, state: &str, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("pubspend")
        .unwrap()
        .current_dir(env.dir.path())
        .env("HOME", env.dir.path())
        .args(["-u", "embedded", "--embedded-state", state, "-k"])
        .arg(env.path("admin.json"))
        .args(args)
        .output()
        .unwrap()
}

pub(crate) fn failed_with(output: &std::process::Output, message: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(message),
        "expected {message:?} in {stderr:?}"
    );
}

/// A mistyped `--embedded-state` or `--db` used to read an empty chain or index and report success (0 accounts,
/// "all 0 match", 0 findings). Reading commands now refuse what is not there and create nothing.
#[test]
fn reading_commands_refuse_a_missing_chain_or_index_and_create_nothing() {
    let env = Env::new();
    env.keypair("admin");
    env.json("admin", &["ledger", "init"]);
    let output = on_state(&env, "typo.json", &["index", "--db", "idx.sqlite"]);
    failed_with(&output, "typo.json: does not exist");
    for name in ["typo.json", "typo.json.lock", "idx.sqlite"] {
        assert!(!env.path(name).exists(), "{name} was created");
    }

    std::fs::write(env.path("zero.sqlite"), b"").unwrap();
    let reads: [&[&str]; 5] = [
        &["audit"],
        &["export", "usaspending", "out"],
        &["export", "ocds", "out.json"],
        &["report", "--html", "out.html"],
        &["verify"],
    ];
    for read in reads {
        let output = on_state(
            &env,
            "chain.json",
            &[read, &["--db", "zero.sqlite"]].concat(),
        );
        failed_with(
            &output,
            "zero.sqlite: is empty: nothing has been indexed into it",
        );
        let output = on_state(
            &env,
            "chain.json",
            &[read, &["--db", "none.sqlite"]].concat(),
        );
        failed_with(&output, "none.sqlite: does not exist");
    }
    assert_eq!(std::fs::read(env.path("zero.sqlite")).unwrap(), b"");
    for name in ["none.sqlite", "out", "out.json", "out.html"] {
        assert!(!env.path(name).exists(), "{name} was created");
    }
}

/// A ledger with no agency has nothing to verify: `verify` says so and fails instead of "all 0 match".
#[test]
fn nothing_verified_is_not_verified() {
    let env = Env::new();
    env.keypair("admin");
    env.json("admin", &["ledger", "init"]);
    let output = on_state(&env, "chain.json", &["index", "--db", "idx.sqlite"]);
    assert!(output.status.success());
    let output = on_state(&env, "chain.json", &["verify", "--db", "idx.sqlite"]);
    failed_with(
        &output,
        "nothing verified: the ledger on this chain has no agency yet",
    );
}

/// Indexing a second ledger into an index used to mix the two (payments 259 -> 876). An index now belongs to
/// the ledger and chain it first indexed: another is refused and nothing is written; the same chain, saved and
/// reloaded, indexes on.
#[test]
fn an_index_belongs_to_one_ledger() {
    let env = ledger_with_award();
    env.json("executor", &strs(&pay_small("250.00", HASH)));
    let output = on_state(&env, "chain.json", &["index", "--db", "idx.sqlite"]);
    assert!(output.status.success());
    let other = on_state(&env, "other.json", &["ledger", "init"]);
    assert!(other.status.success());
    let before = std::fs::read(env.path("idx.sqlite")).unwrap();
    let output = on_state(&env, "other.json", &["index", "--db", "idx.sqlite"]);
    failed_with(&output, "index another ledger into another --db");
    assert_eq!(std::fs::read(env.path("idx.sqlite")).unwrap(), before);
    let output = on_state(&env, "other.json", &["verify", "--db", "idx.sqlite"]);
    failed_with(&output, "index another ledger into another --db");

    // The first chain, written to and reloaded since, is still the index's chain.
    env.json("executor", &strs(&pay_small("260.00", HASH2)));
    let output = on_state(
        &env,
        "chain.json",
        &["index", "--db", "idx.sqlite", "--output", "json"],
    );
    assert!(output.status.success());
    let indexed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        (&indexed["new_payments"], &indexed["payments"]),
        (&1.into(), &2.into())
    );
}

/// An award id over 32 bytes or an RPUID over 24 used to panic with a backtrace (deriving its address), past
/// `--output json`. Every such argument is checked when parsed: a usage error naming it, nothing sent.
#[test]
fn over_long_award_ids_and_rpuids_are_refused_when_parsed() {
    let env = ledger_with_award();
    let award = "A".repeat(33);
    let rpuid = "R".repeat(25);
    let usage: Vec<Vec<&str>> = vec![
        vec!["award", "show", "075", &award],
        vec!["award", "close", "075", &award],
        vec![
            "award",
            "hold",
            "075",
            &award,
            "--reason",
            "other",
            "--evidence",
            "x",
        ],
        vec!["award", "modify", "075", &award, "--increase", "1.00"],
        vec![
            "payment",
            "request",
            "075",
            &award,
            "--amount",
            "1.00",
            "--invoice-hash",
            HASH,
        ],
        vec![
            "payment",
            "pay-small",
            "075",
            &award,
            "--amount",
            "1.00",
            "--invoice-hash",
            HASH,
        ],
        vec!["payment", "approve", "075", &award, "0"],
        vec!["payment", "history", "075", &award],
        vec!["payment", "list", "--agency", "075", "--award-id", &award],
        vec!["property", "show", "075", &rpuid],
        vec![
            "property",
            "dispose",
            "075",
            &rpuid,
            "--date",
            "2026-01-01",
            "--method",
            "sale",
        ],
    ];
    for args in usage {
        let before = std::fs::read(env.path("chain.json")).unwrap();
        let output = env
            .cmd("admin", &[&args[..], &["--output", "json"]].concat())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("is not an id: 1 to"), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(std::fs::read(env.path("chain.json")).unwrap(), before);
    }
    // A flag names its target by an id whose kind the target decides: checked when resolved.
    env.refused(
        "admin",
        &[
            "flag",
            "raise",
            "award",
            "075",
            &award,
            "--reason",
            "price",
            "--evidence-hash",
            HASH,
        ],
        "is not an id: 1 to 32",
    );
}

/// Messages that misled: a duplicate UEI or award id reported as "invalid instruction data", the payout-wallet
/// time lock called "the payment's", and a raw error dump for `flag respond` on an award's address. Each now
/// says what is wrong.
#[test]
fn refusals_say_what_is_wrong() {
    let env = ledger_with_award();
    let wallet = Keypair::new().pubkey().to_string();
    env.refused(
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
        "agency 075 has already registered UEI ABCDEF123456",
    );
    env.refused(
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
            "1.00",
            "--start",
            "2026-01-01",
            "--end",
            "2026-12-31",
            "--document-hash",
            HASH,
        ],
        "agency 075 already has an award C-1",
    );
    let second = env.keypair("obligor2");
    grant_on_notice(&env, &second, "obligate");
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
            "--time-lock",
            "7200",
        ],
    );
    env.json(
        "obligor",
        &[
            "recipient",
            "propose-wallet",
            "075",
            "ABCDEF123456",
            "--wallet",
            &wallet,
        ],
    );
    env.refused(
        "obligor2",
        &[
            "recipient",
            "confirm-wallet",
            "075",
            "ABCDEF123456",
            "--wallet",
            &wallet,
        ],
        "the payout-wallet change's time lock has not passed yet",
    );
    let award = env.json("admin", &["award", "show", "075", "C-1"]);
    let address = award["address"].as_str().unwrap().to_string();
    env.refused(
        "head",
        &["flag", "respond", &address, "--response-hash", HASH],
        "is not a valid Flag: it is an Award account",
    );
}

/// Owned and otherwise-managed property can be registered from the CLI (a zero rent and operating cost are
/// amounts like any other there); each bad location part gets its own message, a made-up state is refused, and
/// a disposal dated before the lease began is refused by the program.
#[test]
fn property_of_every_interest_is_registered_and_bad_details_are_named() {
    let env = ledger_with_award();
    let facilities = env.keypair("facilities");
    grant_on_notice(&env, &facilities, "property");
    let details = |interest: &'static str, extra: &[&'static str]| -> Vec<&'static str> {
        let mut args = vec![
            "--type",
            "building",
            "--use",
            "office",
            "--interest",
            interest,
            "--size",
            "5,000",
            "--state",
            "VA",
            "--city",
            "Arlington",
            "--zip",
            "22201",
            "--condition",
            "80",
        ];
        args.extend_from_slice(extra);
        args
    };
    let register = |rpuid: &'static str, args: Vec<&'static str>| -> Vec<&'static str> {
        [vec!["property", "register", "075", rpuid], args].concat()
    };
    let owned = env.json(
        "facilities",
        &register(
            "075-VA-1",
            details("owned", &["--rent", "0", "--operating-cost", "0.00"]),
        ),
    );
    assert!(owned["signature"].as_str().is_some(), "{owned}");
    let shown = env.json("admin", &["property", "show", "075", "075-VA-1"]);
    assert_eq!(shown["annual_rent"], "0.00", "{shown}");
    env.json(
        "facilities",
        &register(
            "075-VA-2",
            details("otherwise-managed", &["--operating-cost", "0"]),
        ),
    );
    for (extra, message) in [
        (vec!["--rent", "100.00"], "apply to leased property only"),
        (
            vec!["--lease-start", "2026-01-01"],
            "apply to leased property only",
        ),
        (
            vec!["--latitude", "38.88"],
            "--latitude and --longitude go together",
        ),
    ] {
        env.refused(
            "facilities",
            &register("075-VA-3", details("owned", &extra)),
            message,
        );
    }
    let mut bad_state = details("owned", &[]);
    bad_state[9] = "ZZ";
    env.refused(
        "facilities",
        &register("075-VA-3", bad_state),
        "--state \"ZZ\" is not a USPS state code",
    );
    let mut bad_zip = details("owned", &[]);
    bad_zip[13] = "2220A";
    env.refused(
        "facilities",
        &register("075-VA-3", bad_zip),
        "--zip \"2220A\" is not a five-digit ZIP code",
    );
    env.refused(
        "facilities",
        &register("075-VA-3", details("leased", &["--rent", "100.00"])),
        "a leased property needs --lease-start and --lease-end",
    );
    env.json(
        "facilities",
        &register(
            "075-VA-4",
            details(
                "leased",
                &[
                    "--rent",
                    "100.00",
                    "--lease-start",
                    "2026-01-01",
                    "--lease-end",
                    "2030-12-31",
                ],
            ),
        ),
    );
    env.refused(
        "facilities",
        &[
            "property",
            "dispose",
            "075",
            "075-VA-4",
            "--date",
            "2025-06-01",
            "--method",
            "lease-termination",
        ],
        "cannot be disposed of before its lease began",
    );
}

/// A fast-path payment leaves no account, yet anyone flags it by its award and index.
#[test]
fn a_fast_path_payment_is_flagged_by_award_and_index() {
    let env = ledger_with_award();
    env.json("executor", &strs(&pay_small("250.00", HASH)));
    env.keypair("citizen");
    let raised = env.json(
        "citizen",
        &[
            "flag",
            "raise",
            "payment",
            "075",
            "C-1",
            "--index",
            "0",
            "--reason",
            "duplicate-invoice",
            "--evidence-hash",
            HASH,
        ],
    );
    assert!(raised["flag"].as_str().is_some(), "{raised}");
    env.refused(
        "citizen",
        &[
            "flag",
            "raise",
            "payment",
            "075",
            "C-1",
            "--index",
            "5",
            "--reason",
            "duplicate-invoice",
            "--evidence-hash",
            HASH,
        ],
        "award C-1 has no payment 5",
    );
}

/// A signer read from standard input (`-k stdin://`, as the Solana CLI reads one) signs as its keypair file
/// does; standard input that holds no keypair is refused with nothing sent.
#[test]
fn a_signer_is_read_from_standard_input() {
    let env = Env::new();
    let admin = env.keypair("admin");
    let keypair_json = std::fs::read_to_string(env.path("admin.json")).unwrap();
    let stdin_signer = |args: &[&str], stdin: &str| {
        let mut cmd = Command::cargo_bin("pubspend").unwrap();
        cmd.current_dir(env.dir.path())
            .env("HOME", env.dir.path())
            .args(["-u", "embedded", "--embedded-state"])
            .arg(env.path("chain.json"))
            .args(["-k", "stdin://", "--output", "json"])
            .args(args)
            .write_stdin(stdin.to_string());
        cmd.output().unwrap()
    };
    let output = stdin_signer(&["ledger", "init"], &keypair_json);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(env.json("admin", &["ledger", "show"])["admin"], admin);

    let before = std::fs::read(env.path("chain.json")).unwrap();
    let output = stdin_signer(
        &[
            "ledger",
            "propose-admin",
            &Keypair::new().pubkey().to_string(),
        ],
        "not a keypair",
    );
    assert_eq!(output.status.code(), Some(1));
    let error: Value = serde_json::from_slice(&output.stderr).unwrap();
    assert!(
        error["error"]
            .as_str()
            .unwrap()
            .starts_with("standard input holds no Solana keypair"),
        "{error}"
    );
    assert_eq!(std::fs::read(env.path("chain.json")).unwrap(), before);

    let mut pubkey = Command::cargo_bin("pubspend").unwrap();
    pubkey
        .current_dir(env.dir.path())
        .args(["keygen", "pubkey", "stdin://"])
        .write_stdin(keypair_json);
    let output = pubkey.output().unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), admin);
}
