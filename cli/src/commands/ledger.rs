use anchor_lang::prelude::Pubkey;
use clap::Subcommand;
use public_spending_sdk::{
    builders::{self, Operation},
    fetch::AccountSource,
    pda,
};
use solana_sdk::signature::Signer;

use public_spending::state::{ControlChange, Ledger, LedgerLimits, PendingChange};
use public_spending_sdk::{amount::format_amount, builders::LimitsStep};

use super::parse_amount;
use crate::{
    args,
    context::Globals,
    context::{Mode, Session},
    error::fail,
    error::CliResult,
    output::{Field, Output},
};

#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// Create the ledger with you as admin. On the embedded chain, without --mint, a test stablecoin is created
    /// with you as its mint authority.
    Init {
        /// The stablecoin mint agencies pay in
        #[arg(long, value_parser = args::parse_pubkey)]
        mint: Option<Pubkey>,
        /// Decimals of the test stablecoin created on the embedded chain, 0 to 9: a budget is counted in a u64
        /// of base units, and the ledger is initialized once (stablecoins in use have at most 9)
        #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(0..=i64::from(public_spending::constants::MAX_MINT_DECIMALS)))]
        decimals: u8,
        /// On the embedded chain, create the test stablecoin as a Token-2022 mint (a mint given with --mint is
        /// used with whichever token program owns it)
        #[arg(long, conflicts_with = "mint")]
        token_2022: bool,
    },
    /// Propose a new admin (the first of two steps)
    ProposeAdmin {
        #[arg(value_parser = args::parse_pubkey)]
        new_admin: Pubkey,
    },
    /// Accept the admin role you were proposed for
    AcceptAdmin,
    /// Replace the list of auditors: at once only before any agency is registered; after that every list
    /// (adding or removing) is proposed (--propose), public and open to any auditor's veto when it adds one,
    /// and applied with `apply-auditors` after a week's notice (or the ledger's minimum notice when longer)
    SetAuditors {
        #[arg(value_parser = args::parse_pubkey)]
        auditors: Vec<Pubkey>,
        /// Propose the list on notice instead of setting it
        #[arg(long)]
        propose: bool,
    },
    /// Apply the proposed auditor list once its notice is over
    ApplyAuditors,
    /// Set the ledger-wide limits: ceilings on every agency's fast-path threshold and daily cap, and the least
    /// notice any loosening takes. Lower ceilings and a longer notice apply at once; higher ceilings or a
    /// shorter notice must be proposed (--propose) and applied with `apply-limits` after the notice in force.
    /// Limits not given keep their current value.
    Limits {
        /// Ceiling on every agency's fast-path threshold, in tokens (e.g. 10000.00), or `none`
        #[arg(long, value_name = "AMOUNT|none")]
        max_threshold: Option<String>,
        /// Ceiling on every agency's fast-path daily cap, in tokens, or `none`
        #[arg(long, value_name = "AMOUNT|none")]
        max_daily_cap: Option<String>,
        /// The least notice a loosening takes, in hours (1 to 720)
        #[arg(long, value_name = "HOURS", value_parser = clap::value_parser!(u32).range(1..=720))]
        min_notice_hours: Option<u32>,
        /// Propose the limits on notice instead of setting them
        #[arg(long)]
        propose: bool,
    },
    /// Apply the proposed limits once their notice is over
    ApplyLimits,
    /// Withdraw the proposed limits
    WithdrawLimits,
    /// Stop every state change
    Pause,
    /// Lift a pause
    Unpause,
    /// Show the ledger
    Show,
}

pub async fn run(command: LedgerCommand, globals: &Globals) -> CliResult<Output> {
    let signs = !matches!(command, LedgerCommand::Show);
    let session = Session::open(globals, Mode::signing(signs)).await?;
    let output = match command {
        LedgerCommand::Show => show(&session).await?,
        command => write(&session, command).await?,
    };
    session.close().await?;
    Ok(output)
}

