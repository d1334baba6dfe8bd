//! The government property registry: buildings, land and structures per agency, and the awards charged to them.

use public_spending::{
    error::LedgerError,
    instructions::DisposePropertyArgs,
    state::{
        Award, DispositionMethod, LegalInterest, Property, PropertyDetails, PropertyLocation,
        PropertyStatus, PropertyType, PropertyUse, SizeUnit,
    },
};
use public_spending_sdk::{
    builders::{self, PropertyChange},
    pda, LedgerEvent,
};
use public_spending_tests::*;
use solana_sdk::{instruction::Instruction, signature::Signer};

const RPUID: &str = "075-DC-0001";

/// An owned office building in Washington, DC.
fn office() -> PropertyDetails {
    PropertyDetails {
        property_type: PropertyType::Building,
        property_use: PropertyUse::Office,
        legal_interest: LegalInterest::Owned,
        status: PropertyStatus::Active,
        size: 120_000,
        size_unit: SizeUnit::SquareFeet,
        location: PropertyLocation {
            state: *b"DC",
            city: "Washington".into(),
            zip: *b"20201",
            latitude: Some(38_886_700),
            longitude: Some(-77_014_500),
        },
        condition_index: 82,
        annual_operating_cost: 1_200_000 * UNIT,
        annual_rent: 0,
        lease_start: 0,
        lease_end: 0,
    }
}

fn register_ix(fixture: &AgencyFixture, rpuid: &str, details: PropertyDetails) -> Instruction {
    builders::RegisterProperty {
        agency: fixture.agency,
        authority: fixture.property_officer.pubkey(),
        rpuid: rpuid.into(),
        details,
    }
    .instruction()
}

fn change_ix(fixture: &AgencyFixture, property: &str, change: PropertyChange) -> Instruction {
    builders::ChangeProperty {
        agency: fixture.agency,
        property: pda::property(&fixture.agency, property).0,
        authority: fixture.property_officer.pubkey(),
        change,
    }
    .instruction()
}

fn dispose() -> PropertyChange {
    PropertyChange::Dispose(DisposePropertyArgs {
        disposition_date: 1_900_000_000,
        method: DispositionMethod::Sale,
    })
}

#[tokio::test]
async fn a_property_officer_registers_updates_and_finally_disposes_a_building() {
    let mut world = World::new().await;
    let fixture = world.agency("075").await;
    let key = pda::property(&fixture.agency, RPUID).0;
    let outcome = world
        .send(
            &[register_ix(&fixture, RPUID, office())],
            &[&fixture.property_officer],
        )
        .await
        .unwrap();
    assert!(
        matches!(&outcome.events[..], [LedgerEvent::PropertyRegistered(e)]
        if e.property == key && e.rpuid == RPUID && e.details == office())
    );
    let stored: Property = world.get(&key).await;
    assert_eq!(
        (
            stored.agency,
            stored.rpuid.as_str(),
            &stored.details,
            stored.update_count
        ),
        (fixture.agency, RPUID, &office(), 0)
    );

    let leased = PropertyDetails {
        legal_interest: LegalInterest::Leased,
        annual_rent: 900_000 * UNIT,
        lease_start: 1_700_000_000,
        lease_end: 2_000_000_000,
        status: PropertyStatus::Excess,
        condition_index: 64,
        ..office()
    };
    let outcome = world
        .send(
            &[change_ix(
                &fixture,
                RPUID,
                PropertyChange::Update(leased.clone()),
            )],
            &[&fixture.property_officer],
        )
        .await
        .unwrap();
    assert!(
        matches!(&outcome.events[..], [LedgerEvent::PropertyUpdated(e)] if e.details == leased)
    );
    let stored: Property = world.get(&key).await;
    assert_eq!((&stored.details, stored.update_count), (&leased, 1));

    // Not disposed of before its lease began.
    let too_early = PropertyChange::Dispose(DisposePropertyArgs {
        disposition_date: leased.lease_start - 1,
        method: DispositionMethod::LeaseTermination,
    });
    world
        .expect_refused(
            &[change_ix(&fixture, RPUID, too_early)],
            &[&fixture.property_officer],
            LedgerError::DisposedBeforeLease,
            &[key],
        )
        .await;

    let outcome = world
        .send(
            &[change_ix(&fixture, RPUID, dispose())],
            &[&fixture.property_officer],
        )
        .await
        .unwrap();
    assert!(
        matches!(&outcome.events[..], [LedgerEvent::PropertyDisposed(e)]
        if e.method == DispositionMethod::Sale && e.disposition_date == 1_900_000_000)
    );
    let stored: Property = world.get(&key).await;
    assert_eq!(
        (
            stored.details.status,
            stored.disposition_method,
            stored.disposition_date
        ),
        (
            PropertyStatus::Disposed,
            Some(DispositionMethod::Sale),
            1_900_000_000
        )
    );
    // Final: neither updated nor disposed again.
    for change in [PropertyChange::Update(office()), dispose()] {
        world
            .expect_refused(
                &[change_ix(&fixture, RPUID, change)],
                &[&fixture.property_officer],
                LedgerError::PropertyDisposed,
                &[key],
            )
            .await;
    }
}

