use anchor_lang::prelude::*;

use crate::{constants::MAX_AUDITORS, error::LedgerError};

/// The one ledger: who governs it, which token pays, who audits, and whether it is paused.
#[account]
#[derive(InitSpace, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    pub version: u8,
    pub bump: u8,
    /// Ledger governance: registers agencies and sets their budget authority.
    pub admin: Pubkey,
    /// Proposed next admin; the handover completes when it signs `accept_admin`.
    pub pending_admin: Option<Pubkey>,
    /// The stablecoin every agency pays in.
    pub payment_mint: Pubkey,
    pub mint_decimals: u8,
    /// The token program that owns `payment_mint` (SPL Token or Token-2022).
    pub token_program: Pubkey,
    pub paused: bool,
    pub agency_count: u32,
    /// Inspectors general and auditors: may freeze agencies, hold payments and debar recipients.
    #[max_len(MAX_AUDITORS)]
    pub auditors: Vec<Pubkey>,
}

/// An auditor list that removes auditors, waiting out `AUDITOR_REMOVAL_NOTICE_SECONDS` (`["auditors_change"]`).
#[account]
#[derive(InitSpace, Debug, PartialEq, Eq)]
pub struct PendingAuditors {
    pub version: u8,
    pub bump: u8,
    #[max_len(MAX_AUDITORS)]
    pub auditors: Vec<Pubkey>,
    pub proposed_at: i64,
    pub effective_at: i64,
}

impl PendingAuditors {
    pub const SPACE: usize = 8 + Self::INIT_SPACE;
}

impl Ledger {
    pub const SPACE: usize = 8 + Self::INIT_SPACE;

    pub fn is_auditor(&self, key: &Pubkey) -> bool {
        self.auditors.contains(key)
    }

    pub fn invariant(&self) -> Result<()> {
        require!(
            self.auditors.len() <= MAX_AUDITORS,
            LedgerError::TooManyAuditors
        );
        require!(
            self.admin != Pubkey::default(),
            LedgerError::InvariantViolated
        );
        Ok(())
    }
}
