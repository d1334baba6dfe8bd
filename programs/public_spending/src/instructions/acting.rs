//! The accounts every member's action starts with, checked in one place: a rule that must hold for every
//! instruction a member signs (the ledger not paused, the agency not frozen and past its notice, the signer's own
//! member record with the role) is written here once.

use anchor_lang::prelude::*;

use crate::{
    constants::*,
    error::LedgerError,
    state::{Agency, Ledger, Member},
};

/// A member of an agency acting in it: the ledger, the agency, the signer's member record and the signer.
#[derive(Accounts)]
pub struct Acting<'info> {
    #[account(seeds = [LEDGER_SEED], bump = ledger.bump, constraint = !ledger.paused @ LedgerError::Paused)]
    pub ledger: Box<Account<'info, Ledger>>,
    #[account(mut, seeds = [AGENCY_SEED, agency.code.as_bytes()], bump = agency.bump)]
    pub agency: Box<Account<'info, Agency>>,
    #[account(seeds = [MEMBER_SEED, agency.key().as_ref(), authority.key().as_ref()], bump = member.bump)]
    pub member: Box<Account<'info, Member>>,
    /// The member; pays rent where the action creates an account.
    #[account(mut)]
    pub authority: Signer<'info>,
}

impl Acting<'_> {
    /// The agency open (not frozen, its registration's notice over) and the signer an active member holding
    /// every role of `role`.
    pub fn require(&self, role: u8) -> Result<()> {
        self.agency.require_open()?;
        self.member.require_role(role)
    }
}
