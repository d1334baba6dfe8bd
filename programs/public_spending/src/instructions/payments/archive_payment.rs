use anchor_lang::prelude::*;

use crate::{
    constants::*,
    error::LedgerError,
    events::PaymentArchived,
    state::{Ledger, Payment},
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
        has_one = rent_payer @ LedgerError::WrongRentPayer,
        constraint = payment.status.is_final() @ LedgerError::PaymentInFlight,
        close = rent_payer,
    )]
    pub payment: Box<Account<'info, Payment>>,
    /// CHECK: receives the rent; `has_one` on `payment` pins it to the account that paid it.
    #[account(mut)]
    pub rent_payer: UncheckedAccount<'info>,
}

pub fn handler(ctx: Context<ArchivePayment>) -> Result<()> {
    let payment = &ctx.accounts.payment;
    emit_cpi!(PaymentArchived {
        agency: payment.agency,
        award: payment.award,
        payment: payment.key(),
        index: payment.index,
        rent_payer: payment.rent_payer,
        lamports_returned: payment.to_account_info().lamports(),
    });
    Ok(())
}
