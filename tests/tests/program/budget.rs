use anchor_lang::error::ErrorCode;
use public_spending::{
    error::LedgerError,
    instructions::CreateAppropriationArgs,
    state::{Agency, Allotment, Appropriation, AppropriationStatus},
};
use public_spending_sdk::{builders, pda, LedgerEvent};
use public_spending_tests::*;
use solana_sdk::signature::Signer;

#[tokio::test]
async fn create_appropriation_grants_budget_authority() {
    let mut world = World::new().await;
    let fixture = world.agency("075").await;
    let ix = world
        .appropriation_ix(fixture.agency, *b"0512", 2026, 5_000 * UNIT)
        .await;
    let admin = world.admin.insecure_clone();
    let outcome = world.send(&[ix], &[&admin]).await.unwrap();

    let key = pda::appropriation(&fixture.agency, b"0512", b"000", 2026).0;
    let appropriation: Appropriation = world.get(&key).await;
    assert_eq!(appropriation.agency, fixture.agency);
    assert_eq!(
        (
            appropriation.main_account,
            appropriation.sub_account,
            appropriation.fiscal_year
        ),
        (*b"0512", *b"000", 2026)
    );
    assert_eq!(appropriation.budget_authority, 5_000 * UNIT);
    assert_eq!(
        (
            appropriation.allotted,
            appropriation.obligated,
            appropriation.outlayed
        ),
        (0, 0, 0)
    );
    assert_eq!(appropriation.status, AppropriationStatus::Active);
    let agency: Agency = world.get(&fixture.agency).await;
    assert_eq!(
        (agency.budget_authority, agency.appropriation_count),
        (5_000 * UNIT, 1)
    );
    assert!(matches!(&outcome.events[..],
        [LedgerEvent::AppropriationCreated(e)] if e.appropriation == key && e.agency_budget_authority == 5_000 * UNIT));
}

#[tokio::test]
async fn agencies_never_set_their_own_budget_authority() {
    let mut world = World::new().await;
    let fixture = world.agency("075").await;
    let now = world.chain.clock().await.unwrap().unix_timestamp;
    let args = CreateAppropriationArgs {
        main_account: *b"0512",
        sub_account: *b"000",
        fiscal_year: 2026,
        budget_authority: UNIT,
        availability_end: now + YEAR,
    };
    let ix = builders::CreateAppropriation {
        admin: fixture.head.pubkey(),
        agency: fixture.agency,
        args,
    }
    .instruction();
    let key = pda::appropriation(&fixture.agency, b"0512", b"000", 2026).0;
    world
        .expect_refused(
            &[ix],
            &[&fixture.head],
            LedgerError::NotLedgerAdmin,
            &[key, fixture.agency],
        )
        .await;
}

#[tokio::test]
async fn create_appropriation_validates_its_arguments() {
    let mut world = World::new().await;
    let fixture = world.agency("075").await;
    let admin = world.admin.insecure_clone();
    let now = world.chain.clock().await.unwrap().unix_timestamp;
    let good = CreateAppropriationArgs {
        main_account: *b"0512",
        sub_account: *b"000",
        fiscal_year: 2026,
        budget_authority: UNIT,
        availability_end: now + YEAR,
    };
    let cases = [
        (
            CreateAppropriationArgs {
                budget_authority: 0,
                ..good.clone()
            },
            LedgerError::ZeroAmount,
        ),
        (
            CreateAppropriationArgs {
                main_account: *b"05A2",
                ..good.clone()
            },
            LedgerError::InvalidTreasuryAccountSymbol,
        ),
        (
            CreateAppropriationArgs {
                sub_account: *b"00 ",
                ..good.clone()
            },
            LedgerError::InvalidTreasuryAccountSymbol,
        ),
        (
            CreateAppropriationArgs {
                fiscal_year: 1999,
                ..good.clone()
            },
            LedgerError::InvalidFiscalYear,
        ),
        (
            CreateAppropriationArgs {
                fiscal_year: 2201,
                ..good.clone()
            },
            LedgerError::InvalidFiscalYear,
        ),
        (
            CreateAppropriationArgs {
                availability_end: now - 1,
                ..good.clone()
            },
            LedgerError::AvailabilityEndInPast,
        ),
    ];
    for (args, error) in cases {
        let key = pda::appropriation(
            &fixture.agency,
            &args.main_account,
            &args.sub_account,
            args.fiscal_year,
        )
        .0;
        let ix = builders::CreateAppropriation {
            admin: admin.pubkey(),
            agency: fixture.agency,
            args,
        }
        .instruction();
        world
            .expect_refused(&[ix], &[&admin], error, &[key, fixture.agency])
            .await;
    }
}

#[tokio::test]
async fn create_appropriation_twice_is_refused() {
    let mut world = World::new().await;
    let fixture = world.agency("075").await;
    let key = world.appropriation(&fixture, UNIT).await;
    let ix = world
        .appropriation_ix(fixture.agency, *b"0100", 2026, UNIT)
        .await;
    let admin = world.admin.insecure_clone();
    world
        .expect_refused(&[ix], &[&admin], ALREADY_EXISTS, &[key, fixture.agency])
        .await;
}

