//! The ledger-wide limits: ceilings on every agency's fast path and the minimum notice a loosening takes. The
//! admin tightens them at once; raising a ceiling or shortening the notice waits out the notice in force.

use public_spending::{
    constants::*,
    error::LedgerError,
    state::{Agency, ApprovalPolicy, ControlChange, Ledger, LedgerLimits, Payment, PendingChange},
};
use public_spending_sdk::{
    builders::{self, LimitsStep},
    fetch::AccountSource,
    pda, LedgerEvent,
};
use public_spending_tests::*;
use solana_sdk::signature::{Keypair, Signer};

const POLICY: ApprovalPolicy = ApprovalPolicy {
    threshold: 1_000 * UNIT,
    approvals_required: 2,
    time_lock_seconds: 3_600,
    fast_path_daily_cap: 5_000 * UNIT,
};

const TIGHT: LedgerLimits = LedgerLimits {
    max_fast_path_threshold: 500 * UNIT,
    max_fast_path_daily_cap: 2_000 * UNIT,
    min_change_notice_seconds: 3 * 24 * 3_600,
};

fn limits_ix(world: &World, step: LimitsStep) -> solana_sdk::instruction::Instruction {
    builders::LedgerLimitsChange {
        admin: world.admin.pubkey(),
        step,
    }
    .instruction()
}

async fn in_service() -> (World, AgencyFixture) {
    let mut world = World::new().await;
    let agency = world.agency("075").await;
    world.set_policy(&agency, POLICY).await;
    (world, agency)
}

#[tokio::test]
async fn a_new_ledger_has_no_fast_path_ceiling_and_a_days_notice() {
    let world = World::new().await;
    let ledger: Ledger = world.get(&pda::ledger().0).await;
    assert_eq!(ledger.limits, LedgerLimits::INITIAL);
    assert_eq!(
        i64::from(ledger.limits.min_change_notice_seconds),
        MIN_CHANGE_NOTICE_SECONDS
    );
}

#[tokio::test]
async fn lowered_ceilings_apply_at_once_and_bind_agencies_already_above_them() {
    let (mut world, agency) = in_service().await;
    let award = world.award(&agency, b"CEILINGVEND1", 10_000 * UNIT).await;
    let outcome = world
        .send(
            &[limits_ix(&world, LimitsStep::Set(TIGHT))],
            &[&world.admin.insecure_clone()],
        )
        .await
        .unwrap();
    assert!(matches!(&outcome.events[..], [LedgerEvent::LedgerLimitsSet(e)] if e.limits == TIGHT));
    let ledger: Ledger = world.get(&pda::ledger().0).await;
    assert_eq!(ledger.limits, TIGHT);

    // The agency's own threshold is 1,000; the ceiling of 500 binds its next payment.
    let above = world.pay_small_ix(&agency, &award, 600 * UNIT).await;
    world
        .expect_refused(
            &[above.instruction()],
            &[&agency.executor],
            LedgerError::AboveFastPathThreshold,
            &[agency.agency, agency.treasury, award.keys.award],
        )
        .await;
    // So does the daily cap of 2,000 (the agency's is 5,000): four payments of 499 pass, a fifth does not.
    for _ in 0..4 {
        let ix = world.pay_small_ix(&agency, &award, 499 * UNIT).await;
        world
            .send(&[ix.instruction()], &[&agency.executor])
            .await
            .unwrap();
    }
    let fifth = world.pay_small_ix(&agency, &award, 499 * UNIT).await;
    world
        .expect_refused(
            &[fifth.instruction()],
            &[&agency.executor],
            LedgerError::FastPathCapExceeded,
            &[agency.agency, agency.treasury, award.keys.award],
        )
        .await;
    // A payment of 600 goes the approval path and needs the agency's two approvals.
    let request = world.request_ix(&agency, &award, 600 * UNIT).await;
    world
        .send(&[request.instruction()], &[&agency.requester])
        .await
        .unwrap();
    let payment: Payment = world.get(&request.payment()).await;
    assert_eq!(payment.approvals_required, POLICY.approvals_required);

    // No agency may set a policy above the ceilings, even one that tightens its own.
    let above_ceiling = ApprovalPolicy {
        threshold: 900 * UNIT,
        fast_path_daily_cap: 1_000 * UNIT,
        ..POLICY
    };
    let ix = builders::SetApprovalPolicy {
        agency: agency.agency,
        head: agency.head.pubkey(),
        policy: above_ceiling,
    }
    .instruction();
    world
        .expect_refused(
            &[ix],
            &[&agency.head],
            LedgerError::AboveLedgerCeiling,
            &[agency.agency],
        )
        .await;
}

