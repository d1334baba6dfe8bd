use anchor_lang::prelude::*;

use crate::{
    constants::*,
    error::LedgerError,
    events::AppropriationCreated,
    state::{validate_tas, Agency, Appropriation, AppropriationStatus, Ledger},
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct CreateAppropriationArgs {
    /// TAS main account code, 4 ASCII digits.
    pub main_account: [u8; MAIN_ACCOUNT_LEN],
    /// TAS sub-account code, 3 ASCII digits.
    pub sub_account: [u8; SUB_ACCOUNT_LEN],
    pub fiscal_year: u16,
    /// Budget authority in base units of the payment mint.
    pub budget_authority: u64,
    /// No new allotments or obligations at or after this time (unix seconds).
    pub availability_end: i64,
}

#[event_cpi]
#[derive(Accounts)]
#[instruction(args: CreateAppropriationArgs)]
pub struct CreateAppropriation<'info> {
    #[account(
        seeds = [LEDGER_SEED],
        bump = ledger.bump,
        has_one = admin @ LedgerError::NotLedgerAdmin,
        constraint = !ledger.paused @ LedgerError::Paused,
    )]
    pub ledger: Box<Account<'info, Ledger>>,
    #[account(mut, seeds = [AGENCY_SEED, agency.code.as_bytes()], bump = agency.bump)]
    pub agency: Box<Account<'info, Agency>>,
    #[account(
        init,
        payer = admin,
        space = Appropriation::SPACE,
        seeds = [
            APPROPRIATION_SEED,
            agency.key().as_ref(),
            &args.main_account,
            &args.sub_account,
            &args.fiscal_year.to_le_bytes(),
        ],
        bump,
    )]
    pub appropriation: Box<Account<'info, Appropriation>>,
    /// Ledger governance: agencies never set their own budget authority.
    #[account(mut)]
    pub admin: Signer<'info>,
    pub system_program: Program<'info, System>,
}

impl CreateAppropriation<'_> {
    pub fn validate(&self, args: &CreateAppropriationArgs) -> Result<()> {
        validate_tas(&args.main_account, &args.sub_account)?;
        require!(
            (MIN_FISCAL_YEAR..=MAX_FISCAL_YEAR).contains(&args.fiscal_year),
            LedgerError::InvalidFiscalYear
        );
        require!(args.budget_authority > 0, LedgerError::ZeroAmount);
        require!(
            args.availability_end > Clock::get()?.unix_timestamp,
            LedgerError::AvailabilityEndInPast
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<CreateAppropriation>, args: CreateAppropriationArgs) -> Result<()> {
    let agency = &mut ctx.accounts.agency;
    agency.budget_authority = agency
        .budget_authority
        .checked_add(args.budget_authority)
        .ok_or(LedgerError::Overflow)?;
    agency.appropriation_count = agency
        .appropriation_count
        .checked_add(1)
        .ok_or(LedgerError::Overflow)?;
    agency.invariant()?;

    let appropriation = &mut ctx.accounts.appropriation;
    appropriation.set_inner(Appropriation {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.appropriation,
        agency: agency.key(),
        main_account: args.main_account,
        sub_account: args.sub_account,
        fiscal_year: args.fiscal_year,
        status: AppropriationStatus::Active,
        availability_end: args.availability_end,
        budget_authority: args.budget_authority,
        allotted: 0,
        obligated: 0,
        outlayed: 0,
        allotment_count: 0,
    });
    appropriation.invariant()?;
    emit_cpi!(AppropriationCreated {
        agency: agency.key(),
        appropriation: appropriation.key(),
        main_account: args.main_account,
        sub_account: args.sub_account,
        fiscal_year: args.fiscal_year,
        budget_authority: args.budget_authority,
        availability_end: args.availability_end,
        agency_budget_authority: agency.budget_authority,
    });
    Ok(())
}
