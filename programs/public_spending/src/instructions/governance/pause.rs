use anchor_lang::prelude::*;

use crate::{constants::*, error::LedgerError, events::PauseSet, state::Ledger};

/// `pause` (`paused = true`) and `unpause` share these accounts and [`handler`].
#[event_cpi]
#[derive(Accounts)]
pub struct SetPause<'info> {
    #[account(mut, seeds = [LEDGER_SEED], bump = ledger.bump, has_one = admin @ LedgerError::NotLedgerAdmin)]
    pub ledger: Account<'info, Ledger>,
    pub admin: Signer<'info>,
}

/// Pauses (`paused = true`) or unpauses every state change of the ledger (ledger admin).
pub fn handler(ctx: Context<SetPause>, paused: bool) -> Result<()> {
    let ledger = &mut ctx.accounts.ledger;
    if paused {
        require!(!ledger.paused, LedgerError::Paused);
    } else {
        require!(ledger.paused, LedgerError::NotPaused);
    }
    ledger.paused = paused;
    ledger.invariant()?;
    emit_cpi!(PauseSet {
        paused,
        by: ctx.accounts.admin.key()
    });
    Ok(())
}
