//! The watchdog over a small ledger on the embedded chain: indexing (resumable, never twice), verification
//! (clean, and pinpointing every kind of tampering), lookups, and the exports against their specifications.
//! Every test of the index runs twice, on SQLite and on a real PostgreSQL server (`on_both_databases!`).

use anchor_lang::AccountSerialize;
use public_spending::state::{ApprovalPolicy, ExclusionList, ExclusionStatus};
use public_spending_sdk::SdkError;
use public_spending_tests::{postgres::TestDatabase, Fault, Flaky, World, DECIMALS, UNIT};
use public_spending_watchdog::{
    audit, export, index, lookup,
    verify::{self, Mismatch},
    Location, Store,
};

/// The audit as it was when it held every payment in memory: the oracle the SQL checks are compared with.
#[path = "support/reference_audit.rs"]
mod reference_audit;

/// The database a test's index lives in.
#[derive(Clone, Copy, Debug)]
enum Db {
    Sqlite,
    Postgres,
}

/// A new, empty place for an index, and what keeps it: the SQLite file's folder, or the PostgreSQL database
/// (dropped with every connection to it when the test ends).
struct Fresh {
    location: Location,
    _keep: Keep,
}

enum Keep {
    Folder(#[allow(dead_code)] tempfile::TempDir),
    Database(#[allow(dead_code)] TestDatabase),
}

impl Db {
    fn fresh(self) -> Fresh {
        match self {
            Db::Sqlite => {
                let folder = tempfile::tempdir().unwrap();
                Fresh {
                    location: Location::Sqlite(folder.path().join("index.sqlite")),
                    _keep: Keep::Folder(folder),
                }
            }
            Db::Postgres => {
                let database = public_spending_tests::postgres::database()
                    .expect("a PostgreSQL server (checked before the test)");
                Fresh {
                    location: Location::Postgres(database.url.clone()),
                    _keep: Keep::Database(database),
                }
            }
        }
    }

    /// A new, empty index.
    fn open(self) -> Indexed {
        let fresh = self.fresh();
        Indexed {
            store: Store::open(&fresh.location).unwrap(),
            _fresh: fresh,
        }
    }
}

/// An open index, and what keeps its database (dropped after the store).
struct Indexed {
    store: Store,
    _fresh: Fresh,
}

impl std::ops::Deref for Indexed {
    type Target = Store;

    fn deref(&self) -> &Store {
        &self.store
    }
}

impl std::ops::DerefMut for Indexed {
    fn deref_mut(&mut self) -> &mut Store {
        &mut self.store
    }
}

/// Each test, as `sqlite::name` and `postgres::name`: the same test on each database.
macro_rules! on_both_databases {
    ($($(#[$attr:meta])* $test:ident),* $(,)?) => {
        mod sqlite {
            $($(#[$attr])* async fn $test() {
                super::$test(super::Db::Sqlite).await
            })*
        }
        mod postgres {
            $($(#[$attr])* async fn $test() {
                if public_spending_tests::postgres::available() {
                    super::$test(super::Db::Postgres).await
                }
            })*
        }
    };
}

on_both_databases!(
    #[tokio::test]
    index_reads_every_payment_once_and_reruns_fetch_nothing,
    #[tokio::test]
    an_index_run_cut_short_resumes_without_duplicating_a_row,
    #[tokio::test]
    verify_is_clean_on_an_honest_index,
    #[tokio::test]
    verify_names_an_exclusion_list_that_differs_from_the_exclusions_in_force,
    #[tokio::test]
    verify_pinpoints_every_kind_of_tampering,
    #[tokio::test]
    documents_and_histories_are_found_after_archive,
    #[tokio::test]
    the_usaspending_files_have_the_daims_columns_and_the_totals,
    #[tokio::test]
    the_ocds_package_is_valid_against_the_schema,
    #[tokio::test]
    ocdskit_compiles_one_record_per_award_with_every_payment,
    #[tokio::test]
    the_audit_is_quiet_on_an_ordinary_ledger,
    #[tokio::test]
    a_flag_raised_again_at_a_reused_address_is_listed_by_the_audit,
    #[tokio::test]
    the_usaspending_files_pass_the_broker_rules_and_each_rule_can_fail,
    #[tokio::test(flavor = "multi_thread")]
    the_audit_finds_exactly_the_red_flags_the_fiscal_year_planted,
    #[tokio::test]
    a_second_loosening_of_one_policy_is_a_second_alert_and_a_restarted_watch_repeats_none,
    #[tokio::test]
    verify_says_how_far_behind_the_chain_an_index_is,
    #[tokio::test]
    the_sql_audit_finds_what_the_in_memory_audit_found_on_a_synthetic_ledger,
    #[tokio::test]
    the_watch_reports_after_each_transaction_what_the_whole_audit_adds,
    #[tokio::test]
    an_index_of_schema_1_is_migrated_and_audits_the_same,
);

/// A ledger with one agency, one award and `payments` fast-path payments of 10, 11, 12, ... units.
async fn ledger(payments: u64) -> (World, Vec<u64>) {
    let mut world = World::new().await;
    let agency = world.agency("075").await;
    world
        .set_policy(
            &agency,
            ApprovalPolicy {
                threshold: 1_000 * UNIT,
                approvals_required: 1,
                time_lock_seconds: 0,
                fast_path_daily_cap: 1_000_000 * UNIT,
            },
        )
        .await;
    let award = world.award(&agency, b"ABCDEF123456", 100_000 * UNIT).await;
    let mut amounts = Vec::new();
    for n in 0..payments {
        let amount = (10 + n) * UNIT;
        let ix = world
            .pay_small_ix(&agency, &award, amount)
            .await
            .instruction();
        world.send(&[ix], &[&agency.executor]).await.expect("pay");
        amounts.push(amount);
    }
    (world, amounts)
}

async fn indexed(world: &World, db: Db) -> Indexed {
    let mut store = db.open();
    index::index(&world.chain, &mut store, |_| {})
        .await
        .unwrap();
    store
}

async fn index_reads_every_payment_once_and_reruns_fetch_nothing(db: Db) {
    let (world, amounts) = ledger(5).await;
    let mut store = db.open();
    let first = index::index(&world.chain, &mut store, |_| {})
        .await
        .unwrap();
    assert_eq!(first.payments, 5);
    assert!(first.accounts >= 6, "{first:?}");
    let paid: Vec<u64> = store
        .payments()
        .unwrap()
        .iter()
        .map(|p| p.record.amount)
        .collect();
    assert_eq!(paid, amounts);
    let again = index::index(&world.chain, &mut store, |_| {})
        .await
        .unwrap();
    assert_eq!(
        (again.transactions, again.events, again.payments),
        (0, 0, 0)
    );
    // The treasury's funding was read from its own history.
    assert_eq!(store.funding().unwrap()[0].1, 100_000 * UNIT);
}

async fn an_index_run_cut_short_resumes_without_duplicating_a_row(db: Db) {
    let (world, _) = ledger(12).await;
    let complete = indexed(&world, db).await;
    let fresh = db.fresh();
    for left in [0, 4, 7, 13] {
        let mut store = Store::open(&fresh.location).unwrap();
        let flaky = Flaky::new(&world.chain, Fault::HistoryGoesAway { after: left });
        let cut = index::index_in_batches(&flaky, &mut store, 3, |_| {}).await;
        assert!(matches!(
            cut,
            Err(public_spending_watchdog::WatchdogError::Sdk(
                SdkError::Transport(_)
            ))
        ));
        // Whole batches only: every indexed transaction has all of its events.
        let events = store
            .query_opt(
                "SELECT count(*) FROM transactions t WHERE t.err IS NULL AND NOT EXISTS
                    (SELECT 1 FROM events e WHERE e.signature = t.signature)
                 AND t.id IN (SELECT tx FROM payments)",
                &[],
                |row| row.int(0),
            )
            .unwrap();
        assert_eq!(events, Some(0));
        // The first run is a bulk load: its audit indexes are built only at its end, which it did not reach.
        assert!(!store.audit_indexes_present().unwrap());
    }
    let mut store = Store::open(&fresh.location).unwrap();
    index::index_in_batches(&world.chain, &mut store, 3, |_| {})
        .await
        .unwrap();
    assert!(store.audit_indexes_present().unwrap());
    assert!(complete.audit_indexes_present().unwrap());
    assert_eq!(
        audit::audit(&store, &audit::AuditOptions::default()).unwrap(),
        audit::audit(&complete, &audit::AuditOptions::default()).unwrap()
    );
    for table in ["transactions", "events", "payments", "funding"] {
        assert_eq!(
            store.count(table).unwrap(),
            complete.count(table).unwrap(),
            "{table}"
        );
    }
    assert_eq!(store.payments().unwrap(), complete.payments().unwrap());
    let report = verify::verify(&world.chain, &store).await.unwrap();
    assert!(report.is_clean(), "{:?}", report.mismatches);
}

async fn verify_is_clean_on_an_honest_index(db: Db) {
    let (world, _) = ledger(4).await;
    let store = indexed(&world, db).await;
    let report = verify::verify(&world.chain, &store).await.unwrap();
    assert!(report.is_clean(), "{:?}", report.mismatches);
    assert_eq!(report.chains.len(), 1);
    assert!(report.chains[0].verified && report.chains[0].payments == 4);
    assert_eq!(
        report.chains[0].replayed_head,
        report.chains[0].on_chain_head
    );
    // award, allotment, appropriation and agency, obligated and outlayed; the treasury; the exclusion list.
    assert_eq!(report.totals_checked, 4 * 2 + 1 + 1);
}

/// Payments made after the index last ran are not tampering: verify counts the transactions the index has not
/// read (each once, though a payment names both the program and the treasury), and is clean once re-indexed.
async fn verify_says_how_far_behind_the_chain_an_index_is(db: Db) {
    let mut world = World::new().await;
    let agency = world.fast_path_agency("075").await;
    let award = world.award(&agency, b"ABCDEF123456", 100_000 * UNIT).await;
    let mut store = indexed(&world, db).await;
    assert_eq!(
        verify::verify(&world.chain, &store).await.unwrap().behind,
        0
    );
    for amount in [10 * UNIT, 11 * UNIT] {
        let ix = world
            .pay_small_ix(&agency, &award, amount)
            .await
            .instruction();
        world.send(&[ix], &[&agency.executor]).await.expect("pay");
    }
    let report = verify::verify(&world.chain, &store).await.unwrap();
    assert_eq!(report.behind, 2);
    assert!(!report.is_clean());
    index::index(&world.chain, &mut store, |_| {})
        .await
        .unwrap();
    let report = verify::verify(&world.chain, &store).await.unwrap();
    assert_eq!(report.behind, 0);
    assert!(report.is_clean(), "{:?}", report.mismatches);
}

/// The exclusion list `pay_batch` checks is compared with the exclusion accounts: a UEI in force missing from
/// it, or no list at all, is named with both sides.
async fn verify_names_an_exclusion_list_that_differs_from_the_exclusions_in_force(db: Db) {
    let (mut world, _) = ledger(1).await;
    let auditor = world.auditor.insecure_clone();
    for (uei, status) in [
        (*b"DEBARRED0001", ExclusionStatus::Debarred),
        (*b"LIFTED000001", ExclusionStatus::Suspended),
        (*b"LIFTED000001", ExclusionStatus::Lifted),
        (*b"SUSPENDED001", ExclusionStatus::Suspended),
    ] {
        let ix = world.exclusion_ix(&uei, status);
        world.send(&[ix], &[&auditor]).await.unwrap();
    }
    let store = indexed(&world, db).await;
    let report = verify::verify(&world.chain, &store).await.unwrap();
    assert!(report.is_clean(), "{:?}", report.mismatches);

    let list = public_spending_sdk::pda::exclusion_list();
    let mut account = world.snapshot(&[list]).await.remove(0).unwrap();
    let forged = ExclusionList {
        version: 1,
        bump: 255,
        ueis: vec![*b"SUSPENDED001"],
    };
    account.data.clear();
    forged.try_serialize(&mut account.data).unwrap();
    let check = "exclusion list (the UEIs whose exclusion is in force)";
    for (what, account, found) in [
        ("a UEI missing", Some(account), "[SUSPENDED001]"),
        ("no list", None, "no exclusion list account"),
    ] {
        world
            .chain
            .set_account(&list, account.unwrap_or_default())
            .unwrap();
        let report = verify::verify(&world.chain, &store).await.unwrap();
        let named: Vec<(&str, &str, &str, &str, &str)> = report
            .mismatches
            .iter()
            .map(|m| {
                let (agency, check) = (m.agency.as_str(), m.check.as_str());
                (
                    agency,
                    check,
                    m.subject.as_str(),
                    m.expected.as_str(),
                    m.found.as_str(),
                )
            })
            .collect();
        assert_eq!(
            named,
            [(
                "ledger",
                check,
                list.to_string().as_str(),
                "[DEBARRED0001, SUSPENDED001]",
                found
            )],
            "{what}"
        );
    }
}

/// The signature of the payment with `sequence` in the index.
fn signature_of(store: &Store, sequence: i64) -> String {
    store
        .query_opt(
            "SELECT t.signature FROM payments p JOIN transactions t ON t.id = p.tx WHERE p.sequence = $1",
            &[sequence.into()],
            |row| row.text(0),
        )
        .unwrap()
        .unwrap()
}

/// A chain-replay mismatch as (check, sequence, signature).
type ChainFinding = (String, Option<u64>, Option<String>);

/// What verify must name for a tampering, given the tampered index.
type Expectation = Box<dyn Fn(&Store) -> Vec<ChainFinding>>;

/// A way to tamper with the index.
type Tampering = Box<dyn Fn(&Store)>;

/// The chain-replay mismatches of a report.
fn chain_findings(mismatches: &[Mismatch]) -> Vec<ChainFinding> {
    mismatches
        .iter()
        .filter(|m| m.sequence.is_some())
        .map(|m| (m.check.clone(), m.sequence, m.signature.clone()))
        .collect()
}

/// Adds one base unit to the amount inside the canonical record of the payment at `sequence` (the amount is
/// the little-endian u64 at bytes 140..148 of the record).
fn tamper_amount(store: &Store, sequence: i64) {
    let mut record = store
        .query_opt(
            "SELECT record FROM payments WHERE sequence = $1",
            &[sequence.into()],
            |row| Ok(row.bytes(0)?.to_vec()),
        )
        .unwrap()
        .unwrap();
    record[140] = record[140].wrapping_add(1);
    store
        .execute(
            "UPDATE payments SET record = $1 WHERE sequence = $2",
            &[record.into(), sequence.into()],
        )
        .unwrap();
}

async fn verify_pinpoints_every_kind_of_tampering(db: Db) {
    let (world, _) = ledger(5).await;
    let altered = "record altered (its fold differs from the hash it carried)";
    let out_of_place = "record out of place (it names another agency or sequence)";
    let sql = |statement: &'static str| -> Tampering {
        Box::new(move |s: &Store| s.execute_script(statement).unwrap())
    };
    // Each case: how the index is tampered with, and what verify must name.
    let cases: [(&str, Tampering, Expectation); 6] = [
        (
            "a tampered amount",
            Box::new(|s: &Store| tamper_amount(s, 2)),
            Box::new(move |s: &Store| vec![(altered.into(), Some(2), Some(signature_of(s, 2)))]),
        ),
        (
            "an amount altered in the audit's column only",
            sql("UPDATE payments SET amount = amount + 1 WHERE sequence = 4"),
            Box::new(|s: &Store| {
                vec![(
                    "record columns altered (the audit's columns differ from the record)".into(),
                    Some(4),
                    Some(signature_of(s, 4)),
                )]
            }),
        ),
        (
            "a payment row pointed at another transaction's signature",
            sql("UPDATE payments SET signature = (SELECT signature FROM payments WHERE sequence = 0)
                 WHERE sequence = 1"),
            Box::new(|s: &Store| {
                vec![(
                    "payment row names another transaction (its signature column differs)".into(),
                    Some(1),
                    Some(signature_of(s, 1)),
                )]
            }),
        ),
        (
            "a missing event",
            sql("DELETE FROM payments WHERE sequence = 2"),
            Box::new(|s: &Store| {
                vec![
                    ("missing event(s)".into(), Some(3), Some(signature_of(s, 3))),
                    ("previous hash".into(), Some(3), Some(signature_of(s, 3))),
                ]
            }),
        ),
        (
            "two events reordered",
            sql("UPDATE payments SET sequence = CASE sequence WHEN 1 THEN 2 ELSE 1 END WHERE sequence IN (1, 2)"),
            Box::new(move |s: &Store| {
                // After the swap, the row now at sequence 1 is the old second payment...
                vec![
                    ("previous hash".into(), Some(1), Some(signature_of(s, 1))),
                    (out_of_place.into(), Some(1), Some(signature_of(s, 1))),
                    ("previous hash".into(), Some(2), Some(signature_of(s, 2))),
                    (out_of_place.into(), Some(2), Some(signature_of(s, 2))),
                    // ...and the next payment no longer follows the one before it.
                    ("previous hash".into(), Some(3), Some(signature_of(s, 3))),
                ]
            }),
        ),
        (
            "an extra event",
            sql("INSERT INTO transactions (signature, slot, block_time, err, run, discovered)
                    VALUES ('forged', 0, 0, NULL, 1, 0);
                 INSERT INTO payments (tx, ordinal, agency, sequence, record, fast_path, executor, previous_hash,
                    outlay_hash, signature, award, recipient, amount, invoice_hash, executed_at, payment_index)
                 SELECT (SELECT id FROM transactions WHERE signature = 'forged'), ordinal, agency, sequence, record,
                    fast_path, executor, previous_hash, outlay_hash, 'forged', award, recipient, amount,
                    invoice_hash, executed_at, payment_index
                 FROM payments WHERE sequence = 3"),
            Box::new(|_: &Store| {
                vec![("extra event (a sequence seen before)".into(), Some(3), Some("forged".into()))]
            }),
        ),
    ];
    for (what, tamper, expected) in cases {
        let store = indexed(&world, db).await;
        tamper(&store);
        let report = verify::verify(&world.chain, &store).await.unwrap();
        assert!(!report.is_clean(), "{what} went unnoticed");
        assert!(!report.chains[0].verified, "{what}");
        assert_eq!(
            chain_findings(&report.mismatches),
            expected(&store),
            "{what}"
        );
        assert!(
            report.mismatches.iter().all(|m| m.agency == "075"),
            "{what}"
        );
    }

    // A tampered amount also breaks the totals it feeds, each named with both values.
    let store = indexed(&world, db).await;
    tamper_amount(&store, 2);
    let report = verify::verify(&world.chain, &store).await.unwrap();
    let totals: Vec<(&str, &str, &str)> = report
        .mismatches
        .iter()
        .filter(|m| m.sequence.is_none())
        .map(|m| (m.check.as_str(), m.expected.as_str(), m.found.as_str()))
        .collect();
    let outlayed = (10 + 11 + 12 + 13 + 14) * UNIT;
    // In token units, as the accounts hold them: 60.000000 and 60.000001.
    let units = |units: u64| public_spending_sdk::amount::format_amount(units, DECIMALS);
    let (expected, found) = (units(outlayed), units(outlayed + 1));
    for level in [
        "award outlayed",
        "allotment outlayed",
        "appropriation outlayed",
        "agency outlayed",
    ] {
        assert!(
            totals.contains(&(level, expected.as_str(), found.as_str())),
            "{level}: {totals:?}"
        );
    }
    assert!(totals
        .iter()
        .any(|(check, _, _)| check.starts_with("treasury balance")));
}

async fn documents_and_histories_are_found_after_archive(db: Db) {
    let (world, amounts) = ledger(3).await;
    let store = indexed(&world, db).await;
    let award = public_spending_sdk::pda::award(
        &public_spending_sdk::pda::agency("075").0,
        "AWD-ABCDEF123456",
    )
    .0;
    let history = lookup::award_history(&store, &award).unwrap();
    assert_eq!(history.len(), 3);
    assert!(history
        .iter()
        .all(|p| p.status == "executed" && p.fast_path));
    assert_eq!(
        history.iter().map(|p| p.amount).collect::<Vec<_>>(),
        amounts
    );
    // The fixture's award document hash.
    let obligated = lookup::document(&store, &[7; 32]).unwrap();
    assert!(
        obligated
            .iter()
            .any(|m| m.recorded_as == "award document" && m.award == award),
        "{obligated:?}"
    );
    let invoice = store.payments().unwrap()[1].record.invoice_hash;
    let paid = lookup::document(&store, &invoice).unwrap();
    assert_eq!(paid.len(), 1);
    assert_eq!(
        (paid[0].payment_index, paid[0].recorded_as.as_str()),
        (Some(1), "invoice of an executed payment")
    );
    assert!(lookup::document(&store, &[9; 32]).unwrap().is_empty());
}

async fn the_usaspending_files_have_the_daims_columns_and_the_totals(db: Db) {
    let (world, _) = ledger(3).await;
    let store = indexed(&world, db).await;
    let dir = tempfile::tempdir().unwrap();
    let written = export::usaspending(&store, dir.path()).unwrap();
    assert_eq!(
        written
            .files
            .iter()
            .map(|(_, rows)| *rows)
            .collect::<Vec<_>>(),
        vec![1, 1, 1]
    );
    let read = |file: &str| {
        let mut reader = csv::Reader::from_path(dir.path().join(file)).unwrap();
        let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        let rows: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect();
        (header, rows)
    };
    let (a, a_rows) = read(export::FILE_A);
    assert_eq!(a, export::FILE_A_COLUMNS);
    let column = |header: &[String], name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(a_rows[0][column(&a, "AgencyIdentifier")], "075");
    assert_eq!(a_rows[0][column(&a, "MainAccountCode")], "0100");
    assert_eq!(
        a_rows[0][column(&a, "GrossOutlayAmountByTAS_CPE")],
        "33.000000"
    );
    assert_eq!(
        a_rows[0][column(&a, "ObligationsIncurredTotalByTAS_CPE")],
        "100000.000000"
    );
    let (b, _) = read(export::FILE_B);
    assert_eq!(b, export::FILE_B_COLUMNS);
    let (c, c_rows) = read(export::FILE_C);
    assert_eq!(c, export::FILE_C_COLUMNS);
    assert_eq!(c_rows[0][column(&c, "PIID")], "AWD-ABCDEF123456");
    // Obligations carry the USSGL credit sign in Files B and C; every row has a DEFC.
    assert_eq!(
        c_rows[0][column(&c, "TransactionObligatedAmount")],
        "-100000.000000"
    );
    assert_eq!(c_rows[0][column(&c, "DisasterEmergencyFundCode")], "Q");
    assert_eq!(
        c_rows[0][column(&c, "GrossOutlayAmountByAward_CPE")],
        "33.000000"
    );
}

/// The OCDS 1.1.5 schemas shipped beside the repository, for offline validation.
fn ocds_validator() -> jsonschema::Validator {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/ocds-1.1.5");
    let load = |name: &str| -> serde_json::Value {
        let text = std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (shared/ must stand beside the repository)",
                dir.join(name).display()
            )
        });
        serde_json::from_str(&text).unwrap()
    };
    let release = load("release-schema.json");
    let package = load("release-package-schema.json");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .with_resource(
            "https://standard.open-contracting.org/schema/1__1__5/release-schema.json",
            jsonschema::Resource::from_contents(release).unwrap(),
        )
        .build(&package)
        .unwrap()
}

async fn the_ocds_package_is_valid_against_the_schema(db: Db) {
    let (world, amounts) = ledger(3).await;
    let store = indexed(&world, db).await;
    let options = export::OcdsOptions {
        ocid_prefix: "ocds-a1b2c3".into(),
    };
    let package = export::ocds(&store, 1_790_812_800, &options).unwrap();
    let validator = ocds_validator();
    let errors: Vec<String> = validator
        .iter_errors(&package)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // One release per change: the award's obligation, then each payment as an implementation release.
    let releases = package["releases"].as_array().unwrap();
    assert_eq!(releases.len(), 1 + amounts.len());
    assert!(releases
        .iter()
        .all(|r| r["ocid"] == "ocds-a1b2c3-075-AWD-ABCDEF123456"));
    assert_eq!(releases[0]["tag"], serde_json::json!(["award", "contract"]));
    assert_eq!(releases[0]["awards"][0]["id"], "AWD-ABCDEF123456");
    for (release, amount) in releases[1..].iter().zip(&amounts) {
        assert_eq!(release["tag"], serde_json::json!(["implementation"]));
        let transactions = release["contracts"][0]["implementation"]["transactions"]
            .as_array()
            .unwrap();
        assert_eq!(transactions.len(), 1);
        assert_eq!(
            transactions[0]["value"]["amount"],
            serde_json::json!(*amount as f64 / UNIT as f64)
        );
    }
    // A package that breaks the schema is refused: the validation is real.
    let mut broken = package.clone();
    broken["releases"][0]["tag"] = serde_json::json!(["paid"]);
    assert!(!validator.is_valid(&broken));
}

/// `ocdskit compile` (the Open Contracting Partnership's own tool) merges the releases into one record per award
/// whose contract lists every payment.
async fn ocdskit_compiles_one_record_per_award_with_every_payment(db: Db) {
    let test = "ocdskit_compiles_one_record_per_award_with_every_payment";
    let Some(ocdskit) =
        public_spending_tests::external_program("ocdskit", test, "pip install ocdskit")
    else {
        return;
    };
    let (world, amounts) = ledger(4).await;
    let store = indexed(&world, db).await;
    let package = export::ocds(&store, 1_790_812_800, &export::OcdsOptions::default()).unwrap();
    let records = compile(&ocdskit, &package);
    assert_eq!(records.len(), 1, "{records:?}");
    let compiled = &records[0]["compiledRelease"];
    let transactions = compiled["contracts"][0]["implementation"]["transactions"]
        .as_array()
        .unwrap();
    assert_eq!(transactions.len(), amounts.len());
    assert_eq!(compiled["awards"][0]["id"], "AWD-ABCDEF123456");
    assert_eq!(
        records[0]["releases"].as_array().unwrap().len(),
        1 + amounts.len()
    );
}

/// The records `ocdskit compile --package` makes of `package`, against the release schema beside the
/// repository (no network).
fn compile(ocdskit: &std::path::Path, package: &serde_json::Value) -> Vec<serde_json::Value> {
    use std::io::Write;
    let schema = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data/ocds-1.1.5/release-schema.json");
    let mut child = std::process::Command::new(ocdskit)
        .args(["compile", "--package", "--schema"])
        .arg(&schema)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(package.to_string().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "ocdskit compile: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let record_package: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    record_package["records"].as_array().unwrap().clone()
}

async fn the_audit_is_quiet_on_an_ordinary_ledger(db: Db) {
    let (world, _) = ledger(3).await;
    let store = indexed(&world, db).await;
    let report = audit::audit(&store, &audit::AuditOptions::default()).unwrap();
    assert_eq!(report.payments_examined, 3);
    // Three payments of 10 to 12 units within minutes, far below the 1,000 threshold: nothing to flag except
    // that the vendor was paid the day it was registered, by an agency paying the day its notice ended.
    let checks: Vec<&str> = report.findings.iter().map(|f| f.check).collect();
    assert_eq!(
        checks,
        vec![audit::NEW_RECIPIENTS.id, audit::NEW_AGENCY_PAYING.id]
    );
}

#[test]
fn an_index_of_another_version_or_kind_is_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let newer = dir.path().join("newer.sqlite");
    Store::open(&newer)
        .unwrap()
        .set_meta("schema_version", "99")
        .unwrap();
    let refused = Store::open(&newer).err().unwrap().to_string();
    assert_eq!(
        refused,
        format!(
            "index database {}: has schema version 99, newer than this pubspend reads (2): upgrade pubspend",
            newer.display()
        )
    );
    let other = dir.path().join("other.sqlite");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE recipes (name TEXT)")
        .unwrap();
    let bytes = std::fs::read(&other).unwrap();
    let refused = Store::open(&other).err().unwrap().to_string();
    assert!(
        refused.ends_with(
            "is a database of something else (it has tables, but no pubspend meta table)"
        ),
        "{refused}"
    );
    // Refused as it was: not switched to WAL (it used to be, before the check), not a byte changed.
    assert_eq!(std::fs::read(&other).unwrap(), bytes);
    let mode: String = rusqlite::Connection::open(&other)
        .unwrap()
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .unwrap();
    assert_eq!(mode, "delete");
    assert!(Store::open_existing(&other).is_err());
    assert_eq!(std::fs::read(&other).unwrap(), bytes);
    let garbage = dir.path().join("garbage.sqlite");
    std::fs::write(
        &garbage,
        b"this is not a database at all, not even close to one",
    )
    .unwrap();
    let refused = Store::open(&garbage).err().unwrap().to_string();
    assert!(refused.contains("is not an SQLite database"), "{refused}");
    // The current version opens again, as it was.
    let current = dir.path().join("current.sqlite");
    Store::open(&current)
        .unwrap()
        .set_meta("note", "kept")
        .unwrap();
    assert_eq!(
        Store::open(&current)
            .unwrap()
            .meta("note")
            .unwrap()
            .as_deref(),
        Some("kept")
    );
}

/// A flag dismissed and closed, then raised again by the same flagger on the same award with the same nonce,
/// takes the same address: the new flag is its own record, open, and the audit lists it, from a fresh index and
/// from one that had indexed the first flag's whole life.
async fn a_flag_raised_again_at_a_reused_address_is_listed_by_the_audit(db: Db) {
    use public_spending::state::{FlagReason, FlagStatus, FlagTarget};
    use public_spending_sdk::builders;
    use solana_sdk::signer::Signer;

    let mut world = World::new().await;
    let agency = world.agency("075").await;
    let award = world.award(&agency, b"FLAGVENDOR01", 1_000 * UNIT).await;
    let citizen = world.funded().await;
    let raise = builders::RaiseFlag {
        target: award.keys.award,
        payment_award: None,
        target_kind: FlagTarget::Award,
        flagger: citizen.pubkey(),
        nonce: 7,
        reason: FlagReason::Price,
        evidence_hash: [0xee; 32],
        payment_index: None,
    };
    let flag = raise.flag();
    let auditor = world.auditor.insecure_clone();
    world
        .send(&[raise.instruction()], &[&citizen])
        .await
        .unwrap();
    let dismiss = builders::ResolveFlag {
        flag,
        auditor: auditor.pubkey(),
        outcome: FlagStatus::Dismissed,
        note_hash: [0xbb; 32],
    };
    world
        .send(&[dismiss.instruction()], &[&auditor])
        .await
        .unwrap();
    let close = builders::CloseFlag {
        flag,
        flagger: citizen.pubkey(),
    };
    world
        .send(&[close.instruction()], &[&citizen])
        .await
        .unwrap();
    let mut incremental = indexed(&world, db).await;
    let public_flags = |store: &Store| {
        audit::audit(store, &audit::AuditOptions::default())
            .unwrap()
            .findings_of(audit::PUBLIC_FLAGS.id)
            .cloned()
            .collect::<Vec<_>>()
    };
    assert!(public_flags(&incremental).is_empty());

    let again = world
        .send(&[raise.instruction()], &[&citizen])
        .await
        .unwrap();
    index::index(&world.chain, &mut incremental, |_| {})
        .await
        .unwrap();
    let fresh = indexed(&world, db).await;
    for store in [&incremental, &fresh] {
        let found = public_flags(store);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].subject, "AWD-FLAGVENDOR01");
        assert!(found[0]
            .summary
            .ends_with("open, no answer from the agency"));
        assert_eq!(found[0].records, vec![again.signature.to_string()]);
    }
}

