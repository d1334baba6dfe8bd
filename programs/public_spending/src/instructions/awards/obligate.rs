use anchor_lang::prelude::*;

use crate::instructions::acting::*;
use crate::{
    constants::*,
    error::LedgerError,
    events::AwardObligated,
    state::{
        is_printable_ascii, require_not_excluded, validate_object_class, Allotment, Appropriation,
        Award, AwardStatus, AwardType, Property, Recipient,
    },
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct ObligateArgs {
    /// PIID or FAIN, 1 to 32 printable ASCII characters, unique within the agency.
    pub award_id: String,
    pub award_type: AwardType,
    /// Object class code, 3 ASCII digits.
    pub object_class: [u8; OBJECT_CLASS_LEN],
    /// Obligation in base units of the payment mint.
    pub amount: u64,
    pub period_start: i64,
    pub period_end: i64,
    /// sha256 of the award document kept off chain.
    pub document_hash: [u8; 32],
}

#[event_cpi]
#[derive(Accounts)]
#[instruction(args: ObligateArgs)]
pub struct Obligate<'info> {
    pub acting: Acting<'info>,
    #[account(mut, constraint = appropriation.agency == acting.agency.key() @ LedgerError::WrongAgency)]
    pub appropriation: Box<Account<'info, Appropriation>>,
    #[account(
        mut,
        constraint = allotment.agency == acting.agency.key() @ LedgerError::WrongAgency,
        has_one = appropriation @ LedgerError::WrongParent,
    )]
    pub allotment: Box<Account<'info, Allotment>>,
    #[account(
        seeds = [RECIPIENT_SEED, recipient.agency.as_ref(), &recipient.uei],
        bump = recipient.bump,
        constraint = recipient.agency == acting.agency.key() @ LedgerError::WrongAgency,
    )]
    pub recipient: Box<Account<'info, Recipient>>,
    /// CHECK: the canonical `["exclusion", uei]` address; refused when it holds an exclusion in force.
    #[account(seeds = [EXCLUSION_SEED, &recipient.uei], bump)]
    pub exclusion: UncheckedAccount<'info>,
    /// The agency's property the award is for (rent, maintenance, construction), if any.
    pub property: Option<Box<Account<'info, Property>>>,
    #[account(
        init,
        payer = acting.authority,
        space = Award::SPACE,
        seeds = [AWARD_SEED, acting.agency.key().as_ref(), args.award_id.as_bytes()],
        bump,
    )]
    pub award: Box<Account<'info, Award>>,
    pub system_program: Program<'info, System>,
}

impl Obligate<'_> {
    pub fn validate(&self, args: &ObligateArgs) -> Result<()> {
        self.acting.require(ROLE_OBLIGATE)?;
        self.appropriation
            .require_available(Clock::get()?.unix_timestamp)?;
        require_not_excluded(&self.exclusion)?;
        if let Some(property) = &self.property {
            require_keys_eq!(
                property.agency,
                self.acting.agency.key(),
                LedgerError::WrongAgency
            );
            property.require_not_disposed()?;
        }
        require!(
            is_printable_ascii(&args.award_id, MAX_AWARD_ID_LEN),
            LedgerError::InvalidAwardId
        );
        validate_object_class(&args.object_class)?;
        require!(args.amount > 0, LedgerError::ZeroAmount);
        require!(
            args.period_start < args.period_end,
            LedgerError::InvalidPeriodOfPerformance
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<Obligate>, args: ObligateArgs) -> Result<()> {
    let allotment = &mut ctx.accounts.allotment;
    let allotment_obligated = allotment
        .obligated
        .checked_add(args.amount)
        .ok_or(LedgerError::Overflow)?;
    require!(
        allotment_obligated <= allotment.amount,
        LedgerError::ExceedsAllotment
    );
    allotment.obligated = allotment_obligated;
    allotment.award_count = allotment
        .award_count
        .checked_add(1)
        .ok_or(LedgerError::Overflow)?;
    allotment.invariant()?;

    let appropriation = &mut ctx.accounts.appropriation;
    appropriation.obligated = appropriation
        .obligated
        .checked_add(args.amount)
        .ok_or(LedgerError::Overflow)?;
    appropriation.invariant()?;

    let agency = &mut ctx.accounts.acting.agency;
    agency.obligated = agency
        .obligated
        .checked_add(args.amount)
        .ok_or(LedgerError::Overflow)?;
    agency.award_count = agency
        .award_count
        .checked_add(1)
        .ok_or(LedgerError::Overflow)?;
    agency.invariant()?;

    let award = &mut ctx.accounts.award;
    award.set_inner(Award {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.award,
        agency: agency.key(),
        appropriation: appropriation.key(),
        allotment: allotment.key(),
        recipient: ctx.accounts.recipient.key(),
        award_type: args.award_type,
        status: AwardStatus::Active,
        held: false,
        hold_note: Default::default(),
        property: ctx
            .accounts
            .property
            .as_ref()
            .map_or(Pubkey::default(), |property| property.key()),
        object_class: args.object_class,
        obligated: args.amount,
        outlayed: 0,
        in_flight: 0,
        period_start: args.period_start,
        period_end: args.period_end,
        document_hash: args.document_hash,
        modification_count: 0,
        payment_count: 0,
        award_id: args.award_id,
        held_by: Pubkey::default(),
    });
    award.invariant()?;
    emit_cpi!(AwardObligated {
        agency: agency.key(),
        award: award.key(),
        award_id: award.award_id.clone(),
        award_type: award.award_type,
        recipient: award.recipient,
        allotment: award.allotment,
        object_class: award.object_class,
        property: award.property,
        amount: args.amount,
        document_hash: award.document_hash,
        allotment_obligated: allotment.obligated,
        appropriation_obligated: appropriation.obligated,
        agency_obligated: agency.obligated,
    });
    Ok(())
}
