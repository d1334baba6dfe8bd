use anchor_lang::prelude::*;

use super::OversightNote;
use crate::{constants::MAX_APPROVERS, error::LedgerError};

#[derive(
    AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
pub enum PaymentStatus {
    #[default]
    Requested,
    /// Has every approval it needs; executable once its time lock passes.
    Approved,
    Executed,
    Rejected,
    Cancelled,
}

impl PaymentStatus {
    /// Executed, rejected and cancelled payments are final and may be archived.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Executed | Self::Rejected | Self::Cancelled)
    }
}

/// A payment in flight against an award. Closed by `archive_payment` once final: its durable record is the
/// event stream and the agency's outlay hash chain.
#[account]
#[derive(InitSpace, Debug, Default, PartialEq, Eq)]
pub struct Payment {
    pub version: u8,
    pub bump: u8,
    pub agency: Pubkey,
    pub award: Pubkey,
    pub index: u32,
    pub status: PaymentStatus,
    /// Set by an auditor: the payment cannot execute while held.
    pub held: bool,
    /// Grounds of the latest hold or release.
    pub hold_note: OversightNote,
    /// Went through `pay_small` (no approvals).
    pub fast_path: bool,
    pub amount: u64,
    /// sha256 of the invoice kept off chain.
    pub invoice_hash: [u8; 32],
    /// Solana Pay style reference key: anyone can find the payment's transactions by this address.
    pub reference: Pubkey,
    pub requester: Pubkey,
    /// Who paid the rent, and gets it back on archive.
    pub rent_payer: Pubkey,
    /// Approvals this payment needs, fixed when it was requested.
    pub approvals_required: u8,
    /// Time lock after the final approval, fixed when the payment was requested.
    pub time_lock_seconds: u32,
    pub requested_at: i64,
    pub approved_at: i64,
    /// Earliest execution time once approved.
    pub executable_at: i64,
    pub executed_at: i64,
    #[max_len(MAX_APPROVERS)]
    pub approvers: Vec<Pubkey>,
}

impl Payment {
    pub const SPACE: usize = 8 + Self::INIT_SPACE;

    pub fn invariant(&self) -> Result<()> {
        require!(self.amount > 0, LedgerError::InvariantViolated);
        require!(
            self.approvers.len() <= MAX_APPROVERS,
            LedgerError::InvariantViolated
        );
        require!(
            !self.approvers.contains(&self.requester),
            LedgerError::InvariantViolated
        );
        Ok(())
    }
}
