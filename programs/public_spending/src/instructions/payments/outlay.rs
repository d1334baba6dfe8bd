//! Execution shared by `execute_payment` and `pay_small`: move the tokens out of the treasury, raise the outlayed
//! totals at every level, and fold the payment into the agency's outlay hash chain.

use anchor_lang::prelude::*;
use anchor_spl::{
    associated_token::{
        create_idempotent, get_associated_token_address_with_program_id, AssociatedToken, Create,
    },
    token_interface::{transfer_checked, Mint, TokenAccount, TokenInterface, TransferChecked},
};

use crate::{
    constants::AGENCY_SEED,
    error::LedgerError,
    events::PaymentExecuted,
    state::{
        fold_outlay_hash, Agency, Allotment, Appropriation, Award, Payment, PaymentRecord,
        PaymentStatus,
    },
};

/// The accounts an outlay touches, borrowed from the instruction's account struct.
pub struct Outlay<'a, 'info> {
    pub agency: &'a mut Account<'info, Agency>,
    pub appropriation: &'a mut Account<'info, Appropriation>,
    pub allotment: &'a mut Account<'info, Allotment>,
    pub award: &'a mut Account<'info, Award>,
    pub payment: &'a mut Account<'info, Payment>,
    pub recipient: Pubkey,
    pub payment_mint: &'a InterfaceAccount<'info, Mint>,
    pub treasury: &'a InterfaceAccount<'info, TokenAccount>,
    pub recipient_token_account: &'a UncheckedAccount<'info>,
    pub payout_wallet: &'a UncheckedAccount<'info>,
    pub token_program: &'a Interface<'info, TokenInterface>,
    pub associated_token_program: &'a Program<'info, AssociatedToken>,
    pub system_program: &'a Program<'info, System>,
    /// Signs, and pays for the recipient's token account if it is missing.
    pub executor: &'a Signer<'info>,
}

impl Outlay<'_, '_> {
    /// Pays `payment.amount` and returns the event describing it. The payment's amount must already be counted
    /// in `award.in_flight`.
    pub fn execute(self, now: i64) -> Result<PaymentExecuted> {
        self.ensure_recipient_token_account()?;
        let amount = self.payment.amount;
        let award = self.award;
        award.in_flight = award
            .in_flight
            .checked_sub(amount)
            .ok_or(LedgerError::InvariantViolated)?;
        award.outlayed = award
            .outlayed
            .checked_add(amount)
            .ok_or(LedgerError::Overflow)?;
        self.allotment.outlayed = self
            .allotment
            .outlayed
            .checked_add(amount)
            .ok_or(LedgerError::Overflow)?;
        self.appropriation.outlayed = self
            .appropriation
            .outlayed
            .checked_add(amount)
            .ok_or(LedgerError::Overflow)?;
        let agency = self.agency;
        agency.outlayed = agency
            .outlayed
            .checked_add(amount)
            .ok_or(LedgerError::Overflow)?;

        let record = PaymentRecord {
            sequence: agency.outlay_count,
            agency: agency.key(),
            award: award.key(),
            payment_index: self.payment.index,
            recipient: self.recipient,
            recipient_token_account: self.recipient_token_account.key(),
            amount,
            invoice_hash: self.payment.invoice_hash,
            reference: self.payment.reference,
            executed_at: now,
        };
        let previous_outlay_hash = agency.outlay_hash;
        agency.outlay_hash = fold_outlay_hash(&previous_outlay_hash, &record);
        agency.outlay_count = agency
            .outlay_count
            .checked_add(1)
            .ok_or(LedgerError::Overflow)?;

        let payment = self.payment;
        payment.status = PaymentStatus::Executed;
        payment.executed_at = now;

        let signer_seeds: &[&[u8]] = &[AGENCY_SEED, agency.code.as_bytes(), &[agency.bump]];
        transfer_checked(
            CpiContext::new_with_signer(
                self.token_program.key(),
                TransferChecked {
                    from: self.treasury.to_account_info(),
                    mint: self.payment_mint.to_account_info(),
                    to: self.recipient_token_account.to_account_info(),
                    authority: agency.to_account_info(),
                },
                &[signer_seeds],
            ),
            amount,
            self.payment_mint.decimals,
        )?;

        award.invariant()?;
        self.allotment.invariant()?;
        self.appropriation.invariant()?;
        agency.invariant()?;
        payment.invariant()?;
        Ok(PaymentExecuted {
            payment: payment.key(),
            fast_path: payment.fast_path,
            executor: self.executor.key(),
            record,
            award_outlayed: award.outlayed,
            allotment_outlayed: self.allotment.outlayed,
            appropriation_outlayed: self.appropriation.outlayed,
            agency_outlayed: agency.outlayed,
            previous_outlay_hash,
            outlay_hash: agency.outlay_hash,
        })
    }

    /// Creates the payout wallet's associated token account when missing. Runs in the handler, after every
    /// account constraint has passed, so that a wrong mint or wallet is refused before any CPI.
    fn ensure_recipient_token_account(&self) -> Result<()> {
        let account = self.recipient_token_account.to_account_info();
        let expected = get_associated_token_address_with_program_id(
            self.payout_wallet.key,
            &self.payment_mint.key(),
            &self.token_program.key(),
        );
        require_keys_eq!(
            account.key(),
            expected,
            LedgerError::WrongRecipientTokenAccount
        );
        if account.data_is_empty() {
            create_idempotent(CpiContext::new(
                self.associated_token_program.key(),
                Create {
                    payer: self.executor.to_account_info(),
                    associated_token: account.clone(),
                    authority: self.payout_wallet.to_account_info(),
                    mint: self.payment_mint.to_account_info(),
                    system_program: self.system_program.to_account_info(),
                    token_program: self.token_program.to_account_info(),
                },
            ))?;
        }
        require_keys_eq!(
            *account.owner,
            self.token_program.key(),
            LedgerError::WrongRecipientTokenAccount
        );
        let token_account = TokenAccount::try_deserialize(&mut &account.try_borrow_data()?[..])?;
        require!(
            token_account.owner == self.payout_wallet.key()
                && token_account.mint == self.payment_mint.key(),
            LedgerError::WrongRecipientTokenAccount
        );
        Ok(())
    }
}
