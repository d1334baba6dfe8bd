//! The embedded chain: the program run natively inside the real Solana runtime, in process, with the real
//! SPL Token and Associated Token Account programs (SBF builds shipped with the test runtime). No validator.
//!
//! The chain can be saved to a JSON file and started again from it, so that a series of `pubspend` commands
//! can work on one embedded ledger.

use std::{
    collections::BTreeSet,
    fs::File,
    io::{Seek, Write},
    path::{Path, PathBuf},
    sync::Mutex,
    time::Duration,
};

use anchor_lang::{
    prelude::{AccountInfo, Clock, Pubkey},
    solana_program::{entrypoint::ProgramResult, program_pack::Pack, system_instruction},
};
use anchor_spl::{token::spl_token, token_2022::spl_token_2022};
use base64::{engine::general_purpose::STANDARD as BASE64, Engine};
use serde::{Deserialize, Serialize};
use solana_address_lookup_table_interface::state::AddressLookupTable;
use solana_commitment_config::CommitmentLevel;
use solana_program_test::processor;
use solana_sdk::{
    account::Account,
    hash::Hash,
    instruction::Instruction,
    message::AddressLookupTableAccount,
    rent::Rent,
    signature::{Keypair, Signature, Signer},
    transaction::{TransactionError, VersionedTransaction},
};

pub use bank::Pace;
pub use public_spending_sdk::backend::TxOutcome;
use public_spending_sdk::{
    backend::{sign, sign_v0, Backend},
    error::SdkError,
    events::decode_events,
    fetch::AccountSource,
    history::{page, HistoricalTransaction, History, InnerInstruction, SignatureInfo},
    mint,
    query::Memcmp,
};

mod bank;

/// Anchor 1.2's `entry` ties the program id, accounts and data to one lifetime; the runtime hands a native
/// processor shorter, distinct ones.
fn process_instruction(
    program_id: &Pubkey,
    accounts: &[AccountInfo],
    data: &[u8],
) -> ProgramResult {
    // SAFETY: only the lifetimes are widened. The runtime keeps the program id, every AccountInfo (and the
    // buffers they point into) and the data alive until this call returns, and the program keeps no reference
    // to any of them past the call.
    let (program_id, accounts, data) = unsafe {
        (
            std::mem::transmute::<&Pubkey, &'static Pubkey>(program_id),
            std::mem::transmute::<&[AccountInfo], &'static [AccountInfo<'static>]>(accounts),
            std::mem::transmute::<&[u8], &'static [u8]>(data),
        )
    };
    public_spending::entry(program_id, accounts, data)
}

/// `ProgramTest` points the process's logger at the runtime's per-instruction DEBUG output whenever a chain
/// starts, unless RUST_LOG says otherwise, which floods a terminal or a test run with thousands of lines. The
/// `log` facade takes the first logger installed and keeps it, so an embedded chain installs one first that
/// follows RUST_LOG and shows only errors without it. A program that installed its own logger keeps it.
fn quiet_runtime_logs() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let logger =
            env_logger::Builder::from_env(env_logger::Env::new().default_filter_or("error"))
                .build();
        let level = logger.filter();
        if log::set_boxed_logger(Box::new(logger)).is_ok() {
            log::set_max_level(level);
        }
    });
}

/// The embedded program runs natively, so its `msg!` lines (Anchor's "Instruction: ..." among them) are
/// `println!`s in this process. Points the process's stdout at stderr (`verbose`) or nowhere, so that program
/// logs never mix with a tool's own output, and returns the real stdout for that output. `None` when the
/// descriptors could not be moved (stdout is then left as it was). Call it once, before any other thread writes
/// to stdout.
#[cfg(unix)]
pub fn program_logs_off_stdout(verbose: bool) -> Option<std::fs::File> {
    use std::os::fd::{AsRawFd, FromRawFd};
    // SAFETY: plain descriptor duplication on the process's own stdout; `saved` is a new descriptor that the
    // returned File owns alone.
    unsafe {
        let saved = libc::dup(1);
        if saved < 0 {
            return None;
        }
        let null = std::fs::File::options().write(true).open("/dev/null");
        let target = match (&null, verbose) {
            (Ok(null), false) => null.as_raw_fd(),
            _ => 2,
        };
        if libc::dup2(target, 1) < 0 {
            libc::close(saved);
            return None;
        }
        Some(std::fs::File::from_raw_fd(saved))
    }
}

#[cfg(not(unix))]
pub fn program_logs_off_stdout(_verbose: bool) -> Option<std::fs::File> {
    None
}

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

/// A transaction of the history, with its keys decoded for paging by address.
struct Entry {
    signature: Signature,
    keys: Vec<Pubkey>,
    saved: SavedTransaction,
}

impl Entry {
    fn of(saved: SavedTransaction) -> Result<Self, SdkError> {
        let transaction = decode_transaction(&saved.transaction)?;
        let mut keys = transaction.message.static_account_keys().to_vec();
        for loaded in saved.loaded_writable.iter().chain(&saved.loaded_readonly) {
            keys.push(loaded.parse().map_err(transport)?);
        }
        Ok(Self {
            signature: saved.signature.parse().map_err(transport)?,
            keys,
            saved,
        })
    }

    fn info(&self) -> SignatureInfo {
        SignatureInfo {
            signature: self.signature,
            slot: self.saved.slot,
            block_time: Some(self.saved.block_time),
            err: self.saved.err.clone(),
        }
    }

    fn historical(&self) -> Result<HistoricalTransaction, SdkError> {
        let inner_instructions = self
            .saved
            .inner_instructions
            .iter()
            .map(|ix| {
                Ok(InnerInstruction {
                    top_level: ix.top_level,
                    program: ix.program.parse().map_err(transport)?,
                    data: BASE64.decode(&ix.data).map_err(transport)?,
                })
            })
            .collect::<Result<Vec<_>, SdkError>>()?;
        Ok(HistoricalTransaction {
            signature: self.signature,
            slot: self.saved.slot,
            block_time: Some(self.saved.block_time),
            err: self.saved.err.clone(),
            transaction: decode_transaction(&self.saved.transaction)?,
            loaded_keys: self.keys[self.keys.len()
                - self.saved.loaded_writable.len()
                - self.saved.loaded_readonly.len()..]
                .to_vec(),
            inner_instructions,
            logs: self.saved.logs.clone(),
        })
    }
}

