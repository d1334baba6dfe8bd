use anchor_lang::error::ErrorCode;
use public_spending::{
    error::LedgerError,
    instructions::{AwardChange, ObligateArgs, RegisterRecipientArgs},
    state::{
        Agency, Allotment, Appropriation, Award, AwardStatus, AwardType, ExclusionStatus,
        Recipient, RecipientKind,
    },
};
use public_spending_sdk::{builders, pda, LedgerEvent};
use public_spending_tests::*;
use solana_sdk::signature::{Keypair, Signer};

const UEI: [u8; 12] = *b"ABCDEF123456";

fn recipient_ix(
    fixture: &AgencyFixture,
    args: RegisterRecipientArgs,
) -> solana_sdk::instruction::Instruction {
    builders::RegisterRecipient {
        agency: fixture.agency,
        authority: fixture.obligor.pubkey(),
        args,
    }
    .instruction()
}

fn business(uei: [u8; 12]) -> RegisterRecipientArgs {
    RegisterRecipientArgs {
        uei,
        kind: RecipientKind::Business,
        name: "Acme Road Works LLC".into(),
        name_hash: [0; 32],
        payout_wallet: Keypair::new().pubkey(),
    }
}

#[tokio::test]
async fn register_recipient_stores_a_business_name() {
    let mut world = World::new().await;
    let fixture = world.agency("075").await;
    let args = business(UEI);
    let outcome = world
        .send(&[recipient_ix(&fixture, args.clone())], &[&fixture.obligor])
        .await
        .unwrap();
    let recipient: Recipient = world.get(&pda::recipient(&fixture.agency, &UEI).0).await;
    assert_eq!(
        (recipient.uei, recipient.kind, recipient.agency),
        (UEI, RecipientKind::Business, fixture.agency)
    );
    assert_eq!(
        (recipient.name.as_str(), recipient.name_hash),
        ("Acme Road Works LLC", [0; 32])
    );
    assert_eq!(
        (recipient.payout_wallet, recipient.pending_payout_wallet),
        (args.payout_wallet, Default::default())
    );
    assert!(
        matches!(&outcome.events[..], [LedgerEvent::RecipientRegistered(e)] if e.uei == UEI && e.name == args.name)
    );
}

#[tokio::test]
async fn register_recipient_stores_only_a_hash_for_an_individual() {
    let mut world = World::new().await;
    let fixture = world.agency("075").await;
    let name_hash = [9; 32];
    let args = RegisterRecipientArgs {
        kind: RecipientKind::Individual,
        name: String::new(),
        name_hash,
        ..business(UEI)
    };
    world
        .send(&[recipient_ix(&fixture, args)], &[&fixture.obligor])
        .await
        .unwrap();
    let recipient: Recipient = world.get(&pda::recipient(&fixture.agency, &UEI).0).await;
    assert_eq!(
        (recipient.kind, recipient.name.as_str(), recipient.name_hash),
        (RecipientKind::Individual, "", name_hash)
    );
}

#[tokio::test]
async fn register_recipient_validates_its_arguments() {
    let mut world = World::new().await;
    let fixture = world.agency("075").await;
    let individual = RegisterRecipientArgs {
        kind: RecipientKind::Individual,
        name: String::new(),
        name_hash: [9; 32],
        ..business(UEI)
    };
    let cases = [
        (business(*b"abcdef123456"), LedgerError::InvalidUei),
        (business(*b"ABCDEF-23456"), LedgerError::InvalidUei),
        (
            RegisterRecipientArgs {
                name: "Jane Doe".into(),
                ..individual.clone()
            },
            LedgerError::InvalidRecipientName,
        ),
        (
            RegisterRecipientArgs {
                name_hash: [0; 32],
                ..individual
            },
            LedgerError::InvalidNameHash,
        ),
        (
            RegisterRecipientArgs {
                name_hash: [1; 32],
                ..business(UEI)
            },
            LedgerError::InvalidNameHash,
        ),
        (
            RegisterRecipientArgs {
                name: String::new(),
                ..business(UEI)
            },
            LedgerError::InvalidRecipientName,
        ),
        (
            RegisterRecipientArgs {
                name: "N".repeat(65),
                ..business(UEI)
            },
            LedgerError::InvalidRecipientName,
        ),
        (
            RegisterRecipientArgs {
                payout_wallet: Default::default(),
                ..business(UEI)
            },
            LedgerError::InvalidPayoutWallet,
        ),
    ];
    for (args, error) in cases {
        let key = pda::recipient(&fixture.agency, &args.uei).0;
        world
            .expect_refused(
                &[recipient_ix(&fixture, args)],
                &[&fixture.obligor],
                error,
                &[key],
            )
            .await;
    }
    let ix = builders::RegisterRecipient {
        agency: fixture.agency,
        authority: fixture.requester.pubkey(),
        args: business(UEI),
    }
    .instruction();
    world
        .expect_refused(
            &[ix],
            &[&fixture.requester],
            LedgerError::MissingRole,
            &[pda::recipient(&fixture.agency, &UEI).0],
        )
        .await;
}

