//! How many fast-path payments fit in one transaction, side by side: `pay_small` instructions to one award,
//! `pay_batch` to one award, and `pay_batch` to distinct awards and recipients; legacy, and v0 with an address
//! lookup table. Each transaction is built at the largest count that fits (packet size and account locks),
//! executed on the embedded chain, and its payments counted from the events. Sizes and counts, not timings.
//!
//! `cargo bench -p public-spending-tests --bench packing`

use public_spending::state::{ApprovalPolicy, Award};
use public_spending_sdk::{
    batch,
    builders::{BatchItem, PayBatch, PaySmall},
    pda, LedgerEvent,
};
use public_spending_tests::{payment_args, AgencyFixture, AwardFixture, World, UNIT};
use solana_packet::PACKET_DATA_SIZE;
use solana_sdk::{
    hash::Hash,
    instruction::Instruction,
    message::{v0, AddressLookupTableAccount, VersionedMessage},
    signature::{Keypair, Signer},
    transaction::{Transaction, VersionedTransaction},
};
use std::io::Write;

/// `count` pay_small instructions at the award's next indices; the executor pays the fees.
fn batch(
    world: &World,
    agency: &AgencyFixture,
    award: &AwardFixture,
    first: u32,
    count: u32,
) -> Vec<Instruction> {
    (first..first + count)
        .map(|index| {
            PaySmall {
                keys: award.keys,
                payout: world.payout(award),
                index,
                executor: agency.executor.pubkey(),
                reference: Keypair::new().pubkey(),
                args: payment_args(UNIT),
            }
            .instruction()
        })
        .collect()
}

fn legacy(ixs: &[Instruction], executor: &Keypair, blockhash: Hash) -> VersionedTransaction {
    Transaction::new_signed_with_payer(ixs, Some(&executor.pubkey()), &[executor], blockhash).into()
}

fn with_table(
    ixs: &[Instruction],
    executor: &Keypair,
    table: &AddressLookupTableAccount,
    blockhash: Hash,
) -> VersionedTransaction {
    let message = v0::Message::try_compile(
        &executor.pubkey(),
        ixs,
        std::slice::from_ref(table),
        blockhash,
    )
    .expect("compile v0");
    VersionedTransaction::try_new(VersionedMessage::V0(message), &[executor]).expect("sign v0")
}

fn size(tx: &VersionedTransaction) -> usize {
    bincode::serialized_size(tx).expect("serialize") as usize
}

/// The largest count whose transaction fits in a packet, and that transaction's size.
fn largest(build: impl Fn(u32) -> VersionedTransaction) -> (u32, usize) {
    let mut best = (0, 0);
    for count in 1..=64 {
        let bytes = size(&build(count));
        if bytes > PACKET_DATA_SIZE {
            break;
        }
        best = (count, bytes);
    }
    best
}

/// A lookup table on the embedded chain holding every account `ixs` name except signers and programs.
fn lookup_table(world: &mut World, ixs: &[Instruction]) -> AddressLookupTableAccount {
    world.plant_lookup_table(batch::table_addresses(ixs))
}

/// The largest `pay_batch` of `items` (from the first) that fits one transaction, executed: (count, bytes, paid).
async fn largest_batch(
    world: &World,
    agency: &AgencyFixture,
    items: &[BatchItem],
    table: Option<&AddressLookupTableAccount>,
) -> (usize, usize, usize) {
    let count = batch::pack(
        agency.agency,
        agency.executor.pubkey(),
        (world.mint, anchor_spl::token::ID),
        items,
        table.map(std::slice::from_ref).unwrap_or_default(),
        None,
    )[0]
    .len();
    let pay = PayBatch {
        agency: agency.agency,
        executor: agency.executor.pubkey(),
        payment_mint: world.mint,
        token_program: anchor_spl::token::ID,
        items: items[..count].to_vec(),
    };
    let ixs = [batch::compute_budget(count), pay.instruction()];
    let blockhash = world.chain.blockhash().await.expect("blockhash");
    let tx = match table {
        Some(table) => with_table(&ixs, &agency.executor, table, blockhash),
        None => legacy(&ixs, &agency.executor, blockhash),
    };
    let bytes = size(&tx);
    (count, bytes, executed(world, tx).await)
}