fn decode_transaction(base64: &str) -> Result<VersionedTransaction, SdkError> {
    let bytes = BASE64.decode(base64).map_err(transport)?;
    bincode::deserialize(&bytes).map_err(transport)
}

/// The history: entries oldest first, and where each signature stands.
#[derive(Default)]
struct Ledgerbook {
    entries: Vec<Entry>,
    positions: std::collections::HashMap<Signature, usize>,
}

impl Ledgerbook {
    fn push(&mut self, entry: Entry) {
        if self.positions.contains_key(&entry.signature) {
            return;
        }
        self.positions.insert(entry.signature, self.entries.len());
        self.entries.push(entry);
    }
}

fn transport(err: impl std::fmt::Display) -> SdkError {
    SdkError::Transport(err.to_string())
}

/// Whether a transaction is simulated before it is processed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preflight {
    Simulate,
    Skip,
}

/// What became of a transaction given to [`EmbeddedChain::process`].
#[derive(Debug)]
pub enum Sent {
    /// It is in a block: it succeeded, or (preflight skipped) it failed in execution and paid its fee.
    Landed(Landed),
    /// It never landed and changed nothing.
    Rejected(Rejection),
}

#[derive(Debug)]
pub struct Landed {
    pub signature: Signature,
    pub slot: u64,
    /// Why it failed, when it landed failed.
    pub err: Option<TransactionError>,
    /// Every account it named, loaded ones included.
    pub keys: Vec<Pubkey>,
    pub outcome: TxOutcome,
}

/// Why a transaction was refused, as a validator's preflight reports it.
#[derive(Debug, Clone)]
pub struct Rejection {
    pub err: TransactionError,
    pub logs: Vec<String>,
    pub units_consumed: u64,
}

/// The inner instructions of a landed transaction, as saved: `list` holds each top-level instruction's set.
fn saved_inner(
    keys: &[Pubkey],
    list: Option<&[Vec<solana_sdk::message::inner_instruction::InnerInstruction>]>,
) -> Result<Vec<SavedInnerInstruction>, SdkError> {
    let mut inner = Vec::new();
    for (top_level, set) in list.into_iter().flatten().enumerate() {
        for ix in set {
            inner.push(SavedInnerInstruction {
                top_level: u8::try_from(top_level).map_err(transport)?,
                program: keys
                    .get(usize::from(ix.instruction.program_id_index))
                    .map(Pubkey::to_string)
                    .unwrap_or_default(),
                data: BASE64.encode(&ix.instruction.data),
                accounts: ix.instruction.accounts.clone(),
                stack_height: Some(u32::from(ix.stack_height)),
            });
        }
    }
    Ok(inner)
}

/// The ledger's events among saved inner instructions (Anchor's event CPIs).
fn events_of(inner: &[SavedInnerInstruction]) -> Vec<public_spending_sdk::events::LedgerEvent> {
    let decoded: Vec<(Pubkey, Vec<u8>)> = inner
        .iter()
        .filter_map(|ix| Some((ix.program.parse().ok()?, BASE64.decode(&ix.data).ok()?)))
        .collect();
    decode_events(
        decoded
            .iter()
            .map(|(program, data)| (program, data.as_slice())),
    )
}

fn rejection(
    err: TransactionError,
    details: Option<solana_banks_interface::TransactionSimulationDetails>,
) -> Rejection {
    let (logs, units_consumed) = details.map_or((Vec::new(), 0), |d| (d.logs, d.units_consumed));
    Rejection {
        err,
        logs,
        units_consumed,
    }
}

#[derive(Default)]
struct Balances {
    lamports: Vec<u64>,
    tokens: Vec<SavedTokenBalance>,
}

/// An in-process chain with the program deployed and a funded fee payer.
pub struct EmbeddedChain {
    /// Held while a transaction is processed: one at a time.
    sending: tokio::sync::Mutex<()>,
    banks: solana_banks_client::BanksClient,
    /// For what changes the runtime's banks directly: sysvars, accounts written in, the slot.
    runtime: bank::Banks,
    pace: Pace,
    /// Whether a transaction landed in the open slot (see [`EmbeddedChain::close_slot`]).
    slot_used: std::sync::atomic::AtomicBool,
    /// Every address a transaction has touched: the chain's account index (the runtime has no
    /// `getProgramAccounts`).
    known: Mutex<BTreeSet<Pubkey>>,
    /// Every transaction that landed, oldest first.
    history: Mutex<Ledgerbook>,
    /// The clock's time when each slot this chain had closed (genesis included), for block times of slots in
    /// which no transaction landed.
    closed_slots: Mutex<std::collections::BTreeMap<u64, i64>>,
    /// The genesis hash the chain answers with: its first runtime's, kept across saves ([`SavedChain`]).
    genesis_hash: Hash,
}

impl EmbeddedChain {
    /// Starts a fresh chain at [`Pace::Fast`].
    pub async fn start() -> Self {
        Self::start_with(&SavedChain::default())
            .await
            .unwrap_or_else(|_| unreachable!("an empty chain has nothing to restore"))
    }

    /// Starts a chain holding the accounts of `saved`, at its clock, at [`Pace::Fast`].
    pub async fn start_with(saved: &SavedChain) -> Result<Self, SdkError> {
        Self::start_paced(saved, Pace::Fast).await
    }

