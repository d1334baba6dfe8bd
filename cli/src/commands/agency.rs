use anchor_lang::prelude::Pubkey;
use clap::Subcommand;
use public_spending::{instructions::RegisterAgencyArgs, state::ApprovalPolicy};
use public_spending_sdk::operations::AuditorSigners;
use public_spending_sdk::{amount::format_amount, builders, pda, query::AgencyQuery};
use solana_sdk::signature::Signer;

use super::{parse_amount, send, show_amount};
use crate::{
    args,
    context::Globals,
    context::{Mode, Session},
    error::fail,
    error::CliResult,
    output::{Field, Output, Table},
    resolve,
};

#[derive(Debug, Subcommand)]
pub enum AgencyCommand {
    /// Register an agency and create its treasury (ledger admin)
    Register {
        /// Agency code: 3 digits (CGAC, e.g. 075) or 4 digits (FREC, e.g. 1601)
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        /// The agency head's public key
        #[arg(long, value_parser = args::parse_pubkey)]
        head: Pubkey,
    },
    /// Set the approval policy (agency head)
    SetPolicy {
        code: String,
        /// Payments at or above this amount need approvals
        #[arg(long)]
        threshold: args::Amount,
        /// Approvals needed at or above the threshold (1 to 5)
        #[arg(long, value_parser = clap::value_parser!(u8).range(1..=public_spending::constants::MAX_APPROVERS as i64))]
        approvals: u8,
        /// Seconds between the final approval and execution
        #[arg(long, default_value_t = 0)]
        time_lock: u32,
        /// Most the fast path may pay per day (0 turns it off)
        #[arg(long, default_value = "0")]
        daily_cap: String,
        /// Propose it on notice instead (a looser policy for an agency in service must be): it applies with
        /// `change apply CODE policy` after the notice, unless an auditor vetoes it
        #[arg(long)]
        propose: bool,
    },
    /// Put stablecoin into the agency treasury (minted if you are the mint authority, else transferred from
    /// your token account)
    Fund {
        code: String,
        /// Amount in the token's units, e.g. 1,000,000.00
        #[arg(long, allow_hyphen_values = true)]
        amount: args::Amount,
    },
    /// Freeze an agency: none of its members can act until unfrozen (auditor)
    Freeze {
        code: String,
        #[command(flatten)]
        grounds: args::Grounds,
    },
    /// Lift a freeze: the auditor who imposed it, or another auditor with a second one (--concurring)
    Unfreeze {
        code: String,
        #[command(flatten)]
        grounds: args::Grounds,
    },
    /// Show one agency
    Show { code: String },
    /// List every agency with its totals
    List,
}

pub async fn run(command: AgencyCommand, globals: &Globals) -> CliResult<Output> {
    let signs = !matches!(command, AgencyCommand::Show { .. } | AgencyCommand::List);
    let session = Session::open(globals, Mode::signing(signs)).await?;
    let output = match command {
        AgencyCommand::Show { code } => show(&session, &code).await?,
        AgencyCommand::List => list(&session).await?,
        command => write(&session, command).await?,
    };
    session.close().await?;
    Ok(output)
}

async fn write(session: &Session, command: AgencyCommand) -> CliResult<Output> {
    let signer = session.signer()?;
    let ledger = session.ledger().await?;
    Ok(match command {
        AgencyCommand::Register { code, name, head } => {
            args::agency_code(&code)?;
            let address = pda::agency(&code).0;
            if let Some(existing) = session
                .client
                .fetch_optional::<public_spending::state::Agency>(&address)
                .await?
            {
                fail!(
                    "agency {code} exists already ({}, head {})",
                    existing.name,
                    existing.head
                );
            }
            let ix = builders::RegisterAgency {
                admin: signer.pubkey(),
                payment_mint: ledger.payment_mint,
                token_program: ledger.token_program,
                args: RegisterAgencyArgs {
                    code: code.clone(),
                    name: name.clone(),
                    head,
                },
            };
            send(
                session,
                &ix,
                signer,
                vec![
                    ("agency", address.into()),
                    ("code", code.into()),
                    ("name", name.into()),
                    ("head", head.into()),
                    ("treasury", pda::treasury(&address).0.into()),
                ],
            )
            .await?
        }
        AgencyCommand::SetPolicy {
            code,
            threshold,
            approvals,
            time_lock,
            daily_cap,
            propose,
        } => {
            let (agency, _) = session.agency(&code).await?;
            let daily_cap = if daily_cap.trim() == "0" {
                0
            } else {
                parse_amount(&ledger, &daily_cap)?
            };
            let policy = ApprovalPolicy {
                threshold: threshold.units(ledger.mint_decimals)?,
                approvals_required: approvals,
                time_lock_seconds: time_lock,
                fast_path_daily_cap: daily_cap,
            };
            if propose {
                let change = public_spending::state::ControlChange::Policy { policy };
                return super::propose(session, Some(agency), change, signer).await;
            }
            let ix = builders::SetApprovalPolicy {
                agency,
                head: signer.pubkey(),
                policy,
            };
            let again = format!(
                "pubspend agency set-policy {code} --threshold {} --approvals {approvals} --time-lock {time_lock} --daily-cap {} --propose",
                format_amount(policy.threshold, ledger.mint_decimals),
                format_amount(policy.fast_path_daily_cap, ledger.mint_decimals)
            );
            super::send_explained(
                session,
                &ix,
                signer,
                vec![
                    ("agency", agency.into()),
                    ("threshold", show_amount(&ledger, policy.threshold)),
                    ("approvals_required", policy.approvals_required.into()),
                    ("time_lock_seconds", policy.time_lock_seconds.into()),
                    (
                        "fast_path_daily_cap",
                        show_amount(&ledger, policy.fast_path_daily_cap),
                    ),
                ],
                |error| super::needs_notice(error, &again),
            )
            .await?
        }
        AgencyCommand::Fund { code, amount } => {
            let (agency, state) = session.agency(&code).await?;
            let amount = amount.units(ledger.mint_decimals)?;
            let mint = resolve::mint_authority(session, &ledger.payment_mint).await?;
            let ix = builders::FundTreasury {
                treasury: state.treasury,
                payment_mint: ledger.payment_mint,
                token_program: ledger.token_program,
                mint_decimals: ledger.mint_decimals,
                funder: signer.pubkey(),
                mints: mint == Some(signer.pubkey()),
                amount,
            };
            send(
                session,
                &ix,
                signer,
                vec![
                    ("agency", agency.into()),
                    ("treasury", state.treasury.into()),
                    ("amount", show_amount(&ledger, amount)),
                ],
            )
            .await?
        }
        AgencyCommand::Freeze { code, grounds } => {
            set_frozen(session, &code, true, &grounds).await?
        }
        AgencyCommand::Unfreeze { code, grounds } => {
            set_frozen(session, &code, false, &grounds).await?
        }
        AgencyCommand::Show { .. } | AgencyCommand::List => unreachable!("read commands"),
    })
}

