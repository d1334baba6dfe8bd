//! Removing an auditor on notice: the admin proposes the new list (`propose_auditors`), public at once and
//! visible to the auditors in office, and applies it (`apply_auditors`) after `AUDITOR_REMOVAL_NOTICE_SECONDS`.
//! Adding auditors needs none of this: `set_auditors` applies it at once.

use anchor_lang::prelude::*;

use super::SetAuditorsArgs;
use crate::{
    constants::*,
    error::LedgerError,
    events::{AuditorsProposed, AuditorsSet},
    state::{Ledger, PendingAuditors},
};

#[event_cpi]
#[derive(Accounts)]
pub struct ProposeAuditors<'info> {
    #[account(
        seeds = [LEDGER_SEED],
        bump = ledger.bump,
        has_one = admin @ LedgerError::NotLedgerAdmin,
        constraint = !ledger.paused @ LedgerError::Paused,
    )]
    pub ledger: Account<'info, Ledger>,
    /// One pending list at a time.
    #[account(init, payer = admin, space = PendingAuditors::SPACE, seeds = [AUDITORS_CHANGE_SEED], bump)]
    pub pending: Account<'info, PendingAuditors>,
    #[account(mut)]
    pub admin: Signer<'info>,
    pub system_program: Program<'info, System>,
}

pub fn propose(ctx: Context<ProposeAuditors>, args: SetAuditorsArgs) -> Result<()> {
    args.validate()?;
    let now = Clock::get()?.unix_timestamp;
    let effective_at = now
        .checked_add(AUDITOR_REMOVAL_NOTICE_SECONDS)
        .ok_or(LedgerError::Overflow)?;
    let removed = args.removed(&ctx.accounts.ledger.auditors);
    ctx.accounts.pending.set_inner(PendingAuditors {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.pending,
        auditors: args.auditors.clone(),
        proposed_at: now,
        effective_at,
    });
    emit_cpi!(AuditorsProposed {
        auditors: args.auditors,
        removed,
        effective_at,
    });
    Ok(())
}

#[event_cpi]
#[derive(Accounts)]
pub struct ApplyAuditors<'info> {
    #[account(
        mut,
        seeds = [LEDGER_SEED],
        bump = ledger.bump,
        has_one = admin @ LedgerError::NotLedgerAdmin,
        constraint = !ledger.paused @ LedgerError::Paused,
    )]
    pub ledger: Account<'info, Ledger>,
    #[account(mut, close = admin, seeds = [AUDITORS_CHANGE_SEED], bump = pending.bump)]
    pub pending: Account<'info, PendingAuditors>,
    #[account(mut)]
    pub admin: Signer<'info>,
}

pub fn apply(ctx: Context<ApplyAuditors>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    require!(
        now >= ctx.accounts.pending.effective_at,
        LedgerError::NoticeNotOver
    );
    let ledger = &mut ctx.accounts.ledger;
    ledger.auditors = ctx.accounts.pending.auditors.clone();
    ledger.invariant()?;
    emit_cpi!(AuditorsSet {
        auditors: ledger.auditors.clone()
    });
    Ok(())
}
