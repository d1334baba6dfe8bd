use anchor_lang::prelude::*;

use crate::{
    constants::*,
    error::LedgerError,
    events::AppropriationExpired,
    state::{Appropriation, AppropriationStatus, Ledger},
};

#[event_cpi]
#[derive(Accounts)]
pub struct ExpireAppropriation<'info> {
    #[account(seeds = [LEDGER_SEED], bump = ledger.bump, constraint = !ledger.paused @ LedgerError::Paused)]
    pub ledger: Box<Account<'info, Ledger>>,
    #[account(
        mut,
        seeds = [
            APPROPRIATION_SEED,
            appropriation.agency.as_ref(),
            &appropriation.main_account,
            &appropriation.sub_account,
            &appropriation.fiscal_year.to_le_bytes(),
        ],
        bump = appropriation.bump,
    )]
    pub appropriation: Box<Account<'info, Appropriation>>,
    /// Anyone once availability has ended; the ledger admin at any time.
    pub authority: Signer<'info>,
}

impl ExpireAppropriation<'_> {
    pub fn validate(&self) -> Result<()> {
        require!(
            self.appropriation.status == AppropriationStatus::Active,
            LedgerError::AppropriationExpired
        );
        if self.authority.key() != self.ledger.admin {
            require!(
                Clock::get()?.unix_timestamp >= self.appropriation.availability_end,
                LedgerError::AppropriationStillAvailable
            );
        }
        Ok(())
    }
}

pub fn handler(ctx: Context<ExpireAppropriation>) -> Result<()> {
    let appropriation = &mut ctx.accounts.appropriation;
    appropriation.status = AppropriationStatus::Expired;
    appropriation.invariant()?;
    emit_cpi!(AppropriationExpired {
        agency: appropriation.agency,
        appropriation: appropriation.key(),
        by: ctx.accounts.authority.key(),
        budget_authority: appropriation.budget_authority,
        allotted: appropriation.allotted,
        obligated: appropriation.obligated,
        outlayed: appropriation.outlayed,
    });
    Ok(())
}
