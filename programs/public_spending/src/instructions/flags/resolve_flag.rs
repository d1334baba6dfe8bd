use anchor_lang::prelude::*;

use crate::instructions::oversight::auditing::*;
use crate::{
    error::LedgerError,
    events::FlagResolved,
    state::{require_nonzero_hash, Flag, FlagStatus},
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct ResolveFlagArgs {
    /// `Resolved` (the concern had substance) or `Dismissed`.
    pub outcome: FlagStatus,
    /// sha256 of the auditor's note kept off chain.
    pub note_hash: [u8; 32],
}

/// An auditor rules on a flag, whether or not the agency has answered.
#[event_cpi]
#[derive(Accounts)]
pub struct ResolveFlag<'info> {
    pub auditing: Auditing<'info>,
    #[account(mut, constraint = !flag.status.is_final() @ LedgerError::FlagFinal)]
    pub flag: Box<Account<'info, Flag>>,
}

pub fn handler(ctx: Context<ResolveFlag>, args: ResolveFlagArgs) -> Result<()> {
    require!(args.outcome.is_final(), LedgerError::InvalidFlagOutcome);
    require_nonzero_hash(&args.note_hash)?;
    let flag = &mut ctx.accounts.flag;
    flag.status = args.outcome;
    flag.resolution_hash = args.note_hash;
    flag.resolved_by = ctx.accounts.auditing.auditor.key();
    flag.resolved_at = Clock::get()?.unix_timestamp;
    emit_cpi!(FlagResolved {
        flag: flag.key(),
        agency: flag.agency,
        outcome: flag.status,
        note_hash: flag.resolution_hash,
        auditor: flag.resolved_by,
    });
    Ok(())
}
