//! The ledger-wide limits: ceilings on every agency's fast path and the least notice a loosening takes. The
//! admin tightens them at once (`set_ledger_limits`); a loosening is proposed (`propose_ledger_limits`), public
//! at once and visible to the auditors in office, and applied (`apply_ledger_limits`) after the notice in force
//! when it was proposed. The admin may withdraw it meanwhile (`withdraw_ledger_limits`).

use anchor_lang::prelude::*;

use crate::{
    constants::*,
    error::LedgerError,
    events::{LedgerLimitsProposed, LedgerLimitsSet, LedgerLimitsWithdrawn},
    state::{Ledger, LedgerLimits, PendingLimits},
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

#[event_cpi]
#[derive(Accounts)]
pub struct ProposeLedgerLimits<'info> {
    #[account(
        seeds = [LEDGER_SEED],
        bump = ledger.bump,
        has_one = admin @ LedgerError::NotLedgerAdmin,
        constraint = !ledger.paused @ LedgerError::Paused,
    )]
    pub ledger: Account<'info, Ledger>,
    /// One pending change of the limits at a time.
    #[account(init, payer = admin, space = PendingLimits::SPACE, seeds = [LIMITS_CHANGE_SEED], bump)]
    pub pending: Account<'info, PendingLimits>,
    #[account(mut)]
    pub admin: Signer<'info>,
    pub system_program: Program<'info, System>,
}

pub fn propose(ctx: Context<ProposeLedgerLimits>, limits: LedgerLimits) -> Result<()> {
    limits.validate()?;
    let now = Clock::get()?.unix_timestamp;
    let current = ctx.accounts.ledger.limits;
    let effective_at = now
        .checked_add(i64::from(current.min_change_notice_seconds))
        .ok_or(LedgerError::Overflow)?;
    ctx.accounts.pending.set_inner(PendingLimits {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.pending,
        limits,
        proposed_at: now,
        effective_at,
    });
    emit_cpi!(LedgerLimitsProposed {
        limits,
        current,
        effective_at,
    });
    Ok(())
}

#[event_cpi]
#[derive(Accounts)]
pub struct ApplyLedgerLimits<'info> {
    #[account(
        mut,
        seeds = [LEDGER_SEED],
        bump = ledger.bump,
        has_one = admin @ LedgerError::NotLedgerAdmin,
        constraint = !ledger.paused @ LedgerError::Paused,
    )]
    pub ledger: Account<'info, Ledger>,
    #[account(mut, close = admin, seeds = [LIMITS_CHANGE_SEED], bump = pending.bump)]
    pub pending: Account<'info, PendingLimits>,
    #[account(mut)]
    pub admin: Signer<'info>,
}

pub fn apply(ctx: Context<ApplyLedgerLimits>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    require!(
        now >= ctx.accounts.pending.effective_at,
        LedgerError::NoticeNotOver
    );
    let limits = ctx.accounts.pending.limits;
    let ledger = &mut ctx.accounts.ledger;
    ledger.limits = limits;
    ledger.invariant()?;
    emit_cpi!(LedgerLimitsSet { limits });
    Ok(())
}

#[event_cpi]
#[derive(Accounts)]
pub struct WithdrawLedgerLimits<'info> {
    #[account(seeds = [LEDGER_SEED], bump = ledger.bump, has_one = admin @ LedgerError::NotLedgerAdmin)]
    pub ledger: Account<'info, Ledger>,
    #[account(mut, close = admin, seeds = [LIMITS_CHANGE_SEED], bump = pending.bump)]
    pub pending: Account<'info, PendingLimits>,
    #[account(mut)]
    pub admin: Signer<'info>,
}

pub fn withdraw(ctx: Context<WithdrawLedgerLimits>) -> Result<()> {
    emit_cpi!(LedgerLimitsWithdrawn {
        limits: ctx.accounts.pending.limits
    });
    Ok(())
}
