//! Random sequences of operations, with the invariants of DESIGN.md section 1 checked after every step: every
//! level's totals equal the sums of the level below, outlayed <= obligated <= allotted <= authority, the treasury
//! moved by exactly what was paid, a refused step changed nothing, and the outlay hash chain replayed from the
//! events equals the on-chain head.

use anchor_lang::prelude::Pubkey;
use proptest::prelude::*;
use public_spending::{
    instructions::AwardChange,
    state::{Agency, Allotment, Appropriation, ApprovalPolicy, Award, Payment},
};
use public_spending_embedded::TxOutcome;
use public_spending_sdk::{
    builders::{self, PaymentDecision},
    fetch::fetch_optional,
    fold_outlay_hash, pda, LedgerEvent, SdkError,
};
use public_spending_tests::*;
use solana_sdk::signature::{Keypair, Signer};

#[derive(Debug, Clone)]
enum BudgetOp {
    Create { main_account: u8, amount: u64 },
    Allot { appropriation: usize, amount: u64 },
    Expire { appropriation: usize },
    AdvanceClock { days: i64 },
}

fn budget_op() -> impl Strategy<Value = BudgetOp> {
    prop_oneof![
        1 => (0u8..4, 0u64..5_000).prop_map(|(main_account, amount)| BudgetOp::Create { main_account, amount: amount * UNIT }),
        3 => (0usize..4, 0u64..3_000).prop_map(|(appropriation, amount)| BudgetOp::Allot { appropriation, amount: amount * UNIT }),
        1 => (0usize..4).prop_map(|appropriation| BudgetOp::Expire { appropriation }),
        1 => (1i64..200).prop_map(|days| BudgetOp::AdvanceClock { days }),
    ]
}

/// Reads every appropriation and allotment of the agency and checks that each level sums the one below.
async fn check_budget(world: &World, agency: &Pubkey, appropriations: &[Pubkey]) {
    let stored: Agency = world.get(agency).await;
    let (mut authority, mut allotted, mut obligated, mut outlayed) = (0u64, 0u64, 0u64, 0u64);
    for key in appropriations {
        let Some(appropriation) = fetch_optional::<Appropriation>(&world.chain, key)
            .await
            .unwrap()
        else {
            continue;
        };
        let (mut sum_amount, mut sum_obligated, mut sum_outlayed) = (0u64, 0u64, 0u64);
        for index in 0..appropriation.allotment_count {
            let allotment: Allotment = world.get(&pda::allotment(key, index).0).await;
            assert!(
                allotment.outlayed <= allotment.obligated
                    && allotment.obligated <= allotment.amount
            );
            sum_amount += allotment.amount;
            sum_obligated += allotment.obligated;
            sum_outlayed += allotment.outlayed;
        }
        assert_eq!(
            appropriation.allotted, sum_amount,
            "appropriation allotted = Σ allotments"
        );
        assert_eq!(
            appropriation.obligated, sum_obligated,
            "appropriation obligated = Σ allotment obligated"
        );
        assert_eq!(
            appropriation.outlayed, sum_outlayed,
            "appropriation outlayed = Σ allotment outlayed"
        );
        assert!(
            appropriation.allotted <= appropriation.budget_authority,
            "Σ allotments <= budget authority"
        );
        authority += appropriation.budget_authority;
        allotted += appropriation.allotted;
        obligated += appropriation.obligated;
        outlayed += appropriation.outlayed;
    }
    assert_eq!(
        (
            stored.budget_authority,
            stored.allotted,
            stored.obligated,
            stored.outlayed
        ),
        (authority, allotted, obligated, outlayed),
        "agency totals = Σ appropriations"
    );
    assert!(
        stored.outlayed <= stored.obligated
            && stored.obligated <= stored.allotted
            && stored.allotted <= stored.budget_authority
    );
}