#[tokio::test]
async fn agency_budget_authority_cannot_overflow() {
    let mut world = World::new().await;
    let fixture = world.agency("075").await;
    world.appropriation(&fixture, u64::MAX).await;
    let ix = world
        .appropriation_ix(fixture.agency, *b"0200", 2026, 1)
        .await;
    let admin = world.admin.insecure_clone();
    let key = pda::appropriation(&fixture.agency, b"0200", b"000", 2026).0;
    world
        .expect_refused(
            &[ix],
            &[&admin],
            LedgerError::Overflow,
            &[key, fixture.agency],
        )
        .await;
}

#[tokio::test]
async fn allot_splits_budget_authority_by_program_activity() {
    let mut world = World::new().await;
    let fixture = world.agency("075").await;
    let appropriation = world.appropriation(&fixture, 1_000 * UNIT).await;
    let ix = world.allot_ix(&fixture, appropriation, 600 * UNIT).await;
    let outcome = world.send(&[ix], &[&fixture.budget]).await.unwrap();
    let first = pda::allotment(&appropriation, 0).0;
    let allotment: Allotment = world.get(&first).await;
    assert_eq!(
        (
            allotment.amount,
            allotment.index,
            allotment.program_activity
        ),
        (600 * UNIT, 0, *b"0001")
    );
    assert_eq!(
        (allotment.appropriation, allotment.agency),
        (appropriation, fixture.agency)
    );
    assert!(matches!(&outcome.events[..],
        [LedgerEvent::Allotted(e)] if e.allotment == first && e.appropriation_allotted == 600 * UNIT && e.agency_allotted == 600 * UNIT));

    let second = world.allot(&fixture, appropriation, 400 * UNIT).await;
    assert_eq!(second, pda::allotment(&appropriation, 1).0);
    let stored: Appropriation = world.get(&appropriation).await;
    assert_eq!((stored.allotted, stored.allotment_count), (1_000 * UNIT, 2));
    assert_eq!(
        world.get::<Agency>(&fixture.agency).await.allotted,
        1_000 * UNIT
    );

    // The budget authority is used up: not one more base unit.
    let ix = world.allot_ix(&fixture, appropriation, 1).await;
    let next = pda::allotment(&appropriation, 2).0;
    world
        .expect_refused(
            &[ix],
            &[&fixture.budget],
            LedgerError::ExceedsBudgetAuthority,
            &[appropriation, fixture.agency, next],
        )
        .await;
    let ix = world.allot_ix(&fixture, appropriation, u64::MAX).await;
    world
        .expect_refused(
            &[ix],
            &[&fixture.budget],
            LedgerError::Overflow,
            &[appropriation, fixture.agency, next],
        )
        .await;
}

#[tokio::test]
async fn allot_validates_amount_and_program_activity() {
    let mut world = World::new().await;
    let fixture = world.agency("075").await;
    let appropriation = world.appropriation(&fixture, 1_000 * UNIT).await;
    let watched = [
        appropriation,
        fixture.agency,
        pda::allotment(&appropriation, 0).0,
    ];
    let ix = world.allot_ix(&fixture, appropriation, 0).await;
    world
        .expect_refused(&[ix], &[&fixture.budget], LedgerError::ZeroAmount, &watched)
        .await;
    let ix = builders::Allot {
        agency: fixture.agency,
        appropriation,
        index: 0,
        authority: fixture.budget.pubkey(),
        args: public_spending::instructions::AllotArgs {
            program_activity: *b"00x1",
            amount: UNIT,
        },
    }
    .instruction();
    world
        .expect_refused(
            &[ix],
            &[&fixture.budget],
            LedgerError::InvalidProgramActivity,
            &watched,
        )
        .await;
}

