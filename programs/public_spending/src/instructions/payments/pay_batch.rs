use anchor_lang::prelude::*;
use anchor_spl::{
    associated_token::get_associated_token_address_with_program_id,
    memo::Memo,
    token_interface::{Mint, TokenAccount, TokenInterface},
};

use super::{
    outlay::{book, transfer_from_treasury, OutlayKeys, Transfer},
    pay_small::{take_fast_index, validate_fast_payment},
};
use crate::instructions::acting::*;
use crate::{
    constants::*,
    error::LedgerError,
    state::{Allotment, Appropriation, Award, ExclusionList, Recipient},
};

/// The remaining accounts of a batch: first its parents, an appropriation and allotment pair (both writable)
/// for each allotment its awards draw on, each pair once however many items draw on it; then, for each item in
/// order, its award (writable), recipient, and the payout wallet's associated token account for the payment mint
/// (writable; it must exist). An item finds its parents by the keys its award records, so a schedule paid from one
/// allotment names it once, not once per payment; and its recipient's UEI is looked up in the ledger's exclusion
/// list, which the batch names once, not by an exclusion address per payment.
pub const BATCH_ITEM_ACCOUNTS: usize = 3;
/// Accounts in one parent pair: an appropriation, then an allotment of it.
pub const BATCH_PARENT_ACCOUNTS: usize = 2;
/// Most items one `pay_batch` takes.
pub const MAX_BATCH_ITEMS: usize = 32;

/// One payment of a batch: what `pay_small` takes, but for its expected index, which the batch counts in its
/// sum.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchPayment {
    /// Amount in base units of the payment mint.
    pub amount: u64,
    /// sha256 of the invoice kept off chain.
    pub invoice_hash: [u8; 32],
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct PayBatchArgs {
    /// The sum of the payment indices the items take, as the sender read them: each item's award's
    /// `payment_count`, plus one for each earlier item of the batch on the same award. Payment counts only
    /// grow, so any payment to one of the batch's awards since it was read, an earlier landing of this very
    /// batch included, raises the sum: a retry of a batch that landed is refused (`StalePaymentIndex`), never
    /// paid twice. One sum instead of an index per item keeps 4 bytes per payment out of the transaction.
    pub expected_index_sum: u64,
    /// Fast-path payments, each to its own award and recipient, paid in this order.
    pub items: Vec<BatchPayment>,
}

/// A certified schedule of fast-path payments in one instruction. Each item is checked exactly as `pay_small`
/// checks its payment, gets its own `PaymentExecuted` event and its own link in the hash chain, in order; the
/// daily cap holds for the sum. Any failing item fails the whole instruction. Creates no account.
#[event_cpi]
#[derive(Accounts)]
pub struct PayBatch<'info> {
    /// A member with the EXECUTE role; pays for the recipient's token account when it is missing.
    pub acting: Acting<'info>,
    /// CHECK: the ledger's exclusion list (address and owner checked here, discriminator and layout where it is
    /// read): no item may pay a UEI on it.
    #[account(seeds = [EXCLUSION_LIST_SEED], bump, owner = crate::ID)]
    pub exclusion_list: UncheckedAccount<'info>,
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
    #[account(address = acting.ledger.token_program @ LedgerError::WrongTokenProgram)]
    pub token_program: Interface<'info, TokenInterface>,
    /// The SPL Memo program, needed only when a vendor's Token-2022 account requires memos.
    pub memo_program: Option<Program<'info, Memo>>,
}

impl PayBatch<'_> {
    pub fn validate(&self, args: &PayBatchArgs) -> Result<()> {
        self.acting.require(ROLE_EXECUTE)?;
        require!(
            !args.items.is_empty() && args.items.len() <= MAX_BATCH_ITEMS,
            LedgerError::InvalidBatch
        );
        Ok(())
    }
}

/// A program account of this batch, loaded once however many items name it, and written back once.
struct Loaded<'a, 'info, T> {
    info: &'a AccountInfo<'info>,
    state: T,
}

