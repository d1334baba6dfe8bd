//! How many `pay_small` payments for one award fit in one transaction: legacy, and v0 with an address lookup
//! table. Each transaction is built at the largest count that fits in a packet, executed on the embedded chain,
//! and its payments counted from the events. Sizes and counts, not timings.
//!
//! `cargo bench -p public-spending-tests --bench packing`

use std::borrow::Cow;

use anchor_lang::prelude::Pubkey;
use public_spending::state::{ApprovalPolicy, Award};
use public_spending_sdk::{builders::PaySmall, LedgerEvent};
use public_spending_tests::{payment_args, AgencyFixture, AwardFixture, World, UNIT};
use solana_address_lookup_table_interface::state::{AddressLookupTable, LookupTableMeta};
use solana_packet::PACKET_DATA_SIZE;
use solana_sdk::{
    account::Account,
    hash::Hash,
    instruction::Instruction,
    message::{v0, AddressLookupTableAccount, VersionedMessage},
    signature::{Keypair, Signer},
    transaction::{Transaction, VersionedTransaction},
};

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
    // invoked: the payment PDAs to come (derived from the award and the index) and the invoices' reference keys
    // included, as a disbursing office extends its table for each batch before sending it.
    let start = next_index(&world, &award).await;
    let sample = batch(&world, &agency, &award, start, 64);
    let mut addresses: Vec<Pubkey> = Vec::new();
    for meta in sample.iter().flat_map(|ix| &ix.accounts) {
        if !meta.is_signer
            && meta.pubkey != public_spending::ID
            && !addresses.contains(&meta.pubkey)
        {
            addresses.push(meta.pubkey);
        }
    }
    let table_key = Pubkey::new_unique();
    let meta = LookupTableMeta {
        deactivation_slot: u64::MAX,
        last_extended_slot: 0,
        last_extended_slot_start_index: 0,
        authority: None,
        _padding: 0,
    };
    let data = AddressLookupTable {
        meta,
        addresses: Cow::Borrowed(&addresses),
    }
    .serialize_for_tests()
    .expect("table");
    let rent = world
        .chain
        .rent()
        .await
        .expect("rent")
        .minimum_balance(data.len());
    let account = Account {
        lamports: rent,
        data,
        owner: solana_address_lookup_table_interface::program::ID,
        executable: false,
        rent_epoch: 0,
    };
    world
        .chain
        .set_account(&table_key, account)
        .expect("lookup table");
    let table = AddressLookupTableAccount {
        key: table_key,
        addresses,
    };

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

    println!("pay_small payments per transaction (packet limit {PACKET_DATA_SIZE} bytes, executor pays fees):");
    println!("  legacy:                      {legacy_count:>2} payments, {legacy_bytes} bytes; executed on the embedded chain: {legacy_paid} paid");
    println!("  v0 + address lookup table:   {v0_count:>2} payments, {v0_bytes} bytes; executed on the embedded chain: {v0_paid} paid");
    assert_eq!(
        (legacy_paid, v0_paid),
        (legacy_count as usize, v0_count as usize),
        "every payment in a batch executes"
    );
}
