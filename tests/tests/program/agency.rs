use anchor_lang::{error::ErrorCode, AccountDeserialize};
use anchor_spl::token_interface::TokenAccount;
use public_spending::{
    constants::*,
    error::LedgerError,
    state::{Agency, ApprovalPolicy, Ledger, Member},
};
use public_spending_sdk::{builders, fetch::AccountSource, pda, LedgerEvent};
use public_spending_tests::*;
use solana_sdk::signature::{Keypair, Signer};

#[tokio::test]
async fn register_agency_creates_the_agency_and_its_treasury() {
    let mut world = World::new().await;
    let head = Keypair::new().pubkey();
    let admin = world.admin.insecure_clone();
    let ix = world.register_agency_ix("075", "Department of Health and Human Services", head);
    let outcome = world.send(&[ix], &[&admin]).await.unwrap();

    let (agency_key, _) = pda::agency("075");
    let agency: Agency = world.get(&agency_key).await;
    assert_eq!((agency.code.as_str(), agency.head), ("075", head));
    assert_eq!(agency.name, "Department of Health and Human Services");
    assert_eq!(agency.treasury, pda::treasury(&agency_key).0);
    assert_eq!(
        agency.policy,
        ApprovalPolicy {
            threshold: 0,
            approvals_required: 1,
            time_lock_seconds: 0,
            fast_path_daily_cap: 0
        }
    );
    assert_eq!(agency.outlay_hash, [0; 32]);
    assert_eq!(world.get::<Ledger>(&pda::ledger().0).await.agency_count, 1);

    let treasury = world
        .chain
        .get_account(&agency.treasury)
        .await
        .unwrap()
        .unwrap();
    let treasury = TokenAccount::try_deserialize(&mut treasury.data.as_slice()).unwrap();
    assert_eq!(
        (treasury.mint, treasury.owner, treasury.amount),
        (world.mint, agency_key, 0)
    );

    let event = the_event(&outcome, |e| match e {
        LedgerEvent::AgencyRegistered(e) => Some(e.clone()),
        _ => None,
    });
    assert_eq!(
        (
            event.agency,
            event.code.as_str(),
            event.head,
            event.agency_count
        ),
        (agency_key, "075", head, 1)
    );
}

#[tokio::test]
async fn register_agency_is_for_the_ledger_admin_only() {
    let mut world = World::new().await;
    let outsider = world.funded().await;
    let ix = builders::RegisterAgency {
        admin: outsider.pubkey(),
        payment_mint: world.mint,
        token_program: anchor_spl::token::spl_token::ID,
        args: public_spending::instructions::RegisterAgencyArgs {
            code: "075".into(),
            name: "X".into(),
            head: outsider.pubkey(),
        },
    }
    .instruction();
    world
        .expect_refused(
            &[ix],
            &[&outsider],
            LedgerError::NotLedgerAdmin,
            &[pda::agency("075").0, pda::ledger().0],
        )
        .await;
}

#[tokio::test]
async fn register_agency_validates_code_and_name() {
    let mut world = World::new().await;
    let admin = world.admin.insecure_clone();
    let head = Keypair::new().pubkey();
    let cases = [
        ("", "Name", LedgerError::InvalidAgencyCode),
        ("07a", "Name", LedgerError::InvalidAgencyCode),
        ("07 5", "Name", LedgerError::InvalidAgencyCode),
        ("12345", "Name", LedgerError::InvalidAgencyCode),
        ("75", "Name", LedgerError::InvalidAgencyCode),
        ("ABC", "Name", LedgerError::InvalidAgencyCode),
        ("A075", "Name", LedgerError::InvalidAgencyCode),
        ("075", "", LedgerError::InvalidAgencyName),
        ("075", " leading space", LedgerError::InvalidAgencyName),
        ("075", "caf\u{e9}", LedgerError::InvalidAgencyName),
    ];
    for (code, name, error) in cases {
        let ix = world.register_agency_ix(code, name, head);
        world
            .expect_refused(
                &[ix],
                &[&admin],
                error,
                &[pda::agency(code).0, pda::ledger().0],
            )
            .await;
    }
    let long = "N".repeat(MAX_AGENCY_NAME_LEN + 1);
    let ix = world.register_agency_ix("075", &long, head);
    world
        .expect_refused(
            &[ix],
            &[&admin],
            LedgerError::InvalidAgencyName,
            &[pda::agency("075").0],
        )
        .await;
    let longest = "N".repeat(MAX_AGENCY_NAME_LEN);
    let ix = world.register_agency_ix("9999", &longest, head);
    world.send(&[ix], &[&admin]).await.unwrap();
}

