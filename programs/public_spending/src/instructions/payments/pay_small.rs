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
        require_not_excluded, Agency, Allotment, Appropriation, Award, LedgerLimits, Recipient,
    },
};

/// A fast-path payment: below the approval threshold, within the sliding daily cap.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct FastPaymentArgs {
    /// The award's next payment index as the sender read it (`award.payment_count`). A retry of a payment
    /// that already landed names a used index and is refused (`StalePaymentIndex`): never paid twice.
    pub expected_index: u32,
    /// Amount in base units of the payment mint.
    pub amount: u64,
    /// sha256 of the invoice kept off chain.
    pub invoice_hash: [u8; 32],
}

impl FastPaymentArgs {
    /// Everything a fast-path payment must satisfy on its award, alone: [`validate_fast_payment`], and the
    /// award's next index is the one named.
    pub fn validate(&self, agency: &Agency, award: &Award, limits: &LedgerLimits) -> Result<()> {
        award.require_active()?;
        award.require_not_held()?;
        require!(
            self.expected_index == award.payment_count,
            LedgerError::StalePaymentIndex
        );
        validate_fast_payment(self.amount, &self.invoice_hash, agency, award, limits)
    }

    /// Takes the award's next index for this payment and returns what to pay.
    pub fn take_index(
        &self,
        award: &mut Award,
        award_key: Pubkey,
        reference: Pubkey,
    ) -> Result<OutlayTerms> {
        take_fast_index(self.amount, self.invoice_hash, award, award_key, reference)
    }
}

/// What a fast-path payment of `amount` must satisfy on its award, alone or in a batch: the award is active
/// and not held, the invoice is named, and the amount is positive, within what the award has left, and below
/// the agency's approval threshold bound by the ledger's ceiling. (The daily cap is charged on the agency:
/// `Agency::charge_fast_path`.)
pub fn validate_fast_payment(
    amount: u64,
    invoice_hash: &[u8; 32],
    agency: &Agency,
    award: &Award,
    limits: &LedgerLimits,
) -> Result<()> {
    award.require_active()?;
    award.require_not_held()?;
    require!(amount > 0, LedgerError::ZeroAmount);
    require!(*invoice_hash != [0; 32], LedgerError::InvalidInvoiceHash);
    require!(
        amount <= award.remaining()?,
        LedgerError::ExceedsAwardRemaining
    );
    require!(
        amount < limits.bound(&agency.policy).threshold,
        LedgerError::AboveFastPathThreshold
    );
    Ok(())
}

/// Takes the award's next index for a fast-path payment and returns what to pay. The payment's address
/// `["payment", award, index]` is only its name: nothing is created there.
pub fn take_fast_index(
    amount: u64,
    invoice_hash: [u8; 32],
    award: &mut Award,
    award_key: Pubkey,
    reference: Pubkey,
) -> Result<OutlayTerms> {
    let index = award.payment_count;
    award.payment_count = index.checked_add(1).ok_or(LedgerError::Overflow)?;
    let (payment, _) = Pubkey::find_program_address(
        &[PAYMENT_SEED, award_key.as_ref(), &index.to_le_bytes()],
        &crate::ID,
    );
    Ok(OutlayTerms {
        payment,
        index,
        amount,
        invoice_hash,
        reference,
        fast_path: true,
    })
}

/// The fast path: one instruction pays an invoice and creates no account. The payment's record is its
/// `PaymentExecuted` event and its link in the agency's outlay hash chain, exactly as for an archived payment.
#[event_cpi]
#[derive(Accounts)]
pub struct PaySmall<'info> {
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
    /// CHECK: a fresh key named by the invoice (Solana Pay style): listed read-only so that anyone can find the
    /// payment's transactions by this address; only its address is recorded.
    pub reference: UncheckedAccount<'info>,
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

impl PaySmall<'_> {
    pub fn validate(&self, args: &FastPaymentArgs) -> Result<()> {
        self.acting.require(ROLE_EXECUTE)?;
        require_not_excluded(&self.exclusion)?;
        args.validate(&self.acting.agency, &self.award, &self.acting.ledger.limits)
    }
}

pub fn handler(ctx: Context<PaySmall>, args: FastPaymentArgs) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let daily_cap = ctx
        .accounts
        .acting
        .ledger
        .limits
        .bound(&ctx.accounts.acting.agency.policy)
        .fast_path_daily_cap;
    ctx.accounts
        .acting
        .agency
        .charge_fast_path(args.amount, now, daily_cap)?;
    let award_key = ctx.accounts.award.key();
    let terms = args.take_index(
        &mut ctx.accounts.award,
        award_key,
        ctx.accounts.reference.key(),
    )?;
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
    emit_cpi!(event);
    Ok(())
}
