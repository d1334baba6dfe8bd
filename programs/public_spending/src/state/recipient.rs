use anchor_lang::prelude::*;

use crate::{
    constants::{MAX_RECIPIENT_NAME_LEN, UEI_LEN},
    error::LedgerError,
};

#[derive(
    AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
pub enum RecipientKind {
    #[default]
    Business,
    /// A person: only a salted hash of the name is stored; the salt stays with the agency.
    Individual,
    Government,
}

#[derive(
    AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
pub enum RecipientStatus {
    #[default]
    Active,
    /// Temporarily barred from payments by an auditor.
    Suspended,
    /// Barred from payments by an auditor.
    Debarred,
}

/// A registered payee, keyed by its Unique Entity ID.
#[account]
#[derive(InitSpace, Debug, Default, PartialEq, Eq)]
pub struct Recipient {
    pub version: u8,
    pub bump: u8,
    /// Unique Entity ID, 12 upper-case ASCII letters or digits.
    pub uei: [u8; UEI_LEN],
    pub kind: RecipientKind,
    pub status: RecipientStatus,
    /// Owner of the token account every payment to this recipient goes to.
    pub payout_wallet: Pubkey,
    /// The agency that registered the recipient.
    pub registered_by: Pubkey,
    pub registered_at: i64,
    /// sha256(salt || name) for an individual; all zeros otherwise.
    pub name_hash: [u8; 32],
    /// Legal name of a business or government; empty for an individual.
    #[max_len(MAX_RECIPIENT_NAME_LEN)]
    pub name: String,
}

impl Recipient {
    pub const SPACE: usize = 8 + Self::INIT_SPACE;

    pub fn require_active(&self) -> Result<()> {
        require!(
            self.status == RecipientStatus::Active,
            LedgerError::RecipientNotActive
        );
        Ok(())
    }

    pub fn invariant(&self) -> Result<()> {
        validate_uei(&self.uei)?;
        let individual = self.kind == RecipientKind::Individual;
        require!(
            individual == self.name.is_empty(),
            LedgerError::InvalidRecipientName
        );
        require!(
            individual == (self.name_hash != [0; 32]),
            LedgerError::InvalidNameHash
        );
        Ok(())
    }
}

/// Validates a Unique Entity ID: exactly 12 upper-case ASCII letters or digits.
pub fn validate_uei(uei: &[u8; UEI_LEN]) -> Result<()> {
    require!(
        uei.iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()),
        LedgerError::InvalidUei
    );
    Ok(())
}
