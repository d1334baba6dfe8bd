use anchor_lang::prelude::*;

use crate::instructions::acting::*;
use crate::{
    constants::*,
    error::LedgerError,
    events::Allotted,
    state::{Allotment, Appropriation},
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct AllotArgs {
    /// Program activity code, 4 ASCII digits.
    pub program_activity: [u8; PROGRAM_ACTIVITY_LEN],
    /// Amount in base units of the payment mint.
    pub amount: u64,
}

#[event_cpi]
#[derive(Accounts)]
pub struct Allot<'info> {
    pub acting: Acting<'info>,
    #[account(mut, constraint = appropriation.agency == acting.agency.key() @ LedgerError::WrongAgency)]
    pub appropriation: Box<Account<'info, Appropriation>>,
    #[account(
        init,
        payer = acting.authority,
        space = Allotment::SPACE,
        seeds = [ALLOTMENT_SEED, appropriation.key().as_ref(), &appropriation.allotment_count.to_le_bytes()],
        bump,
    )]
    pub allotment: Box<Account<'info, Allotment>>,
    pub system_program: Program<'info, System>,
}

impl Allot<'_> {
    pub fn validate(&self, args: &AllotArgs) -> Result<()> {
        self.acting.require(ROLE_BUDGET)?;
        self.appropriation
            .require_available(Clock::get()?.unix_timestamp)?;
        require!(
            args.program_activity.iter().all(u8::is_ascii_digit),
            LedgerError::InvalidProgramActivity
        );
        require!(args.amount > 0, LedgerError::ZeroAmount);
        Ok(())
    }
}

pub fn handler(ctx: Context<Allot>, args: AllotArgs) -> Result<()> {
    let appropriation = &mut ctx.accounts.appropriation;
    let allotted = appropriation
        .allotted
        .checked_add(args.amount)
        .ok_or(LedgerError::Overflow)?;
    require!(
        allotted <= appropriation.budget_authority,
        LedgerError::ExceedsBudgetAuthority
    );
    appropriation.allotted = allotted;
    let index = appropriation.allotment_count;
    appropriation.allotment_count = index.checked_add(1).ok_or(LedgerError::Overflow)?;
    appropriation.invariant()?;

    let agency = &mut ctx.accounts.acting.agency;
    agency.allotted = agency
        .allotted
        .checked_add(args.amount)
        .ok_or(LedgerError::Overflow)?;
    agency.invariant()?;

    let allotment = &mut ctx.accounts.allotment;
    allotment.set_inner(Allotment {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.allotment,
        agency: agency.key(),
        appropriation: appropriation.key(),
        index,
        program_activity: args.program_activity,
        amount: args.amount,
        obligated: 0,
        outlayed: 0,
        award_count: 0,
    });
    allotment.invariant()?;
    emit_cpi!(Allotted {
        agency: agency.key(),
        appropriation: appropriation.key(),
        allotment: allotment.key(),
        index,
        program_activity: args.program_activity,
        amount: args.amount,
        appropriation_allotted: appropriation.allotted,
        agency_allotted: agency.allotted,
    });
    Ok(())
}
