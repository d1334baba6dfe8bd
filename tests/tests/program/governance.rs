use anchor_lang::error::ErrorCode;
use public_spending::{
    constants::AUDITOR_CHANGE_NOTICE_SECONDS,
    error::LedgerError,
    state::{ControlChange, Ledger},
};
use public_spending_sdk::{builders, fetch::AccountSource, pda, LedgerEvent};
use public_spending_tests::*;
use solana_sdk::signature::{Keypair, Signer};

#[tokio::test]
async fn initialize_ledger_records_admin_mint_and_decimals() {
    let mut world = World::without_ledger().await;
    let ix = world.initialize_ledger_ix();
    let admin = world.admin.insecure_clone();
    let outcome = world.send(&[ix], &[&admin]).await.unwrap();

    let ledger: Ledger = world.get(&pda::ledger().0).await;
    assert_eq!(ledger.admin, admin.pubkey());
    assert_eq!(ledger.payment_mint, world.mint);
    assert_eq!(ledger.mint_decimals, DECIMALS);
    assert_eq!(ledger.pending_admin, None);
    assert!(!ledger.paused && ledger.auditors.is_empty() && ledger.agency_count == 0);
    let list: public_spending::state::ExclusionList = world.get(&pda::exclusion_list()).await;
    let (_, bump) = anchor_lang::prelude::Pubkey::find_program_address(
        &[public_spending::constants::EXCLUSION_LIST_SEED],
        &public_spending::ID,
    );
    assert_eq!(
        (list.version, list.bump, list.ueis.len()),
        (1, bump, 0),
        "the exclusion list is created empty with the ledger"
    );
    let event = the_event(&outcome, |e| match e {
        LedgerEvent::LedgerInitialized(e) => Some(e.clone()),
        _ => None,
    });
    assert_eq!(
        (event.admin, event.payment_mint, event.mint_decimals),
        (admin.pubkey(), world.mint, DECIMALS)
    );
}

#[tokio::test]
async fn initialize_ledger_twice_is_refused() {
    let mut world = World::new().await;
    let other = world.funded().await;
    let ix = builders::InitializeLedger {
        admin: other.pubkey(),
        payment_mint: world.mint,
        token_program: anchor_spl::token::spl_token::ID,
    }
    .instruction();
    world
        .expect_refused(
            &[ix],
            &[&other],
            ALREADY_EXISTS,
            &[pda::ledger().0, pda::exclusion_list()],
        )
        .await;
}

#[tokio::test]
async fn initialize_ledger_requires_the_admin_signature() {
    let mut world = World::without_ledger().await;
    let ix = unsigned(world.initialize_ledger_ix(), &world.admin.pubkey());
    world
        .expect_refused(
            &[ix],
            &[],
            ErrorCode::AccountNotSigner,
            &[pda::ledger().0, pda::exclusion_list()],
        )
        .await;
}

#[tokio::test]
async fn admin_handover_takes_two_steps() {
    let mut world = World::new().await;
    let successor = world.funded().await;
    let admin = world.admin.insecure_clone();
    let propose = builders::ProposeAdmin {
        admin: admin.pubkey(),
        new_admin: successor.pubkey(),
    }
    .instruction();
    let outcome = world.send(&[propose], &[&admin]).await.unwrap();
    assert!(
        matches!(&outcome.events[..], [LedgerEvent::AdminProposed(e)] if e.pending_admin == successor.pubkey())
    );
    let ledger: Ledger = world.get(&pda::ledger().0).await;
    assert_eq!(
        (ledger.admin, ledger.pending_admin),
        (admin.pubkey(), Some(successor.pubkey()))
    );

    let accept = builders::AcceptAdmin {
        new_admin: successor.pubkey(),
    }
    .instruction();
    let outcome = world.send(&[accept], &[&successor]).await.unwrap();
    assert!(matches!(&outcome.events[..],
        [LedgerEvent::AdminAccepted(e)] if e.previous_admin == admin.pubkey() && e.admin == successor.pubkey()));
    let ledger: Ledger = world.get(&pda::ledger().0).await;
    assert_eq!(
        (ledger.admin, ledger.pending_admin),
        (successor.pubkey(), None)
    );

    // The old admin has lost its powers.
    let pause = builders::SetPaused {
        admin: admin.pubkey(),
        paused: true,
    }
    .instruction();
    world
        .expect_refused(
            &[pause],
            &[&admin],
            LedgerError::NotLedgerAdmin,
            &[pda::ledger().0],
        )
        .await;
}

