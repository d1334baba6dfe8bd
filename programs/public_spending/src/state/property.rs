use anchor_lang::prelude::*;

use super::is_printable_ascii;
use crate::{constants::*, error::LedgerError};

/// Federal Real Property Profile real property type.
#[derive(
    AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
pub enum PropertyType {
    #[default]
    Building,
    Land,
    Structure,
}

/// Predominant use, after the FRPP use codes.
#[derive(
    AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
pub enum PropertyUse {
    #[default]
    Office,
    Warehouse,
    Housing,
    Laboratory,
    Hospital,
    School,
    Industrial,
    Service,
    PostOffice,
    Other,
}

/// How the government holds it.
#[derive(
    AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
pub enum LegalInterest {
    #[default]
    Owned,
    Leased,
    OtherwiseManaged,
}

#[derive(
    AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
pub enum PropertyStatus {
    #[default]
    Active,
    Inactive,
    Excess,
    /// Final: set only by `dispose_property`.
    Disposed,
}

#[derive(
    AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
pub enum SizeUnit {
    /// Buildings and structures.
    #[default]
    SquareFeet,
    /// Land, in hundredths of an acre (`1250` is 12.50 acres).
    HundredthsOfAcre,
}

#[derive(
    AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
pub enum DispositionMethod {
    #[default]
    Sale,
    PublicBenefitConveyance,
    FederalTransfer,
    Demolition,
    LeaseTermination,
    Other,
}

/// Where the property is.
#[derive(AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Debug, Default, PartialEq, Eq)]
pub struct PropertyLocation {
    /// USPS state or territory code, two upper-case letters.
    pub state: [u8; STATE_CODE_LEN],
    #[max_len(MAX_CITY_LEN)]
    pub city: String,
    /// Five-digit ZIP code.
    pub zip: [u8; ZIP_LEN],
    /// Millionths of a degree, -90_000_000 to 90_000_000.
    pub latitude: Option<i32>,
    /// Millionths of a degree, -180_000_000 to 180_000_000.
    pub longitude: Option<i32>,
}

/// Everything about a property an agency may change while it holds it.
#[derive(AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Debug, Default, PartialEq, Eq)]
pub struct PropertyDetails {
    pub property_type: PropertyType,
    pub property_use: PropertyUse,
    pub legal_interest: LegalInterest,
    /// Active, inactive or excess; `Disposed` only through `dispose_property`.
    pub status: PropertyStatus,
    pub size: u64,
    pub size_unit: SizeUnit,
    pub location: PropertyLocation,
    /// FRPP condition index, 0 to 100.
    pub condition_index: u8,
    /// Annual operating and maintenance cost, base units of the payment mint.
    pub annual_operating_cost: u64,
    /// Annual rent (leased only; zero otherwise), base units of the payment mint.
    pub annual_rent: u64,
    /// Lease term (leased only; zeros otherwise), unix seconds.
    pub lease_start: i64,
    pub lease_end: i64,
}

impl PropertyDetails {
    /// A disposition dated before a leased property's lease began is refused: the agency never held it then.
    pub fn require_disposable_on(&self, date: i64) -> Result<()> {
        require!(
            self.legal_interest != LegalInterest::Leased || date >= self.lease_start,
            LedgerError::DisposedBeforeLease
        );
        Ok(())
    }

    pub fn validate(&self) -> Result<()> {
        require!(
            self.status != PropertyStatus::Disposed,
            LedgerError::InvalidPropertyStatus
        );
        require!(self.size > 0, LedgerError::InvalidPropertySize);
        let location = &self.location;
        require!(
            USPS_STATE_CODES.contains(&location.state),
            LedgerError::InvalidStateCode
        );
        require!(
            location.zip.iter().all(u8::is_ascii_digit),
            LedgerError::InvalidZipCode
        );
        require!(
            is_printable_ascii(&location.city, MAX_CITY_LEN),
            LedgerError::InvalidCity
        );
        require!(
            location
                .latitude
                .is_none_or(|lat| lat.unsigned_abs() <= MAX_LATITUDE_MICRODEGREES.unsigned_abs())
                && location.longitude.is_none_or(|lon| {
                    lon.unsigned_abs() <= MAX_LONGITUDE_MICRODEGREES.unsigned_abs()
                })
                && location.latitude.is_some() == location.longitude.is_some(),
            LedgerError::InvalidPropertyLocation
        );
        require!(
            self.condition_index <= MAX_CONDITION_INDEX,
            LedgerError::InvalidConditionIndex
        );
        if self.legal_interest == LegalInterest::Leased {
            require!(
                self.lease_start < self.lease_end,
                LedgerError::InvalidLeaseTerms
            );
        } else {
            require!(
                self.annual_rent == 0 && self.lease_start == 0 && self.lease_end == 0,
                LedgerError::InvalidLeaseTerms
            );
        }
        Ok(())
    }
}

/// A government building, parcel of land or structure in an agency's inventory (the Federal Real Property
/// Profile on chain). PDA `["property", agency, rpuid]`. Awards may name it, so that its cost is the sum of
/// what those awards paid.
#[account]
#[derive(InitSpace, Debug, Default, PartialEq, Eq)]
pub struct Property {
    pub version: u8,
    pub bump: u8,
    pub agency: Pubkey,
    /// Real property unique id.
    #[max_len(MAX_RPUID_LEN)]
    pub rpuid: String,
    pub details: PropertyDetails,
    pub registered_at: i64,
    pub updated_at: i64,
    pub update_count: u32,
    /// Set by `dispose_property`; zero before.
    pub disposition_date: i64,
    pub disposition_method: Option<DispositionMethod>,
}

impl Property {
    pub const SPACE: usize = 8 + Self::INIT_SPACE;

    pub fn require_not_disposed(&self) -> Result<()> {
        require!(
            self.details.status != PropertyStatus::Disposed,
            LedgerError::PropertyDisposed
        );
        Ok(())
    }

    pub fn invariant(&self) -> Result<()> {
        require!(
            is_printable_ascii(&self.rpuid, MAX_RPUID_LEN),
            LedgerError::InvalidRpuid
        );
        let disposed = self.details.status == PropertyStatus::Disposed;
        require!(
            disposed == self.disposition_method.is_some(),
            LedgerError::InvariantViolated
        );
        Ok(())
    }
}
