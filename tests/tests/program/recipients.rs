//! Recipients belong to the agency that pays them, and a payout wallet changes only with two members and the
//! agency's time lock.

use public_spending::{
    error::LedgerError,
    state::{ApprovalPolicy, Recipient},
};
use public_spending_sdk::{
    builders::{
        self, PaymentDecision,
        WalletStep::{Confirm, Propose},
    },
    pda, LedgerEvent,
};
use public_spending_tests::*;
use solana_sdk::signature::{Keypair, Signer};

const UEI: [u8; 12] = *b"ACMEROADWORK";
const TIME_LOCK: i64 = 3_600;

#[tokio::test]
async fn each_agency_keeps_its_own_record_of_a_uei_and_cannot_use_another_agencys() {
    let mut world = World::new().await;
    let first = world.agency("075").await;
    let second = world.agency("089").await;
    // The first agency registers the vendor with a wallet of its choosing...
    let a_award = world.award(&first, &UEI, 100 * UNIT).await;
    // ...which no longer decides where the second agency pays the same UEI.
    let b_award = world.award(&second, &UEI, 100 * UNIT).await;
    let a_record: Recipient = world.get(&a_award.keys.recipient).await;
    let b_record: Recipient = world.get(&b_award.keys.recipient).await;
    assert_ne!(a_award.keys.recipient, b_award.keys.recipient);
    assert_eq!(
        (a_record.agency, a_record.payout_wallet),
        (first.agency, a_award.payout_wallet)
    );
    assert_eq!(
        (b_record.agency, b_record.payout_wallet),
        (second.agency, b_award.payout_wallet)
    );

    // An award in the second agency naming the first agency's record is refused.
    let mut builder = builders::Obligate {
        agency: second.agency,
        appropriation: b_award.keys.appropriation,
        allotment: b_award.keys.allotment,
        recipient: a_award.keys.recipient,
        uei: UEI,
        property: None,
        authority: second.obligor.pubkey(),
        args: public_spending::instructions::ObligateArgs {
            award_id: "AWD-X".into(),
            award_type: public_spending::state::AwardType::Contract,
            object_class: *b"252",
            amount: UNIT,
            period_start: 0,
            period_end: 4_000_000_000,
            document_hash: [7; 32],
        },
    };
    let watched = [
        second.agency,
        b_award.keys.allotment,
        pda::award(&second.agency, "AWD-X").0,
    ];
    world
        .expect_refused(
            &[builder.instruction()],
            &[&second.obligor],
            LedgerError::WrongAgency,
            &watched,
        )
        .await;
    builder.recipient = b_award.keys.recipient;
    world
        .send(&[builder.instruction()], &[&second.obligor])
        .await
        .unwrap();
}

/// Agency 075 with a one-hour time lock, a second OBLIGATE member, and an award to UEI.
async fn setup() -> (World, AgencyFixture, AwardFixture, Keypair) {
    let mut world = World::new().await;
    let fixture = world.agency("075").await;
    world
        .set_policy(
            &fixture,
            ApprovalPolicy {
                threshold: 10 * UNIT,
                approvals_required: 1,
                time_lock_seconds: TIME_LOCK as u32,
                fast_path_daily_cap: 100 * UNIT,
            },
        )
        .await;
    let award = world.award(&fixture, &UEI, 1_000 * UNIT).await;
    let second = world.funded().await;
    world
        .grant(
            &fixture,
            second.pubkey(),
            public_spending::constants::ROLE_OBLIGATE,
        )
        .await;
    (world, fixture, award, second)
}

fn change_ix(
    fixture: &AgencyFixture,
    award: &AwardFixture,
    who: &Keypair,
    step: builders::WalletStep,
) -> solana_sdk::instruction::Instruction {
    builders::ChangePayoutWallet {
        agency: fixture.agency,
        recipient: award.keys.recipient,
        authority: who.pubkey(),
        step,
    }
    .instruction()
}