/// The exports pass the DATA Act broker's rules (A18, A19, B20, C23, DEFC) and this project's own (one name per
/// program activity, TAS order); each rule fails on files that break it.
async fn the_usaspending_files_pass_the_broker_rules_and_each_rule_can_fail(db: Db) {
    use public_spending_watchdog::broker;
    let (world, _) = ledger(3).await;
    let store = indexed(&world, db).await;
    let dir = tempfile::tempdir().unwrap();
    export::usaspending(&store, dir.path()).unwrap();
    let awards = export::award_obligations(&store).unwrap();
    let results = broker::check(dir.path(), &awards).unwrap();
    let rules: Vec<&str> = results.iter().map(|r| r.rule).collect();
    assert_eq!(
        rules,
        ["A18", "A19", "B20", "C23", "DEFC", "PA-NAME", "TAS-ORDER"]
    );
    for result in &results {
        assert!(result.passed(), "{}: {:?}", result.rule, result.failures);
    }

    // Each rule against a file that breaks it: the file rewritten with one cell changed.
    let rewrite = |file: &str, column: &str, value: &str| {
        let tampered = tempfile::tempdir().unwrap();
        for name in [export::FILE_A, export::FILE_B, export::FILE_C] {
            std::fs::copy(dir.path().join(name), tampered.path().join(name)).unwrap();
        }
        let mut reader = csv::Reader::from_path(dir.path().join(file)).unwrap();
        let header = reader.headers().unwrap().clone();
        let at = header.iter().position(|h| h == column).unwrap();
        let mut writer = csv::Writer::from_path(tampered.path().join(file)).unwrap();
        writer.write_record(&header).unwrap();
        for record in reader.records() {
            let mut row: Vec<String> = record.unwrap().iter().map(String::from).collect();
            row[at] = value.to_string();
            writer.write_record(&row).unwrap();
        }
        writer.flush().unwrap();
        tampered
    };
    for (file, column, value, rule) in [
        (
            export::FILE_B,
            "GrossOutlayAmountByProgramObjectClass_CPE",
            "1.000000",
            "A18",
        ),
        // The sign File B used to carry: positive obligations fail A19 on every row.
        (
            export::FILE_B,
            "ObligationsIncurredByProgramObjectClass_CPE",
            "100000.000000",
            "A19",
        ),
        (export::FILE_C, "ObjectClass", "999", "B20"),
        (
            export::FILE_C,
            "TransactionObligatedAmount",
            "100000.000000",
            "C23",
        ),
        (export::FILE_B, "DisasterEmergencyFundCode", "", "DEFC"),
        (
            export::FILE_C,
            "ProgramActivityName",
            "Allotment 0",
            "PA-NAME",
        ),
    ] {
        let tampered = rewrite(file, column, value);
        let results = broker::check(tampered.path(), &awards).unwrap();
        let failed: Vec<&str> = results
            .iter()
            .filter(|r| !r.passed())
            .map(|r| r.rule)
            .collect();
        assert!(failed.contains(&rule), "{column}={value}: {failed:?}");
    }
    assert_eq!(broker::millionths("-1250.5"), Some(-1_250_500_000));
    assert_eq!(broker::millionths("0.0000001"), None);
    assert_eq!(broker::millionths("12a"), None);
}