#[tokio::test]
async fn property_details_are_validated_and_a_property_is_registered_once() {
    let mut world = World::new().await;
    let fixture = world.agency("075").await;
    let location = office().location;
    let cases = [
        (
            RPUID,
            PropertyDetails {
                status: PropertyStatus::Disposed,
                ..office()
            },
            LedgerError::InvalidPropertyStatus,
        ),
        (
            RPUID,
            PropertyDetails {
                size: 0,
                ..office()
            },
            LedgerError::InvalidPropertySize,
        ),
        (
            RPUID,
            PropertyDetails {
                location: PropertyLocation {
                    state: *b"dc",
                    ..location.clone()
                },
                ..office()
            },
            LedgerError::InvalidStateCode,
        ),
        (
            RPUID,
            PropertyDetails {
                location: PropertyLocation {
                    state: *b"ZZ",
                    ..location.clone()
                },
                ..office()
            },
            LedgerError::InvalidStateCode,
        ),
        (
            RPUID,
            PropertyDetails {
                location: PropertyLocation {
                    zip: *b"2020A",
                    ..location.clone()
                },
                ..office()
            },
            LedgerError::InvalidZipCode,
        ),
        (
            RPUID,
            PropertyDetails {
                location: PropertyLocation {
                    city: String::new(),
                    ..location.clone()
                },
                ..office()
            },
            LedgerError::InvalidCity,
        ),
        (
            RPUID,
            PropertyDetails {
                location: PropertyLocation {
                    longitude: None,
                    ..location.clone()
                },
                ..office()
            },
            LedgerError::InvalidPropertyLocation,
        ),
        (
            RPUID,
            PropertyDetails {
                location: PropertyLocation {
                    latitude: Some(90_000_001),
                    ..location.clone()
                },
                ..office()
            },
            LedgerError::InvalidPropertyLocation,
        ),
        (
            RPUID,
            PropertyDetails {
                location: PropertyLocation {
                    longitude: Some(-180_000_001),
                    ..location.clone()
                },
                ..office()
            },
            LedgerError::InvalidPropertyLocation,
        ),
        (
            RPUID,
            PropertyDetails {
                condition_index: 101,
                ..office()
            },
            LedgerError::InvalidConditionIndex,
        ),
        (
            RPUID,
            PropertyDetails {
                annual_rent: UNIT,
                ..office()
            },
            LedgerError::InvalidLeaseTerms,
        ),
        (
            RPUID,
            PropertyDetails {
                legal_interest: LegalInterest::Leased,
                ..office()
            },
            LedgerError::InvalidLeaseTerms,
        ),
        ("", office(), LedgerError::InvalidRpuid),
        ("075 DC 0001 ", office(), LedgerError::InvalidRpuid),
    ];
    for (rpuid, details, error) in cases {
        let ix = register_ix(&fixture, rpuid, details);
        world
            .expect_refused(
                &[ix],
                &[&fixture.property_officer],
                error,
                &[pda::property(&fixture.agency, rpuid).0],
            )
            .await;
    }
    // Without the PROPERTY role.
    let ix = builders::RegisterProperty {
        agency: fixture.agency,
        authority: fixture.obligor.pubkey(),
        rpuid: RPUID.into(),
        details: office(),
    }
    .instruction();
    let key = pda::property(&fixture.agency, RPUID).0;
    world
        .expect_refused(&[ix], &[&fixture.obligor], LedgerError::MissingRole, &[key])
        .await;

    world
        .send(
            &[register_ix(&fixture, RPUID, office())],
            &[&fixture.property_officer],
        )
        .await
        .unwrap();
    world
        .expect_refused(
            &[register_ix(&fixture, RPUID, office())],
            &[&fixture.property_officer],
            ALREADY_EXISTS,
            &[key],
        )
        .await;
    // An update is validated like a registration.
    world
        .expect_refused(
            &[change_ix(
                &fixture,
                RPUID,
                PropertyChange::Update(PropertyDetails {
                    condition_index: 101,
                    ..office()
                }),
            )],
            &[&fixture.property_officer],
            LedgerError::InvalidConditionIndex,
            &[key],
        )
        .await;
}

