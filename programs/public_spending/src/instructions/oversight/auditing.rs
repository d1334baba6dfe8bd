use anchor_lang::prelude::*;

use crate::{constants::*, error::LedgerError, state::Ledger};

/// An auditor in office acting while the ledger is not paused: the accounts every oversight instruction starts
/// with.
#[derive(Accounts)]
pub struct Auditing<'info> {
    #[account(
        seeds = [LEDGER_SEED],
        bump = ledger.bump,
        constraint = !ledger.paused @ LedgerError::Paused,
        constraint = ledger.is_auditor(&auditor.key()) @ LedgerError::NotAuditor,
    )]
    pub ledger: Box<Account<'info, Ledger>>,
    /// An auditor in office; pays rent where the action creates an account.
    #[account(mut)]
    pub auditor: Signer<'info>,
}

impl Auditing<'_> {
    /// The lifting rule: the auditor who imposed the freeze, hold or exclusion (`imposed_by`) lifts it alone; any
    /// other auditor only with `concurring`, a second auditor in office, signing too. Returns the concurring
    /// auditor, for the event.
    pub fn require_may_lift(
        &self,
        imposed_by: &Pubkey,
        concurring: Option<&Signer>,
    ) -> Result<Option<Pubkey>> {
        let lifter = self.auditor.key();
        match concurring {
            None => require_keys_eq!(
                lifter,
                *imposed_by,
                LedgerError::LiftNeedsImposerOrSecondAuditor
            ),
            Some(second) => require!(
                second.key() != lifter && self.ledger.is_auditor(&second.key()),
                LedgerError::InvalidConcurringAuditor
            ),
        }
        Ok(concurring.map(|second| second.key()))
    }

    /// The imposer's side of every freeze, hold and exclusion: imposing (`impose`) records this auditor in
    /// `imposed_by`; lifting is checked by [`Self::require_may_lift`]. Returns the concurring auditor, for the event.
    pub fn impose_or_lift(
        &self,
        impose: bool,
        imposed_by: &mut Pubkey,
        concurring: Option<&Signer>,
    ) -> Result<Option<Pubkey>> {
        if impose {
            *imposed_by = self.auditor.key();
            Ok(None)
        } else {
            self.require_may_lift(imposed_by, concurring)
        }
    }
}
