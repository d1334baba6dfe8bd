use anchor_lang::prelude::*;
use anchor_spl::{
    associated_token::AssociatedToken,
    memo::Memo,
    token_interface::{Mint, TokenAccount, TokenInterface},
};

use super::outlay::{Outlay, OutlayTerms};
use crate::instructions::acting::*;
use crate::{
    constants::*,
    error::LedgerError,
    state::{
        require_not_excluded, Allotment, Appropriation, Award, Payment, PaymentStatus, Recipient,
    },
};

#[event_cpi]
#[derive(Accounts)]
pub struct ExecutePayment<'info> {
    /// A member with the EXECUTE role; pays for the recipient's token account when it is missing.
    pub acting: Acting<'info>,
    #[account(mut, constraint = appropriation.agency == acting.agency.key() @ LedgerError::WrongAgency)]
    pub appropriation: Box<Account<'info, Appropriation>>,
    #[account(mut, has_one = appropriation @ LedgerError::WrongParent)]
    pub allotment: Box<Account<'info, Allotment>>,
    #[account(
        mut,
        seeds = [AWARD_SEED, acting.agency.key().as_ref(), award.award_id.as_bytes()],
        bump = award.bump,
        constraint = award.agency == acting.agency.key() @ LedgerError::WrongAgency,
        has_one = allotment @ LedgerError::WrongParent,
        has_one = recipient @ LedgerError::WrongParent,
    )]
    pub award: Box<Account<'info, Award>>,
    #[account(has_one = payout_wallet @ LedgerError::WrongPayoutWallet)]
    pub recipient: Box<Account<'info, Recipient>>,
    /// CHECK: the canonical `["exclusion", uei]` address; refused when it holds an exclusion in force.
    #[account(seeds = [EXCLUSION_SEED, &recipient.uei], bump)]
    pub exclusion: UncheckedAccount<'info>,
    /// CHECK: only the owner of the recipient's token account; `has_one` on `recipient` pins it to the payout wallet.
    pub payout_wallet: UncheckedAccount<'info>,
    #[account(
        mut,
        seeds = [PAYMENT_SEED, award.key().as_ref(), &payment.index.to_le_bytes()],
        bump = payment.bump,
        has_one = award @ LedgerError::WrongParent,
    )]
    pub payment: Box<Account<'info, Payment>>,
    #[account(address = acting.ledger.payment_mint @ LedgerError::WrongMint)]
    pub payment_mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(
        mut,
        address = acting.agency.treasury @ LedgerError::WrongTreasury,
        token::mint = payment_mint,
        token::authority = acting.agency,
        token::token_program = token_program,
    )]
    pub treasury: Box<InterfaceAccount<'info, TokenAccount>>,
    /// CHECK: must be the payout wallet's associated token account for the payment mint; the handler checks
    /// that, after creating it (paid by the executor) if it is missing.
    #[account(mut)]
    pub recipient_token_account: UncheckedAccount<'info>,
    #[account(address = acting.ledger.token_program @ LedgerError::WrongTokenProgram)]
    pub token_program: Interface<'info, TokenInterface>,
    /// The SPL Memo program, needed only when the vendor's Token-2022 account requires memos.
    pub memo_program: Option<Program<'info, Memo>>,
    pub associated_token_program: Program<'info, AssociatedToken>,
    pub system_program: Program<'info, System>,
}

impl ExecutePayment<'_> {
    pub fn validate(&self) -> Result<()> {
        self.acting.require(ROLE_EXECUTE)?;
        require_not_excluded(&self.exclusion)?;
        self.award.require_not_held()?;
        let payment = &self.payment;
        require!(
            payment.status != PaymentStatus::Requested,
            LedgerError::InsufficientApprovals
        );
        require!(
            payment.status == PaymentStatus::Approved,
            LedgerError::InvalidPaymentStatus
        );
        require!(!payment.held, LedgerError::PaymentHeld);
        self.recipient
            .require_wallet_unchanged_since(payment.requested_at)?;
        require!(
            payment.approvals >= payment.approvals_required,
            LedgerError::InsufficientApprovals
        );
        require!(
            Clock::get()?.unix_timestamp >= payment.executable_at,
            LedgerError::TimeLockActive
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<ExecutePayment>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let payment = &ctx.accounts.payment;
    let terms = OutlayTerms {
        payment: payment.key(),
        index: payment.index,
        amount: payment.amount,
        invoice_hash: payment.invoice_hash,
        reference: payment.reference,
        fast_path: false,
    };
    let event = Outlay {
        agency: &mut ctx.accounts.acting.agency,
        appropriation: &mut ctx.accounts.appropriation,
        allotment: &mut ctx.accounts.allotment,
        award: &mut ctx.accounts.award,
        recipient: ctx.accounts.recipient.key(),
        payment_mint: &ctx.accounts.payment_mint,
        treasury: &ctx.accounts.treasury,
        recipient_token_account: &ctx.accounts.recipient_token_account,
        payout_wallet: &ctx.accounts.payout_wallet,
        token_program: &ctx.accounts.token_program,
        memo_program: ctx.accounts.memo_program.as_ref(),
        associated_token_program: &ctx.accounts.associated_token_program,
        system_program: &ctx.accounts.system_program,
        executor: &ctx.accounts.acting.authority,
    }
    .execute(now, terms)?;
    let payment = &mut ctx.accounts.payment;
    payment.status = PaymentStatus::Executed;
    payment.invariant()?;
    emit_cpi!(event);
    Ok(())
}
