//! Execution shared by `execute_payment`, `pay_small` and `pay_batch`: move the tokens out of the treasury, raise
//! the outlayed totals at every level, and fold the payment into the agency's outlay hash chain.

use anchor_lang::prelude::*;
use anchor_spl::{
    associated_token::{
        create_idempotent, get_associated_token_address_with_program_id, AssociatedToken, Create,
    },
    memo::{build_memo, BuildMemo, Memo},
    token_2022::spl_token_2022::{
        self,
        extension::{
            memo_transfer::memo_required, transfer_fee::TransferFeeConfig, BaseStateWithExtensions,
            StateWithExtensions,
        },
        state::{Account as Token2022Account, Mint as Token2022Mint},
    },
    token_interface::{transfer_checked, Mint, TokenAccount, TokenInterface, TransferChecked},
};

use crate::{
    constants::AGENCY_SEED,
    error::LedgerError,
    events::PaymentExecuted,
    state::{fold_outlay_hash, Agency, Allotment, Appropriation, Award, PaymentRecord},
};

/// What is paid: the payment's terms, whether it went through the approval path (its amount is then reserved
/// in `award.in_flight`) or the fast path (no account, nothing reserved).
#[derive(Clone, Copy, Debug)]
pub struct OutlayTerms {
    /// The payment's address `["payment", award, index]`: a live account on the approval path, only a name on
    /// the fast path (nothing is ever created there).
    pub payment: Pubkey,
    pub index: u32,
    pub amount: u64,
    pub invoice_hash: [u8; 32],
    pub reference: Pubkey,
    pub fast_path: bool,
}

/// The accounts an outlay touches, borrowed from the instruction's account struct.
pub struct Outlay<'a, 'info> {
    pub agency: &'a mut Account<'info, Agency>,
    pub appropriation: &'a mut Account<'info, Appropriation>,
    pub allotment: &'a mut Account<'info, Allotment>,
    pub award: &'a mut Account<'info, Award>,
    pub recipient: Pubkey,
    pub payment_mint: &'a InterfaceAccount<'info, Mint>,
    pub treasury: &'a InterfaceAccount<'info, TokenAccount>,
    pub recipient_token_account: &'a UncheckedAccount<'info>,
    pub payout_wallet: &'a UncheckedAccount<'info>,
    pub token_program: &'a Interface<'info, TokenInterface>,
    /// The SPL Memo program, needed only when the vendor's Token-2022 account requires memos.
    pub memo_program: Option<&'a Program<'info, Memo>>,
    pub associated_token_program: &'a Program<'info, AssociatedToken>,
    pub system_program: &'a Program<'info, System>,
    /// Signs, and pays for the recipient's token account if it is missing.
    pub executor: &'a Signer<'info>,
}

/// The keys an outlay names, besides the accounts it changes.
#[derive(Clone, Copy, Debug)]
pub struct OutlayKeys {
    pub agency: Pubkey,
    pub award: Pubkey,
    pub recipient: Pubkey,
    pub recipient_token_account: Pubkey,
    pub executor: Pubkey,
}

/// Books an outlay: raises the outlayed totals at every level (releasing the amount from the award's in-flight
/// total on the approval path), folds the record into the agency's outlay hash chain, checks every invariant,
/// and returns the event. Moves no tokens: see [`transfer_from_treasury`].
pub fn book(
    (agency, appropriation, allotment, award): (
        &mut Agency,
        &mut Appropriation,
        &mut Allotment,
        &mut Award,
    ),
    keys: OutlayKeys,
    terms: OutlayTerms,
    now: i64,
) -> Result<PaymentExecuted> {
    let amount = terms.amount;
    if !terms.fast_path {
        award.in_flight = award
            .in_flight
            .checked_sub(amount)
            .ok_or(LedgerError::InvariantViolated)?;
    }
    award.outlayed = award
        .outlayed
        .checked_add(amount)
        .ok_or(LedgerError::Overflow)?;
    allotment.outlayed = allotment
        .outlayed
        .checked_add(amount)
        .ok_or(LedgerError::Overflow)?;
    appropriation.outlayed = appropriation
        .outlayed
        .checked_add(amount)
        .ok_or(LedgerError::Overflow)?;
    agency.outlayed = agency
        .outlayed
        .checked_add(amount)
        .ok_or(LedgerError::Overflow)?;

    let record = PaymentRecord {
        sequence: agency.outlay_count,
        agency: keys.agency,
        award: keys.award,
        payment_index: terms.index,
        recipient: keys.recipient,
        recipient_token_account: keys.recipient_token_account,
        amount,
        invoice_hash: terms.invoice_hash,
        reference: terms.reference,
        executed_at: now,
    };
    let previous_outlay_hash = agency.outlay_hash;
    agency.outlay_hash = fold_outlay_hash(&previous_outlay_hash, &record);
    agency.outlay_count = agency
        .outlay_count
        .checked_add(1)
        .ok_or(LedgerError::Overflow)?;

    award.invariant()?;
    allotment.invariant()?;
    appropriation.invariant()?;
    agency.invariant()?;
    Ok(PaymentExecuted {
        payment: terms.payment,
        fast_path: terms.fast_path,
        executor: keys.executor,
        record,
        award_outlayed: award.outlayed,
        allotment_outlayed: allotment.outlayed,
        appropriation_outlayed: appropriation.outlayed,
        agency_outlayed: agency.outlayed,
        previous_outlay_hash,
        outlay_hash: agency.outlay_hash,
    })
}

