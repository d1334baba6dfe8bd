use anchor_lang::prelude::*;
use anchor_spl::{
    associated_token::AssociatedToken,
    token_interface::{Mint, TokenAccount, TokenInterface},
};

use super::{outlay::Outlay, request_payment::PaymentArgs};
use crate::{
    constants::*,
    error::LedgerError,
    state::{
        require_not_excluded, Agency, Allotment, Appropriation, Award, Ledger, Member, Payment,
        PaymentStatus, Recipient,
    },
};

/// The fast path: one instruction creates the payment already executed. Same accounts as `execute_payment`,
/// except that the payment account is created here at the award's next index.
#[event_cpi]
#[derive(Accounts)]
pub struct PaySmall<'info> {
    #[account(
        seeds = [LEDGER_SEED],
        bump = ledger.bump,
        constraint = !ledger.paused @ LedgerError::Paused,
        has_one = payment_mint @ LedgerError::WrongMint,
        has_one = token_program @ LedgerError::WrongTokenProgram,
    )]
    pub ledger: Box<Account<'info, Ledger>>,
    #[account(
        mut,
        seeds = [AGENCY_SEED, agency.code.as_bytes()],
        bump = agency.bump,
        has_one = treasury @ LedgerError::WrongTreasury,
    )]
    pub agency: Box<Account<'info, Agency>>,
    #[account(seeds = [MEMBER_SEED, agency.key().as_ref(), executor.key().as_ref()], bump = member.bump)]
    pub member: Box<Account<'info, Member>>,
    #[account(mut, has_one = agency @ LedgerError::WrongAgency)]
    pub appropriation: Box<Account<'info, Appropriation>>,
    #[account(mut, has_one = appropriation @ LedgerError::WrongParent)]
    pub allotment: Box<Account<'info, Allotment>>,
    #[account(
        mut,
        seeds = [AWARD_SEED, agency.key().as_ref(), award.award_id.as_bytes()],
        bump = award.bump,
        has_one = agency @ LedgerError::WrongAgency,
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
        init,
        payer = executor,
        space = Payment::SPACE,
        seeds = [PAYMENT_SEED, award.key().as_ref(), &award.payment_count.to_le_bytes()],
        bump,
    )]
    pub payment: Box<Account<'info, Payment>>,
    /// CHECK: a fresh key named by the invoice (Solana Pay style): listed read-only so that anyone can find the
    /// payment's transactions by this address; only its address is recorded.
    pub reference: UncheckedAccount<'info>,
    pub payment_mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(mut, token::mint = payment_mint, token::authority = agency, token::token_program = token_program)]
    pub treasury: Box<InterfaceAccount<'info, TokenAccount>>,
    /// CHECK: must be the payout wallet's associated token account for the payment mint; the handler checks
    /// that, after creating it (paid by the executor) if it is missing.
    #[account(mut)]
    pub recipient_token_account: UncheckedAccount<'info>,
    /// A member with the EXECUTE role; pays the payment account's rent until it is archived.
    #[account(mut)]
    pub executor: Signer<'info>,
    pub token_program: Interface<'info, TokenInterface>,
    pub associated_token_program: Program<'info, AssociatedToken>,
    pub system_program: Program<'info, System>,
}

impl PaySmall<'_> {
    pub fn validate(&self, args: &PaymentArgs) -> Result<()> {
        self.agency.require_not_frozen()?;
        self.member.require_role(ROLE_EXECUTE)?;
        require_not_excluded(&self.exclusion)?;
        self.award.require_not_held()?;
        self.award.require_active()?;
        args.validate(&self.award)?;
        require!(
            args.amount < self.agency.policy.threshold,
            LedgerError::AboveFastPathThreshold
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<PaySmall>, args: PaymentArgs) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    ctx.accounts.agency.charge_fast_path(args.amount, now)?;

    let award = &mut ctx.accounts.award;
    let index = award.payment_count;
    award.payment_count = index.checked_add(1).ok_or(LedgerError::Overflow)?;
    award.in_flight = award
        .in_flight
        .checked_add(args.amount)
        .ok_or(LedgerError::Overflow)?;

    let executor = ctx.accounts.executor.key();
    ctx.accounts.payment.set_inner(Payment {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.payment,
        agency: award.agency,
        award: award.key(),
        index,
        status: PaymentStatus::Approved,
        held: false,
        hold_note: Default::default(),
        fast_path: true,
        amount: args.amount,
        invoice_hash: args.invoice_hash,
        reference: ctx.accounts.reference.key(),
        requester: executor,
        rent_payer: executor,
        approvals_required: 0,
        time_lock_seconds: 0,
        requested_at: now,
        approved_at: now,
        executable_at: now,
        executed_at: 0,
        approvers: Vec::new(),
    });
    let event = Outlay {
        agency: &mut ctx.accounts.agency,
        appropriation: &mut ctx.accounts.appropriation,
        allotment: &mut ctx.accounts.allotment,
        award: &mut ctx.accounts.award,
        payment: &mut ctx.accounts.payment,
        recipient: ctx.accounts.recipient.key(),
        payment_mint: &ctx.accounts.payment_mint,
        treasury: &ctx.accounts.treasury,
        recipient_token_account: &ctx.accounts.recipient_token_account,
        payout_wallet: &ctx.accounts.payout_wallet,
        token_program: &ctx.accounts.token_program,
        associated_token_program: &ctx.accounts.associated_token_program,
        system_program: &ctx.accounts.system_program,
        executor: &ctx.accounts.executor,
    }
    .execute(now)?;
    emit_cpi!(event);
    Ok(())
}