#[tokio::test]
async fn register_recipient_twice_is_refused() {
    let mut world = World::new().await;
    let fixture = world.agency("075").await;
    world
        .send(
            &[recipient_ix(&fixture, business(UEI))],
            &[&fixture.obligor],
        )
        .await
        .unwrap();
    let ix = recipient_ix(&fixture, business(UEI));
    world
        .expect_refused(
            &[ix],
            &[&fixture.obligor],
            ALREADY_EXISTS,
            &[pda::recipient(&fixture.agency, &UEI).0],
        )
        .await;
}

#[tokio::test]
async fn obligate_creates_an_award_and_raises_every_total() {
    let mut world = World::new().await;
    let fixture = world.agency("075").await;
    let appropriation = world.appropriation(&fixture, 1_000 * UNIT).await;
    let allotment = world.allot(&fixture, appropriation, 800 * UNIT).await;
    world
        .send(
            &[recipient_ix(&fixture, business(UEI))],
            &[&fixture.obligor],
        )
        .await
        .unwrap();
    let recipient = pda::recipient(&fixture.agency, &UEI).0;
    let ix = world.obligate_ix(
        &fixture,
        appropriation,
        allotment,
        &UEI,
        "75N98025C00001",
        300 * UNIT,
    );
    let outcome = world.send(&[ix], &[&fixture.obligor]).await.unwrap();

    let award_key = pda::award(&fixture.agency, "75N98025C00001").0;
    let award: Award = world.get(&award_key).await;
    assert_eq!(
        (award.obligated, award.outlayed, award.in_flight),
        (300 * UNIT, 0, 0)
    );
    assert_eq!(
        (award.recipient, award.allotment, award.appropriation),
        (recipient, allotment, appropriation)
    );
    assert_eq!(
        (award.award_type, award.status, award.object_class),
        (AwardType::Contract, AwardStatus::Active, *b"252")
    );
    assert_eq!(
        world.get::<Allotment>(&allotment).await.obligated,
        300 * UNIT
    );
    assert_eq!(
        world.get::<Appropriation>(&appropriation).await.obligated,
        300 * UNIT
    );
    assert_eq!(
        world.get::<Agency>(&fixture.agency).await.obligated,
        300 * UNIT
    );
    assert!(matches!(&outcome.events[..],
        [LedgerEvent::AwardObligated(e)] if e.award == award_key && e.amount == 300 * UNIT && e.agency_obligated == 300 * UNIT));
}