/// The demo's fiscal year, played in process: the audit finds exactly the red flags it planted (check, agency
/// and subject), each with the records behind it, and the year plants one of each kind the audit checks.
async fn the_audit_finds_exactly_the_red_flags_the_fiscal_year_planted(db: Db) {
    use public_spending_scenario::fiscal_year::{self, RedFlag};
    let year = fiscal_year::play(fiscal_year::Options::default(), &|_| {})
        .await
        .expect("the fiscal year plays");
    let mut store = db.open();
    index::index(&year.chain, &mut store, |_| {}).await.unwrap();
    assert!(verify::verify(&year.chain, &store)
        .await
        .unwrap()
        .is_clean());
    let report = audit::audit(&store, &audit::AuditOptions::default()).unwrap();
    assert_eq!(
        report,
        reference_audit::audit(&store, &audit::AuditOptions::default()).unwrap(),
        "the SQL checks find what the in-memory audit found, in the same order"
    );

    let mut planted: Vec<(String, String, String)> = year
        .planted
        .iter()
        .map(|p| (p.check.id().into(), p.agency.into(), p.subject.clone()))
        .collect();
    let mut found: Vec<(String, String, String)> = report
        .findings
        .iter()
        .map(|f| (f.check.into(), f.agency.clone(), f.subject.clone()))
        .collect();
    planted.sort();
    found.sort();
    assert_eq!(found, planted);
    assert!(report.findings.iter().all(|f| !f.records.is_empty()));
    let kinds: Vec<&str> = RedFlag::ALL.iter().map(|k| k.id()).collect();
    let checks: Vec<&str> = audit::CHECKS.iter().map(|c| c.id).collect();
    assert_eq!(
        kinds, checks,
        "one kind of planted red flag per audit check"
    );
    for kind in RedFlag::ALL {
        assert!(
            year.planted.iter().any(|p| p.check == kind),
            "{kind} is never planted"
        );
    }
}

