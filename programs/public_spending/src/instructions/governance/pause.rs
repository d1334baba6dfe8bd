use anchor_lang::prelude::*;

use crate::{constants::*, error::LedgerError, events::PauseSet, state::Ledger};

#[event_cpi]
#[derive(Accounts)]
pub struct Pause<'info> {
    #[account(
        mut,
        seeds = [LEDGER_SEED],
        bump = ledger.bump,
        has_one = admin @ LedgerError::NotLedgerAdmin,
        constraint = !ledger.paused @ LedgerError::Paused,
    )]
    pub ledger: Account<'info, Ledger>,
    pub admin: Signer<'info>,
}

pub fn handler(ctx: Context<Pause>) -> Result<()> {
    let ledger = &mut ctx.accounts.ledger;
    ledger.paused = true;
    ledger.invariant()?;
    emit_cpi!(PauseSet {
        paused: true,
        by: ctx.accounts.admin.key()
    });
    Ok(())
}
