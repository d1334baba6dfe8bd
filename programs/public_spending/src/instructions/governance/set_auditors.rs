use anchor_lang::prelude::*;

use crate::{
    constants::*,
    error::LedgerError,
    events::AuditorsSet,
    state::{validate_auditors, Ledger},
};

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

impl SetAuditorsArgs {
    /// At most `MAX_AUDITORS`, no duplicates, no default key.
    pub fn validate(&self) -> Result<()> {
        validate_auditors(&self.auditors)
    }
}

impl SetAuditors<'_> {
    /// Before any agency is registered the admin names the auditors as it likes. After that every change of
    /// them takes notice (`ControlChange::Auditors`): removing one disarms oversight, and a new one could lift
    /// what the others hold.
    pub fn validate(&self, args: &SetAuditorsArgs) -> Result<()> {
        args.validate()?;
        require!(
            self.ledger.agency_count == 0,
            LedgerError::LooseningNeedsNotice
        );
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
