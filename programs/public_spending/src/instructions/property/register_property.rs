use anchor_lang::prelude::*;

use crate::instructions::acting::*;
use crate::{
    constants::*,
    error::LedgerError,
    events::PropertyRegistered,
    state::{is_printable_ascii, Property, PropertyDetails},
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct RegisterPropertyArgs {
    /// Real property unique id, 1 to 24 printable ASCII characters, unique within the agency.
    pub rpuid: String,
    pub details: PropertyDetails,
}

#[event_cpi]
#[derive(Accounts)]
#[instruction(args: RegisterPropertyArgs)]
pub struct RegisterProperty<'info> {
    pub acting: Acting<'info>,
    #[account(
        init,
        payer = acting.authority,
        space = Property::SPACE,
        seeds = [PROPERTY_SEED, acting.agency.key().as_ref(), args.rpuid.as_bytes()],
        bump,
    )]
    pub property: Box<Account<'info, Property>>,
    pub system_program: Program<'info, System>,
}

impl RegisterProperty<'_> {
    pub fn validate(&self, args: &RegisterPropertyArgs) -> Result<()> {
        self.acting.require(ROLE_PROPERTY)?;
        require!(
            is_printable_ascii(&args.rpuid, MAX_RPUID_LEN),
            LedgerError::InvalidRpuid
        );
        args.details.validate()
    }
}

pub fn handler(ctx: Context<RegisterProperty>, args: RegisterPropertyArgs) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let property = &mut ctx.accounts.property;
    property.set_inner(Property {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.property,
        agency: ctx.accounts.acting.agency.key(),
        rpuid: args.rpuid,
        details: args.details,
        registered_at: now,
        updated_at: now,
        update_count: 0,
        disposition_date: 0,
        disposition_method: None,
    });
    property.invariant()?;
    emit_cpi!(PropertyRegistered {
        agency: property.agency,
        property: property.key(),
        rpuid: property.rpuid.clone(),
        details: property.details.clone(),
        by: ctx.accounts.acting.authority.key(),
    });
    Ok(())
}
