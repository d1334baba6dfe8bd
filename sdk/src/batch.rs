//! Packing a schedule of fast-path payments into `pay_batch` transactions that fit: the packet limit (1,232
//! bytes), the account-lock limit, and the program's item limit, legacy or v0 with an address lookup table.

use anchor_lang::prelude::Pubkey;
use solana_sdk::{
    hash::Hash,
    instruction::Instruction,
    message::{v0, AddressLookupTableAccount, Message, VersionedMessage},
    signature::Signature,
    transaction::VersionedTransaction,
};

use crate::builders::{BatchItem, PayBatch};

/// Most accounts one transaction may lock: Agave's limit with `increase_tx_account_lock_limit` (active in the
/// runtime the tests use). A cluster without that feature allows 64.
pub const MAX_ACCOUNT_LOCKS: usize = 128;
/// Compute units a `pay_batch` item needs at most (a token transfer, an event, and the address checks), and
/// the instruction's own share.
pub const UNITS_PER_ITEM: u32 = 40_000;
pub const UNITS_PER_BATCH: u32 = 40_000;

/// The compute-budget instruction that goes before a `pay_batch` of `items` items.
pub fn compute_budget(items: usize) -> Instruction {
    let units = UNITS_PER_BATCH.saturating_add(UNITS_PER_ITEM.saturating_mul(items as u32));
    solana_compute_budget_interface::ComputeBudgetInstruction::set_compute_unit_limit(
        units.min(1_400_000),
    )
}

/// The instructions of a `pay_batch` transaction: its compute budget (and its priority fee, in micro-lamports
/// per compute unit, when there is one), then the batch.
pub fn instructions(batch: &PayBatch, priority_fee: Option<u64>) -> Vec<Instruction> {
    let mut ixs = vec![compute_budget(batch.items.len())];
    ixs.extend(priority_fee.map(priority_fee_instruction));
    ixs.push(batch.instruction());
    ixs
}

/// The compute-budget instruction that bids `micro_lamports` per compute unit for a place in the block.
pub fn priority_fee_instruction(micro_lamports: u64) -> Instruction {
    solana_compute_budget_interface::ComputeBudgetInstruction::set_compute_unit_price(
        micro_lamports,
    )
}

/// The transaction of a `pay_batch` of `items` as it will be sent, signed with placeholder signatures: legacy
/// without `tables`, v0 looking its accounts up in them with.
pub fn transaction(
    batch: &PayBatch,
    tables: &[AddressLookupTableAccount],
    priority_fee: Option<u64>,
) -> Option<VersionedTransaction> {
    let ixs = instructions(batch, priority_fee);
    let message = if tables.is_empty() {
        VersionedMessage::Legacy(Message::new(&ixs, Some(&batch.executor)))
    } else {
        VersionedMessage::V0(
            v0::Message::try_compile(&batch.executor, &ixs, tables, Hash::default()).ok()?,
        )
    };
    let signatures =
        vec![Signature::default(); usize::from(message.header().num_required_signatures)];
    Some(VersionedTransaction {
        signatures,
        message,
    })
}

/// Whether a transaction fits the packet and the account-lock limit.
pub fn fits(tx: &VersionedTransaction) -> bool {
    let bytes = bincode::serialized_size(tx).map_or(usize::MAX, |n| n as usize);
    let locks = match &tx.message {
        VersionedMessage::Legacy(m) => m.account_keys.len(),
        VersionedMessage::V0(m) => {
            m.account_keys.len()
                + m.address_table_lookups
                    .iter()
                    .map(|l| l.writable_indexes.len() + l.readonly_indexes.len())
                    .sum::<usize>()
        }
    };
    bytes <= solana_packet::PACKET_DATA_SIZE && locks <= MAX_ACCOUNT_LOCKS
}

/// Splits `items` (in order) into groups that each fit one `pay_batch` transaction, with its priority fee
/// instruction when there is one; returns item positions.
pub fn pack(
    agency: Pubkey,
    executor: Pubkey,
    (payment_mint, token_program): (Pubkey, Pubkey),
    items: &[BatchItem],
    tables: &[AddressLookupTableAccount],
    priority_fee: Option<u64>,
) -> Vec<Vec<usize>> {
    let batch = |group: &[usize]| PayBatch {
        agency,
        executor,
        payment_mint,
        token_program,
        items: group.iter().map(|&i| items[i]).collect(),
    };
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    for position in 0..items.len() {
        current.push(position);
        let ok = current.len() <= public_spending::instructions::MAX_BATCH_ITEMS
            && transaction(&batch(&current), tables, priority_fee).is_some_and(|tx| fits(&tx));
        if !ok {
            current.pop();
            if current.is_empty() {
                // One item alone always fits; keep it so that nothing is silently dropped.
                groups.push(vec![position]);
                continue;
            }
            groups.push(std::mem::take(&mut current));
            current.push(position);
        }
    }
    if !current.is_empty() {
        groups.push(current);
    }
    groups
}

/// What an address lookup table for `instructions` holds: every account they name except signers and the
/// programs they call, each once, in order of first use. (Signers and called programs must be a transaction's
/// own keys.)
pub fn table_addresses(instructions: &[Instruction]) -> Vec<Pubkey> {
    let programs: Vec<Pubkey> = instructions.iter().map(|ix| ix.program_id).collect();
    let mut addresses: Vec<Pubkey> = Vec::new();
    for meta in instructions.iter().flat_map(|ix| &ix.accounts) {
        if !meta.is_signer && !programs.contains(&meta.pubkey) && !addresses.contains(&meta.pubkey)
        {
            addresses.push(meta.pubkey);
        }
    }
    addresses
}
