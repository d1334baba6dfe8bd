//! Oversight one lenient or planted auditor cannot undo (issue 34): a lift by the imposing auditor or by two,
//! a new auditor on notice and open to veto, a new agency on notice, and a veto that sticks for 30 days.

use public_spending::{
    constants::*,
    error::LedgerError,
    state::{
        Agency, Award, ControlChange, Exclusion, ExclusionStatus, Ledger, Payment, PendingChange,
    },
};
use public_spending_sdk::{builders, fetch::AccountSource, pda, LedgerEvent, TxOutcome};
use public_spending_tests::*;
use solana_sdk::{
    instruction::Instruction,
    pubkey::Pubkey,
    signature::{Keypair, Signer},
};

/// A ledger with three auditors (named before any agency, as the admin may), agency 075, an award and a
/// requested payment (index 0).
struct Office {
    world: World,
    fixture: AgencyFixture,
    award: AwardFixture,
    payment: Pubkey,
    /// The world's auditor, who imposes everything here.
    imposer: Keypair,
    others: [Keypair; 2],
}

async fn office() -> Office {
    let mut world = World::new().await;
    let others = [world.funded().await, world.funded().await];
    let imposer = world.auditor.insecure_clone();
    let admin = world.admin.insecure_clone();
    let ix = builders::SetAuditors {
        admin: admin.pubkey(),
        auditors: vec![imposer.pubkey(), others[0].pubkey(), others[1].pubkey()],
    }
    .instruction();
    world.send(&[ix], &[&admin]).await.unwrap();
    let fixture = world.agency("075").await;
    let award = world.award(&fixture, b"VENDOR000001", 100 * UNIT).await;
    let request = world.request_ix(&fixture, &award, 50 * UNIT).await;
    world
        .send(&[request.instruction()], &[&fixture.requester])
        .await
        .unwrap();
    Office {
        payment: request.payment(),
        world,
        fixture,
        award,
        imposer,
        others,
    }
}

/// One kind of hold: how to impose or lift it, the account it lives on, and whether it is in force.
#[derive(Clone, Copy, Debug)]
enum Kind {
    AgencyFreeze,
    PaymentHold,
    AwardHold,
    Exclusion,
}

impl Office {
    fn ix(
        &self,
        kind: Kind,
        on: bool,
        auditor: &Pubkey,
        concurring: Option<Pubkey>,
    ) -> Instruction {
        let (auditor, grounds) = (*auditor, grounds());
        match kind {
            Kind::AgencyFreeze => builders::SetAgencyFrozen {
                agency: self.fixture.agency,
                auditor,
                frozen: on,
                grounds,
                concurring,
            }
            .instruction(),
            Kind::PaymentHold => builders::SetPaymentHeld {
                award: self.award.keys.award,
                payment: self.payment,
                auditor,
                held: on,
                grounds,
                concurring,
            }
            .instruction(),
            Kind::AwardHold => builders::SetAwardHeld {
                award: self.award.keys.award,
                auditor,
                held: on,
                grounds,
                concurring,
            }
            .instruction(),
            Kind::Exclusion => builders::SetExclusion {
                uei: self.award.uei,
                auditor,
                status: if on {
                    ExclusionStatus::Debarred
                } else {
                    ExclusionStatus::Lifted
                },
                grounds,
                concurring,
            }
            .instruction(),
        }
    }

    fn account(&self, kind: Kind) -> Pubkey {
        match kind {
            Kind::AgencyFreeze => self.fixture.agency,
            Kind::PaymentHold => self.payment,
            Kind::AwardHold => self.award.keys.award,
            Kind::Exclusion => pda::exclusion(&self.award.uei).0,
        }
    }

    async fn in_force(&self, kind: Kind) -> bool {
        let account = self.account(kind);
        match kind {
            Kind::AgencyFreeze => self.world.get::<Agency>(&account).await.frozen,
            Kind::PaymentHold => self.world.get::<Payment>(&account).await.held,
            Kind::AwardHold => self.world.get::<Award>(&account).await.held,
            Kind::Exclusion => self.world.get::<Exclusion>(&account).await.in_force(),
        }
    }

    /// The auditor a lift's event names as concurring.
    fn concurring_of(outcome: &TxOutcome) -> Option<Option<Pubkey>> {
        outcome.events.iter().find_map(|event| match event {
            LedgerEvent::AgencyFreezeSet(e) => Some(e.concurring),
            LedgerEvent::PaymentHoldSet(e) => Some(e.concurring),
            LedgerEvent::AwardHoldSet(e) => Some(e.concurring),
            LedgerEvent::ExclusionSet(e) => Some(e.concurring),
            _ => None,
        })
    }
}

