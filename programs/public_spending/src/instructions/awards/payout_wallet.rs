use anchor_lang::prelude::*;

use crate::instructions::acting::*;
use crate::{
    constants::*,
    error::LedgerError,
    events::{PayoutWalletConfirmed, PayoutWalletProposed},
    state::Recipient,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct ProposePayoutWalletArgs {
    pub new_wallet: Pubkey,
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct ConfirmPayoutWalletArgs {
    /// The wallet the confirming member reviewed: refused if the pending proposal names another.
    pub wallet: Pubkey,
}

/// `propose_payout_wallet` and `confirm_payout_wallet` share these accounts: an OBLIGATE member of the
/// recipient's own agency. The change takes two members and the agency's time lock, the control against the
/// "please update our bank details" fraud.
#[event_cpi]
#[derive(Accounts)]
pub struct ChangePayoutWallet<'info> {
    pub acting: Acting<'info>,
    #[account(
        mut,
        seeds = [RECIPIENT_SEED, recipient.agency.as_ref(), &recipient.uei],
        bump = recipient.bump,
        constraint = recipient.agency == acting.agency.key() @ LedgerError::WrongAgency,
    )]
    pub recipient: Box<Account<'info, Recipient>>,
}

impl ChangePayoutWallet<'_> {
    pub fn validate(&self) -> Result<()> {
        self.acting.require(ROLE_OBLIGATE)
    }
}

/// Proposes a new payout wallet; a later proposal replaces an earlier one and restarts the time lock.
pub fn propose(ctx: Context<ChangePayoutWallet>, args: ProposePayoutWalletArgs) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let time_lock = i64::from(ctx.accounts.acting.agency.policy.time_lock_seconds);
    let recipient = &mut ctx.accounts.recipient;
    require!(
        args.new_wallet != Pubkey::default(),
        LedgerError::InvalidPayoutWallet
    );
    require!(
        args.new_wallet != recipient.payout_wallet,
        LedgerError::PayoutWalletUnchanged
    );
    recipient.pending_payout_wallet = args.new_wallet;
    recipient.proposed_by = ctx.accounts.acting.authority.key();
    recipient.proposed_at = now;
    emit_cpi!(PayoutWalletProposed {
        agency: recipient.agency,
        recipient: recipient.key(),
        uei: recipient.uei,
        payout_wallet: recipient.payout_wallet,
        proposed_wallet: args.new_wallet,
        proposed_by: recipient.proposed_by,
        confirmable_at: now.checked_add(time_lock).ok_or(LedgerError::Overflow)?,
    });
    Ok(())
}

/// A second OBLIGATE member confirms the wallet it reviewed, once the agency's time lock has passed since the
/// proposal. Payments
/// requested before the change are refused at execution (`PayoutWalletChanged`), never redirected.
pub fn confirm(ctx: Context<ChangePayoutWallet>, args: ConfirmPayoutWalletArgs) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let time_lock = i64::from(ctx.accounts.acting.agency.policy.time_lock_seconds);
    let confirmer = ctx.accounts.acting.authority.key();
    let recipient = &mut ctx.accounts.recipient;
    require!(
        recipient.pending_payout_wallet != Pubkey::default(),
        LedgerError::NoPendingPayoutWallet
    );
    require!(
        recipient.proposed_by != confirmer,
        LedgerError::ProposerCannotConfirm
    );
    require!(
        recipient.pending_payout_wallet == args.wallet,
        LedgerError::PayoutWalletMismatch
    );
    let confirmable_at = recipient
        .proposed_at
        .checked_add(time_lock)
        .ok_or(LedgerError::Overflow)?;
    require!(now >= confirmable_at, LedgerError::WalletTimeLockActive);
    let previous = recipient.payout_wallet;
    recipient.payout_wallet = recipient.pending_payout_wallet;
    recipient.payout_changed_at = now;
    recipient.payout_change_count = recipient
        .payout_change_count
        .checked_add(1)
        .ok_or(LedgerError::Overflow)?;
    let proposed_by = recipient.proposed_by;
    recipient.pending_payout_wallet = Pubkey::default();
    recipient.proposed_by = Pubkey::default();
    recipient.proposed_at = 0;
    recipient.invariant()?;
    emit_cpi!(PayoutWalletConfirmed {
        agency: recipient.agency,
        recipient: recipient.key(),
        uei: recipient.uei,
        previous_wallet: previous,
        payout_wallet: recipient.payout_wallet,
        proposed_by,
        confirmed_by: confirmer,
    });
    Ok(())
}
