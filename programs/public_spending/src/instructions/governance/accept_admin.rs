use anchor_lang::prelude::*;

use crate::{constants::*, error::LedgerError, events::AdminAccepted, state::Ledger};

#[event_cpi]
#[derive(Accounts)]
pub struct AcceptAdmin<'info> {
    #[account(mut, seeds = [LEDGER_SEED], bump = ledger.bump, constraint = !ledger.paused @ LedgerError::Paused)]
    pub ledger: Account<'info, Ledger>,
    /// The proposed admin.
    pub new_admin: Signer<'info>,
}

impl AcceptAdmin<'_> {
    pub fn validate(&self) -> Result<()> {
        let pending = self
            .ledger
            .pending_admin
            .ok_or(LedgerError::NoPendingAdmin)?;
        require_keys_eq!(pending, self.new_admin.key(), LedgerError::NotPendingAdmin);
        Ok(())
    }
}

pub fn handler(ctx: Context<AcceptAdmin>) -> Result<()> {
    let ledger = &mut ctx.accounts.ledger;
    let previous_admin = ledger.admin;
    ledger.admin = ctx.accounts.new_admin.key();
    ledger.pending_admin = None;
    ledger.invariant()?;
    emit_cpi!(AdminAccepted {
        previous_admin,
        admin: ledger.admin
    });
    Ok(())
}
