use anchor_lang::prelude::*;

use crate::{
    constants::{MAIN_ACCOUNT_LEN, SUB_ACCOUNT_LEN},
    error::LedgerError,
};

#[derive(
    AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
pub enum AppropriationStatus {
    /// Allotments and obligations may be made.
    #[default]
    Active,
    /// Availability ended: no new allotments or obligations; existing obligations may still be paid.
    Expired,
}

/// Budget authority granted to an agency under one Treasury Account Symbol and fiscal year.
#[account]
#[derive(InitSpace, Debug, Default, PartialEq, Eq)]
pub struct Appropriation {
    pub version: u8,
    pub bump: u8,
    pub agency: Pubkey,
    /// TAS main account code, 4 ASCII digits.
    pub main_account: [u8; MAIN_ACCOUNT_LEN],
    /// TAS sub-account code, 3 ASCII digits.
    pub sub_account: [u8; SUB_ACCOUNT_LEN],
    pub fiscal_year: u16,
    pub status: AppropriationStatus,
    /// No new allotments or obligations at or after this time (unix seconds).
    pub availability_end: i64,
    pub budget_authority: u64,
    /// Σ allotment amounts.
    pub allotted: u64,
    /// Σ allotment obligated.
    pub obligated: u64,
    /// Σ allotment outlayed.
    pub outlayed: u64,
    pub allotment_count: u32,
}

impl Appropriation {
    pub const SPACE: usize = 8 + Self::INIT_SPACE;

    /// Fails unless new allotments or obligations may be made at `now`.
    pub fn require_available(&self, now: i64) -> Result<()> {
        require!(
            self.status == AppropriationStatus::Active && now < self.availability_end,
            LedgerError::AppropriationExpired
        );
        Ok(())
    }

    pub fn invariant(&self) -> Result<()> {
        require!(
            self.outlayed <= self.obligated
                && self.obligated <= self.allotted
                && self.allotted <= self.budget_authority,
            LedgerError::InvariantViolated
        );
        Ok(())
    }
}

/// Validates TAS parts: ASCII digits only.
pub fn validate_tas(
    main_account: &[u8; MAIN_ACCOUNT_LEN],
    sub_account: &[u8; SUB_ACCOUNT_LEN],
) -> Result<()> {
    require!(
        main_account
            .iter()
            .chain(sub_account.iter())
            .all(u8::is_ascii_digit),
        LedgerError::InvalidTreasuryAccountSymbol
    );
    Ok(())
}
