//! One test double for every retry and failure test: a chain that fails on purpose, once, as its [`Fault`]
//! says (a lost response, a dropped send, a history that goes away part way through).

use std::{
    future::Future,
    sync::atomic::{AtomicU32, Ordering},
};

use anchor_lang::prelude::Pubkey;
use public_spending_sdk::{
    client::RetryPolicy,
    fetch::AccountSource,
    history::{HistoricalTransaction, History, SignatureInfo},
    Backend, Client, SdkError, TxOutcome,
};
use solana_sdk::{
    account::Account,
    instruction::Instruction,
    message::AddressLookupTableAccount,
    signature::{Keypair, Signature},
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The first transaction lands, but its response is lost.
    LostResponse,
    /// The first transaction never reaches the chain.
    Dropped,
    /// The history fails after this many transaction fetches, as an RPC node that goes away mid-run.
    HistoryGoesAway { after: u32 },
}

/// A chain over `B` that fails as its [`Fault`] says: the first send, after or before passing it on, or the
/// history part way through.
pub struct Flaky<'a, B> {
    pub chain: &'a B,
    pub fault: Fault,
    /// Sends asked for, and those that landed.
    pub sends: AtomicU32,
    pub landed: AtomicU32,
    /// Transactions fetched from the history.
    pub fetched: AtomicU32,
}

impl<'a, B> Flaky<'a, B> {
    pub fn new(chain: &'a B, fault: Fault) -> Self {
        Self {
            chain,
            fault,
            sends: AtomicU32::new(0),
            landed: AtomicU32::new(0),
            fetched: AtomicU32::new(0),
        }
    }
}

impl<B: Backend> AccountSource for Flaky<'_, B> {
    async fn get_account(&self, address: &Pubkey) -> Result<Option<Account>, SdkError> {
        self.chain.get_account(address).await
    }
}

/// Retries at once: the injected faults need no waiting.
pub const NO_WAIT: RetryPolicy = RetryPolicy {
    attempts: 3,
    backoff: std::time::Duration::ZERO,
};

/// A client over `chain` whose first send fails as `fault` says, and which retries at once.
pub fn flaky_client<B: Backend>(chain: &B, fault: Fault) -> Client<Flaky<'_, B>> {
    Client::new(Flaky::new(chain, fault)).with_retry(NO_WAIT)
}

impl<B: Backend> Flaky<'_, B> {
    /// Passes the first send on, or not, as the fault says, and loses its response if it says so.
    async fn faulty(
        &self,
        send: impl Future<Output = Result<TxOutcome, SdkError>>,
    ) -> Result<TxOutcome, SdkError> {
        let first = self.sends.fetch_add(1, Ordering::SeqCst) == 0;
        if first && self.fault == Fault::Dropped {
            return Err(SdkError::Transport("connection refused".into()));
        }
        let outcome = send.await;
        if outcome.is_ok() {
            self.landed.fetch_add(1, Ordering::SeqCst);
        }
        if first && self.fault == Fault::LostResponse {
            return Err(SdkError::Transport(
                "connection reset after the transaction was sent".into(),
            ));
        }
        outcome
    }
}

impl<B: Backend> Backend for Flaky<'_, B> {
    async fn send(
        &self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<TxOutcome, SdkError> {
        self.faulty(self.chain.send(instructions, signers)).await
    }

    async fn send_v0(
        &self,
        instructions: &[Instruction],
        signers: &[&Keypair],
        tables: &[AddressLookupTableAccount],
    ) -> Result<TxOutcome, SdkError> {
        self.faulty(self.chain.send_v0(instructions, signers, tables))
            .await
    }

    async fn program_accounts(
        &self,
        filters: &[public_spending_sdk::query::Memcmp],
    ) -> Result<Vec<(Pubkey, Account)>, SdkError> {
        self.chain.program_accounts(filters).await
    }

    async fn unix_timestamp(&self) -> Result<i64, SdkError> {
        self.chain.unix_timestamp().await
    }

    fn fee_payer(&self) -> Pubkey {
        self.chain.fee_payer()
    }
}

impl<B: History + Sync> History for Flaky<'_, B> {
    async fn genesis_hash(&self) -> Result<solana_sdk::hash::Hash, SdkError> {
        self.chain.genesis_hash().await
    }

    async fn signatures_for_address(
        &self,
        address: &Pubkey,
        before: Option<Signature>,
        until: Option<Signature>,
        limit: usize,
    ) -> Result<Vec<SignatureInfo>, SdkError> {
        self.chain
            .signatures_for_address(address, before, until, limit)
            .await
    }

    async fn transaction(
        &self,
        signature: &Signature,
    ) -> Result<Option<HistoricalTransaction>, SdkError> {
        let fetched = self.fetched.fetch_add(1, Ordering::SeqCst);
        if let Fault::HistoryGoesAway { after } = self.fault {
            if fetched >= after {
                return Err(SdkError::Transport("the node went away".into()));
            }
        }
        self.chain.transaction(signature).await
    }
}
