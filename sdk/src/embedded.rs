//! The embedded chain: the program run natively inside the real Solana runtime, in process, with the real
//! SPL Token and Associated Token Account programs (SBF builds shipped with the test runtime). No validator.
//!
//! The chain can be saved to a JSON file and started again from it, so that a series of `pubspend` commands
//! can work on one embedded ledger.

use std::{collections::BTreeSet, path::Path, sync::Mutex, time::Duration};

use anchor_lang::{
    prelude::{AccountInfo, Clock, Pubkey},
    solana_program::{entrypoint::ProgramResult, program_pack::Pack, system_instruction},
    AccountDeserialize,
};
use anchor_spl::token::spl_token;
use base64::{engine::general_purpose::STANDARD as BASE64, Engine};
use serde::{Deserialize, Serialize};
use solana_commitment_config::CommitmentLevel;
use solana_program_test::{processor, ProgramTest, ProgramTestContext};
use solana_sdk::{
    account::Account,
    hash::Hash,
    instruction::Instruction,
    rent::Rent,
    signature::{Keypair, Signer},
    transaction::{TransactionError, VersionedTransaction},
};

pub use crate::backend::TxOutcome;
use crate::{
    backend::{sign, Backend},
    error::SdkError,
    events::decode_events,
    fetch::AccountSource,
    query::Memcmp,
};

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

/// One account of a saved chain.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SavedAccount {
    pub address: String,
    pub lamports: u64,
    pub owner: String,
    pub data: String,
}

/// A saved embedded chain: its clock and every account it created or touched.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct SavedChain {
    pub unix_timestamp: i64,
    pub accounts: Vec<SavedAccount>,
}

fn transport(err: impl std::fmt::Display) -> SdkError {
    SdkError::Transport(err.to_string())
}

/// An in-process chain with the program deployed and a funded fee payer.
pub struct EmbeddedChain {
    context: ProgramTestContext,
    /// Every address a transaction has touched: the chain's account index (the runtime has no
    /// `getProgramAccounts`).
    known: Mutex<BTreeSet<Pubkey>>,
}

impl EmbeddedChain {
    /// Starts a fresh chain.
    pub async fn start() -> Self {
        Self::start_with(&SavedChain::default())
            .await
            .unwrap_or_else(|_| unreachable!("an empty chain has nothing to restore"))
    }

    /// Starts a chain holding the accounts of `saved`, at its clock.
    pub async fn start_with(saved: &SavedChain) -> Result<Self, SdkError> {
        let mut program_test = ProgramTest::new(
            "public_spending",
            public_spending::ID,
            processor!(process_instruction),
        );
        program_test.prefer_bpf(false);
        let mut known = BTreeSet::new();
        for account in &saved.accounts {
            let address: Pubkey = account.address.parse().map_err(transport)?;
            let owner: Pubkey = account.owner.parse().map_err(transport)?;
            let data = BASE64.decode(&account.data).map_err(transport)?;
            program_test.add_account(
                address,
                Account {
                    lamports: account.lamports,
                    data,
                    owner,
                    executable: false,
                    rent_epoch: 0,
                },
            );
            known.insert(address);
        }
        let context = program_test.start_with_context().await;
        let chain = Self {
            context,
            known: Mutex::new(known),
        };
        let clock = chain.clock().await?;
        if saved.unix_timestamp > clock.unix_timestamp {
            chain
                .advance_clock(saved.unix_timestamp - clock.unix_timestamp)
                .await?;
        }
        Ok(chain)
    }

