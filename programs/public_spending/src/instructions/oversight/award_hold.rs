use anchor_lang::prelude::*;

use super::auditing::*;
use crate::{
    constants::*,
    events::AwardHoldSet,
    state::{require_hold_change, Award, OversightArgs},
};

/// `hold_award` (`held = true`) and `release_award` share these accounts and [`handler`].
#[event_cpi]
#[derive(Accounts)]
pub struct SetAwardHold<'info> {
    pub auditing: Auditing<'info>,
    #[account(
        mut,
        seeds = [AWARD_SEED, award.agency.as_ref(), award.award_id.as_bytes()],
        bump = award.bump,
    )]
    pub award: Box<Account<'info, Award>>,
    /// A second auditor, when an auditor who did not impose the hold releases it.
    pub concurring: Option<Signer<'info>>,
}

/// Holds (`held = true`) or releases an award, recording the grounds on the award and in the event.
pub fn handler(ctx: Context<SetAwardHold>, args: OversightArgs, held: bool) -> Result<()> {
    let award = &mut ctx.accounts.award;
    require_hold_change(award.held, held)?;
    args.validate()?;
    let auditor = ctx.accounts.auditing.auditor.key();
    let concurring = ctx.accounts.auditing.impose_or_lift(
        held,
        &mut award.held_by,
        ctx.accounts.concurring.as_ref(),
    )?;
    award.held = held;
    award.hold_note = args.note(Clock::get()?.unix_timestamp);
    award.invariant()?;
    emit_cpi!(AwardHoldSet {
        agency: award.agency,
        award: award.key(),
        held,
        reason: args.reason,
        evidence_hash: args.evidence_hash,
        auditor,
        concurring,
    });
    Ok(())
}
