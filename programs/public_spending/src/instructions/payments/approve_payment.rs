use anchor_lang::prelude::*;

use crate::{
    constants::*,
    error::LedgerError,
    events::PaymentApproved,
    state::{approver_tag, Agency, Award, Ledger, Member, Payment, PaymentStatus},
};

#[event_cpi]
#[derive(Accounts)]
pub struct ApprovePayment<'info> {
    #[account(seeds = [LEDGER_SEED], bump = ledger.bump, constraint = !ledger.paused @ LedgerError::Paused)]
    pub ledger: Box<Account<'info, Ledger>>,
    #[account(seeds = [AGENCY_SEED, agency.code.as_bytes()], bump = agency.bump)]
    pub agency: Box<Account<'info, Agency>>,
    #[account(seeds = [MEMBER_SEED, agency.key().as_ref(), authority.key().as_ref()], bump = member.bump)]
    pub member: Box<Account<'info, Member>>,
    #[account(has_one = agency @ LedgerError::WrongAgency)]
    pub award: Box<Account<'info, Award>>,
    #[account(
        mut,
        seeds = [PAYMENT_SEED, payment.award.as_ref(), &payment.index.to_le_bytes()],
        bump = payment.bump,
        has_one = award @ LedgerError::WrongParent,
    )]
    pub payment: Box<Account<'info, Payment>>,
    /// A member with the APPROVE role who did not request the payment.
    pub authority: Signer<'info>,
}

impl ApprovePayment<'_> {
    pub fn validate(&self) -> Result<()> {
        self.agency.require_not_frozen()?;
        self.member.require_role(ROLE_APPROVE)?;
        let payment = &self.payment;
        require!(
            payment.status == PaymentStatus::Requested,
            LedgerError::InvalidPaymentStatus
        );
        let approver = self.authority.key();
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
}

pub fn handler(ctx: Context<ApprovePayment>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let payment = &mut ctx.accounts.payment;
    let slot = usize::from(payment.approvals);
    payment.approver_tags[slot] = approver_tag(&ctx.accounts.authority.key());
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
        agency: ctx.accounts.agency.key(),
        payment: payment.key(),
        approver: ctx.accounts.authority.key(),
        approvals,
        approvals_required: payment.approvals_required,
        executable_at: payment.executable_at,
    });
    Ok(())
}
