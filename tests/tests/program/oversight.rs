use anchor_lang::prelude::Pubkey;
use public_spending::{
    error::LedgerError,
    state::{
        Agency, Award, Exclusion, ExclusionList, ExclusionStatus, OversightArgs, OversightNote,
        OversightReason, Payment,
    },
};
use public_spending_sdk::{
    builders::{self, PaymentDecision},
    pda, LedgerEvent,
};
use public_spending_tests::*;
use solana_sdk::{
    instruction::Instruction,
    signature::{Keypair, Signer},
};

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

/// Every oversight instruction, in both directions, signed by `who` with `grounds`.
fn oversight_ixs(
    fixture: &AgencyFixture,
    award: &AwardFixture,
    payment: Pubkey,
    who: &Keypair,
    grounds: OversightArgs,
) -> Vec<(&'static str, Instruction)> {
    let auditor = who.pubkey();
    let exclusion = |status| {
        builders::SetExclusion {
            uei: award.uei,
            auditor,
            status,
            grounds,
            concurring: None,
        }
        .instruction()
    };
    let frozen = |frozen| {
        builders::SetAgencyFrozen {
            agency: fixture.agency,
            auditor,
            frozen,
            grounds,
            concurring: None,
        }
        .instruction()
    };
    let payment_held = |held| {
        builders::SetPaymentHeld {
            award: award.keys.award,
            payment,
            auditor,
            held,
            grounds,
            concurring: None,
        }
        .instruction()
    };
    let award_held = |held| {
        builders::SetAwardHeld {
            award: award.keys.award,
            auditor,
            held,
            grounds,
            concurring: None,
        }
        .instruction()
    };
    vec![
        ("freeze_agency", frozen(true)),
        ("unfreeze_agency", frozen(false)),
        ("hold_payment", payment_held(true)),
        ("release_payment", payment_held(false)),
        ("hold_award", award_held(true)),
        ("release_award", award_held(false)),
        ("debar_recipient", exclusion(ExclusionStatus::Debarred)),
        ("reinstate_recipient", exclusion(ExclusionStatus::Lifted)),
    ]
}

fn watched(fixture: &AgencyFixture, award: &AwardFixture, payment: Pubkey) -> [Pubkey; 5] {
    [
        fixture.agency,
        award.keys.award,
        payment,
        pda::exclusion(&award.uei).0,
        pda::exclusion_list(),
    ]
}

#[tokio::test]
async fn only_auditors_freeze_hold_and_exclude_and_no_agency_lifts_its_own() {
    let (mut world, fixture, award, payment) = requested_payment().await;
    let auditor = world.auditor.insecure_clone();
    // Put every state in force first, so that the reversals are tried against something real.
    for (name, ix) in oversight_ixs(&fixture, &award, payment, &auditor, grounds()) {
        if [
            "freeze_agency",
            "hold_payment",
            "hold_award",
            "debar_recipient",
        ]
        .contains(&name)
        {
            world.send(&[ix], &[&auditor]).await.unwrap();
        }
    }
    let outsider = world.funded().await;
    for who in [&fixture.head, &fixture.approvers[0], &outsider] {
        for (name, ix) in oversight_ixs(&fixture, &award, payment, who, grounds()) {
            let before = world.snapshot(&watched(&fixture, &award, payment)).await;
            let result = world.send(&[ix], &[who]).await;
            assert_eq!(
                result.as_ref().err().and_then(|e| e.code()),
                Some(u32::from(LedgerError::NotAuditor)),
                "{name} by a non-auditor: {result:?}"
            );
            assert_eq!(
                world.snapshot(&watched(&fixture, &award, payment)).await,
                before
            );
        }
    }
}

