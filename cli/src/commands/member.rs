use anchor_lang::prelude::Pubkey;
use clap::Subcommand;
use public_spending::{instructions::SetMemberArgs, state::ControlChange};
use public_spending_sdk::{builders, query::MemberQuery};
use solana_sdk::signature::Signer;

use super::{needs_notice, send_explained};
use crate::{
    args,
    context::Globals,
    context::{Mode, Session},
    error::CliResult,
    output::{Output, Table},
    resolve,
};

#[derive(Debug, Subcommand)]
pub enum MemberCommand {
    /// Give a key roles in an agency, change them, or deactivate it (agency head)
    Set {
        /// Agency code
        code: String,
        /// The member's public key
        #[arg(value_parser = args::parse_pubkey)]
        key: Pubkey,
        /// Comma-separated: budget, obligate, request, approve, execute, property. One key may not hold both
        /// request and approve, or both obligate and execute (separation of duties); the head's key holds none
        #[arg(long)]
        roles: String,
        /// Deactivate the member (keeps the record)
        #[arg(long)]
        inactive: bool,
        /// Propose it on notice instead (a new member, a role granted or a reactivation in an agency in service
        /// must be): it applies with `change apply` after the notice, unless an auditor vetoes it
        #[arg(long)]
        propose: bool,
    },
    /// List an agency's members
    List { code: String },
}

pub async fn run(command: MemberCommand, globals: &Globals) -> CliResult<Output> {
    let session = Session::open(
        globals,
        Mode::signing(matches!(command, MemberCommand::Set { .. })),
    )
    .await?;
    let output = match command {
        MemberCommand::Set {
            code,
            key,
            roles,
            inactive,
            propose,
        } => {
            let signer = session.signer()?;
            let roles = args::roles(&roles)?;
            if propose && roles == 0 && !inactive {
                crate::error::fail!("--roles is empty: a member proposed on notice must be given at least one role (to take every role away, `member set {code} {key} --roles '' --inactive` applies at once)");
            }
            let (agency, _) = session.agency(&code).await?;
            if propose {
                let change = ControlChange::Member {
                    key,
                    roles,
                    active: !inactive,
                };
                let output = super::propose(&session, Some(agency), change, signer).await?;
                session.close().await?;
                return Ok(output);
            }
            let ix = builders::SetMember {
                agency,
                head: signer.pubkey(),
                args: SetMemberArgs {
                    key,
                    roles,
                    active: !inactive,
                },
            };
            let fields = vec![
                ("member", key.into()),
                ("roles", args::role_names(roles).into()),
                ("active", (!inactive).into()),
            ];
            let roles = args::role_names(roles);
            send_explained(&session, &ix, signer, fields, |error| {
                needs_notice(
                    error,
                    &format!("pubspend member set {code} {key} --roles {roles} --propose"),
                )
            })
            .await?
        }
        MemberCommand::List { code } => {
            let (agency, _) = session.agency(&code).await?;
            let members = resolve::list(
                &session,
                &MemberQuery {
                    agency: Some(agency),
                },
            )
            .await?;
            let mut table = Table::new(&["key", "roles", "active"]);
            for (_, member) in members {
                table.push(vec![
                    member.key.into(),
                    args::role_names(member.roles).into(),
                    member.active.into(),
                ]);
            }
            table.into()
        }
    };
    session.close().await?;
    Ok(output)
}