async fn write(session: &Session, command: LedgerCommand) -> CliResult<Output> {
    let signer = session.signer()?;
    let admin = signer.pubkey();
    let mut fields: Vec<(&str, Field)> = vec![("ledger", pda::ledger().0.into())];
    // The command that does the same on notice, for a refusal that it must wait one out.
    let mut on_notice: Option<String> = None;
    let ix: Box<dyn Operation> = match command {
        LedgerCommand::Init {
            mint,
            decimals,
            token_2022,
        } => {
            if let Some(ledger) = session
                .client
                .fetch_optional::<Ledger>(&pda::ledger().0)
                .await?
            {
                fail!(
                    "this chain already has its ledger (admin {}, paying in mint {}): a ledger is initialized once",
                    ledger.admin,
                    ledger.payment_mint
                );
            }
            #[cfg(feature = "embedded")]
            let embedded = session.embedded();
            #[cfg(not(feature = "embedded"))]
            let embedded: Option<std::convert::Infallible> = {
                // The test stablecoin's settings are the embedded chain's alone.
                let _ = (decimals, token_2022);
                None
            };
            let mint = match (mint, embedded) {
                (Some(mint), _) => mint,
                #[cfg(feature = "embedded")]
                (None, Some(chain)) => {
                    let token_program = if token_2022 {
                        anchor_spl::token_2022::ID
                    } else {
                        anchor_spl::token::ID
                    };
                    chain
                        .create_mint_in(&admin, decimals, &token_program)
                        .await?
                }
                (None, None) => fail!(
                    "--mint is required on a real cluster: give the stablecoin's mint address"
                ),
            };
            let token_program = match session
                .client
                .backend()
                .get_account(&mint)
                .await?
                .map(|account| account.owner)
            {
                Some(owner) => owner,
                None => fail!("mint {mint} does not exist on this chain"),
            };
            Box::new(builders::InitializeLedger {
                admin,
                payment_mint: mint,
                token_program,
            })
        }
        LedgerCommand::ProposeAdmin { new_admin } => {
            Box::new(builders::ProposeAdmin { admin, new_admin })
        }
        LedgerCommand::AcceptAdmin => Box::new(builders::AcceptAdmin { new_admin: admin }),
        LedgerCommand::SetAuditors { auditors, propose } => {
            let ledger = session.ledger().await?;
            require_admin(&ledger, &admin)?;
            let names: Vec<String> = auditors.iter().map(Pubkey::to_string).collect();
            if propose {
                let removed: Vec<Pubkey> = ledger
                    .auditors
                    .iter()
                    .filter(|a| !auditors.contains(a))
                    .copied()
                    .collect();
                let change = ControlChange::Auditors {
                    auditors: auditors.clone(),
                };
                let (pending, outcome) =
                    session.client.propose_change(None, change, signer).await?;
                fields.push(("auditors", Field::Keys(auditors)));
                fields.push(("would_remove", Field::Keys(removed)));
                fields.push(("effective_at", Field::Time(pending.effective_at)));
                fields.push(("signature", outcome.signature.to_string().into()));
                return Ok(Output::record(fields));
            } else {
                on_notice = Some(format!(
                    "pubspend ledger set-auditors {} --propose",
                    names.join(" ")
                ));
                Box::new(builders::SetAuditors { admin, auditors })
            }
        }
        LedgerCommand::ApplyAuditors => {
            let ledger = session.ledger().await?;
            let Some(pending) = pending_auditors(session).await? else {
                fail!("no auditor list is pending: propose one with `pubspend ledger set-auditors KEY... --propose`")
            };
            require_admin(&ledger, &admin)?;
            super::require_notice_over(session, "the proposed auditor list", pending.effective_at)
                .await?;
            if pending.vetoed() {
                fail!(
                    "auditor {} vetoed the proposed auditor list: it cannot apply",
                    pending.vetoed_by
                );
            }
            if let ControlChange::Auditors { auditors } = pending.change {
                fields.push(("auditors", Field::Keys(auditors)));
            }
            Box::new(builders::ApplyAuditors { admin })
        }
        LedgerCommand::Limits {
            max_threshold,
            max_daily_cap,
            min_notice_hours,
            propose,
        } => {
            let ledger = session.ledger().await?;
            require_admin(&ledger, &admin)?;
            let parse_ceiling = |input: Option<String>, current: u64| -> CliResult<u64> {
                match input.as_deref() {
                    None => Ok(current),
                    Some("none") => Ok(u64::MAX),
                    Some(amount) => parse_amount(&ledger, amount),
                }
            };
            let limits = LedgerLimits {
                max_fast_path_threshold: parse_ceiling(
                    max_threshold,
                    ledger.limits.max_fast_path_threshold,
                )?,
                max_fast_path_daily_cap: parse_ceiling(
                    max_daily_cap,
                    ledger.limits.max_fast_path_daily_cap,
                )?,
                min_change_notice_seconds: min_notice_hours
                    .map_or(ledger.limits.min_change_notice_seconds, |hours| {
                        hours * 3_600
                    }),
            };
            let step = if propose {
                if let Some(pending) = pending_limits(session).await?.filter(|p| !p.vetoed()) {
                    fail!(
                        "limits are already proposed (effective {}): apply them (`ledger apply-limits`) or withdraw them (`ledger withdraw-limits`) before proposing others",
                        super::time_text(pending.effective_at)
                    );
                }
                LimitsStep::Propose(limits)
            } else {
                on_notice = Some(format!(
                    "pubspend ledger limits --max-threshold {} --max-daily-cap {} --min-notice-hours {} --propose",
                    ceiling(&ledger, limits.max_fast_path_threshold),
                    ceiling(&ledger, limits.max_fast_path_daily_cap),
                    limits.min_change_notice_seconds / 3_600
                ));
                LimitsStep::Set(limits)
            };
            Box::new(builders::LedgerLimitsChange { admin, step })
        }
        LedgerCommand::ApplyLimits | LedgerCommand::WithdrawLimits => {
            let apply = matches!(command, LedgerCommand::ApplyLimits);
            let ledger = session.ledger().await?;
            let Some(pending) = pending_limits(session).await? else {
                fail!("no limits are pending: propose them with `pubspend ledger limits ... --propose`")
            };
            require_admin(&ledger, &admin)?;
            let step = if apply {
                super::require_notice_over(session, "the proposed limits", pending.effective_at)
                    .await?;
                LimitsStep::Apply
            } else {
                LimitsStep::Withdraw
            };
            Box::new(builders::LedgerLimitsChange { admin, step })
        }
        LedgerCommand::Pause => Box::new(builders::SetPaused {
            admin,
            paused: true,
        }),
        LedgerCommand::Unpause => Box::new(builders::SetPaused {
            admin,
            paused: false,
        }),
        LedgerCommand::Show => unreachable!("handled by show"),
    };
    super::send_explained(session, ix.as_ref(), signer, fields, |error| {
        on_notice
            .as_deref()
            .and_then(|command| super::needs_notice(error, command))
    })
    .await
}

