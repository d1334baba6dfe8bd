//! Oversight one lenient or planted auditor cannot undo, from the command line (issue 34): a freeze lifted only
//! by its auditor or by two, a new auditor proposed on notice and vetoed, and a veto that holds for 30 days.

use super::cli::{ledger_with_award, HASH};

const GROUNDS: [&str; 4] = ["--reason", "audit-finding", "--evidence-hash", HASH];

#[test]
fn a_freeze_is_lifted_by_its_auditor_or_by_two_and_a_planted_auditor_is_vetoed() {
    let env = ledger_with_award();
    let shown = env.json("admin", &["ledger", "show"]);
    let first = shown["auditors"][0].as_str().unwrap().to_string();
    let (second, third) = (env.keypair("auditor2"), env.keypair("auditor3"));

    // With an agency registered, a new auditor list is never set at once: the CLI names the proposal.
    let list = [first.as_str(), second.as_str(), third.as_str()];
    env.refused(
        "admin",
        &[&["ledger", "set-auditors"][..], &list].concat(),
        "--propose",
    );
    let proposed = env.json(
        "admin",
        &[&["ledger", "set-auditors"][..], &list, &["--propose"]].concat(),
    );
    assert_eq!(proposed["auditors"].as_array().unwrap().len(), 3);
    env.refused(
        "admin",
        &["ledger", "apply-auditors"],
        "the notice of the proposed auditor list ends",
    );
    env.json("admin", &["clock", "advance", "7d"]);
    env.json("admin", &["ledger", "apply-auditors"]);
    let shown = env.json("admin", &["ledger", "show"]);
    assert_eq!(shown["auditors"].as_array().unwrap().len(), 3);

    // The first auditor freezes; the second alone may not lift it, with the second auditor named as the way.
    env.json(
        "auditor",
        &[&["agency", "freeze", "075"][..], &GROUNDS].concat(),
    );
    env.refused(
        "auditor2",
        &[&["agency", "unfreeze", "075"][..], &GROUNDS].concat(),
        &format!("the freeze of agency 075 was imposed by auditor {first}: it lifts it alone, or another auditor lifts it with a second auditor's concurring signature (--concurring)"),
    );
    env.refused(
        "auditor2",
        &[
            &["agency", "unfreeze", "075"][..],
            &GROUNDS,
            &["--concurring", "auditor2.json"],
        ]
        .concat(),
        "the concurring auditor must be a second auditor",
    );
    let lifted = env.json(
        "auditor2",
        &[
            &["agency", "unfreeze", "075"][..],
            &GROUNDS,
            &["--concurring", "auditor3.json"],
        ]
        .concat(),
    );
    assert_eq!(lifted["frozen"], false);
    assert_eq!(
        env.json("admin", &["agency", "show", "075"])["frozen"],
        false
    );

    // The admin plants a fourth auditor; any auditor in office vetoes it, and it stays out for 30 days.
    let planted = env.keypair("planted");
    let with_planted = [
        first.as_str(),
        second.as_str(),
        third.as_str(),
        planted.as_str(),
    ];
    env.json(
        "admin",
        &[
            &["ledger", "set-auditors"][..],
            &with_planted,
            &["--propose"],
        ]
        .concat(),
    );
    let vetoed = env.json(
        "auditor3",
        &[&["change", "veto", "ledger", "auditors"][..], &GROUNDS].concat(),
    );
    assert_eq!(vetoed["vetoed"], true);
    let listed = env.json("admin", &["change", "list"]);
    assert!(
        listed.to_string().contains("vetoed by"),
        "change list names the veto: {listed}"
    );
    env.json("admin", &["clock", "advance", "7d"]);
    env.refused(
        "admin",
        &["ledger", "apply-auditors"],
        "vetoed the proposed auditor list: it cannot apply",
    );
    env.refused(
        "admin",
        &[
            &["ledger", "set-auditors"][..],
            &with_planted,
            &["--propose"],
        ]
        .concat(),
        "vetoed the change about auditors of the ledger on",
    );
    env.refused(
        "planted",
        &[&["agency", "freeze", "075"][..], &GROUNDS].concat(),
        "NotAuditor",
    );
}
