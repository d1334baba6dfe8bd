//! The served chain: the embedded chain, its locked state file, and what subscribers hear when a transaction
//! lands.

use std::{sync::Arc, time::Duration};

use anchor_lang::solana_program::{system_instruction, system_program};
use public_spending_embedded::{EmbeddedChain, Preflight, Sent, StateFile};
use public_spending_sdk::SdkError;
use solana_sdk::{
    pubkey::Pubkey,
    signature::{Signature, Signer},
    transaction::{TransactionError, VersionedTransaction},
};
use tokio::sync::{broadcast, Notify, RwLock};

/// A transaction that landed, for subscribers.
#[derive(Debug, Clone)]
pub struct Notice {
    pub signature: Signature,
    pub slot: u64,
    pub err: Option<TransactionError>,
    /// Every account it named.
    pub keys: Vec<Pubkey>,
}

pub struct Node {
    chain: EmbeddedChain,
    state: StateFile,
    changed: Notify,
    notices: broadcast::Sender<Notice>,
    /// Each slot as it closes.
    slots: broadcast::Sender<u64>,
    /// Every send holds it shared; shutdown takes it exclusively, so that the last save comes after the last
    /// transaction, and sets it to refuse what comes later.
    closed: RwLock<bool>,
}

/// How many notices a slow subscriber may fall behind before it misses some.
const NOTICE_BACKLOG: usize = 4096;

fn shutting_down() -> SdkError {
    SdkError::Transport("the server is shutting down".into())
}

impl Node {
    pub(crate) fn new(chain: EmbeddedChain, state: StateFile) -> Self {
        Self {
            chain,
            state,
            changed: Notify::new(),
            notices: broadcast::channel(NOTICE_BACKLOG).0,
            slots: broadcast::channel(NOTICE_BACKLOG).0,
            closed: RwLock::new(false),
        }
    }

    pub fn chain(&self) -> &EmbeddedChain {
        &self.chain
    }

    /// Landed transactions from now on.
    pub fn notices(&self) -> broadcast::Receiver<Notice> {
        self.notices.subscribe()
    }

    /// Slots as they close, from now on.
    pub fn closed_slots(&self) -> broadcast::Receiver<u64> {
        self.slots.subscribe()
    }

    /// Processes a transaction, tells subscribers if it landed, and schedules a save.
    pub async fn send(
        &self,
        transaction: VersionedTransaction,
        preflight: Preflight,
    ) -> Result<Sent, SdkError> {
        let closed = self.closed.read().await;
        if *closed {
            return Err(shutting_down());
        }
        let sent = self.chain.process(transaction, preflight).await?;
        if let Sent::Landed(landed) = &sent {
            self.landed(Notice {
                signature: landed.signature,
                slot: landed.slot,
                err: landed.err.clone(),
                keys: landed.keys.clone(),
            });
        }
        Ok(sent)
    }

    /// Sends `lamports` from the chain's faucet (its funded fee payer).
    pub async fn airdrop(&self, to: &Pubkey, lamports: u64) -> Result<Signature, SdkError> {
        let closed = self.closed.read().await;
        if *closed {
            return Err(shutting_down());
        }
        let faucet = self.chain.payer().pubkey();
        let outcome = self
            .chain
            .send(&[system_instruction::transfer(&faucet, to, lamports)], &[])
            .await?;
        let slot = self
            .chain
            .saved_transaction(&outcome.signature)?
            .map_or(0, |saved| saved.slot);
        self.landed(Notice {
            signature: outcome.signature,
            slot,
            err: None,
            keys: vec![faucet, *to, system_program::ID],
        });
        Ok(outcome.signature)
    }

    /// The clock moved: the state file is saved with it.
    pub(crate) fn clock_moved(&self) {
        self.changed.notify_one();
    }

    fn landed(&self, notice: Notice) {
        // No subscriber is no error.
        let _ = self.notices.send(notice);
        self.changed.notify_one();
    }

    /// Writes the chain to its state file now.
    pub async fn save(&self) -> Result<(), SdkError> {
        self.state.save(&self.chain).await
    }

    /// Refuses every later transaction, waits for those under way, and saves.
    pub async fn close(&self) -> Result<(), SdkError> {
        let mut closed = self.closed.write().await;
        *closed = true;
        self.save().await
    }

    /// Closes the open slot every `every` if a transaction landed in it, for as long as the server runs.
    pub(crate) async fn close_slots(self: Arc<Self>, every: Duration) {
        let mut ticks = tokio::time::interval(every);
        loop {
            ticks.tick().await;
            let before = self.chain.clock().await.map(|clock| clock.slot);
            if let Err(err) = self.chain.close_slot().await {
                log::error!("the slot could not be closed: {err}");
            }
            match (before, self.chain.clock().await.map(|clock| clock.slot)) {
                // No subscriber is no error.
                (Ok(before), Ok(now)) if now != before => {
                    let _ = self.slots.send(now);
                }
                _ => {}
            }
        }
    }

    /// Saves the chain a moment after each change, for as long as the server runs.
    pub(crate) async fn save_on_change(self: Arc<Self>, delay: Duration) {
        loop {
            self.changed.notified().await;
            tokio::time::sleep(delay).await;
            if let Err(err) = self.save().await {
                log::error!("the chain could not be saved: {err}");
            }
        }
    }
}
