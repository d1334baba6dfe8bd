use anchor_lang::prelude::*;

use crate::instructions::acting::*;
use crate::{
    constants::*,
    error::LedgerError,
    events::RecipientRegistered,
    state::{is_printable_ascii, validate_uei, Recipient, RecipientKind},
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct RegisterRecipientArgs {
    /// Unique Entity ID: exactly 12 upper-case letters or digits.
    pub uei: [u8; UEI_LEN],
    pub kind: RecipientKind,
    /// Legal name of a business or government; must be empty for an individual.
    pub name: String,
    /// For an individual only: sha256(agency salt || name), computed off chain by the SDK.
    pub name_hash: [u8; 32],
    pub payout_wallet: Pubkey,
}

#[event_cpi]
#[derive(Accounts)]
#[instruction(args: RegisterRecipientArgs)]
pub struct RegisterRecipient<'info> {
    pub acting: Acting<'info>,
    #[account(init, payer = acting.authority, space = Recipient::SPACE, seeds = [RECIPIENT_SEED, acting.agency.key().as_ref(), &args.uei], bump)]
    pub recipient: Box<Account<'info, Recipient>>,
    pub system_program: Program<'info, System>,
}

impl RegisterRecipient<'_> {
    pub fn validate(&self, args: &RegisterRecipientArgs) -> Result<()> {
        self.acting.require(ROLE_OBLIGATE)?;
        validate_uei(&args.uei)?;
        if args.kind == RecipientKind::Individual {
            require!(args.name.is_empty(), LedgerError::InvalidRecipientName);
            require!(args.name_hash != [0; 32], LedgerError::InvalidNameHash);
        } else {
            require!(
                is_printable_ascii(&args.name, MAX_RECIPIENT_NAME_LEN),
                LedgerError::InvalidRecipientName
            );
            require!(args.name_hash == [0; 32], LedgerError::InvalidNameHash);
        }
        require!(
            args.payout_wallet != Pubkey::default(),
            LedgerError::InvalidPayoutWallet
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<RegisterRecipient>, args: RegisterRecipientArgs) -> Result<()> {
    let recipient = &mut ctx.accounts.recipient;
    recipient.set_inner(Recipient {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.recipient,
        agency: ctx.accounts.acting.agency.key(),
        uei: args.uei,
        kind: args.kind,
        payout_wallet: args.payout_wallet,
        registered_at: Clock::get()?.unix_timestamp,
        name_hash: args.name_hash,
        name: args.name,
        ..Recipient::default()
    });
    recipient.invariant()?;
    emit_cpi!(RecipientRegistered {
        recipient: recipient.key(),
        uei: recipient.uei,
        kind: recipient.kind,
        name: recipient.name.clone(),
        name_hash: recipient.name_hash,
        payout_wallet: recipient.payout_wallet,
        agency: recipient.agency,
    });
    Ok(())
}
