//! Public flags: anyone raises one (and pays its rent), the agency answers, an auditor rules, anyone closes it
//! and the rent goes back to the flagger.

use anchor_lang::prelude::Pubkey;
use public_spending::{
    error::LedgerError,
    state::{Flag, FlagReason, FlagStatus, FlagTarget},
};
use public_spending_sdk::{builders, fetch::AccountSource, pda, LedgerEvent};
use public_spending_tests::*;
use solana_sdk::{
    instruction::Instruction,
    signature::{Keypair, Signer},
};

fn raise(target: Pubkey, kind: FlagTarget, flagger: &Keypair, nonce: u32) -> builders::RaiseFlag {
    builders::RaiseFlag {
        target,
        payment_award: None,
        target_kind: kind,
        flagger: flagger.pubkey(),
        nonce,
        reason: FlagReason::DuplicateInvoice,
        evidence_hash: [0xee; 32],
        payment_index: None,
    }
}

fn respond(flag: Pubkey, agency: Pubkey, who: &Keypair, as_member: bool) -> Instruction {
    builders::RespondToFlag {
        flag,
        agency,
        responder: who.pubkey(),
        as_member,
        response_hash: [0xaa; 32],
    }
    .instruction()
}

fn resolve(flag: Pubkey, who: &Keypair, outcome: FlagStatus) -> Instruction {
    builders::ResolveFlag {
        flag,
        auditor: who.pubkey(),
        outcome,
        note_hash: [0xbb; 32],
    }
    .instruction()
}

/// Agency 075 with an award and an executed fast-path payment, and an outsider with SOL.
async fn setup() -> (World, AgencyFixture, AwardFixture, Keypair) {
    let mut world = World::new().await;
    let fixture = world.agency("075").await;
    let award = world.award(&fixture, b"VENDOR000001", 100 * UNIT).await;
    let outsider = world.funded().await;
    (world, fixture, award, outsider)
}

#[tokio::test]
async fn anyone_flags_the_agency_answers_an_auditor_rules_and_the_flagger_gets_the_rent_back() {
    let (mut world, fixture, award, citizen) = setup().await;
    let before = world
        .chain
        .get_account(&citizen.pubkey())
        .await
        .unwrap()
        .unwrap()
        .lamports;
    let builder = raise(award.keys.award, FlagTarget::Award, &citizen, 0);
    let flag = builder.flag();
    let outcome = world
        .send(&[builder.instruction()], &[&citizen])
        .await
        .unwrap();
    assert!(matches!(&outcome.events[..], [LedgerEvent::FlagRaised(e)]
        if e.flag == flag && e.agency == fixture.agency && e.target == award.keys.award
            && e.reason == FlagReason::DuplicateInvoice && e.flagger == citizen.pubkey()));
    let stored: Flag = world.get(&flag).await;
    assert_eq!(
        (
            stored.status,
            stored.agency,
            stored.target_kind,
            stored.evidence_hash
        ),
        (
            FlagStatus::Open,
            fixture.agency,
            FlagTarget::Award,
            [0xee; 32]
        )
    );
    let rent = world
        .chain
        .get_account(&flag)
        .await
        .unwrap()
        .unwrap()
        .lamports;
    let after = world
        .chain
        .get_account(&citizen.pubkey())
        .await
        .unwrap()
        .unwrap()
        .lamports;
    assert!(before - after >= rent, "the flagger pays the flag's rent");

    // A member answers with their member account; the head answers without one.
    let outcome = world
        .send(
            &[respond(flag, fixture.agency, &fixture.requester, true)],
            &[&fixture.requester],
        )
        .await
        .unwrap();
    assert!(
        matches!(&outcome.events[..], [LedgerEvent::FlagResponded(e)] if e.responder == fixture.requester.pubkey())
    );
    world
        .send(
            &[respond(flag, fixture.agency, &fixture.head, false)],
            &[&fixture.head],
        )
        .await
        .unwrap();
    let stored: Flag = world.get(&flag).await;
    assert_eq!(
        (stored.status, stored.response_hash, stored.responded_by),
        (FlagStatus::Responded, [0xaa; 32], fixture.head.pubkey())
    );

    let auditor = world.auditor.insecure_clone();
    let outcome = world
        .send(
            &[resolve(flag, &auditor, FlagStatus::Dismissed)],
            &[&auditor],
        )
        .await
        .unwrap();
    assert!(
        matches!(&outcome.events[..], [LedgerEvent::FlagResolved(e)] if e.outcome == FlagStatus::Dismissed)
    );

    // Closed by a stranger: the rent still goes to the flagger.
    let stranger = world.funded().await;
    let before = world
        .chain
        .get_account(&citizen.pubkey())
        .await
        .unwrap()
        .unwrap()
        .lamports;
    let close = builders::CloseFlag {
        flag,
        flagger: citizen.pubkey(),
    }
    .instruction();
    let outcome = world.send(&[close], &[&stranger]).await.unwrap();
    assert!(
        matches!(&outcome.events[..], [LedgerEvent::FlagClosed(e)] if e.lamports_returned == rent)
    );
    let after = world
        .chain
        .get_account(&citizen.pubkey())
        .await
        .unwrap()
        .unwrap()
        .lamports;
    assert_eq!(after - before, rent);
    assert!(world.chain.get_account(&flag).await.unwrap().is_none());
}