#[tokio::test]
async fn outsider_can_neither_propose_nor_accept_admin() {
    let mut world = World::new().await;
    let outsider = world.funded().await;
    let ledger = pda::ledger().0;
    let propose = builders::ProposeAdmin {
        admin: outsider.pubkey(),
        new_admin: outsider.pubkey(),
    }
    .instruction();
    world
        .expect_refused(
            &[propose],
            &[&outsider],
            LedgerError::NotLedgerAdmin,
            &[ledger],
        )
        .await;

    let accept = builders::AcceptAdmin {
        new_admin: outsider.pubkey(),
    }
    .instruction();
    world
        .expect_refused(
            std::slice::from_ref(&accept),
            &[&outsider],
            LedgerError::NoPendingAdmin,
            &[ledger],
        )
        .await;

    let successor = Keypair::new();
    let admin = world.admin.insecure_clone();
    let propose = builders::ProposeAdmin {
        admin: admin.pubkey(),
        new_admin: successor.pubkey(),
    }
    .instruction();
    world.send(&[propose], &[&admin]).await.unwrap();
    world
        .expect_refused(
            &[accept],
            &[&outsider],
            LedgerError::NotPendingAdmin,
            &[ledger],
        )
        .await;
}

#[tokio::test]
async fn propose_admin_requires_the_admin_signature() {
    let mut world = World::new().await;
    let admin = world.admin.pubkey();
    let ix = unsigned(
        builders::ProposeAdmin {
            admin,
            new_admin: Keypair::new().pubkey(),
        }
        .instruction(),
        &admin,
    );
    world
        .expect_refused(
            &[ix],
            &[],
            ErrorCode::AccountNotSigner,
            &[pda::ledger().0, pda::exclusion_list()],
        )
        .await;
}

#[tokio::test]
async fn set_auditors_replaces_the_list_within_bounds() {
    let mut world = World::new().await;
    let admin = world.admin.insecure_clone();
    // Adding to the auditors in office applies at once.
    let mut auditors = vec![world.auditor.pubkey()];
    auditors.extend((0..4).map(|_| Keypair::new().pubkey()));
    let ix = builders::SetAuditors {
        admin: admin.pubkey(),
        auditors: auditors.clone(),
    }
    .instruction();
    let outcome = world.send(&[ix], &[&admin]).await.unwrap();
    assert!(matches!(&outcome.events[..], [LedgerEvent::AuditorsSet(e)] if e.auditors == auditors));
    assert_eq!(
        world.get::<Ledger>(&pda::ledger().0).await.auditors,
        auditors
    );

    let ledger = pda::ledger().0;
    let six: Vec<_> = (0..6).map(|_| Keypair::new().pubkey()).collect();
    let ix = builders::SetAuditors {
        admin: admin.pubkey(),
        auditors: six,
    }
    .instruction();
    world
        .expect_refused(&[ix], &[&admin], LedgerError::TooManyAuditors, &[ledger])
        .await;

    let twice = vec![auditors[0], auditors[0]];
    let ix = builders::SetAuditors {
        admin: admin.pubkey(),
        auditors: twice,
    }
    .instruction();
    world
        .expect_refused(&[ix], &[&admin], LedgerError::InvalidAuditor, &[ledger])
        .await;

    let default_key = vec![anchor_lang::prelude::Pubkey::default()];
    let ix = builders::SetAuditors {
        admin: admin.pubkey(),
        auditors: default_key,
    }
    .instruction();
    world
        .expect_refused(&[ix], &[&admin], LedgerError::InvalidAuditor, &[ledger])
        .await;

    let outsider = world.funded().await;
    let ix = builders::SetAuditors {
        admin: outsider.pubkey(),
        auditors: vec![outsider.pubkey()],
    }
    .instruction();
    world
        .expect_refused(&[ix], &[&outsider], LedgerError::NotLedgerAdmin, &[ledger])
        .await;
}

