//! `pay_batch`: many fast-path payments to many awards in one instruction, each checked as `pay_small` checks
//! its payment; any failing item fails the whole.

use anchor_lang::prelude::Pubkey;
use public_spending::{
    error::LedgerError,
    state::{Agency, Allotment, Appropriation, ApprovalPolicy, Award, ExclusionStatus},
};
use public_spending_sdk::{
    builders::{self, BatchItem, PayBatch},
    fold_outlay_hash, pda, Client, LedgerEvent,
};
use public_spending_tests::*;
use solana_sdk::{instruction::Instruction, signature::Signer};

const CAP: u64 = 10_000 * UNIT;

/// Agency 075 (fast path below 1,000.00, 10,000.00 a day) with `n` awards to distinct vendors under one
/// allotment, each recipient's token account created.
async fn setup(n: usize) -> (World, AgencyFixture, Vec<AwardFixture>) {
    let mut world = World::new().await;
    let agency = world.agency("075").await;
    world
        .set_policy(
            &agency,
            ApprovalPolicy {
                threshold: 1_000 * UNIT,
                approvals_required: 1,
                time_lock_seconds: 0,
                fast_path_daily_cap: CAP,
            },
        )
        .await;
    let appropriation = world.appropriation(&agency, 1_000_000 * UNIT).await;
    let allotment = world.allot(&agency, appropriation, 1_000_000 * UNIT).await;
    let mut awards = Vec::new();
    for i in 0..n {
        let uei: [u8; 12] = format!("VENDOR{i:06}").as_bytes().try_into().unwrap();
        awards.push(
            payable(
                &mut world,
                &agency,
                (appropriation, allotment),
                &uei,
                5_000 * UNIT,
            )
            .await,
        );
    }
    (world, agency, awards)
}

/// An award of `obligated` to a new vendor under `parents` (appropriation, allotment), with the vendor's token
/// account created: `pay_batch` pays only into existing token accounts.
async fn payable(
    world: &mut World,
    agency: &AgencyFixture,
    (appropriation, allotment): (Pubkey, Pubkey),
    uei: &[u8; 12],
    obligated: u64,
) -> AwardFixture {
    let award = world
        .award_under(agency, appropriation, allotment, uei, obligated)
        .await;
    world.open_payout_account(agency, &award).await;
    award
}

fn item(world: &World, award: &AwardFixture, index: u32, amount: u64) -> BatchItem {
    BatchItem {
        keys: award.keys,
        payout: world.payout(award),
        index,
        amount,
        invoice_hash: payment_args(amount).invoice_hash,
    }
}

fn batch_ix(world: &World, agency: &AgencyFixture, items: Vec<BatchItem>) -> Instruction {
    PayBatch {
        agency: agency.agency,
        executor: agency.executor.pubkey(),
        payment_mint: world.mint,
        token_program: anchor_spl::token::ID,
        items,
    }
    .instruction()
}

fn watched(world: &World, agency: &AgencyFixture, awards: &[AwardFixture]) -> Vec<Pubkey> {
    let mut keys = vec![agency.agency, agency.treasury, awards[0].keys.allotment];
    for award in awards {
        keys.push(award.keys.award);
        keys.push(world.payout(award).recipient_token_account());
    }
    keys
}

