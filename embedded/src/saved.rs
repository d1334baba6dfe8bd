//! The saved-chain format: what `pubspend` writes to its state file between commands.

use serde::{Deserialize, Serialize};
use solana_sdk::transaction::TransactionError;

/// One account of a saved chain.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SavedAccount {
    pub address: String,
    pub lamports: u64,
    pub owner: String,
    pub data: String,
}

/// A saved embedded chain: its clock, every account it created or touched, and every transaction it processed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct SavedChain {
    pub unix_timestamp: i64,
    pub accounts: Vec<SavedAccount>,
    /// Oldest first. Missing in chains saved before history was kept.
    #[serde(default)]
    pub history: Vec<SavedTransaction>,
    /// The genesis hash of the chain when it was first started: the chain keeps it across saves and loads, so
    /// that a saved chain stays one chain to an indexer, as a validator's genesis hash does. Missing in chains
    /// saved before it was kept (a restored one then takes its new runtime's).
    #[serde(default)]
    pub genesis_hash: Option<String>,
}

/// One processed transaction of a saved chain.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SavedTransaction {
    pub signature: String,
    pub slot: u64,
    pub block_time: i64,
    /// Why it failed; `None` when it succeeded.
    pub err: Option<String>,
    /// The signed transaction, bincode then base64 (as `getTransaction` returns it with base64 encoding).
    pub transaction: String,
    pub inner_instructions: Vec<SavedInnerInstruction>,
    pub logs: Vec<String>,
    /// What the fee payer paid. The fields from here on are missing in chains saved before they were kept.
    #[serde(default)]
    pub fee: u64,
    /// Why it failed, as the runtime reports it (for `getSignatureStatuses`).
    #[serde(default)]
    pub error: Option<TransactionError>,
    /// Lamports of every account the transaction names (static keys, then loaded ones), before and after.
    #[serde(default)]
    pub pre_balances: Vec<u64>,
    #[serde(default)]
    pub post_balances: Vec<u64>,
    #[serde(default)]
    pub pre_token_balances: Vec<SavedTokenBalance>,
    #[serde(default)]
    pub post_token_balances: Vec<SavedTokenBalance>,
    #[serde(default)]
    pub compute_units: u64,
    /// Addresses a v0 transaction loaded from lookup tables: every table's writable ones, then read-only.
    #[serde(default)]
    pub loaded_writable: Vec<String>,
    #[serde(default)]
    pub loaded_readonly: Vec<String>,
}

/// A token account's balance before or after a transaction, as `getTransaction` reports it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SavedTokenBalance {
    /// Its position among the transaction's account keys.
    pub account_index: u8,
    pub mint: String,
    pub owner: String,
    pub program: String,
    pub amount: u64,
    pub decimals: u8,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SavedInnerInstruction {
    pub top_level: u8,
    pub program: String,
    /// base64
    pub data: String,
    /// Indices into the transaction's account keys.
    #[serde(default)]
    pub accounts: Vec<u8>,
    #[serde(default)]
    pub stack_height: Option<u32>,
}
