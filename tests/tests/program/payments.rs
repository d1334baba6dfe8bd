use anchor_lang::{error::ErrorCode, prelude::Pubkey};
use public_spending::{
    error::LedgerError,
    events::PaymentExecuted,
    state::{
        Agency, Allotment, Appropriation, ApprovalPolicy, Award, ExclusionStatus, Payment,
        PaymentStatus,
    },
};
use public_spending_sdk::{
    builders::{self, PaymentDecision},
    fold_outlay_hash, pda, LedgerEvent,
};
use public_spending_tests::*;
use solana_sdk::signature::{Keypair, Signer};

const UEI: [u8; 12] = *b"VENDOR000001";

/// Two approvals and a one-hour time lock at or above 1,000; a 5,000-a-day fast path below it.
const POLICY: ApprovalPolicy = ApprovalPolicy {
    threshold: 1_000 * UNIT,
    approvals_required: 2,
    time_lock_seconds: 3_600,
    fast_path_daily_cap: 5_000 * UNIT,
};

struct Setup {
    world: World,
    agency: AgencyFixture,
    award: AwardFixture,
}

async fn setup(obligated: u64) -> Setup {
    let mut world = World::new().await;
    let agency = world.agency("075").await;
    world.set_policy(&agency, POLICY).await;
    let award = world.award(&agency, &UEI, obligated).await;
    Setup {
        world,
        agency,
        award,
    }
}

impl Setup {
    fn recipient_token_account(&self) -> Pubkey {
        self.world.payout(&self.award).recipient_token_account()
    }

    /// Every account and balance a payment could touch.
    fn watched(&self, payment: Pubkey) -> Vec<Pubkey> {
        let k = self.award.keys;
        vec![
            k.agency,
            k.appropriation,
            k.allotment,
            k.award,
            k.recipient,
            payment,
            self.agency.treasury,
            self.recipient_token_account(),
        ]
    }

    async fn request(&mut self, amount: u64) -> u32 {
        let builder = self
            .world
            .request_ix(&self.agency, &self.award, amount)
            .await;
        self.world
            .send(&[builder.instruction()], &[&self.agency.requester])
            .await
            .unwrap();
        builder.index
    }

    async fn decide(
        &mut self,
        index: u32,
        who: &Keypair,
        decision: PaymentDecision,
    ) -> Result<public_spending_embedded::TxOutcome, public_spending_sdk::SdkError> {
        let ix = self
            .world
            .decide_ix(&self.agency, &self.award, index, who, decision);
        self.world.send(&[ix], &[who]).await
    }

    async fn approve_all(&mut self, index: u32) {
        for approver in [
            self.agency.approvers[0].insecure_clone(),
            self.agency.approvers[1].insecure_clone(),
        ] {
            self.decide(index, &approver, PaymentDecision::Approve)
                .await
                .unwrap();
        }
    }

    async fn execute(
        &mut self,
        index: u32,
    ) -> Result<public_spending_embedded::TxOutcome, public_spending_sdk::SdkError> {
        let ix = self.world.execute_ix(&self.agency, &self.award, index);
        self.world.send(&[ix], &[&self.agency.executor]).await
    }
}

fn executed(outcome: &public_spending_embedded::TxOutcome) -> PaymentExecuted {
    the_event(outcome, |e| match e {
        LedgerEvent::PaymentExecuted(e) => Some(e.clone()),
        _ => None,
    })
}

