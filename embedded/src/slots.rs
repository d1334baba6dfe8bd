//! The embedded chain's slots, blockhashes and clock: closing slots, warping, and moving time.

use anchor_lang::prelude::Clock;
use solana_sdk::{hash::Hash, rent::Rent};

use public_spending_sdk::error::SdkError;

use crate::chain::*;

impl EmbeddedChain {
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
}