/// Each hold, imposed by one auditor: every single actor but the imposer is refused its lift (another auditor
/// alone, an auditor "concurring" with itself or with an outsider, the admin, the head, each member), with
/// nothing changed; then a second auditor concurring lifts it, and the imposer alone lifts it again.
#[tokio::test]
async fn only_the_imposing_auditor_or_two_auditors_lift_a_hold() {
    for kind in [
        Kind::AgencyFreeze,
        Kind::PaymentHold,
        Kind::AwardHold,
        Kind::Exclusion,
    ] {
        let mut office = office().await;
        let imposer = office.imposer.insecure_clone();
        let [b, c] = [
            office.others[0].insecure_clone(),
            office.others[1].insecure_clone(),
        ];
        let impose = office.ix(kind, true, &imposer.pubkey(), None);
        office.world.send(&[impose], &[&imposer]).await.unwrap();
        assert!(office.in_force(kind).await, "{kind:?} imposed");

        let outsider = office.world.funded().await;
        let admin = office.world.admin.insecure_clone();
        let f = &office.fixture;
        let insiders = [
            f.head.insecure_clone(),
            f.budget.insecure_clone(),
            f.obligor.insecure_clone(),
            f.requester.insecure_clone(),
            f.approvers[0].insecure_clone(),
            f.executor.insecure_clone(),
        ];
        let watched = [office.account(kind), pda::ledger().0];
        let mut cases: Vec<(Instruction, Vec<&Keypair>, Refusal, &str)> = vec![
            (
                office.ix(kind, false, &b.pubkey(), None),
                vec![&b],
                LedgerError::LiftNeedsImposerOrSecondAuditor.into(),
                "another auditor alone",
            ),
            (
                office.ix(kind, false, &b.pubkey(), Some(b.pubkey())),
                vec![&b],
                LedgerError::InvalidConcurringAuditor.into(),
                "an auditor concurring with itself",
            ),
            (
                office.ix(kind, false, &b.pubkey(), Some(outsider.pubkey())),
                vec![&b, &outsider],
                LedgerError::InvalidConcurringAuditor.into(),
                "an outsider concurring",
            ),
            (
                office.ix(kind, false, &admin.pubkey(), None),
                vec![&admin],
                LedgerError::NotAuditor.into(),
                "the admin",
            ),
        ];
        for insider in &insiders {
            cases.push((
                office.ix(kind, false, &insider.pubkey(), None),
                vec![insider],
                LedgerError::NotAuditor.into(),
                "an agency insider",
            ));
        }
        for (ix, signers, refusal, who) in cases {
            eprintln!("{kind:?}: {who}");
            office
                .world
                .expect_refused(&[ix], &signers, refusal, &watched)
                .await;
        }
        assert!(office.in_force(kind).await, "{kind:?} still in force");

        // Two auditors, neither the imposer, lift it; the event names the second.
        let lift = office.ix(kind, false, &b.pubkey(), Some(c.pubkey()));
        let outcome = office.world.send(&[lift], &[&b, &c]).await.unwrap();
        assert_eq!(Office::concurring_of(&outcome), Some(Some(c.pubkey())));
        assert!(!office.in_force(kind).await, "{kind:?} lifted by two");

        // The imposer lifts its own alone.
        let impose = office.ix(kind, true, &imposer.pubkey(), None);
        office.world.send(&[impose], &[&imposer]).await.unwrap();
        let lift = office.ix(kind, false, &imposer.pubkey(), None);
        let outcome = office.world.send(&[lift], &[&imposer]).await.unwrap();
        assert_eq!(Office::concurring_of(&outcome), Some(None));
        assert!(
            !office.in_force(kind).await,
            "{kind:?} lifted by its imposer"
        );
    }
}