#[tokio::test]
async fn approval_path_pays_after_two_approvals_and_the_time_lock() {
    let mut s = setup(10_000 * UNIT).await;
    let index = s.request(2_500 * UNIT).await;
    let payment = pda::payment(&s.award.keys.award, index).0;
    let stored: Payment = s.world.get(&payment).await;
    assert_eq!(
        (stored.status, stored.approvals_required, stored.requester),
        (PaymentStatus::Requested, 2, s.agency.requester.pubkey())
    );
    assert_eq!(
        s.world.get::<Award>(&s.award.keys.award).await.in_flight,
        2_500 * UNIT
    );

    s.approve_all(index).await;
    let stored: Payment = s.world.get(&payment).await;
    assert_eq!(stored.status, PaymentStatus::Approved);
    let now = s.world.chain.clock().await.unwrap().unix_timestamp;
    assert_eq!(stored.executable_at, now + 3_600);
    assert_eq!(stored.approvals, 2);
    let watched = s.watched(payment);
    let ix = s.world.execute_ix(&s.agency, &s.award, index);
    s.world
        .expect_refused(
            &[ix],
            &[&s.agency.executor.insecure_clone()],
            LedgerError::TimeLockActive,
            &watched,
        )
        .await;

    s.world.chain.advance_clock(3_600).await.unwrap();
    let outcome = s.execute(index).await.unwrap();
    assert_eq!(s.world.balance(&s.agency.treasury).await, 7_500 * UNIT);
    assert_eq!(
        s.world.balance(&s.recipient_token_account()).await,
        2_500 * UNIT
    );
    let award: Award = s.world.get(&s.award.keys.award).await;
    assert_eq!((award.outlayed, award.in_flight), (2_500 * UNIT, 0));
    assert_eq!(
        s.world
            .get::<Allotment>(&s.award.keys.allotment)
            .await
            .outlayed,
        2_500 * UNIT
    );
    assert_eq!(
        s.world
            .get::<Appropriation>(&s.award.keys.appropriation)
            .await
            .outlayed,
        2_500 * UNIT
    );
    let agency: Agency = s.world.get(&s.agency.agency).await;
    assert_eq!((agency.outlayed, agency.outlay_count), (2_500 * UNIT, 1));

    let event = executed(&outcome);
    assert!(!event.fast_path);
    assert_eq!(
        (
            event.record.amount,
            event.record.sequence,
            event.record.payment_index
        ),
        (2_500 * UNIT, 0, index)
    );
    assert_eq!(
        event.record.recipient_token_account,
        s.recipient_token_account()
    );
    assert_eq!(event.previous_outlay_hash, [0; 32]);
    assert_eq!(event.outlay_hash, fold_outlay_hash(&[0; 32], &event.record));
    assert_eq!(agency.outlay_hash, event.outlay_hash);
    assert_eq!(
        s.world.get::<Payment>(&payment).await.status,
        PaymentStatus::Executed
    );
}

#[tokio::test]
async fn below_the_threshold_a_requested_payment_needs_no_approval() {
    let mut s = setup(10_000 * UNIT).await;
    let index = s.request(999 * UNIT).await;
    let payment: Payment = s
        .world
        .get(&pda::payment(&s.award.keys.award, index).0)
        .await;
    assert_eq!(
        (payment.status, payment.approvals_required),
        (PaymentStatus::Approved, 0)
    );
    s.execute(index).await.unwrap();
    assert_eq!(
        s.world.balance(&s.recipient_token_account()).await,
        999 * UNIT
    );
}

#[tokio::test]
async fn fast_path_pays_in_one_instruction_and_chains_the_hash() {
    let mut s = setup(10_000 * UNIT).await;
    let mut head = [0u8; 32];
    for (n, amount) in [100 * UNIT, 250 * UNIT, 999 * UNIT].into_iter().enumerate() {
        let builder = s.world.pay_small_ix(&s.agency, &s.award, amount).await;
        let outcome = s
            .world
            .send(&[builder.instruction()], &[&s.agency.executor])
            .await
            .unwrap();
        let event = executed(&outcome);
        assert!(event.fast_path);
        assert_eq!(
            (event.record.sequence, event.record.amount),
            (n as u64, amount)
        );
        assert_eq!(event.previous_outlay_hash, head);
        head = fold_outlay_hash(&head, &event.record);
        assert_eq!(event.outlay_hash, head);
        // Nothing is left on chain: the record is the event and its link in the hash chain.
        assert_eq!(event.payment, builder.payment());
        assert_eq!(s.world.snapshot(&[builder.payment()]).await, vec![None]);
    }
    assert_eq!(
        s.world.get::<Agency>(&s.agency.agency).await.outlay_hash,
        head
    );
    assert_eq!(
        s.world.balance(&s.recipient_token_account()).await,
        1_349 * UNIT
    );
    assert_eq!(s.world.balance(&s.agency.treasury).await, 8_651 * UNIT);
    let agency: Agency = s.world.get(&s.agency.agency).await;
    assert_eq!(agency.fast_path_spent_in_window(), 1_349 * UNIT);
}