#[tokio::test]
async fn register_agency_twice_is_refused() {
    let mut world = World::new().await;
    world.agency("075").await;
    let admin = world.admin.insecure_clone();
    let ix = world.register_agency_ix("075", "Again", admin.pubkey());
    world
        .expect_refused(
            &[ix],
            &[&admin],
            ALREADY_EXISTS,
            &[pda::agency("075").0, pda::ledger().0],
        )
        .await;
}

#[tokio::test]
async fn register_agency_refuses_another_mint() {
    let mut world = World::new().await;
    let admin = world.admin.insecure_clone();
    let authority = world.mint_authority.pubkey();
    let other_mint = world.chain.create_mint(&authority, DECIMALS).await.unwrap();
    let ix = builders::RegisterAgency {
        admin: admin.pubkey(),
        payment_mint: other_mint,
        token_program: anchor_spl::token::spl_token::ID,
        args: public_spending::instructions::RegisterAgencyArgs {
            code: "075".into(),
            name: "X".into(),
            head: admin.pubkey(),
        },
    }
    .instruction();
    world
        .expect_refused(
            &[ix],
            &[&admin],
            LedgerError::WrongMint,
            &[pda::agency("075").0],
        )
        .await;
}

#[tokio::test]
async fn set_member_grants_changes_and_deactivates_roles() {
    let mut world = World::new().await;
    let fixture = world.agency("075").await;
    let key = Keypair::new().pubkey();
    let member = pda::member(&fixture.agency, &key).0;

    let outcome = world
        .send(
            &[fixture.set_member_ix(key, ROLE_REQUEST | ROLE_BUDGET, true)],
            &[&fixture.head],
        )
        .await
        .unwrap();
    let stored: Member = world.get(&member).await;
    assert_eq!(
        (stored.agency, stored.key, stored.roles, stored.active),
        (fixture.agency, key, ROLE_REQUEST | ROLE_BUDGET, true)
    );
    assert!(
        matches!(&outcome.events[..], [LedgerEvent::MemberSet(e)] if e.key == key && e.roles == 5 && e.active)
    );

    world
        .send(
            &[fixture.set_member_ix(key, ROLE_BUDGET, false)],
            &[&fixture.head],
        )
        .await
        .unwrap();
    let stored: Member = world.get(&member).await;
    assert_eq!((stored.roles, stored.active), (ROLE_BUDGET, false));
}

#[tokio::test]
async fn deactivated_member_cannot_act() {
    let mut world = World::new().await;
    let fixture = world.agency("075").await;
    let appropriation = world.appropriation(&fixture, 100 * UNIT).await;
    world
        .send(
            &[fixture.set_member_ix(fixture.budget.pubkey(), ROLE_BUDGET, false)],
            &[&fixture.head],
        )
        .await
        .unwrap();
    let ix = world.allot_ix(&fixture, appropriation, UNIT).await;
    world
        .expect_refused(
            &[ix],
            &[&fixture.budget],
            LedgerError::NotActiveMember,
            &[appropriation, fixture.agency],
        )
        .await;
}

#[tokio::test]
async fn set_member_is_for_the_agency_head_only() {
    let mut world = World::new().await;
    let fixture = world.agency("075").await;
    let other = world.agency("076").await;
    let key = Keypair::new().pubkey();
    let member = pda::member(&fixture.agency, &key).0;

    let ix = builders::SetMember {
        agency: fixture.agency,
        head: other.head.pubkey(),
        args: public_spending::instructions::SetMemberArgs {
            key,
            roles: ROLE_BUDGET,
            active: true,
        },
    }
    .instruction();
    world
        .expect_refused(&[ix], &[&other.head], LedgerError::NotAgencyHead, &[member])
        .await;

    let ix = unsigned(
        fixture.set_member_ix(key, ROLE_BUDGET, true),
        &fixture.head.pubkey(),
    );
    world
        .expect_refused(&[ix], &[], ErrorCode::AccountNotSigner, &[member])
        .await;

    let ix = fixture.set_member_ix(key, 0b100_0000, true);
    world
        .expect_refused(
            &[ix],
            &[&fixture.head],
            LedgerError::InvalidRoles,
            &[member],
        )
        .await;
}