/// `n` awards to distinct vendors under one allotment, each vendor's token account created.
async fn distinct_awards(world: &mut World, agency: &AgencyFixture, n: usize) -> Vec<AwardFixture> {
    let ix = world
        .appropriation_ix(agency.agency, *b"0200", 2026, 100_000 * UNIT)
        .await;
    let admin = world.admin.insecure_clone();
    world.send(&[ix], &[&admin]).await.expect("appropriation");
    let appropriation = pda::appropriation(&agency.agency, b"0200", b"000", 2026).0;
    let allotment = world.allot(agency, appropriation, 100_000 * UNIT).await;
    let mut awards = Vec::new();
    for i in 0..n {
        let uei: [u8; 12] = format!("DISTINCT{i:04}")
            .as_bytes()
            .try_into()
            .expect("uei");
        let award = world
            .award_under(agency, appropriation, allotment, &uei, 1_000 * UNIT)
            .await;
        world.open_payout_account(agency, &award).await;
        awards.push(award);
    }
    awards
}

fn items_for(world: &World, awards: &[(AwardFixture, u32)]) -> Vec<BatchItem> {
    awards
        .iter()
        .map(|(award, index)| BatchItem {
            keys: award.keys,
            payout: world.payout(award),
            index: *index,
            amount: UNIT,
            invoice_hash: payment_args(UNIT).invoice_hash,
        })
        .collect()
}

async fn next_index(world: &World, award: &AwardFixture) -> u32 {
    world.get::<Award>(&award.keys.award).await.payment_count
}

async fn executed(world: &World, tx: VersionedTransaction) -> usize {
    let outcome = world
        .chain
        .send_transaction(tx)
        .await
        .expect("the batch executes");
    outcome
        .events
        .iter()
        .filter(|e| matches!(e, LedgerEvent::PaymentExecuted(_)))
        .count()
}