#[tokio::test]
async fn fast_path_refuses_amounts_at_the_threshold_and_beyond_the_daily_cap() {
    let mut s = setup(20_000 * UNIT).await;
    let builder = s
        .world
        .pay_small_ix(&s.agency, &s.award, 1_000 * UNIT)
        .await;
    let watched = s.watched(builder.payment());
    let executor = s.agency.executor.insecure_clone();
    s.world
        .expect_refused(
            &[builder.instruction()],
            &[&executor],
            LedgerError::AboveFastPathThreshold,
            &watched,
        )
        .await;

    for _ in 0..5 {
        let builder = s.world.pay_small_ix(&s.agency, &s.award, 999 * UNIT).await;
        s.world
            .send(&[builder.instruction()], &[&executor])
            .await
            .unwrap();
    }
    // 4,995 spent today: 6 more would pass the 5,000 cap.
    let builder = s.world.pay_small_ix(&s.agency, &s.award, 6 * UNIT).await;
    let watched = s.watched(builder.payment());
    s.world
        .expect_refused(
            &[builder.instruction()],
            &[&executor],
            LedgerError::FastPathCapExceeded,
            &watched,
        )
        .await;
    let builder = s.world.pay_small_ix(&s.agency, &s.award, 5 * UNIT).await;
    s.world
        .send(&[builder.instruction()], &[&executor])
        .await
        .unwrap();

    // 25 hours later every payment above has left the sliding window.
    s.world.chain.advance_clock(25 * 3_600).await.unwrap();
    let builder = s.world.pay_small_ix(&s.agency, &s.award, 999 * UNIT).await;
    s.world
        .send(&[builder.instruction()], &[&executor])
        .await
        .unwrap();
    assert_eq!(
        s.world
            .get::<Agency>(&s.agency.agency)
            .await
            .fast_path_spent_in_window(),
        999 * UNIT
    );
}

/// The cap slides: spending the whole cap just before any edge leaves nothing for the next 24 hours, so no
/// 24 hours ever pay more than the cap. Walked across the hour and day edges, second by second where it counts.
#[tokio::test]
async fn the_daily_cap_slides_so_no_24_hours_ever_pay_more_than_the_cap() {
    let mut s = setup(20_000 * UNIT).await;
    let executor = s.agency.executor.insecure_clone();
    const HOUR: i64 = 3_600;
    // One second before midnight (and before an hour's end): the whole 5,000 cap in five payments.
    let edge = 1_800_000_000 / (24 * HOUR) * (24 * HOUR) + 24 * HOUR;
    s.world.chain.set_unix_timestamp(edge - 1).await.unwrap();
    for _ in 0..5 {
        let builder = s.world.pay_small_ix(&s.agency, &s.award, 999 * UNIT).await;
        s.world
            .send(&[builder.instruction()], &[&executor])
            .await
            .unwrap();
    }
    let builder = s.world.pay_small_ix(&s.agency, &s.award, 5 * UNIT).await;
    s.world
        .send(&[builder.instruction()], &[&executor])
        .await
        .unwrap();
    // Across the edge, at the next hour, and up to 24 hours after the payments: nothing more.
    for at in [edge, edge + HOUR, edge + 12 * HOUR, edge + 24 * HOUR - 2] {
        s.world.chain.set_unix_timestamp(at).await.unwrap();
        let builder = s.world.pay_small_ix(&s.agency, &s.award, UNIT).await;
        let watched = s.watched(builder.payment());
        s.world
            .expect_refused(
                &[builder.instruction()],
                &[&executor],
                LedgerError::FastPathCapExceeded,
                &watched,
            )
            .await;
    }
    // Once the payments' hour has left the window (24 hours and an hour's granularity later), the cap is free.
    s.world
        .chain
        .set_unix_timestamp(edge + 24 * HOUR)
        .await
        .unwrap();
    let builder = s.world.pay_small_ix(&s.agency, &s.award, 999 * UNIT).await;
    s.world
        .send(&[builder.instruction()], &[&executor])
        .await
        .unwrap();
    let agency: Agency = s.world.get(&s.agency.agency).await;
    assert_eq!(agency.fast_path_spent_in_window(), 999 * UNIT);
    // A lowered cap applies at once to what the window already holds.
    s.world
        .set_policy(
            &s.agency,
            public_spending::state::ApprovalPolicy {
                fast_path_daily_cap: 1_000 * UNIT,
                ..agency.policy
            },
        )
        .await;
    let builder = s.world.pay_small_ix(&s.agency, &s.award, 2 * UNIT).await;
    let watched = s.watched(builder.payment());
    s.world
        .expect_refused(
            &[builder.instruction()],
            &[&executor],
            LedgerError::FastPathCapExceeded,
            &watched,
        )
        .await;
}

