use anchor_lang::prelude::*;

use super::OversightNote;
use crate::{
    constants::{MAX_AWARD_ID_LEN, OBJECT_CLASS_LEN},
    error::LedgerError,
};

#[derive(
    AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
pub enum AwardType {
    #[default]
    Contract,
    Grant,
    Loan,
    DirectPayment,
    Other,
}

#[derive(
    AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
pub enum AwardStatus {
    #[default]
    Active,
    /// Fully paid or deobligated; no more payments.
    Closed,
}

/// An obligation of an allotment to a registered recipient (contract, grant, loan, ...).
#[account]
#[derive(InitSpace, Debug, Default, PartialEq, Eq)]
pub struct Award {
    pub version: u8,
    pub bump: u8,
    pub agency: Pubkey,
    pub appropriation: Pubkey,
    pub allotment: Pubkey,
    /// The Recipient account.
    pub recipient: Pubkey,
    pub award_type: AwardType,
    pub status: AwardStatus,
    /// Set by an auditor: no payment may be requested, paid or executed on the award while held.
    pub held: bool,
    /// Grounds of the latest hold or release.
    pub hold_note: OversightNote,
    /// The government property the award is for (rent, maintenance, construction); the default key when none.
    pub property: Pubkey,
    /// Object class code, 3 ASCII digits.
    pub object_class: [u8; OBJECT_CLASS_LEN],
    pub obligated: u64,
    /// Σ executed payments.
    pub outlayed: u64,
    /// Σ requested payments not yet executed, rejected or cancelled.
    pub in_flight: u64,
    pub period_start: i64,
    pub period_end: i64,
    /// sha256 of the award document kept off chain.
    pub document_hash: [u8; 32],
    pub modification_count: u32,
    /// Next payment index; payment PDAs are `["payment", award, index]`.
    pub payment_count: u32,
    /// PIID or FAIN.
    #[max_len(MAX_AWARD_ID_LEN)]
    pub award_id: String,
    /// The auditor who imposed the latest hold: it alone may release it (another auditor needs a second one).
    pub held_by: Pubkey,
}

impl Award {
    pub const SPACE: usize = 8 + Self::INIT_SPACE;

    /// Obligation not yet paid nor reserved by a payment in flight.
    pub fn remaining(&self) -> Result<u64> {
        self.obligated
            .checked_sub(self.outlayed)
            .and_then(|left| left.checked_sub(self.in_flight))
            .ok_or_else(|| error!(LedgerError::InvariantViolated))
    }

    pub fn require_active(&self) -> Result<()> {
        require!(self.status == AwardStatus::Active, LedgerError::AwardClosed);
        Ok(())
    }

    pub fn require_not_held(&self) -> Result<()> {
        require!(!self.held, LedgerError::AwardHeld);
        Ok(())
    }

    pub fn invariant(&self) -> Result<()> {
        let committed = self
            .outlayed
            .checked_add(self.in_flight)
            .ok_or(LedgerError::Overflow)?;
        require!(committed <= self.obligated, LedgerError::InvariantViolated);
        require!(
            self.period_start < self.period_end,
            LedgerError::InvariantViolated
        );
        Ok(())
    }
}

/// Validates an object class code: 3 ASCII digits.
pub fn validate_object_class(code: &[u8; OBJECT_CLASS_LEN]) -> Result<()> {
    require!(
        code.iter().all(u8::is_ascii_digit),
        LedgerError::InvalidObjectClass
    );
    Ok(())
}
