use anchor_lang::prelude::*;

use crate::{
    constants::*,
    error::LedgerError,
    events::PaymentApproved,
    state::{Agency, Ledger, Member, Payment, PaymentStatus},
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
    #[account(
        mut,
        seeds = [PAYMENT_SEED, payment.award.as_ref(), &payment.index.to_le_bytes()],
        bump = payment.bump,
        has_one = agency @ LedgerError::WrongAgency,
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
            !payment.approvers.contains(&approver),
            LedgerError::AlreadyApproved
        );
        require!(
            payment.approvers.len() < MAX_APPROVERS,
            LedgerError::TooManyApprovals
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<ApprovePayment>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let payment = &mut ctx.accounts.payment;
    payment.approvers.push(ctx.accounts.authority.key());
    let approvals =
        u8::try_from(payment.approvers.len()).map_err(|_| LedgerError::TooManyApprovals)?;
    if approvals >= payment.approvals_required {
        payment.status = PaymentStatus::Approved;
        payment.approved_at = now;
        payment.executable_at = now
            .checked_add(i64::from(payment.time_lock_seconds))
            .ok_or(LedgerError::Overflow)?;
    }
    payment.invariant()?;
    emit_cpi!(PaymentApproved {
        agency: payment.agency,
        payment: payment.key(),
        approver: ctx.accounts.authority.key(),
        approvals,
        approvals_required: payment.approvals_required,
        executable_at: payment.executable_at,
    });
    Ok(())
}