#[tokio::test]
async fn archive_returns_the_rent_and_leaves_nothing_on_chain() {
    let mut s = setup(10_000 * UNIT).await;
    // Below the threshold a requested payment needs no approval; executed, it is final.
    let builder = s.world.request_ix(&s.agency, &s.award, 10 * UNIT).await;
    s.world
        .send(&[builder.instruction()], &[&s.agency.requester])
        .await
        .unwrap();
    let execute = s.world.execute_ix(&s.agency, &s.award, builder.index);
    s.world
        .send(&[execute], &[&s.agency.executor])
        .await
        .unwrap();
    let payment = builder.payment();
    let rent = s.world.chain.lamports(&payment).await.unwrap();
    assert!(rent > 0);
    let executor = s.agency.requester.pubkey();
    let before = s.world.chain.lamports(&executor).await.unwrap();

    // Anyone may archive; the rent goes back to whoever paid it.
    let outcome = s
        .world
        .send(
            &[builders::ArchivePayment {
                award: s.award.keys.award,
                payment,
                rent_payer: executor,
            }
            .instruction()],
            &[],
        )
        .await
        .unwrap();
    assert!(
        matches!(&outcome.events[..], [LedgerEvent::PaymentArchived(e)] if e.payment == payment && e.lamports_returned == rent)
    );
    assert_eq!(
        s.world.chain.lamports(&executor).await.unwrap(),
        before + rent
    );
    assert_eq!(s.world.snapshot(&[payment]).await, vec![None]);
}

