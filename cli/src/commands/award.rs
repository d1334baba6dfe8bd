use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use public_spending::{
    constants::ROLE_OBLIGATE,
    instructions::{AwardChange, ObligateArgs},
    state::{AwardStatus, AwardType},
};
use public_spending_sdk::operations::AuditorSigners;
use public_spending_sdk::{builders, pda, query::AwardQuery};
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
pub enum Type {
    Contract,
    Grant,
    Loan,
    DirectPayment,
    Other,
}

impl From<Type> for AwardType {
    fn from(t: Type) -> Self {
        match t {
            Type::Contract => AwardType::Contract,
            Type::Grant => AwardType::Grant,
            Type::Loan => AwardType::Loan,
            Type::DirectPayment => AwardType::DirectPayment,
            Type::Other => AwardType::Other,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum AwardCommand {
    /// Obligate part of an allotment to a recipient as a new award (OBLIGATE role)
    #[command(group(clap::ArgGroup::new("document-or-hash").required(true)))]
    Obligate {
        code: String,
        /// PIID or FAIN
        #[arg(long)]
        award_id: args::AwardId,
        #[arg(long)]
        tas: String,
        #[arg(long)]
        fy: u16,
        /// Allotment index within the appropriation
        #[arg(long, default_value_t = 0)]
        allotment: u32,
        /// The recipient's UEI
        #[arg(long)]
        uei: String,
        #[arg(long, allow_hyphen_values = true)]
        amount: args::Amount,
        #[arg(long, value_enum, default_value_t = Type::Contract)]
        r#type: Type,
        /// Object class, 3 digits
        #[arg(long, default_value = "252")]
        object_class: String,
        /// Period of performance start (YYYY-MM-DD)
        #[arg(long)]
        start: args::Date,
        /// Period of performance end (YYYY-MM-DD)
        #[arg(long)]
        end: args::Date,
        /// The award document (only its sha256 goes on chain)
        #[arg(long, group = "document-or-hash")]
        document: Option<PathBuf>,
        /// Or the document's sha256, in hex
        #[arg(long, group = "document-or-hash", value_name = "SHA256")]
        document_hash: Option<args::Sha256>,
        /// The agency's property the award is for (rent, maintenance, construction), by its RPUID
        #[arg(long)]
        property: Option<String>,
    },
    /// Obligate more, or deobligate (OBLIGATE role)
    #[command(group(clap::ArgGroup::new("document-or-hash").required(true)))]
    #[command(group(clap::ArgGroup::new("change").required(true)))]
    Modify {
        code: String,
        award_id: args::AwardId,
        /// Obligate this much more
        #[arg(long, group = "change", value_name = "AMOUNT")]
        increase: Option<args::Amount>,
        /// Or release this much of what is obligated and unpaid
        #[arg(long, group = "change", value_name = "AMOUNT")]
        deobligate: Option<args::Amount>,
        #[arg(long, group = "document-or-hash")]
        document: Option<PathBuf>,
        #[arg(long, group = "document-or-hash", value_name = "SHA256")]
        document_hash: Option<args::Sha256>,
    },
    /// Close a fully paid or deobligated award (OBLIGATE role)
    Close {
        code: String,
        award_id: args::AwardId,
    },
    /// Hold a whole award: no payment may be requested, paid or executed on it until released (auditor)
    Hold {
        code: String,
        award_id: args::AwardId,
        #[command(flatten)]
        grounds: args::Grounds,
    },
    /// Release a held award: the auditor who held it, or another auditor with a second one (--concurring)
    Release {
        code: String,
        award_id: args::AwardId,
        #[command(flatten)]
        grounds: args::Grounds,
    },
    /// Show one award
    Show {
        code: String,
        award_id: args::AwardId,
    },
    /// List awards
    List {
        #[arg(long)]
        agency: Option<String>,
        /// Only awards to this recipient (UEI)
        #[arg(long)]
        uei: Option<String>,
        /// Only closed awards
        #[arg(long)]
        closed: bool,
    },
}

pub async fn run(command: AwardCommand, globals: &Globals) -> CliResult<Output> {
    let signs = !matches!(
        command,
        AwardCommand::Show { .. } | AwardCommand::List { .. }
    );
    let session = Session::open(globals, Mode::signing(signs)).await?;
    let ledger = session.ledger().await?;
    let output = match command {
        AwardCommand::Obligate {
            code,
            award_id,
            tas,
            fy,
            allotment,
            uei,
            amount,
            r#type,
            object_class,
            start,
            end,
            document,
            document_hash,
            property,
        } => {
            let signer = session.signer()?;
            let amount = amount.units(ledger.mint_decimals)?;
            let object_class = args::digits::<3>(&object_class, "object class")?;
            let document_hash =
                args::hash_or_file(document_hash, document.as_deref(), "award document")?;
            let (period_start, period_end) = (start.0, end.0 + 86_400);
            let (agency, _) = session.agency(&code).await?;
            let existing = pda::award(&agency, &award_id).0;
            if public_spending_sdk::fetch::AccountSource::get_account(
                session.client.backend(),
                &existing,
            )
            .await?
            .is_some()
            {
                fail!("agency {code} already has an award {award_id}: award ids are unique in an agency (modify it with award modify)");
            }
            let (appropriation, _) = resolve::appropriation(&session, &agency, &tas, fy).await?;
            let (recipient, record) = resolve::recipient(&session, &agency, &code, &uei).await?;
            let property = match property {
                Some(rpuid) => Some(resolve::property(&session, &agency, &code, &rpuid).await?.0),
                None => None,
            };
            resolve::require_role(&session, &code, &agency, &signer.pubkey(), ROLE_OBLIGATE)
                .await?;
            let builder = builders::Obligate {
                agency,
                appropriation,
                allotment: pda::allotment(&appropriation, allotment).0,
                recipient,
                uei: record.uei,
                property,
                authority: signer.pubkey(),
                args: ObligateArgs {
                    award_id: award_id.into(),
                    award_type: r#type.into(),
                    object_class,
                    amount,
                    period_start,
                    period_end,
                    document_hash,
                },
            };
            let fields = vec![
                ("award", builder.award().into()),
                ("obligated", show_amount(&ledger, amount)),
            ];
            send(&session, &builder, signer, fields).await?
        }
        AwardCommand::Modify {
            code,
            award_id,
            increase,
            deobligate,
            document,
            document_hash,
        } => {
            let signer = session.signer()?;
            let (change, what, amount) = match (increase, deobligate) {
                (Some(a), None) => {
                    let amount = a.units(ledger.mint_decimals)?;
                    (AwardChange::Increase { amount }, "increase", amount)
                }
                (None, Some(a)) => {
                    let amount = a.units(ledger.mint_decimals)?;
                    (AwardChange::Deobligate { amount }, "deobligation", amount)
                }
                _ => fail!("give exactly one of --increase or --deobligate"),
            };
            let document_hash =
                args::hash_or_file(document_hash, document.as_deref(), "modification document")?;
            let (agency, _) = session.agency(&code).await?;
            resolve::award(&session, &agency, &award_id).await?;
            let (address, outcome) = session
                .client
                .modify_award(&code, &award_id, change, document_hash, signer)
                .await?;
            Output::record(vec![
                ("award", address.into()),
                ("change", what.into()),
                ("amount", show_amount(&ledger, amount)),
                ("signature", outcome.signature.to_string().into()),
            ])
        }
        AwardCommand::Close { code, award_id } => {
            let signer = session.signer()?;
            let (agency, _) = session.agency(&code).await?;
            resolve::award(&session, &agency, &award_id).await?;
            let (address, outcome) = session.client.close_award(&code, &award_id, signer).await?;
            Output::record(vec![
                ("award", address.into()),
                ("signature", outcome.signature.to_string().into()),
            ])
        }
        AwardCommand::Hold {
            code,
            award_id,
            grounds,
        } => set_held(&session, &code, &award_id, true, &grounds).await?,
        AwardCommand::Release {
            code,
            award_id,
            grounds,
        } => set_held(&session, &code, &award_id, false, &grounds).await?,
        AwardCommand::Show { code, award_id } => {
            let (agency, _) = session.agency(&code).await?;
            let (address, a) = resolve::award(&session, &agency, &award_id).await?;
            Output::record(vec![
                ("award_id", a.award_id.clone().into()),
                ("address", address.into()),
                ("type", format!("{:?}", a.award_type).into()),
                ("status", format!("{:?}", a.status).into()),
                ("held", a.held.into()),
                (
                    "hold_reason",
                    if a.hold_note.at == 0 {
                        Field::None
                    } else {
                        format!("{:?}", a.hold_note.reason).into()
                    },
                ),
                (
                    "hold_evidence",
                    Field::hash_or_none(a.hold_note.evidence_hash),
                ),
                ("recipient", a.recipient.into()),
                ("property", Field::key_or_none(a.property)),
                ("allotment", a.allotment.into()),
                (
                    "object_class",
                    String::from_utf8_lossy(&a.object_class).into_owned().into(),
                ),
                ("obligated", show_amount(&ledger, a.obligated)),
                ("outlayed", show_amount(&ledger, a.outlayed)),
                ("in_flight", show_amount(&ledger, a.in_flight)),
                ("modifications", a.modification_count.into()),
                ("payments", a.payment_count.into()),
                ("document_hash", Field::Hash(a.document_hash)),
            ])
        }
        AwardCommand::List {
            agency,
            uei,
            closed,
        } => {
            let agency = match agency {
                Some(code) => Some(session.agency(&code).await?.0),
                None => None,
            };
            // Each agency keeps its own record of a UEI: awards to any of them.
            let recipients: Vec<Option<anchor_lang::prelude::Pubkey>> = match uei {
                Some(uei) => {
                    let query = public_spending_sdk::query::RecipientQuery {
                        agency,
                        uei: Some(args::uei(&uei)?),
                    };
                    resolve::list(&session, &query)
                        .await?
                        .into_iter()
                        .map(|(address, _)| Some(address))
                        .collect()
                }
                None => vec![None],
            };
            let mut awards = Vec::new();
            for recipient in recipients {
                let query = AwardQuery {
                    agency,
                    recipient,
                    allotment: None,
                    property: None,
                    status: closed.then_some(AwardStatus::Closed),
                };
                awards.extend(resolve::list(&session, &query).await?);
            }
            let mut table = Table::new(&[
                "award_id",
                "type",
                "status",
                "obligated",
                "outlayed",
                "in_flight",
                "payments",
            ]);
            for (_, a) in awards {
                table.push(vec![
                    a.award_id.clone().into(),
                    format!("{:?}", a.award_type).into(),
                    format!("{:?}", a.status).into(),
                    show_amount(&ledger, a.obligated),
                    show_amount(&ledger, a.outlayed),
                    show_amount(&ledger, a.in_flight),
                    a.payment_count.into(),
                ]);
            }
            table.into()
        }
    };
    session.close().await?;
    Ok(output)
}

async fn set_held(
    session: &Session,
    code: &str,
    award_id: &str,
    held: bool,
    grounds: &args::Grounds,
) -> CliResult<Output> {
    let signer = session.signer()?;
    let concurring = grounds.concurring()?;
    let auditors = AuditorSigners {
        auditor: signer,
        concurring: concurring.as_ref(),
    };
    let grounds = grounds.args()?;
    let (agency, _) = session.agency(code).await?;
    resolve::award(session, &agency, award_id).await?;
    let (address, outcome) = session
        .client
        .set_award_held(code, award_id, held, grounds, auditors)
        .await?;
    Ok(Output::record(vec![
        ("award", address.into()),
        ("held", held.into()),
        ("reason", format!("{:?}", grounds.reason).into()),
        ("evidence", Field::Hash(grounds.evidence_hash)),
        ("signature", outcome.signature.to_string().into()),
    ]))
}