/// A refused step must be refused by a program check and must leave `watched` exactly as it was.
async fn apply(
    world: &mut World,
    watched: &[Pubkey],
    ixs: &[solana_sdk::instruction::Instruction],
    signer: &Keypair,
) -> Option<TxOutcome> {
    let before = world.snapshot(watched).await;
    // Archiving needs no signature but the fee payer's.
    let signs = ixs
        .iter()
        .flat_map(|ix| &ix.accounts)
        .any(|m| m.is_signer && m.pubkey == signer.pubkey());
    let signers: &[&Keypair] = if signs { &[signer] } else { &[] };
    match world.send(ixs, signers).await {
        Ok(outcome) => Some(outcome),
        Err(err) => {
            assert!(
                refused_by_a_check(&err),
                "refused for a reason other than a program check: {err}"
            );
            assert_eq!(
                world.snapshot(watched).await,
                before,
                "a refused step changed state ({err})"
            );
            None
        }
    }
}

fn refused_by_a_check(err: &SdkError) -> bool {
    err.code().is_some() || ALREADY_EXISTS.matches(err)
}

fn run<F: std::future::Future<Output = ()>>(future: F) {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
        .block_on(future);
}

fn main_account(i: u8) -> [u8; 4] {
    [b'0', b'1', b'0', b'0' + i]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn budget_invariants_hold_after_every_step(ops in prop::collection::vec(budget_op(), 1..25)) {
        run(async move {
            let mut world = World::new().await;
            let fixture = world.agency("075").await;
            let admin = world.admin.insecure_clone();
            let appropriations: Vec<Pubkey> =
                (0..4u8).map(|i| pda::appropriation(&fixture.agency, &main_account(i), b"000", 2026).0).collect();
            let mut watched = appropriations.clone();
            watched.push(fixture.agency);
            for op in ops {
                match op {
                    BudgetOp::Create { main_account: i, amount } => {
                        let ix = world.appropriation_ix(fixture.agency, main_account(i), 2026, amount).await;
                        apply(&mut world, &watched, &[ix], &admin).await;
                    }
                    BudgetOp::Allot { appropriation, amount } => {
                        let key = appropriations[appropriation];
                        if fetch_optional::<Appropriation>(&world.chain, &key).await.unwrap().is_none() {
                            continue;
                        }
                        let index = fetch_optional::<Appropriation>(&world.chain, &key).await.unwrap().map_or(0, |a| a.allotment_count);
                        let ix = world.allot_ix(&fixture, key, amount).await;
                        let mut watched = watched.clone();
                        watched.push(pda::allotment(&key, index).0);
                        apply(&mut world, &watched, &[ix], &fixture.budget).await;
                    }
                    BudgetOp::Expire { appropriation } => {
                        let key = appropriations[appropriation];
                        let ix = builders::ExpireAppropriation { appropriation: key, authority: fixture.budget.pubkey() }.instruction();
                        apply(&mut world, &watched, &[ix], &fixture.budget).await;
                    }
                    BudgetOp::AdvanceClock { days } => world.chain.advance_clock(days * 86_400).await.unwrap(),
                }
                check_budget(&world, &fixture.agency, &appropriations).await;
            }
        });
    }
}

#[derive(Debug, Clone)]
enum PaymentOp {
    Obligate {
        amount: u64,
    },
    Modify {
        award: usize,
        increase: bool,
        amount: u64,
    },
    Request {
        award: usize,
        amount: u64,
    },
    Approve {
        payment: usize,
        approver: usize,
    },
    Execute {
        payment: usize,
    },
    PaySmall {
        award: usize,
        amount: u64,
    },
    Cancel {
        payment: usize,
    },
    Archive {
        payment: usize,
    },
    AdvanceClock {
        hours: i64,
    },
}

