use anchor_lang::prelude::*;

use crate::{
    constants::*,
    error::LedgerError,
    events::PropertyRegistered,
    state::{is_printable_ascii, Agency, Ledger, Member, Property, PropertyDetails},
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
    #[account(seeds = [LEDGER_SEED], bump = ledger.bump, constraint = !ledger.paused @ LedgerError::Paused)]
    pub ledger: Box<Account<'info, Ledger>>,
    #[account(seeds = [AGENCY_SEED, agency.code.as_bytes()], bump = agency.bump)]
    pub agency: Box<Account<'info, Agency>>,
    #[account(seeds = [MEMBER_SEED, agency.key().as_ref(), authority.key().as_ref()], bump = member.bump)]
    pub member: Box<Account<'info, Member>>,
    #[account(
        init,
        payer = authority,
        space = Property::SPACE,
        seeds = [PROPERTY_SEED, agency.key().as_ref(), args.rpuid.as_bytes()],
        bump,
    )]
    pub property: Box<Account<'info, Property>>,
    /// A member with the PROPERTY role; pays for the property account.
    #[account(mut)]
    pub authority: Signer<'info>,
    pub system_program: Program<'info, System>,
}

impl RegisterProperty<'_> {
    pub fn validate(&self, args: &RegisterPropertyArgs) -> Result<()> {
        self.agency.require_not_frozen()?;
        self.member.require_role(ROLE_PROPERTY)?;
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
        agency: ctx.accounts.agency.key(),
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
        by: ctx.accounts.authority.key(),
    });
    Ok(())
}
