use anchor_lang::prelude::*;

use super::OversightNote;
use crate::{constants::UEI_LEN, error::LedgerError};

#[derive(
    AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
pub enum ExclusionStatus {
    /// No longer in force: payments may resume.
    #[default]
    Lifted,
    /// Temporarily barred from new awards and payments in every agency.
    Suspended,
    /// Barred from new awards and payments in every agency.
    Debarred,
}

/// A ledger-wide suspension or debarment of one Unique Entity ID, kept by auditors (the SAM.gov exclusion list
/// on chain). PDA `["exclusion", uei]`: every payment path checks this canonical address, so no agency can
/// route around it with a recipient record of its own.
#[account]
#[derive(InitSpace, Debug, Default, PartialEq, Eq)]
pub struct Exclusion {
    pub version: u8,
    pub bump: u8,
    pub uei: [u8; UEI_LEN],
    pub status: ExclusionStatus,
    /// Grounds of the latest change (exclusion or lift).
    pub note: OversightNote,
    /// The auditor who made the latest change.
    pub auditor: Pubkey,
    /// Exclusions and lifts so far.
    pub change_count: u32,
}

impl Exclusion {
    pub const SPACE: usize = 8 + Self::INIT_SPACE;

    pub fn in_force(&self) -> bool {
        self.status != ExclusionStatus::Lifted
    }
}

/// Fails when `exclusion` (already checked to be the canonical `["exclusion", uei]` address) holds an exclusion
/// in force. An address this program never wrote to is no exclusion.
pub fn require_not_excluded(exclusion: &AccountInfo) -> Result<()> {
    if exclusion.owner != &crate::ID || exclusion.data_is_empty() {
        return Ok(());
    }
    let data = exclusion.try_borrow_data()?;
    let state = Exclusion::try_deserialize(&mut &data[..])?;
    require!(!state.in_force(), LedgerError::RecipientNotActive);
    Ok(())
}
