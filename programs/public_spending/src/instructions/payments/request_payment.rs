use anchor_lang::prelude::*;

use crate::{
    constants::*,
    error::LedgerError,
    events::PaymentRequested,
    state::{Agency, Award, Ledger, Member, Payment, PaymentStatus},
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
    #[account(seeds = [LEDGER_SEED], bump = ledger.bump, constraint = !ledger.paused @ LedgerError::Paused)]
    pub ledger: Box<Account<'info, Ledger>>,
    #[account(seeds = [AGENCY_SEED, agency.code.as_bytes()], bump = agency.bump)]
    pub agency: Box<Account<'info, Agency>>,
    #[account(seeds = [MEMBER_SEED, agency.key().as_ref(), authority.key().as_ref()], bump = member.bump)]
    pub member: Box<Account<'info, Member>>,
    #[account(
        mut,
        seeds = [AWARD_SEED, agency.key().as_ref(), award.award_id.as_bytes()],
        bump = award.bump,
        has_one = agency @ LedgerError::WrongAgency,
    )]
    pub award: Box<Account<'info, Award>>,
    #[account(
        init,
        payer = authority,
        space = Payment::SPACE,
        seeds = [PAYMENT_SEED, award.key().as_ref(), &award.payment_count.to_le_bytes()],
        bump,
    )]
    pub payment: Box<Account<'info, Payment>>,
    /// CHECK: a fresh key named by the invoice (Solana Pay style): listed read-only so that anyone can find the
    /// payment's transactions by this address; only its address is recorded.
    pub reference: UncheckedAccount<'info>,
    /// A member with the REQUEST role; pays the payment account's rent until it is archived.
    #[account(mut)]
    pub authority: Signer<'info>,
    pub system_program: Program<'info, System>,
}

impl RequestPayment<'_> {
    pub fn validate(&self, args: &PaymentArgs) -> Result<()> {
        self.agency.require_not_frozen()?;
        self.member.require_role(ROLE_REQUEST)?;
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
        .ledger
        .limits
        .bound(&ctx.accounts.agency.policy);
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
        requester: ctx.accounts.authority.key(),
        approvals_required,
        time_lock_seconds: policy.time_lock_seconds,
        requested_at: now,
        executable_at: now,
        approvals: 0,
        approver_tags: Default::default(),
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
