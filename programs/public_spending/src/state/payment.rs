use anchor_lang::prelude::*;

use super::OversightReason;
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

/// A payment in flight on the approval path. Closed by `archive_payment` once final: its durable record is the
/// event stream and the agency's outlay hash chain. Kept small (the agency is the award's; approvers are
/// remembered by a 4-byte tag each), since its requester pays its rent until it is archived. Fast-path
/// payments never have one.
#[account]
#[derive(InitSpace, Debug, Default, PartialEq, Eq)]
pub struct Payment {
    pub version: u8,
    pub bump: u8,
    pub award: Pubkey,
    pub index: u32,
    pub status: PaymentStatus,
    /// Set by an auditor: the payment can neither execute nor be cancelled or rejected while held.
    pub held: bool,
    /// Grounds of the latest hold or release (when: in its event).
    pub hold_reason: OversightReason,
    pub hold_evidence_hash: [u8; 32],
    pub amount: u64,
    /// sha256 of the invoice kept off chain.
    pub invoice_hash: [u8; 32],
    /// Solana Pay style reference key: anyone can find the payment's transactions by this address.
    pub reference: Pubkey,
    /// Requested it, paid its rent, and gets the rent back on archive.
    pub requester: Pubkey,
    /// Approvals this payment needs, fixed when it was requested.
    pub approvals_required: u8,
    /// Time lock after the final approval, fixed when the payment was requested.
    pub time_lock_seconds: u32,
    pub requested_at: i64,
    /// Earliest execution time once approved.
    pub executable_at: i64,
    pub approvals: u8,
    /// The first 4 bytes of each approver's key, to refuse a second approval by the same member (a tag shared
    /// by two members could only refuse the second one, never let anyone approve twice).
    pub approver_tags: [[u8; 4]; MAX_APPROVERS],
    /// The auditor who imposed the latest hold: it alone may release it (another auditor needs a second one).
    pub held_by: Pubkey,
}

/// The tag `approve_payment` records for an approver.
pub fn approver_tag(approver: &Pubkey) -> [u8; 4] {
    let bytes = approver.to_bytes();
    [bytes[0], bytes[1], bytes[2], bytes[3]]
}

impl Payment {
    pub const SPACE: usize = 8 + Self::INIT_SPACE;

    /// Whether a member with this key has approved the payment.
    pub fn approved_by(&self, approver: &Pubkey) -> bool {
        let tag = approver_tag(approver);
        self.approver_tags
            .iter()
            .take(usize::from(self.approvals))
            .any(|t| *t == tag)
    }

    /// Whether the agency may end it unpaid (reject or cancel): not final, and not held. A hold must hold: the
    /// agency may not end a held payment (and request the same invoice again outside the hold); only an
    /// auditor's release frees it.
    pub fn require_endable(&self) -> Result<()> {
        require!(!self.status.is_final(), LedgerError::InvalidPaymentStatus);
        require!(!self.held, LedgerError::PaymentHeld);
        Ok(())
    }

    pub fn invariant(&self) -> Result<()> {
        require!(self.amount > 0, LedgerError::InvariantViolated);
        require!(
            usize::from(self.approvals) <= MAX_APPROVERS,
            LedgerError::InvariantViolated
        );
        Ok(())
    }
}