/// Only the ledger admin changes the ledger's auditors and limits: said before sending, with who signed.
fn require_admin(ledger: &Ledger, signer: &Pubkey) -> CliResult<()> {
    if ledger.admin != *signer {
        fail!(
            "only the ledger admin ({}) does this; you signed as {signer}",
            ledger.admin
        );
    }
    Ok(())
}

async fn pending_auditors(session: &Session) -> CliResult<Option<PendingChange>> {
    Ok(session
        .client
        .fetch_optional(&pda::auditors_change())
        .await?)
}

async fn pending_limits(session: &Session) -> CliResult<Option<PendingChange>> {
    Ok(session.client.fetch_optional(&pda::limits_change()).await?)
}

/// A ceiling as the ledger shows it and the command line takes it: an amount, or `none` for no ceiling.
fn ceiling(ledger: &Ledger, units: u64) -> String {
    if units == u64::MAX {
        "none".to_string()
    } else {
        format_amount(units, ledger.mint_decimals)
    }
}

async fn show(session: &Session) -> CliResult<Output> {
    let ledger = session.ledger().await?;
    let mut fields = vec![
        ("address", pda::ledger().0.into()),
        ("admin", ledger.admin.into()),
        ("pending_admin", ledger.pending_admin.into()),
        ("payment_mint", ledger.payment_mint.into()),
        ("token_program", ledger.token_program.into()),
        ("decimals", ledger.mint_decimals.into()),
        ("paused", ledger.paused.into()),
        ("agencies", ledger.agency_count.into()),
        ("auditors", Field::Keys(ledger.auditors.clone())),
        (
            "fast_path_threshold_ceiling",
            ceiling(&ledger, ledger.limits.max_fast_path_threshold).into(),
        ),
        (
            "fast_path_daily_cap_ceiling",
            ceiling(&ledger, ledger.limits.max_fast_path_daily_cap).into(),
        ),
        (
            "minimum_notice_hours",
            (ledger.limits.min_change_notice_seconds / 3_600).into(),
        ),
    ];
    // What is on notice: a citizen sees an auditor's removal or a raised ceiling coming.
    match pending_auditors(session).await? {
        Some(pending) => {
            let auditors = match &pending.change {
                ControlChange::Auditors { auditors } => auditors.clone(),
                _ => Vec::new(),
            };
            fields.push(("pending_auditors", Field::Keys(auditors)));
            fields.push((
                "pending_auditors_effective_at",
                Field::Time(pending.effective_at),
            ));
        }
        None => fields.push(("pending_auditors", Field::None)),
    }
    match pending_limits(session).await? {
        Some(pending) => {
            let what = super::change_text(&ledger, &pending.change);
            let what = what.strip_prefix("limits: ").unwrap_or(&what).to_string();
            fields.push(("pending_limits", what.into()));
            fields.push((
                "pending_limits_effective_at",
                Field::Time(pending.effective_at),
            ));
        }
        None => fields.push(("pending_limits", Field::None)),
    }
    Ok(Output::record(fields))
}