#[tokio::test]
async fn every_oversight_action_records_its_reason_and_evidence_on_the_account_and_in_the_event() {
    let (mut world, fixture, award, payment) = requested_payment().await;
    let auditor = world.auditor.insecure_clone();
    let reasons = [
        OversightReason::SuspectedFraud,
        OversightReason::Duplicate,
        OversightReason::MissingDocumentation,
        OversightReason::CourtOrder,
        OversightReason::AuditFinding,
        OversightReason::Other,
        OversightReason::SuspectedFraud,
        OversightReason::CourtOrder,
    ];
    world.chain.set_unix_timestamp(1_800_000_000).await.unwrap();
    for (step, reason) in reasons.into_iter().enumerate() {
        let grounds = OversightArgs {
            reason,
            evidence_hash: [step as u8 + 1; 32],
        };
        let (name, ix) = oversight_ixs(&fixture, &award, payment, &auditor, grounds).remove(step);
        let outcome = world.send(&[ix], &[&auditor]).await.unwrap();
        let expected = OversightNote {
            reason,
            evidence_hash: grounds.evidence_hash,
            at: 1_800_000_000,
        };
        let (stored, event) = match (&outcome.events[..], name) {
            ([LedgerEvent::AgencyFreezeSet(e)], _) => (
                world.get::<Agency>(&fixture.agency).await.freeze_note,
                (e.reason, e.evidence_hash, e.auditor),
            ),
            ([LedgerEvent::PaymentHoldSet(e)], _) => {
                // The payment keeps the reason and the evidence; the time is in the event's transaction.
                let stored = world.get::<Payment>(&payment).await;
                (
                    OversightNote {
                        reason: stored.hold_reason,
                        evidence_hash: stored.hold_evidence_hash,
                        at: 1_800_000_000,
                    },
                    (e.reason, e.evidence_hash, e.auditor),
                )
            }
            ([LedgerEvent::AwardHoldSet(e)], _) => (
                world.get::<Award>(&award.keys.award).await.hold_note,
                (e.reason, e.evidence_hash, e.auditor),
            ),
            ([LedgerEvent::ExclusionSet(e)], _) => {
                let exclusion: Exclusion = world.get(&pda::exclusion(&award.uei).0).await;
                assert_eq!(
                    (exclusion.auditor, exclusion.change_count),
                    (auditor.pubkey(), step as u32 - 5)
                );
                (exclusion.note, (e.reason, e.evidence_hash, e.auditor))
            }
            (other, name) => panic!("{name} emitted {other:?}"),
        };
        assert_eq!(stored, expected, "{name}");
        assert_eq!(
            event,
            (reason, grounds.evidence_hash, auditor.pubkey()),
            "{name}"
        );
    }
}

#[tokio::test]
async fn oversight_without_evidence_or_without_effect_is_refused() {
    let (mut world, fixture, award, payment) = requested_payment().await;
    let auditor = world.auditor.insecure_clone();
    let no_evidence = OversightArgs {
        reason: OversightReason::Other,
        evidence_hash: [0; 32],
    };
    for (name, ix) in oversight_ixs(&fixture, &award, payment, &auditor, no_evidence) {
        // The reversals fail first on there being nothing to reverse.
        let expected = match name {
            "unfreeze_agency" => LedgerError::FreezeUnchanged,
            "release_payment" | "release_award" => LedgerError::NotHeld,
            "reinstate_recipient" => {
                // No exclusion account exists yet: Anchor refuses the missing account.
                let result = world.send(&[ix], &[&auditor]).await;
                assert_code(
                    &result,
                    anchor_lang::error::ErrorCode::AccountNotInitialized.into(),
                );
                continue;
            }
            _ => LedgerError::InvalidEvidenceHash,
        };
        world
            .expect_refused(
                &[ix],
                &[&auditor],
                expected,
                &watched(&fixture, &award, payment),
            )
            .await;
    }
    // Twice in the same direction.
    let ixs = oversight_ixs(&fixture, &award, payment, &auditor, grounds());
    for (name, ix) in &ixs {
        if [
            "freeze_agency",
            "hold_payment",
            "hold_award",
            "debar_recipient",
        ]
        .contains(name)
        {
            world
                .send(std::slice::from_ref(ix), &[&auditor])
                .await
                .unwrap();
        }
    }
    for (name, expected) in [
        ("freeze_agency", LedgerError::FreezeUnchanged),
        ("hold_payment", LedgerError::AlreadyHeld),
        ("hold_award", LedgerError::AlreadyHeld),
        ("debar_recipient", LedgerError::RecipientStatusUnchanged),
    ] {
        let ix = ixs.iter().find(|(n, _)| *n == name).unwrap().1.clone();
        world
            .expect_refused(
                &[ix],
                &[&auditor],
                expected,
                &watched(&fixture, &award, payment),
            )
            .await;
    }
    // An exclusion is suspended or debarred; lifting goes through reinstate_recipient.
    let ix = builders::SetExclusion {
        uei: award.uei,
        auditor: auditor.pubkey(),
        status: ExclusionStatus::Suspended,
        grounds: grounds(),
        concurring: None,
    }
    .instruction();
    let mut raw = ix.clone();
    // Rewrite the status byte of the encoded args (discriminator 8, uei 12, then the status).
    raw.data[8 + 12] = 0;
    world
        .expect_refused(
            &[raw],
            &[&auditor],
            LedgerError::InvalidExclusionStatus,
            &watched(&fixture, &award, payment),
        )
        .await;
}