#[tokio::test]
async fn obligate_never_exceeds_the_allotment_and_validates_its_arguments() {
    let mut world = World::new().await;
    let fixture = world.agency("075").await;
    let appropriation = world.appropriation(&fixture, 1_000 * UNIT).await;
    let allotment = world.allot(&fixture, appropriation, 500 * UNIT).await;
    let other_allotment = world.allot(&fixture, appropriation, 100 * UNIT).await;
    world
        .send(
            &[recipient_ix(&fixture, business(UEI))],
            &[&fixture.obligor],
        )
        .await
        .unwrap();
    let recipient = pda::recipient(&fixture.agency, &UEI).0;
    let good = ObligateArgs {
        award_id: "AWD-1".into(),
        award_type: AwardType::Grant,
        object_class: *b"410",
        amount: 500 * UNIT,
        period_start: 0,
        period_end: 1,
        document_hash: [1; 32],
    };
    let watched = [
        allotment,
        appropriation,
        fixture.agency,
        pda::award(&fixture.agency, "AWD-1").0,
    ];
    let cases = [
        (
            ObligateArgs {
                amount: 500 * UNIT + 1,
                ..good.clone()
            },
            LedgerError::ExceedsAllotment,
        ),
        (
            ObligateArgs {
                amount: u64::MAX,
                ..good.clone()
            },
            LedgerError::ExceedsAllotment,
        ),
        (
            ObligateArgs {
                amount: 0,
                ..good.clone()
            },
            LedgerError::ZeroAmount,
        ),
        (
            ObligateArgs {
                object_class: *b"4.1",
                ..good.clone()
            },
            LedgerError::InvalidObjectClass,
        ),
        (
            ObligateArgs {
                period_end: 0,
                ..good.clone()
            },
            LedgerError::InvalidPeriodOfPerformance,
        ),
        (
            ObligateArgs {
                award_id: "AWD\n1".into(),
                ..good.clone()
            },
            LedgerError::InvalidAwardId,
        ),
    ];
    for (args, error) in cases {
        let ix = builders::Obligate {
            agency: fixture.agency,
            appropriation,
            allotment,
            recipient,
            uei: UEI,
            property: None,
            authority: fixture.obligor.pubkey(),
            args,
        }
        .instruction();
        world
            .expect_refused(&[ix], &[&fixture.obligor], error, &watched)
            .await;
    }
    // An allotment of another appropriation.
    let other_appropriation = world
        .appropriation_ix(fixture.agency, *b"0200", 2026, UNIT)
        .await;
    let admin = world.admin.insecure_clone();
    world.send(&[other_appropriation], &[&admin]).await.unwrap();
    let other_appropriation = pda::appropriation(&fixture.agency, b"0200", b"000", 2026).0;
    let ix = builders::Obligate {
        agency: fixture.agency,
        appropriation: other_appropriation,
        allotment: other_allotment,
        recipient,
        uei: UEI,
        property: None,
        authority: fixture.obligor.pubkey(),
        args: good.clone(),
    }
    .instruction();
    world
        .expect_refused(
            &[ix],
            &[&fixture.obligor],
            LedgerError::WrongParent,
            &watched,
        )
        .await;

    let ix = builders::Obligate {
        agency: fixture.agency,
        appropriation,
        allotment,
        recipient,
        uei: UEI,
        property: None,
        authority: fixture.budget.pubkey(),
        args: good,
    }
    .instruction();
    world
        .expect_refused(
            &[ix],
            &[&fixture.budget],
            LedgerError::MissingRole,
            &watched,
        )
        .await;
}

#[tokio::test]
async fn obligate_refuses_a_debarred_recipient_and_an_expired_appropriation() {
    let mut world = World::new().await;
    let fixture = world.agency("075").await;
    let appropriation = world.appropriation(&fixture, 1_000 * UNIT).await;
    let allotment = world.allot(&fixture, appropriation, 500 * UNIT).await;
    world
        .send(
            &[recipient_ix(&fixture, business(UEI))],
            &[&fixture.obligor],
        )
        .await
        .unwrap();
    let auditor = world.auditor.insecure_clone();
    let debar = world.exclusion_ix(&UEI, ExclusionStatus::Debarred);
    world.send(&[debar], &[&auditor]).await.unwrap();
    let ix = world.obligate_ix(&fixture, appropriation, allotment, &UEI, "AWD-1", UNIT);
    let watched = [
        allotment,
        appropriation,
        pda::award(&fixture.agency, "AWD-1").0,
    ];
    world
        .expect_refused(
            std::slice::from_ref(&ix),
            &[&fixture.obligor],
            LedgerError::RecipientNotActive,
            &watched,
        )
        .await;

    let reinstate = world.exclusion_ix(&UEI, ExclusionStatus::Lifted);
    world.send(&[reinstate], &[&auditor]).await.unwrap();
    world.chain.advance_clock(YEAR).await.unwrap();
    world
        .expect_refused(
            &[ix],
            &[&fixture.obligor],
            LedgerError::AppropriationExpired,
            &watched,
        )
        .await;
}

