use anchor_lang::prelude::*;

use crate::{constants::*, error::LedgerError, events::AdminProposed, state::Ledger};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct ProposeAdminArgs {
    pub new_admin: Pubkey,
}

#[event_cpi]
#[derive(Accounts)]
pub struct ProposeAdmin<'info> {
    #[account(
        mut,
        seeds = [LEDGER_SEED],
        bump = ledger.bump,
        has_one = admin @ LedgerError::NotLedgerAdmin,
        constraint = !ledger.paused @ LedgerError::Paused,
    )]
    pub ledger: Account<'info, Ledger>,
    pub admin: Signer<'info>,
}

pub fn handler(ctx: Context<ProposeAdmin>, args: ProposeAdminArgs) -> Result<()> {
    let ledger = &mut ctx.accounts.ledger;
    ledger.pending_admin = Some(args.new_admin);
    ledger.invariant()?;
    emit_cpi!(AdminProposed {
        admin: ledger.admin,
        pending_admin: args.new_admin
    });
    Ok(())
}
