//! The SDK client: typed queries with layout-derived filters, and retries that never pay twice (the retries
//! of single payments run on both chains in localnet/tests/rpc/both_chains.rs).

use std::sync::atomic::Ordering;

use public_spending::state::{Agency, ApprovalPolicy, AwardStatus, PaymentStatus};
use public_spending_sdk::{
    client::Submitted,
    fetch::AccountSource,
    operations::AuditorSigners,
    pda,
    query::{AgencyQuery, AwardQuery, MemberQuery, PaymentQuery},
    Client,
};
use public_spending_tests::*;
use solana_sdk::signature::{Keypair, Signer};

async fn setup() -> (World, AgencyFixture, AwardFixture) {
    let mut world = World::new().await;
    let agency = world.agency("075").await;
    world
        .set_policy(
            &agency,
            ApprovalPolicy {
                threshold: 1_000 * UNIT,
                approvals_required: 2,
                time_lock_seconds: 0,
                fast_path_daily_cap: 10_000 * UNIT,
            },
        )
        .await;
    let award = world.award(&agency, b"VENDOR000001", 10_000 * UNIT).await;
    (world, agency, award)
}

/// The fast path writes no account, so a replay is refused by the award's index, and a retry whose index was
/// taken by another payment is reported as refused, never as landed and never paid.
#[tokio::test]
async fn a_replayed_fast_path_payment_is_refused_as_stale_and_changes_nothing() {
    let (mut world, agency, award) = setup().await;
    let builder = world.pay_small_ix(&agency, &award, 300 * UNIT).await;
    world
        .send(&[builder.instruction()], &[&agency.executor])
        .await
        .unwrap();
    assert!(
        world
            .chain
            .get_account(&builder.payment())
            .await
            .unwrap()
            .is_none(),
        "the fast path creates no account"
    );
    let watched = [agency.agency, agency.treasury, award.keys.award];
    world
        .expect_refused(
            &[builder.instruction()],
            &[&agency.executor],
            public_spending::error::LedgerError::StalePaymentIndex,
            &watched,
        )
        .await;
    // Another payment takes the index between the read and the send: the client reports the refusal.
    let other = world.pay_small_ix(&agency, &award, 10 * UNIT).await;
    let mut mine = world.pay_small_ix(&agency, &award, 20 * UNIT).await;
    let client = Client::new(&world.chain).with_retry(NO_WAIT);
    client
        .send(&[other.instruction()], &[&agency.executor])
        .await
        .unwrap();
    let err = client
        .submit(&[mine.instruction()], &[&agency.executor], || async {
            Ok(false)
        })
        .await
        .unwrap_err();
    assert_eq!(
        err.ledger_error().map(u32::from),
        Some(u32::from(
            public_spending::error::LedgerError::StalePaymentIndex
        ))
    );
    mine.index += 1;
    client
        .send(&[mine.instruction()], &[&agency.executor])
        .await
        .unwrap();
    assert_eq!(world.get::<Agency>(&agency.agency).await.outlay_count, 3);
}

#[tokio::test]
async fn a_retried_batch_whose_first_attempt_landed_pays_once() {
    let (mut world, agency, award) = setup().await;
    world.open_payout_account(&agency, &award).await;
    let client = flaky_client(&world.chain, Fault::LostResponse);
    let schedule = [
        (
            award.keys.award,
            100 * UNIT,
            payment_args(UNIT).invoice_hash,
        ),
        (
            award.keys.award,
            200 * UNIT,
            payment_args(UNIT).invoice_hash,
        ),
    ];
    let sent = client
        .pay_batch(&agency.agency, &schedule, &agency.executor, &[])
        .await
        .unwrap();
    assert_eq!(sent.len(), 1);
    assert!(matches!(sent[0].1, Submitted::AlreadyLanded));
    assert_eq!(client.backend().landed.load(Ordering::SeqCst), 1);
    assert_eq!(world.balance(&agency.treasury).await, 9_700 * UNIT);
    assert_eq!(world.get::<Agency>(&agency.agency).await.outlay_count, 2);
}

