//! Wrong answers a walk through `pubspend` as a new user found (issue 31), each refused or corrected: inputs that
//! would damage a ledger for good, files for the public written private or into folders nobody made, a stale
//! index read as tampering, and refusals a finance officer could not act on.

use super::cli::{failed_with, ledger_with_award, on_state, pay_small, strs, Env, HASH, HASH2};

/// The embedded clock only moves forward: 99999999999999d would have moved it to the year 2.7e11 and the chain
/// could never be used again. Beyond 100 years it is refused, and the chain is left as it was.
#[test]
fn the_clock_moves_at_most_a_hundred_years() {
    let env = Env::new();
    env.keypair("admin");
    env.json("admin", &["ledger", "init"]);
    for far in ["99999999999999d", "36526d", "3155760001"] {
        env.refused(
            "admin",
            &["clock", "advance", far],
            "is more than 100 years: the clock only moves forward",
        );
    }
    let moved = env.json("admin", &["clock", "advance", "36525d"]);
    assert_eq!(moved["advanced_seconds"], 3_155_760_000u64);
}

/// `--decimals 30` made a ledger on which no budget fits a u64 of base units, and a ledger is initialized once:
/// refused when parsed, before any mint or ledger is made.
#[test]
fn a_ledger_of_more_than_nine_decimals_is_refused_before_anything_is_made() {
    let env = Env::new();
    env.keypair("admin");
    for decimals in ["10", "30"] {
        env.usage_refused(
            "admin",
            &["ledger", "init", "--token-2022", "--decimals", decimals],
            "is not in 0..=9",
        );
    }
    assert!(!env.path("chain.json").exists(), "a chain was made");
    let init = env.json("admin", &["ledger", "init", "--decimals", "9"]);
    assert!(init["signature"].is_string());
    assert_eq!(env.json("admin", &["ledger", "show"])["decimals"], 9);
}

/// Exports and reports went into folders they created (as root, at the filesystem root); now a missing folder is
/// refused as `cp` refuses it, and what is written for the public is readable by others (0644 under umask 022,
/// not the 0600 of a temporary file).
#[test]
fn public_files_need_an_existing_folder_and_are_readable_by_all() {
    use std::os::unix::fs::PermissionsExt;
    let env = ledger_with_award();
    let output = on_state(&env, "chain.json", &["index", "--db", "idx.sqlite"]);
    assert!(output.status.success());
    for (args, missing) in [
        (
            &["export", "ocds", "nowhere/o.json", "--db", "idx.sqlite"][..],
            "nowhere/o.json",
        ),
        (
            &["report", "--html", "nowhere/r.html", "--db", "idx.sqlite"][..],
            "nowhere/r.html",
        ),
    ] {
        let output = on_state(&env, "chain.json", args);
        failed_with(
            &output,
            &format!("cannot write {missing}: no folder nowhere (create it first)"),
        );
        assert!(!env.path("nowhere").exists(), "{args:?} made the folder");
    }
    for (args, file) in [
        (
            &["export", "ocds", "o.json", "--db", "idx.sqlite"][..],
            "o.json",
        ),
        (
            &["report", "--html", "r.html", "--db", "idx.sqlite"][..],
            "r.html",
        ),
    ] {
        // The umask a user's shell has, set for the child alone.
        let command = format!(
            "umask 022 && exec \"$0\" -u embedded --embedded-state chain.json -k admin.json {}",
            args.join(" ")
        );
        let output = std::process::Command::new("sh")
            .current_dir(env.dir.path())
            .env("HOME", env.dir.path())
            .args(["-c", &command, env!("CARGO_BIN_EXE_pubspend")])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let mode = std::fs::metadata(env.path(file))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o644, "{file}");
    }
}

/// A member proposed with no role waited out a notice to be given nothing: refused before anything is sent.
#[test]
fn a_member_proposed_with_no_role_is_refused() {
    let env = ledger_with_award();
    let newcomer = env.keypair("newcomer");
    env.refused(
        "head",
        &[
            "member",
            "set",
            "075",
            &newcomer,
            "--roles",
            "",
            "--propose",
        ],
        "--roles is empty: a member proposed on notice must be given at least one role",
    );
}

