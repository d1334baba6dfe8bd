//! The ledger-wide limits: ceilings on every agency's fast path and the least notice a loosening takes. The
//! admin tightens them at once (`set_ledger_limits`); a loosening is a change on notice
//! (`ControlChange::Limits`, `governance/change.rs`), applied after the notice in force when it was proposed.

use anchor_lang::prelude::*;

use crate::{
    constants::*,
    error::LedgerError,
    events::LedgerLimitsSet,
    state::{Ledger, LedgerLimits},
};

#[event_cpi]
#[derive(Accounts)]
pub struct SetLedgerLimits<'info> {
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

impl SetLedgerLimits<'_> {
    /// Tightening only, once any agency is registered; before that the admin sets them as it likes.
    pub fn validate(&self, limits: &LedgerLimits) -> Result<()> {
        limits.validate()?;
        require!(
            self.ledger.agency_count == 0 || !self.ledger.limits.loosened_by(limits),
            LedgerError::LooseningNeedsNotice
        );
        Ok(())
    }
}

pub fn set(ctx: Context<SetLedgerLimits>, limits: LedgerLimits) -> Result<()> {
    let ledger = &mut ctx.accounts.ledger;
    ledger.limits = limits;
    ledger.invariant()?;
    emit_cpi!(LedgerLimitsSet { limits });
    Ok(())
}
