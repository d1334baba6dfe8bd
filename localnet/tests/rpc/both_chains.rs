//! One suite, two chains: each scenario is written once over the fixtures' `World<C: Chain>` and runs on the
//! embedded chain in process and on the same program served over JSON-RPC by `pubspend serve` (through the
//! SDK's RpcBackend, its history read back with `getSignaturesForAddress` and `getTransaction`). A scenario
//! that passes on one and fails on the other is a defect of the server.

use std::sync::atomic::Ordering;

use public_spending::{
    error::LedgerError,
    state::{Agency, ApprovalPolicy, Award, Payment},
};
use public_spending_localnet::{Localnet, LocalnetConfig};
use public_spending_sdk::{
    builders::{self, PaymentDecision},
    client::Submitted,
    history::SignatureInfo,
    pda, Client, LedgerEvent, RpcBackend,
};
use public_spending_tests::*;
use solana_sdk::signature::{Keypair, Signer};

const POLICY: ApprovalPolicy = ApprovalPolicy {
    threshold: 1_000 * UNIT,
    approvals_required: 2,
    time_lock_seconds: 0,
    fast_path_daily_cap: 5_000 * UNIT,
};

/// Runs each named scenario twice: `embedded` in process, and `served` over JSON-RPC by a server started on
/// free ports in a temporary folder.
macro_rules! on_both_chains {
    ($($scenario:ident),* $(,)?) => {$(
        mod $scenario {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn embedded() {
                super::$scenario(super::World::new().await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn served() {
                let dir = tempfile::tempdir().unwrap();
                let running = super::Localnet::start(super::LocalnetConfig {
                    rpc_port: 0,
                    ..super::LocalnetConfig::new(dir.path().join("chain.json"))
                })
                .await
                .unwrap();
                let backend = super::funded_backend(running.rpc_url()).await;
                super::$scenario(super::World::on(backend).await).await;
                running.shutdown().await.unwrap();
            }
        }
    )*};
}

on_both_chains!(
    the_payment_path_pays_once_and_reads_back,
    retries_never_pay_twice,
    refusals_change_nothing,
);

/// The SDK's RPC backend, paying with a keypair funded by `requestAirdrop`.
async fn funded_backend(url: String) -> RpcBackend {
    let payer = Keypair::new();
    let backend = RpcBackend::new(url, payer.insecure_clone());
    Chain::airdrop(&backend, &payer.pubkey(), 1_000_000_000_000)
        .await
        .unwrap();
    backend
}

/// An agency with its policy and a funded award of 10,000.
async fn agency_with_award<C: Chain>(world: &mut World<C>) -> (AgencyFixture, AwardFixture) {
    let agency = world.agency("075").await;
    world.set_policy(&agency, POLICY).await;
    let award = world.award(&agency, b"VENDOR000001", 10_000 * UNIT).await;
    (agency, award)
}

/// The approval path (request, two approvals, execute), the fast path through the SDK client, and archive;
/// events, balances, totals and the award's paged history read back the same on either chain.
async fn the_payment_path_pays_once_and_reads_back<C: Chain>(mut world: World<C>) {
    let (agency, award) = agency_with_award(&mut world).await;
    let (index, executed) = world
        .pay_through_approval(&agency, &award, 2_500 * UNIT)
        .await;
    let payment = pda::payment(&award.keys.award, index).0;
    assert!(matches!(
        &executed.events[..],
        [LedgerEvent::PaymentExecuted(e)] if e.payment == payment && e.record.amount == 2_500 * UNIT
    ));

    let receipt = Client::new(&world.chain)
        .pay_small(
            &award.keys.award,
            payment_args(400 * UNIT),
            Keypair::new().pubkey(),
            &agency.executor,
        )
        .await
        .unwrap();
    assert!(matches!(receipt.submitted, Submitted::Landed(_)));
    let archive = builders::ArchivePayment {
        award: award.keys.award,
        payment,
        rent_payer: agency.requester.pubkey(),
    }
    .instruction();
    let archived = world.send(&[archive], &[]).await.unwrap();
    assert!(
        matches!(&archived.events[..], [LedgerEvent::PaymentArchived(e)] if e.payment == payment)
    );
    assert_eq!(world.snapshot(&[payment]).await, vec![None], "nothing left");

    let paid_to = world.payout(&award).recipient_token_account();
    assert_eq!(world.balance(&paid_to).await, 2_900 * UNIT);
    assert_eq!(world.balance(&agency.treasury).await, 7_100 * UNIT);
    let stored: Award = world.get(&award.keys.award).await;
    assert_eq!((stored.outlayed, stored.payment_count), (2_900 * UNIT, 2));

    // The award's history, newest first, paged with `before` and cut with `until` as the watchdog reads it.
    let history = &world.chain;
    let all = history
        .signatures_for_address(&award.keys.award, None, None, 1000)
        .await
        .unwrap();
    let signatures = |list: &[SignatureInfo]| list.iter().map(|s| s.signature).collect::<Vec<_>>();
    assert_eq!(
        signatures(&all[..3]),
        vec![
            archived.signature,
            receipt.submitted.outcome().unwrap().signature,
            executed.signature
        ],
        "newest first"
    );
    let mut paged = Vec::new();
    let mut before = None;
    loop {
        let page = history
            .signatures_for_address(&award.keys.award, before, None, 2)
            .await
            .unwrap();
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 2);
        before = page.last().map(|s| s.signature);
        paged.extend(page);
    }
    assert_eq!(signatures(&paged), signatures(&all), "pages join up");
    let until = history
        .signatures_for_address(&award.keys.award, None, Some(all[3].signature), 1000)
        .await
        .unwrap();
    assert_eq!(signatures(&until), signatures(&all[..3]));
    let landed = history
        .transaction(&executed.signature)
        .await
        .unwrap()
        .expect("the executed payment is in the history");
    assert_eq!(landed.events(), executed.events);
}

/// A lost response or a dropped send is retried without paying twice: (fault, sends asked for, how it ended,
/// the treasury after, the agency's outlay count after), one fast-path payment of 400 each.
const RETRIES: [(Fault, u32, bool, u64, u64); 2] = [
    // The first attempt landed but its response was lost: found in the history, not sent again.
    (Fault::LostResponse, 1, false, 9_600 * UNIT, 1),
    // The first send never reached the chain: sent again, and lands once.
    (Fault::Dropped, 2, true, 9_200 * UNIT, 2),
];

async fn retries_never_pay_twice<C: Chain>(mut world: World<C>) {
    let (agency, award) = agency_with_award(&mut world).await;
    for (fault, sends, landed_now, treasury, outlays) in RETRIES {
        let client = flaky_client(&world.chain, fault);
        let receipt = client
            .pay_small(
                &award.keys.award,
                payment_args(400 * UNIT),
                Keypair::new().pubkey(),
                &agency.executor,
            )
            .await
            .unwrap();
        assert_eq!(
            matches!(receipt.submitted, Submitted::Landed(_)),
            landed_now,
            "{fault:?}"
        );
        assert_eq!(
            client.backend().sends.load(Ordering::SeqCst),
            sends,
            "{fault:?}"
        );
        assert_eq!(
            client.backend().landed.load(Ordering::SeqCst),
            1,
            "{fault:?}"
        );
        assert_eq!(world.balance(&agency.treasury).await, treasury, "{fault:?}");
        let agency_state: Agency = world.get(&agency.agency).await;
        assert_eq!(agency_state.outlay_count, outlays, "{fault:?}");
    }
    let paid_to = world.payout(&award).recipient_token_account();
    assert_eq!(world.balance(&paid_to).await, 800 * UNIT);

    // A request whose response is lost is recognised from the award's state, and not sent again.
    let client = flaky_client(&world.chain, Fault::LostResponse);
    let requested = client
        .request_payment(
            &award.keys.award,
            payment_args(2_000 * UNIT),
            Keypair::new().pubkey(),
            &agency.requester,
        )
        .await
        .unwrap();
    assert!(matches!(requested.submitted, Submitted::AlreadyLanded));
    assert_eq!(client.backend().sends.load(Ordering::SeqCst), 1);
    let stored: Award = world.get(&award.keys.award).await;
    assert_eq!(
        (stored.outlayed, stored.payment_count, stored.in_flight),
        (800 * UNIT, 3, 2_000 * UNIT)
    );
    let payment: Payment = world.get(&requested.payment).await;
    assert_eq!((payment.index, payment.amount), (2, 2_000 * UNIT));
}

/// The program's refusals come back with their own code on either chain, and change nothing: a fast-path
/// payment above the threshold, an approver approving twice, and an execution short of its approvals.
async fn refusals_change_nothing<C: Chain>(mut world: World<C>) {
    let (agency, award) = agency_with_award(&mut world).await;
    let watched = [agency.agency, agency.treasury, award.keys.award];
    let above = world.pay_small_ix(&agency, &award, 1_000 * UNIT + 1).await;
    world
        .expect_refused(
            &[above.instruction()],
            &[&agency.executor],
            LedgerError::AboveFastPathThreshold,
            &watched,
        )
        .await;

    let request = world.request_ix(&agency, &award, 2_000 * UNIT).await;
    world
        .send(&[request.instruction()], &[&agency.requester])
        .await
        .unwrap();
    let payment = pda::payment(&award.keys.award, request.index).0;
    let watched = [agency.treasury, award.keys.award, payment];
    let approver = &agency.approvers[0];
    let approve = world.decide_ix(
        &agency,
        &award,
        request.index,
        approver,
        PaymentDecision::Approve,
    );
    world
        .send(std::slice::from_ref(&approve), &[approver])
        .await
        .unwrap();
    world
        .expect_refused(
            &[approve],
            &[approver],
            LedgerError::AlreadyApproved,
            &watched,
        )
        .await;
    let execute = world.execute_ix(&agency, &award, request.index);
    world
        .expect_refused(
            &[execute],
            &[&agency.executor],
            LedgerError::InsufficientApprovals,
            &watched,
        )
        .await;
}
