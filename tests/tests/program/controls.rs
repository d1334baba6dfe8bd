//! Loosening takes notice, tightening is immediate: the rules for changing an agency's controls once it is in
//! service (from its first appropriation), and the insiders who cannot get around them.

use public_spending::{
    constants::*,
    error::LedgerError,
    state::{Agency, ApprovalPolicy, ControlChange, Member, PendingChange},
};
use public_spending_sdk::{builders, fetch::AccountSource, pda, LedgerEvent};
use public_spending_tests::*;
use solana_sdk::signature::{Keypair, Signer};

const POLICY: ApprovalPolicy = ApprovalPolicy {
    threshold: 1_000 * UNIT,
    approvals_required: 2,
    time_lock_seconds: 3_600,
    fast_path_daily_cap: 5_000 * UNIT,
};

/// Agency 075 with its policy, in service (an appropriation granted).
async fn in_service() -> (World, AgencyFixture) {
    let mut world = World::new().await;
    let agency = world.agency("075").await;
    world.set_policy(&agency, POLICY).await;
    world.appropriation(&agency, 100_000 * UNIT).await;
    (world, agency)
}

fn policy_ix(
    agency: &AgencyFixture,
    policy: ApprovalPolicy,
) -> solana_sdk::instruction::Instruction {
    builders::SetApprovalPolicy {
        agency: agency.agency,
        head: agency.head.pubkey(),
        policy,
    }
    .instruction()
}

#[tokio::test]
async fn a_looser_policy_needs_notice_and_a_tighter_one_applies_at_once() {
    let (mut world, agency) = in_service().await;
    let looser = [
        ApprovalPolicy {
            threshold: POLICY.threshold + 1,
            ..POLICY
        },
        ApprovalPolicy {
            fast_path_daily_cap: u64::MAX,
            ..POLICY
        },
        ApprovalPolicy {
            approvals_required: 1,
            ..POLICY
        },
        ApprovalPolicy {
            time_lock_seconds: 0,
            ..POLICY
        },
        // Tighter on one control, looser on another: still a loosening.
        ApprovalPolicy {
            approvals_required: 3,
            threshold: u64::MAX,
            ..POLICY
        },
    ];
    for policy in looser {
        world
            .expect_refused(
                &[policy_ix(&agency, policy)],
                &[&agency.head],
                LedgerError::LooseningNeedsNotice,
                &[agency.agency],
            )
            .await;
    }
    let tighter = [
        ApprovalPolicy {
            threshold: POLICY.threshold - 1,
            ..POLICY
        },
        ApprovalPolicy {
            fast_path_daily_cap: 0,
            threshold: 1,
            ..POLICY
        },
        ApprovalPolicy {
            approvals_required: 3,
            threshold: 1,
            fast_path_daily_cap: 0,
            ..POLICY
        },
        ApprovalPolicy {
            approvals_required: 3,
            time_lock_seconds: 7_200,
            threshold: 1,
            fast_path_daily_cap: 0,
        },
    ];
    for policy in tighter {
        world
            .send(&[policy_ix(&agency, policy)], &[&agency.head])
            .await
            .unwrap();
        let stored: Agency = world.get(&agency.agency).await;
        assert_eq!(stored.policy, policy);
    }
}

#[tokio::test]
async fn granting_needs_notice_and_revoking_applies_at_once() {
    let (mut world, agency) = in_service().await;
    let newcomer = Keypair::new().pubkey();
    let cases = [
        // A new member.
        (newcomer, ROLE_BUDGET, true),
        // A role added to a member.
        (agency.budget.pubkey(), ROLE_BUDGET | ROLE_PROPERTY, true),
        // A role swapped for another.
        (agency.requester.pubkey(), ROLE_APPROVE, true),
    ];
    for (key, roles, active) in cases {
        let member = pda::member(&agency.agency, &key).0;
        world
            .expect_refused(
                &[agency.set_member_ix(key, roles, active)],
                &[&agency.head],
                LedgerError::LooseningNeedsNotice,
                &[member],
            )
            .await;
    }
    // Revoking and deactivating are immediate; reactivating is a grant again.
    let budget = pda::member(&agency.agency, &agency.budget.pubkey()).0;
    world
        .send(
            &[agency.set_member_ix(agency.budget.pubkey(), ROLE_BUDGET, false)],
            &[&agency.head],
        )
        .await
        .unwrap();
    let stored: Member = world.get(&budget).await;
    assert!(!stored.active);
    world
        .expect_refused(
            &[agency.set_member_ix(agency.budget.pubkey(), ROLE_BUDGET, true)],
            &[&agency.head],
            LedgerError::LooseningNeedsNotice,
            &[budget],
        )
        .await;
    let executor = pda::member(&agency.agency, &agency.executor.pubkey()).0;
    world
        .send(
            &[agency.set_member_ix(agency.executor.pubkey(), 0, true)],
            &[&agency.head],
        )
        .await
        .unwrap();
    let stored: Member = world.get(&executor).await;
    assert_eq!((stored.roles, stored.active), (0, true));
}

