use anchor_lang::prelude::*;

use crate::instructions::acting::*;
use crate::{
    constants::*,
    error::LedgerError,
    events::PaymentRequested,
    state::{Award, Payment, PaymentStatus},
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct PaymentArgs {
    /// Amount in base units of the payment mint.
    pub amount: u64,
    /// sha256 of the invoice kept off chain.
    pub invoice_hash: [u8; 32],
}

impl PaymentArgs {
    pub fn validate(&self, award: &Award) -> Result<()> {
        require!(self.amount > 0, LedgerError::ZeroAmount);
        require!(
            self.invoice_hash != [0; 32],
            LedgerError::InvalidInvoiceHash
        );
        require!(
            self.amount <= award.remaining()?,
            LedgerError::ExceedsAwardRemaining
        );
        Ok(())
    }
}

#[event_cpi]
#[derive(Accounts)]
pub struct RequestPayment<'info> {
    pub acting: Acting<'info>,
    #[account(
        mut,
        seeds = [AWARD_SEED, acting.agency.key().as_ref(), award.award_id.as_bytes()],
        bump = award.bump,
        constraint = award.agency == acting.agency.key() @ LedgerError::WrongAgency,
    )]
    pub award: Box<Account<'info, Award>>,
    #[account(
        init,
        payer = acting.authority,
        space = Payment::SPACE,
        seeds = [PAYMENT_SEED, award.key().as_ref(), &award.payment_count.to_le_bytes()],
        bump,
    )]
    pub payment: Box<Account<'info, Payment>>,
    /// CHECK: a fresh key named by the invoice (Solana Pay style): listed read-only so that anyone can find the
    /// payment's transactions by this address; only its address is recorded.
    pub reference: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

impl RequestPayment<'_> {
    pub fn validate(&self, args: &PaymentArgs) -> Result<()> {
        self.acting.require(ROLE_REQUEST)?;
        self.award.require_active()?;
        self.award.require_not_held()?;
        args.validate(&self.award)
    }
}

pub fn handler(ctx: Context<RequestPayment>, args: PaymentArgs) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    // A payment at or above the ledger's ceiling needs approvals even where the agency's threshold is higher.
    let policy = ctx
        .accounts
        .acting
        .ledger
        .limits
        .bound(&ctx.accounts.acting.agency.policy);
    let award = &mut ctx.accounts.award;
    let index = award.payment_count;
    award.payment_count = index.checked_add(1).ok_or(LedgerError::Overflow)?;
    award.in_flight = award
        .in_flight
        .checked_add(args.amount)
        .ok_or(LedgerError::Overflow)?;
    award.invariant()?;

    let approvals_required = policy.approvals_for(args.amount);
    let payment = &mut ctx.accounts.payment;
    payment.set_inner(Payment {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.payment,
        award: award.key(),
        index,
        // A payment below the threshold needs no approval and may execute at once.
        status: if approvals_required == 0 {
            PaymentStatus::Approved
        } else {
            PaymentStatus::Requested
        },
        held: false,
        hold_reason: Default::default(),
        hold_evidence_hash: [0; 32],
        amount: args.amount,
        invoice_hash: args.invoice_hash,
        reference: ctx.accounts.reference.key(),
        requester: ctx.accounts.acting.authority.key(),
        approvals_required,
        time_lock_seconds: policy.time_lock_seconds,
        requested_at: now,
        executable_at: now,
        approvals: 0,
        approver_tags: Default::default(),
        held_by: Pubkey::default(),
    });
    payment.invariant()?;
    emit_cpi!(PaymentRequested {
        agency: award.agency,
        award: payment.award,
        payment: payment.key(),
        index,
        amount: payment.amount,
        invoice_hash: payment.invoice_hash,
        reference: payment.reference,
        requester: payment.requester,
        approvals_required,
        award_in_flight: award.in_flight,
    });
    Ok(())
}
