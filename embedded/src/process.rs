//! Sending, simulating and processing transactions on the embedded chain, one at a time, into its history.

use std::time::Duration;

use anchor_lang::{prelude::Pubkey, solana_program::program_pack::Pack};
use anchor_spl::{token::spl_token, token_2022::spl_token_2022};
use base64::{engine::general_purpose::STANDARD as BASE64, Engine};
use solana_address_lookup_table_interface::state::AddressLookupTable;
use solana_commitment_config::CommitmentLevel;
use solana_sdk::{
    hash::Hash,
    instruction::Instruction,
    message::AddressLookupTableAccount,
    signature::{Keypair, Signature, Signer},
    transaction::{TransactionError, VersionedTransaction},
};

use public_spending_sdk::backend::TxOutcome;
use public_spending_sdk::{
    backend::{sign, sign_v0},
    error::SdkError,
    fetch::AccountSource,
};

use crate::{bank::*, chain::*, history::*, saved::*};

impl EmbeddedChain {
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

    pub(crate) async fn latest_blockhash(&self) -> Result<Hash, SdkError> {
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
}