#[tokio::test]
async fn a_frozen_agency_cannot_act() {
    let (mut world, fixture, _award, _payment) = requested_payment().await;
    let auditor = world.auditor.insecure_clone();
    let freeze = builders::SetAgencyFrozen {
        agency: fixture.agency,
        auditor: auditor.pubkey(),
        frozen: true,
        grounds: grounds(),
        concurring: None,
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
async fn a_held_payment_can_be_neither_cancelled_nor_rejected_nor_executed_until_released() {
    let (mut world, fixture, award, payment) = requested_payment().await;
    let auditor = world.auditor.insecure_clone();
    let hold = |held| {
        builders::SetPaymentHeld {
            award: award.keys.award,
            payment,
            auditor: auditor.pubkey(),
            held,
            grounds: grounds(),
            concurring: None,
        }
        .instruction()
    };
    let approve = world.decide_ix(
        &fixture,
        &award,
        0,
        &fixture.approvers[0],
        PaymentDecision::Approve,
    );
    world
        .send(&[approve], &[&fixture.approvers[0]])
        .await
        .unwrap();
    world.send(&[hold(true)], &[&auditor]).await.unwrap();
    let watched = [payment, award.keys.award, fixture.treasury];
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
        &fixture.approvers[1],
        PaymentDecision::Reject,
    );
    let execute = world.execute_ix(&fixture, &award, 0);
    for (ix, signer) in [
        (cancel_by_requester, &fixture.requester),
        (cancel_by_head, &fixture.head),
        (reject, &fixture.approvers[1]),
        (execute, &fixture.executor),
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
    let award_state: Award = world.get(&award.keys.award).await;
    assert_eq!(award_state.in_flight, 0);
}

#[tokio::test]
async fn a_held_award_takes_no_request_no_fast_path_payment_and_no_execution_until_released() {
    let (mut world, fixture, award, _payment) = requested_payment().await;
    // Fewer approvals and no time lock loosen the policy of an agency in service: on notice.
    world
        .loosen(
            &fixture,
            public_spending::state::ControlChange::Policy {
                policy: public_spending::state::ApprovalPolicy {
                    threshold: 10 * UNIT,
                    approvals_required: 1,
                    time_lock_seconds: 0,
                    fast_path_daily_cap: 100 * UNIT,
                },
            },
        )
        .await;
    // A small payment requested before the hold: approved at once, executable.
    let small = world.request_ix(&fixture, &award, UNIT).await;
    world
        .send(&[small.instruction()], &[&fixture.requester])
        .await
        .unwrap();
    let auditor = world.auditor.insecure_clone();
    let hold = |held| {
        builders::SetAwardHeld {
            award: award.keys.award,
            auditor: auditor.pubkey(),
            held,
            grounds: grounds(),
            concurring: None,
        }
        .instruction()
    };
    let outcome = world.send(&[hold(true)], &[&auditor]).await.unwrap();
    assert!(
        matches!(&outcome.events[..], [LedgerEvent::AwardHoldSet(e)] if e.held && e.award == award.keys.award)
    );
    let request = world.request_ix(&fixture, &award, UNIT).await;
    let pay_small = world.pay_small_ix(&fixture, &award, UNIT).await;
    let execute = world.execute_ix(&fixture, &award, small.index);
    let watched = [
        award.keys.award,
        fixture.agency,
        fixture.treasury,
        request.payment(),
        small.payment(),
    ];
    for (ix, signer) in [
        (request.instruction(), &fixture.requester),
        (pay_small.instruction(), &fixture.executor),
        (execute.clone(), &fixture.executor),
    ] {
        world
            .expect_refused(&[ix], &[signer], LedgerError::AwardHeld, &watched)
            .await;
    }
    world.send(&[hold(false)], &[&auditor]).await.unwrap();
    world.send(&[execute], &[&fixture.executor]).await.unwrap();
    assert_eq!(world.get::<Award>(&award.keys.award).await.outlayed, UNIT);
}

#[tokio::test]
async fn an_excluded_uei_is_refused_in_every_agency_until_lifted() {
    let mut world = World::new().await;
    let uei = *b"SHAREDVENDOR";
    let agencies = [world.agency("075").await, world.agency("089").await];
    let mut awards = Vec::new();
    for fixture in &agencies {
        world
            .set_policy(
                fixture,
                public_spending::state::ApprovalPolicy {
                    threshold: 10 * UNIT,
                    approvals_required: 1,
                    time_lock_seconds: 0,
                    fast_path_daily_cap: 100 * UNIT,
                },
            )
            .await;
        awards.push(world.award(fixture, &uei, 100 * UNIT).await);
    }
    let auditor = world.auditor.insecure_clone();
    let debar = world.exclusion_ix(&uei, ExclusionStatus::Debarred);
    world.send(&[debar], &[&auditor]).await.unwrap();
    for (fixture, award) in agencies.iter().zip(&awards) {
        let pay_small = world.pay_small_ix(fixture, award, UNIT).await;
        let obligate = world.obligate_ix(
            fixture,
            award.keys.appropriation,
            award.keys.allotment,
            &uei,
            "AWD-NEW",
            UNIT,
        );
        let watched = [
            fixture.agency,
            fixture.treasury,
            award.keys.award,
            award.keys.allotment,
            pay_small.payment(),
            pda::award(&fixture.agency, "AWD-NEW").0,
        ];
        for (ix, signer) in [
            (pay_small.instruction(), &fixture.executor),
            (obligate, &fixture.obligor),
        ] {
            world
                .expect_refused(&[ix], &[signer], LedgerError::RecipientNotActive, &watched)
                .await;
        }
    }
    // An exclusion account passed anywhere but its canonical address is refused by its seeds.
    let other = pda::exclusion(b"OTHERVENDOR1").0;
    let builder = world.pay_small_ix(&agencies[0], &awards[0], UNIT).await;
    let ix = swap_account(builder.instruction(), &pda::exclusion(&uei).0, &other);
    world
        .expect_refused(
            &[ix],
            &[&agencies[0].executor],
            anchor_lang::error::ErrorCode::ConstraintSeeds,
            &[agencies[0].treasury],
        )
        .await;

    let lift = world.exclusion_ix(&uei, ExclusionStatus::Lifted);
    world.send(&[lift], &[&auditor]).await.unwrap();
    for (fixture, award) in agencies.iter().zip(&awards) {
        let pay_small = world.pay_small_ix(fixture, award, UNIT).await;
        world
            .send(&[pay_small.instruction()], &[&fixture.executor])
            .await
            .unwrap();
        let wallet =
            pda::recipient_token_account(&award.payout_wallet, &world.mint, &anchor_spl::token::ID);
        assert_eq!(world.balance(&wallet).await, UNIT);
    }
}

/// A `pay_batch` of one payment of 1 unit on `award` at index 1 (after the requested payment at index 0).
fn one_payment_batch(world: &World, fixture: &AgencyFixture, award: &AwardFixture) -> Instruction {
    builders::PayBatch {
        agency: fixture.agency,
        executor: fixture.executor.pubkey(),
        payment_mint: world.mint,
        token_program: anchor_spl::token::ID,
        items: vec![builders::BatchItem {
            keys: award.keys,
            payout: world.payout(award),
            index: 1,
            amount: UNIT,
            invoice_hash: [2; 32],
        }],
    }
    .instruction()
}

/// The ledger's exclusion list, as decoded from its account, and the account's raw bytes and lamports.
async fn exclusion_list(world: &World) -> (ExclusionList, solana_sdk::account::Account) {
    let key = pda::exclusion_list();
    let account = world
        .snapshot(&[key])
        .await
        .remove(0)
        .expect("exclusion list");
    (world.get::<ExclusionList>(&key).await, account)
}

#[tokio::test]
async fn the_exclusion_list_holds_exactly_the_ueis_in_force_after_every_change() {
    use ExclusionStatus::{Debarred, Lifted, Suspended};
    let mut world = World::new().await;
    let auditor = world.auditor.insecure_clone();
    let (list, account) = exclusion_list(&world).await;
    assert_eq!(
        list.ueis,
        Vec::<[u8; 12]>::new(),
        "a new ledger excludes no one"
    );
    assert_eq!(account.data.len(), ExclusionList::HEADER);

    // Entries land before, after and between others; suspended to debarred stays one entry; a lift in the
    // middle closes the gap, and the room it leaves serves the next exclusion without more rent.
    let (a, g, m, z) = (
        *b"AAAAAAAAAAA1",
        *b"GGGGGGGGGGG1",
        *b"MMMMMMMMMMM1",
        *b"ZZZZZZZZZZZ1",
    );
    let steps = [
        (m, Debarred),
        (a, Suspended),
        (z, Debarred),
        (a, Debarred),
        (m, Lifted),
        (g, Suspended),
        (m, Debarred),
        (a, Lifted),
        (z, Lifted),
        (m, Lifted),
        (g, Lifted),
        (z, Suspended),
    ];
    let mut most_in_force = 0;
    for (step, (uei, status)) in steps.into_iter().enumerate() {
        let auditor_before = world.snapshot(&[auditor.pubkey()]).await;
        let (_, list_before) = exclusion_list(&world).await;
        let ix = world.exclusion_ix(&uei, status);
        world.send(&[ix], &[&auditor]).await.unwrap();

        let mut in_force = Vec::new();
        for uei in [a, g, m, z] {
            let record = pda::exclusion(&uei).0;
            let exists = world.snapshot(&[record]).await[0].is_some();
            if exists && world.get::<Exclusion>(&record).await.in_force() {
                in_force.push(uei);
            }
        }
        let (list, account) = exclusion_list(&world).await;
        assert_eq!(
            list.ueis, in_force,
            "step {step}: the list is the records in force, ascending"
        );
        most_in_force = most_in_force.max(in_force.len());
        assert_eq!(
            account.data.len(),
            ExclusionList::HEADER + 12 * most_in_force,
            "step {step}: the account grows only when it has no room"
        );
        assert!(
            account.data[ExclusionList::HEADER + 12 * in_force.len()..]
                .iter()
                .all(|b| *b == 0),
            "step {step}: the room left by a lift is zeroed"
        );
        assert_eq!(
            account.lamports,
            solana_sdk::rent::Rent::default().minimum_balance(account.data.len()),
            "step {step}: the list holds exactly its rent"
        );
        // The auditor (not the fee payer here) paid the record's rent the first time, and the list's growth:
        // nothing else.
        let grown = account.lamports - list_before.lamports;
        let auditor_after = world.snapshot(&[auditor.pubkey()]).await;
        let lamports = |a: &[Option<solana_sdk::account::Account>]| a[0].as_ref().unwrap().lamports;
        let paid = lamports(&auditor_before) - lamports(&auditor_after);
        let first_time = step < 3 || uei == g && status == Suspended;
        let record_rent = if first_time {
            solana_sdk::rent::Rent::default().minimum_balance(Exclusion::SPACE)
        } else {
            0
        };
        assert_eq!(
            paid,
            record_rent + grown,
            "step {step}: what the auditor paid"
        );
    }
}

#[tokio::test]
async fn an_exclusion_list_at_another_address_or_missing_is_refused() {
    let (mut world, fixture, award, payment) = requested_payment().await;
    let auditor = world.auditor.insecure_clone();
    let batch = one_payment_batch(&world, &fixture, &award);
    world
        .send(
            &[world.exclusion_ix(&award.uei, ExclusionStatus::Suspended)],
            &[&auditor],
        )
        .await
        .unwrap();
    let cases = [
        (
            "debar_recipient",
            world.exclusion_ix(&award.uei, ExclusionStatus::Debarred),
            &auditor,
        ),
        (
            "reinstate_recipient",
            world.exclusion_ix(&award.uei, ExclusionStatus::Lifted),
            &auditor,
        ),
        ("pay_batch", batch, &fixture.executor),
    ];
    let mut all = watched(&fixture, &award, payment).to_vec();
    all.extend([fixture.treasury, award.keys.allotment]);
    // Another account of the program in the list's place: the seeds refuse it.
    for (name, ix, signer) in &cases {
        let ix = swap_account(ix.clone(), &pda::exclusion_list(), &fixture.agency);
        let before = world.snapshot(&all).await;
        let result = world.send(&[ix], &[*signer]).await;
        assert_eq!(
            result.as_ref().err().and_then(|e| e.code()),
            Some(u32::from(anchor_lang::error::ErrorCode::ConstraintSeeds)),
            "{name}: {result:?}"
        );
        assert_eq!(world.snapshot(&all).await, before, "{name} changed state");
    }
    // A ledger without its list (as one initialized before the list existed): nothing that reads or keeps it
    // goes ahead, so no batch pays a UEI an auditor excluded.
    world
        .chain
        .set_account(
            &pda::exclusion_list(),
            solana_sdk::account::Account::default(),
        )
        .unwrap();
    for (name, ix, signer) in cases {
        let before = world.snapshot(&all).await;
        let result = world.send(&[ix], &[signer]).await;
        assert_eq!(
            result.as_ref().err().and_then(|e| e.code()),
            Some(u32::from(anchor_lang::error::ErrorCode::ConstraintOwner)),
            "{name}: {result:?}"
        );
        assert_eq!(world.snapshot(&all).await, before, "{name} changed state");
    }
}

/// Every instruction this issue added refuses a transaction its authority did not sign, changing nothing.
#[tokio::test]
async fn the_new_instructions_refuse_a_missing_signer() {
    let (mut world, fixture, award, payment) = requested_payment().await;
    let auditor = world.auditor.pubkey();
    // A suspension in force, so that lifting it is refused only for want of the auditor's signature.
    let suspend = world.exclusion_ix(&award.uei, ExclusionStatus::Suspended);
    let signer = world.auditor.insecure_clone();
    world.send(&[suspend], &[&signer]).await.unwrap();
    let citizen = world.funded().await.pubkey();
    let flag = builders::RaiseFlag {
        target: award.keys.award,
        payment_award: None,
        target_kind: public_spending::state::FlagTarget::Award,
        flagger: citizen,
        nonce: 0,
        reason: public_spending::state::FlagReason::Price,
        evidence_hash: [1; 32],
        payment_index: None,
    };
    let cases: Vec<(&str, Instruction, Pubkey)> = vec![
        (
            "hold_award",
            builders::SetAwardHeld {
                award: award.keys.award,
                auditor,
                held: true,
                grounds: grounds(),
                concurring: None,
            }
            .instruction(),
            auditor,
        ),
        (
            "debar_recipient",
            world.exclusion_ix(&award.uei, ExclusionStatus::Debarred),
            auditor,
        ),
        (
            "reinstate_recipient",
            world.exclusion_ix(&award.uei, ExclusionStatus::Lifted),
            auditor,
        ),
        (
            "hold_payment",
            builders::SetPaymentHeld {
                award: award.keys.award,
                payment,
                auditor,
                held: true,
                grounds: grounds(),
                concurring: None,
            }
            .instruction(),
            auditor,
        ),
        ("raise_flag", flag.instruction(), citizen),
        (
            "propose_payout_wallet",
            builders::ChangePayoutWallet {
                agency: fixture.agency,
                recipient: award.keys.recipient,
                authority: fixture.obligor.pubkey(),
                step: builders::WalletStep::Propose(citizen),
            }
            .instruction(),
            fixture.obligor.pubkey(),
        ),
        (
            "register_property",
            builders::RegisterProperty {
                agency: fixture.agency,
                authority: fixture.property_officer.pubkey(),
                rpuid: "075-HQ".into(),
                details: Default::default(),
            }
            .instruction(),
            fixture.property_officer.pubkey(),
        ),
        (
            "pay_batch",
            one_payment_batch(&world, &fixture, &award),
            fixture.executor.pubkey(),
        ),
    ];
    let watched = [
        fixture.agency,
        fixture.treasury,
        award.keys.award,
        award.keys.recipient,
        payment,
        pda::exclusion(&award.uei).0,
        pda::exclusion_list(),
        flag.flag(),
        pda::property(&fixture.agency, "075-HQ").0,
    ];
    for (name, ix, key) in cases {
        let before = world.snapshot(&watched).await;
        let result = world.send(&[unsigned(ix, &key)], &[]).await;
        assert_eq!(
            result.as_ref().err().and_then(|e| e.code()),
            Some(u32::from(anchor_lang::error::ErrorCode::AccountNotSigner)),
            "{name}: {result:?}"
        );
        assert_eq!(
            world.snapshot(&watched).await,
            before,
            "{name} changed state"
        );
    }
}