#[tokio::test]
async fn a_proposed_change_is_public_waits_its_notice_and_then_applies() {
    let (mut world, agency) = in_service().await;
    let looser = ApprovalPolicy {
        fast_path_daily_cap: 20_000 * UNIT,
        ..POLICY
    };
    let propose = builders::ProposeChange {
        agency: agency.agency,
        head: agency.head.pubkey(),
        change: ControlChange::Policy { policy: looser },
    };
    let now = world.chain.clock().await.unwrap().unix_timestamp;
    let outcome = world
        .send(&[propose.instruction()], &[&agency.head])
        .await
        .unwrap();
    let pending = propose.pending();
    assert!(
        matches!(&outcome.events[..], [LedgerEvent::ChangeProposed(e)]
        if e.pending == pending && e.change == propose.change && e.proposed_by == agency.head.pubkey()
            && e.effective_at == now + MIN_CHANGE_NOTICE_SECONDS)
    );
    let stored: PendingChange = world.get(&pending).await;
    assert_eq!(
        (stored.agency, stored.subject),
        (agency.agency, agency.agency)
    );

    // A second proposal for the same subject waits for the first.
    world
        .expect_refused(
            &[propose.instruction()],
            &[&agency.head],
            LedgerError::ChangeAlreadyPending,
            &[pending],
        )
        .await;
    // Not before its notice is over, not by anyone but the head.
    let apply = builders::ApplyChange {
        agency: agency.agency,
        head: agency.head.pubkey(),
        subject: agency.agency,
    };
    world
        .chain
        .advance_clock(MIN_CHANGE_NOTICE_SECONDS - 1)
        .await
        .unwrap();
    world
        .expect_refused(
            &[apply.instruction()],
            &[&agency.head],
            LedgerError::NoticeNotOver,
            &[pending, agency.agency],
        )
        .await;
    world.chain.advance_clock(1).await.unwrap();
    let stranger = world.funded().await;
    let foreign = builders::ApplyChange {
        head: stranger.pubkey(),
        ..apply
    };
    world
        .expect_refused(
            &[foreign.instruction()],
            &[&stranger],
            LedgerError::NotAgencyHead,
            &[pending, agency.agency],
        )
        .await;

    let outcome = world
        .send(&[apply.instruction()], &[&agency.head])
        .await
        .unwrap();
    assert!(matches!(&outcome.events[..],
        [LedgerEvent::ChangeApplied(a), LedgerEvent::ApprovalPolicySet(p)]
        if a.pending == pending && p.policy == looser));
    let stored: Agency = world.get(&agency.agency).await;
    assert_eq!(stored.policy, looser);
    assert!(world.chain.get_account(&pending).await.unwrap().is_none());
}

