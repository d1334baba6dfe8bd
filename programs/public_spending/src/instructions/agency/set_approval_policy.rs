use anchor_lang::prelude::*;

use crate::{
    constants::*,
    error::LedgerError,
    events::ApprovalPolicySet,
    state::{Agency, ApprovalPolicy, Ledger},
};

#[event_cpi]
#[derive(Accounts)]
pub struct SetApprovalPolicy<'info> {
    #[account(seeds = [LEDGER_SEED], bump = ledger.bump, constraint = !ledger.paused @ LedgerError::Paused)]
    pub ledger: Box<Account<'info, Ledger>>,
    #[account(
        mut,
        seeds = [AGENCY_SEED, agency.code.as_bytes()],
        bump = agency.bump,
        has_one = head @ LedgerError::NotAgencyHead,
    )]
    pub agency: Box<Account<'info, Agency>>,
    pub head: Signer<'info>,
}

impl SetApprovalPolicy<'_> {
    pub fn validate(&self, policy: &ApprovalPolicy) -> Result<()> {
        self.agency.require_not_frozen()?;
        policy.validate()?;
        self.ledger.limits.require_admits(policy)?;
        require!(
            !self.agency.in_service() || !self.agency.policy.loosened_by(policy),
            LedgerError::LooseningNeedsNotice
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<SetApprovalPolicy>, policy: ApprovalPolicy) -> Result<()> {
    let agency = &mut ctx.accounts.agency;
    agency.policy = policy;
    // A lowered cap takes effect at once: the next fast-path payment is checked against it.
    agency.invariant()?;
    emit_cpi!(ApprovalPolicySet {
        agency: agency.key(),
        policy
    });
    Ok(())
}