/// The planted-auditor path: once an agency exists, the admin cannot add an auditor at once; the proposal is
/// public, the planted key cannot act during the notice, and an auditor in office vetoes it for good (30 days).
#[tokio::test]
async fn a_new_auditor_waits_out_notice_and_a_veto_stops_it() {
    let mut office = office().await;
    let admin = office.world.admin.insecure_clone();
    let imposer = office.imposer.insecure_clone();
    let planted = office.world.funded().await;
    let ledger = pda::ledger().0;
    let pending = pda::auditors_change();
    let mut list = vec![
        imposer.pubkey(),
        office.others[0].pubkey(),
        office.others[1].pubkey(),
        planted.pubkey(),
    ];
    let direct = builders::SetAuditors {
        admin: admin.pubkey(),
        auditors: list.clone(),
    }
    .instruction();
    office
        .world
        .expect_refused(
            &[direct],
            &[&admin],
            LedgerError::LooseningNeedsNotice,
            &[ledger, pending],
        )
        .await;

    // A debarment by the imposer; the planted key cannot lift it while only proposed.
    let debar = office.ix(Kind::Exclusion, true, &imposer.pubkey(), None);
    office.world.send(&[debar], &[&imposer]).await.unwrap();
    let propose = builders::ProposeAuditors {
        admin: admin.pubkey(),
        auditors: list.clone(),
    };
    office
        .world
        .send(&[propose.instruction()], &[&admin])
        .await
        .unwrap();
    let lift = office.ix(Kind::Exclusion, false, &planted.pubkey(), None);
    office
        .world
        .expect_refused(
            &[lift],
            &[&planted],
            LedgerError::NotAuditor,
            &[office.account(Kind::Exclusion)],
        )
        .await;

    // Any auditor in office vetoes it; it can neither apply nor be proposed again for 30 days.
    let veto = builders::VetoChange {
        scope: ledger,
        subject: Pubkey::new_from_array(AUDITORS_SUBJECT),
        auditor: office.others[0].pubkey(),
        grounds: grounds(),
    };
    let outcome = office
        .world
        .send(&[veto.instruction()], &[&office.others[0]])
        .await
        .unwrap();
    let vetoed = the_event(&outcome, |e| match e {
        LedgerEvent::ChangeVetoed(e) => Some(e.clone()),
        _ => None,
    });
    let now = office.world.chain.clock().await.unwrap().unix_timestamp;
    assert_eq!(vetoed.cooling_off_until, now + VETO_COOLING_OFF_SECONDS);
    office
        .world
        .chain
        .advance_clock(AUDITOR_CHANGE_NOTICE_SECONDS)
        .await
        .unwrap();
    let apply = builders::ApplyAuditors {
        admin: admin.pubkey(),
    };
    office
        .world
        .expect_refused(
            &[apply.instruction()],
            &[&admin],
            LedgerError::ChangeWasVetoed,
            &[ledger, pending],
        )
        .await;
    list.pop();
    list.push(Keypair::new().pubkey());
    let again = builders::ProposeAuditors {
        admin: admin.pubkey(),
        auditors: list.clone(),
    };
    office
        .world
        .expect_refused(
            &[again.instruction()],
            &[&admin],
            LedgerError::VetoCoolingOff,
            &[ledger, pending],
        )
        .await;
    office
        .world
        .expect_refused(
            &[apply.withdraw()],
            &[&admin],
            LedgerError::VetoCoolingOff,
            &[ledger, pending],
        )
        .await;
    let stored: Ledger = office.world.get(&ledger).await;
    assert!(!stored.auditors.contains(&planted.pubkey()));

    // After the cooling-off the admin proposes again; unvetoed, it applies after its notice.
    office
        .world
        .chain
        .advance_clock(VETO_COOLING_OFF_SECONDS - AUDITOR_CHANGE_NOTICE_SECONDS)
        .await
        .unwrap();
    office
        .world
        .send(&[again.instruction()], &[&admin])
        .await
        .unwrap();
    let early = office.world.send(&[apply.instruction()], &[&admin]).await;
    assert_ledger_error(&early, LedgerError::NoticeNotOver);
    office
        .world
        .chain
        .advance_clock(AUDITOR_CHANGE_NOTICE_SECONDS)
        .await
        .unwrap();
    office
        .world
        .send(&[apply.instruction()], &[&admin])
        .await
        .unwrap();
    let stored: Ledger = office.world.get(&ledger).await;
    assert_eq!(stored.auditors, list);
    assert!(office
        .world
        .chain
        .get_account(&pending)
        .await
        .unwrap()
        .is_none());
}