/// Removing an auditor disarms oversight: refused when done directly, it is proposed, seen by the auditors in
/// office for a week (during which the auditor still acts), and applied by the admin after it.
#[tokio::test]
async fn removing_an_auditor_takes_a_weeks_notice() {
    let mut world = World::new().await;
    let fixture = world.agency("075").await;
    let admin = world.admin.insecure_clone();
    let removed = world.auditor.insecure_clone();
    let successor = Keypair::new().pubkey();
    let ledger = pda::ledger().0;
    let pending = pda::auditors_change();
    let direct = builders::SetAuditors {
        admin: admin.pubkey(),
        auditors: vec![successor],
    }
    .instruction();
    world
        .expect_refused(
            &[direct],
            &[&admin],
            LedgerError::LooseningNeedsNotice,
            &[ledger, pending],
        )
        .await;

    let outsider = world.funded().await;
    let foreign = builders::ProposeAuditors {
        admin: outsider.pubkey(),
        auditors: vec![outsider.pubkey()],
    };
    world
        .expect_refused(
            &[foreign.instruction()],
            &[&outsider],
            LedgerError::NotLedgerAdmin,
            &[ledger, pending],
        )
        .await;
    let now = world.chain.clock().await.unwrap().unix_timestamp;
    let propose = builders::ProposeAuditors {
        admin: admin.pubkey(),
        auditors: vec![successor],
    };
    let outcome = world
        .send(&[propose.instruction()], &[&admin])
        .await
        .unwrap();
    assert!(
        matches!(&outcome.events[..], [LedgerEvent::ChangeProposed(e)]
        if e.change == ControlChange::Auditors { auditors: vec![successor] } && e.agency == ledger
            && e.effective_at == now + AUDITOR_CHANGE_NOTICE_SECONDS)
    );

    // Meanwhile the auditor in office still acts.
    let freeze = builders::SetAgencyFrozen {
        agency: fixture.agency,
        auditor: removed.pubkey(),
        frozen: true,
        grounds: grounds(),
        concurring: None,
    };
    world
        .send(&[freeze.instruction()], &[&removed])
        .await
        .unwrap();
    let apply = builders::ApplyAuditors {
        admin: admin.pubkey(),
    };
    world
        .chain
        .advance_clock(AUDITOR_CHANGE_NOTICE_SECONDS - 1)
        .await
        .unwrap();
    world
        .expect_refused(
            &[apply.instruction()],
            &[&admin],
            LedgerError::NoticeNotOver,
            &[ledger, pending],
        )
        .await;
    world.chain.advance_clock(1).await.unwrap();
    world
        .expect_refused(
            &[builders::ApplyAuditors {
                admin: outsider.pubkey(),
            }
            .instruction()],
            &[&outsider],
            LedgerError::NotLedgerAdmin,
            &[ledger, pending],
        )
        .await;
    let outcome = world.send(&[apply.instruction()], &[&admin]).await.unwrap();
    assert!(
        matches!(&outcome.events[..], [LedgerEvent::ChangeApplied(_), LedgerEvent::AuditorsSet(e)]
        if e.auditors == vec![successor])
    );
    assert_eq!(world.get::<Ledger>(&ledger).await.auditors, vec![successor]);
    assert!(world.chain.get_account(&pending).await.unwrap().is_none());
    let unfreeze = builders::SetAgencyFrozen {
        frozen: false,
        ..freeze
    };
    world
        .expect_refused(
            &[unfreeze.instruction()],
            &[&removed],
            LedgerError::NotAuditor,
            &[fixture.agency],
        )
        .await;
}

