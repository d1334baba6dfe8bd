//! `pubspend change`: loosenings of an agency's controls waiting out their notice. The head proposes one with
//! `member set --propose` or `agency set-policy --propose`; after the notice the head applies it; until then an
//! auditor may veto it.

use anchor_lang::prelude::Pubkey;
use clap::Subcommand;
use public_spending_sdk::builders;
use solana_sdk::signature::Signer;

use super::send;
use crate::{
    args,
    context::Globals,
    context::{Mode, Session},
    error::CliResult,
    output::{Field, Output},
    resolve,
};

#[derive(Debug, Subcommand)]
pub enum ChangeCommand {
    /// Apply a proposed change once its notice is over (agency head)
    Apply {
        code: String,
        /// `policy`, or the member's public key
        subject: String,
    },
    /// Withdraw your own proposed change before it applies (agency head); its rent comes back
    Withdraw {
        code: String,
        /// `policy`, or the member's public key
        subject: String,
    },
    /// Veto a proposed change before it applies (auditor); the head gets the proposal's rent back
    Veto {
        code: String,
        /// `policy`, or the member's public key
        subject: String,
        #[command(flatten)]
        grounds: args::Grounds,
    },
    /// Show a proposed change and when it may apply
    Show {
        code: String,
        /// `policy`, or the member's public key
        subject: String,
    },
}

/// The account a change is about: the agency for `policy`, else the member's key.
fn subject(agency: &Pubkey, subject: &str) -> CliResult<Pubkey> {
    match subject {
        "policy" => Ok(*agency),
        key => args::pubkey(key),
    }
}

pub async fn run(command: ChangeCommand, globals: &Globals) -> CliResult<Output> {
    let session = Session::open(
        globals,
        Mode::signing(!matches!(command, ChangeCommand::Show { .. })),
    )
    .await?;
    let output = match command {
        ChangeCommand::Apply { code, subject: s } => {
            let signer = session.signer()?;
            let (agency, _) = session.agency(&code).await?;
            let subject = subject(&agency, &s)?;
            let pending = resolve::pending_change(&session, &code, &agency, &subject).await?;
            let ix = builders::ApplyChange {
                agency,
                head: signer.pubkey(),
                subject,
            }
            .instruction();
            let mut fields = super::describe_change(&pending);
            fields.insert(0, ("applied", true.into()));
            send(&session, &[ix], signer, fields).await?
        }
        ChangeCommand::Withdraw { code, subject: s } => {
            let signer = session.signer()?;
            let (agency, _) = session.agency(&code).await?;
            let subject = subject(&agency, &s)?;
            let pending = resolve::pending_change(&session, &code, &agency, &subject).await?;
            let ix = builders::WithdrawChange {
                agency,
                head: signer.pubkey(),
                subject,
            }
            .instruction();
            let mut fields = super::describe_change(&pending);
            fields.insert(0, ("withdrawn", true.into()));
            send(&session, &[ix], signer, fields).await?
        }
        ChangeCommand::Veto {
            code,
            subject: s,
            grounds,
        } => {
            let signer = session.signer()?;
            let grounds = grounds.args()?;
            let (agency, state) = session.agency(&code).await?;
            let subject = subject(&agency, &s)?;
            let pending = resolve::pending_change(&session, &code, &agency, &subject).await?;
            let ix = builders::VetoChange {
                agency,
                head: state.head,
                subject,
                auditor: signer.pubkey(),
                grounds,
            }
            .instruction();
            let mut fields = super::describe_change(&pending);
            fields.insert(0, ("vetoed", true.into()));
            fields.push(("reason", format!("{:?}", grounds.reason).into()));
            fields.push(("evidence", Field::Hash(grounds.evidence_hash)));
            send(&session, &[ix], signer, fields).await?
        }
        ChangeCommand::Show { code, subject: s } => {
            let (agency, _) = session.agency(&code).await?;
            let subject = subject(&agency, &s)?;
            let pending = resolve::pending_change(&session, &code, &agency, &subject).await?;
            Output::record(super::describe_change(&pending))
        }
    };
    session.close().await?;
    Ok(output)
}