#[tokio::test]
async fn the_notice_is_the_agencys_time_lock_when_longer_than_a_day() {
    let (mut world, agency) = in_service().await;
    let week = 7 * 24 * 3_600;
    world
        .send(
            &[policy_ix(
                &agency,
                ApprovalPolicy {
                    time_lock_seconds: week,
                    ..POLICY
                },
            )],
            &[&agency.head],
        )
        .await
        .unwrap();
    let newcomer = Keypair::new().pubkey();
    let propose = builders::ProposeChange {
        agency: agency.agency,
        head: agency.head.pubkey(),
        change: ControlChange::Member {
            key: newcomer,
            roles: ROLE_APPROVE,
            active: true,
        },
    };
    let now = world.chain.clock().await.unwrap().unix_timestamp;
    world
        .send(&[propose.instruction()], &[&agency.head])
        .await
        .unwrap();
    let stored: PendingChange = world.get(&propose.pending()).await;
    assert_eq!(stored.effective_at, now + i64::from(week));
    let apply = builders::ApplyChange {
        agency: agency.agency,
        head: agency.head.pubkey(),
        subject: newcomer,
    };
    world
        .chain
        .advance_clock(MIN_CHANGE_NOTICE_SECONDS)
        .await
        .unwrap();
    world
        .expect_refused(
            &[apply.instruction()],
            &[&agency.head],
            LedgerError::NoticeNotOver,
            &[propose.pending(), pda::member(&agency.agency, &newcomer).0],
        )
        .await;
    world.chain.advance_clock(i64::from(week)).await.unwrap();
    let outcome = world
        .send(&[apply.instruction()], &[&agency.head])
        .await
        .unwrap();
    assert!(matches!(&outcome.events[..],
        [LedgerEvent::ChangeApplied(_), LedgerEvent::MemberSet(m)]
        if m.key == newcomer && m.roles == ROLE_APPROVE && m.active));
    let member: Member = world.get(&pda::member(&agency.agency, &newcomer).0).await;
    assert_eq!((member.roles, member.active), (ROLE_APPROVE, true));
}

#[tokio::test]
async fn an_auditor_vetoes_a_pending_change_and_no_one_else_can() {
    let (mut world, agency) = in_service().await;
    let accomplice = Keypair::new().pubkey();
    let propose = builders::ProposeChange {
        agency: agency.agency,
        head: agency.head.pubkey(),
        change: ControlChange::Member {
            key: accomplice,
            roles: ROLE_EXECUTE,
            active: true,
        },
    };
    world
        .send(&[propose.instruction()], &[&agency.head])
        .await
        .unwrap();
    let pending = propose.pending();
    let veto = |auditor: &Keypair| builders::VetoChange {
        scope: agency.agency,
        subject: accomplice,
        auditor: auditor.pubkey(),
        grounds: grounds(),
    };
    // The head, a member, an outsider: not auditors.
    for who in [&agency.head, &agency.approvers[0], &world.funded().await] {
        world
            .expect_refused(
                &[veto(who).instruction()],
                &[who],
                LedgerError::NotAuditor,
                &[pending],
            )
            .await;
    }
    let rent = world
        .chain
        .get_account(&pending)
        .await
        .unwrap()
        .unwrap()
        .lamports;
    let head_before = world
        .chain
        .get_account(&agency.head.pubkey())
        .await
        .unwrap()
        .unwrap()
        .lamports;
    let auditor = world.auditor.insecure_clone();
    let outcome = world
        .send(&[veto(&auditor).instruction()], &[&auditor])
        .await
        .unwrap();
    assert!(matches!(&outcome.events[..], [LedgerEvent::ChangeVetoed(e)]
        if e.pending == pending && e.auditor == auditor.pubkey() && e.evidence_hash == grounds().evidence_hash));
    // The vetoed change stays, marked, through its cooling-off: its rent is not yet the head's.
    let stored: public_spending::state::PendingChange = world.get(&pending).await;
    assert_eq!(stored.vetoed_by, auditor.pubkey());
    assert_eq!(
        world
            .chain
            .get_account(&agency.head.pubkey())
            .await
            .unwrap()
            .unwrap()
            .lamports,
        head_before
    );
    let _ = rent;
    // The vetoed change never applies, even after the notice.
    world
        .chain
        .advance_clock(MIN_CHANGE_NOTICE_SECONDS)
        .await
        .unwrap();
    let member = pda::member(&agency.agency, &accomplice).0;
    world
        .expect_refused(
            &[builders::ApplyChange {
                agency: agency.agency,
                head: agency.head.pubkey(),
                subject: accomplice,
            }
            .instruction()],
            &[&agency.head],
            LedgerError::ChangeWasVetoed,
            &[member, pending],
        )
        .await;
}