#[tokio::test]
async fn a_payout_wallet_changes_only_with_a_second_member_after_the_time_lock() {
    let (mut world, fixture, award, second) = setup().await;
    let recipient = award.keys.recipient;
    let new_wallet = Keypair::new().pubkey();

    // Nothing proposed yet.
    world
        .expect_refused(
            &[change_ix(&fixture, &award, &second, Confirm(new_wallet))],
            &[&second],
            LedgerError::NoPendingPayoutWallet,
            &[recipient],
        )
        .await;
    // Not an OBLIGATE member; the current wallet again; the default key.
    world
        .expect_refused(
            &[change_ix(
                &fixture,
                &award,
                &fixture.requester,
                Propose(new_wallet),
            )],
            &[&fixture.requester],
            LedgerError::MissingRole,
            &[recipient],
        )
        .await;
    for (wallet, error) in [
        (award.payout_wallet, LedgerError::PayoutWalletUnchanged),
        (Default::default(), LedgerError::InvalidPayoutWallet),
    ] {
        world
            .expect_refused(
                &[change_ix(
                    &fixture,
                    &award,
                    &fixture.obligor,
                    Propose(wallet),
                )],
                &[&fixture.obligor],
                error,
                &[recipient],
            )
            .await;
    }

    world.chain.set_unix_timestamp(1_800_000_000).await.unwrap();
    let outcome = world
        .send(
            &[change_ix(
                &fixture,
                &award,
                &fixture.obligor,
                Propose(new_wallet),
            )],
            &[&fixture.obligor],
        )
        .await
        .unwrap();
    assert!(
        matches!(&outcome.events[..], [LedgerEvent::PayoutWalletProposed(e)]
        if e.proposed_wallet == new_wallet && e.payout_wallet == award.payout_wallet
            && e.confirmable_at == 1_800_000_000 + TIME_LOCK)
    );
    let stored: Recipient = world.get(&recipient).await;
    assert_eq!(
        (
            stored.payout_wallet,
            stored.pending_payout_wallet,
            stored.proposed_by
        ),
        (award.payout_wallet, new_wallet, fixture.obligor.pubkey())
    );

    // The proposer cannot confirm, even after the time lock; nobody can confirm before it.
    world
        .expect_refused(
            &[change_ix(&fixture, &award, &second, Confirm(new_wallet))],
            &[&second],
            LedgerError::WalletTimeLockActive,
            &[recipient],
        )
        .await;
    world.chain.advance_clock(TIME_LOCK).await.unwrap();
    world
        .expect_refused(
            &[change_ix(
                &fixture,
                &award,
                &fixture.obligor,
                Confirm(new_wallet),
            )],
            &[&fixture.obligor],
            LedgerError::ProposerCannotConfirm,
            &[recipient],
        )
        .await;
    // A member of another agency, passing its own agency, cannot confirm this agency's record.
    let other = world.agency("089").await;
    let foreign = builders::ChangePayoutWallet {
        agency: other.agency,
        recipient,
        authority: other.obligor.pubkey(),
        step: builders::WalletStep::Confirm(new_wallet),
    }
    .instruction();
    world
        .expect_refused(
            &[foreign],
            &[&other.obligor],
            LedgerError::WrongAgency,
            &[recipient],
        )
        .await;

    let outcome = world
        .send(
            &[change_ix(&fixture, &award, &second, Confirm(new_wallet))],
            &[&second],
        )
        .await
        .unwrap();
    assert!(
        matches!(&outcome.events[..], [LedgerEvent::PayoutWalletConfirmed(e)]
        if e.previous_wallet == award.payout_wallet && e.payout_wallet == new_wallet
            && e.proposed_by == fixture.obligor.pubkey() && e.confirmed_by == second.pubkey())
    );
    let stored: Recipient = world.get(&recipient).await;
    assert_eq!(
        (
            stored.payout_wallet,
            stored.pending_payout_wallet,
            stored.payout_change_count
        ),
        (new_wallet, Default::default(), 1)
    );
}