/// Payments made after the index last ran used to read as "verification failed: 6 mismatch(es)" in base units:
/// the index is behind, and verify says so first (and by how much); the amounts it compares are token units.
#[test]
fn a_stale_index_is_named_as_behind_not_as_tampered() {
    let env = ledger_with_award();
    env.json("executor", &strs(&pay_small("250.00", HASH)));
    assert!(
        on_state(&env, "chain.json", &["index", "--db", "idx.sqlite"])
            .status
            .success()
    );
    env.json("executor", &strs(&pay_small("125.50", HASH2)));
    let output = on_state(&env, "chain.json", &["verify", "--db", "idx.sqlite"]);
    let behind = "the index is behind the chain by 1 transaction(s): run `pubspend index --db idx.sqlite` and verify again";
    failed_with(&output, behind);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.starts_with(behind), "{stdout}");
    assert!(
        stdout.contains("250.00") && stdout.contains("375.50"),
        "{stdout}"
    );
    assert!(!stdout.contains("37550"), "amounts in base units: {stdout}");

    assert!(
        on_state(&env, "chain.json", &["index", "--db", "idx.sqlite"])
            .status
            .success()
    );
    let output = on_state(&env, "chain.json", &["verify", "--db", "idx.sqlite"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `2026-12-07T20:14:24Z` (a time as `--output json` gives it) as a sentence names it: `2026-12-07 20:14:24 UTC`.
fn as_text(json_time: &serde_json::Value) -> String {
    format!(
        "{} UTC",
        json_time
            .as_str()
            .unwrap()
            .trim_end_matches('Z')
            .replace('T', " ")
    )
}

/// Refusals that said "invalid instruction data", "custom error 3012" or named an instruction now name the
/// cause, the flag or the command, and when a notice ends; each leaves the chain as it was.
#[test]
fn refusals_name_the_cause_the_flag_and_the_command() {
    let env = ledger_with_award();
    env.refused(
        "admin",
        &["ledger", "init"],
        "this chain already has its ledger (admin ",
    );

    // An agency in service: a new member waits out a notice, proposed once, by the head alone.
    let newcomer = env.keypair("newcomer");
    env.refused(
        "head",
        &["member", "set", "075", &newcomer, "--roles", "approve"],
        &format!("LooseningNeedsNotice (6088): this loosens a control, so it waits out a notice: propose it with `pubspend member set 075 {newcomer} --roles approve --propose`"),
    );
    env.refused(
        "head",
        &[
            "agency", "set-policy", "075", "--threshold", "2000", "--approvals", "2", "--daily-cap",
            "5000.00",
        ],
        "propose it with `pubspend agency set-policy 075 --threshold 2000.00 --approvals 2 --time-lock 0 --daily-cap 5000.00 --propose`",
    );
    let propose = [
        "member",
        "set",
        "075",
        &newcomer,
        "--roles",
        "approve",
        "--propose",
    ];
    env.refused("approver1", &propose, "only agency 075's head (");
    let proposed = env.json("head", &propose);
    let effective = as_text(&proposed["effective_at"]);
    env.refused(
        "head",
        &propose,
        &format!("a change about {newcomer} of agency 075 is already pending (proposed "),
    );
    env.refused(
        "head",
        &["change", "apply", "075", &newcomer],
        &format!("the notice of agency 075's change about {newcomer} ends {effective}, in "),
    );
    env.refused(
        "approver1",
        &["change", "apply", "075", &newcomer],
        "only agency 075's head (",
    );

    // The ledger's own changes on notice: nothing pending, a second proposal, a removal without notice.
    env.refused(
        "admin",
        &["ledger", "apply-auditors"],
        "no auditor list is pending",
    );
    env.refused(
        "admin",
        &["ledger", "apply-limits"],
        "no limits are pending",
    );
    env.refused(
        "admin",
        &["ledger", "withdraw-limits"],
        "no limits are pending",
    );
    let replacement = env.keypair("replacement");
    env.refused(
        "admin",
        &["ledger", "set-auditors", &replacement],
        &format!("propose it with `pubspend ledger set-auditors {replacement} --propose`"),
    );
    let auditor = env.json("admin", &["ledger", "show"])["auditors"][0].clone();
    let proposed = env.json(
        "admin",
        &["ledger", "set-auditors", &replacement, "--propose"],
    );
    assert_eq!(proposed["would_remove"], serde_json::json!([auditor]));
    let removal = as_text(&proposed["effective_at"]);
    env.refused(
        "admin",
        &["ledger", "apply-auditors"],
        &format!("the notice of the proposed auditor list ends {removal}, in 7 days 0 h"),
    );
    env.refused(
        "head",
        &["ledger", "apply-auditors"],
        "only the ledger admin (",
    );
    env.json("admin", &["ledger", "limits", "--max-threshold", "500.00"]);
    env.refused(
        "admin",
        &["ledger", "limits", "--max-threshold", "900.00"],
        "propose it with `pubspend ledger limits --max-threshold 900.00 --max-daily-cap none --min-notice-hours 24 --propose`",
    );
    env.json(
        "admin",
        &["ledger", "limits", "--max-threshold", "900.00", "--propose"],
    );
    env.refused(
        "admin",
        &["ledger", "limits", "--max-threshold", "950.00", "--propose"],
        "limits are already proposed (effective ",
    );

    // What waits, where a citizen looks: `ledger show` and `change list`.
    let shown = env.json("admin", &["ledger", "show"]);
    assert_eq!(shown["pending_auditors"], serde_json::json!([replacement]));
    assert_eq!(
        shown["pending_limits"],
        "fast-path threshold ceiling 900.00, daily cap ceiling none, minimum notice 24 h"
    );
    let listed = env.json("admin", &["change", "list"]);
    let rows: Vec<(&str, &str)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["scope"].as_str().unwrap(),
                row["subject"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("agency 075", newcomer.as_str()),
            ("ledger", "limits"),
            ("ledger", "auditors")
        ]
    );
    assert_eq!(
        listed[1]["change"],
        "limits: fast-path threshold ceiling 900.00, daily cap ceiling none, minimum notice 24 h"
    );

    // The fast path as the program enforces it: the policy cut to the ledger's ceiling.
    let agency = env.json("admin", &["agency", "show", "075"]);
    assert_eq!(
        (
            &agency["threshold"],
            &agency["effective_threshold"],
            &agency["effective_threshold_set_by"]
        ),
        (
            &"1000.00".into(),
            &"500.00".into(),
            &"ledger ceiling".into()
        )
    );
    env.refused(
        "executor",
        &strs(&pay_small("750.00", HASH)),
        "AboveFastPathThreshold (6051): 750.00 is not below the effective fast-path threshold 500.00 (ledger ceiling; agency 075's policy says 1,000.00)",
    );

    // Ranges and things that do not exist, named as such.
    env.usage_refused(
        "head",
        &[
            "agency",
            "set-policy",
            "075",
            "--threshold",
            "10",
            "--approvals",
            "300",
        ],
        "300 is not in 1..=5",
    );
    let hold = |index: &str| {
        [
            "payment",
            "hold",
            "075",
            "C-1",
            index,
            "--reason",
            "other",
            "--evidence-hash",
            HASH2,
        ]
        .map(String::from)
    };
    let no_payment = hold("99");
    env.refused(
        "auditor",
        &no_payment.each_ref().map(String::as_str),
        "award C-1 of agency 075 has no payment 99: it has no payment yet",
    );
    env.json("executor", &strs(&pay_small("10.00", HASH)));
    env.refused(
        "auditor",
        &no_payment.each_ref().map(String::as_str),
        "award C-1 of agency 075 has no payment 99: its payments are numbered 0 to 0",
    );
    let paid = hold("0");
    env.refused(
        "auditor",
        &paid.each_ref().map(String::as_str),
        "payment 0 of award C-1 is final and no longer on chain",
    );
}

/// `watch -u https://256.1.1.1` printed "cannot reach the RPC node at : websocket error" forever: the URL it cannot
/// use is named, and the watch stops at once with nothing written.
#[test]
fn a_watch_names_the_url_it_cannot_follow() {
    let env = Env::new();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_pubspend"))
        .current_dir(env.dir.path())
        .env("HOME", env.dir.path())
        .args(["-u", "https://256.1.1.1", "watch", "--db", "w.sqlite"])
        .output()
        .unwrap();
    failed_with(
        &output,
        "cannot follow https://256.1.1.1: it is not a URL a WebSocket address can be derived from",
    );
    assert!(!env.path("w.sqlite").exists());
}
