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

/// A payee in one agency's vendor master file, keyed by agency and Unique Entity ID (`["recipient", agency,
/// uei]`): only that agency's awards may name it. Suspension and debarment are ledger-wide, in the UEI's
/// [`Exclusion`](super::Exclusion).
#[account]
#[derive(InitSpace, Debug, Default, PartialEq, Eq)]
pub struct Recipient {
    pub version: u8,
    pub bump: u8,
    /// The agency whose vendor file holds this record.
    pub agency: Pubkey,
    /// Unique Entity ID, 12 upper-case ASCII letters or digits.
    pub uei: [u8; UEI_LEN],
    pub kind: RecipientKind,
    /// Owner of the token account every payment to this recipient goes to.
    pub payout_wallet: Pubkey,
    pub registered_at: i64,
    /// sha256(salt || name) for an individual; all zeros otherwise.
    pub name_hash: [u8; 32],
    /// Legal name of a business or government; empty for an individual.
    #[max_len(MAX_RECIPIENT_NAME_LEN)]
    pub name: String,
    /// A proposed new payout wallet awaiting a second member's confirmation; the default key when none.
    pub pending_payout_wallet: Pubkey,
    pub proposed_by: Pubkey,
    pub proposed_at: i64,
    /// When the payout wallet last changed (zero: never). A payment requested at or before this time was
    /// approved for the earlier wallet and is refused (`PayoutWalletChanged`), never silently redirected.
    pub payout_changed_at: i64,
    pub payout_change_count: u32,
}

impl Recipient {
    pub const SPACE: usize = 8 + Self::INIT_SPACE;

    /// Fails when the payout wallet changed at or after `requested_at`: the payment was approved for another
    /// wallet and must be requested (and approved) again.
    pub fn require_wallet_unchanged_since(&self, requested_at: i64) -> Result<()> {
        require!(
            self.payout_change_count == 0 || requested_at > self.payout_changed_at,
            LedgerError::PayoutWalletChanged
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
        require!(
            self.payout_wallet != Pubkey::default(),
            LedgerError::InvalidPayoutWallet
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