fn payment_op() -> impl Strategy<Value = PaymentOp> {
    // Quarter units, so that amounts are not all round.
    let quarters = |max: u64| (1u64..max).prop_map(|n| n * UNIT / 4);
    prop_oneof![
        1 => quarters(12_000).prop_map(|amount| PaymentOp::Obligate { amount }),
        1 => (any::<usize>(), any::<bool>(), quarters(4_000)).prop_map(|(award, increase, amount)| PaymentOp::Modify { award, increase, amount }),
        3 => (any::<usize>(), quarters(8_000)).prop_map(|(award, amount)| PaymentOp::Request { award, amount }),
        4 => (any::<usize>(), 0usize..2).prop_map(|(payment, approver)| PaymentOp::Approve { payment, approver }),
        3 => any::<usize>().prop_map(|payment| PaymentOp::Execute { payment }),
        3 => (any::<usize>(), quarters(4_400)).prop_map(|(award, amount)| PaymentOp::PaySmall { award, amount }),
        1 => any::<usize>().prop_map(|payment| PaymentOp::Cancel { payment }),
        2 => any::<usize>().prop_map(|payment| PaymentOp::Archive { payment }),
        1 => (1i64..30).prop_map(|hours| PaymentOp::AdvanceClock { hours }),
    ]
}

const FUNDED: u64 = 100_000 * UNIT;