/// Each insider alone, with its own keys: the head cannot staff itself, raise its limits or add an accomplice
/// without the notice an auditor sees; a member cannot change controls at all; another agency's head cannot
/// touch this agency's.
#[tokio::test]
async fn no_insider_alone_loosens_a_control_at_once() {
    let (mut world, agency) = in_service().await;
    let other = world.agency("089").await;
    let wide_open = ApprovalPolicy {
        threshold: u64::MAX,
        approvals_required: 1,
        time_lock_seconds: 0,
        fast_path_daily_cap: u64::MAX,
    };
    let own_wallet = Keypair::new().pubkey();
    let auditor = world.auditor.insecure_clone();
    let attempts: Vec<(
        &str,
        Vec<solana_sdk::instruction::Instruction>,
        &Keypair,
        Refusal,
    )> = vec![
        (
            "head raises its own limits",
            vec![policy_ix(&agency, wide_open)],
            &agency.head,
            LedgerError::LooseningNeedsNotice.into(),
        ),
        (
            "head makes itself the paying officer",
            vec![agency.set_member_ix(agency.head.pubkey(), ROLE_EXECUTE, true)],
            &agency.head,
            LedgerError::HeadCannotBeMember.into(),
        ),
        (
            "head proposes itself as paying officer",
            vec![builders::ProposeChange {
                agency: agency.agency,
                head: agency.head.pubkey(),
                change: ControlChange::Member {
                    key: agency.head.pubkey(),
                    roles: ROLE_EXECUTE,
                    active: true,
                },
            }
            .instruction()],
            &agency.head,
            LedgerError::HeadCannotBeMember.into(),
        ),
        (
            "head adds an accomplice with every role",
            vec![agency.set_member_ix(own_wallet, ROLE_OBLIGATE | ROLE_REQUEST, true)],
            &agency.head,
            LedgerError::LooseningNeedsNotice.into(),
        ),
        (
            "executor gives itself the obligating role",
            vec![builders::SetMember {
                agency: agency.agency,
                head: agency.executor.pubkey(),
                args: public_spending::instructions::SetMemberArgs {
                    key: agency.executor.pubkey(),
                    roles: ROLE_EXECUTE | ROLE_REQUEST,
                    active: true,
                },
            }
            .instruction()],
            &agency.executor,
            LedgerError::NotAgencyHead.into(),
        ),
        (
            "approver proposes a looser policy",
            vec![builders::ProposeChange {
                agency: agency.agency,
                head: agency.approvers[0].pubkey(),
                change: ControlChange::Policy { policy: wide_open },
            }
            .instruction()],
            &agency.approvers[0],
            LedgerError::NotAgencyHead.into(),
        ),
        (
            "another agency's head loosens this agency's policy",
            vec![builders::SetApprovalPolicy {
                agency: agency.agency,
                head: other.head.pubkey(),
                policy: wide_open,
            }
            .instruction()],
            &other.head,
            LedgerError::NotAgencyHead.into(),
        ),
        (
            "an auditor proposes a change",
            vec![builders::ProposeChange {
                agency: agency.agency,
                head: auditor.pubkey(),
                change: ControlChange::Policy { policy: wide_open },
            }
            .instruction()],
            &auditor,
            LedgerError::NotAgencyHead.into(),
        ),
    ];
    let watched = [
        agency.agency,
        agency.treasury,
        pda::change(&agency.agency, &agency.agency).0,
        pda::change(&agency.agency, &agency.head.pubkey()).0,
        pda::member(&agency.agency, &agency.head.pubkey()).0,
        pda::member(&agency.agency, &own_wallet).0,
        pda::member(&agency.agency, &agency.executor.pubkey()).0,
    ];
    for (attempt, ixs, signer, refusal) in attempts {
        let before = world.snapshot(&watched).await;
        let result = world.send(&ixs, &[signer]).await;
        assert!(
            refusal.matches(result.as_ref().unwrap_err()),
            "{attempt}: {result:?}"
        );
        assert_eq!(
            world.snapshot(&watched).await,
            before,
            "{attempt} changed state"
        );
    }
}

