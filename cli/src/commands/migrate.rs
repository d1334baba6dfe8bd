//! `pubspend migrate FILE`: make the chain match a declarative description of agencies, members and policies.
//! Computes the difference with what is on chain, prints the plan, and applies it; a second run finds nothing
//! to do. Errors in the file name the line.

use std::path::PathBuf;

use anchor_lang::prelude::Pubkey;
use clap::Args;
use public_spending::{
    instructions::{RegisterAgencyArgs, SetMemberArgs},
    state::{Agency, ApprovalPolicy, Member},
};
use public_spending_sdk::{
    builders::{self, Operation},
    pda,
};
use serde::Deserialize;
use solana_sdk::signature::Signer;
use toml::Spanned;

use super::{parse_amount, show_amount};
use crate::{
    args,
    context::Globals,
    context::{read_keypair, Mode, Session},
    error::fail,
    error::CliResult,
    output::Output,
};

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The ledger description (see migrations/ledger.example.toml)
    pub file: PathBuf,
    /// Print the plan without applying it
    #[arg(long)]
    pub dry_run: bool,
    /// More keypair files that sign steps (agency heads), besides --keypair
    #[arg(long = "signer")]
    pub signers: Vec<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LedgerFile {
    #[serde(default, rename = "agency")]
    agencies: Vec<AgencyEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AgencyEntry {
    code: Spanned<String>,
    name: Spanned<String>,
    head: Spanned<String>,
    policy: Option<PolicyEntry>,
    #[serde(default, rename = "member")]
    members: Vec<MemberEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyEntry {
    threshold: Spanned<String>,
    approvals: Spanned<u8>,
    #[serde(default)]
    time_lock_seconds: u32,
    #[serde(default)]
    daily_cap: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MemberEntry {
    key: Spanned<String>,
    roles: Spanned<Vec<String>>,
    #[serde(default = "active")]
    active: bool,
}

fn active() -> bool {
    true
}

/// One step of the plan, with who must sign it.
struct Step {
    description: String,
    operation: Box<dyn Operation>,
    signer: Pubkey,
}

/// The 1-based line of a byte offset in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

pub async fn run(args: MigrateArgs, globals: &Globals) -> CliResult<Output> {
    let text = match std::fs::read_to_string(&args.file) {
        Ok(text) => text,
        Err(err) => fail!("cannot read {}: {err}", args.file.display()),
    };
    let file_name = args.file.display().to_string();
    let parsed: LedgerFile = match toml::from_str(&text) {
        Ok(parsed) => parsed,
        Err(err) => {
            let line = err.span().map(|s| line_of(&text, s.start)).unwrap_or(1);
            fail!("{file_name}:{line}: {}", err.message());
        }
    };
    let session = Session::open(globals, Mode::signing(!args.dry_run)).await?;
    let ledger = session.ledger().await?;
    let at = |span: std::ops::Range<usize>| format!("{file_name}:{}", line_of(&text, span.start));

    let mut plan: Vec<Step> = Vec::new();
    for entry in &parsed.agencies {
        let code = entry.code.get_ref();
        if public_spending::state::validate_agency_code(code).is_err() {
            fail!(
                "{}: agency code {code:?} must be 1 to 4 upper-case letters or digits",
                at(entry.code.span())
            );
        }
        let head = args::pubkey(entry.head.get_ref())
            .map_err(|e| crate::error::CliError(format!("{}: {e}", at(entry.head.span()))))?;
        let address = pda::agency(code).0;
        let on_chain: Option<Agency> = session.client.fetch_optional(&address).await?;
        match &on_chain {
            None => plan.push(Step {
                description: format!(
                    "register agency {code} {:?} (head {head})",
                    entry.name.get_ref()
                ),
                operation: Box::new(builders::RegisterAgency {
                    admin: ledger.admin,
                    payment_mint: ledger.payment_mint,
                    token_program: ledger.token_program,
                    args: RegisterAgencyArgs {
                        code: code.clone(),
                        name: entry.name.get_ref().clone(),
                        head,
                    },
                }),
                signer: ledger.admin,
            }),
            Some(agency) if agency.head != head || agency.name != *entry.name.get_ref() => {
                fail!("{}: agency {code} exists with another head or name; the program cannot change those", at(entry.code.span()));
            }
            Some(_) => {}
        }
        if let Some(policy) = &entry.policy {
            let threshold = parse_amount(&ledger, policy.threshold.get_ref()).map_err(|e| {
                crate::error::CliError(format!("{}: {e}", at(policy.threshold.span())))
            })?;
            let daily_cap = match &policy.daily_cap {
                Some(cap) if cap.get_ref().trim() != "0" => parse_amount(&ledger, cap.get_ref())
                    .map_err(|e| crate::error::CliError(format!("{}: {e}", at(cap.span()))))?,
                _ => 0,
            };
            let wanted = ApprovalPolicy {
                threshold,
                approvals_required: *policy.approvals.get_ref(),
                time_lock_seconds: policy.time_lock_seconds,
                fast_path_daily_cap: daily_cap,
            };
            if wanted.validate().is_err() {
                fail!("{}: approval policy of {code} is not valid (1 to 5 approvals, time lock at most 30 days, a daily cap needs a threshold)", at(policy.approvals.span()));
            }
            if on_chain.as_ref().map(|a| a.policy) != Some(wanted) {
                plan.push(Step {
                    description: format!(
                        "set policy of {code}: threshold {}, {} approvals, time lock {}s, daily cap {}",
                        show_amount(&ledger, threshold), wanted.approvals_required, wanted.time_lock_seconds, show_amount(&ledger, daily_cap)
                    ),
                    operation: Box::new(builders::SetApprovalPolicy { agency: address, head, policy: wanted }),
                    signer: head,
                });
            }
        }
        for member in &entry.members {
            let key = args::pubkey(member.key.get_ref())
                .map_err(|e| crate::error::CliError(format!("{}: {e}", at(member.key.span()))))?;
            let roles = args::roles(&member.roles.get_ref().join(","))
                .map_err(|e| crate::error::CliError(format!("{}: {e}", at(member.roles.span()))))?;
            let current: Option<Member> = session
                .client
                .fetch_optional(&pda::member(&address, &key).0)
                .await?;
            if current.as_ref().map(|m| (m.roles, m.active)) != Some((roles, member.active)) {
                plan.push(Step {
                    description: format!(
                        "set member {key} of {code}: {} ({})",
                        args::role_names(roles),
                        if member.active { "active" } else { "inactive" }
                    ),
                    operation: Box::new(builders::SetMember {
                        agency: address,
                        head,
                        args: SetMemberArgs {
                            key,
                            roles,
                            active: member.active,
                        },
                    }),
                    signer: head,
                });
            }
        }
    }

    let mut lines = Vec::new();
    if plan.is_empty() {
        lines.push("nothing to do: the chain already matches the file".to_string());
    } else {
        lines.push(format!("plan ({} steps):", plan.len()));
        for (i, step) in plan.iter().enumerate() {
            lines.push(format!("  {}. {}", i + 1, step.description));
        }
    }
    let mut applied = Vec::new();
    if !args.dry_run {
        let mut keys = vec![session.signer()?.insecure_clone()];
        for path in &args.signers {
            let key = read_keypair(path)?;
            session.fund_signer(&key.pubkey()).await?;
            keys.push(key);
        }
        // Check every signature up front: nothing is half-applied for want of a key.
        if let Some(step) = plan
            .iter()
            .find(|s| !keys.iter().any(|k| k.pubkey() == s.signer))
        {
            fail!(
                "step {:?} must be signed by {}: pass its keypair with --signer",
                step.description,
                step.signer
            );
        }
        for step in &plan {
            let Some(signer) = keys.iter().find(|k| k.pubkey() == step.signer) else {
                continue;
            };
            let outcome = session
                .client
                .perform(step.operation.as_ref(), &[signer])
                .await?;
            let line = format!("  applied: {} ({})", step.description, outcome.signature);
            lines.push(line);
            applied.push(serde_json::json!({ "step": step.description, "signature": outcome.signature.to_string() }));
        }
    }
    let steps: Vec<&str> = plan.iter().map(|s| s.description.as_str()).collect();
    let output = Output::Text {
        text: lines.join("\n"),
        json: serde_json::json!({ "plan": steps, "applied": applied, "dry_run": args.dry_run }),
    };
    session.close().await?;
    Ok(output)
}