async fn set_frozen(
    session: &Session,
    code: &str,
    frozen: bool,
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
    let outcome = session
        .client
        .set_agency_frozen(code, frozen, grounds, auditors)
        .await?;
    Ok(Output::record(vec![
        ("agency", agency.into()),
        ("frozen", frozen.into()),
        ("reason", format!("{:?}", grounds.reason).into()),
        ("evidence", Field::Hash(grounds.evidence_hash)),
        ("signature", outcome.signature.to_string().into()),
    ]))
}

async fn show(session: &Session, code: &str) -> CliResult<Output> {
    let ledger = session.ledger().await?;
    let (address, agency) = session.agency(code).await?;
    let amount = |units| show_amount(&ledger, units);
    let effective = ledger.limits.bound(&agency.policy);
    let set_by = |effective: u64, policy: u64| -> Field {
        if effective < policy {
            "ledger ceiling".into()
        } else {
            "agency policy".into()
        }
    };
    Ok(Output::record(vec![
        ("code", agency.code.clone().into()),
        ("name", agency.name.clone().into()),
        ("address", address.into()),
        ("head", agency.head.into()),
        ("treasury", agency.treasury.into()),
        ("frozen", agency.frozen.into()),
        ("threshold", amount(agency.policy.threshold)),
        (
            "approvals_required",
            agency.policy.approvals_required.into(),
        ),
        ("time_lock_seconds", agency.policy.time_lock_seconds.into()),
        (
            "fast_path_daily_cap",
            amount(agency.policy.fast_path_daily_cap),
        ),
        // What the program enforces: the policy cut to the ledger-wide ceilings.
        ("effective_threshold", amount(effective.threshold)),
        (
            "effective_threshold_set_by",
            set_by(effective.threshold, agency.policy.threshold),
        ),
        (
            "effective_fast_path_daily_cap",
            amount(effective.fast_path_daily_cap),
        ),
        (
            "effective_daily_cap_set_by",
            set_by(
                effective.fast_path_daily_cap,
                agency.policy.fast_path_daily_cap,
            ),
        ),
        ("budget_authority", amount(agency.budget_authority)),
        ("allotted", amount(agency.allotted)),
        ("obligated", amount(agency.obligated)),
        ("outlayed", amount(agency.outlayed)),
        ("payments", agency.outlay_count.into()),
        ("outlay_hash", Field::Hash(agency.outlay_hash)),
    ]))
}

async fn list(session: &Session) -> CliResult<Output> {
    let ledger = session.ledger().await?;
    let mut agencies = resolve::list(session, &AgencyQuery).await?;
    agencies.sort_by(|(_, a), (_, b)| a.code.cmp(&b.code));
    let mut table = Table::new(&[
        "code",
        "name",
        "authority",
        "allotted",
        "obligated",
        "outlayed",
        "payments",
        "frozen",
    ]);
    for (_, agency) in agencies {
        table.push(vec![
            agency.code.clone().into(),
            agency.name.clone().into(),
            show_amount(&ledger, agency.budget_authority),
            show_amount(&ledger, agency.allotted),
            show_amount(&ledger, agency.obligated),
            show_amount(&ledger, agency.outlayed),
            agency.outlay_count.into(),
            agency.frozen.into(),
        ]);
    }
    Ok(table.into())
}