#[tokio::test]
async fn raising_a_ceiling_or_shortening_the_notice_waits_out_the_notice_in_force() {
    let (mut world, agency) = in_service().await;
    let admin = world.admin.insecure_clone();
    world
        .send(&[limits_ix(&world, LimitsStep::Set(TIGHT))], &[&admin])
        .await
        .unwrap();
    let looser = [
        LedgerLimits {
            max_fast_path_threshold: TIGHT.max_fast_path_threshold + 1,
            ..TIGHT
        },
        LedgerLimits {
            max_fast_path_daily_cap: u64::MAX,
            ..TIGHT
        },
        LedgerLimits {
            min_change_notice_seconds: CHANGE_NOTICE_FLOOR_SECONDS,
            ..TIGHT
        },
    ];
    let ledger = pda::ledger().0;
    for limits in looser {
        world
            .expect_refused(
                &[limits_ix(&world, LimitsStep::Set(limits))],
                &[&admin],
                LedgerError::LooseningNeedsNotice,
                &[ledger],
            )
            .await;
    }
    for notice in [
        0,
        CHANGE_NOTICE_FLOOR_SECONDS - 1,
        CHANGE_NOTICE_CEILING_SECONDS + 1,
    ] {
        let limits = LedgerLimits {
            min_change_notice_seconds: notice,
            ..TIGHT
        };
        world
            .expect_refused(
                &[limits_ix(&world, LimitsStep::Set(limits))],
                &[&admin],
                LedgerError::InvalidChangeNotice,
                &[ledger],
            )
            .await;
    }

    // Nobody but the admin proposes, applies or withdraws.
    let proposed = looser[1];
    let stranger = world.funded().await;
    let stranger_step = |step| {
        builders::LedgerLimitsChange {
            admin: stranger.pubkey(),
            step,
        }
        .instruction()
    };
    world
        .expect_refused(
            &[stranger_step(LimitsStep::Propose(proposed))],
            &[&stranger],
            LedgerError::NotLedgerAdmin,
            &[ledger, pda::limits_change()],
        )
        .await;

    let now = world.chain.clock().await.unwrap().unix_timestamp;
    let effective_at = now + i64::from(TIGHT.min_change_notice_seconds);
    let outcome = world
        .send(
            &[limits_ix(&world, LimitsStep::Propose(proposed))],
            &[&admin],
        )
        .await
        .unwrap();
    assert!(
        matches!(&outcome.events[..], [LedgerEvent::ChangeProposed(e)]
        if e.change == ControlChange::Limits { limits: proposed } && e.agency == ledger
            && e.effective_at == effective_at)
    );
    let pending: PendingChange = world.get(&pda::limits_change()).await;
    assert_eq!(
        (pending.change, pending.effective_at),
        (ControlChange::Limits { limits: proposed }, effective_at)
    );

    world
        .chain
        .advance_clock(effective_at - now - 1)
        .await
        .unwrap();
    for (ix, signer, refusal) in [
        (
            limits_ix(&world, LimitsStep::Apply),
            &admin,
            LedgerError::NoticeNotOver,
        ),
        (
            stranger_step(LimitsStep::Apply),
            &stranger,
            LedgerError::NotLedgerAdmin,
        ),
        (
            stranger_step(LimitsStep::Withdraw),
            &stranger,
            LedgerError::NotLedgerAdmin,
        ),
    ] {
        world
            .expect_refused(&[ix], &[signer], refusal, &[ledger, pda::limits_change()])
            .await;
    }
    world.chain.advance_clock(1).await.unwrap();
    let outcome = world
        .send(&[limits_ix(&world, LimitsStep::Apply)], &[&admin])
        .await
        .unwrap();
    assert!(
        matches!(&outcome.events[..], [LedgerEvent::ChangeApplied(_), LedgerEvent::LedgerLimitsSet(e)]
        if e.limits == proposed)
    );
    let stored: Ledger = world.get(&ledger).await;
    assert_eq!(stored.limits, proposed);
    assert!(world
        .chain
        .get_account(&pda::limits_change())
        .await
        .unwrap()
        .is_none());

    // A proposal the admin thinks better of is withdrawn, its rent back, the limits unchanged.
    world
        .send(
            &[limits_ix(
                &world,
                LimitsStep::Propose(LedgerLimits::INITIAL),
            )],
            &[&admin],
        )
        .await
        .unwrap();
    let outcome = world
        .send(&[limits_ix(&world, LimitsStep::Withdraw)], &[&admin])
        .await
        .unwrap();
    assert!(
        matches!(&outcome.events[..], [LedgerEvent::ChangeWithdrawn(e)]
        if e.change == ControlChange::Limits { limits: LedgerLimits::INITIAL })
    );
    let stored: Ledger = world.get(&ledger).await;
    assert_eq!(stored.limits, proposed);
    let _ = agency;
}

