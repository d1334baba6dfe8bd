use anchor_lang::prelude::*;

use crate::{constants::*, error::LedgerError, events::AuditorsSet, state::Ledger};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct SetAuditorsArgs {
    /// The complete new list (replaces the old one); at most `MAX_AUDITORS`, no duplicates.
    pub auditors: Vec<Pubkey>,
}

#[event_cpi]
#[derive(Accounts)]
pub struct SetAuditors<'info> {
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

impl SetAuditors<'_> {
    pub fn validate(&self, args: &SetAuditorsArgs) -> Result<()> {
        require!(
            args.auditors.len() <= MAX_AUDITORS,
            LedgerError::TooManyAuditors
        );
        for (i, auditor) in args.auditors.iter().enumerate() {
            require!(
                *auditor != Pubkey::default() && !args.auditors[..i].contains(auditor),
                LedgerError::InvalidAuditor
            );
        }
        Ok(())
    }
}

pub fn handler(ctx: Context<SetAuditors>, args: SetAuditorsArgs) -> Result<()> {
    let ledger = &mut ctx.accounts.ledger;
    ledger.auditors = args.auditors;
    ledger.invariant()?;
    emit_cpi!(AuditorsSet {
        auditors: ledger.auditors.clone()
    });
    Ok(())
}
