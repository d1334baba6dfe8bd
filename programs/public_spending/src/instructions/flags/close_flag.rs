use anchor_lang::prelude::*;

use crate::{
    constants::*,
    error::LedgerError,
    events::FlagClosed,
    state::{Flag, Ledger},
};

/// Permissionless once a flag is resolved or dismissed; the rent always returns to the flagger.
#[event_cpi]
#[derive(Accounts)]
pub struct CloseFlag<'info> {
    #[account(seeds = [LEDGER_SEED], bump = ledger.bump, constraint = !ledger.paused @ LedgerError::Paused)]
    pub ledger: Box<Account<'info, Ledger>>,
    #[account(
        mut,
        close = flagger,
        has_one = flagger @ LedgerError::WrongRentPayer,
        constraint = flag.status.is_final() @ LedgerError::FlagNotFinal,
    )]
    pub flag: Box<Account<'info, Flag>>,
    /// CHECK: receives the rent; `has_one` on `flag` pins it to the flagger.
    #[account(mut)]
    pub flagger: UncheckedAccount<'info>,
}

pub fn handler(ctx: Context<CloseFlag>) -> Result<()> {
    let flag = &ctx.accounts.flag;
    emit_cpi!(FlagClosed {
        flag: flag.key(),
        agency: flag.agency,
        flagger: flag.flagger,
        outcome: flag.status,
        lamports_returned: flag.to_account_info().lamports(),
    });
    Ok(())
}