#[tokio::test]
async fn every_kind_of_target_can_be_flagged_and_a_wrong_kind_is_refused() {
    let (mut world, fixture, award, citizen) = setup().await;
    world
        .send(
            &[builders::RegisterProperty {
                agency: fixture.agency,
                authority: fixture.property_officer.pubkey(),
                rpuid: "075-HQ".into(),
                details: public_spending::state::PropertyDetails {
                    size: 1_000,
                    location: public_spending::state::PropertyLocation {
                        state: *b"MD",
                        city: "Rockville".into(),
                        zip: *b"20852",
                        latitude: None,
                        longitude: None,
                    },
                    ..Default::default()
                },
            }
            .instruction()],
            &[&fixture.property_officer],
        )
        .await
        .unwrap();
    let request = world.request_ix(&fixture, &award, UNIT).await;
    world
        .send(&[request.instruction()], &[&fixture.requester])
        .await
        .unwrap();
    let targets = [
        (request.payment(), FlagTarget::Payment),
        (award.keys.award, FlagTarget::Award),
        (award.keys.recipient, FlagTarget::Recipient),
        (
            pda::property(&fixture.agency, "075-HQ").0,
            FlagTarget::Property,
        ),
    ];
    for (target, kind) in targets {
        let mut builder = raise(target, kind, &citizen, 7);
        // A payment is named by its award and index; its agency is its award's.
        if kind == FlagTarget::Payment {
            builder.payment_award = Some(award.keys.award);
            builder.payment_index = Some(request.index);
        }
        world
            .send(&[builder.instruction()], &[&citizen])
            .await
            .unwrap();
        let stored: Flag = world.get(&builder.flag()).await;
        assert_eq!(
            (stored.target, stored.target_kind, stored.agency),
            (target, kind, fixture.agency)
        );
    }
    // A payment named without its award, or with another award.
    let other = world
        .award_under(
            &fixture,
            award.keys.appropriation,
            award.keys.allotment,
            b"VENDOR000002",
            UNIT,
        )
        .await;
    for payment_award in [None, Some(other.keys.award)] {
        let builder = builders::RaiseFlag {
            payment_award,
            payment_index: Some(request.index),
            ..raise(request.payment(), FlagTarget::Payment, &citizen, 9)
        };
        world
            .expect_refused(
                &[builder.instruction()],
                &[&citizen],
                LedgerError::WrongFlagTarget,
                &[builder.flag()],
            )
            .await;
    }
    // The same target named as another kind, an account of another owner, and no evidence.
    let system_account = citizen.pubkey();
    for (target, kind, error) in [
        (
            award.keys.award,
            FlagTarget::Payment,
            LedgerError::WrongFlagTarget,
        ),
        (
            request.payment(),
            FlagTarget::Property,
            LedgerError::WrongFlagTarget,
        ),
        (
            fixture.agency,
            FlagTarget::Award,
            LedgerError::WrongFlagTarget,
        ),
        (
            system_account,
            FlagTarget::Recipient,
            LedgerError::WrongFlagTarget,
        ),
    ] {
        let builder = raise(target, kind, &citizen, 8);
        world
            .expect_refused(
                &[builder.instruction()],
                &[&citizen],
                error,
                &[builder.flag()],
            )
            .await;
    }
    let mut builder = raise(award.keys.award, FlagTarget::Award, &citizen, 9);
    builder.evidence_hash = [0; 32];
    world
        .expect_refused(
            &[builder.instruction()],
            &[&citizen],
            LedgerError::InvalidEvidenceHash,
            &[builder.flag()],
        )
        .await;
}