/// On PostgreSQL, as on SQLite: a database of a newer schema or of something else is refused, with the reason and
/// unchanged, a reader will not read an empty database, and a server that is not there is named.
#[test]
fn a_postgresql_index_of_another_version_or_kind_is_refused_with_a_reason() {
    let Some(newer) = public_spending_tests::postgres::database() else {
        return;
    };
    let newer = Location::Postgres(newer.url.clone());
    Store::open(&newer)
        .unwrap()
        .set_meta("schema_version", "99")
        .unwrap();
    assert_eq!(
        Store::open(&newer).err().unwrap().to_string(),
        format!("index database {newer}: has schema version 99, newer than this pubspend reads (2): upgrade pubspend")
    );

    let other = public_spending_tests::postgres::database().unwrap();
    let other = Location::Postgres(other.url.clone());
    let empty = Store::open_existing(&other).err().unwrap().to_string();
    assert_eq!(
        empty,
        format!("index database {other}: is empty: nothing has been indexed into it; run `pubspend index --db {other}` first")
    );
    // Still empty: the refused reader created nothing. A table of something else makes it foreign.
    let store = Store::open(&other).unwrap();
    store
        .execute_script("DROP TABLE meta, transactions, events, payments, funding, accounts, cursors; CREATE TABLE recipes (name TEXT)")
        .unwrap();
    drop(store);
    let refused = Store::open(&other).err().unwrap().to_string();
    assert!(
        refused.ends_with(
            "is a database of something else (it has tables, but no pubspend meta table)"
        ),
        "{refused}"
    );
    assert!(Store::open_existing(&other).is_err());

    let nowhere =
        Location::Postgres("postgresql://postgres@%2Fnonexistent-socket-dir/pubspend".into());
    let refused = Store::open(&nowhere).err().unwrap().to_string();
    assert!(
        refused.starts_with("index database postgresql://postgres@%2Fnonexistent-socket-dir/pubspend: cannot connect: "),
        "{refused}"
    );
}