#[tokio::test]
async fn allot_needs_the_budget_role_in_the_same_agency() {
    let mut world = World::new().await;
    let fixture = world.agency("075").await;
    let other = world.agency("076").await;
    let appropriation = world.appropriation(&fixture, 1_000 * UNIT).await;
    let other_appropriation = world.appropriation(&other, 1_000 * UNIT).await;
    let watched = [
        appropriation,
        other_appropriation,
        fixture.agency,
        other.agency,
        pda::allotment(&appropriation, 0).0,
    ];

    // A member without the BUDGET role.
    let ix = builders::Allot {
        agency: fixture.agency,
        appropriation,
        index: 0,
        authority: fixture.obligor.pubkey(),
        args: public_spending::instructions::AllotArgs {
            program_activity: *b"0001",
            amount: UNIT,
        },
    }
    .instruction();
    world
        .expect_refused(
            &[ix],
            &[&fixture.obligor],
            LedgerError::MissingRole,
            &watched,
        )
        .await;

    // Not a member at all: no member account exists.
    let ix = builders::Allot {
        agency: fixture.agency,
        appropriation,
        index: 0,
        authority: other.budget.pubkey(),
        args: public_spending::instructions::AllotArgs {
            program_activity: *b"0001",
            amount: UNIT,
        },
    }
    .instruction();
    world
        .expect_refused(
            std::slice::from_ref(&ix),
            &[&other.budget],
            ErrorCode::AccountNotInitialized,
            &watched,
        )
        .await;

    // Another agency's member account passed for this agency: its PDA does not match.
    let foreign_member = pda::member(&other.agency, &other.budget.pubkey()).0;
    let ix = swap_account(
        ix,
        &pda::member(&fixture.agency, &other.budget.pubkey()).0,
        &foreign_member,
    );
    world
        .expect_refused(
            &[ix],
            &[&other.budget],
            ErrorCode::ConstraintSeeds,
            &watched,
        )
        .await;

    // This agency's member, another agency's appropriation.
    let ix = world.allot_ix(&fixture, other_appropriation, UNIT).await;
    world
        .expect_refused(
            &[ix],
            &[&fixture.budget],
            LedgerError::WrongAgency,
            &watched,
        )
        .await;

    // The right accounts without the member's signature.
    let ix = unsigned(
        world.allot_ix(&fixture, appropriation, UNIT).await,
        &fixture.budget.pubkey(),
    );
    world
        .expect_refused(&[ix], &[], ErrorCode::AccountNotSigner, &watched)
        .await;
}

#[tokio::test]
async fn allot_refuses_an_allotment_pda_at_another_index() {
    let mut world = World::new().await;
    let fixture = world.agency("075").await;
    let appropriation = world.appropriation(&fixture, 1_000 * UNIT).await;
    let ix = builders::Allot {
        agency: fixture.agency,
        appropriation,
        index: 5,
        authority: fixture.budget.pubkey(),
        args: public_spending::instructions::AllotArgs {
            program_activity: *b"0001",
            amount: UNIT,
        },
    }
    .instruction();
    let watched = [appropriation, pda::allotment(&appropriation, 5).0];
    world
        .expect_refused(
            &[ix],
            &[&fixture.budget],
            ErrorCode::ConstraintSeeds,
            &watched,
        )
        .await;
}

#[tokio::test]
async fn expire_appropriation_stops_new_allotments() {
    let mut world = World::new().await;
    let fixture = world.agency("075").await;
    let appropriation = world.appropriation(&fixture, 1_000 * UNIT).await;
    let anyone = world.funded().await;
    let expire = builders::ExpireAppropriation {
        appropriation,
        authority: anyone.pubkey(),
    }
    .instruction();
    world
        .expect_refused(
            std::slice::from_ref(&expire),
            &[&anyone],
            LedgerError::AppropriationStillAvailable,
            &[appropriation],
        )
        .await;

    world.chain.advance_clock(YEAR).await.unwrap();
    let ix = world.allot_ix(&fixture, appropriation, UNIT).await;
    world
        .expect_refused(
            &[ix],
            &[&fixture.budget],
            LedgerError::AppropriationExpired,
            &[appropriation],
        )
        .await;

    let outcome = world
        .send(std::slice::from_ref(&expire), &[&anyone])
        .await
        .unwrap();
    assert!(
        matches!(&outcome.events[..], [LedgerEvent::AppropriationExpired(e)] if e.by == anyone.pubkey())
    );
    assert_eq!(
        world.get::<Appropriation>(&appropriation).await.status,
        AppropriationStatus::Expired
    );
    world
        .expect_refused(
            &[expire],
            &[&anyone],
            LedgerError::AppropriationExpired,
            &[appropriation],
        )
        .await;
}

#[tokio::test]
async fn ledger_admin_may_expire_an_appropriation_early() {
    let mut world = World::new().await;
    let fixture = world.agency("075").await;
    let appropriation = world.appropriation(&fixture, 1_000 * UNIT).await;
    let admin = world.admin.insecure_clone();
    let expire = builders::ExpireAppropriation {
        appropriation,
        authority: admin.pubkey(),
    }
    .instruction();
    world.send(&[expire], &[&admin]).await.unwrap();
    let ix = world.allot_ix(&fixture, appropriation, UNIT).await;
    world
        .expect_refused(
            &[ix],
            &[&fixture.budget],
            LedgerError::AppropriationExpired,
            &[appropriation, fixture.agency],
        )
        .await;
}

#[tokio::test]
async fn frozen_agency_cannot_allot() {
    let mut world = World::new().await;
    let fixture = world.agency("075").await;
    let appropriation = world.appropriation(&fixture, 1_000 * UNIT).await;
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
    let ix = world.allot_ix(&fixture, appropriation, UNIT).await;
    world
        .expect_refused(
            &[ix],
            &[&fixture.budget],
            LedgerError::AgencyFrozen,
            &[appropriation, fixture.agency],
        )
        .await;
}
