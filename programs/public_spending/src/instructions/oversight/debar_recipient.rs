use anchor_lang::prelude::*;

use crate::{
    constants::*,
    error::LedgerError,
    events::RecipientStatusSet,
    state::{Ledger, Recipient, RecipientStatus},
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct SetRecipientStatusArgs {
    /// `Suspended` or `Debarred` bar the recipient from payments and new awards; `Active` reinstates it.
    pub status: RecipientStatus,
}

#[event_cpi]
#[derive(Accounts)]
pub struct DebarRecipient<'info> {
    #[account(
        seeds = [LEDGER_SEED],
        bump = ledger.bump,
        constraint = !ledger.paused @ LedgerError::Paused,
        constraint = ledger.is_auditor(&auditor.key()) @ LedgerError::NotAuditor,
    )]
    pub ledger: Box<Account<'info, Ledger>>,
    #[account(mut, seeds = [RECIPIENT_SEED, &recipient.uei], bump = recipient.bump)]
    pub recipient: Box<Account<'info, Recipient>>,
    pub auditor: Signer<'info>,
}

impl DebarRecipient<'_> {
    pub fn validate(&self, args: &SetRecipientStatusArgs) -> Result<()> {
        require!(
            self.recipient.status != args.status,
            LedgerError::RecipientStatusUnchanged
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<DebarRecipient>, args: SetRecipientStatusArgs) -> Result<()> {
    let recipient = &mut ctx.accounts.recipient;
    recipient.status = args.status;
    recipient.invariant()?;
    emit_cpi!(RecipientStatusSet {
        recipient: recipient.key(),
        status: args.status,
        auditor: ctx.accounts.auditor.key(),
    });
    Ok(())
}
