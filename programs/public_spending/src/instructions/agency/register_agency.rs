use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::{
    constants::*,
    error::LedgerError,
    events::AgencyRegistered,
    state::{is_printable_ascii, validate_agency_code, Agency, ApprovalPolicy, Ledger},
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct RegisterAgencyArgs {
    /// Agency code: 3 digits (CGAC, e.g. `075`) or 4 digits (FREC, e.g. `1601`).
    pub code: String,
    pub name: String,
    /// The agency head: manages members and the approval policy.
    pub head: Pubkey,
}

#[event_cpi]
#[derive(Accounts)]
#[instruction(args: RegisterAgencyArgs)]
pub struct RegisterAgency<'info> {
    #[account(
        mut,
        seeds = [LEDGER_SEED],
        bump = ledger.bump,
        has_one = admin @ LedgerError::NotLedgerAdmin,
        has_one = payment_mint @ LedgerError::WrongMint,
        has_one = token_program @ LedgerError::WrongTokenProgram,
        constraint = !ledger.paused @ LedgerError::Paused,
    )]
    pub ledger: Box<Account<'info, Ledger>>,
    #[account(init, payer = admin, space = Agency::SPACE, seeds = [AGENCY_SEED, args.code.as_bytes()], bump)]
    pub agency: Box<Account<'info, Agency>>,
    /// The agency's treasury: a token account PDA owned by the agency PDA.
    #[account(
        init,
        payer = admin,
        seeds = [TREASURY_SEED, agency.key().as_ref()],
        bump,
        token::mint = payment_mint,
        token::authority = agency,
        token::token_program = token_program,
    )]
    pub treasury: Box<InterfaceAccount<'info, TokenAccount>>,
    pub payment_mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(mut)]
    pub admin: Signer<'info>,
    pub token_program: Interface<'info, TokenInterface>,
    pub system_program: Program<'info, System>,
}

impl RegisterAgency<'_> {
    pub fn validate(&self, args: &RegisterAgencyArgs) -> Result<()> {
        validate_agency_code(&args.code)?;
        require!(
            is_printable_ascii(&args.name, MAX_AGENCY_NAME_LEN),
            LedgerError::InvalidAgencyName
        );
        require!(args.head != Pubkey::default(), LedgerError::NotAgencyHead);
        Ok(())
    }
}

pub fn handler(ctx: Context<RegisterAgency>, args: RegisterAgencyArgs) -> Result<()> {
    let ledger = &mut ctx.accounts.ledger;
    ledger.agency_count = ledger
        .agency_count
        .checked_add(1)
        .ok_or(LedgerError::Overflow)?;
    ledger.invariant()?;

    let treasury = ctx.accounts.treasury.key();
    let active_from = Clock::get()?
        .unix_timestamp
        .checked_add(i64::from(ledger.limits.min_change_notice_seconds))
        .ok_or(LedgerError::Overflow)?;
    let agency = &mut ctx.accounts.agency;
    agency.set_inner(Agency {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.agency,
        treasury_bump: ctx.bumps.treasury,
        head: args.head,
        treasury,
        // Until the head sets a policy, every payment needs one approval and the fast path is off.
        policy: ApprovalPolicy {
            threshold: 0,
            approvals_required: 1,
            time_lock_seconds: 0,
            fast_path_daily_cap: 0,
        },
        fast_path_hour: 0,
        fast_path_spent: [0; FAST_PATH_BUCKETS],
        frozen: false,
        freeze_note: Default::default(),
        appropriation_count: 0,
        award_count: 0,
        outlay_count: 0,
        budget_authority: 0,
        allotted: 0,
        obligated: 0,
        outlayed: 0,
        outlay_hash: [0; 32],
        code: args.code,
        name: args.name,
        frozen_by: Pubkey::default(),
        active_from,
    });
    agency.invariant()?;
    emit_cpi!(AgencyRegistered {
        agency: agency.key(),
        code: agency.code.clone(),
        name: agency.name.clone(),
        head: agency.head,
        treasury,
        agency_count: ledger.agency_count,
        active_from,
    });
    Ok(())
}
