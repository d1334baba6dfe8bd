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

impl SetAuditorsArgs {
    /// At most `MAX_AUDITORS`, no duplicates, no default key.
    pub fn validate(&self) -> Result<()> {
        require!(
            self.auditors.len() <= MAX_AUDITORS,
            LedgerError::TooManyAuditors
        );
        for (i, auditor) in self.auditors.iter().enumerate() {
            require!(
                *auditor != Pubkey::default() && !self.auditors[..i].contains(auditor),
                LedgerError::InvalidAuditor
            );
        }
        Ok(())
    }

    /// The auditors in office `current` this list leaves out.
    pub fn removed(&self, current: &[Pubkey]) -> Vec<Pubkey> {
        current
            .iter()
            .filter(|a| !self.auditors.contains(a))
            .copied()
            .collect()
    }
}

impl SetAuditors<'_> {
    /// Adding auditors applies at once; removing one disarms oversight and takes notice (`propose_auditors`).
    pub fn validate(&self, args: &SetAuditorsArgs) -> Result<()> {
        args.validate()?;
        require!(
            args.removed(&self.ledger.auditors).is_empty(),
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