#[tokio::main]
async fn main() {
    // The program's `msg!` lines go nowhere; the figures go to the real stdout.
    let mut out = public_spending_tests::bench_stdout();
    macro_rules! say {
        ($($arg:tt)*) => {
            writeln!(out, $($arg)*).expect("write to stdout")
        };
    }
    let mut world = World::new().await;
    let agency = world.agency("075").await;
    let policy = ApprovalPolicy {
        threshold: 1_000 * UNIT,
        approvals_required: 2,
        time_lock_seconds: 0,
        fast_path_daily_cap: 1_000_000 * UNIT,
    };
    world.set_policy(&agency, policy).await;
    let award = world.award(&agency, b"VENDOR000001", 100_000 * UNIT).await;
    // The recipient's token account exists before the batches, as it does after the first payment.
    let first = world.pay_small_ix(&agency, &award, UNIT).await;
    world
        .send(&[first.instruction()], &[&agency.executor])
        .await
        .expect("first payment");

    let blockhash = world.chain.blockhash().await.expect("blockhash");
    let start = next_index(&world, &award).await;
    let payments = batch(&world, &agency, &award, start, 64);
    let (legacy_count, legacy_bytes) =
        largest(|n| legacy(&payments[..n as usize], &agency.executor, blockhash));
    let tx = legacy(
        &payments[..legacy_count as usize],
        &agency.executor,
        blockhash,
    );
    let legacy_paid = executed(&world, tx).await;

    // One lookup table holding every account the batch reads or writes except the signer and the programs
    // invoked (the invoices' reference keys included), as a disbursing office extends its table for each batch
    // before sending it.
    let start = next_index(&world, &award).await;
    let sample = batch(&world, &agency, &award, start, 64);
    let table = lookup_table(&mut world, &sample);
    let blockhash = world.chain.blockhash().await.expect("blockhash");
    let (v0_count, v0_bytes) =
        largest(|n| with_table(&sample[..n as usize], &agency.executor, &table, blockhash));
    let tx = with_table(
        &sample[..v0_count as usize],
        &agency.executor,
        &table,
        blockhash,
    );
    let v0_paid = executed(&world, tx).await;

    // pay_batch to one award: consecutive indices of the same award.
    let start = next_index(&world, &award).await;
    let same: Vec<(AwardFixture, u32)> = (0..64).map(|i| (award.clone(), start + i)).collect();
    let same_items = items_for(&world, &same);
    let (one_legacy, one_legacy_bytes, one_legacy_paid) =
        largest_batch(&world, &agency, &same_items, None).await;
    let start = next_index(&world, &award).await;
    let same: Vec<(AwardFixture, u32)> = (0..64).map(|i| (award.clone(), start + i)).collect();
    let same_items = items_for(&world, &same);
    let sample = PayBatch {
        agency: agency.agency,
        executor: agency.executor.pubkey(),
        payment_mint: world.mint,
        token_program: anchor_spl::token::ID,
        items: same_items.clone(),
    }
    .instruction();
    let table = lookup_table(&mut world, &[sample]);
    let (one_v0, one_v0_bytes, one_v0_paid) =
        largest_batch(&world, &agency, &same_items, Some(&table)).await;

    // pay_batch to distinct awards and recipients.
    let awards = distinct_awards(&mut world, &agency, 40).await;
    let distinct: Vec<(AwardFixture, u32)> = awards.iter().map(|a| (a.clone(), 0)).collect();
    let items = items_for(&world, &distinct);
    let (many_legacy, many_legacy_bytes, many_legacy_paid) =
        largest_batch(&world, &agency, &items, None).await;
    let rest: Vec<(AwardFixture, u32)> = awards[many_legacy..]
        .iter()
        .map(|a| (a.clone(), 0))
        .collect();
    let items = items_for(&world, &rest);
    let sample = PayBatch {
        agency: agency.agency,
        executor: agency.executor.pubkey(),
        payment_mint: world.mint,
        token_program: anchor_spl::token::ID,
        items: items.clone(),
    }
    .instruction();
    let table = lookup_table(&mut world, &[sample]);
    let (many_v0, many_v0_bytes, many_v0_paid) =
        largest_batch(&world, &agency, &items, Some(&table)).await;

    say!(
        "fast-path payments per transaction (packet limit {PACKET_DATA_SIZE} bytes, at most {} account locks; executor pays fees):",
        batch::MAX_ACCOUNT_LOCKS
    );
    for (what, count, bytes, paid) in [
        (
            "pay_small x N, one award, legacy",
            legacy_count as usize,
            legacy_bytes,
            legacy_paid,
        ),
        (
            "pay_small x N, one award, v0 + lookup table",
            v0_count as usize,
            v0_bytes,
            v0_paid,
        ),
        (
            "pay_batch, one award, legacy",
            one_legacy,
            one_legacy_bytes,
            one_legacy_paid,
        ),
        (
            "pay_batch, one award, v0 + lookup table",
            one_v0,
            one_v0_bytes,
            one_v0_paid,
        ),
        (
            "pay_batch, distinct awards+recipients, legacy",
            many_legacy,
            many_legacy_bytes,
            many_legacy_paid,
        ),
        (
            "pay_batch, distinct awards+recipients, v0 + lookup table",
            many_v0,
            many_v0_bytes,
            many_v0_paid,
        ),
    ] {
        say!("  {what:<58} {count:>2} payments, {bytes:>4} bytes; executed on the embedded chain: {paid} paid");
        assert_eq!(
            paid, count,
            "every payment in a transaction executes: {what}"
        );
    }
}
