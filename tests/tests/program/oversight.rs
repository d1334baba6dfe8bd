use anchor_lang::prelude::Pubkey;
use public_spending::{
    error::LedgerError,
    state::{Agency, RecipientStatus},
};
use public_spending_sdk::{
    builders::{self, PaymentDecision},
    pda,
};
use public_spending_tests::*;
use solana_sdk::signature::Signer;

/// A ledger with agency 075, an award, and a payment of 50 units requested on it (index 0).
async fn requested_payment() -> (World, AgencyFixture, AwardFixture, Pubkey) {
    let mut world = World::new().await;
    let fixture = world.agency("075").await;
    let award = world.award(&fixture, b"VENDOR000001", 100 * UNIT).await;
    let builder = world.request_ix(&fixture, &award, 50 * UNIT).await;
    world
        .send(&[builder.instruction()], &[&fixture.requester])
        .await
        .unwrap();
    let payment = builder.payment();
    (world, fixture, award, payment)
}

#[tokio::test]
async fn only_auditors_freeze_hold_and_debar() {
    let (mut world, fixture, award, payment) = requested_payment().await;
    let head = fixture.head.insecure_clone();

    let freeze = builders::SetAgencyFrozen {
        agency: fixture.agency,
        auditor: head.pubkey(),
        frozen: true,
    }
    .instruction();
    world
        .expect_refused(
            &[freeze],
            &[&head],
            LedgerError::NotAuditor,
            &[fixture.agency],
        )
        .await;
    let hold = builders::SetPaymentHeld {
        payment,
        auditor: head.pubkey(),
        held: true,
    }
    .instruction();
    world
        .expect_refused(&[hold], &[&head], LedgerError::NotAuditor, &[payment])
        .await;
    let debar = builders::DebarRecipient {
        recipient: award.keys.recipient,
        auditor: head.pubkey(),
        status: RecipientStatus::Debarred,
    }
    .instruction();
    world
        .expect_refused(
            &[debar],
            &[&head],
            LedgerError::NotAuditor,
            &[award.keys.recipient],
        )
        .await;
}

#[tokio::test]
async fn oversight_actions_refuse_no_op_changes() {
    let (mut world, fixture, award, payment) = requested_payment().await;
    let auditor = world.auditor.insecure_clone();

    let unfreeze = builders::SetAgencyFrozen {
        agency: fixture.agency,
        auditor: auditor.pubkey(),
        frozen: false,
    }
    .instruction();
    world
        .expect_refused(
            &[unfreeze],
            &[&auditor],
            LedgerError::FreezeUnchanged,
            &[fixture.agency],
        )
        .await;
    let release = builders::SetPaymentHeld {
        payment,
        auditor: auditor.pubkey(),
        held: false,
    }
    .instruction();
    world
        .expect_refused(&[release], &[&auditor], LedgerError::NotHeld, &[payment])
        .await;
    let hold = builders::SetPaymentHeld {
        payment,
        auditor: auditor.pubkey(),
        held: true,
    }
    .instruction();
    world
        .send(std::slice::from_ref(&hold), &[&auditor])
        .await
        .unwrap();
    world
        .expect_refused(&[hold], &[&auditor], LedgerError::AlreadyHeld, &[payment])
        .await;
    let reinstate = builders::DebarRecipient {
        recipient: award.keys.recipient,
        auditor: auditor.pubkey(),
        status: RecipientStatus::Active,
    }
    .instruction();
    world
        .expect_refused(
            &[reinstate],
            &[&auditor],
            LedgerError::RecipientStatusUnchanged,
            &[award.keys.recipient],
        )
        .await;

    let freeze = builders::SetAgencyFrozen {
        agency: fixture.agency,
        auditor: auditor.pubkey(),
        frozen: true,
    }
    .instruction();
    world.send(&[freeze], &[&auditor]).await.unwrap();
    assert!(world.get::<Agency>(&fixture.agency).await.frozen);
    let ix = fixture.set_member_ix(auditor.pubkey(), 1, true);
    world
        .expect_refused(
            &[ix],
            &[&fixture.head],
            LedgerError::AgencyFrozen,
            &[pda::member(&fixture.agency, &auditor.pubkey()).0],
        )
        .await;
}

#[tokio::test]
async fn a_held_payment_can_be_neither_cancelled_nor_rejected_until_released() {
    let (mut world, fixture, award, payment) = requested_payment().await;
    let auditor = world.auditor.insecure_clone();
    let hold = |held| {
        builders::SetPaymentHeld {
            payment,
            auditor: auditor.pubkey(),
            held,
        }
        .instruction()
    };
    world.send(&[hold(true)], &[&auditor]).await.unwrap();
    let watched = [payment, award.keys.award];
    let cancel_by_requester = world.decide_ix(
        &fixture,
        &award,
        0,
        &fixture.requester,
        PaymentDecision::Cancel,
    );
    let cancel_by_head =
        world.decide_ix(&fixture, &award, 0, &fixture.head, PaymentDecision::Cancel);
    let reject = world.decide_ix(
        &fixture,
        &award,
        0,
        &fixture.approvers[0],
        PaymentDecision::Reject,
    );
    for (ix, signer) in [
        (cancel_by_requester, &fixture.requester),
        (cancel_by_head, &fixture.head),
        (reject, &fixture.approvers[0]),
    ] {
        world
            .expect_refused(&[ix], &[signer], LedgerError::PaymentHeld, &watched)
            .await;
    }
    // Released by the auditor, the agency may end it again.
    world.send(&[hold(false)], &[&auditor]).await.unwrap();
    let cancel = world.decide_ix(
        &fixture,
        &award,
        0,
        &fixture.requester,
        PaymentDecision::Cancel,
    );
    world.send(&[cancel], &[&fixture.requester]).await.unwrap();
    let award_state: public_spending::state::Award = world.get(&award.keys.award).await;
    assert_eq!(award_state.in_flight, 0);
}