/// Each single actor, alone with its own keys, tries the shell-vendor path in one transaction: a vendor record
/// with a wallet it controls, an award to it, and a fast-path payment of it; then the wallet swap on a real
/// vendor, proposed and confirmed alone. Every attempt is refused and no account or balance changes.
#[tokio::test]
async fn no_single_actor_pays_a_wallet_it_controls() {
    let mut world = World::new().await;
    let agency = world.agency("075").await;
    world.set_policy(&agency, POLICY).await;
    // The award's appropriation puts the agency in service.
    let vendor = world.award(&agency, b"REALVENDOR01", 4_000 * UNIT).await;
    let mint = world.mint;
    let actors: Vec<(&str, Keypair, Refusal)> = vec![
        (
            "head",
            agency.head.insecure_clone(),
            anchor_lang::error::ErrorCode::AccountNotInitialized.into(),
        ),
        (
            "budget officer",
            agency.budget.insecure_clone(),
            LedgerError::MissingRole.into(),
        ),
        // Records the vendor and the award, and cannot pay them.
        (
            "obligating officer",
            agency.obligor.insecure_clone(),
            LedgerError::MissingRole.into(),
        ),
        (
            "requester",
            agency.requester.insecure_clone(),
            LedgerError::MissingRole.into(),
        ),
        (
            "approver",
            agency.approvers[0].insecure_clone(),
            LedgerError::MissingRole.into(),
        ),
        (
            "disbursing officer",
            agency.executor.insecure_clone(),
            LedgerError::MissingRole.into(),
        ),
        (
            "property officer",
            agency.property_officer.insecure_clone(),
            LedgerError::MissingRole.into(),
        ),
        (
            "auditor",
            world.auditor.insecure_clone(),
            anchor_lang::error::ErrorCode::AccountNotInitialized.into(),
        ),
        (
            "ledger admin",
            world.admin.insecure_clone(),
            anchor_lang::error::ErrorCode::AccountNotInitialized.into(),
        ),
    ];
    let watched = [
        agency.treasury,
        agency.agency,
        vendor.keys.award,
        vendor.keys.recipient,
        vendor.keys.appropriation,
        vendor.keys.allotment,
    ];
    for (i, (actor, key, refusal)) in actors.into_iter().enumerate() {
        world
            .chain
            .airdrop(&key.pubkey(), 1_000_000_000)
            .await
            .unwrap();
        let own_wallet = key.pubkey();
        let uei: [u8; 12] = format!("SHELLVENDR{i:02}").as_bytes().try_into().unwrap();
        let award_id = format!("SHELL-{i}");
        let recipient = pda::recipient(&agency.agency, &uei).0;
        let award = pda::award(&agency.agency, &award_id).0;
        let shell = [
            builders::RegisterRecipient {
                agency: agency.agency,
                authority: key.pubkey(),
                args: public_spending::instructions::RegisterRecipientArgs {
                    uei,
                    kind: public_spending::state::RecipientKind::Business,
                    name: "Shell".into(),
                    name_hash: [0; 32],
                    payout_wallet: own_wallet,
                },
            }
            .instruction(),
            builders::Obligate {
                agency: agency.agency,
                appropriation: vendor.keys.appropriation,
                allotment: vendor.keys.allotment,
                recipient,
                uei,
                property: None,
                authority: key.pubkey(),
                args: public_spending::instructions::ObligateArgs {
                    award_id: award_id.clone(),
                    award_type: public_spending::state::AwardType::Contract,
                    object_class: *b"252",
                    amount: 900 * UNIT,
                    period_start: 0,
                    period_end: 4_000_000_000,
                    document_hash: [7; 32],
                },
            }
            .instruction(),
            builders::PaySmall {
                keys: builders::AwardKeys {
                    award,
                    recipient,
                    ..vendor.keys
                },
                payout: builders::Payout {
                    payment_mint: mint,
                    token_program: anchor_spl::token::ID,
                    payout_wallet: own_wallet,
                    uei,
                },
                index: 0,
                executor: key.pubkey(),
                reference: Keypair::new().pubkey(),
                args: payment_args(900 * UNIT),
            }
            .instruction(),
        ];
        let before = world
            .snapshot(&[&watched[..], &[recipient, award]].concat())
            .await;
        let result = world.send(&shell, &[&key]).await;
        assert!(
            refusal.matches(result.as_ref().unwrap_err()),
            "{actor}: {result:?}"
        );
        // The wallet swap on a real vendor, proposed and confirmed by the same key.
        let swap = [
            builders::WalletStep::Propose(own_wallet),
            builders::WalletStep::Confirm(own_wallet),
        ]
        .map(|step| {
            builders::ChangePayoutWallet {
                agency: agency.agency,
                recipient: vendor.keys.recipient,
                authority: key.pubkey(),
                step,
            }
            .instruction()
        });
        let result = world.send(&swap, &[&key]).await;
        let expected: Refusal = if actor == "obligating officer" {
            LedgerError::ProposerCannotConfirm.into()
        } else {
            refusal
        };
        assert!(
            expected.matches(result.as_ref().unwrap_err()),
            "{actor} swapping a wallet: {result:?}"
        );
        assert_eq!(
            world
                .snapshot(&[&watched[..], &[recipient, award]].concat())
                .await,
            before,
            "{actor} changed state"
        );
    }
}