/// One payment out of the treasury: `amount` to the token account `to`, naming `invoice_hash`.
pub struct Transfer<'a, 'info> {
    pub to: AccountInfo<'info>,
    pub amount: u64,
    pub invoice_hash: &'a [u8; 32],
}

/// Moves a payment from the agency's treasury, signed by the agency PDA. On a Token-2022 mint it first
/// checks [`token_2022_terms`] and sends the memo the vendor's account may require.
pub fn transfer_from_treasury<'info>(
    agency: &Account<'info, Agency>,
    treasury: AccountInfo<'info>,
    mint: &InterfaceAccount<'info, Mint>,
    token_program: Pubkey,
    memo_program: Option<AccountInfo<'info>>,
    payment: Transfer<'_, 'info>,
) -> Result<()> {
    if token_program == spl_token_2022::ID
        && token_2022_terms(&mint.to_account_info(), &payment.to, payment.amount)?
    {
        let memo_program = memo_program.ok_or(LedgerError::MemoProgramMissing)?;
        build_memo(
            CpiContext::new(memo_program.key(), BuildMemo {}),
            &invoice_memo(payment.invoice_hash),
        )?;
    }
    let signer_seeds: &[&[u8]] = &[AGENCY_SEED, agency.code.as_bytes(), &[agency.bump]];
    transfer_checked(
        CpiContext::new_with_signer(
            token_program,
            TransferChecked {
                from: treasury,
                mint: mint.to_account_info(),
                to: payment.to,
                authority: agency.to_account_info(),
            },
            &[signer_seeds],
        ),
        payment.amount,
        mint.decimals,
    )
}

/// What a Token-2022 mint asks of a payment of `amount` to `to`. A transfer fee would leave the vendor with less
/// than the invoice while the outlay, the totals and the hash chain record the whole amount: a payment on which
/// the mint's fee for the current epoch is not zero is refused (`TransferFeeCharged`), so what left the treasury
/// and what the vendor received are always the amount recorded. Returns whether `to` requires a memo on
/// incoming transfers.
fn token_2022_terms(mint: &AccountInfo, to: &AccountInfo, amount: u64) -> Result<bool> {
    {
        let data = mint.try_borrow_data()?;
        let mint = StateWithExtensions::<Token2022Mint>::unpack(&data)
            .map_err(|_| LedgerError::UnsupportedMintExtension)?;
        if let Ok(config) = mint.get_extension::<TransferFeeConfig>() {
            let epoch = Clock::get()?.epoch;
            require!(
                config.calculate_epoch_fee(epoch, amount) == Some(0),
                LedgerError::TransferFeeCharged
            );
        }
    }
    let data = to.try_borrow_data()?;
    let account = StateWithExtensions::<Token2022Account>::unpack(&data)
        .map_err(|_| LedgerError::WrongRecipientTokenAccount)?;
    Ok(memo_required(&account))
}

/// The memo a payment carries where the vendor's account requires one: its invoice hash in hex.
fn invoice_memo(invoice_hash: &[u8; 32]) -> [u8; 64] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut memo = [0u8; 64];
    for (pair, byte) in memo.chunks_exact_mut(2).zip(invoice_hash) {
        pair.copy_from_slice(&[HEX[usize::from(byte >> 4)], HEX[usize::from(byte & 0x0f)]]);
    }
    memo
}

impl Outlay<'_, '_> {
    /// Pays `terms` and returns the event describing it. On the approval path the amount must already be
    /// counted in `award.in_flight`, and is released from it.
    pub fn execute(self, now: i64, terms: OutlayTerms) -> Result<PaymentExecuted> {
        self.ensure_recipient_token_account()?;
        let keys = OutlayKeys {
            agency: self.agency.key(),
            award: self.award.key(),
            recipient: self.recipient,
            recipient_token_account: self.recipient_token_account.key(),
            executor: self.executor.key(),
        };
        let event = book(
            (
                &mut **self.agency,
                &mut **self.appropriation,
                &mut **self.allotment,
                &mut **self.award,
            ),
            keys,
            terms,
            now,
        )?;
        transfer_from_treasury(
            self.agency,
            self.treasury.to_account_info(),
            self.payment_mint,
            self.token_program.key(),
            self.memo_program.map(|p| p.to_account_info()),
            Transfer {
                to: self.recipient_token_account.to_account_info(),
                amount: terms.amount,
                invoice_hash: &terms.invoice_hash,
            },
        )?;
        Ok(event)
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
