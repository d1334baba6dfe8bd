use anchor_lang::prelude::*;

use crate::{
    constants::*,
    error::LedgerError,
    events::ExclusionSet,
    state::{Exclusion, ExclusionList, ExclusionStatus, Ledger, OversightArgs},
};

/// Lifts a UEI's suspension or debarment (auditor). The account stays, with the grounds of the lift, so that
/// the history of the exclusion is readable on chain as well as from its events.
#[event_cpi]
#[derive(Accounts)]
pub struct ReinstateRecipient<'info> {
    #[account(
        seeds = [LEDGER_SEED],
        bump = ledger.bump,
        constraint = !ledger.paused @ LedgerError::Paused,
        constraint = ledger.is_auditor(&auditor.key()) @ LedgerError::NotAuditor,
    )]
    pub ledger: Box<Account<'info, Ledger>>,
    #[account(
        mut,
        seeds = [EXCLUSION_SEED, &exclusion.uei],
        bump = exclusion.bump,
        constraint = exclusion.in_force() @ LedgerError::RecipientStatusUnchanged,
    )]
    pub exclusion: Box<Account<'info, Exclusion>>,
    /// CHECK: the ledger's exclusion list (address and owner checked here, discriminator and layout where it is
    /// read); the UEI leaves it.
    #[account(mut, seeds = [EXCLUSION_LIST_SEED], bump, owner = crate::ID)]
    pub exclusion_list: UncheckedAccount<'info>,
    pub auditor: Signer<'info>,
}

pub fn handler(ctx: Context<ReinstateRecipient>, args: OversightArgs) -> Result<()> {
    args.validate()?;
    let exclusion = &mut ctx.accounts.exclusion;
    ExclusionList::remove(&ctx.accounts.exclusion_list, &exclusion.uei)?;
    exclusion.status = ExclusionStatus::Lifted;
    exclusion.note = args.note(Clock::get()?.unix_timestamp);
    exclusion.auditor = ctx.accounts.auditor.key();
    exclusion.change_count = exclusion
        .change_count
        .checked_add(1)
        .ok_or(LedgerError::Overflow)?;
    emit_cpi!(ExclusionSet {
        exclusion: exclusion.key(),
        uei: exclusion.uei,
        status: exclusion.status,
        reason: args.reason,
        evidence_hash: args.evidence_hash,
        auditor: exclusion.auditor,
    });
    Ok(())
}
