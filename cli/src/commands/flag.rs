//! `pubspend flag`: public flags. Anyone raises one on a payment, award, recipient or property (and pays its
//! rent); the agency answers; an auditor resolves or dismisses it; anyone closes it and the rent goes back to
//! the flagger.

use anchor_lang::prelude::Pubkey;
use clap::{Subcommand, ValueEnum};
use public_spending::state::{Flag, FlagReason, FlagStatus, FlagTarget};
use public_spending_sdk::{pda, query::FlagQuery};

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
pub enum Target {
    Payment,
    Award,
    Recipient,
    Property,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Reason {
    DuplicateInvoice,
    UnknownVendor,
    Price,
    SplitPayment,
    WorkNotDone,
    Other,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Outcome {
    /// The concern had substance
    Resolved,
    /// It had none
    Dismissed,
}

#[derive(Debug, Subcommand)]
pub enum FlagCommand {
    /// Flag a payment, award, recipient or property (anyone; you pay the flag's rent until it is closed)
    #[command(group(clap::ArgGroup::new("evidence-or-hash").required(true)))]
    Raise {
        #[arg(value_enum)]
        target: Target,
        /// The agency the target belongs to
        code: String,
        /// Award id (payment, award), UEI (recipient) or RPUID (property)
        id: String,
        /// The payment's index on the award (payment only)
        #[arg(long)]
        index: Option<u32>,
        #[arg(long, value_enum)]
        reason: Reason,
        /// Your evidence: only its sha256 goes on chain
        #[arg(long, group = "evidence-or-hash")]
        evidence: Option<std::path::PathBuf>,
        /// Or its sha256, in hex
        #[arg(long, group = "evidence-or-hash", value_name = "SHA256")]
        evidence_hash: Option<args::Sha256>,
    },
    /// Answer a flag on your agency (its head or an active member)
    #[command(group(clap::ArgGroup::new("response-or-hash").required(true)))]
    Respond {
        flag: String,
        /// The response document: only its sha256 goes on chain
        #[arg(long, group = "response-or-hash")]
        response: Option<std::path::PathBuf>,
        #[arg(long, group = "response-or-hash", value_name = "SHA256")]
        response_hash: Option<args::Sha256>,
    },
    /// Resolve or dismiss a flag (auditor)
    #[command(group(clap::ArgGroup::new("note-or-hash").required(true)))]
    Resolve {
        flag: String,
        #[arg(long, value_enum)]
        outcome: Outcome,
        /// The auditor's note: only its sha256 goes on chain
        #[arg(long, group = "note-or-hash")]
        note: Option<std::path::PathBuf>,
        #[arg(long, group = "note-or-hash", value_name = "SHA256")]
        note_hash: Option<args::Sha256>,
    },
    /// Close a resolved or dismissed flag (anyone); the rent goes back to the flagger
    Close { flag: String },
    /// Flags still on chain, optionally of one agency, optionally only those not yet ruled on
    List {
        #[arg(long)]
        agency: Option<String>,
        #[arg(long)]
        open: bool,
    },
    /// One flag
    Show { flag: String },
}

pub async fn run(command: FlagCommand, globals: &Globals) -> CliResult<Output> {
    let signs = !matches!(command, FlagCommand::List { .. } | FlagCommand::Show { .. });
    let session = Session::open(globals, Mode::signing(signs)).await?;
    let output = match command {
        FlagCommand::Raise {
            target,
            code,
            id,
            index,
            reason,
            evidence,
            evidence_hash,
        } => {
            let signer = session.signer()?;
            let evidence_hash = args::hash_or_file(evidence_hash, evidence.as_deref(), "evidence")?;
            let (agency, _) = session.agency(&code).await?;
            let mut payment_award = None;
            let payment_index = index;
            let (address, kind) = match (target, index) {
                (Target::Payment, Some(index)) => {
                    let (award, state) = resolve::award(&session, &agency, &id).await?;
                    if index >= state.payment_count {
                        fail!(
                            "award {id} has no payment {index}: it has given out {} payment index(es)",
                            state.payment_count
                        );
                    }
                    payment_award = Some(award);
                    (pda::payment(&award, index).0, FlagTarget::Payment)
                }
                (Target::Payment, None) => fail!("a payment is named by its award id and --index"),
                (_, Some(_)) => fail!("--index names a payment; it goes only with `payment`"),
                (Target::Award, None) => (
                    resolve::award(&session, &agency, &id).await?.0,
                    FlagTarget::Award,
                ),
                (Target::Recipient, None) => (
                    resolve::recipient(&session, &agency, &code, &id).await?.0,
                    FlagTarget::Recipient,
                ),
                (Target::Property, None) => (
                    resolve::property(&session, &agency, &code, &id).await?.0,
                    FlagTarget::Property,
                ),
            };
            let payment = payment_award.zip(payment_index);
            let reason: FlagReason = reason.into();
            let (flag, outcome) = session
                .client
                .raise_flag(address, kind, payment, reason, evidence_hash, signer)
                .await?;
            Output::record(vec![
                ("flag", flag.into()),
                ("target", address.into()),
                ("reason", format!("{reason:?}").into()),
                ("signature", outcome.signature.to_string().into()),
            ])
        }
        FlagCommand::Respond {
            flag,
            response,
            response_hash,
        } => {
            let signer = session.signer()?;
            let response_hash = args::hash_or_file(response_hash, response.as_deref(), "response")?;
            let address = args::pubkey(&flag)?;
            let outcome = session
                .client
                .respond_to_flag(&address, response_hash, signer)
                .await?;
            Output::record(vec![
                ("flag", address.into()),
                ("signature", outcome.signature.to_string().into()),
            ])
        }
        FlagCommand::Resolve {
            flag,
            outcome,
            note,
            note_hash,
        } => {
            let signer = session.signer()?;
            let note_hash = args::hash_or_file(note_hash, note.as_deref(), "note")?;
            let address = args::pubkey(&flag)?;
            let outcome = match outcome {
                Outcome::Resolved => FlagStatus::Resolved,
                Outcome::Dismissed => FlagStatus::Dismissed,
            };
            let sent = session
                .client
                .resolve_flag(&address, outcome, note_hash, signer)
                .await?;
            Output::record(vec![
                ("flag", address.into()),
                ("outcome", format!("{outcome:?}").into()),
                ("signature", sent.signature.to_string().into()),
            ])
        }
        FlagCommand::Close { flag } => {
            let signer = session.signer()?;
            let address = args::pubkey(&flag)?;
            let (flagger, sent) = session.client.close_flag(&address, signer).await?;
            Output::record(vec![
                ("flag", address.into()),
                ("rent_returned_to", flagger.into()),
                ("signature", sent.signature.to_string().into()),
            ])
        }
        FlagCommand::List { agency, open } => {
            let agency = match agency {
                Some(code) => Some(session.agency(&code).await?.0),
                None => None,
            };
            let query = FlagQuery {
                agency,
                ..FlagQuery::default()
            };
            let mut table = Table::new(&[
                "flag",
                "target",
                "kind",
                "reason",
                "status",
                "raised_at",
                "flagger",
            ]);
            for (address, f) in resolve::list(&session, &query).await? {
                if open && f.status.is_final() {
                    continue;
                }
                table.push(vec![
                    address.into(),
                    f.target.into(),
                    format!("{:?}", f.target_kind).into(),
                    format!("{:?}", f.reason).into(),
                    format!("{:?}", f.status).into(),
                    Field::Time(f.raised_at),
                    f.flagger.into(),
                ]);
            }
            table.into()
        }
        FlagCommand::Show { flag } => {
            let (address, f) = fetch_flag(&session, &flag).await?;
            Output::record(vec![
                ("flag", address.into()),
                ("agency", f.agency.into()),
                ("target", f.target.into()),
                ("kind", format!("{:?}", f.target_kind).into()),
                ("reason", format!("{:?}", f.reason).into()),
                ("evidence", Field::Hash(f.evidence_hash)),
                ("flagger", f.flagger.into()),
                ("raised_at", Field::Time(f.raised_at)),
                ("status", format!("{:?}", f.status).into()),
                ("response", Field::hash_or_none(f.response_hash)),
                ("responded_by", Field::key_or_none(f.responded_by)),
                ("responded_at", Field::time_or_none(f.responded_at)),
                ("resolution_note", Field::hash_or_none(f.resolution_hash)),
                ("resolved_by", Field::key_or_none(f.resolved_by)),
                ("resolved_at", Field::time_or_none(f.resolved_at)),
            ])
        }
    };
    session.close().await?;
    Ok(output)
}

async fn fetch_flag(session: &Session, flag: &str) -> CliResult<(Pubkey, Flag)> {
    let address = args::pubkey(flag)?;
    match session.client.fetch_optional(&address).await? {
        Some(f) => Ok((address, f)),
        None => {
            fail!("no flag at {flag} (closed flags live on in their events: see `pubspend audit`)")
        }
    }
}

impl From<Reason> for FlagReason {
    fn from(r: Reason) -> Self {
        match r {
            Reason::DuplicateInvoice => Self::DuplicateInvoice,
            Reason::UnknownVendor => Self::UnknownVendor,
            Reason::Price => Self::Price,
            Reason::SplitPayment => Self::SplitPayment,
            Reason::WorkNotDone => Self::WorkNotDone,
            Reason::Other => Self::Other,
        }
    }
}