/// A reader of a PostgreSQL index reads one snapshot from its first query to its last, while an indexer commits
/// beside it; a reader opened afterwards sees what was committed.
#[tokio::test]
async fn a_postgresql_reader_reads_one_snapshot_while_the_indexer_writes() {
    if !public_spending_tests::postgres::available() {
        return;
    }
    let (world, _) = ledger(3).await;
    let mut writer = indexed(&world, Db::Postgres).await;
    let location = writer._fresh.location.clone();
    let reader = Store::open_existing(&location).unwrap();
    let before = reader.payments().unwrap();
    assert_eq!(before.len(), 3);

    // The indexer commits a fourth payment (a copy of the third under another transaction).
    let batch = writer.batch().unwrap();
    batch.transaction("another", 999, Some(1), None, 2).unwrap();
    batch.commit().unwrap();
    writer
        .execute(
            "INSERT INTO payments SELECT (SELECT id FROM transactions WHERE signature = $1), ordinal, agency,
                sequence + 1, record, fast_path, executor, previous_hash, outlay_hash FROM payments WHERE sequence = 2",
            &["another".into()],
        )
        .unwrap();
    assert_eq!(writer.count("payments").unwrap(), 4);

    // The open reader still reads three payments and the transactions they came from, never a mixture.
    assert_eq!(reader.payments().unwrap(), before);
    assert_eq!(reader.count("payments").unwrap(), 3);
    assert_eq!(
        reader.count("transactions").unwrap(),
        writer.count("transactions").unwrap() - 1
    );
    // And cannot write: a reader's snapshot is read-only.
    assert!(reader.set_meta("note", "x").is_err());
    drop(reader);
    assert_eq!(
        Store::open_existing(&location)
            .unwrap()
            .payments()
            .unwrap()
            .len(),
        4
    );
}

