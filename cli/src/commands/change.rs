//! `pubspend change`: loosenings of an agency's controls waiting out their notice. The head proposes one with
//! `member set --propose` or `agency set-policy --propose`; after the notice the head applies it; until then an
//! auditor may veto it.

use std::collections::BTreeMap;

use anchor_lang::prelude::Pubkey;
use clap::Subcommand;
use public_spending::state::{Agency, Ledger};
use public_spending_sdk::{
    builders, pda,
    query::{AgencyQuery, PendingChangeQuery},
    Backend,
};
use solana_sdk::signature::Signer;

use super::send;
use crate::{
    args,
    context::Globals,
    context::{Mode, Session},
    error::{fail, CliResult},
    output::{Field, Output, Table},
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
    /// Veto a proposed change before it applies (auditor). It stays on chain, marked, and no change on the same
    /// subject may be proposed for 30 days. `ledger auditors` or `ledger limits` vetoes the ledger's own
    Veto {
        /// The agency's code, or `ledger`
        code: String,
        /// `policy` or the member's public key; for `ledger`: `auditors` or `limits`
        subject: String,
        #[command(flatten)]
        grounds: args::Grounds,
    },
    /// List every change waiting out its notice: an agency's (or every agency's), and the ledger's proposed
    /// auditors and limits, with when each may apply
    List {
        /// Only this agency's changes (the ledger's are listed either way)
        code: Option<String>,
    },
    /// Show a proposed change and when it may apply
    Show {
        code: String,
        /// `policy`, or the member's public key
        subject: String,
    },
}

/// Only the agency's head applies or withdraws its changes: said before sending, with who signed.
fn require_head(agency: &Agency, signer: &Pubkey, does: &str) -> CliResult<()> {
    if agency.head != *signer {
        fail!(
            "only agency {}'s head ({}) {does} its changes; you signed as {signer}",
            agency.code,
            agency.head
        );
    }
    Ok(())
}

/// Every pending change of `code` (or of every agency), then the ledger's pending auditors and limits.
async fn list(session: &Session, ledger: &Ledger, code: Option<&str>) -> CliResult<Output> {
    let agency = match code {
        Some(code) => Some(session.agency(code).await?.0),
        None => None,
    };
    let agencies: BTreeMap<Pubkey, String> = resolve::list(session, &AgencyQuery)
        .await?
        .into_iter()
        .map(|(address, a)| (address, a.code))
        .collect();
    let now = session.client.backend().unix_timestamp().await?;
    let mut rows: Vec<((i64, String, String), Vec<Field>)> = Vec::new();
    let mut row = |scope: String, subject: String, what: String, proposed: i64, effective: i64| {
        let applies = if effective <= now {
            "now (notice over)".to_string()
        } else {
            format!("in {}", super::duration_text(effective - now))
        };
        rows.push((
            (effective, scope.clone(), subject.clone()),
            vec![
                scope.into(),
                subject.into(),
                what.into(),
                Field::Time(proposed),
                Field::Time(effective),
                applies.into(),
            ],
        ));
    };
    for (_, pending) in resolve::list(session, &PendingChangeQuery { agency }).await? {
        let what = match pending.vetoed() {
            false => super::change_text(ledger, &pending.change),
            true => format!(
                "{} (vetoed by {}; no change on it until {})",
                super::change_text(ledger, &pending.change),
                pending.vetoed_by,
                super::time_text(pending.cooling_off_until().unwrap_or(i64::MAX))
            ),
        };
        let scope = match agencies.get(&pending.agency) {
            Some(code) => format!("agency {code}"),
            None if pending.agency == pda::ledger().0 => "ledger".to_string(),
            None => pending.agency.to_string(),
        };
        row(
            scope,
            super::subject_name(&pending),
            what,
            pending.proposed_at,
            pending.effective_at,
        );
    }
    // By when each may apply; changes due at the same second by scope and subject, so the list reads the same
    // every time.
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let mut table = Table::new(&[
        "scope",
        "subject",
        "change",
        "proposed_at",
        "effective_at",
        "applies",
    ]);
    for (_, cells) in rows {
        table.push(cells);
    }
    Ok(table.into())
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
        Mode::signing(!matches!(
            command,
            ChangeCommand::Show { .. } | ChangeCommand::List { .. }
        )),
    )
    .await?;
    let ledger = session.ledger().await?;
    let output = match command {
        ChangeCommand::Apply { code, subject: s } => {
            let signer = session.signer()?;
            let (agency, state) = session.agency(&code).await?;
            let subject = subject(&agency, &s)?;
            let pending = resolve::pending_change(&session, &code, &agency, &subject).await?;
            require_head(&state, &signer.pubkey(), "applies")?;
            super::require_notice_over(
                &session,
                &format!("agency {code}'s change about {s}"),
                pending.effective_at,
            )
            .await?;
            let ix = builders::ApplyChange {
                agency,
                head: signer.pubkey(),
                subject,
            };
            let mut fields = super::describe_change(&ledger, &pending);
            fields.insert(0, ("applied", true.into()));
            send(&session, &ix, signer, fields).await?
        }
        ChangeCommand::Withdraw { code, subject: s } => {
            let signer = session.signer()?;
            let (agency, state) = session.agency(&code).await?;
            let subject = subject(&agency, &s)?;
            let pending = resolve::pending_change(&session, &code, &agency, &subject).await?;
            require_head(&state, &signer.pubkey(), "withdraws")?;
            let ix = builders::WithdrawChange {
                agency,
                head: signer.pubkey(),
                subject,
            };
            let mut fields = super::describe_change(&ledger, &pending);
            fields.insert(0, ("withdrawn", true.into()));
            send(&session, &ix, signer, fields).await?
        }
        ChangeCommand::Veto {
            code,
            subject: s,
            grounds,
        } => {
            let signer = session.signer()?;
            let grounds = grounds.args()?;
            let (scope, subject, pending) = if code == "ledger" {
                let subject = match s.as_str() {
                    "auditors" => public_spending::constants::AUDITORS_SUBJECT,
                    "limits" => public_spending::constants::LIMITS_SUBJECT,
                    other => {
                        fail!("the ledger's changes are `auditors` and `limits`, not `{other}`")
                    }
                };
                let (scope, subject) = (pda::ledger().0, Pubkey::new_from_array(subject));
                let address = pda::change(&scope, &subject).0;
                let Some(pending) = session.client.fetch_optional(&address).await? else {
                    fail!("no change of the ledger's {s} is pending: `pubspend change list` shows what is")
                };
                (scope, subject, pending)
            } else {
                let (agency, _) = session.agency(&code).await?;
                let subject = subject(&agency, &s)?;
                let pending = resolve::pending_change(&session, &code, &agency, &subject).await?;
                (agency, subject, pending)
            };
            let ix = builders::VetoChange {
                scope,
                subject,
                auditor: signer.pubkey(),
                grounds,
            };
            let mut fields = super::describe_change(&ledger, &pending);
            fields.insert(0, ("vetoed", true.into()));
            fields.push(("reason", format!("{:?}", grounds.reason).into()));
            fields.push(("evidence", Field::Hash(grounds.evidence_hash)));
            send(&session, &ix, signer, fields).await?
        }
        ChangeCommand::List { code } => list(&session, &ledger, code.as_deref()).await?,
        ChangeCommand::Show { code, subject: s } => {
            let (agency, _) = session.agency(&code).await?;
            let subject = subject(&agency, &s)?;
            let pending = resolve::pending_change(&session, &code, &agency, &subject).await?;
            Output::record(super::describe_change(&ledger, &pending))
        }
    };
    session.close().await?;
    Ok(output)
}