/// The position of `info` among the loaded accounts, loading it (writable, owned by this program) the first
/// time: two items naming one award share one state, so a duplicated item sees the index the first one took.
fn load<'a, 'info, T: AccountDeserialize>(
    loaded: &mut Vec<Loaded<'a, 'info, T>>,
    info: &'a AccountInfo<'info>,
) -> Result<usize> {
    if let Some(at) = loaded.iter().position(|l| l.info.key == info.key) {
        return Ok(at);
    }
    require_keys_eq!(
        *info.owner,
        crate::ID,
        ErrorCode::AccountOwnedByWrongProgram
    );
    require!(info.is_writable, ErrorCode::ConstraintMut);
    let state = T::try_deserialize(&mut &info.try_borrow_data()?[..])?;
    loaded.push(Loaded { info, state });
    Ok(loaded.len().saturating_sub(1))
}

fn store<T: AccountSerialize>(loaded: &[Loaded<T>]) -> Result<()> {
    for l in loaded {
        l.state
            .try_serialize(&mut &mut l.info.try_borrow_mut_data()?[..])?;
    }
    Ok(())
}

pub fn handler<'info>(ctx: Context<'info, PayBatch<'info>>, args: PayBatchArgs) -> Result<()> {
    let accounts = ctx.remaining_accounts;
    let item_accounts = args.items.len().saturating_mul(BATCH_ITEM_ACCOUNTS);
    require!(accounts.len() > item_accounts, LedgerError::InvalidBatch);
    let (parents, items) = accounts.split_at(accounts.len().saturating_sub(item_accounts));
    // (`chunks_exact` rather than `is_multiple_of`, which the SBF toolchain's compiler may not have.)
    require!(
        parents
            .chunks_exact(BATCH_PARENT_ACCOUNTS)
            .remainder()
            .is_empty(),
        LedgerError::InvalidBatch
    );
    let now = Clock::get()?.unix_timestamp;
    let agency_key = ctx.accounts.acting.agency.key();
    let mint = ctx.accounts.payment_mint.key();
    let token_program = ctx.accounts.token_program.key();
    let mut appropriations: Vec<Loaded<Appropriation>> = Vec::new();
    let mut allotments: Vec<Loaded<Allotment>> = Vec::new();
    let mut awards: Vec<Loaded<Award>> = Vec::new();

    // Every parent belongs to this agency, and every allotment to the appropriation paired with it.
    for pair in parents.chunks_exact(BATCH_PARENT_ACCOUNTS) {
        let [appropriation, allotment] = pair else {
            return err!(LedgerError::InvalidBatch);
        };
        let p = load(&mut appropriations, appropriation)?;
        let l = load(&mut allotments, allotment)?;
        require_keys_eq!(
            appropriations[p].state.agency,
            agency_key,
            LedgerError::WrongAgency
        );
        require_keys_eq!(
            allotments[l].state.appropriation,
            *appropriation.key,
            LedgerError::WrongParent
        );
    }

    // Before anything is paid: the indices the items will take add up to the sum the sender read.
    let mut taken: Vec<u32> = Vec::new();
    let mut index_sum: u64 = 0;
    for chunk in items.chunks_exact(BATCH_ITEM_ACCOUNTS) {
        let [award, ..] = chunk else {
            return err!(LedgerError::InvalidBatch);
        };
        let a = load(&mut awards, award)?;
        taken.resize(awards.len(), 0);
        let index = awards[a]
            .state
            .payment_count
            .checked_add(taken[a])
            .ok_or(LedgerError::Overflow)?;
        taken[a] = taken[a].saturating_add(1);
        index_sum = index_sum
            .checked_add(u64::from(index))
            .ok_or(LedgerError::Overflow)?;
    }
    require!(
        index_sum == args.expected_index_sum,
        LedgerError::StalePaymentIndex
    );

    for (item, chunk) in args
        .items
        .iter()
        .zip(items.chunks_exact(BATCH_ITEM_ACCOUNTS))
    {
        let [award, recipient, token_account] = chunk else {
            return err!(LedgerError::InvalidBatch);
        };
        let a = load(&mut awards, award)?;
        let award_state = &awards[a].state;
        require_keys_eq!(award_state.agency, agency_key, LedgerError::WrongAgency);
        let canonical = Pubkey::create_program_address(
            &[
                AWARD_SEED,
                agency_key.as_ref(),
                award_state.award_id.as_bytes(),
                &[award_state.bump],
            ],
            &crate::ID,
        )
        .map_err(|_| error!(ErrorCode::ConstraintSeeds))?;
        require_keys_eq!(canonical, *award.key, ErrorCode::ConstraintSeeds);
        // The award's own parents, among those the batch named (each checked above).
        let l = allotments
            .iter()
            .position(|l| *l.info.key == award_state.allotment)
            .ok_or(LedgerError::WrongParent)?;
        let p = appropriations
            .iter()
            .position(|p| *p.info.key == allotments[l].state.appropriation)
            .ok_or(LedgerError::WrongParent)?;
        require_keys_eq!(
            award_state.recipient,
            *recipient.key,
            LedgerError::WrongParent
        );

        require_keys_eq!(
            *recipient.owner,
            crate::ID,
            ErrorCode::AccountOwnedByWrongProgram
        );
        let recipient_state = Recipient::try_deserialize(&mut &recipient.try_borrow_data()?[..])?;
        require!(
            !ExclusionList::lists(&ctx.accounts.exclusion_list, &recipient_state.uei)?,
            LedgerError::RecipientNotActive
        );

        let expected = get_associated_token_address_with_program_id(
            &recipient_state.payout_wallet,
            &mint,
            &token_program,
        );
        require_keys_eq!(
            expected,
            *token_account.key,
            LedgerError::WrongRecipientTokenAccount
        );
        require!(
            token_account.owner == &token_program && token_account.is_writable,
            LedgerError::WrongRecipientTokenAccount
        );
        let holder = TokenAccount::try_deserialize(&mut &token_account.try_borrow_data()?[..])
            .map_err(|_| error!(LedgerError::WrongRecipientTokenAccount))?;
        require!(
            holder.owner == recipient_state.payout_wallet && holder.mint == mint,
            LedgerError::WrongRecipientTokenAccount
        );

        validate_fast_payment(
            item.amount,
            &item.invoice_hash,
            &ctx.accounts.acting.agency,
            &awards[a].state,
            &ctx.accounts.acting.ledger.limits,
        )?;
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
            .charge_fast_path(item.amount, now, daily_cap)?;
        // A batch item has no Solana Pay reference of its own: the batch transaction is found by its awards.
        let terms = take_fast_index(
            item.amount,
            item.invoice_hash,
            &mut awards[a].state,
            *award.key,
            Pubkey::default(),
        )?;
        let event = book(
            (
                &mut ctx.accounts.acting.agency,
                &mut appropriations[p].state,
                &mut allotments[l].state,
                &mut awards[a].state,
            ),
            OutlayKeys {
                agency: agency_key,
                award: *award.key,
                recipient: *recipient.key,
                recipient_token_account: *token_account.key,
                executor: ctx.accounts.acting.authority.key(),
            },
            terms,
            now,
        )?;
        transfer_from_treasury(
            &ctx.accounts.acting.agency,
            ctx.accounts.treasury.to_account_info(),
            &ctx.accounts.payment_mint,
            token_program,
            ctx.accounts
                .memo_program
                .as_ref()
                .map(|p| p.to_account_info()),
            Transfer {
                to: token_account.clone(),
                amount: item.amount,
                invoice_hash: &item.invoice_hash,
            },
        )?;
        emit_cpi!(event);
    }
    store(&appropriations)?;
    store(&allotments)?;
    store(&awards)
}
