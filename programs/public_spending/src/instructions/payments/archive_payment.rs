use anchor_lang::prelude::*;

use crate::{
    constants::*,
    error::LedgerError,
    events::PaymentArchived,
    state::{Award, Ledger, Payment},
};

/// Permissionless: anyone may archive a final payment; the rent always goes back to whoever paid it.
#[event_cpi]
#[derive(Accounts)]
pub struct ArchivePayment<'info> {
    #[account(seeds = [LEDGER_SEED], bump = ledger.bump, constraint = !ledger.paused @ LedgerError::Paused)]
    pub ledger: Box<Account<'info, Ledger>>,
    #[account(
        mut,
        seeds = [PAYMENT_SEED, payment.award.as_ref(), &payment.index.to_le_bytes()],
        bump = payment.bump,
        constraint = payment.requester == rent_payer.key() @ LedgerError::WrongRentPayer,
        constraint = payment.status.is_final() @ LedgerError::PaymentInFlight,
        close = rent_payer,
    )]
    pub payment: Box<Account<'info, Payment>>,
    /// The payment's award, whose agency the event names.
    #[account(address = payment.award @ LedgerError::WrongParent)]
    pub award: Box<Account<'info, Award>>,
    /// CHECK: receives the rent; the constraint on `payment` pins it to the requester, who paid it.
    #[account(mut)]
    pub rent_payer: UncheckedAccount<'info>,
}

pub fn handler(ctx: Context<ArchivePayment>) -> Result<()> {
    let payment = &ctx.accounts.payment;
    emit_cpi!(PaymentArchived {
        agency: ctx.accounts.award.agency,
        award: payment.award,
        payment: payment.key(),
        index: payment.index,
        rent_payer: payment.requester,
        lamports_returned: payment.to_account_info().lamports(),
    });
    Ok(())
}
