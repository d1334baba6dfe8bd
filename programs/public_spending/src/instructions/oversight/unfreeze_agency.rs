use anchor_lang::prelude::*;

use crate::{
    constants::*,
    error::LedgerError,
    events::AgencyFreezeSet,
    state::{Agency, Ledger, OversightArgs},
};

#[event_cpi]
#[derive(Accounts)]
pub struct UnfreezeAgency<'info> {
    #[account(
        seeds = [LEDGER_SEED],
        bump = ledger.bump,
        constraint = !ledger.paused @ LedgerError::Paused,
        constraint = ledger.is_auditor(&auditor.key()) @ LedgerError::NotAuditor,
    )]
    pub ledger: Box<Account<'info, Ledger>>,
    #[account(
        mut,
        seeds = [AGENCY_SEED, agency.code.as_bytes()],
        bump = agency.bump,
        constraint = agency.frozen @ LedgerError::FreezeUnchanged,
    )]
    pub agency: Box<Account<'info, Agency>>,
    pub auditor: Signer<'info>,
}

pub fn handler(ctx: Context<UnfreezeAgency>, args: OversightArgs) -> Result<()> {
    args.validate()?;
    let now = Clock::get()?.unix_timestamp;
    let agency = &mut ctx.accounts.agency;
    agency.frozen = false;
    agency.freeze_note = args.note(now);
    agency.invariant()?;
    emit_cpi!(AgencyFreezeSet {
        agency: agency.key(),
        frozen: false,
        reason: args.reason,
        evidence_hash: args.evidence_hash,
        auditor: ctx.accounts.auditor.key(),
    });
    Ok(())
}