#[tokio::test]
async fn pause_stops_every_state_change_until_unpause() {
    let mut world = World::new().await;
    let fixture = world.agency("075").await;
    let appropriation = world.appropriation(&fixture, 1_000 * UNIT).await;
    let admin = world.admin.insecure_clone();
    let ledger = pda::ledger().0;

    let outsider = world.funded().await;
    let ix = builders::SetPaused {
        admin: outsider.pubkey(),
        paused: true,
    }
    .instruction();
    world
        .expect_refused(&[ix], &[&outsider], LedgerError::NotLedgerAdmin, &[ledger])
        .await;
    let ix = builders::SetPaused {
        admin: admin.pubkey(),
        paused: false,
    }
    .instruction();
    world
        .expect_refused(&[ix], &[&admin], LedgerError::NotPaused, &[ledger])
        .await;

    let pause = builders::SetPaused {
        admin: admin.pubkey(),
        paused: true,
    }
    .instruction();
    let outcome = world
        .send(std::slice::from_ref(&pause), &[&admin])
        .await
        .unwrap();
    assert!(matches!(&outcome.events[..], [LedgerEvent::PauseSet(e)] if e.paused));
    assert!(world.get::<Ledger>(&ledger).await.paused);

    let watched = [ledger, fixture.agency, appropriation];
    world
        .expect_refused(&[pause], &[&admin], LedgerError::Paused, &watched)
        .await;
    let ix = world.register_agency_ix("076", "Another", admin.pubkey());
    world
        .expect_refused(&[ix], &[&admin], LedgerError::Paused, &watched)
        .await;
    let ix = builders::SetAuditors {
        admin: admin.pubkey(),
        auditors: vec![],
    }
    .instruction();
    world
        .expect_refused(&[ix], &[&admin], LedgerError::Paused, &watched)
        .await;
    let ix = builders::ProposeAdmin {
        admin: admin.pubkey(),
        new_admin: outsider.pubkey(),
    }
    .instruction();
    world
        .expect_refused(&[ix], &[&admin], LedgerError::Paused, &watched)
        .await;
    let ix = fixture.set_member_ix(outsider.pubkey(), 1, true);
    world
        .expect_refused(&[ix], &[&fixture.head], LedgerError::Paused, &watched)
        .await;
    let ix = world.allot_ix(&fixture, appropriation, UNIT).await;
    world
        .expect_refused(&[ix], &[&fixture.budget], LedgerError::Paused, &watched)
        .await;
    let ix = world
        .appropriation_ix(fixture.agency, *b"0200", 2026, UNIT)
        .await;
    world
        .expect_refused(&[ix], &[&admin], LedgerError::Paused, &watched)
        .await;

    let unpause = builders::SetPaused {
        admin: admin.pubkey(),
        paused: false,
    }
    .instruction();
    let outcome = world.send(&[unpause], &[&admin]).await.unwrap();
    assert!(matches!(&outcome.events[..], [LedgerEvent::PauseSet(e)] if !e.paused));
    world.allot(&fixture, appropriation, UNIT).await;
}