#[tokio::test]
async fn another_agency_can_neither_change_a_property_nor_charge_an_award_to_it() {
    let mut world = World::new().await;
    let owner = world.agency("075").await;
    let other = world.agency("089").await;
    world
        .send(
            &[register_ix(&owner, RPUID, office())],
            &[&owner.property_officer],
        )
        .await
        .unwrap();
    let key = pda::property(&owner.agency, RPUID).0;
    let foreign = builders::ChangeProperty {
        agency: other.agency,
        property: key,
        authority: other.property_officer.pubkey(),
        change: dispose(),
    }
    .instruction();
    world
        .expect_refused(
            &[foreign],
            &[&other.property_officer],
            LedgerError::WrongAgency,
            &[key],
        )
        .await;

    // An award in the other agency naming the owner's building.
    let award = world.award(&other, b"VENDOR000001", 100 * UNIT).await;
    let obligate = |agency: &AgencyFixture, award: &AwardFixture, property, id: &str| {
        builders::Obligate {
            agency: agency.agency,
            appropriation: award.keys.appropriation,
            allotment: award.keys.allotment,
            recipient: award.keys.recipient,
            uei: award.uei,
            property: Some(property),
            authority: agency.obligor.pubkey(),
            args: public_spending::instructions::ObligateArgs {
                award_id: id.into(),
                award_type: public_spending::state::AwardType::Contract,
                object_class: *b"233",
                amount: UNIT,
                period_start: 0,
                period_end: 4_000_000_000,
                document_hash: [7; 32],
            },
        }
        .instruction()
    };
    world
        .expect_refused(
            &[obligate(&other, &award, key, "RENT-1")],
            &[&other.obligor],
            LedgerError::WrongAgency,
            &[pda::award(&other.agency, "RENT-1").0, award.keys.allotment],
        )
        .await;

    // The owner charges an award to it; once disposed, no new award may name it.
    let own_award = world.award(&owner, b"VENDOR000002", 100 * UNIT).await;
    let outcome = world
        .send(
            &[obligate(&owner, &own_award, key, "RENT-1")],
            &[&owner.obligor],
        )
        .await
        .unwrap();
    let rent = pda::award(&owner.agency, "RENT-1").0;
    assert_eq!(world.get::<Award>(&rent).await.property, key);
    assert!(matches!(&outcome.events[..], [LedgerEvent::AwardObligated(e)] if e.property == key));
    world
        .send(
            &[change_ix(&owner, RPUID, dispose())],
            &[&owner.property_officer],
        )
        .await
        .unwrap();
    world
        .expect_refused(
            &[obligate(&owner, &own_award, key, "RENT-2")],
            &[&owner.obligor],
            LedgerError::PropertyDisposed,
            &[
                pda::award(&owner.agency, "RENT-2").0,
                own_award.keys.allotment,
            ],
        )
        .await;
}