#[tokio::test]
async fn an_agencys_loosening_takes_the_minimum_notice_the_admin_set() {
    let (mut world, agency) = in_service().await;
    world.appropriation(&agency, 100_000 * UNIT).await;
    let admin = world.admin.insecure_clone();
    world
        .send(&[limits_ix(&world, LimitsStep::Set(TIGHT))], &[&admin])
        .await
        .unwrap();
    let change = ControlChange::Member {
        key: Keypair::new().pubkey(),
        roles: ROLE_BUDGET,
        active: true,
    };
    let propose = builders::ProposeChange {
        agency: agency.agency,
        head: agency.head.pubkey(),
        change,
    };
    let now = world.chain.clock().await.unwrap().unix_timestamp;
    world
        .send(&[propose.instruction()], &[&agency.head])
        .await
        .unwrap();
    let pending: PendingChange = world.get(&propose.pending()).await;
    assert_eq!(
        pending.effective_at,
        now + i64::from(TIGHT.min_change_notice_seconds)
    );

    // A policy change proposed within the ceilings, applied after the ceilings were lowered below it, is refused.
    let within = ApprovalPolicy {
        threshold: 400 * UNIT,
        fast_path_daily_cap: 2_000 * UNIT,
        time_lock_seconds: 0,
        ..POLICY
    };
    world
        .loosen_proposed(&agency, ControlChange::Policy { policy: within })
        .await;
    let lower = LedgerLimits {
        max_fast_path_threshold: 300 * UNIT,
        ..TIGHT
    };
    world
        .send(&[limits_ix(&world, LimitsStep::Set(lower))], &[&admin])
        .await
        .unwrap();
    let apply = builders::ApplyChange {
        agency: agency.agency,
        head: agency.head.pubkey(),
        subject: agency.agency,
    };
    world
        .expect_refused(
            &[apply.instruction()],
            &[&agency.head],
            LedgerError::AboveLedgerCeiling,
            &[agency.agency],
        )
        .await;
    let stored: Agency = world.get(&agency.agency).await;
    assert_eq!(stored.policy, POLICY);
}

/// The limits instructions refuse a missing admin signature, and a paused ledger refuses every change of the
/// limits (the admin's withdrawal of a proposal stays open), each with nothing changed.
#[tokio::test]
async fn the_limits_instructions_refuse_a_missing_signer_and_a_paused_ledger() {
    let (mut world, _agency) = in_service().await;
    let admin = world.admin.insecure_clone();
    let ledger = pda::ledger().0;
    let looser = LedgerLimits {
        min_change_notice_seconds: CHANGE_NOTICE_FLOOR_SECONDS,
        ..LedgerLimits::INITIAL
    };
    world
        .send(&[limits_ix(&world, LimitsStep::Propose(looser))], &[&admin])
        .await
        .unwrap();
    let steps = [
        LimitsStep::Set(TIGHT),
        LimitsStep::Apply,
        LimitsStep::Withdraw,
    ];
    let payer = world.funded().await;
    for step in steps {
        let ix = unsigned(limits_ix(&world, step), &admin.pubkey());
        world
            .expect_refused(
                &[ix],
                &[&payer],
                anchor_lang::error::ErrorCode::AccountNotSigner,
                &[ledger, pda::limits_change()],
            )
            .await;
    }
    let pause = builders::SetPaused {
        admin: admin.pubkey(),
        paused: true,
    };
    world.send(&[pause.instruction()], &[&admin]).await.unwrap();
    world
        .chain
        .advance_clock(MIN_CHANGE_NOTICE_SECONDS)
        .await
        .unwrap();
    for step in [LimitsStep::Set(TIGHT), LimitsStep::Apply] {
        world
            .expect_refused(
                &[limits_ix(&world, step)],
                &[&admin],
                LedgerError::Paused,
                &[ledger, pda::limits_change()],
            )
            .await;
    }
    let stored: Ledger = world.get(&ledger).await;
    assert_eq!(stored.limits, LedgerLimits::INITIAL);
}