#[tokio::test]
async fn a_flag_blocks_nothing_by_itself() {
    let (mut world, fixture, award, citizen) = setup().await;
    let request = world.request_ix(&fixture, &award, 10 * UNIT).await;
    world
        .send(&[request.instruction()], &[&fixture.requester])
        .await
        .unwrap();
    let mut flag = raise(request.payment(), FlagTarget::Payment, &citizen, 0);
    flag.payment_award = Some(award.keys.award);
    flag.payment_index = Some(request.index);
    world
        .send(&[flag.instruction()], &[&citizen])
        .await
        .unwrap();
    let approve = world.decide_ix(
        &fixture,
        &award,
        request.index,
        &fixture.approvers[0],
        builders::PaymentDecision::Approve,
    );
    world
        .send(&[approve], &[&fixture.approvers[0]])
        .await
        .unwrap();
    let execute = world.execute_ix(&fixture, &award, request.index);
    world.send(&[execute], &[&fixture.executor]).await.unwrap();
    let account =
        pda::recipient_token_account(&award.payout_wallet, &world.mint, &anchor_spl::token::ID);
    assert_eq!(world.balance(&account).await, 10 * UNIT);
}

#[tokio::test]
async fn only_the_targets_agency_answers_only_auditors_rule_and_only_final_flags_close_to_their_flagger(
) {
    let (mut world, fixture, award, citizen) = setup().await;
    let other = world.agency("089").await;
    let builder = raise(award.keys.award, FlagTarget::Award, &citizen, 0);
    let flag = builder.flag();
    world
        .send(&[builder.instruction()], &[&citizen])
        .await
        .unwrap();

    // Another agency's head, passing its own agency or this one; another agency's member; an outsider.
    let refusals: [(Instruction, &Keypair, Refusal); 4] = [
        (
            respond(flag, other.agency, &other.head, false),
            &other.head,
            LedgerError::WrongAgency.into(),
        ),
        (
            respond(flag, fixture.agency, &other.head, false),
            &other.head,
            LedgerError::NotActiveMember.into(),
        ),
        // The member account `["member", 075, key]` of a member of 089 does not exist.
        (
            respond(flag, fixture.agency, &other.requester, true),
            &other.requester,
            anchor_lang::error::ErrorCode::AccountNotInitialized.into(),
        ),
        (
            respond(flag, fixture.agency, &citizen, false),
            &citizen,
            LedgerError::NotActiveMember.into(),
        ),
    ];
    for (ix, signer, refusal) in refusals {
        world
            .expect_refused(&[ix], &[signer], refusal, &[flag])
            .await;
    }
    // A member of the other agency passing their own member account against this agency.
    let foreign_member = pda::member(&other.agency, &other.requester.pubkey()).0;
    let mut ix = respond(flag, fixture.agency, &other.requester, true);
    ix.accounts[2].pubkey = foreign_member;
    world
        .expect_refused(
            &[ix],
            &[&other.requester],
            LedgerError::WrongAgency,
            &[flag],
        )
        .await;

    // Only an auditor rules, and only to resolved or dismissed.
    world
        .expect_refused(
            &[resolve(flag, &fixture.head, FlagStatus::Resolved)],
            &[&fixture.head],
            LedgerError::NotAuditor,
            &[flag],
        )
        .await;
    let auditor = world.auditor.insecure_clone();
    for outcome in [FlagStatus::Open, FlagStatus::Responded] {
        world
            .expect_refused(
                &[resolve(flag, &auditor, outcome)],
                &[&auditor],
                LedgerError::InvalidFlagOutcome,
                &[flag],
            )
            .await;
    }

    // An open flag cannot be closed.
    let close_to = |to: Pubkey| builders::CloseFlag { flag, flagger: to }.instruction();
    world
        .expect_refused(
            &[close_to(citizen.pubkey())],
            &[&citizen],
            LedgerError::FlagNotFinal,
            &[flag, citizen.pubkey()],
        )
        .await;
    world
        .send(
            &[resolve(flag, &auditor, FlagStatus::Resolved)],
            &[&auditor],
        )
        .await
        .unwrap();
    // Final: no more answers or rulings, and the rent goes nowhere but to the flagger.
    world
        .expect_refused(
            &[respond(flag, fixture.agency, &fixture.head, false)],
            &[&fixture.head],
            LedgerError::FlagFinal,
            &[flag],
        )
        .await;
    world
        .expect_refused(
            &[resolve(flag, &auditor, FlagStatus::Dismissed)],
            &[&auditor],
            LedgerError::FlagFinal,
            &[flag],
        )
        .await;
    let thief = world.funded().await;
    world
        .expect_refused(
            &[close_to(thief.pubkey())],
            &[&thief],
            LedgerError::WrongRentPayer,
            &[flag, thief.pubkey(), citizen.pubkey()],
        )
        .await;
}

