use anchor_lang::prelude::*;

use crate::{constants::PROGRAM_ACTIVITY_LEN, error::LedgerError};

/// The part of an appropriation an agency sets aside for one program activity.
#[account]
#[derive(InitSpace, Debug, Default, PartialEq, Eq)]
pub struct Allotment {
    pub version: u8,
    pub bump: u8,
    pub agency: Pubkey,
    pub appropriation: Pubkey,
    pub index: u32,
    /// Program activity code, 4 ASCII digits.
    pub program_activity: [u8; PROGRAM_ACTIVITY_LEN],
    pub amount: u64,
    /// Σ award obligated.
    pub obligated: u64,
    /// Σ award outlayed.
    pub outlayed: u64,
    pub award_count: u32,
}

impl Allotment {
    pub const SPACE: usize = 8 + Self::INIT_SPACE;

    pub fn invariant(&self) -> Result<()> {
        require!(
            self.outlayed <= self.obligated && self.obligated <= self.amount,
            LedgerError::InvariantViolated
        );
        Ok(())
    }
}
