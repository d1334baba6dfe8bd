use anchor_lang::prelude::*;

use crate::{
    constants::*,
    error::LedgerError,
    events::PaymentHoldSet,
    state::{Award, Ledger, OversightArgs, Payment},
};

#[event_cpi]
#[derive(Accounts)]
pub struct HoldPayment<'info> {
    #[account(
        seeds = [LEDGER_SEED],
        bump = ledger.bump,
        constraint = !ledger.paused @ LedgerError::Paused,
        constraint = ledger.is_auditor(&auditor.key()) @ LedgerError::NotAuditor,
    )]
    pub ledger: Box<Account<'info, Ledger>>,
    #[account(
        mut,
        seeds = [PAYMENT_SEED, payment.award.as_ref(), &payment.index.to_le_bytes()],
        bump = payment.bump,
        constraint = !payment.held @ LedgerError::AlreadyHeld,
        constraint = !payment.status.is_final() @ LedgerError::InvalidPaymentStatus,
    )]
    pub payment: Box<Account<'info, Payment>>,
    /// The payment's award, whose agency the event names.
    #[account(address = payment.award @ LedgerError::WrongParent)]
    pub award: Box<Account<'info, Award>>,
    pub auditor: Signer<'info>,
}

pub fn handler(ctx: Context<HoldPayment>, args: OversightArgs) -> Result<()> {
    args.validate()?;
    let payment = &mut ctx.accounts.payment;
    payment.held = true;
    payment.hold_reason = args.reason;
    payment.hold_evidence_hash = args.evidence_hash;
    payment.invariant()?;
    emit_cpi!(PaymentHoldSet {
        agency: ctx.accounts.award.agency,
        payment: payment.key(),
        held: true,
        reason: args.reason,
        evidence_hash: args.evidence_hash,
        auditor: ctx.accounts.auditor.key(),
    });
    Ok(())
}
