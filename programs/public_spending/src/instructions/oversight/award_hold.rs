use anchor_lang::prelude::*;

use crate::{
    constants::*,
    error::LedgerError,
    events::AwardHoldSet,
    state::{Award, Ledger, OversightArgs},
};

/// `hold_award` (`held = true`) and `release_award` share these accounts; the constraint on `award.held` is
/// checked in each handler so that one struct serves both.
#[event_cpi]
#[derive(Accounts)]
pub struct SetAwardHold<'info> {
    #[account(
        seeds = [LEDGER_SEED],
        bump = ledger.bump,
        constraint = !ledger.paused @ LedgerError::Paused,
        constraint = ledger.is_auditor(&auditor.key()) @ LedgerError::NotAuditor,
    )]
    pub ledger: Box<Account<'info, Ledger>>,
    #[account(
        mut,
        seeds = [AWARD_SEED, award.agency.as_ref(), award.award_id.as_bytes()],
        bump = award.bump,
    )]
    pub award: Box<Account<'info, Award>>,
    pub auditor: Signer<'info>,
}

/// Holds (`held = true`) or releases an award, recording the grounds on the award and in the event.
pub fn handler(ctx: Context<SetAwardHold>, args: OversightArgs, held: bool) -> Result<()> {
    let award = &mut ctx.accounts.award;
    if held {
        require!(!award.held, LedgerError::AlreadyHeld);
    } else {
        require!(award.held, LedgerError::NotHeld);
    }
    args.validate()?;
    award.held = held;
    award.hold_note = args.note(Clock::get()?.unix_timestamp);
    award.invariant()?;
    emit_cpi!(AwardHoldSet {
        agency: award.agency,
        award: award.key(),
        held,
        reason: args.reason,
        evidence_hash: args.evidence_hash,
        auditor: ctx.accounts.auditor.key(),
    });
    Ok(())
}