#[tokio::test]
async fn archive_refuses_an_in_flight_payment_and_a_wrong_rent_payer() {
    let mut s = setup(10_000 * UNIT).await;
    let index = s.request(2_000 * UNIT).await;
    let payment = pda::payment(&s.award.keys.award, index).0;
    let requester = s.agency.requester.pubkey();
    let ix = builders::ArchivePayment {
        award: s.award.keys.award,
        payment,
        rent_payer: requester,
    }
    .instruction();
    s.world
        .expect_refused(
            &[ix],
            &[],
            LedgerError::PaymentInFlight,
            &[payment, requester],
        )
        .await;

    s.approve_all(index).await;
    let ix = builders::ArchivePayment {
        award: s.award.keys.award,
        payment,
        rent_payer: requester,
    }
    .instruction();
    s.world
        .expect_refused(
            &[ix],
            &[],
            LedgerError::PaymentInFlight,
            &[payment, requester],
        )
        .await;

    let approver = s.agency.approvers[0].insecure_clone();
    s.decide(index, &approver, PaymentDecision::Reject)
        .await
        .unwrap();
    let thief = Keypair::new().pubkey();
    let ix = builders::ArchivePayment {
        award: s.award.keys.award,
        payment,
        rent_payer: thief,
    }
    .instruction();
    s.world
        .expect_refused(&[ix], &[], LedgerError::WrongRentPayer, &[payment, thief])
        .await;
    s.world
        .send(
            &[builders::ArchivePayment {
                award: s.award.keys.award,
                payment,
                rent_payer: requester,
            }
            .instruction()],
            &[],
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn execute_twice_is_refused() {
    let mut s = setup(10_000 * UNIT).await;
    let index = s.request(500 * UNIT).await;
    s.execute(index).await.unwrap();
    let watched = s.watched(pda::payment(&s.award.keys.award, index).0);
    let ix = s.world.execute_ix(&s.agency, &s.award, index);
    s.world
        .expect_refused(
            &[ix],
            &[&s.agency.executor.insecure_clone()],
            LedgerError::InvalidPaymentStatus,
            &watched,
        )
        .await;
    assert_eq!(
        s.world.balance(&s.recipient_token_account()).await,
        500 * UNIT
    );
}

/// No key holds REQUEST and APPROVE together; a requester whose role is switched to APPROVE after the request
/// still cannot approve it.
#[tokio::test]
async fn requester_cannot_approve_their_own_payment() {
    let mut s = setup(10_000 * UNIT).await;
    let requester = s.agency.requester.insecure_clone();
    let index = s.request(2_000 * UNIT).await;
    s.world
        .grant(
            &s.agency,
            requester.pubkey(),
            public_spending::constants::ROLE_APPROVE,
        )
        .await;
    let payment = pda::payment(&s.award.keys.award, index).0;
    let ix = s.world.decide_ix(
        &s.agency,
        &s.award,
        index,
        &requester,
        PaymentDecision::Approve,
    );
    s.world
        .expect_refused(&[ix], &[&requester], LedgerError::SelfApproval, &[payment])
        .await;
}

#[tokio::test]
async fn the_same_member_cannot_approve_twice() {
    let mut s = setup(10_000 * UNIT).await;
    let index = s.request(2_000 * UNIT).await;
    let approver = s.agency.approvers[0].insecure_clone();
    let outcome = s
        .decide(index, &approver, PaymentDecision::Approve)
        .await
        .unwrap();
    assert!(
        matches!(&outcome.events[..], [LedgerEvent::PaymentApproved(e)] if e.approvals == 1 && e.approvals_required == 2)
    );
    let payment = pda::payment(&s.award.keys.award, index).0;
    let ix = s.world.decide_ix(
        &s.agency,
        &s.award,
        index,
        &approver,
        PaymentDecision::Approve,
    );
    s.world
        .expect_refused(
            &[ix],
            &[&approver],
            LedgerError::AlreadyApproved,
            &[payment],
        )
        .await;
    let ix = s.world.decide_ix(
        &s.agency,
        &s.award,
        index,
        &s.agency.requester,
        PaymentDecision::Approve,
    );
    s.world
        .expect_refused(
            &[ix],
            &[&s.agency.requester.insecure_clone()],
            LedgerError::MissingRole,
            &[payment],
        )
        .await;
}

#[tokio::test]
async fn execute_before_enough_approvals_is_refused() {
    let mut s = setup(10_000 * UNIT).await;
    let index = s.request(2_000 * UNIT).await;
    let payment = pda::payment(&s.award.keys.award, index).0;
    let watched = s.watched(payment);
    let executor = s.agency.executor.insecure_clone();
    let ix = s.world.execute_ix(&s.agency, &s.award, index);
    s.world
        .expect_refused(
            std::slice::from_ref(&ix),
            &[&executor],
            LedgerError::InsufficientApprovals,
            &watched,
        )
        .await;
    let approver = s.agency.approvers[0].insecure_clone();
    s.decide(index, &approver, PaymentDecision::Approve)
        .await
        .unwrap();
    s.world.chain.advance_clock(7_200).await.unwrap();
    let watched = s.watched(payment);
    s.world
        .expect_refused(
            &[ix],
            &[&executor],
            LedgerError::InsufficientApprovals,
            &watched,
        )
        .await;
}

#[tokio::test]
async fn debarred_or_suspended_recipient_is_not_paid() {
    let mut s = setup(10_000 * UNIT).await;
    let index = s.request(500 * UNIT).await;
    let auditor = s.world.auditor.insecure_clone();
    for status in [ExclusionStatus::Debarred, ExclusionStatus::Suspended] {
        let ix = s.world.exclusion_ix(&s.award.uei, status);
        let outcome = s.world.send(&[ix], &[&auditor]).await.unwrap();
        assert!(
            matches!(&outcome.events[..], [LedgerEvent::ExclusionSet(e)] if e.status == status && e.uei == s.award.uei)
        );
        let executor = s.agency.executor.insecure_clone();
        let watched = s.watched(pda::payment(&s.award.keys.award, index).0);
        let ix = s.world.execute_ix(&s.agency, &s.award, index);
        s.world
            .expect_refused(
                &[ix],
                &[&executor],
                LedgerError::RecipientNotActive,
                &watched,
            )
            .await;
        let builder = s.world.pay_small_ix(&s.agency, &s.award, 10 * UNIT).await;
        let watched = s.watched(builder.payment());
        s.world
            .expect_refused(
                &[builder.instruction()],
                &[&executor],
                LedgerError::RecipientNotActive,
                &watched,
            )
            .await;
    }
}

#[tokio::test]
async fn amounts_must_be_positive_and_within_what_is_left_on_the_award() {
    let mut s = setup(1_000 * UNIT).await;
    let requester = s.agency.requester.insecure_clone();
    let executor = s.agency.executor.insecure_clone();
    for (amount, error) in [
        (0, LedgerError::ZeroAmount),
        (1_000 * UNIT + 1, LedgerError::ExceedsAwardRemaining),
        (u64::MAX, LedgerError::ExceedsAwardRemaining),
    ] {
        let builder = s.world.request_ix(&s.agency, &s.award, amount).await;
        let watched = s.watched(builder.payment());
        s.world
            .expect_refused(&[builder.instruction()], &[&requester], error, &watched)
            .await;
        let builder = s.world.pay_small_ix(&s.agency, &s.award, amount).await;
        let watched = s.watched(builder.payment());
        s.world
            .expect_refused(&[builder.instruction()], &[&executor], error, &watched)
            .await;
    }
    // What is in flight counts as used.
    s.request(600 * UNIT).await;
    let builder = s.world.request_ix(&s.agency, &s.award, 401 * UNIT).await;
    let watched = s.watched(builder.payment());
    s.world
        .expect_refused(
            &[builder.instruction()],
            &[&requester],
            LedgerError::ExceedsAwardRemaining,
            &watched,
        )
        .await;
    s.request(400 * UNIT).await;
}

#[tokio::test]
async fn payment_pda_of_another_award_or_index_is_refused() {
    let mut s = setup(10_000 * UNIT).await;
    let other = s
        .world
        .award_under(
            &s.agency,
            s.award.keys.appropriation,
            s.award.keys.allotment,
            b"VENDOR000002",
            100 * UNIT,
        )
        .await;
    let index = s.request(500 * UNIT).await;
    let payment = pda::payment(&s.award.keys.award, index).0;
    let executor = s.agency.executor.insecure_clone();

    // The payment of award A executed as if it were award B's.
    let ix = swap_account(
        s.world.execute_ix(&s.agency, &other, index),
        &pda::payment(&other.keys.award, index).0,
        &payment,
    );
    let watched = s.watched(payment);
    s.world
        .expect_refused(&[ix], &[&executor], ErrorCode::ConstraintSeeds, &watched)
        .await;

    // A request at an index other than the award's next one.
    let mut builder = s.world.request_ix(&s.agency, &s.award, UNIT).await;
    builder.index += 1;
    let watched = s.watched(builder.payment());
    s.world
        .expect_refused(
            &[builder.instruction()],
            &[&s.agency.requester.insecure_clone()],
            ErrorCode::ConstraintSeeds,
            &watched,
        )
        .await;
    // A request re-using an index already taken.
    builder.index = index;
    s.world
        .expect_refused(
            &[builder.instruction()],
            &[&s.agency.requester.insecure_clone()],
            ErrorCode::ConstraintSeeds,
            &watched,
        )
        .await;
}

#[tokio::test]
async fn paying_from_another_agencys_treasury_is_refused() {
    let mut s = setup(10_000 * UNIT).await;
    let other = s.world.agency("076").await;
    s.world.fund(&other, 10_000 * UNIT).await;
    let index = s.request(500 * UNIT).await;
    let ix = swap_account(
        s.world.execute_ix(&s.agency, &s.award, index),
        &s.agency.treasury,
        &other.treasury,
    );
    let mut watched = s.watched(pda::payment(&s.award.keys.award, index).0);
    watched.push(other.treasury);
    s.world
        .expect_refused(
            &[ix],
            &[&s.agency.executor.insecure_clone()],
            LedgerError::WrongTreasury,
            &watched,
        )
        .await;
    assert_eq!(s.world.balance(&other.treasury).await, 10_000 * UNIT);
}

#[tokio::test]
async fn wrong_mint_fake_token_program_and_foreign_token_accounts_are_refused() {
    let mut s = setup(10_000 * UNIT).await;
    let index = s.request(500 * UNIT).await;
    let executor = s.agency.executor.insecure_clone();
    let watched = s.watched(pda::payment(&s.award.keys.award, index).0);
    let ix = s.world.execute_ix(&s.agency, &s.award, index);

    let authority = s.world.mint_authority.pubkey();
    let other_mint = s
        .world
        .chain
        .create_mint(&authority, DECIMALS)
        .await
        .unwrap();
    let wrong_mint = swap_account(ix.clone(), &s.world.mint, &other_mint);
    s.world
        .expect_refused(
            &[wrong_mint],
            &[&executor],
            LedgerError::WrongMint,
            &watched,
        )
        .await;

    let fake_program = swap_account(
        ix.clone(),
        &anchor_spl::token::spl_token::ID,
        &anchor_lang::solana_program::system_program::ID,
    );
    s.world
        .expect_refused(
            &[fake_program],
            &[&executor],
            ErrorCode::InvalidProgramId,
            &watched,
        )
        .await;

    // The recipient's wallet is not the owner of this token account.
    let stranger = Keypair::new().pubkey();
    let strangers_account = public_spending_sdk::pda::recipient_token_account(
        &stranger,
        &s.world.mint,
        &anchor_spl::token::spl_token::ID,
    );
    let foreign = swap_account(ix.clone(), &s.recipient_token_account(), &strangers_account);
    s.world
        .expect_refused(
            &[foreign],
            &[&executor],
            LedgerError::WrongRecipientTokenAccount,
            &watched,
        )
        .await;

    // Another payout wallet than the recipient's.
    let wrong_wallet = swap_account(ix.clone(), &s.award.payout_wallet, &stranger);
    s.world
        .expect_refused(
            &[wrong_wallet],
            &[&executor],
            LedgerError::WrongPayoutWallet,
            &watched,
        )
        .await;

    // The treasury passed as the destination too (a duplicate mutable account).
    let duplicate = swap_account(ix, &s.recipient_token_account(), &s.agency.treasury);
    s.world
        .expect_refused(
            &[duplicate],
            &[&executor],
            LedgerError::WrongRecipientTokenAccount,
            &watched,
        )
        .await;
}

#[tokio::test]
async fn nothing_is_paid_while_paused_frozen_or_held() {
    let mut s = setup(10_000 * UNIT).await;
    let index = s.request(500 * UNIT).await;
    let payment = pda::payment(&s.award.keys.award, index).0;
    let executor = s.agency.executor.insecure_clone();
    let (admin, auditor) = (
        s.world.admin.insecure_clone(),
        s.world.auditor.insecure_clone(),
    );
    let ix = s.world.execute_ix(&s.agency, &s.award, index);
    let small = s.world.pay_small_ix(&s.agency, &s.award, UNIT).await;
    let mut watched = s.watched(payment);
    watched.push(small.payment());

    s.world
        .send(
            &[builders::SetPaused {
                admin: admin.pubkey(),
                paused: true,
            }
            .instruction()],
            &[&admin],
        )
        .await
        .unwrap();
    s.world
        .expect_refused(
            std::slice::from_ref(&ix),
            &[&executor],
            LedgerError::Paused,
            &watched,
        )
        .await;
    s.world
        .expect_refused(
            &[small.instruction()],
            &[&executor],
            LedgerError::Paused,
            &watched,
        )
        .await;
    s.world
        .send(
            &[builders::SetPaused {
                admin: admin.pubkey(),
                paused: false,
            }
            .instruction()],
            &[&admin],
        )
        .await
        .unwrap();

    let freeze = |frozen| {
        builders::SetAgencyFrozen {
            agency: s.agency.agency,
            auditor: auditor.pubkey(),
            frozen,
            grounds: grounds(),
            concurring: None,
        }
        .instruction()
    };
    let outcome = s.world.send(&[freeze(true)], &[&auditor]).await.unwrap();
    assert!(matches!(&outcome.events[..], [LedgerEvent::AgencyFreezeSet(e)] if e.frozen));
    let watched = s.watched(payment);
    s.world
        .expect_refused(
            std::slice::from_ref(&ix),
            &[&executor],
            LedgerError::AgencyFrozen,
            &watched,
        )
        .await;
    s.world
        .expect_refused(
            &[small.instruction()],
            &[&executor],
            LedgerError::AgencyFrozen,
            &watched,
        )
        .await;
    s.world.send(&[freeze(false)], &[&auditor]).await.unwrap();

    let hold = |held| {
        builders::SetPaymentHeld {
            award: s.award.keys.award,
            payment,
            auditor: auditor.pubkey(),
            held,
            grounds: grounds(),
            concurring: None,
        }
        .instruction()
    };
    let outcome = s.world.send(&[hold(true)], &[&auditor]).await.unwrap();
    assert!(matches!(&outcome.events[..], [LedgerEvent::PaymentHoldSet(e)] if e.held));
    let watched = s.watched(payment);
    s.world
        .expect_refused(
            std::slice::from_ref(&ix),
            &[&executor],
            LedgerError::PaymentHeld,
            &watched,
        )
        .await;
    s.world.send(&[hold(false)], &[&auditor]).await.unwrap();
    s.world.send(&[ix], &[&executor]).await.unwrap();
    assert_eq!(
        s.world.balance(&s.recipient_token_account()).await,
        500 * UNIT
    );
}

#[tokio::test]
async fn reject_and_cancel_release_the_reservation() {
    let mut s = setup(1_000 * UNIT).await;
    let first = s.request(600 * UNIT).await;
    let approver = s.agency.approvers[1].insecure_clone();
    let outcome = s
        .decide(first, &approver, PaymentDecision::Reject)
        .await
        .unwrap();
    assert!(
        matches!(&outcome.events[..], [LedgerEvent::PaymentRejected(e)] if e.amount == 600 * UNIT && e.award_in_flight == 0)
    );

    let second = s.request(1_000 * UNIT).await;
    let outsider = s.world.funded().await;
    let payment = pda::payment(&s.award.keys.award, second).0;
    let ix = s.world.decide_ix(
        &s.agency,
        &s.award,
        second,
        &outsider,
        PaymentDecision::Cancel,
    );
    s.world
        .expect_refused(
            &[ix],
            &[&outsider],
            LedgerError::NotRequesterOrHead,
            &[payment, s.award.keys.award],
        )
        .await;
    let requester = s.agency.requester.insecure_clone();
    let outcome = s
        .decide(second, &requester, PaymentDecision::Cancel)
        .await
        .unwrap();
    assert!(
        matches!(&outcome.events[..], [LedgerEvent::PaymentCancelled(e)] if e.by == requester.pubkey())
    );
    assert_eq!(s.world.get::<Award>(&s.award.keys.award).await.in_flight, 0);

    // Final payments cannot be decided again or executed.
    let ix = s.world.decide_ix(
        &s.agency,
        &s.award,
        second,
        &requester,
        PaymentDecision::Cancel,
    );
    s.world
        .expect_refused(
            &[ix],
            &[&requester],
            LedgerError::InvalidPaymentStatus,
            &[payment],
        )
        .await;
    let ix = s.world.execute_ix(&s.agency, &s.award, first);
    let watched = s.watched(pda::payment(&s.award.keys.award, first).0);
    s.world
        .expect_refused(
            &[ix],
            &[&s.agency.executor.insecure_clone()],
            LedgerError::InvalidPaymentStatus,
            &watched,
        )
        .await;

    // The head may cancel too.
    let third = s.request(10 * UNIT).await;
    let head = s.agency.head.insecure_clone();
    s.decide(third, &head, PaymentDecision::Cancel)
        .await
        .unwrap();
}

#[tokio::test]
async fn executor_role_is_required_to_pay() {
    let mut s = setup(10_000 * UNIT).await;
    let index = s.request(500 * UNIT).await;
    let requester = s.agency.requester.insecure_clone();
    let ix = builders::ExecutePayment {
        keys: s.award.keys,
        payout: s.world.payout(&s.award),
        index,
        executor: requester.pubkey(),
    }
    .instruction();
    let watched = s.watched(pda::payment(&s.award.keys.award, index).0);
    s.world
        .expect_refused(&[ix], &[&requester], LedgerError::MissingRole, &watched)
        .await;
    let ix = unsigned(
        s.world.execute_ix(&s.agency, &s.award, index),
        &s.agency.executor.pubkey(),
    );
    s.world
        .expect_refused(&[ix], &[], ErrorCode::AccountNotSigner, &watched)
        .await;
}

#[tokio::test]
async fn the_reference_key_is_listed_read_only_and_recorded() {
    let mut s = setup(10_000 * UNIT).await;
    let builder = s.world.request_ix(&s.agency, &s.award, 2_000 * UNIT).await;
    let ix = builder.instruction();
    let meta = ix
        .accounts
        .iter()
        .find(|m| m.pubkey == builder.reference)
        .expect("the reference is an account of the instruction");
    assert!(!meta.is_writable && !meta.is_signer);
    let outcome = s.world.send(&[ix], &[&s.agency.requester]).await.unwrap();
    assert!(
        matches!(&outcome.events[..], [LedgerEvent::PaymentRequested(e)] if e.reference == builder.reference)
    );
    assert_eq!(
        s.world.get::<Payment>(&builder.payment()).await.reference,
        builder.reference
    );
}
