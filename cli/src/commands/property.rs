//! `pubspend property`: the agency's buildings, land and structures (the Federal Real Property Profile on
//! chain), and what the awards charged to each have paid.

use clap::{Args, Subcommand, ValueEnum};
use public_spending::{
    constants::{MAX_CITY_LEN, ROLE_PROPERTY, USPS_STATE_CODES},
    instructions::DisposePropertyArgs,
    state::{
        DispositionMethod, LegalInterest, Property, PropertyDetails, PropertyLocation,
        PropertyStatus, PropertyType, PropertyUse, SizeUnit,
    },
};
use public_spending_sdk::{
    builders::{self, PropertyChange},
    query::{AwardQuery, PropertyQuery},
};
use solana_sdk::signature::Signer;

use super::{send, show_amount};
use crate::{
    args,
    context::Globals,
    context::{Mode, Session},
    error::fail,
    error::CliResult,
    output::{Field, Output, Table},
    resolve,
};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Kind {
    Building,
    Land,
    Structure,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Use {
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

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Interest {
    Owned,
    Leased,
    OtherwiseManaged,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Status {
    Active,
    Inactive,
    Excess,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Method {
    Sale,
    PublicBenefitConveyance,
    FederalTransfer,
    Demolition,
    LeaseTermination,
    Other,
}

/// Every field of the Federal Real Property Profile a property officer records.
#[derive(Debug, Clone, Args)]
pub struct Details {
    #[arg(long, value_enum)]
    r#type: Kind,
    #[arg(long = "use", value_enum)]
    r#use: Use,
    #[arg(long, value_enum)]
    interest: Interest,
    #[arg(long, value_enum, default_value_t = Status::Active)]
    status: Status,
    /// Square feet (buildings, structures) or acres (land, e.g. 12.5)
    #[arg(long)]
    size: String,
    /// Two-letter USPS state code
    #[arg(long)]
    state: String,
    #[arg(long)]
    city: String,
    /// Five-digit ZIP code
    #[arg(long)]
    zip: String,
    /// Latitude in degrees, e.g. 38.8867 (with --longitude)
    #[arg(long, allow_hyphen_values = true)]
    latitude: Option<String>,
    /// Longitude in degrees, e.g. -77.0145 (with --latitude)
    #[arg(long, allow_hyphen_values = true)]
    longitude: Option<String>,
    /// FRPP condition index, 0 (worst) to 100
    #[arg(long)]
    condition: u8,
    /// Annual operating and maintenance cost
    #[arg(long, default_value = "0")]
    operating_cost: String,
    /// Annual rent (leased only)
    #[arg(long, default_value = "0")]
    rent: String,
    /// Lease start, YYYY-MM-DD (leased only)
    #[arg(long)]
    lease_start: Option<String>,
    /// Lease end, YYYY-MM-DD (leased only)
    #[arg(long)]
    lease_end: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum PropertyCommand {
    /// Add a building, parcel of land or structure to the agency's inventory (PROPERTY role)
    Register {
        code: String,
        /// Real property unique id
        rpuid: args::Rpuid,
        #[command(flatten)]
        details: Details,
    },
    /// Replace a property's details (PROPERTY role); a disposed property never changes
    Update {
        code: String,
        rpuid: args::Rpuid,
        #[command(flatten)]
        details: Details,
    },
    /// Dispose of a property for good (PROPERTY role)
    Dispose {
        code: String,
        rpuid: args::Rpuid,
        /// Disposition date, YYYY-MM-DD
        #[arg(long)]
        date: args::Date,
        #[arg(long, value_enum)]
        method: Method,
    },
    /// One property, every award charged to it and what they paid, and its cost per square foot
    Show { code: String, rpuid: args::Rpuid },
    /// The agency's properties (every agency's without a code)
    List { code: Option<String> },
}

pub async fn run(command: PropertyCommand, globals: &Globals) -> CliResult<Output> {
    let signs = matches!(
        command,
        PropertyCommand::Register { .. }
            | PropertyCommand::Update { .. }
            | PropertyCommand::Dispose { .. }
    );
    let session = Session::open(globals, Mode::signing(signs)).await?;
    let ledger = session.ledger().await?;
    let output = match command {
        PropertyCommand::Register {
            code,
            rpuid,
            details,
        } => {
            let signer = session.signer()?;
            let details = details.parse(&ledger)?;
            let (agency, _) = session.agency(&code).await?;
            resolve::require_role(&session, &code, &agency, &signer.pubkey(), ROLE_PROPERTY)
                .await?;
            let builder = builders::RegisterProperty {
                agency,
                authority: signer.pubkey(),
                rpuid: rpuid.into(),
                details,
            };
            if session
                .client
                .fetch_optional::<Property>(&builder.property())
                .await?
                .is_some()
            {
                fail!(
                    "agency {code} has a property {:?} already: change it with `pubspend property update`",
                    builder.rpuid
                );
            }
            let fields = vec![("property", builder.property().into())];
            send(&session, &builder, signer, fields).await?
        }
        PropertyCommand::Update {
            code,
            rpuid,
            details,
        } => {
            let details = details.parse(&ledger)?;
            change(&session, &code, &rpuid, PropertyChange::Update(details)).await?
        }
        PropertyCommand::Dispose {
            code,
            rpuid,
            date,
            method,
        } => {
            let args = DisposePropertyArgs {
                disposition_date: date.0,
                method: method.into(),
            };
            change(&session, &code, &rpuid, PropertyChange::Dispose(args)).await?
        }
        PropertyCommand::Show { code, rpuid } => {
            let (agency, _) = session.agency(&code).await?;
            let (address, p) = resolve::property(&session, &agency, &code, &rpuid).await?;
            let awards = resolve::list(
                &session,
                &AwardQuery {
                    agency: Some(agency),
                    property: Some(address),
                    ..AwardQuery::default()
                },
            )
            .await?;
            let paid: u64 = awards.iter().map(|(_, a)| a.outlayed).sum();
            let d = &p.details;
            let per_square_foot = match d.size_unit {
                SizeUnit::SquareFeet if d.size > 0 => {
                    Field::amount(paid / d.size, ledger.mint_decimals)
                }
                _ => Field::None,
            };
            let location = &d.location;
            let coordinates = match (location.latitude, location.longitude) {
                (Some(lat), Some(lon)) => {
                    format!("{:.6}, {:.6}", lat as f64 / 1e6, lon as f64 / 1e6).into()
                }
                _ => Field::None,
            };
            let rows: Vec<Vec<(&str, Field)>> = awards
                .iter()
                .map(|(_, a)| {
                    vec![
                        ("award_id", a.award_id.clone().into()),
                        ("award_type", format!("{:?}", a.award_type).into()),
                        ("obligated", show_amount(&ledger, a.obligated)),
                        ("paid", show_amount(&ledger, a.outlayed)),
                        ("payments", a.payment_count.into()),
                    ]
                })
                .collect();
            Output::nested(
                vec![
                    ("rpuid", p.rpuid.clone().into()),
                    ("address", address.into()),
                    ("type", format!("{:?}", d.property_type).into()),
                    ("use", format!("{:?}", d.property_use).into()),
                    ("legal_interest", format!("{:?}", d.legal_interest).into()),
                    ("status", format!("{:?}", d.status).into()),
                    ("size", size_text(d).into()),
                    (
                        "location",
                        format!(
                            "{}, {} {}",
                            location.city,
                            String::from_utf8_lossy(&location.state),
                            String::from_utf8_lossy(&location.zip)
                        )
                        .into(),
                    ),
                    ("coordinates", coordinates),
                    ("condition_index", u64::from(d.condition_index).into()),
                    (
                        "annual_operating_cost",
                        show_amount(&ledger, d.annual_operating_cost),
                    ),
                    ("annual_rent", show_amount(&ledger, d.annual_rent)),
                    ("lease_start", Field::time_or_none(d.lease_start)),
                    ("lease_end", Field::time_or_none(d.lease_end)),
                    ("disposition_date", Field::time_or_none(p.disposition_date)),
                    (
                        "disposition_method",
                        p.disposition_method
                            .map_or(Field::None, |m| format!("{m:?}").into()),
                    ),
                    ("awards", (awards.len() as u64).into()),
                    ("paid", show_amount(&ledger, paid)),
                    ("paid_per_square_foot", per_square_foot),
                ],
                "charged_awards",
                rows,
            )
        }
        PropertyCommand::List { code } => {
            let agency = match code {
                Some(code) => Some(session.agency(&code).await?.0),
                None => None,
            };
            let mut table = Table::new(&[
                "agency", "rpuid", "type", "use", "interest", "status", "size", "city", "state",
            ]);
            for (_, p) in resolve::list(&session, &PropertyQuery { agency }).await? {
                let d = &p.details;
                table.push(vec![
                    p.agency.into(),
                    p.rpuid.clone().into(),
                    format!("{:?}", d.property_type).into(),
                    format!("{:?}", d.property_use).into(),
                    format!("{:?}", d.legal_interest).into(),
                    format!("{:?}", d.status).into(),
                    size_text(d).into(),
                    d.location.city.clone().into(),
                    String::from_utf8_lossy(&d.location.state)
                        .into_owned()
                        .into(),
                ]);
            }
            table.into()
        }
    };
    session.close().await?;
    Ok(output)
}

async fn change(
    session: &Session,
    code: &str,
    rpuid: &str,
    change: PropertyChange,
) -> CliResult<Output> {
    let signer = session.signer()?;
    let (agency, _) = session.agency(code).await?;
    let (address, _) = resolve::property(session, &agency, code, rpuid).await?;
    resolve::require_role(session, code, &agency, &signer.pubkey(), ROLE_PROPERTY).await?;
    let what = match &change {
        PropertyChange::Update(_) => "updated",
        PropertyChange::Dispose(_) => "disposed",
    };
    let ix = builders::ChangeProperty {
        agency,
        property: address,
        authority: signer.pubkey(),
        change,
    };
    let fields = vec![("property", address.into()), ("change", what.into())];
    send(session, &ix, signer, fields).await
}

fn size_text(d: &PropertyDetails) -> String {
    match d.size_unit {
        SizeUnit::SquareFeet => format!(
            "{} sq ft",
            public_spending_sdk::amount::format_grouped(d.size, 0)
        ),
        SizeUnit::HundredthsOfAcre => {
            format!(
                "{} acres",
                public_spending_sdk::amount::format_grouped(d.size, 2)
            )
        }
    }
}

/// Degrees written with up to 6 decimals, to millionths of a degree.
fn microdegrees(input: &str, what: &str) -> CliResult<i32> {
    let (negative, digits) = match input.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, input),
    };
    match public_spending_sdk::amount::parse_amount(digits, 6) {
        Ok(units) => match i32::try_from(units) {
            Ok(v) => Ok(if negative { -v } else { v }),
            Err(_) => fail!("{input:?} is out of range for a {what}"),
        },
        Err(err) => fail!("{input:?} is not a {what} in degrees: {err}"),
    }
}

/// An annual cost, which may be zero: an owned building pays no rent, and space another agency runs may cost
/// this one nothing to operate.
fn cost(ledger: &public_spending::state::Ledger, input: &str, flag: &str) -> CliResult<u64> {
    match public_spending_sdk::amount::parse_amount(input, ledger.mint_decimals) {
        Ok(units) => Ok(units),
        Err(public_spending_sdk::amount::AmountError::Zero) => Ok(0),
        Err(err) => fail!("--{flag} {input:?}: {err}"),
    }
}

impl Details {
    fn parse(self, ledger: &public_spending::state::Ledger) -> CliResult<PropertyDetails> {
        let land = matches!(self.r#type, Kind::Land);
        let (size, size_unit) = if land {
            let hundredths = match public_spending_sdk::amount::parse_amount(&self.size, 2) {
                Ok(v) => v,
                Err(err) => fail!("--size {:?} is not a number of acres: {err}", self.size),
            };
            (hundredths, SizeUnit::HundredthsOfAcre)
        } else {
            let feet = match public_spending_sdk::amount::parse_amount(&self.size, 0) {
                Ok(v) => v,
                Err(err) => fail!(
                    "--size {:?} is not a number of square feet: {err}",
                    self.size
                ),
            };
            (feet, SizeUnit::SquareFeet)
        };
        let latitude = match &self.latitude {
            Some(v) => Some(microdegrees(v, "latitude")?),
            None => None,
        };
        let longitude = match &self.longitude {
            Some(v) => Some(microdegrees(v, "longitude")?),
            None => None,
        };
        let state: [u8; 2] = match <[u8; 2]>::try_from(self.state.as_bytes()) {
            Ok(s) if USPS_STATE_CODES.contains(&s) => s,
            _ => fail!(
                "--state {:?} is not a USPS state code (two capital letters: a state, DC, a territory, or AA, AE, AP)",
                self.state
            ),
        };
        let zip: [u8; 5] = match <[u8; 5]>::try_from(self.zip.as_bytes()) {
            Ok(z) if z.iter().all(u8::is_ascii_digit) => z,
            _ => fail!("--zip {:?} is not a five-digit ZIP code", self.zip),
        };
        if !public_spending::state::is_printable_ascii(&self.city, MAX_CITY_LEN) {
            fail!(
                "--city {:?} is not a city name: 1 to {MAX_CITY_LEN} printable ASCII characters",
                self.city
            );
        }
        if latitude.is_some() != longitude.is_some() {
            fail!("--latitude and --longitude go together: give both or neither");
        }
        let leased = matches!(self.interest, Interest::Leased);
        let annual_rent = cost(ledger, &self.rent, "rent")?;
        let annual_operating_cost = cost(ledger, &self.operating_cost, "operating-cost")?;
        let date = |d: &Option<String>| d.as_deref().map(args::date).transpose();
        let (lease_start, lease_end) = (date(&self.lease_start)?, date(&self.lease_end)?);
        if leased {
            match (lease_start, lease_end) {
                (Some(start), Some(end)) if start < end => {}
                (Some(_), Some(_)) => fail!("--lease-end must come after --lease-start"),
                _ => fail!("a leased property needs --lease-start and --lease-end"),
            }
        } else if annual_rent != 0 || lease_start.is_some() || lease_end.is_some() {
            fail!("--rent, --lease-start and --lease-end apply to leased property only (--interest leased)");
        }
        Ok(PropertyDetails {
            property_type: match self.r#type {
                Kind::Building => PropertyType::Building,
                Kind::Land => PropertyType::Land,
                Kind::Structure => PropertyType::Structure,
            },
            property_use: match self.r#use {
                Use::Office => PropertyUse::Office,
                Use::Warehouse => PropertyUse::Warehouse,
                Use::Housing => PropertyUse::Housing,
                Use::Laboratory => PropertyUse::Laboratory,
                Use::Hospital => PropertyUse::Hospital,
                Use::School => PropertyUse::School,
                Use::Industrial => PropertyUse::Industrial,
                Use::Service => PropertyUse::Service,
                Use::PostOffice => PropertyUse::PostOffice,
                Use::Other => PropertyUse::Other,
            },
            legal_interest: match self.interest {
                Interest::Owned => LegalInterest::Owned,
                Interest::Leased => LegalInterest::Leased,
                Interest::OtherwiseManaged => LegalInterest::OtherwiseManaged,
            },
            status: match self.status {
                Status::Active => PropertyStatus::Active,
                Status::Inactive => PropertyStatus::Inactive,
                Status::Excess => PropertyStatus::Excess,
            },
            size,
            size_unit,
            location: PropertyLocation {
                state,
                city: self.city,
                zip,
                latitude,
                longitude,
            },
            condition_index: self.condition,
            annual_operating_cost,
            annual_rent,
            lease_start: lease_start.unwrap_or(0),
            lease_end: lease_end.unwrap_or(0),
        })
    }
}

impl From<Method> for DispositionMethod {
    fn from(m: Method) -> Self {
        match m {
            Method::Sale => Self::Sale,
            Method::PublicBenefitConveyance => Self::PublicBenefitConveyance,
            Method::FederalTransfer => Self::FederalTransfer,
            Method::Demolition => Self::Demolition,
            Method::LeaseTermination => Self::LeaseTermination,
            Method::Other => Self::Other,
        }
    }
}