/// Separation of duties: the refused role sets, each for a new member and for an existing one (whose record
/// stays as it was), and the head's own key in any role.
#[tokio::test]
async fn set_member_refuses_conflicting_roles_and_the_heads_own_key() {
    let mut world = World::new().await;
    let fixture = world.agency("075").await;
    let fresh = Keypair::new().pubkey();
    let cases = [
        (
            fresh,
            ROLE_REQUEST | ROLE_APPROVE,
            LedgerError::ConflictingRoles,
        ),
        (
            fresh,
            ROLE_OBLIGATE | ROLE_EXECUTE,
            LedgerError::ConflictingRoles,
        ),
        (fresh, ALL_ROLES, LedgerError::ConflictingRoles),
        (
            fixture.requester.pubkey(),
            ROLE_REQUEST | ROLE_APPROVE,
            LedgerError::ConflictingRoles,
        ),
        (
            fixture.obligor.pubkey(),
            ROLE_OBLIGATE | ROLE_EXECUTE | ROLE_BUDGET,
            LedgerError::ConflictingRoles,
        ),
        (
            fixture.executor.pubkey(),
            ROLE_EXECUTE | ROLE_OBLIGATE,
            LedgerError::ConflictingRoles,
        ),
        (
            fixture.head.pubkey(),
            ROLE_EXECUTE,
            LedgerError::HeadCannotBeMember,
        ),
        (
            fixture.head.pubkey(),
            ROLE_BUDGET,
            LedgerError::HeadCannotBeMember,
        ),
        (fixture.head.pubkey(), 0, LedgerError::HeadCannotBeMember),
    ];
    for (key, roles, error) in cases {
        let member = pda::member(&fixture.agency, &key).0;
        world
            .expect_refused(
                &[fixture.set_member_ix(key, roles, true)],
                &[&fixture.head],
                error,
                &[member, fixture.agency],
            )
            .await;
    }
    assert!(world
        .chain
        .get_account(&pda::member(&fixture.agency, &fixture.head.pubkey()).0)
        .await
        .unwrap()
        .is_none());
}

/// The head alone, in one transaction, grants its own key the roles to pay and pays itself: refused, nothing
/// moves.
#[tokio::test]
async fn the_head_alone_cannot_make_itself_a_paying_officer() {
    let mut world = World::new().await;
    let fixture = world.agency("075").await;
    let award = world.award(&fixture, b"VENDOR000001", 10_000 * UNIT).await;
    let head = fixture.head.pubkey();
    let grant = fixture.set_member_ix(head, ROLE_OBLIGATE | ROLE_REQUEST, true);
    let execute = fixture.set_member_ix(head, ROLE_EXECUTE, true);
    for ixs in [vec![grant], vec![execute]] {
        world
            .expect_refused(
                &ixs,
                &[&fixture.head],
                LedgerError::HeadCannotBeMember,
                &[
                    pda::member(&fixture.agency, &head).0,
                    fixture.treasury,
                    award.keys.award,
                ],
            )
            .await;
    }
}

#[tokio::test]
async fn set_approval_policy_accepts_sane_policies_only() {
    let mut world = World::new().await;
    let fixture = world.agency("075").await;
    let policy = ApprovalPolicy {
        threshold: 10_000 * UNIT,
        approvals_required: 2,
        time_lock_seconds: 3600,
        fast_path_daily_cap: 50_000 * UNIT,
    };
    let ix = builders::SetApprovalPolicy {
        agency: fixture.agency,
        head: fixture.head.pubkey(),
        policy,
    }
    .instruction();
    let outcome = world.send(&[ix], &[&fixture.head]).await.unwrap();
    assert_eq!(world.get::<Agency>(&fixture.agency).await.policy, policy);
    assert!(
        matches!(&outcome.events[..], [LedgerEvent::ApprovalPolicySet(e)] if e.policy == policy)
    );

    let bad = [
        (
            ApprovalPolicy {
                approvals_required: 0,
                ..policy
            },
            LedgerError::InvalidApprovalsRequired,
        ),
        (
            ApprovalPolicy {
                approvals_required: MAX_APPROVERS as u8 + 1,
                ..policy
            },
            LedgerError::InvalidApprovalsRequired,
        ),
        (
            ApprovalPolicy {
                time_lock_seconds: MAX_TIME_LOCK_SECONDS + 1,
                ..policy
            },
            LedgerError::TimeLockTooLong,
        ),
        (
            ApprovalPolicy {
                threshold: 0,
                ..policy
            },
            LedgerError::FastPathWithoutThreshold,
        ),
    ];
    for (policy, error) in bad {
        let ix = builders::SetApprovalPolicy {
            agency: fixture.agency,
            head: fixture.head.pubkey(),
            policy,
        }
        .instruction();
        world
            .expect_refused(&[ix], &[&fixture.head], error, &[fixture.agency])
            .await;
    }
    let ix = builders::SetApprovalPolicy {
        agency: fixture.agency,
        head: fixture.budget.pubkey(),
        policy,
    }
    .instruction();
    world
        .expect_refused(
            &[ix],
            &[&fixture.budget],
            LedgerError::NotAgencyHead,
            &[fixture.agency],
        )
        .await;
}