/// The watch reports a finding once per event it rests on: the time lock cut twice is two alerts (the second used
/// to be dropped as a repeat of the first, both being "policy" of agency 075), and a watch started again with
/// what was reported reports nothing new.
async fn a_second_loosening_of_one_policy_is_a_second_alert_and_a_restarted_watch_repeats_none(
    db: Db,
) {
    use public_spending::state::ControlChange;
    let mut world = World::new().await;
    let agency = world.agency("075").await;
    let policy = |time_lock_seconds| ApprovalPolicy {
        threshold: 1_000 * UNIT,
        approvals_required: 1,
        time_lock_seconds,
        fast_path_daily_cap: 1_000_000 * UNIT,
    };
    world.set_policy(&agency, policy(86_400)).await;
    world.award(&agency, b"ABCDEF123456", 100_000 * UNIT).await;
    let mut store = db.open();
    let mut reported: Vec<String> = Vec::new();
    let first = watch_step(&world, &mut store, &reported).await;
    reported.extend(first.iter().map(|a| a.finding.id.clone()));
    let loosened = |alerts: &[public_spending_watchdog::watch::Alert]| -> Vec<(String, String)> {
        alerts
            .iter()
            .filter(|a| a.finding.check == audit::CONTROLS_LOOSENED.id)
            .map(|a| (a.finding.subject.clone(), a.finding.records[0].clone()))
            .collect()
    };
    assert_eq!(loosened(&first), vec![]);

    for (hours, time_lock) in [(24, 7_200), (2, 3_600)] {
        let applied = world
            .loosen(
                &agency,
                ControlChange::Policy {
                    policy: policy(time_lock),
                },
            )
            .await;
        let alerts = watch_step(&world, &mut store, &reported).await;
        assert_eq!(
            loosened(&alerts),
            vec![("policy".to_string(), applied.signature.to_string())],
            "the time lock cut from {hours} h to {} s is one new alert",
            time_lock
        );
        reported.extend(alerts.iter().map(|a| a.finding.id.clone()));
    }
    let ids: std::collections::BTreeSet<&String> = reported.iter().collect();
    assert_eq!(ids.len(), reported.len(), "every alert has its own id");

    // A watch restarted with the alerts reported so far finds nothing new.
    assert_eq!(watch_step(&world, &mut store, &reported).await, vec![]);
}

