use anchor_lang::prelude::*;

use crate::{constants::*, error::LedgerError, events::PauseSet, state::Ledger};

#[event_cpi]
#[derive(Accounts)]
pub struct Unpause<'info> {
    #[account(
        mut,
        seeds = [LEDGER_SEED],
        bump = ledger.bump,
        has_one = admin @ LedgerError::NotLedgerAdmin,
        constraint = ledger.paused @ LedgerError::NotPaused,
    )]
    pub ledger: Account<'info, Ledger>,
    pub admin: Signer<'info>,
}

pub fn handler(ctx: Context<Unpause>) -> Result<()> {
    let ledger = &mut ctx.accounts.ledger;
    ledger.paused = false;
    ledger.invariant()?;
    emit_cpi!(PauseSet {
        paused: false,
        by: ctx.accounts.admin.key()
    });
    Ok(())
}
