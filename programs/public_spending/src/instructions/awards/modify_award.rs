use anchor_lang::prelude::*;

use crate::instructions::acting::*;
use crate::{
    constants::*,
    error::LedgerError,
    events::AwardModified,
    state::{Allotment, Appropriation, Award},
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum AwardChange {
    /// More obligation, within what is left on the allotment; the appropriation must still be available.
    Increase { amount: u64 },
    /// Less obligation, never below what is paid or in flight.
    Deobligate { amount: u64 },
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct ModifyAwardArgs {
    pub change: AwardChange,
    /// sha256 of the modification document kept off chain.
    pub document_hash: [u8; 32],
}

#[event_cpi]
#[derive(Accounts)]
pub struct ModifyAward<'info> {
    pub acting: Acting<'info>,
    #[account(mut, constraint = appropriation.agency == acting.agency.key() @ LedgerError::WrongAgency)]
    pub appropriation: Box<Account<'info, Appropriation>>,
    #[account(mut, has_one = appropriation @ LedgerError::WrongParent)]
    pub allotment: Box<Account<'info, Allotment>>,
    #[account(
        mut,
        seeds = [AWARD_SEED, acting.agency.key().as_ref(), award.award_id.as_bytes()],
        bump = award.bump,
        constraint = award.agency == acting.agency.key() @ LedgerError::WrongAgency,
        has_one = allotment @ LedgerError::WrongParent,
    )]
    pub award: Box<Account<'info, Award>>,
}

impl ModifyAward<'_> {
    pub fn validate(&self, args: &ModifyAwardArgs) -> Result<()> {
        self.acting.require(ROLE_OBLIGATE)?;
        self.award.require_active()?;
        match args.change {
            AwardChange::Increase { amount } => {
                require!(amount > 0, LedgerError::ZeroAmount);
                self.appropriation
                    .require_available(Clock::get()?.unix_timestamp)?;
            }
            AwardChange::Deobligate { amount } => require!(amount > 0, LedgerError::ZeroAmount),
        }
        Ok(())
    }
}

pub fn handler(ctx: Context<ModifyAward>, args: ModifyAwardArgs) -> Result<()> {
    let award = &mut ctx.accounts.award;
    let allotment = &mut ctx.accounts.allotment;
    let appropriation = &mut ctx.accounts.appropriation;
    let agency = &mut ctx.accounts.acting.agency;
    let change = match args.change {
        AwardChange::Increase { amount } => {
            let obligated = allotment
                .obligated
                .checked_add(amount)
                .ok_or(LedgerError::Overflow)?;
            require!(obligated <= allotment.amount, LedgerError::ExceedsAllotment);
            allotment.obligated = obligated;
            award.obligated = award
                .obligated
                .checked_add(amount)
                .ok_or(LedgerError::Overflow)?;
            appropriation.obligated = appropriation
                .obligated
                .checked_add(amount)
                .ok_or(LedgerError::Overflow)?;
            agency.obligated = agency
                .obligated
                .checked_add(amount)
                .ok_or(LedgerError::Overflow)?;
            i128::from(amount)
        }
        AwardChange::Deobligate { amount } => {
            let uncommitted = award.remaining()?;
            require!(
                amount <= uncommitted,
                LedgerError::DeobligationBelowCommitted
            );
            award.obligated = award
                .obligated
                .checked_sub(amount)
                .ok_or(LedgerError::Overflow)?;
            allotment.obligated = allotment
                .obligated
                .checked_sub(amount)
                .ok_or(LedgerError::Overflow)?;
            appropriation.obligated = appropriation
                .obligated
                .checked_sub(amount)
                .ok_or(LedgerError::Overflow)?;
            agency.obligated = agency
                .obligated
                .checked_sub(amount)
                .ok_or(LedgerError::Overflow)?;
            i128::from(amount)
                .checked_neg()
                .ok_or(LedgerError::Overflow)?
        }
    };
    award.modification_count = award
        .modification_count
        .checked_add(1)
        .ok_or(LedgerError::Overflow)?;
    award.document_hash = args.document_hash;
    award.invariant()?;
    allotment.invariant()?;
    appropriation.invariant()?;
    agency.invariant()?;
    let event = AwardModified {
        agency: agency.key(),
        award: award.key(),
        modification: award.modification_count,
        change,
        document_hash: award.document_hash,
        award_obligated: award.obligated,
        allotment_obligated: allotment.obligated,
        appropriation_obligated: appropriation.obligated,
        agency_obligated: agency.obligated,
    };
    emit_cpi!(event);
    Ok(())
}