/// One step of a watch that has reported `already`: what it reports now.
async fn watch_step(
    world: &World,
    store: &mut Store,
    already: &[String],
) -> Vec<public_spending_watchdog::watch::Alert> {
    use public_spending_watchdog::watch::{Watch, WatchOptions};
    let mut watch = Watch::new(
        &world.chain,
        store,
        WatchOptions::default(),
        already.to_vec(),
    );
    watch.step(0).await.unwrap()
}

/// Writes the synthetic ledger's payments `from..to` into `store`, `per_batch` transactions per batch (the
/// accounts with the first batch).
fn write_synthetic(store: &mut Store, from: u64, to: u64, per_batch: u64, heads: &mut [[u8; 32]]) {
    use public_spending_tests::synthetic;
    if from == 0 {
        store
            .claim_ledger(&public_spending_sdk::pda::ledger().0, "synthetic")
            .unwrap();
        let batch = store.batch().unwrap();
        batch.accounts(&synthetic::accounts(to)).unwrap();
        batch.commit().unwrap();
    }
    let mut n = from;
    while n < to {
        let end = (n + per_batch).min(to);
        let batch = store.batch().unwrap();
        for t in synthetic::payments(n, end, heads) {
            batch
                .transaction(&t.signature, t.slot, Some(t.block_time), None, 1)
                .unwrap();
            batch.event(&t.signature, 0, &t.event, &t.data).unwrap();
        }
        batch.commit().unwrap();
        n = end;
    }
}