/// A fast-path payment leaves no account, and an archived one none any more: each is flagged by its award and
/// index all the same. An index the award has not given out, or an address that is not the index's, is refused.
#[tokio::test]
async fn a_payment_is_flagged_by_award_and_index_whichever_path_it_went() {
    let (mut world, fixture, award, citizen) = setup().await;
    let policy = public_spending::state::ApprovalPolicy {
        threshold: 50 * UNIT,
        approvals_required: 1,
        time_lock_seconds: 0,
        fast_path_daily_cap: 1_000 * UNIT,
    };
    world
        .loosen(
            &fixture,
            public_spending::state::ControlChange::Policy { policy },
        )
        .await;
    let fast = world.pay_small_ix(&fixture, &award, 5 * UNIT).await;
    world
        .send(&[fast.instruction()], &[&fixture.executor])
        .await
        .unwrap();
    let paid = pda::payment(&award.keys.award, fast.index).0;
    assert!(world.chain.get_account(&paid).await.unwrap().is_none());

    let builder = builders::RaiseFlag {
        reason: FlagReason::DuplicateInvoice,
        evidence_hash: [0xee; 32],
        ..builders::RaiseFlag::payment(award.keys.award, fast.index, citizen.pubkey(), 0)
    };
    let outcome = world
        .send(&[builder.instruction()], &[&citizen])
        .await
        .unwrap();
    assert!(matches!(&outcome.events[..], [LedgerEvent::FlagRaised(e)]
        if e.target == paid && e.target_kind == FlagTarget::Payment && e.agency == fixture.agency));

    // Index 1 has not been given out yet.
    let unknown = builders::RaiseFlag {
        evidence_hash: [0xee; 32],
        ..builders::RaiseFlag::payment(award.keys.award, 1, citizen.pubkey(), 0)
    };
    world
        .expect_refused(
            &[unknown.instruction()],
            &[&citizen],
            LedgerError::UnknownPayment,
            &[unknown.flag()],
        )
        .await;
    // The index's award, but another address; and an index on another kind of target.
    let elsewhere = builders::RaiseFlag {
        target: award.keys.award,
        ..unknown
    };
    let elsewhere = builders::RaiseFlag {
        payment_index: Some(0),
        ..elsewhere
    };
    let on_award = builders::RaiseFlag {
        target_kind: FlagTarget::Award,
        payment_award: None,
        nonce: 3,
        ..builders::RaiseFlag {
            target: award.keys.award,
            ..builders::RaiseFlag::payment(award.keys.award, 0, citizen.pubkey(), 0)
        }
    };
    for builder in [elsewhere, on_award] {
        let builder = builders::RaiseFlag {
            evidence_hash: [0xee; 32],
            ..builder
        };
        world
            .expect_refused(
                &[builder.instruction()],
                &[&citizen],
                LedgerError::WrongFlagTarget,
                &[builder.flag()],
            )
            .await;
    }
}
