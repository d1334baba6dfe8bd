use anchor_lang::prelude::*;

use crate::{
    constants::*,
    error::LedgerError,
    events::AwardClosed,
    state::{Agency, Award, AwardStatus, Ledger, Member},
};

#[event_cpi]
#[derive(Accounts)]
pub struct CloseAward<'info> {
    #[account(seeds = [LEDGER_SEED], bump = ledger.bump, constraint = !ledger.paused @ LedgerError::Paused)]
    pub ledger: Box<Account<'info, Ledger>>,
    #[account(seeds = [AGENCY_SEED, agency.code.as_bytes()], bump = agency.bump)]
    pub agency: Box<Account<'info, Agency>>,
    #[account(seeds = [MEMBER_SEED, agency.key().as_ref(), authority.key().as_ref()], bump = member.bump)]
    pub member: Box<Account<'info, Member>>,
    #[account(
        mut,
        seeds = [AWARD_SEED, agency.key().as_ref(), award.award_id.as_bytes()],
        bump = award.bump,
        has_one = agency @ LedgerError::WrongAgency,
    )]
    pub award: Box<Account<'info, Award>>,
    /// A member with the OBLIGATE role.
    pub authority: Signer<'info>,
}

impl CloseAward<'_> {
    pub fn validate(&self) -> Result<()> {
        self.agency.require_not_frozen()?;
        self.member.require_role(ROLE_OBLIGATE)?;
        self.award.require_active()?;
        require!(
            self.award.in_flight == 0 && self.award.outlayed == self.award.obligated,
            LedgerError::AwardNotSettled
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<CloseAward>) -> Result<()> {
    let award = &mut ctx.accounts.award;
    award.status = AwardStatus::Closed;
    award.invariant()?;
    emit_cpi!(AwardClosed {
        agency: award.agency,
        award: award.key(),
        obligated: award.obligated,
        outlayed: award.outlayed,
    });
    Ok(())
}
