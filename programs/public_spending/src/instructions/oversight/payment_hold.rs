use anchor_lang::prelude::*;

use super::auditing::*;
use crate::{
    constants::*,
    error::LedgerError,
    events::PaymentHoldSet,
    state::{require_hold_change, Award, OversightArgs, Payment},
};

/// `hold_payment` (`held = true`) and `release_payment` share these accounts and [`handler`].
#[event_cpi]
#[derive(Accounts)]
pub struct SetPaymentHold<'info> {
    pub auditing: Auditing<'info>,
    #[account(
        mut,
        seeds = [PAYMENT_SEED, payment.award.as_ref(), &payment.index.to_le_bytes()],
        bump = payment.bump,
        constraint = !payment.status.is_final() @ LedgerError::InvalidPaymentStatus,
    )]
    pub payment: Box<Account<'info, Payment>>,
    /// The payment's award, whose agency the event names.
    #[account(address = payment.award @ LedgerError::WrongParent)]
    pub award: Box<Account<'info, Award>>,
    /// A second auditor, when an auditor who did not impose the hold releases it.
    pub concurring: Option<Signer<'info>>,
}

/// Holds (`held = true`) or releases a payment: held, it can neither execute nor be cancelled or rejected.
pub fn handler(ctx: Context<SetPaymentHold>, args: OversightArgs, held: bool) -> Result<()> {
    let payment = &mut ctx.accounts.payment;
    require_hold_change(payment.held, held)?;
    args.validate()?;
    let auditor = ctx.accounts.auditing.auditor.key();
    let concurring = ctx.accounts.auditing.impose_or_lift(
        held,
        &mut payment.held_by,
        ctx.accounts.concurring.as_ref(),
    )?;
    payment.held = held;
    payment.hold_reason = args.reason;
    payment.hold_evidence_hash = args.evidence_hash;
    payment.invariant()?;
    emit_cpi!(PaymentHoldSet {
        agency: ctx.accounts.award.agency,
        payment: payment.key(),
        held,
        reason: args.reason,
        evidence_hash: args.evidence_hash,
        auditor,
        concurring,
    });
    Ok(())
}
