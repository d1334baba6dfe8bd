use anchor_lang::prelude::*;

use crate::{
    constants::*,
    error::LedgerError,
    events::PaymentCancelled,
    state::{Agency, Award, Ledger, Payment, PaymentStatus},
};

#[event_cpi]
#[derive(Accounts)]
pub struct CancelPayment<'info> {
    #[account(seeds = [LEDGER_SEED], bump = ledger.bump, constraint = !ledger.paused @ LedgerError::Paused)]
    pub ledger: Box<Account<'info, Ledger>>,
    #[account(seeds = [AGENCY_SEED, agency.code.as_bytes()], bump = agency.bump)]
    pub agency: Box<Account<'info, Agency>>,
    #[account(mut, has_one = agency @ LedgerError::WrongAgency)]
    pub award: Box<Account<'info, Award>>,
    #[account(
        mut,
        seeds = [PAYMENT_SEED, award.key().as_ref(), &payment.index.to_le_bytes()],
        bump = payment.bump,
        has_one = award @ LedgerError::WrongParent,
    )]
    pub payment: Box<Account<'info, Payment>>,
    /// The payment's requester or the agency head.
    pub authority: Signer<'info>,
}

impl CancelPayment<'_> {
    pub fn validate(&self) -> Result<()> {
        self.agency.require_not_frozen()?;
        let who = self.authority.key();
        require!(
            who == self.payment.requester || who == self.agency.head,
            LedgerError::NotRequesterOrHead
        );
        self.payment.require_endable()
    }
}

pub fn handler(ctx: Context<CancelPayment>) -> Result<()> {
    let payment = &mut ctx.accounts.payment;
    let award = &mut ctx.accounts.award;
    super::end_unpaid(award, payment, PaymentStatus::Cancelled)?;
    emit_cpi!(PaymentCancelled {
        agency: award.agency,
        payment: payment.key(),
        by: ctx.accounts.authority.key(),
        amount: payment.amount,
        award_in_flight: award.in_flight,
    });
    Ok(())
}
