//! `pubspend change`: loosenings of an agency's controls waiting out their notice. The head proposes one with
//! `member set --propose` or `agency set-policy --propose`; after the notice the head applies it; until then an
//! auditor may veto it.

use anchor_lang::prelude::Pubkey;
use clap::Subcommand;
use public_spending::state::{ControlChange, PendingChange};
use public_spending_sdk::{builders, pda};
use solana_sdk::signature::Signer;

use super::send;
use crate::{
    args,
    context::{Mode, Session},
    error::CliResult,
    fail,
    output::{print_record, Field},
    Globals,
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

pub async fn run(command: ChangeCommand, globals: &Globals) -> CliResult<()> {
    let session = Session::open(
        globals,
        Mode::signing(!matches!(command, ChangeCommand::Show { .. })),
    )
    .await?;
    match command {
        ChangeCommand::Apply { code, subject: s } => {
            let signer = session.signer()?;
            let (agency, _) = session.agency(&code).await?;
            let subject = subject(&agency, &s)?;
            let pending = pending(&session, &code, &agency, &subject).await?;
            let ix = builders::ApplyChange {
                agency,
                head: signer.pubkey(),
                subject,
            }
            .instruction();
            let mut fields = describe(&pending);
            fields.insert(0, ("applied", true.into()));
            send(&session, &[ix], signer, fields).await?;
        }
        ChangeCommand::Withdraw { code, subject: s } => {
            let signer = session.signer()?;
            let (agency, _) = session.agency(&code).await?;
            let subject = subject(&agency, &s)?;
            let pending = pending(&session, &code, &agency, &subject).await?;
            let ix = builders::WithdrawChange {
                agency,
                head: signer.pubkey(),
                subject,
            }
            .instruction();
            let mut fields = describe(&pending);
            fields.insert(0, ("withdrawn", true.into()));
            send(&session, &[ix], signer, fields).await?;
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
            let pending = pending(&session, &code, &agency, &subject).await?;
            let ix = builders::VetoChange {
                agency,
                head: state.head,
                subject,
                auditor: signer.pubkey(),
                grounds,
            }
            .instruction();
            let mut fields = describe(&pending);
            fields.insert(0, ("vetoed", true.into()));
            fields.push(("reason", format!("{:?}", grounds.reason).into()));
            fields.push(("evidence", Field::Hash(grounds.evidence_hash)));
            send(&session, &[ix], signer, fields).await?;
        }
        ChangeCommand::Show { code, subject: s } => {
            let (agency, _) = session.agency(&code).await?;
            let subject = subject(&agency, &s)?;
            let pending = pending(&session, &code, &agency, &subject).await?;
            print_record(session.format, &describe(&pending));
        }
    }
    session.close().await
}

async fn pending(
    session: &Session,
    code: &str,
    agency: &Pubkey,
    subject: &Pubkey,
) -> CliResult<PendingChange> {
    let address = pda::change(agency, subject).0;
    match session.client.fetch_optional(&address).await? {
        Some(pending) => Ok(pending),
        None => fail!(
            "no change of agency {code} about {subject} is pending (applied, vetoed, or never proposed)"
        ),
    }
}

/// What a pending change sets, and when it may apply.
pub fn describe(pending: &PendingChange) -> Vec<(&'static str, Field)> {
    let mut fields = vec![("agency", pending.agency.into())];
    match pending.change {
        ControlChange::Policy { policy } => {
            fields.push(("change", "approval policy".into()));
            fields.push(("threshold (base units)", Field::Count(policy.threshold)));
            fields.push(("approvals required", policy.approvals_required.into()));
            fields.push(("time lock seconds", policy.time_lock_seconds.into()));
            fields.push((
                "fast path daily cap (base units)",
                Field::Count(policy.fast_path_daily_cap),
            ));
        }
        ControlChange::Member { key, roles, active } => {
            fields.push(("change", "member".into()));
            fields.push(("member", key.into()));
            fields.push(("roles", args::role_names(roles).into()));
            fields.push(("active", active.into()));
        }
    }
    fields.push(("proposed by", pending.proposed_by.into()));
    fields.push(("proposed at", Field::Time(pending.proposed_at)));
    fields.push(("effective at", Field::Time(pending.effective_at)));
    fields
}