/// A member proposed with no role has nothing to wait for: refused, and no pending change is made. (Taking
/// every role away is a tightening, done at once.)
#[tokio::test]
async fn a_member_proposed_with_no_role_is_refused() {
    let (mut world, agency) = in_service().await;
    let newcomer = Keypair::new().pubkey();
    let propose = builders::ProposeChange {
        agency: agency.agency,
        head: agency.head.pubkey(),
        change: ControlChange::Member {
            key: newcomer,
            roles: 0,
            active: true,
        },
    };
    world
        .expect_refused(
            &[propose.instruction()],
            &[&agency.head],
            LedgerError::MemberWithoutRoles,
            &[propose.pending(), agency.agency],
        )
        .await;
    assert!(world
        .chain
        .get_account(&propose.pending())
        .await
        .unwrap()
        .is_none());
}

/// The head withdraws its own proposal (a wrong role, say) and may then propose the right one; no one else can
/// withdraw it.
#[tokio::test]
async fn the_head_withdraws_its_own_pending_change_and_no_one_else_can() {
    let (mut world, agency) = in_service().await;
    let newcomer = Keypair::new().pubkey();
    let wrong = builders::ProposeChange {
        agency: agency.agency,
        head: agency.head.pubkey(),
        change: ControlChange::Member {
            key: newcomer,
            roles: ROLE_EXECUTE,
            active: true,
        },
    };
    world
        .send(&[wrong.instruction()], &[&agency.head])
        .await
        .unwrap();
    let pending = wrong.pending();
    let other = world.agency("089").await;
    for (who, error) in [
        (&other.head, LedgerError::NotAgencyHead),
        (&agency.approvers[0], LedgerError::NotAgencyHead),
    ] {
        world
            .expect_refused(
                &[builders::WithdrawChange {
                    agency: agency.agency,
                    head: who.pubkey(),
                    subject: newcomer,
                }
                .instruction()],
                &[who],
                error,
                &[pending],
            )
            .await;
    }
    let outcome = world
        .send(
            &[builders::WithdrawChange {
                agency: agency.agency,
                head: agency.head.pubkey(),
                subject: newcomer,
            }
            .instruction()],
            &[&agency.head],
        )
        .await
        .unwrap();
    assert!(
        matches!(&outcome.events[..], [LedgerEvent::ChangeWithdrawn(e)]
        if e.pending == pending && e.change == wrong.change)
    );
    assert!(world.chain.get_account(&pending).await.unwrap().is_none());
    let right = builders::ProposeChange {
        change: ControlChange::Member {
            key: newcomer,
            roles: ROLE_APPROVE,
            active: true,
        },
        ..wrong
    };
    world
        .send(&[right.instruction()], &[&agency.head])
        .await
        .unwrap();
    let stored: PendingChange = world.get(&pending).await;
    assert_eq!(stored.change, right.change);
}

