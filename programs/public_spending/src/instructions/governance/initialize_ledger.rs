use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenInterface};

use crate::{
    constants::*,
    events::LedgerInitialized,
    state::{ExclusionList, Ledger},
};

#[event_cpi]
#[derive(Accounts)]
pub struct InitializeLedger<'info> {
    #[account(init, payer = admin, space = Ledger::SPACE, seeds = [LEDGER_SEED], bump)]
    pub ledger: Account<'info, Ledger>,
    /// The ledger's list of UEIs under an exclusion in force, empty until an auditor debars one.
    #[account(init, payer = admin, space = ExclusionList::HEADER, seeds = [EXCLUSION_LIST_SEED], bump)]
    pub exclusion_list: Account<'info, ExclusionList>,
    /// First ledger admin; pays for the ledger and exclusion list accounts.
    #[account(mut)]
    pub admin: Signer<'info>,
    /// The stablecoin every agency will pay in.
    #[account(mint::token_program = token_program)]
    pub payment_mint: InterfaceAccount<'info, Mint>,
    pub token_program: Interface<'info, TokenInterface>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<InitializeLedger>) -> Result<()> {
    let ledger = &mut ctx.accounts.ledger;
    ledger.set_inner(Ledger {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.ledger,
        admin: ctx.accounts.admin.key(),
        pending_admin: None,
        payment_mint: ctx.accounts.payment_mint.key(),
        mint_decimals: ctx.accounts.payment_mint.decimals,
        token_program: ctx.accounts.token_program.key(),
        paused: false,
        agency_count: 0,
        auditors: Vec::new(),
    });
    ledger.invariant()?;
    ctx.accounts.exclusion_list.set_inner(ExclusionList {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.exclusion_list,
        ueis: Vec::new(),
    });
    emit_cpi!(LedgerInitialized {
        ledger: ledger.key(),
        admin: ledger.admin,
        payment_mint: ledger.payment_mint,
        mint_decimals: ledger.mint_decimals,
        token_program: ledger.token_program,
    });
    Ok(())
}