    /// Loads a chain saved with [`Self::save`], or starts a fresh one when `path` does not exist.
    pub async fn open(path: &Path) -> Result<Self, SdkError> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let saved: SavedChain = serde_json::from_str(&text).map_err(|e| {
                    transport(format!(
                        "{} is not a saved embedded chain: {e}",
                        path.display()
                    ))
                })?;
                Self::start_with(&saved).await
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(Self::start().await),
            Err(err) => Err(transport(format!("cannot read {}: {err}", path.display()))),
        }
    }

    /// Everything this chain created or touched, except programs and sysvars.
    pub async fn export(&self) -> Result<SavedChain, SdkError> {
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
        Ok(SavedChain {
            unix_timestamp: self.clock().await?.unix_timestamp,
            accounts,
        })
    }

    /// Saves the chain to `path`, atomically (written aside, then renamed).
    pub async fn save(&self, path: &Path) -> Result<(), SdkError> {
        let saved = self.export().await?;
        let text = serde_json::to_string(&saved).map_err(transport)?;
        let partial = path.with_extension("partial");
        std::fs::write(&partial, text)
            .map_err(|e| transport(format!("cannot write {}: {e}", partial.display())))?;
        std::fs::rename(&partial, path)
            .map_err(|e| transport(format!("cannot write {}: {e}", path.display())))
    }

    /// The funded fee payer of every transaction sent through [`Self::send`].
    pub fn payer(&self) -> &Keypair {
        &self.context.payer
    }

    /// Signs with the fee payer and `signers`, simulates (to capture the events), then processes. A refused
    /// transaction changes nothing and is reported with the program's error.
    pub async fn send(
        &self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<TxOutcome, SdkError> {
        let mut blockhash = self.latest_blockhash().await?;
        loop {
            match self.try_send(instructions, signers, blockhash).await {
                // An identical transaction landed under this blockhash already: sign anew under a fresh one.
                Err(SdkError::Transaction(TransactionError::AlreadyProcessed)) => {
                    blockhash = self.blockhash_after(blockhash).await?;
                }
                other => return other,
            }
        }
    }

    async fn latest_blockhash(&self) -> Result<Hash, SdkError> {
        self.context
            .banks_client
            .get_latest_blockhash()
            .await
            .map_err(transport)
    }

    /// Waits for the runtime's next blockhash after `stale`.
    async fn blockhash_after(&self, stale: Hash) -> Result<Hash, SdkError> {
        loop {
            let latest = self.latest_blockhash().await?;
            if latest != stale {
                return Ok(latest);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn try_send(
        &self,
        instructions: &[Instruction],
        signers: &[&Keypair],
        blockhash: Hash,
    ) -> Result<TxOutcome, SdkError> {
        let transaction = sign(instructions, &self.context.payer, signers, blockhash)?;
        self.send_transaction(transaction.into()).await
    }

    /// Processes a transaction signed elsewhere (legacy or v0 with lookup tables), capturing its events.
    pub async fn send_transaction(
        &self,
        transaction: VersionedTransaction,
    ) -> Result<TxOutcome, SdkError> {
        let signature = transaction.signatures[0];
        // Events are self-invocations of this program, which a transaction always names among its static keys.
        let keys = transaction.message.static_account_keys().to_vec();
        let result = self
            .context
            .banks_client
            .process_transaction_with_preflight_and_commitment_and_context(
                tarpc::context::current(),
                transaction,
                CommitmentLevel::Processed,
            )
            .await
            .map_err(transport)?;
        match result.result {
            Some(Ok(())) => {}
            Some(Err(err)) => return Err(err.into()),
            None => return Err(transport("the transaction was not processed")),
        }
        self.known
            .lock()
            .map_err(transport)?
            .extend(keys.iter().copied());
        let details = result
            .simulation_details
            .ok_or_else(|| transport("the runtime returned no simulation details"))?;
        let inner: Vec<(&Pubkey, &[u8])> = details
            .inner_instructions
            .iter()
            .flatten()
            .flat_map(|set| set.iter())
            .filter_map(|ix| {
                keys.get(usize::from(ix.instruction.program_id_index))
                    .map(|p| (p, ix.instruction.data.as_slice()))
            })
            .collect();
        Ok(TxOutcome {
            signature,
            events: decode_events(inner),
            logs: details.logs,
        })
    }

    /// Writes an account directly (fixtures such as address lookup tables); it is indexed like any other.
    pub fn set_account(&mut self, address: &Pubkey, account: Account) -> Result<(), SdkError> {
        self.context.set_account(address, &account.into());
        self.known.lock().map_err(transport)?.insert(*address);
        Ok(())
    }

    /// The latest blockhash, for transactions signed outside [`Self::send`].
    pub async fn blockhash(&self) -> Result<Hash, SdkError> {
        self.latest_blockhash().await
    }

    /// The current on-chain clock.
    pub async fn clock(&self) -> Result<Clock, SdkError> {
        self.context
            .banks_client
            .get_sysvar::<Clock>()
            .await
            .map_err(transport)
    }

    /// Moves the chain's clock forward by `seconds` (the runtime's warp, for time locks and availability).
    pub async fn advance_clock(&self, seconds: i64) -> Result<(), SdkError> {
        let mut clock = self.clock().await?;
        clock.unix_timestamp = clock.unix_timestamp.saturating_add(seconds);
        self.context.set_sysvar(&clock);
        Ok(())
    }

    /// The chain's rent parameters.
    pub async fn rent(&self) -> Result<Rent, SdkError> {
        self.context
            .banks_client
            .get_rent()
            .await
            .map_err(transport)
    }

    /// Sends lamports from the fee payer.
    pub async fn airdrop(&self, to: &Pubkey, lamports: u64) -> Result<(), SdkError> {
        let payer = self.context.payer.pubkey();
        self.send(&[system_instruction::transfer(&payer, to, lamports)], &[])
            .await
            .map(drop)
    }

    /// Creates an SPL Token mint with `authority` as mint authority.
    pub async fn create_mint(&self, authority: &Pubkey, decimals: u8) -> Result<Pubkey, SdkError> {
        let mint = Keypair::new();
        let rent = self.rent().await?;
        let payer = self.context.payer.pubkey();
        let instructions = [
            system_instruction::create_account(
                &payer,
                &mint.pubkey(),
                rent.minimum_balance(spl_token::state::Mint::LEN),
                spl_token::state::Mint::LEN as u64,
                &spl_token::ID,
            ),
            spl_token::instruction::initialize_mint2(
                &spl_token::ID,
                &mint.pubkey(),
                authority,
                None,
                decimals,
            )
            .map_err(SdkError::from)?,
        ];
        self.send(&instructions, &[&mint]).await?;
        Ok(mint.pubkey())
    }

    /// Mints `amount` base units into `token_account`; `authority` is the mint authority.
    pub async fn mint_to(
        &self,
        mint: &Pubkey,
        token_account: &Pubkey,
        authority: &Keypair,
        amount: u64,
    ) -> Result<(), SdkError> {
        let ix = spl_token::instruction::mint_to(
            &spl_token::ID,
            mint,
            token_account,
            &authority.pubkey(),
            &[],
            amount,
        )
        .map_err(SdkError::from)?;
        self.send(&[ix], &[authority]).await.map(drop)
    }

    /// The balance of a token account, or zero when it does not exist.
    pub async fn token_balance(&self, token_account: &Pubkey) -> Result<u64, SdkError> {
        match self.get_account(token_account).await? {
            None => Ok(0),
            Some(account) => anchor_spl::token_interface::TokenAccount::try_deserialize(
                &mut account.data.as_slice(),
            )
            .map(|t| t.amount)
            .map_err(|e| SdkError::Decode {
                address: *token_account,
                kind: "TokenAccount",
                reason: e.to_string(),
            }),
        }
    }

    pub async fn lamports(&self, address: &Pubkey) -> Result<u64, SdkError> {
        Ok(self.get_account(address).await?.map_or(0, |a| a.lamports))
    }
}

impl AccountSource for EmbeddedChain {
    async fn get_account(&self, address: &Pubkey) -> Result<Option<Account>, SdkError> {
        self.context
            .banks_client
            .get_account(*address)
            .await
            .map_err(transport)
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

    async fn program_accounts(
        &self,
        filters: &[Memcmp],
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
                if account.owner == public_spending::ID
                    && filters.iter().all(|f| f.matches(&account.data))
                {
                    found.push((key, account));
                }
            }
        }
        Ok(found)
    }

    async fn unix_timestamp(&self) -> Result<i64, SdkError> {
        Ok(self.clock().await?.unix_timestamp)
    }

    fn fee_payer(&self) -> Pubkey {
        self.context.payer.pubkey()
    }
}
