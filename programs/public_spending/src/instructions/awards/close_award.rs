use anchor_lang::prelude::*;

use crate::instructions::acting::*;
use crate::{
    constants::*,
    error::LedgerError,
    events::AwardClosed,
    state::{Award, AwardStatus},
};

#[event_cpi]
#[derive(Accounts)]
pub struct CloseAward<'info> {
    pub acting: Acting<'info>,
    #[account(
        mut,
        seeds = [AWARD_SEED, acting.agency.key().as_ref(), award.award_id.as_bytes()],
        bump = award.bump,
        constraint = award.agency == acting.agency.key() @ LedgerError::WrongAgency,
    )]
    pub award: Box<Account<'info, Award>>,
}

impl CloseAward<'_> {
    pub fn validate(&self) -> Result<()> {
        self.acting.require(ROLE_OBLIGATE)?;
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
