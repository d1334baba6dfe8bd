use anchor_lang::prelude::*;

use crate::instructions::acting::*;
use crate::{
    constants::*,
    error::LedgerError,
    events::{PropertyDisposed, PropertyUpdated},
    state::{DispositionMethod, Property, PropertyDetails, PropertyStatus},
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct DisposePropertyArgs {
    /// When the agency gave the property up (unix seconds).
    pub disposition_date: i64,
    pub method: DispositionMethod,
}

/// `update_property` and `dispose_property` share these accounts: a PROPERTY member of the property's agency
/// changes a property that is not disposed.
#[event_cpi]
#[derive(Accounts)]
pub struct ChangeProperty<'info> {
    pub acting: Acting<'info>,
    #[account(
        mut,
        seeds = [PROPERTY_SEED, property.agency.as_ref(), property.rpuid.as_bytes()],
        bump = property.bump,
        constraint = property.agency == acting.agency.key() @ LedgerError::WrongAgency,
    )]
    pub property: Box<Account<'info, Property>>,
}

impl ChangeProperty<'_> {
    pub fn validate(&self) -> Result<()> {
        self.acting.require(ROLE_PROPERTY)?;
        self.property.require_not_disposed()
    }

    fn touch(&mut self, now: i64) -> Result<()> {
        let property = &mut self.property;
        property.updated_at = now;
        property.update_count = property
            .update_count
            .checked_add(1)
            .ok_or(LedgerError::Overflow)?;
        property.invariant()
    }
}

pub fn update(ctx: Context<ChangeProperty>, details: PropertyDetails) -> Result<()> {
    details.validate()?;
    ctx.accounts.property.details = details;
    ctx.accounts.touch(Clock::get()?.unix_timestamp)?;
    let property = &ctx.accounts.property;
    emit_cpi!(PropertyUpdated {
        agency: property.agency,
        property: property.key(),
        details: property.details.clone(),
        by: ctx.accounts.acting.authority.key(),
    });
    Ok(())
}

/// Final: a disposed property can never change again.
pub fn dispose(ctx: Context<ChangeProperty>, args: DisposePropertyArgs) -> Result<()> {
    let property = &mut ctx.accounts.property;
    property
        .details
        .require_disposable_on(args.disposition_date)?;
    property.details.status = PropertyStatus::Disposed;
    property.disposition_date = args.disposition_date;
    property.disposition_method = Some(args.method);
    ctx.accounts.touch(Clock::get()?.unix_timestamp)?;
    let property = &ctx.accounts.property;
    emit_cpi!(PropertyDisposed {
        agency: property.agency,
        property: property.key(),
        disposition_date: args.disposition_date,
        method: args.method,
        by: ctx.accounts.acting.authority.key(),
    });
    Ok(())
}