#[tokio::test]
async fn one_instruction_pays_many_awards_in_order_and_writes_nothing_new() {
    let (mut world, agency, awards) = setup(5).await;
    let mut items: Vec<BatchItem> = awards
        .iter()
        .enumerate()
        .map(|(i, award)| item(&world, award, 0, (100 + i as u64) * UNIT))
        .collect();
    // Two more on the first award take its next indices.
    items.push(item(&world, &awards[0], 1, 7 * UNIT));
    items.push(item(&world, &awards[0], 2, 8 * UNIT));
    let outcome = world
        .send(
            &[
                public_spending_sdk::batch::compute_budget(items.len()),
                batch_ix(&world, &agency, items.clone()),
            ],
            &[&agency.executor],
        )
        .await
        .unwrap();
    let executed: Vec<_> = outcome
        .events
        .iter()
        .filter_map(|e| match e {
            LedgerEvent::PaymentExecuted(e) => Some(e.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(executed.len(), items.len());
    let mut head = [0u8; 32];
    for (n, (event, item)) in executed.iter().zip(&items).enumerate() {
        assert_eq!(
            (
                event.record.sequence,
                event.record.award,
                event.record.payment_index,
                event.record.amount
            ),
            (n as u64, item.keys.award, item.index, item.amount)
        );
        assert!(event.fast_path);
        head = fold_outlay_hash(&head, &event.record);
        assert_eq!(event.outlay_hash, head);
    }
    let state: Agency = world.get(&agency.agency).await;
    assert_eq!((state.outlay_hash, state.outlay_count), (head, 7));
    assert_eq!(state.fast_path_spent_in_window(), (510 + 15) * UNIT);
    let first: Award = world.get(&awards[0].keys.award).await;
    assert_eq!(
        (first.payment_count, first.outlayed, first.in_flight),
        (3, 115 * UNIT, 0)
    );
    for (i, award) in awards.iter().enumerate().skip(1) {
        assert_eq!(
            world
                .balance(&world.payout(award).recipient_token_account())
                .await,
            (100 + i as u64) * UNIT
        );
        assert!(
            world
                .chain
                .lamports(&pda::payment(&award.keys.award, 0).0)
                .await
                .unwrap_or(0)
                == 0
        );
    }
}

#[tokio::test]
async fn a_bad_item_anywhere_refuses_the_whole_batch_and_changes_nothing() {
    let (mut world, agency, awards) = setup(3).await;
    let good = |world: &World, i: usize| item(world, &awards[i], 0, 10 * UNIT);
    let all = watched(&world, &agency, &awards);

    // Another agency's award in the middle.
    let other = world.agency("089").await;
    let foreign = world.award(&other, b"FOREIGN00001", 100 * UNIT).await;
    let cases: Vec<(&str, Vec<BatchItem>, Refusal)> = vec![
        (
            "another agency's award",
            vec![
                good(&world, 0),
                item(&world, &foreign, 0, UNIT),
                good(&world, 2),
            ],
            LedgerError::WrongAgency.into(),
        ),
        (
            "a duplicated item",
            vec![good(&world, 0), good(&world, 1), good(&world, 1)],
            LedgerError::StalePaymentIndex.into(),
        ),
        (
            "a stale index",
            vec![good(&world, 0), item(&world, &awards[1], 1, UNIT)],
            LedgerError::StalePaymentIndex.into(),
        ),
        (
            "a wrong token account",
            vec![
                good(&world, 0),
                // The second vendor's item paying into the third vendor's token account.
                BatchItem {
                    payout: builders::Payout {
                        payout_wallet: awards[2].payout_wallet,
                        ..world.payout(&awards[1])
                    },
                    ..good(&world, 1)
                },
            ],
            LedgerError::WrongRecipientTokenAccount.into(),
        ),
        (
            "an item at the threshold",
            vec![good(&world, 0), item(&world, &awards[1], 0, 1_000 * UNIT)],
            LedgerError::AboveFastPathThreshold.into(),
        ),
        (
            "a sum above the daily cap",
            (0..11)
                .map(|n| item(&world, &awards[n % 3], (n / 3) as u32, 999 * UNIT))
                .collect(),
            LedgerError::FastPathCapExceeded.into(),
        ),
        ("no item", vec![], LedgerError::InvalidBatch.into()),
    ];
    for (name, items, refusal) in cases {
        let ix = batch_ix(&world, &agency, items);
        let before = world.snapshot(&all).await;
        let result = world
            .send(
                &[public_spending_sdk::batch::compute_budget(12), ix],
                &[&agency.executor],
            )
            .await;
        let Refusal::Code(code) = refusal else {
            unreachable!()
        };
        assert_eq!(
            result.as_ref().err().and_then(|e| e.code()),
            Some(code),
            "{name}: {result:?}"
        );
        assert_eq!(world.snapshot(&all).await, before, "{name} changed state");
    }

    // A debarred recipient in the middle, a held award, a missing account, a non-executor.
    let auditor = world.auditor.insecure_clone();
    let debar = world.exclusion_ix(&awards[1].uei, ExclusionStatus::Debarred);
    world.send(&[debar], &[&auditor]).await.unwrap();
    let items = vec![good(&world, 0), good(&world, 1), good(&world, 2)];
    world
        .expect_refused(
            &[batch_ix(&world, &agency, items.clone())],
            &[&agency.executor],
            LedgerError::RecipientNotActive,
            &all,
        )
        .await;
    let lift = world.exclusion_ix(&awards[1].uei, ExclusionStatus::Lifted);
    world.send(&[lift], &[&auditor]).await.unwrap();
    let hold = builders::SetAwardHeld {
        award: awards[2].keys.award,
        auditor: auditor.pubkey(),
        held: true,
        grounds: grounds(),
        concurring: None,
    }
    .instruction();
    world.send(&[hold], &[&auditor]).await.unwrap();
    world
        .expect_refused(
            &[batch_ix(&world, &agency, items.clone())],
            &[&agency.executor],
            LedgerError::AwardHeld,
            &all,
        )
        .await;
    let mut short = batch_ix(&world, &agency, items[..2].to_vec());
    short.accounts.pop();
    world
        .expect_refused(
            &[short],
            &[&agency.executor],
            LedgerError::InvalidBatch,
            &all,
        )
        .await;
    let by_clerk = PayBatch {
        agency: agency.agency,
        executor: agency.requester.pubkey(),
        payment_mint: world.mint,
        token_program: anchor_spl::token::ID,
        items: items[..2].to_vec(),
    }
    .instruction();
    world
        .expect_refused(
            &[by_clerk],
            &[&agency.requester],
            LedgerError::MissingRole,
            &all,
        )
        .await;
    // The same items, good again, pay; the same batch sent again after it landed is refused whole.
    let batch = batch_ix(&world, &agency, items[..2].to_vec());
    world
        .send(
            &[public_spending_sdk::batch::compute_budget(2), batch.clone()],
            &[&agency.executor],
        )
        .await
        .unwrap();
    world
        .expect_refused(
            &[public_spending_sdk::batch::compute_budget(3), batch],
            &[&agency.executor],
            LedgerError::StalePaymentIndex,
            &all,
        )
        .await;
}

/// A batch names each allotment once, with its appropriation, before the items: each item finds its parents by
/// the keys its award records, and every pair is checked before any item is paid.
#[tokio::test]
async fn parents_are_named_once_per_allotment_and_each_pair_is_checked() {
    let (mut world, agency, _) = setup(0).await;
    let admin = world.admin.insecure_clone();
    let tas = |main: &[u8; 4]| pda::appropriation(&agency.agency, main, b"000", 2026).0;
    let (appropriation, other_appropriation) = (tas(b"0300"), tas(b"0200"));
    for main in [*b"0300", *b"0200"] {
        let ix = world
            .appropriation_ix(agency.agency, main, 2026, 20_000 * UNIT)
            .await;
        world.send(&[ix], &[&admin]).await.unwrap();
    }
    let first = world.allot(&agency, appropriation, 10_000 * UNIT).await;
    let second = world.allot(&agency, appropriation, 10_000 * UNIT).await;
    let mut awards = Vec::new();
    for (allotment, uei) in [
        (first, b"VENDOR000100"),
        (second, b"VENDOR000101"),
        (first, b"VENDOR000102"),
    ] {
        awards.push(
            payable(
                &mut world,
                &agency,
                (appropriation, allotment),
                uei,
                1_000 * UNIT,
            )
            .await,
        );
    }
    let other = world.agency("089").await;
    let foreign = world.award(&other, b"FOREIGN00001", 100 * UNIT).await;
    let mut all = watched(&world, &agency, &awards);
    all.extend([appropriation, second]);

    let items = vec![
        item(&world, &awards[0], 0, 10 * UNIT),
        item(&world, &awards[1], 0, 20 * UNIT),
        item(&world, &awards[2], 0, 30 * UNIT),
    ];
    let ix = batch_ix(&world, &agency, items.clone());
    let fixed = ix.accounts.len() - 2 * 2 - 3 * items.len();
    let parents: Vec<Pubkey> = ix.accounts[fixed..fixed + 4]
        .iter()
        .map(|m| m.pubkey)
        .collect();
    assert_eq!(parents, [appropriation, first, appropriation, second]);
    let without = |ix: &Instruction, from: usize, count: usize| {
        let mut ix = ix.clone();
        ix.accounts.drain(fixed + from..fixed + from + count);
        ix
    };
    let cases: Vec<(&str, Instruction, LedgerError)> = vec![
        (
            "another agency's appropriation and allotment",
            swap_account(
                swap_account(ix.clone(), &first, &foreign.keys.allotment),
                &appropriation,
                &foreign.keys.appropriation,
            ),
            LedgerError::WrongAgency,
        ),
        (
            "an allotment paired with another appropriation",
            swap_account(ix.clone(), &appropriation, &other_appropriation),
            LedgerError::WrongParent,
        ),
        (
            "an award whose allotment is not named",
            without(&ix, 2, 2),
            LedgerError::WrongParent,
        ),
        ("no parents", without(&ix, 0, 4), LedgerError::InvalidBatch),
        ("half a pair", without(&ix, 3, 1), LedgerError::InvalidBatch),
    ];
    for (name, ix, error) in cases {
        let before = world.snapshot(&all).await;
        let result = world.send(&[ix], &[&agency.executor]).await;
        assert_eq!(
            result.as_ref().err().and_then(|e| e.code()),
            Some(u32::from(error)),
            "{name}: {result:?}"
        );
        assert_eq!(world.snapshot(&all).await, before, "{name} changed state");
    }

    // The whole batch pays across both allotments, each raised by its own items.
    world.send(&[ix], &[&agency.executor]).await.unwrap();
    assert_eq!(world.get::<Allotment>(&first).await.outlayed, 40 * UNIT);
    assert_eq!(world.get::<Allotment>(&second).await.outlayed, 20 * UNIT);
    assert_eq!(
        world.get::<Appropriation>(&appropriation).await.outlayed,
        60 * UNIT
    );
}

/// A paused ledger or a frozen agency pays no batch: refused whole, nothing changed; released, it pays.
#[tokio::test]
async fn a_batch_is_refused_while_paused_or_frozen() {
    let (mut world, agency, awards) = setup(2).await;
    let all = watched(&world, &agency, &awards);
    let items: Vec<BatchItem> = awards
        .iter()
        .map(|a| item(&world, a, 0, 10 * UNIT))
        .collect();
    let (admin, auditor) = (world.admin.insecure_clone(), world.auditor.insecure_clone());
    let pause = |paused| {
        builders::SetPaused {
            admin: admin.pubkey(),
            paused,
        }
        .instruction()
    };
    let freeze = |frozen| {
        builders::SetAgencyFrozen {
            agency: agency.agency,
            auditor: auditor.pubkey(),
            frozen,
            grounds: grounds(),
            concurring: None,
        }
        .instruction()
    };
    for (stop, start, signer, refusal) in [
        (pause(true), pause(false), &admin, LedgerError::Paused),
        (
            freeze(true),
            freeze(false),
            &auditor,
            LedgerError::AgencyFrozen,
        ),
    ] {
        world.send(&[stop], &[signer]).await.unwrap();
        world
            .expect_refused(
                &[batch_ix(&world, &agency, items.clone())],
                &[&agency.executor],
                refusal,
                &all,
            )
            .await;
        world.send(&[start], &[signer]).await.unwrap();
    }
    world
        .send(&[batch_ix(&world, &agency, items)], &[&agency.executor])
        .await
        .unwrap();
    assert_eq!(world.get::<Agency>(&agency.agency).await.outlay_count, 2);
}

#[tokio::test]
async fn the_client_splits_a_schedule_into_transactions_that_fit_and_pays_each_line_once() {
    let (world, agency, awards) = setup(24).await;
    let client = Client::new(&world.chain);
    let schedule: Vec<(Pubkey, u64, [u8; 32])> = awards
        .iter()
        .map(|a| {
            (
                a.keys.award,
                50 * UNIT,
                payment_args(50 * UNIT).invoice_hash,
            )
        })
        .collect();
    let sent = client
        .pay_batch(&agency.agency, &schedule, &agency.executor, &[])
        .await
        .unwrap();
    assert!(
        sent.len() >= 2,
        "24 distinct payments take more than one legacy transaction"
    );
    let lines: Vec<usize> = sent.iter().flat_map(|(lines, _)| lines.clone()).collect();
    assert_eq!(lines, (0..24).collect::<Vec<_>>());
    for (lines, submitted) in &sent {
        let paid = submitted
            .outcome()
            .expect("sent once")
            .events
            .iter()
            .filter(|e| matches!(e, LedgerEvent::PaymentExecuted(_)))
            .count();
        assert_eq!(paid, lines.len());
    }
    assert_eq!(world.get::<Agency>(&agency.agency).await.outlay_count, 24);
}

/// With a lookup table holding the schedule's accounts, the client sends v0 transactions that each pay more
/// lines, every line once, and a batch whose response is lost is found landed, never sent again.
#[tokio::test]
async fn with_a_lookup_table_the_client_sends_fewer_v0_transactions_and_pays_each_line_once() {
    let (mut world, agency, awards) = setup(24).await;
    let schedule: Vec<(Pubkey, u64, [u8; 32])> = awards
        .iter()
        .map(|a| {
            (
                a.keys.award,
                50 * UNIT,
                payment_args(50 * UNIT).invoice_hash,
            )
        })
        .collect();
    let addresses = Client::new(&world.chain)
        .batch_table_addresses(&agency.agency, &schedule, &agency.executor.pubkey())
        .await
        .unwrap();
    assert_eq!(
        addresses.len(),
        10 + 24 * 3,
        "the batch's own accounts (ledger, agency, member, exclusion list, mint, treasury, token program, event \
         authority), the appropriation and allotment, and per line its award, recipient and token account"
    );
    assert!(
        !addresses.contains(&agency.executor.pubkey()),
        "a signer is never looked up"
    );
    let planted = world.plant_lookup_table(addresses);
    let client = Client::new(&world.chain);
    let table = client.lookup_table(&planted.key).await.unwrap();
    assert_eq!(table, planted, "the table reads back as written");

    let legacy = client.batch_items(&schedule).await.unwrap().0;
    let groups = |tables: &[_]| {
        public_spending_sdk::batch::pack(
            agency.agency,
            agency.executor.pubkey(),
            (world.mint, anchor_spl::token::ID),
            &legacy,
            tables,
            None,
        )
        .len()
    };
    let (legacy_groups, v0_groups) = (groups(&[]), groups(std::slice::from_ref(&table)));
    assert!(
        v0_groups < legacy_groups,
        "{v0_groups} v0 against {legacy_groups} legacy"
    );

    let client = flaky_client(&world.chain, Fault::LostResponse);
    let sent = client
        .pay_batch(&agency.agency, &schedule, &agency.executor, &[table])
        .await
        .unwrap();
    assert_eq!(sent.len(), v0_groups);
    assert!(matches!(
        sent[0].1,
        public_spending_sdk::client::Submitted::AlreadyLanded
    ));
    let lines: Vec<usize> = sent.iter().flat_map(|(lines, _)| lines.clone()).collect();
    assert_eq!(lines, (0..24).collect::<Vec<_>>());
    assert_eq!(
        client
            .backend()
            .landed
            .load(std::sync::atomic::Ordering::SeqCst) as usize,
        v0_groups,
        "each transaction landed once"
    );
    assert_eq!(world.get::<Agency>(&agency.agency).await.outlay_count, 24);
    for award in &awards {
        assert_eq!(
            world
                .balance(&world.payout(award).recipient_token_account())
                .await,
            50 * UNIT
        );
    }
}