    /// Starts a chain holding the accounts of `saved`, at its clock, with blockhashes moving at `pace`.
    pub async fn start_paced(saved: &SavedChain, pace: Pace) -> Result<Self, SdkError> {
        quiet_runtime_logs();
        let entrypoint: Option<solana_program_runtime::invoke_context::BuiltinFunctionWithContext> =
            processor!(process_instruction);
        let Some(entrypoint) = entrypoint else {
            unreachable!("processor! always makes an entrypoint")
        };
        let mut accounts = Vec::with_capacity(saved.accounts.len());
        let mut known = BTreeSet::new();
        let mut history = Ledgerbook::default();
        for saved in &saved.history {
            history.push(Entry::of(saved.clone())?);
        }
        for account in &saved.accounts {
            let address: Pubkey = account.address.parse().map_err(transport)?;
            let owner: Pubkey = account.owner.parse().map_err(transport)?;
            let data = BASE64.decode(&account.data).map_err(transport)?;
            accounts.push((
                address,
                Account {
                    lamports: account.lamports,
                    data,
                    owner,
                    executable: false,
                    rent_epoch: 0,
                }
                .into(),
            ));
            known.insert(address);
        }
        let runtime = bank::Banks::start(
            (public_spending::ID, "public_spending", entrypoint),
            accounts,
            pace,
        )
        .await;
        let genesis_hash = match &saved.genesis_hash {
            Some(hash) => hash.parse().map_err(transport)?,
            None => runtime.genesis_hash(),
        };
        let chain = Self {
            genesis_hash,
            sending: tokio::sync::Mutex::new(()),
            banks: runtime.client.clone(),
            runtime,
            pace,
            slot_used: std::sync::atomic::AtomicBool::new(false),
            known: Mutex::new(known),
            history: Mutex::new(history),
            closed_slots: Mutex::default(),
        };
        let clock = chain.clock().await?;
        // The runtime starts past its genesis slot, which closed just now.
        chain
            .closed_slots
            .lock()
            .map_err(transport)?
            .extend((0..clock.slot).map(|slot| (slot, clock.unix_timestamp)));
        if saved.unix_timestamp > clock.unix_timestamp {
            chain
                .advance_clock(saved.unix_timestamp - clock.unix_timestamp)
                .await?;
        }
        Ok(chain)
    }

    /// Everything this chain created or touched, except programs and sysvars.
    pub async fn export(&self) -> Result<SavedChain, SdkError> {
        // No transaction lands meanwhile: the accounts and the history are of one moment.
        let _turn = self.sending.lock().await;
        let keys: Vec<Pubkey> = self
            .known
            .lock()
            .map_err(transport)?
            .iter()
            .copied()
            .collect();
        let mut accounts = Vec::with_capacity(keys.len());
        for address in keys {
            let Some(account) = self.get_account(&address).await? else {
                continue;
            };
            if account.executable || account.owner == solana_sdk::sysvar::ID {
                continue;
            }
            accounts.push(SavedAccount {
                address: address.to_string(),
                lamports: account.lamports,
                owner: account.owner.to_string(),
                data: BASE64.encode(&account.data),
            });
        }
        let history = self
            .history
            .lock()
            .map_err(transport)?
            .entries
            .iter()
            .map(|entry| entry.saved.clone())
            .collect();
        Ok(SavedChain {
            unix_timestamp: self.clock().await?.unix_timestamp,
            accounts,
            history,
            genesis_hash: Some(self.genesis_hash.to_string()),
        })
    }

    /// The funded fee payer of every transaction sent through [`Self::send`].
    pub fn payer(&self) -> &Keypair {
        &self.runtime.payer
    }

    /// How the chain's blockhashes move on.
    pub fn pace(&self) -> Pace {
        self.pace
    }

