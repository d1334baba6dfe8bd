//! The embedded chain itself: the program in the real runtime with its accounts, mints, rent and airdrops.

use std::{collections::BTreeSet, sync::Mutex};

use anchor_lang::{prelude::Pubkey, solana_program::system_instruction};
use anchor_spl::token::spl_token;
use base64::{engine::general_purpose::STANDARD as BASE64, Engine};
use solana_program_test::processor;
use solana_sdk::{
    account::Account,
    hash::Hash,
    instruction::Instruction,
    message::AddressLookupTableAccount,
    signature::{Keypair, Signature, Signer},
    transaction::TransactionError,
};

use public_spending_sdk::backend::TxOutcome;
use public_spending_sdk::{
    backend::Backend, error::SdkError, fetch::AccountSource, mint, query::Memcmp,
};

use crate::{
    bank::{self, *},
    history::*,
    logs::*,
    process_instruction,
    saved::*,
};

pub(crate) fn transport(err: impl std::fmt::Display) -> SdkError {
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
pub(crate) fn rejection(
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
pub(crate) struct Balances {
    pub(crate) lamports: Vec<u64>,
    pub(crate) tokens: Vec<SavedTokenBalance>,
}

/// An in-process chain with the program deployed and a funded fee payer.
pub struct EmbeddedChain {
    /// Held while a transaction is processed: one at a time.
    pub(crate) sending: tokio::sync::Mutex<()>,
    pub(crate) banks: solana_banks_client::BanksClient,
    /// For what changes the runtime's banks directly: sysvars, accounts written in, the slot.
    pub(crate) runtime: bank::Banks,
    pub(crate) pace: Pace,
    /// Whether a transaction landed in the open slot (see [`EmbeddedChain::close_slot`]).
    pub(crate) slot_used: std::sync::atomic::AtomicBool,
    /// Every address a transaction has touched: the chain's account index (the runtime has no
    /// `getProgramAccounts`).
    pub(crate) known: Mutex<BTreeSet<Pubkey>>,
    /// Every transaction that landed, oldest first.
    pub(crate) history: Mutex<Ledgerbook>,
    /// The clock's time when each slot this chain had closed (genesis included), for block times of slots in
    /// which no transaction landed.
    pub(crate) closed_slots: Mutex<std::collections::BTreeMap<u64, i64>>,
    /// The genesis hash the chain answers with: its first runtime's, kept across saves ([`SavedChain`]).
    pub(crate) genesis_hash: Hash,
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
        // The program's IDL where explorers look for it; written anew at every start (not saved), so that a
        // chain always carries the IDL of the program it runs.
        let (idl_address, idl) = crate::idl_account();
        accounts.push((idl_address, idl.into()));
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