#[tokio::test]
async fn program_refusals_are_not_retried() {
    let (world, agency, award) = setup().await;
    let client = flaky_client(&world.chain, Fault::Dropped);
    // The first send is dropped, the retry reaches the program, which refuses: no third attempt.
    let err = client
        .pay_small(
            &award.keys.award,
            payment_args(1_000 * UNIT),
            Keypair::new().pubkey(),
            &agency.executor,
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.ledger_error().map(u32::from),
        Some(u32::from(
            public_spending::error::LedgerError::AboveFastPathThreshold
        ))
    );
    assert_eq!(client.backend().sends.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn queries_filter_on_the_node_side_by_agency_recipient_and_status() {
    let (mut world, agency, award) = setup().await;
    let other = world.agency("076").await;
    let other_award = world.award(&other, b"VENDOR000002", 500 * UNIT).await;
    let request = world.request_ix(&agency, &award, 2_000 * UNIT).await;
    world
        .send(&[request.instruction()], &[&agency.requester])
        .await
        .unwrap();
    let client = Client::new(&world.chain);

    assert_eq!(client.list(&AgencyQuery).await.unwrap().len(), 2);
    assert_eq!(
        client
            .list(&MemberQuery {
                agency: Some(agency.agency)
            })
            .await
            .unwrap()
            .len(),
        7
    );
    let awards = client
        .list(&AwardQuery {
            agency: Some(other.agency),
            ..AwardQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(
        awards.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
        vec![other_award.keys.award]
    );
    let by_recipient = client
        .list(&AwardQuery {
            recipient: Some(award.keys.recipient),
            ..AwardQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(by_recipient.len(), 1);
    assert!(client
        .list(&AwardQuery {
            status: Some(AwardStatus::Closed),
            ..AwardQuery::default()
        })
        .await
        .unwrap()
        .is_empty());
    let requested = client
        .list(&PaymentQuery {
            status: Some(PaymentStatus::Requested),
            ..PaymentQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(
        requested.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
        vec![request.payment()]
    );
    assert!(client
        .list(&PaymentQuery {
            award: Some(other_award.keys.award),
            ..PaymentQuery::default()
        })
        .await
        .unwrap()
        .is_empty());
}

/// Simulations and new slots never wait on each other forever. The runtime deadlocks when it makes a slot's
/// bank while a simulation loads programs (seen as a hung server), so the embedded chain takes turns between
/// them. Each runs here on its own thread, many times over; a hang fails the test instead of stalling it.
#[test]
fn simulations_and_new_slots_take_turns() {
    use std::{sync::Arc, time::Duration};

    use solana_sdk::transaction::{Transaction, VersionedTransaction};

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (world, payment) = runtime.block_on(async {
        let (world, agency, award) = setup().await;
        let ix = world
            .pay_small_ix(&agency, &award, UNIT)
            .await
            .instruction();
        let blockhash = world.chain.banks().get_latest_blockhash().await.unwrap();
        let payment = Transaction::new_signed_with_payer(
            &[ix],
            Some(&agency.executor.pubkey()),
            &[&agency.executor],
            blockhash,
        );
        (world, VersionedTransaction::from(payment))
    });
    let world = Arc::new(world);
    let (done, finished) = std::sync::mpsc::channel();
    let simulating = {
        let (world, done, handle) = (world.clone(), done.clone(), runtime.handle().clone());
        move || {
            let simulated = handle.block_on(async {
                for _ in 0..1_000 {
                    // The blockhash expires along the way; a simulation answers either way.
                    let result = world.chain.simulate(payment.clone()).await?;
                    assert!(result.result.is_some(), "{result:?}");
                }
                Ok::<_, public_spending_sdk::SdkError>(())
            });
            let _ = done.send(simulated.map(|()| "simulations"));
        }
    };
    let moving_on = {
        let (world, done, handle) = (world.clone(), done, runtime.handle().clone());
        move || {
            let moved = handle.block_on(async {
                for _ in 0..200 {
                    world.chain.next_slot().await?;
                }
                Ok::<_, public_spending_sdk::SdkError>(())
            });
            let _ = done.send(moved.map(|()| "new slots"));
        }
    };
    std::thread::spawn(simulating);
    std::thread::spawn(moving_on);
    for _ in 0..2 {
        match finished.recv_timeout(Duration::from_secs(120)) {
            Ok(result) => {
                result.unwrap();
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                // The stuck threads cannot be joined: leave them, and the runtime, behind.
                runtime.shutdown_background();
                panic!("a simulation and a new slot hung each other");
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                panic!("a simulating or slot-moving thread failed")
            }
        }
    }
}

/// The reason an operation gave for refusing before it sent anything (a test failure for anything else).
fn refused_in_words<T: std::fmt::Debug>(
    result: Result<T, public_spending_sdk::SdkError>,
) -> String {
    match result {
        Err(public_spending_sdk::SdkError::Refused(why)) => why,
        other => panic!("not refused before sending: {other:?}"),
    }
}

/// The operations say what is wrong before anything is sent: a payment number the award never gave, a payment
/// already final and archived, an approver or executor without the role; each leaves the chain as it was. The
/// legitimate path (two approvals, execution, archive) goes through the same operations.
#[tokio::test]
async fn operations_refuse_in_words_before_sending_and_then_pay() {
    use public_spending_sdk::builders::PaymentDecision;
    let (mut world, agency, award) = setup().await;
    let request = world.request_ix(&agency, &award, 2_000 * UNIT).await;
    world
        .send(&[request.instruction()], &[&agency.requester])
        .await
        .unwrap();
    let watched = [
        agency.agency,
        agency.treasury,
        award.keys.award,
        request.payment(),
    ];
    let before = world.snapshot(&watched).await;
    let client = Client::new(&world.chain);
    assert_eq!(
        refused_in_words(
            client
                .payment_in_flight("075", "AWD-VENDOR000001", 7)
                .await
                .map(drop)
        ),
        "award AWD-VENDOR000001 of agency 075 has no payment 7: its payments are numbered 0 to 0"
    );
    let payment = client
        .payment_in_flight("075", "AWD-VENDOR000001", 0)
        .await
        .unwrap();
    assert_eq!(payment.payment.amount, 2_000 * UNIT);
    // The requester also holds no APPROVE role: that is said first; an approver approving is the path.
    assert_eq!(
        refused_in_words(
            client
                .decide_payment(&payment, PaymentDecision::Approve, &agency.requester)
                .await
                .map(drop)
        ),
        format!(
            "{} lacks the approve role in agency 075",
            agency.requester.pubkey()
        )
    );
    assert_eq!(
        refused_in_words(
            client
                .execute_payment(&payment, &agency.approvers[0])
                .await
                .map(drop)
        ),
        format!(
            "{} lacks the execute role in agency 075",
            agency.approvers[0].pubkey()
        )
    );
    assert_eq!(
        world.snapshot(&watched).await,
        before,
        "a refusal sent nothing"
    );

    for approver in &agency.approvers {
        client
            .decide_payment(&payment, PaymentDecision::Approve, approver)
            .await
            .unwrap();
    }
    let payment = client
        .payment_in_flight("075", "AWD-VENDOR000001", 0)
        .await
        .unwrap();
    let (payout, _) = client
        .execute_payment(&payment, &agency.executor)
        .await
        .unwrap();
    assert_eq!(payout.payout_wallet, award.payout_wallet);
    assert_eq!(
        world
            .balance(&world.payout(&award).recipient_token_account())
            .await,
        2_000 * UNIT
    );
    let payment = client
        .payment_in_flight("075", "AWD-VENDOR000001", 0)
        .await
        .unwrap();
    client
        .archive_payment(&payment, &agency.executor)
        .await
        .unwrap();
    assert_eq!(
        refused_in_words(client.payment_in_flight("075", "AWD-VENDOR000001", 0).await.map(drop)),
        "payment 0 of award AWD-VENDOR000001 is final and no longer on chain (its record is in the events and the index): only a payment in flight can be acted on"
    );
}

/// The award operations: an unknown award and a signer without the OBLIGATE role are refused in words with
/// nothing sent; the obligor increases the award, an auditor holds and releases it, and the obligor closes it
/// once settled.
#[tokio::test]
async fn award_operations_refuse_in_words_and_then_modify_hold_and_close() {
    use public_spending::instructions::AwardChange;
    let (world, agency, award) = setup().await;
    let client = Client::new(&world.chain);
    let before = world.snapshot(&[award.keys.award]).await;
    assert_eq!(
        refused_in_words(
            client
                .close_award("075", "NO-SUCH-AWARD", &agency.obligor)
                .await
                .map(drop)
        ),
        "unknown award \"NO-SUCH-AWARD\" in this agency"
    );
    assert_eq!(
        refused_in_words(
            client
                .modify_award(
                    "075",
                    "AWD-VENDOR000001",
                    AwardChange::Increase { amount: UNIT },
                    [1; 32],
                    &agency.executor
                )
                .await
                .map(drop)
        ),
        format!(
            "{} lacks the obligate role in agency 075",
            agency.executor.pubkey()
        )
    );
    assert_eq!(
        world.snapshot(&[award.keys.award]).await,
        before,
        "a refusal sent nothing"
    );

    client
        .modify_award(
            "075",
            "AWD-VENDOR000001",
            AwardChange::Increase { amount: UNIT },
            [1; 32],
            &agency.obligor,
        )
        .await
        .unwrap();
    let (_, modified) = client.award_by_id("075", "AWD-VENDOR000001").await.unwrap();
    assert_eq!(modified.obligated, 10_000 * UNIT + UNIT);
    for held in [true, false] {
        client
            .set_award_held(
                "075",
                "AWD-VENDOR000001",
                held,
                grounds(),
                AuditorSigners::alone(&world.auditor),
            )
            .await
            .unwrap();
        let (_, state) = client.award_by_id("075", "AWD-VENDOR000001").await.unwrap();
        assert_eq!(state.held, held);
    }
    client
        .modify_award(
            "075",
            "AWD-VENDOR000001",
            AwardChange::Deobligate {
                amount: 10_000 * UNIT + UNIT,
            },
            [2; 32],
            &agency.obligor,
        )
        .await
        .unwrap();
    client
        .close_award("075", "AWD-VENDOR000001", &agency.obligor)
        .await
        .unwrap();
    let (_, closed) = client.award_by_id("075", "AWD-VENDOR000001").await.unwrap();
    assert_eq!(closed.status, AwardStatus::Closed);
}

/// The flag operations: anyone raises (a second flag on the same target takes the next nonce), someone outside
/// the agency answering is refused in words with nothing sent, the head answers, an auditor rules, the flag is
/// closed and its rent goes back to the flagger; a closed flag is then named as gone.
#[tokio::test]
async fn flag_operations_raise_answer_rule_and_close() {
    use public_spending::state::{FlagReason, FlagStatus, FlagTarget};
    let (mut world, agency, award) = setup().await;
    let citizen = world.funded().await;
    let client = Client::new(&world.chain);
    let raise = || {
        client.raise_flag(
            award.keys.award,
            FlagTarget::Award,
            None,
            FlagReason::Price,
            [3; 32],
            &citizen,
        )
    };
    let (first, _) = raise().await.unwrap();
    let (second, _) = raise().await.unwrap();
    assert_eq!(first, pda::flag(&award.keys.award, &citizen.pubkey(), 0).0);
    assert_eq!(second, pda::flag(&award.keys.award, &citizen.pubkey(), 1).0);

    let before = world.snapshot(&[first]).await;
    assert_eq!(
        refused_in_words(client.respond_to_flag(&first, [4; 32], &citizen).await),
            format!(
                "{} is not an active member of agency 075: only the flagged agency's head or members answer a flag",
                citizen.pubkey()
            )
    );
    assert_eq!(
        world.snapshot(&[first]).await,
        before,
        "a refusal sent nothing"
    );
    client
        .respond_to_flag(&first, [4; 32], &agency.head)
        .await
        .unwrap();
    client
        .resolve_flag(&first, FlagStatus::Dismissed, [5; 32], &world.auditor)
        .await
        .unwrap();
    let (flagger, _) = client.close_flag(&first, &citizen).await.unwrap();
    assert_eq!(flagger, citizen.pubkey());
    let gone = refused_in_words(client.flag(&first).await);
    assert!(gone.starts_with(&format!("no flag at {first}")), "{gone}");
}

/// The recipient operations: a UEI the agency already has is refused in words with nothing sent; an auditor
/// debars a UEI and reinstates it.
#[tokio::test]
async fn recipient_operations_refuse_a_second_record_and_exclude() {
    use public_spending::{
        instructions::RegisterRecipientArgs,
        state::{ExclusionStatus, RecipientKind},
    };
    let (world, agency, award) = setup().await;
    let client = Client::new(&world.chain);
    let args = RegisterRecipientArgs {
        uei: award.uei,
        kind: RecipientKind::Business,
        name: "Another name".into(),
        name_hash: [0; 32],
        payout_wallet: Keypair::new().pubkey(),
    };
    let before = world.snapshot(&[award.keys.recipient]).await;
    assert_eq!(
        refused_in_words(client.register_recipient("075", args, &agency.obligor).await),
            "agency 075 has already registered UEI VENDOR000001: each agency records a UEI once (change its wallet with propose-wallet)"
    );
    assert_eq!(world.snapshot(&[award.keys.recipient]).await, before);
    for status in [ExclusionStatus::Debarred, ExclusionStatus::Lifted] {
        let (exclusion, _) = client
            .set_exclusion(
                award.uei,
                status,
                grounds(),
                AuditorSigners::alone(&world.auditor),
            )
            .await
            .unwrap();
        let state: public_spending::state::Exclusion = world.get(&exclusion).await;
        assert_eq!(state.status, status);
    }
}