    /// Signs with the fee payer and `signers`, simulates (to capture the events), then processes. A refused
    /// transaction changes nothing and is reported with the program's error.
    pub async fn send(
        &self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<TxOutcome, SdkError> {
        self.send_signed(|blockhash| {
            sign(instructions, self.payer(), signers, blockhash).map(Into::into)
        })
        .await
    }

    /// As [`Self::send`], in a v0 transaction that looks its accounts up in `tables` where it can.
    pub async fn send_v0(
        &self,
        instructions: &[Instruction],
        signers: &[&Keypair],
        tables: &[AddressLookupTableAccount],
    ) -> Result<TxOutcome, SdkError> {
        self.send_signed(|blockhash| {
            sign_v0(instructions, self.payer(), signers, blockhash, tables)
        })
        .await
    }

    /// Sends the transaction `sign` makes under the latest blockhash; when an identical transaction landed
    /// under that blockhash already, or the blockhash expired while the transaction waited its turn (it did
    /// not land then), signs it anew under the next one.
    async fn send_signed(
        &self,
        sign: impl Fn(Hash) -> Result<VersionedTransaction, SdkError>,
    ) -> Result<TxOutcome, SdkError> {
        let mut blockhash = self.latest_blockhash().await?;
        loop {
            match self.send_transaction(sign(blockhash)?).await {
                Err(SdkError::Transaction(
                    TransactionError::AlreadyProcessed | TransactionError::BlockhashNotFound,
                )) => {
                    blockhash = self.blockhash_after(blockhash).await?;
                }
                other => return other,
            }
        }
    }

    async fn latest_blockhash(&self) -> Result<Hash, SdkError> {
        self.banks.get_latest_blockhash().await.map_err(transport)
    }

    /// The runtime's next blockhash after `stale`: at [`Pace::Fast`], the ticking task's next; at
    /// [`Pace::PerSlot`], where only a closed slot brings one, the open slot is closed for it.
    async fn blockhash_after(&self, stale: Hash) -> Result<Hash, SdkError> {
        loop {
            let latest = self.latest_blockhash().await?;
            if latest != stale {
                return Ok(latest);
            }
            match self.pace {
                Pace::Fast => tokio::time::sleep(Duration::from_millis(20)).await,
                Pace::PerSlot => {
                    self.next_slot().await?;
                }
            }
        }
    }

    /// Whether a transaction may still use `blockhash`: it is at most 150 blockhashes old (150 closed slots at
    /// [`Pace::PerSlot`]).
    pub fn is_blockhash_valid(&self, blockhash: &Hash) -> bool {
        self.runtime.is_blockhash_valid(blockhash)
    }

    /// Processes a transaction signed elsewhere (legacy or v0 with lookup tables), capturing its events. A
    /// refused transaction changes nothing and is reported with the program's error.
    pub async fn send_transaction(
        &self,
        transaction: VersionedTransaction,
    ) -> Result<TxOutcome, SdkError> {
        match self.process(transaction, Preflight::Simulate).await? {
            Sent::Landed(landed) => match landed.err {
                None => Ok(landed.outcome),
                Some(err) => Err(SdkError::from_failure(err, &landed.outcome.logs)),
            },
            Sent::Rejected(rejection) => {
                Err(SdkError::from_failure(rejection.err, &rejection.logs))
            }
        }
    }

    /// Simulates a transaction against the open slot. Takes the chain's turn, like [`Self::process`]: the
    /// runtime deadlocks when a slot closes (a new bank from its parent) while a simulation loads programs,
    /// so no slot closes meanwhile.
    pub async fn simulate(
        &self,
        transaction: VersionedTransaction,
    ) -> Result<solana_banks_interface::BanksTransactionResultWithSimulation, SdkError> {
        let _turn = self.sending.lock().await;
        self.banks
            .simulate_transaction(transaction)
            .await
            .map_err(transport)
    }

    /// Processes a transaction as a validator's `sendTransaction` does. With [`Preflight::Simulate`], a
    /// transaction that would fail is rejected and never lands. With [`Preflight::Skip`], one that fails in
    /// execution lands all the same, failed, and its fee is paid; one that cannot be executed at all (an
    /// unknown blockhash, a fee payer without funds) is rejected.
    ///
    /// Transactions are processed one at a time, so that the balances recorded before and after each belong
    /// to it alone.
    pub async fn process(
        &self,
        transaction: VersionedTransaction,
        preflight: Preflight,
    ) -> Result<Sent, SdkError> {
        let _turn = self.sending.lock().await;
        let banks = &self.banks;
        if preflight == Preflight::Skip {
            let simulated = banks
                .simulate_transaction(transaction.clone())
                .await
                .map_err(transport)?;
            match simulated.result {
                Some(Err(TransactionError::InstructionError(..))) => {
                    return self.land_unchecked(transaction).await;
                }
                // A simulation allows a blockhash 144 old, execution 150 (a validator's margin for forwarding a
                // transaction to the leader): within the margin, a transaction sent without preflight lands.
                Some(Err(TransactionError::BlockhashNotFound))
                    if self.is_blockhash_valid(transaction.message.recent_blockhash()) =>
                {
                    return self.land_unchecked(transaction).await;
                }
                Some(Err(err)) => {
                    return Ok(Sent::Rejected(rejection(err, simulated.simulation_details)))
                }
                Some(Ok(())) | None => {}
            }
        }
        let keys = self.keys_of(&transaction).await?;
        let before = self.balances(&keys).await?;
        let signature = transaction.signatures[0];
        let encoded = bincode::serialize(&transaction).map_err(transport)?;
        let fee = self.fee_of(&transaction).await?;
        let result = banks
            .process_transaction_with_preflight_and_commitment_and_context(
                tarpc::context::current(),
                transaction,
                CommitmentLevel::Processed,
            )
            .await
            .map_err(transport)?;
        match result.result {
            Some(Ok(())) => {}
            // Refused in preflight, it never landed: like a validator, the chain keeps no trace of it (and the
            // same signed transaction may land later, once the clock has moved).
            Some(Err(err)) => return Ok(Sent::Rejected(rejection(err, result.simulation_details))),
            None => return Err(transport("the transaction was not processed")),
        }
        let details = result
            .simulation_details
            .ok_or_else(|| transport("the runtime returned no simulation details"))?;
        let inner = saved_inner(&keys, details.inner_instructions.as_deref())?;
        let events = events_of(&inner);
        let after = self.balances(&keys).await?;
        let record = self
            .record(
                signature,
                &encoded,
                None,
                (fee, details.units_consumed),
                &keys,
                (before, after),
                inner,
                details.logs.clone(),
            )
            .await?;
        self.slot_used
            .store(true, std::sync::atomic::Ordering::SeqCst);
        Ok(Sent::Landed(Landed {
            signature,
            slot: record.slot,
            err: None,
            keys,
            outcome: TxOutcome {
                signature,
                events,
                logs: details.logs,
            },
        }))
    }

    /// Executes and commits a transaction the simulation did not refuse for good, as a validator does one sent
    /// without preflight: one that fails in execution pays its fee and changes nothing else.
    async fn land_unchecked(&self, transaction: VersionedTransaction) -> Result<Sent, SdkError> {
        let keys = self.keys_of(&transaction).await?;
        let before = self.balances(&keys).await?;
        let signature = transaction.signatures[0];
        let encoded = bincode::serialize(&transaction).map_err(transport)?;
        let fee = self.fee_of(&transaction).await?;
        let committed = match self.runtime.execute(transaction) {
            Ok(committed) => committed,
            Err(err) => {
                return Ok(Sent::Rejected(Rejection {
                    err,
                    logs: Vec::new(),
                    units_consumed: 0,
                }))
            }
        };
        let err = committed.status.err();
        let inner = saved_inner(&keys, committed.inner_instructions.as_deref())?;
        // A failed transaction's events did not happen.
        let events = match err {
            None => events_of(&inner),
            Some(_) => Vec::new(),
        };
        let logs = committed.log_messages.unwrap_or_default();
        let after = self.balances(&keys).await?;
        let record = self
            .record(
                signature,
                &encoded,
                err.clone(),
                (fee, committed.executed_units),
                &keys,
                (before, after),
                inner,
                logs.clone(),
            )
            .await?;
        self.slot_used
            .store(true, std::sync::atomic::Ordering::SeqCst);
        Ok(Sent::Landed(Landed {
            signature,
            slot: record.slot,
            err,
            keys,
            outcome: TxOutcome {
                signature,
                events,
                logs,
            },
        }))
    }

    /// The transaction's account keys: its static keys, then those it loads from lookup tables (every
    /// table's writable ones, then every table's read-only ones), as the runtime orders them.
    pub async fn keys_of(
        &self,
        transaction: &VersionedTransaction,
    ) -> Result<Vec<Pubkey>, SdkError> {
        let mut keys = transaction.message.static_account_keys().to_vec();
        let Some(lookups) = transaction.message.address_table_lookups() else {
            return Ok(keys);
        };
        let mut writable = Vec::new();
        let mut readonly = Vec::new();
        for lookup in lookups {
            let table = self
                .get_account(&lookup.account_key)
                .await?
                .ok_or_else(|| {
                    transport(format!("lookup table {} not found", lookup.account_key))
                })?;
            let table = AddressLookupTable::deserialize(&table.data).map_err(transport)?;
            let pick = |indexes: &[u8], into: &mut Vec<Pubkey>| -> Result<(), SdkError> {
                for index in indexes {
                    into.push(*table.addresses.get(usize::from(*index)).ok_or_else(|| {
                        transport(format!(
                            "lookup table {} has no index {index}",
                            lookup.account_key
                        ))
                    })?);
                }
                Ok(())
            };
            pick(&lookup.writable_indexes, &mut writable)?;
            pick(&lookup.readonly_indexes, &mut readonly)?;
        }
        keys.extend(writable);
        keys.extend(readonly);
        Ok(keys)
    }

    /// Lamports and token balances of `keys`.
    async fn balances(&self, keys: &[Pubkey]) -> Result<Balances, SdkError> {
        let mut balances = Balances::default();
        for (index, key) in keys.iter().enumerate() {
            let account = self.get_account(key).await?;
            balances
                .lamports
                .push(account.as_ref().map_or(0, |a| a.lamports));
            let Some(account) = account else { continue };
            let is_token = account.owner == spl_token::ID || account.owner == spl_token_2022::ID;
            if !is_token || account.data.len() < spl_token::state::Account::LEN {
                continue;
            }
            let Ok(token) = spl_token::state::Account::unpack_from_slice(
                &account.data[..spl_token::state::Account::LEN],
            ) else {
                continue;
            };
            let decimals = match self.get_account(&token.mint).await? {
                Some(mint) if mint.data.len() >= spl_token::state::Mint::LEN => {
                    spl_token::state::Mint::unpack_from_slice(
                        &mint.data[..spl_token::state::Mint::LEN],
                    )
                    .map_or(0, |m| m.decimals)
                }
                _ => 0,
            };
            balances.tokens.push(SavedTokenBalance {
                account_index: u8::try_from(index).map_err(transport)?,
                mint: token.mint.to_string(),
                owner: token.owner.to_string(),
                program: account.owner.to_string(),
                amount: token.amount,
                decimals,
            });
        }
        Ok(balances)
    }

    /// The fee the runtime charges for the transaction's message.
    async fn fee_of(&self, transaction: &VersionedTransaction) -> Result<u64, SdkError> {
        if let solana_sdk::message::VersionedMessage::Legacy(message) = &transaction.message {
            if let Some(fee) = self
                .banks
                .get_fee_for_message(message.clone())
                .await
                .map_err(transport)?
            {
                return Ok(fee);
            }
        }
        let signatures = u64::from(transaction.message.header().num_required_signatures);
        Ok(self.lamports_per_signature().await? * signatures)
    }

    /// What one signature costs on this chain.
    pub async fn lamports_per_signature(&self) -> Result<u64, SdkError> {
        let payer = self.payer().pubkey();
        let message = solana_sdk::message::Message::new_with_blockhash(
            &[],
            Some(&payer),
            &self.latest_blockhash().await?,
        );
        Ok(self
            .banks
            .get_fee_for_message(message)
            .await
            .map_err(transport)?
            .unwrap_or(0))
    }

    /// Adds a landed transaction to the history, at the chain's current slot and clock.
    #[allow(clippy::too_many_arguments)]
    async fn record(
        &self,
        signature: Signature,
        encoded: &[u8],
        err: Option<TransactionError>,
        (fee, compute_units): (u64, u64),
        keys: &[Pubkey],
        (before, after): (Balances, Balances),
        inner_instructions: Vec<SavedInnerInstruction>,
        logs: Vec<String>,
    ) -> Result<SavedTransaction, SdkError> {
        let slot = self.banks.get_root_slot().await.map_err(transport)?;
        let transaction = decode_transaction(&BASE64.encode(encoded))?;
        let statics = transaction.message.static_account_keys().len();
        let lookups = transaction
            .message
            .address_table_lookups()
            .unwrap_or_default();
        let writable: usize = lookups.iter().map(|l| l.writable_indexes.len()).sum();
        let loaded = &keys[statics.min(keys.len())..];
        let saved = SavedTransaction {
            signature: signature.to_string(),
            slot,
            block_time: self.clock().await?.unix_timestamp,
            err: err.as_ref().map(ToString::to_string),
            error: err,
            transaction: BASE64.encode(encoded),
            inner_instructions,
            logs,
            fee,
            pre_balances: before.lamports,
            post_balances: after.lamports,
            pre_token_balances: before.tokens,
            post_token_balances: after.tokens,
            compute_units,
            loaded_writable: loaded[..writable.min(loaded.len())]
                .iter()
                .map(Pubkey::to_string)
                .collect(),
            loaded_readonly: loaded[writable.min(loaded.len())..]
                .iter()
                .map(Pubkey::to_string)
                .collect(),
        };
        self.known
            .lock()
            .map_err(transport)?
            .extend(keys.iter().copied());
        self.history
            .lock()
            .map_err(transport)?
            .push(Entry::of(saved.clone())?);
        Ok(saved)
    }

    /// Closes the open slot if a transaction landed in it, as a validator closes a block, and opens the next:
    /// slots and slot hashes move on (an address lookup table can then be created at a recent slot, and one
    /// extended in the closed slot serves from the next). Waits for the transaction being processed, if any.
    /// The clock's time is left as it was: only [`Self::advance_clock`] and [`Self::set_unix_timestamp`] move
    /// it. Nothing closes slots unless asked: the demo and the tests run in the chain's first slot.
    pub async fn close_slot(&self) -> Result<Option<u64>, SdkError> {
        let _turn = self.sending.lock().await;
        if !self
            .slot_used
            .swap(false, std::sync::atomic::Ordering::SeqCst)
        {
            return Ok(None);
        }
        self.open_next_slot().await.map(Some)
    }

    /// Moves the chain to its next slot, keeping the clock's time. Waits for the transaction or simulation
    /// under way, if any.
    pub async fn next_slot(&self) -> Result<u64, SdkError> {
        let _turn = self.sending.lock().await;
        self.open_next_slot().await
    }

    /// [`Self::next_slot`] for a caller that holds the turn. A new slot is a new bank made from its parent,
    /// which the runtime must never do while a transaction or a simulation loads programs: the two deadlock.
    async fn open_next_slot(&self) -> Result<u64, SdkError> {
        let slot = self.clock().await?.slot.saturating_add(1);
        self.warp_to(slot).await
    }

    /// Moves the chain past the newest slot of its history, so that a chain started again from its saved state
    /// never reuses a slot of a transaction it already holds.
    pub async fn resume_slots(&self) -> Result<u64, SdkError> {
        let newest = self
            .history
            .lock()
            .map_err(transport)?
            .entries
            .last()
            .map(|entry| entry.saved.slot);
        let _turn = self.sending.lock().await;
        let current = self.clock().await?.slot;
        match newest {
            Some(newest) if newest >= current => self.warp_to(newest.saturating_add(1)).await,
            _ => Ok(current),
        }
    }

    /// Warps to `slot`, keeping the clock's time.
    async fn warp_to(&self, slot: u64) -> Result<u64, SdkError> {
        let before = self.clock().await?;
        self.closed_slots
            .lock()
            .map_err(transport)?
            .insert(before.slot, before.unix_timestamp);
        self.runtime
            .warp_to_slot(slot)
            .map_err(|e| transport(format!("cannot move to slot {slot}: {e}")))?;
        let mut clock = self.clock().await?;
        clock.unix_timestamp = before.unix_timestamp;
        self.runtime.set_clock(&clock);
        Ok(slot)
    }

    /// The runtime's client, for what this type does not wrap (the RPC server's sysvars and fees). Simulate
    /// through [`Self::simulate`], which keeps slots from closing meanwhile.
    pub fn banks(&self) -> &solana_banks_client::BanksClient {
        &self.banks
    }

    /// The hash of the chain's genesis configuration when it was first started (kept across saves).
    pub fn genesis_hash(&self) -> Hash {
        self.genesis_hash
    }

    /// Every account the chain knows that `owner` owns (the index behind `getProgramAccounts`).
    pub async fn accounts_owned_by(
        &self,
        owner: &Pubkey,
    ) -> Result<Vec<(Pubkey, Account)>, SdkError> {
        let keys: Vec<Pubkey> = self
            .known
            .lock()
            .map_err(transport)?
            .iter()
            .copied()
            .collect();
        let mut found = Vec::new();
        for key in keys {
            if let Some(account) = self.get_account(&key).await? {
                if account.owner == *owner {
                    found.push((key, account));
                }
            }
        }
        Ok(found)
    }

    /// A landed transaction as saved, with everything `getTransaction` reports.
    pub fn saved_transaction(
        &self,
        signature: &Signature,
    ) -> Result<Option<SavedTransaction>, SdkError> {
        let history = self.history.lock().map_err(transport)?;
        Ok(history
            .positions
            .get(signature)
            .map(|&at| history.entries[at].saved.clone()))
    }

    /// The time of `slot`: the clock's now for the open slot; for a closed one, the time of its last
    /// transaction, or the clock's time when it closed. `None` for a slot the chain never had (one it jumped
    /// over, or one still to come).
    pub async fn block_time_of(&self, slot: u64) -> Result<Option<i64>, SdkError> {
        let clock = self.clock().await?;
        if slot == clock.slot {
            return Ok(Some(clock.unix_timestamp));
        }
        let landed = self
            .history
            .lock()
            .map_err(transport)?
            .entries
            .iter()
            .rev()
            .find(|entry| entry.saved.slot == slot)
            .map(|entry| entry.saved.block_time);
        match landed {
            Some(time) => Ok(Some(time)),
            None => Ok(self
                .closed_slots
                .lock()
                .map_err(transport)?
                .get(&slot)
                .copied()),
        }
    }

    /// How many transactions the chain has processed.
    pub fn history_len(&self) -> usize {
        self.history.lock().map_or(0, |h| h.entries.len())
    }

    /// Writes an account directly (fixtures such as address lookup tables); it is indexed like any other.
    pub fn set_account(&mut self, address: &Pubkey, account: Account) -> Result<(), SdkError> {
        self.runtime.set_account(address, &account.into());
        self.known.lock().map_err(transport)?.insert(*address);
        Ok(())
    }

    /// The latest blockhash, for transactions signed outside [`Self::send`].
    pub async fn blockhash(&self) -> Result<Hash, SdkError> {
        self.latest_blockhash().await
    }

    /// The current on-chain clock.
    pub async fn clock(&self) -> Result<Clock, SdkError> {
        self.banks.get_sysvar::<Clock>().await.map_err(transport)
    }

    /// Moves the chain's clock forward by `seconds` (the runtime's warp, for time locks and availability).
    pub async fn advance_clock(&self, seconds: i64) -> Result<(), SdkError> {
        let mut clock = self.clock().await?;
        clock.unix_timestamp = clock.unix_timestamp.saturating_add(seconds);
        self.runtime.set_clock(&clock);
        Ok(())
    }

    /// Sets the chain's clock to `unix_timestamp`, earlier or later: for a fresh chain that plays out a period
    /// of its own (the demo's fiscal year). On a chain with history, only [`Self::advance_clock`] keeps time
    /// monotonic.
    pub async fn set_unix_timestamp(&self, unix_timestamp: i64) -> Result<(), SdkError> {
        let mut clock = self.clock().await?;
        clock.unix_timestamp = unix_timestamp;
        self.runtime.set_clock(&clock);
        Ok(())
    }

    /// The chain's rent parameters.
    pub async fn rent(&self) -> Result<Rent, SdkError> {
        self.banks.get_rent().await.map_err(transport)
    }

    /// Sends lamports from the fee payer.
    pub async fn airdrop(&self, to: &Pubkey, lamports: u64) -> Result<(), SdkError> {
        let payer = self.payer().pubkey();
        self.send(&[system_instruction::transfer(&payer, to, lamports)], &[])
            .await
            .map(drop)
    }

    /// Creates an SPL Token mint with `authority` as mint authority.
    pub async fn create_mint(&self, authority: &Pubkey, decimals: u8) -> Result<Pubkey, SdkError> {
        self.create_mint_in(authority, decimals, &spl_token::ID)
            .await
    }

    /// Creates a mint with no extensions owned by `token_program` (SPL Token or Token-2022), with `authority`
    /// as mint authority.
    pub async fn create_mint_in(
        &self,
        authority: &Pubkey,
        decimals: u8,
        token_program: &Pubkey,
    ) -> Result<Pubkey, SdkError> {
        let mint = Keypair::new();
        let rent = self.rent().await?.minimum_balance(mint::MINT_LEN);
        let instructions = mint::create_mint(
            &self.payer().pubkey(),
            &mint.pubkey(),
            authority,
            decimals,
            token_program,
            rent,
        )?;
        self.send(&instructions, &[&mint]).await?;
        Ok(mint.pubkey())
    }

    /// Mints `amount` base units into `token_account`; `authority` is the mint authority. The mint's owner
    /// names its token program.
    pub async fn mint_to(
        &self,
        mint: &Pubkey,
        token_account: &Pubkey,
        authority: &Keypair,
        amount: u64,
    ) -> Result<(), SdkError> {
        let ix = mint::mint_to(self, mint, token_account, &authority.pubkey(), amount).await?;
        self.send(&[ix], &[authority]).await.map(drop)
    }

    /// The balance of a token account, or zero when it does not exist.
    pub async fn token_balance(&self, token_account: &Pubkey) -> Result<u64, SdkError> {
        public_spending_sdk::fetch::token_balance(self, token_account).await
    }

    pub async fn lamports(&self, address: &Pubkey) -> Result<u64, SdkError> {
        Ok(self.get_account(address).await?.map_or(0, |a| a.lamports))
    }
}

impl AccountSource for EmbeddedChain {
    async fn get_account(&self, address: &Pubkey) -> Result<Option<Account>, SdkError> {
        self.banks.get_account(*address).await.map_err(transport)
    }
}

impl Backend for EmbeddedChain {
    async fn send(
        &self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<TxOutcome, SdkError> {
        EmbeddedChain::send(self, instructions, signers).await
    }

    async fn send_v0(
        &self,
        instructions: &[Instruction],
        signers: &[&Keypair],
        tables: &[AddressLookupTableAccount],
    ) -> Result<TxOutcome, SdkError> {
        EmbeddedChain::send_v0(self, instructions, signers, tables).await
    }

    async fn program_accounts(
        &self,
        filters: &[Memcmp],
    ) -> Result<Vec<(Pubkey, Account)>, SdkError> {
        let mut found = self.accounts_owned_by(&public_spending::ID).await?;
        found.retain(|(_, account)| filters.iter().all(|f| f.matches(&account.data)));
        Ok(found)
    }

    async fn unix_timestamp(&self) -> Result<i64, SdkError> {
        Ok(self.clock().await?.unix_timestamp)
    }

    fn fee_payer(&self) -> Pubkey {
        self.payer().pubkey()
    }
}

/// How a command uses the saved chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Reads only: waits for writers to finish, and never saves.
    Read,
    /// Loads, runs and saves: no other command reads or writes the file meanwhile.
    Write,
}

/// A saved embedded chain on disk, held under an operating-system lock for as long as this value lives.
///
/// The lock is taken on `<state>.lock` beside the state file and never on the state file itself: every save
/// replaces the state file by renaming a new one over it, so a lock on the old file would guard nothing for a
/// command that opens the new one. The lock file is never deleted (deleting it would race with a waiter), and
/// the operating system releases the lock when the process ends, however it ends, so no stale lock survives a
/// crash. (`std::fs::File::lock`, the standard library's `flock`/`LockFileEx`, does what the fs4 and fd-lock
/// crates did, with no dependency.)
///
/// A server (`pubspend serve`) writes the URL it serves the file at into the lock file
/// ([`StateFile::announce_server`]), so that a command that finds the file locked by it fails at once and says
/// where to send its requests, instead of waiting for a server that may run for days. The next process to take
/// the lock clears what a server that died left there.
pub struct StateFile {
    path: PathBuf,
    access: Access,
    lock: File,
}

/// What a server writes into the lock file before the URL it serves at.
const SERVED_AT: &str = "served at ";

/// How often [`StateFile::lock`] looks again while another command holds the file.
const LOCK_RETRY: Duration = Duration::from_millis(50);

fn state_error(path: &Path, reason: impl std::fmt::Display) -> SdkError {
    SdkError::StateFile {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

impl StateFile {
    /// Waits for the lock on `path` (shared for [`Access::Read`], exclusive for [`Access::Write`]) while other
    /// commands hold it, and fails at once with [`SdkError::StateServed`] when a server holds it.
    pub fn lock(path: &Path, access: Access) -> Result<Self, SdkError> {
        loop {
            if let Some(state) = Self::try_lock(path, access)? {
                return Ok(state);
            }
            std::thread::sleep(LOCK_RETRY);
        }
    }

    /// Takes the lock on `path` if no other process holds it; `None` when another command does, and
    /// [`SdkError::StateServed`] when a server does.
    pub fn try_lock(path: &Path, access: Access) -> Result<Option<Self>, SdkError> {
        // A reader of a chain that is not there creates nothing, not even the lock file beside it.
        if access == Access::Read && !path.exists() {
            return Err(state_error(
                path,
                "does not exist: no saved chain to read (check the path, or create one with a command that writes)",
            ));
        }
        let (lock, lock_path) = Self::open_lock(path)?;
        let locked = match access {
            Access::Read => lock.try_lock_shared(),
            Access::Write => lock.try_lock(),
        };
        match locked {
            Ok(()) => {
                // Whoever holds the lock now, no server does: what a server left there is stale.
                if lock.metadata().is_ok_and(|m| m.len() > 0) {
                    lock.set_len(0).map_err(|e| {
                        state_error(path, format!("cannot clear {}: {e}", lock_path.display()))
                    })?;
                }
                Ok(Some(Self {
                    path: path.to_path_buf(),
                    access,
                    lock,
                }))
            }
            Err(std::fs::TryLockError::WouldBlock) => match Self::served_at(&lock_path) {
                Some(url) => Err(SdkError::StateServed {
                    path: path.to_path_buf(),
                    url,
                }),
                None => Ok(None),
            },
            Err(std::fs::TryLockError::Error(e)) => Err(state_error(
                path,
                format!("cannot lock {}: {e}", lock_path.display()),
            )),
        }
    }

    /// Writes into the lock file that this file is served at `url` (see [`StateFile`]). Needs the exclusive
    /// lock.
    pub fn announce_server(&self, url: &str) -> Result<(), SdkError> {
        if self.access != Access::Write {
            return Err(state_error(
                &self.path,
                "a server needs the file locked for writing",
            ));
        }
        let fail =
            |e: std::io::Error| state_error(&self.path, format!("cannot mark it served: {e}"));
        let mut file = &self.lock;
        file.set_len(0).map_err(fail)?;
        file.seek(std::io::SeekFrom::Start(0)).map_err(fail)?;
        file.write_all(format!("{SERVED_AT}{url}\n").as_bytes())
            .map_err(fail)?;
        file.sync_all().map_err(fail)
    }

    /// The URL a server announced in the lock file at `lock_path`, if any.
    fn served_at(lock_path: &Path) -> Option<String> {
        let text = std::fs::read_to_string(lock_path).ok()?;
        let url = text.strip_prefix(SERVED_AT)?.trim();
        (!url.is_empty()).then(|| url.to_string())
    }

    fn open_lock(path: &Path) -> Result<(File, PathBuf), SdkError> {
        let mut lock_path = path.as_os_str().to_owned();
        lock_path.push(".lock");
        let lock_path = PathBuf::from(lock_path);
        let lock = File::options()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&lock_path)
            .map_err(|e| {
                state_error(
                    path,
                    format!("cannot open its lock file {}: {e}", lock_path.display()),
                )
            })?;
        Ok((lock, lock_path))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn access(&self) -> Access {
        self.access
    }

    /// Starts the chain saved in the file, or a fresh chain when there is no file yet, at [`Pace::Fast`].
    pub async fn load(&self) -> Result<EmbeddedChain, SdkError> {
        self.load_paced(Pace::Fast).await
    }

    /// [`Self::load`], with blockhashes moving at `pace`.
    pub async fn load_paced(&self, pace: Pace) -> Result<EmbeddedChain, SdkError> {
        match std::fs::read(&self.path) {
            Ok(bytes) => {
                if bytes.is_empty() {
                    return Err(state_error(
                        &self.path,
                        "the file is empty (not a saved chain); move it aside to start a new chain",
                    ));
                }
                let saved: SavedChain = serde_json::from_slice(&bytes).map_err(|e| {
                    state_error(
                        &self.path,
                        format!(
                            "not a saved embedded chain ({e}); move it aside to start a new chain"
                        ),
                    )
                })?;
                EmbeddedChain::start_paced(&saved, pace)
                    .await
                    .map_err(|e| state_error(&self.path, format!("cannot be restored: {e}")))
            }
            // Only a command that writes starts a new chain; one that reads a chain that is not there would
            // read an empty one and report nothing as if it were the truth.
            Err(err) if err.kind() == std::io::ErrorKind::NotFound && self.access == Access::Write => {
                EmbeddedChain::start_paced(&SavedChain::default(), pace).await
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Err(state_error(
                &self.path,
                "does not exist: no saved chain to read (check the path, or create one with a command that writes)",
            )),
            Err(err) => Err(state_error(&self.path, format!("cannot be read: {err}"))),
        }
    }

    /// Saves `chain` atomically: written to a temporary file in the same folder, flushed to disk, then renamed
    /// over the old state, so that a crash or a full disk leaves the old file or the new one, never a part.
    pub async fn save(&self, chain: &EmbeddedChain) -> Result<(), SdkError> {
        if self.access != Access::Write {
            return Err(state_error(
                &self.path,
                "opened for reading only; not saved",
            ));
        }
        let saved = chain.export().await?;
        let bytes = serde_json::to_vec(&saved).map_err(|e| state_error(&self.path, e))?;
        let folder = match self.path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let fail = |what: &str, e: &dyn std::fmt::Display| {
            state_error(&self.path, format!("cannot be saved ({what}): {e}"))
        };
        let mut temporary = tempfile::Builder::new()
            .prefix(".pubspend-state-")
            .tempfile_in(&folder)
            .map_err(|e| fail("creating a temporary file", &e))?;
        temporary
            .write_all(&bytes)
            .map_err(|e| fail("writing", &e))?;
        temporary
            .as_file()
            .sync_all()
            .map_err(|e| fail("flushing to disk", &e))?;
        temporary
            .persist(&self.path)
            .map_err(|e| fail("renaming into place", &e.error))?;
        // The rename itself is durable only once the folder is flushed too (not possible on every platform).
        if let Ok(dir) = File::open(&folder) {
            let _ = dir.sync_all();
        }
        Ok(())
    }
}

impl History for EmbeddedChain {
    async fn genesis_hash(&self) -> Result<Hash, SdkError> {
        Ok(self.genesis_hash)
    }

    async fn signatures_for_address(
        &self,
        address: &Pubkey,
        before: Option<Signature>,
        until: Option<Signature>,
        limit: usize,
    ) -> Result<Vec<SignatureInfo>, SdkError> {
        let history = self.history.lock().map_err(transport)?;
        Ok(page(
            history.entries.iter().filter(|e| e.keys.contains(address)),
            |e| e.signature,
            before,
            until,
            limit,
        )
        .into_iter()
        .map(Entry::info)
        .collect())
    }

    async fn transaction(
        &self,
        signature: &Signature,
    ) -> Result<Option<HistoricalTransaction>, SdkError> {
        let history = self.history.lock().map_err(transport)?;
        match history.positions.get(signature) {
            Some(&at) => history.entries[at].historical().map(Some),
            None => Ok(None),
        }
    }
}