/// The proposer swaps the proposal after the second officer reviewed it: the confirmation names the reviewed
/// wallet and is refused; the swapped wallet is never confirmed.
#[tokio::test]
async fn a_proposal_swapped_after_review_is_not_confirmed() {
    let (mut world, fixture, award, second) = setup().await;
    let recipient = award.keys.recipient;
    let reviewed = Keypair::new().pubkey();
    let swapped = Keypair::new().pubkey();
    world.chain.set_unix_timestamp(1_800_000_000).await.unwrap();
    for wallet in [reviewed, swapped] {
        world
            .send(
                &[change_ix(
                    &fixture,
                    &award,
                    &fixture.obligor,
                    Propose(wallet),
                )],
                &[&fixture.obligor],
            )
            .await
            .unwrap();
    }
    world.chain.advance_clock(TIME_LOCK).await.unwrap();
    world
        .expect_refused(
            &[change_ix(&fixture, &award, &second, Confirm(reviewed))],
            &[&second],
            LedgerError::PayoutWalletMismatch,
            &[recipient],
        )
        .await;
    let stored: Recipient = world.get(&recipient).await;
    assert_eq!(
        (stored.payout_wallet, stored.pending_payout_wallet),
        (award.payout_wallet, swapped)
    );
}

#[tokio::test]
async fn a_payment_requested_before_a_wallet_change_is_refused_never_redirected() {
    let (mut world, fixture, award, second) = setup().await;
    world.chain.set_unix_timestamp(1_800_000_000).await.unwrap();
    // Requested and approved for the old wallet.
    let request = world.request_ix(&fixture, &award, 500 * UNIT).await;
    world
        .send(&[request.instruction()], &[&fixture.requester])
        .await
        .unwrap();
    let approve = world.decide_ix(
        &fixture,
        &award,
        request.index,
        &fixture.approvers[0],
        PaymentDecision::Approve,
    );
    world
        .send(&[approve], &[&fixture.approvers[0]])
        .await
        .unwrap();

    let new_wallet = Keypair::new().pubkey();
    world
        .send(
            &[change_ix(
                &fixture,
                &award,
                &fixture.obligor,
                Propose(new_wallet),
            )],
            &[&fixture.obligor],
        )
        .await
        .unwrap();
    world.chain.advance_clock(TIME_LOCK).await.unwrap();
    world
        .send(
            &[change_ix(&fixture, &award, &second, Confirm(new_wallet))],
            &[&second],
        )
        .await
        .unwrap();

    let moved = AwardFixture {
        payout_wallet: new_wallet,
        ..award.clone()
    };
    let watched = [fixture.treasury, award.keys.award, request.payment()];
    // Naming the new wallet: refused, the payment was approved for the old one.
    world
        .expect_refused(
            &[world.execute_ix(&fixture, &moved, request.index)],
            &[&fixture.executor],
            LedgerError::PayoutWalletChanged,
            &watched,
        )
        .await;
    // Naming the old wallet: refused, it is no longer the recipient's.
    world
        .expect_refused(
            &[world.execute_ix(&fixture, &award, request.index)],
            &[&fixture.executor],
            LedgerError::WrongPayoutWallet,
            &watched,
        )
        .await;
    // Cancelled and requested again, it pays the new wallet.
    let cancel = world.decide_ix(
        &fixture,
        &award,
        request.index,
        &fixture.requester,
        PaymentDecision::Cancel,
    );
    world.send(&[cancel], &[&fixture.requester]).await.unwrap();
    world.chain.advance_clock(1).await.unwrap();
    let again = world.pay_small_ix(&fixture, &moved, 5 * UNIT).await;
    world
        .send(&[again.instruction()], &[&fixture.executor])
        .await
        .unwrap();
    let account = pda::recipient_token_account(&new_wallet, &world.mint, &anchor_spl::token::ID);
    assert_eq!(world.balance(&account).await, 5 * UNIT);
}
