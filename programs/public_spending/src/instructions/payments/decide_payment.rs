//! An approver's decision on a requested payment: `approve_payment` and `reject_payment` share these accounts
//! (Squads' `proposal_vote` pattern), each with its own checks and handler.

use anchor_lang::prelude::*;

use crate::instructions::acting::*;
use crate::{
    constants::*,
    error::LedgerError,
    events::{PaymentApproved, PaymentRejected},
    state::{approver_tag, Award, Payment, PaymentStatus},
};

#[event_cpi]
#[derive(Accounts)]
pub struct DecidePayment<'info> {
    /// A member with the APPROVE role.
    pub acting: Acting<'info>,
    #[account(mut, constraint = award.agency == acting.agency.key() @ LedgerError::WrongAgency)]
    pub award: Box<Account<'info, Award>>,
    #[account(
        mut,
        seeds = [PAYMENT_SEED, award.key().as_ref(), &payment.index.to_le_bytes()],
        bump = payment.bump,
        has_one = award @ LedgerError::WrongParent,
    )]
    pub payment: Box<Account<'info, Payment>>,
}

impl DecidePayment<'_> {
    /// `approve_payment`: an APPROVE member who did not request it and has not approved it yet.
    pub fn validate_approval(&self) -> Result<()> {
        self.acting.require(ROLE_APPROVE)?;
        let payment = &self.payment;
        require!(
            payment.status == PaymentStatus::Requested,
            LedgerError::InvalidPaymentStatus
        );
        let approver = self.acting.authority.key();
        require!(approver != payment.requester, LedgerError::SelfApproval);
        require!(
            !payment.approved_by(&approver),
            LedgerError::AlreadyApproved
        );
        require!(
            usize::from(payment.approvals) < MAX_APPROVERS,
            LedgerError::TooManyApprovals
        );
        Ok(())
    }

    /// `reject_payment`: an APPROVE member, on a payment neither final nor held.
    pub fn validate_rejection(&self) -> Result<()> {
        self.acting.require(ROLE_APPROVE)?;
        self.payment.require_endable()
    }
}

/// Records one approval; the last one needed starts the time lock.
pub fn approve(ctx: Context<DecidePayment>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let payment = &mut ctx.accounts.payment;
    let slot = usize::from(payment.approvals);
    payment.approver_tags[slot] = approver_tag(&ctx.accounts.acting.authority.key());
    let approvals = payment
        .approvals
        .checked_add(1)
        .ok_or(LedgerError::TooManyApprovals)?;
    payment.approvals = approvals;
    if approvals >= payment.approvals_required {
        payment.status = PaymentStatus::Approved;
        payment.executable_at = now
            .checked_add(i64::from(payment.time_lock_seconds))
            .ok_or(LedgerError::Overflow)?;
    }
    payment.invariant()?;
    emit_cpi!(PaymentApproved {
        agency: ctx.accounts.acting.agency.key(),
        payment: payment.key(),
        approver: ctx.accounts.acting.authority.key(),
        approvals,
        approvals_required: payment.approvals_required,
        executable_at: payment.executable_at,
    });
    Ok(())
}

/// Ends the payment unpaid and releases its amount from the award.
pub fn reject(ctx: Context<DecidePayment>) -> Result<()> {
    let payment = &mut ctx.accounts.payment;
    let award = &mut ctx.accounts.award;
    super::end_unpaid(award, payment, PaymentStatus::Rejected)?;
    emit_cpi!(PaymentRejected {
        agency: award.agency,
        payment: payment.key(),
        by: ctx.accounts.acting.authority.key(),
        amount: payment.amount,
        award_in_flight: award.in_flight,
    });
    Ok(())
}