/// Every instruction of the notice rules refuses a missing signer, another agency's pending change, a frozen
/// agency and a paused ledger, each leaving the pending change and the agency as
/// they were. (A veto has no frozen check: auditors may veto while an agency is frozen.)
#[tokio::test]
async fn the_notice_instructions_refuse_missing_signers_foreign_changes_frozen_and_paused() {
    use anchor_lang::error::ErrorCode;
    let (mut world, agency) = in_service().await;
    let other = world.agency("089").await;
    let newcomer = Keypair::new().pubkey();
    let propose = builders::ProposeChange {
        agency: agency.agency,
        head: agency.head.pubkey(),
        change: ControlChange::Member {
            key: newcomer,
            roles: ROLE_APPROVE,
            active: true,
        },
    };
    world
        .send(&[propose.instruction()], &[&agency.head])
        .await
        .unwrap();
    let pending = propose.pending();
    world
        .chain
        .advance_clock(MIN_CHANGE_NOTICE_SECONDS)
        .await
        .unwrap();
    let head = agency.head.pubkey();
    let auditor = world.auditor.insecure_clone();
    let apply = builders::ApplyChange {
        agency: agency.agency,
        head,
        subject: newcomer,
    }
    .instruction();
    let withdraw = builders::WithdrawChange {
        agency: agency.agency,
        head,
        subject: newcomer,
    }
    .instruction();
    let veto = builders::VetoChange {
        scope: agency.agency,
        subject: newcomer,
        auditor: auditor.pubkey(),
        grounds: grounds(),
    }
    .instruction();
    let second = builders::ProposeChange {
        change: ControlChange::Policy {
            policy: ApprovalPolicy {
                approvals_required: 1,
                ..POLICY
            },
        },
        ..propose
    }
    .instruction();
    let watched = [
        pending,
        agency.agency,
        pda::member(&agency.agency, &newcomer).0,
    ];

    // Missing signers.
    let auditor_key = auditor.pubkey();
    for (ix, signers) in [
        (unsigned(second.clone(), &head), vec![]),
        (unsigned(apply.clone(), &head), vec![]),
        (unsigned(withdraw.clone(), &head), vec![]),
        (unsigned(veto.clone(), &auditor_key), vec![]),
    ] {
        world
            .expect_refused(&[ix], &signers, ErrorCode::AccountNotSigner, &watched)
            .await;
    }
    // Another agency's head, passing its own agency with this agency's pending change.
    let foreign = builders::ApplyChange {
        agency: other.agency,
        head: other.head.pubkey(),
        subject: newcomer,
    }
    .instruction();
    let foreign = swap_account(foreign, &pda::change(&other.agency, &newcomer).0, &pending);
    world
        .expect_refused(
            &[foreign],
            &[&other.head],
            LedgerError::WrongAgency,
            &watched,
        )
        .await;

    // A frozen agency proposes and applies nothing.
    let freeze = builders::SetAgencyFrozen {
        agency: agency.agency,
        auditor: auditor.pubkey(),
        frozen: true,
        grounds: grounds(),
        concurring: None,
    };
    world
        .send(&[freeze.instruction()], &[&auditor])
        .await
        .unwrap();
    for ix in [second.clone(), apply.clone()] {
        world
            .expect_refused(&[ix], &[&agency.head], LedgerError::AgencyFrozen, &watched)
            .await;
    }
    world
        .send(
            &[builders::SetAgencyFrozen {
                frozen: false,
                ..freeze
            }
            .instruction()],
            &[&auditor],
        )
        .await
        .unwrap();

    // A paused ledger: nothing, the admin's auditor proposals included.
    let admin = world.admin.insecure_clone();
    let pause = |paused| {
        builders::SetPaused {
            admin: admin.pubkey(),
            paused,
        }
        .instruction()
    };
    let auditors = vec![auditor.pubkey(), Keypair::new().pubkey()];
    let propose_auditors = builders::ProposeAuditors {
        admin: admin.pubkey(),
        auditors,
    }
    .instruction();
    let ledger_watched = [pda::ledger().0, pda::auditors_change()];
    world.send(&[pause(true)], &[&admin]).await.unwrap();
    world
        .expect_refused(
            std::slice::from_ref(&propose_auditors),
            &[&admin],
            LedgerError::Paused,
            &ledger_watched,
        )
        .await;
    world.send(&[pause(false)], &[&admin]).await.unwrap();
    world.send(&[propose_auditors], &[&admin]).await.unwrap();
    world.send(&[pause(true)], &[&admin]).await.unwrap();
    for (ix, signer) in [
        (second, &agency.head),
        (apply, &agency.head),
        (withdraw, &agency.head),
        (veto, &auditor),
    ] {
        world
            .expect_refused(&[ix], &[signer], LedgerError::Paused, &watched)
            .await;
    }
    world
        .expect_refused(
            &[builders::ApplyAuditors {
                admin: admin.pubkey(),
            }
            .instruction()],
            &[&admin],
            LedgerError::Paused,
            &ledger_watched,
        )
        .await;
}