#[tokio::test]
async fn modify_award_increases_within_the_allotment_and_deobligates_down_to_what_is_committed() {
    let mut world = World::new().await;
    let fixture = world.agency("075").await;
    let award = world.award(&fixture, &UEI, 100 * UNIT).await;
    let keys = award.keys;
    let modify = |change| {
        builders::ModifyAward {
            keys,
            authority: fixture.obligor.pubkey(),
            change,
            document_hash: [2; 32],
        }
        .instruction()
    };

    let outcome = world
        .send(
            &[modify(AwardChange::Increase { amount: 50 * UNIT })],
            &[&fixture.obligor],
        )
        .await
        .unwrap();
    assert!(
        matches!(&outcome.events[..], [LedgerEvent::AwardModified(e)] if e.change == i128::from(50 * UNIT) && e.modification == 1 && e.award_obligated == 150 * UNIT)
    );
    let stored: Award = world.get(&keys.award).await;
    assert_eq!(
        (
            stored.obligated,
            stored.modification_count,
            stored.document_hash
        ),
        (150 * UNIT, 1, [2; 32])
    );
    assert_eq!(
        world.get::<Allotment>(&keys.allotment).await.obligated,
        150 * UNIT
    );

    // The allotment is 200: 51 more would exceed it.
    let watched = [keys.award, keys.allotment, keys.appropriation, keys.agency];
    world
        .expect_refused(
            &[modify(AwardChange::Increase { amount: 51 * UNIT })],
            &[&fixture.obligor],
            LedgerError::ExceedsAllotment,
            &watched,
        )
        .await;
    world
        .expect_refused(
            &[modify(AwardChange::Increase { amount: 0 })],
            &[&fixture.obligor],
            LedgerError::ZeroAmount,
            &watched,
        )
        .await;

    // 40 in flight: at most 110 may be deobligated.
    let request = world
        .request_ix(&fixture, &award, 40 * UNIT)
        .await
        .instruction();
    world.send(&[request], &[&fixture.requester]).await.unwrap();
    world
        .expect_refused(
            &[modify(AwardChange::Deobligate { amount: 111 * UNIT })],
            &[&fixture.obligor],
            LedgerError::DeobligationBelowCommitted,
            &watched,
        )
        .await;
    let outcome = world
        .send(
            &[modify(AwardChange::Deobligate { amount: 110 * UNIT })],
            &[&fixture.obligor],
        )
        .await
        .unwrap();
    assert!(
        matches!(&outcome.events[..], [LedgerEvent::AwardModified(e)] if e.change == -i128::from(110 * UNIT) && e.agency_obligated == 40 * UNIT)
    );
    assert_eq!(
        world
            .get::<Appropriation>(&keys.appropriation)
            .await
            .obligated,
        40 * UNIT
    );
}

#[tokio::test]
async fn close_award_only_when_settled() {
    let mut world = World::new().await;
    let fixture = world.agency("075").await;
    let award = world.award(&fixture, &UEI, 100 * UNIT).await;
    let close = builders::CloseAward {
        agency: fixture.agency,
        award: award.keys.award,
        authority: fixture.obligor.pubkey(),
    }
    .instruction();
    world
        .expect_refused(
            std::slice::from_ref(&close),
            &[&fixture.obligor],
            LedgerError::AwardNotSettled,
            &[award.keys.award],
        )
        .await;

    let deobligate = builders::ModifyAward {
        keys: award.keys,
        authority: fixture.obligor.pubkey(),
        change: AwardChange::Deobligate { amount: 100 * UNIT },
        document_hash: [3; 32],
    }
    .instruction();
    world
        .send(&[deobligate], &[&fixture.obligor])
        .await
        .unwrap();
    let outcome = world
        .send(std::slice::from_ref(&close), &[&fixture.obligor])
        .await
        .unwrap();
    assert!(
        matches!(&outcome.events[..], [LedgerEvent::AwardClosed(e)] if e.award == award.keys.award)
    );
    assert_eq!(
        world.get::<Award>(&award.keys.award).await.status,
        AwardStatus::Closed
    );
    world
        .expect_refused(
            &[close],
            &[&fixture.obligor],
            LedgerError::AwardClosed,
            &[award.keys.award],
        )
        .await;
    let request = world.request_ix(&fixture, &award, UNIT).await.instruction();
    world
        .expect_refused(
            &[request],
            &[&fixture.requester],
            LedgerError::AwardClosed,
            &[award.keys.award],
        )
        .await;
}

#[tokio::test]
async fn award_accounts_of_another_agency_are_refused() {
    let mut world = World::new().await;
    let fixture = world.agency("075").await;
    let other = world.agency("076").await;
    let award = world.award(&other, &UEI, 100 * UNIT).await;
    let ix = builders::CloseAward {
        agency: fixture.agency,
        award: award.keys.award,
        authority: fixture.obligor.pubkey(),
    }
    .instruction();
    world
        .expect_refused(
            &[ix],
            &[&fixture.obligor],
            ErrorCode::ConstraintSeeds,
            &[award.keys.award],
        )
        .await;
}