/// A veto sticks: the head cannot propose the vetoed member again (or anything on that member) for 30 days.
#[tokio::test]
async fn a_vetoed_change_cannot_be_proposed_again_for_thirty_days() {
    let mut office = office().await;
    let head = office.fixture.head.insecure_clone();
    let newcomer = Keypair::new().pubkey();
    let change = ControlChange::Member {
        key: newcomer,
        roles: ROLE_EXECUTE,
        active: true,
    };
    let propose = builders::ProposeChange {
        agency: office.fixture.agency,
        head: head.pubkey(),
        change: change.clone(),
    };
    office
        .world
        .send(&[propose.instruction()], &[&head])
        .await
        .unwrap();
    let veto = builders::VetoChange {
        scope: office.fixture.agency,
        subject: newcomer,
        auditor: office.imposer.pubkey(),
        grounds: grounds(),
    };
    let imposer = office.imposer.insecure_clone();
    office
        .world
        .send(&[veto.instruction()], &[&imposer])
        .await
        .unwrap();
    let watched = [propose.pending(), office.fixture.agency];
    for _ in 0..2 {
        office
            .world
            .expect_refused(
                &[propose.instruction()],
                &[&head],
                LedgerError::VetoCoolingOff,
                &watched,
            )
            .await;
        office
            .world
            .chain
            .advance_clock(VETO_COOLING_OFF_SECONDS / 2 - 1)
            .await
            .unwrap();
    }
    let stored: PendingChange = office.world.get(&propose.pending()).await;
    assert_eq!(stored.vetoed_by, imposer.pubkey());
    let apply = builders::ApplyChange {
        agency: office.fixture.agency,
        head: head.pubkey(),
        subject: newcomer,
    };
    office
        .world
        .expect_refused(
            &[apply.instruction()],
            &[&head],
            LedgerError::ChangeWasVetoed,
            &watched,
        )
        .await;
    office.world.chain.advance_clock(2).await.unwrap();
    let outcome = office
        .world
        .send(&[propose.instruction()], &[&head])
        .await
        .unwrap();
    let proposed = the_event(&outcome, |e| match e {
        LedgerEvent::ChangeProposed(e) => Some(e.clone()),
        _ => None,
    });
    assert_eq!(proposed.change, change);
    let stored: PendingChange = office.world.get(&propose.pending()).await;
    assert!(!stored.vetoed());
}

/// A new agency is on notice: its head staffs it at once, in public, but no member acts (no allotment, no
/// payment) until the ledger's minimum notice is over; an auditor can freeze it meanwhile.
#[tokio::test]
async fn a_new_agency_cannot_act_before_its_notice() {
    let mut world = World::new().await;
    let fixture = world.agency_on_notice("075").await;
    let state: Agency = world.get(&fixture.agency).await;
    let ledger: Ledger = world.get(&pda::ledger().0).await;
    let now = world.chain.clock().await.unwrap().unix_timestamp;
    assert_eq!(
        state.active_from,
        now + i64::from(ledger.limits.min_change_notice_seconds)
    );
    let appropriation = world.appropriation(&fixture, 1_000 * UNIT).await;
    let allot = world.allot_ix(&fixture, appropriation, 100 * UNIT).await;
    let recipient =
        world.register_recipient_ix(&fixture, *b"VENDOR000001", Keypair::new().pubkey());
    // Every member's first step is refused: no allotment, so no award, so no payment either.
    for (ix, signer) in [
        (allot.clone(), &fixture.budget),
        (recipient.clone(), &fixture.obligor),
    ] {
        world
            .expect_refused(
                &[ix],
                &[signer],
                LedgerError::AgencyOnNotice,
                &[fixture.agency, appropriation],
            )
            .await;
    }
    // An auditor may freeze it meanwhile (and lifts the freeze alone, having imposed it).
    let auditor = world.auditor.insecure_clone();
    for frozen in [true, false] {
        let ix = builders::SetAgencyFrozen {
            agency: fixture.agency,
            auditor: auditor.pubkey(),
            frozen,
            grounds: grounds(),
            concurring: None,
        }
        .instruction();
        world.send(&[ix], &[&auditor]).await.unwrap();
    }
    world
        .chain
        .advance_clock(state.active_from - now - 1)
        .await
        .unwrap();
    world
        .expect_refused(
            std::slice::from_ref(&allot),
            &[&fixture.budget],
            LedgerError::AgencyOnNotice,
            &[fixture.agency],
        )
        .await;
    world.chain.advance_clock(1).await.unwrap();
    world.send(&[allot], &[&fixture.budget]).await.unwrap();
    world.send(&[recipient], &[&fixture.obligor]).await.unwrap();
}