/// Checks the payment-level invariants on top of the budget ones.
async fn check_payments(
    world: &World,
    fixture: &AgencyFixture,
    awards: &[AwardFixture],
    appropriation: Pubkey,
    executed: &[(Pubkey, u64)],
    head: &[u8; 32],
) {
    check_budget(world, &fixture.agency, &[appropriation]).await;
    let paid: u64 = executed.iter().map(|(_, amount)| amount).sum();
    assert_eq!(
        world.balance(&fixture.treasury).await,
        FUNDED - paid,
        "treasury = funded - Σ executed"
    );
    let mut allotment_obligated = 0;
    for award in awards {
        let stored: Award = world.get(&award.keys.award).await;
        let outlayed: u64 = executed
            .iter()
            .filter(|(a, _)| *a == award.keys.award)
            .map(|(_, amount)| amount)
            .sum();
        assert_eq!(
            stored.outlayed, outlayed,
            "award outlayed = Σ executed payments"
        );
        assert!(stored.outlayed + stored.in_flight <= stored.obligated);
        assert_eq!(
            world
                .balance(&world.payout(award).recipient_token_account())
                .await,
            outlayed
        );
        allotment_obligated += stored.obligated;
    }
    let allotment: Allotment = world.get(&awards[0].keys.allotment).await;
    assert_eq!(
        allotment.obligated, allotment_obligated,
        "allotment obligated = Σ awards"
    );
    let agency: Agency = world.get(&fixture.agency).await;
    assert_eq!(
        &agency.outlay_hash, head,
        "hash chain replayed from the events = on-chain head"
    );
    assert_eq!(agency.outlay_count, executed.len() as u64);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn payment_invariants_hold_after_every_step(ops in prop::collection::vec(payment_op(), 1..40)) {
        run(async move {
            let mut world = World::new().await;
            let fixture = world.agency("075").await;
            let policy = ApprovalPolicy { threshold: 1_000 * UNIT, approvals_required: 2, time_lock_seconds: 3_600, fast_path_daily_cap: 3_000 * UNIT };
            world.set_policy(&fixture, policy).await;
            let appropriation = world.appropriation(&fixture, 200_000 * UNIT).await;
            let allotment = world.allot(&fixture, appropriation, 40_000 * UNIT).await;
            let mut awards = vec![world.award_under(&fixture, appropriation, allotment, b"VENDOR000000", 5_000 * UNIT).await];
            world.fund(&fixture, FUNDED - 5_000 * UNIT).await;
            let mut payments: Vec<(usize, Pubkey)> = Vec::new();
            let mut executed: Vec<(Pubkey, u64)> = Vec::new();
            let mut head = [0u8; 32];

            for op in ops {
                let mut watched = vec![fixture.agency, appropriation, allotment, fixture.treasury];
                watched.extend(awards.iter().map(|a| a.keys.award));
                watched.extend(payments.iter().map(|(_, p)| *p));
                let pick_payment = |i: usize| (!payments.is_empty()).then(|| payments[i % payments.len()]);
                let outcome = match op {
                    PaymentOp::Obligate { amount } => {
                        let uei: [u8; 12] = format!("VENDOR{:06}", awards.len()).as_bytes().try_into().unwrap();
                        let recipient = pda::recipient(&fixture.agency, &uei).0;
                        let award_id = format!("AWD-{}", awards.len());
                        let wallet = Keypair::new().pubkey();
                        let ixs = [
                            world.register_recipient_ix(&fixture, uei, wallet),
                            world.obligate_ix(&fixture, appropriation, allotment, &uei, &award_id, amount),
                        ];
                        if apply(&mut world, &watched, &ixs, &fixture.obligor).await.is_some() {
                            let award = pda::award(&fixture.agency, &award_id).0;
                            let keys = builders::AwardKeys { agency: fixture.agency, appropriation, allotment, award, recipient };
                            awards.push(AwardFixture { keys, payout_wallet: wallet, uei });
                        }
                        None
                    }
                    PaymentOp::Modify { award, increase, amount } => {
                        let keys = awards[award % awards.len()].keys;
                        let change = if increase { AwardChange::Increase { amount } } else { AwardChange::Deobligate { amount } };
                        let ix = builders::ModifyAward { keys, authority: fixture.obligor.pubkey(), change, document_hash: [1; 32] }.instruction();
                        apply(&mut world, &watched, &[ix], &fixture.obligor).await;
                        None
                    }
                    PaymentOp::Request { award, amount } => {
                        let award = award % awards.len();
                        let builder = world.request_ix(&fixture, &awards[award], amount).await;
                        watched.push(builder.payment());
                        if apply(&mut world, &watched, &[builder.instruction()], &fixture.requester).await.is_some() {
                            payments.push((award, builder.payment()));
                        }
                        None
                    }
                    PaymentOp::PaySmall { award, amount } => {
                        let award = award % awards.len();
                        let builder = world.pay_small_ix(&fixture, &awards[award], amount).await;
                        watched.push(builder.payment());
                        watched.push(world.payout(&awards[award]).recipient_token_account());
                        let outcome = apply(&mut world, &watched, &[builder.instruction()], &fixture.executor).await;
                        if outcome.is_some() {
                            payments.push((award, builder.payment()));
                        }
                        outcome
                    }
                    PaymentOp::Approve { payment, .. } | PaymentOp::Cancel { payment } | PaymentOp::Execute { payment } | PaymentOp::Archive { payment } => {
                        let Some((award, key)) = pick_payment(payment) else { continue };
                        let Some(stored) = fetch_optional::<Payment>(&world.chain, &key).await.unwrap() else { continue };
                        let award_fixture = &awards[award];
                        match op {
                            PaymentOp::Approve { approver, .. } => {
                                let who = fixture.approvers[approver].insecure_clone();
                                let ix = world.decide_ix(&fixture, award_fixture, stored.index, &who, PaymentDecision::Approve);
                                apply(&mut world, &watched, &[ix], &who).await;
                                None
                            }
                            PaymentOp::Cancel { .. } => {
                                let ix = world.decide_ix(&fixture, award_fixture, stored.index, &fixture.requester, PaymentDecision::Cancel);
                                apply(&mut world, &watched, &[ix], &fixture.requester).await;
                                None
                            }
                            PaymentOp::Execute { .. } => {
                                watched.push(world.payout(award_fixture).recipient_token_account());
                                let ix = world.execute_ix(&fixture, award_fixture, stored.index);
                                apply(&mut world, &watched, &[ix], &fixture.executor).await
                            }
                            _ => {
                                watched.push(stored.requester);
                                let ix = builders::ArchivePayment { award: stored.award, payment: key, rent_payer: stored.requester }.instruction();
                                apply(&mut world, &watched, &[ix], &fixture.executor).await;
                                None
                            }
                        }
                    }
                    PaymentOp::AdvanceClock { hours } => {
                        world.chain.advance_clock(hours * 3_600).await.unwrap();
                        None
                    }
                };
                for event in outcome.iter().flat_map(|o| o.events.iter()) {
                    if let LedgerEvent::PaymentExecuted(e) = event {
                        assert_eq!(e.previous_outlay_hash, head);
                        head = fold_outlay_hash(&head, &e.record);
                        executed.push((e.record.award, e.record.amount));
                    }
                }
                check_payments(&world, &fixture, &awards, appropriation, &executed, &head).await;
            }
        });
    }
}
