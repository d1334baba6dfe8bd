use anchor_lang::prelude::*;

use super::auditing::*;
use crate::{
    constants::*,
    error::LedgerError,
    events::AgencyFreezeSet,
    state::{Agency, OversightArgs},
};

/// `freeze_agency` (`frozen = true`) and `unfreeze_agency` share these accounts and [`handler`].
#[event_cpi]
#[derive(Accounts)]
pub struct SetAgencyFreeze<'info> {
    pub auditing: Auditing<'info>,
    #[account(mut, seeds = [AGENCY_SEED, agency.code.as_bytes()], bump = agency.bump)]
    pub agency: Box<Account<'info, Agency>>,
    /// A second auditor, when an auditor who did not impose the freeze lifts it.
    pub concurring: Option<Signer<'info>>,
}

/// Freezes (`frozen = true`) or unfreezes an agency, recording the grounds on the agency and in the event.
pub fn handler(ctx: Context<SetAgencyFreeze>, args: OversightArgs, frozen: bool) -> Result<()> {
    let agency = &mut ctx.accounts.agency;
    require!(agency.frozen != frozen, LedgerError::FreezeUnchanged);
    args.validate()?;
    let auditor = ctx.accounts.auditing.auditor.key();
    let concurring = ctx.accounts.auditing.impose_or_lift(
        frozen,
        &mut agency.frozen_by,
        ctx.accounts.concurring.as_ref(),
    )?;
    agency.frozen = frozen;
    agency.freeze_note = args.note(Clock::get()?.unix_timestamp);
    agency.invariant()?;
    emit_cpi!(AgencyFreezeSet {
        agency: agency.key(),
        frozen,
        reason: args.reason,
        evidence_hash: args.evidence_hash,
        auditor,
        concurring,
    });
    Ok(())
}