/// How many findings of each check a report holds.
fn per_check(report: &audit::AuditReport) -> std::collections::BTreeMap<&'static str, usize> {
    let mut counts = std::collections::BTreeMap::new();
    for f in &report.findings {
        *counts.entry(f.check).or_default() += 1;
    }
    counts
}

/// The synthetic ledger of the benches, at 20,000 payments: the SQL checks find exactly the findings of the
/// in-memory audit, in the same order, and the ledger plants five kinds of them.
async fn the_sql_audit_finds_what_the_in_memory_audit_found_on_a_synthetic_ledger(db: Db) {
    let mut store = db.open();
    let mut heads = vec![[0u8; 32]; 4];
    write_synthetic(&mut store, 0, 20_000, 500, &mut heads);
    let options = audit::AuditOptions::default();
    let report = audit::audit(&store, &options).unwrap();
    assert_eq!(report, reference_audit::audit(&store, &options).unwrap());
    assert_eq!(report.payments_examined, 20_000);
    // A reader (on PostgreSQL, two connections on one snapshot) finds the same, in the same order.
    let reader = Store::open_existing(&store._fresh.location).unwrap();
    assert_eq!(audit::audit(&reader, &options).unwrap(), report);
    let counts = per_check(&report);
    assert_eq!(
        counts.keys().copied().collect::<Vec<_>>(),
        vec![
            audit::DUPLICATE_INVOICES.id,
            audit::NEW_RECIPIENTS.id,
            audit::OUTSIDE_PERIOD.id,
            audit::SPLIT_PAYMENTS.id,
            audit::SPLIT_WALLETS.id,
        ],
        "{counts:?}"
    );
    // 20 repeated invoices (payments 999, 1999, ... 19999), recipient 2, award 1's first day (15 payments).
    assert_eq!(counts[audit::DUPLICATE_INVOICES.id], 20);
    assert_eq!(counts[audit::NEW_RECIPIENTS.id], 1);
    assert_eq!(counts[audit::OUTSIDE_PERIOD.id], 15);
    assert_eq!(counts[audit::SPLIT_WALLETS.id], 1);
}

/// The watch's audit after each new transaction (a rerun of what the transaction can change) reports exactly
/// what a whole audit would add to what was reported before, transaction after transaction and batch after
/// batch, on the synthetic ledger.
async fn the_watch_reports_after_each_transaction_what_the_whole_audit_adds(db: Db) {
    use public_spending_watchdog::watch::Alerts;
    let mut store = db.open();
    let mut heads = vec![[0u8; 32]; 4];
    let options = audit::AuditOptions::default();
    write_synthetic(&mut store, 0, 2_000, 500, &mut heads);
    let mut alerts = Alerts::new(options, Vec::<String>::new());
    let mut reported: std::collections::BTreeSet<String> = alerts
        .after_index(&store, 0)
        .unwrap()
        .into_iter()
        .map(|a| a.finding.id)
        .collect();
    assert!(!reported.is_empty());
    let mut n = 2_000;
    // One transaction at a time, then batches of several.
    for per_batch in [1, 1, 1, 1, 1, 1, 1, 1, 7, 30, 97, 1, 250] {
        write_synthetic(&mut store, n, n + per_batch, per_batch, &mut heads);
        n += per_batch;
        let whole: std::collections::BTreeSet<String> = audit::audit(&store, &options)
            .unwrap()
            .findings
            .into_iter()
            .map(|f| f.id)
            .collect();
        let expected: Vec<&String> = whole.difference(&reported).collect();
        let mut new: Vec<String> = alerts
            .after_index(&store, 0)
            .unwrap()
            .into_iter()
            .map(|a| a.finding.id)
            .collect();
        new.sort();
        assert_eq!(
            new.iter().collect::<Vec<_>>(),
            expected,
            "after payment {n} (a batch of {per_batch})"
        );
        reported.extend(new);
    }
    assert!(
        reported.len() > 40
            && reported
                .iter()
                .any(|id| id.starts_with(audit::SPLIT_PAYMENTS.id)),
        "{reported:?}"
    );
}

/// An index written by schema 1 (no record columns) is migrated when it is opened: the columns are filled from
/// each record, and the audit finds what it found before.
async fn an_index_of_schema_1_is_migrated_and_audits_the_same(db: Db) {
    let mut store = db.open();
    let mut heads = vec![[0u8; 32]; 4];
    write_synthetic(&mut store, 0, 3_000, 1_000, &mut heads);
    let options = audit::AuditOptions::default();
    let before = audit::audit(&store, &options).unwrap();
    store
        .execute_script(
            "DROP INDEX payments_by_award; DROP INDEX payments_by_invoice; DROP INDEX payments_by_recipient;
             DROP INDEX payments_by_time;
             ALTER TABLE payments DROP COLUMN award; ALTER TABLE payments DROP COLUMN recipient;
             ALTER TABLE payments DROP COLUMN amount; ALTER TABLE payments DROP COLUMN invoice_hash;
             ALTER TABLE payments DROP COLUMN executed_at; ALTER TABLE payments DROP COLUMN payment_index;
             ALTER TABLE payments DROP COLUMN signature;
             UPDATE meta SET value = '1' WHERE key = 'schema_version'",
        )
        .unwrap();
    let location = store._fresh.location.clone();
    drop(store.store);
    let store = Store::open_existing(&location).unwrap();
    assert_eq!(store.meta("schema_version").unwrap().as_deref(), Some("2"));
    let filled = store
        .query_opt(
            "SELECT count(*) FROM payments p JOIN transactions t ON t.id = p.tx
             WHERE p.award IS NOT NULL AND p.executed_at IS NOT NULL AND p.signature = t.signature",
            &[],
            |row| row.int(0),
        )
        .unwrap();
    assert_eq!(filled, Some(3_000));
    assert_eq!(audit::audit(&store, &options).unwrap(), before);
}