/// Every state-changing instruction not covered above refuses with `Paused` while the ledger is paused.
#[tokio::test]
async fn every_state_change_is_refused_while_paused() {
    use public_spending::{
        instructions::{AwardChange, RegisterRecipientArgs},
        state::{ApprovalPolicy, ExclusionStatus, RecipientKind},
    };
    use public_spending_sdk::builders::PaymentDecision;

    let mut world = World::new().await;
    let fixture = world.agency("075").await;
    let award = world.award(&fixture, b"VENDOR000001", 100 * UNIT).await;
    let request = world.request_ix(&fixture, &award, 10 * UNIT).await;
    world
        .send(&[request.instruction()], &[&fixture.requester])
        .await
        .unwrap();
    let admin = world.admin.insecure_clone();
    let auditor = world.auditor.insecure_clone();
    let successor = world.funded().await;
    let propose = builders::ProposeAdmin {
        admin: admin.pubkey(),
        new_admin: successor.pubkey(),
    }
    .instruction();
    world.send(&[propose], &[&admin]).await.unwrap();
    // A property, a flag and an exclusion to act on while paused.
    let property = builders::RegisterProperty {
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
    };
    world
        .send(&[property.instruction()], &[&fixture.property_officer])
        .await
        .unwrap();
    let flag = builders::RaiseFlag {
        payment_award: None,
        target: award.keys.award,
        target_kind: public_spending::state::FlagTarget::Award,
        flagger: successor.pubkey(),
        nonce: 0,
        reason: public_spending::state::FlagReason::Price,
        evidence_hash: [1; 32],
        payment_index: None,
    };
    world
        .send(&[flag.instruction()], &[&successor])
        .await
        .unwrap();
    let excluded = *b"EXCLUDED0001";
    world
        .send(
            &[world.exclusion_ix(&excluded, ExclusionStatus::Debarred)],
            &[&auditor],
        )
        .await
        .unwrap();
    world
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

    let k = award.keys;
    let small = world.pay_small_ix(&fixture, &award, UNIT).await;
    let recipient = builders::RegisterRecipient {
        agency: fixture.agency,
        authority: fixture.obligor.pubkey(),
        args: RegisterRecipientArgs {
            uei: *b"VENDOR000002",
            kind: RecipientKind::Business,
            name: "Second Vendor".into(),
            name_hash: [0; 32],
            payout_wallet: Keypair::new().pubkey(),
        },
    };
    let decide =
        |who: &Keypair, decision| world.decide_ix(&fixture, &award, request.index, who, decision);
    let cases: Vec<(&str, solana_sdk::instruction::Instruction, &Keypair)> = vec![
        (
            "accept_admin",
            builders::AcceptAdmin {
                new_admin: successor.pubkey(),
            }
            .instruction(),
            &successor,
        ),
        (
            "set_approval_policy",
            builders::SetApprovalPolicy {
                agency: fixture.agency,
                head: fixture.head.pubkey(),
                policy: ApprovalPolicy {
                    approvals_required: 1,
                    ..Default::default()
                },
            }
            .instruction(),
            &fixture.head,
        ),
        (
            "expire_appropriation",
            builders::ExpireAppropriation {
                appropriation: k.appropriation,
                authority: admin.pubkey(),
            }
            .instruction(),
            &admin,
        ),
        (
            "register_recipient",
            recipient.instruction(),
            &fixture.obligor,
        ),
        (
            "obligate",
            world.obligate_ix(
                &fixture,
                k.appropriation,
                k.allotment,
                &award.uei,
                "AWD-2",
                UNIT,
            ),
            &fixture.obligor,
        ),
        (
            "modify_award",
            builders::ModifyAward {
                keys: k,
                authority: fixture.obligor.pubkey(),
                change: AwardChange::Increase { amount: UNIT },
                document_hash: [1; 32],
            }
            .instruction(),
            &fixture.obligor,
        ),
        (
            "close_award",
            builders::CloseAward {
                agency: fixture.agency,
                award: k.award,
                authority: fixture.obligor.pubkey(),
            }
            .instruction(),
            &fixture.obligor,
        ),
        (
            "request_payment",
            world.request_ix(&fixture, &award, UNIT).await.instruction(),
            &fixture.requester,
        ),
        (
            "approve_payment",
            decide(&fixture.approvers[0], PaymentDecision::Approve),
            &fixture.approvers[0],
        ),
        (
            "reject_payment",
            decide(&fixture.approvers[0], PaymentDecision::Reject),
            &fixture.approvers[0],
        ),
        (
            "cancel_payment",
            decide(&fixture.requester, PaymentDecision::Cancel),
            &fixture.requester,
        ),
        ("pay_small", small.instruction(), &fixture.executor),
        (
            "archive_payment",
            builders::ArchivePayment {
                award: k.award,
                payment: request.payment(),
                rent_payer: fixture.requester.pubkey(),
            }
            .instruction(),
            &fixture.requester,
        ),
        (
            "freeze_agency",
            builders::SetAgencyFrozen {
                agency: fixture.agency,
                auditor: auditor.pubkey(),
                frozen: true,
                grounds: grounds(),
                concurring: None,
            }
            .instruction(),
            &auditor,
        ),
        (
            "hold_payment",
            builders::SetPaymentHeld {
                award: k.award,
                payment: request.payment(),
                auditor: auditor.pubkey(),
                held: true,
                grounds: grounds(),
                concurring: None,
            }
            .instruction(),
            &auditor,
        ),
        (
            "debar_recipient",
            world.exclusion_ix(&award.uei, ExclusionStatus::Debarred),
            &auditor,
        ),
        (
            "reinstate_recipient",
            world.exclusion_ix(&excluded, ExclusionStatus::Lifted),
            &auditor,
        ),
        (
            "hold_award",
            builders::SetAwardHeld {
                award: k.award,
                auditor: auditor.pubkey(),
                held: true,
                grounds: grounds(),
                concurring: None,
            }
            .instruction(),
            &auditor,
        ),
        (
            "propose_payout_wallet",
            builders::ChangePayoutWallet {
                agency: fixture.agency,
                recipient: k.recipient,
                authority: fixture.obligor.pubkey(),
                step: builders::WalletStep::Propose(successor.pubkey()),
            }
            .instruction(),
            &fixture.obligor,
        ),
        (
            "raise_flag",
            builders::RaiseFlag { nonce: 1, ..flag }.instruction(),
            &successor,
        ),
        (
            "respond_to_flag",
            builders::RespondToFlag {
                flag: flag.flag(),
                agency: fixture.agency,
                responder: fixture.head.pubkey(),
                as_member: false,
                response_hash: [2; 32],
            }
            .instruction(),
            &fixture.head,
        ),
        (
            "resolve_flag",
            builders::ResolveFlag {
                flag: flag.flag(),
                auditor: auditor.pubkey(),
                outcome: public_spending::state::FlagStatus::Dismissed,
                note_hash: [3; 32],
            }
            .instruction(),
            &auditor,
        ),
        (
            "register_property",
            builders::RegisterProperty {
                rpuid: "075-ANNEX".into(),
                ..property
            }
            .instruction(),
            &fixture.property_officer,
        ),
        (
            "dispose_property",
            builders::ChangeProperty {
                agency: fixture.agency,
                property: pda::property(&fixture.agency, "075-HQ").0,
                authority: fixture.property_officer.pubkey(),
                change: builders::PropertyChange::Dispose(
                    public_spending::instructions::DisposePropertyArgs {
                        disposition_date: 1,
                        method: public_spending::state::DispositionMethod::Sale,
                    },
                ),
            }
            .instruction(),
            &fixture.property_officer,
        ),
    ];
    let watched = [
        pda::ledger().0,
        fixture.agency,
        k.appropriation,
        k.allotment,
        k.award,
        k.recipient,
        request.payment(),
        small.payment(),
    ];
    for (name, ix, signer) in cases {
        let before = world.snapshot(&watched).await;
        let result = world.send(&[ix], &[signer]).await;
        assert_eq!(
            result.as_ref().err().and_then(|e| e.code()),
            Some(u32::from(LedgerError::Paused)),
            "{name}: {result:?}"
        );
        assert_eq!(
            world.snapshot(&watched).await,
            before,
            "{name} changed state while paused"
        );
    }
}
