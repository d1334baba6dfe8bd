use crate::{
    args,
    context::Globals,
    context::{Mode, Session},
    error::fail,
    error::CliResult,
    output::{Field, Output, Table},
    resolve,
};
use anchor_lang::prelude::Pubkey;
use clap::{Subcommand, ValueEnum};
use public_spending::{
    instructions::RegisterRecipientArgs,
    state::{ExclusionStatus, RecipientKind},
};
use public_spending_sdk::operations::AuditorSigners;
use public_spending_sdk::{
    builders::WalletStep,
    individual_name_hash, pda,
    query::{ExclusionQuery, RecipientQuery},
};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Kind {
    Business,
    Individual,
    Government,
}

#[derive(Debug, Subcommand)]
pub enum RecipientCommand {
    /// Register a payee in the agency's vendor file (OBLIGATE role); an individual's name is stored only as
    /// sha256(salt || name). Each agency keeps its own record of a UEI, with its own payout wallet.
    Register {
        /// Registering agency code
        code: String,
        /// Unique Entity ID, 12 upper-case letters or digits
        #[arg(long)]
        uei: String,
        #[arg(long, value_enum)]
        kind: Kind,
        /// Legal name (for an individual: hashed with --salt, never sent)
        #[arg(long)]
        name: String,
        /// The agency's salt for individual names (hex); required for individuals
        #[arg(long)]
        salt: Option<String>,
        /// Wallet whose token account receives payments
        #[arg(long, value_parser = args::parse_pubkey)]
        wallet: Pubkey,
    },
    /// Debar (or suspend) a UEI in every agency: no new award or payment to it anywhere (auditor)
    Debar {
        uei: String,
        /// Suspend (temporary) instead of debar
        #[arg(long)]
        suspend: bool,
        #[command(flatten)]
        grounds: args::Grounds,
    },
    /// Lift a UEI's suspension or debarment: the auditor who imposed it, or another auditor with a second one
    /// (--concurring)
    Reinstate {
        uei: String,
        #[command(flatten)]
        grounds: args::Grounds,
    },
    /// Propose a new payout wallet for the agency's record of a UEI (OBLIGATE role); a second member confirms
    ProposeWallet {
        code: String,
        uei: String,
        #[arg(long, value_parser = args::parse_pubkey)]
        wallet: Pubkey,
    },
    /// Confirm a proposed payout wallet: another OBLIGATE member than the proposer, after the time lock. Name
    /// the wallet you reviewed with --wallet: the confirmation is refused if the pending proposal names another
    ConfirmWallet {
        code: String,
        uei: String,
        /// The proposed wallet, as you verified it with the vendor
        #[arg(long, value_parser = args::parse_pubkey)]
        wallet: Pubkey,
    },
    /// Show a UEI: its exclusion, and each agency's record of it (or only --agency's)
    Show {
        uei: String,
        #[arg(long)]
        agency: Option<String>,
    },
    /// Every payment to a recipient, in every agency, archived ones included (from the index)
    Payments {
        uei: String,
        #[command(flatten)]
        db: args::Db,
    },
    /// List recipient records, or with --excluded the UEIs suspended or debarred now
    List {
        /// Only this agency's vendor file
        #[arg(long)]
        agency: Option<String>,
        /// List the exclusions in force instead
        #[arg(long)]
        excluded: bool,
    },
}

/// `recipient payments`: read from the index alone, no chain opened.
fn payments(uei: &str, db: &args::Db) -> CliResult<Output> {
    let uei = args::uei(uei)?;
    let store = db.open(true)?;
    let state = public_spending_watchdog::ledger::LedgerState::from_store(&store)?;
    // Each agency keeps its own record of the UEI: all of them.
    let records: Vec<_> = state
        .recipients
        .iter()
        .filter(|(_, r)| r.uei == uei)
        .map(|(address, _)| *address)
        .collect();
    let payments = public_spending_watchdog::lookup::payments_where(&store, |p| {
        records.contains(&p.record.recipient)
    })?;
    let decimals = state.decimals();
    let mut table = Table::new(&[
        "agency",
        "award_id",
        "index",
        "amount",
        "executed_at",
        "path",
        "signature",
    ]);
    for p in payments {
        table.push(vec![
            state.agency_code(&p.record.agency).into(),
            state.award_id(&p.record.award).into(),
            p.record.payment_index.into(),
            Field::amount(p.record.amount, decimals),
            Field::Time(p.record.executed_at),
            if p.fast_path { "fast" } else { "approval" }.into(),
            p.signature.into(),
        ]);
    }
    Ok(table.into())
}

pub async fn run(command: RecipientCommand, globals: &Globals) -> CliResult<Output> {
    if let RecipientCommand::Payments { uei, db } = &command {
        return payments(uei, db);
    }
    let signs = !matches!(
        command,
        RecipientCommand::Show { .. } | RecipientCommand::List { .. }
    );
    let session = Session::open(globals, Mode::signing(signs)).await?;
    let output = match command {
        RecipientCommand::Register {
            code,
            uei,
            kind,
            name,
            salt,
            wallet,
        } => {
            let signer = session.signer()?;
            let uei = args::uei(&uei)?;
            let payout_wallet = wallet;
            session.agency(&code).await?;
            let (kind, name, name_hash) = match kind {
                Kind::Individual => {
                    let Some(salt) = salt else {
                        fail!("--salt is required for an individual: the name is stored only as a salted hash")
                    };
                    let salt = hex_bytes(&salt)?;
                    (
                        RecipientKind::Individual,
                        String::new(),
                        individual_name_hash(&salt, &name),
                    )
                }
                Kind::Business => (RecipientKind::Business, name, [0; 32]),
                Kind::Government => (RecipientKind::Government, name, [0; 32]),
            };
            let args = RegisterRecipientArgs {
                uei,
                kind,
                name,
                name_hash,
                payout_wallet,
            };
            let (recipient, outcome) = session
                .client
                .register_recipient(&code, args, signer)
                .await?;
            Output::record(vec![
                ("recipient", recipient.into()),
                ("signature", outcome.signature.to_string().into()),
            ])
        }
        RecipientCommand::Debar {
            uei,
            suspend,
            grounds,
        } => {
            let status = if suspend {
                ExclusionStatus::Suspended
            } else {
                ExclusionStatus::Debarred
            };
            set_exclusion(&session, &uei, status, &grounds).await?
        }
        RecipientCommand::Reinstate { uei, grounds } => {
            set_exclusion(&session, &uei, ExclusionStatus::Lifted, &grounds).await?
        }
        RecipientCommand::ProposeWallet { code, uei, wallet } => {
            change_wallet(&session, &code, &uei, WalletStep::Propose(wallet)).await?
        }
        RecipientCommand::ConfirmWallet { code, uei, wallet } => {
            change_wallet(&session, &code, &uei, WalletStep::Confirm(wallet)).await?
        }
        RecipientCommand::Payments { uei, db } => payments(&uei, &db)?,
        RecipientCommand::Show { uei, agency } => {
            let uei_bytes = args::uei(&uei)?;
            let exclusion = session.client.exclusion(&uei_bytes).await?;
            let agency = match agency {
                Some(code) => Some(session.agency(&code).await?.0),
                None => None,
            };
            let records = resolve::list(
                &session,
                &RecipientQuery {
                    agency,
                    uei: Some(uei_bytes),
                },
            )
            .await?;
            if records.is_empty() {
                fail!("unknown recipient {uei}: no agency has registered that UEI");
            }
            let (status, reason, evidence) = match &exclusion {
                Some(e) => (
                    format!("{:?}", e.status),
                    Field::from(format!("{:?}", e.note.reason)),
                    Field::Hash(e.note.evidence_hash),
                ),
                None => ("never excluded".to_string(), Field::None, Field::None),
            };
            let mut rows = Vec::new();
            for (address, r) in records {
                let agency_code = session
                    .client
                    .fetch::<public_spending::state::Agency>(&r.agency)
                    .await
                    .map(|a| a.code)
                    .unwrap_or_else(|_| r.agency.to_string());
                rows.push(vec![
                    ("agency", agency_code.into()),
                    ("address", address.into()),
                    ("kind", format!("{:?}", r.kind).into()),
                    ("name", Field::text_or_none(r.name.clone())),
                    ("name_hash", Field::hash_or_none(r.name_hash)),
                    ("payout_wallet", r.payout_wallet.into()),
                    (
                        "proposed_wallet",
                        Field::key_or_none(r.pending_payout_wallet),
                    ),
                    ("wallet_changes", r.payout_change_count.into()),
                    ("registered_at", Field::Time(r.registered_at)),
                ]);
            }
            Output::nested(
                vec![
                    ("uei", uei.clone().into()),
                    ("exclusion", status.into()),
                    ("exclusion_reason", reason),
                    ("exclusion_evidence", evidence),
                    ("exclusion_address", pda::exclusion(&uei_bytes).0.into()),
                ],
                "records",
                rows,
            )
        }
        RecipientCommand::List {
            agency,
            excluded: true,
        } => {
            if agency.is_some() {
                fail!("exclusions are ledger-wide: --excluded takes no --agency");
            }
            let mut table =
                Table::new(&["uei", "status", "reason", "evidence", "since", "auditor"]);
            for (_, e) in resolve::list(&session, &ExclusionQuery::default()).await? {
                if !e.in_force() {
                    continue;
                }
                table.push(vec![
                    String::from_utf8_lossy(&e.uei).into_owned().into(),
                    format!("{:?}", e.status).into(),
                    format!("{:?}", e.note.reason).into(),
                    Field::Hash(e.note.evidence_hash),
                    Field::Time(e.note.at),
                    e.auditor.into(),
                ]);
            }
            table.into()
        }
        RecipientCommand::List { agency, .. } => {
            let agency = match agency {
                Some(code) => Some(session.agency(&code).await?.0),
                None => None,
            };
            let query = RecipientQuery { agency, uei: None };
            let mut table = Table::new(&["agency", "uei", "kind", "name", "payout_wallet"]);
            for (_, r) in resolve::list(&session, &query).await? {
                table.push(vec![
                    r.agency.into(),
                    String::from_utf8_lossy(&r.uei).into_owned().into(),
                    format!("{:?}", r.kind).into(),
                    if r.name.is_empty() {
                        "(individual)".into()
                    } else {
                        r.name.clone().into()
                    },
                    r.payout_wallet.into(),
                ]);
            }
            table.into()
        }
    };
    session.close().await?;
    Ok(output)
}

fn hex_bytes(input: &str) -> CliResult<Vec<u8>> {
    match hex::decode(input) {
        Ok(bytes) if !bytes.is_empty() => Ok(bytes),
        _ => fail!("{input:?} is not hex"),
    }
}

async fn set_exclusion(
    session: &Session,
    uei: &str,
    status: ExclusionStatus,
    grounds: &args::Grounds,
) -> CliResult<Output> {
    let signer = session.signer()?;
    let concurring = grounds.concurring()?;
    let auditors = AuditorSigners {
        auditor: signer,
        concurring: concurring.as_ref(),
    };
    let grounds = grounds.args()?;
    let (exclusion, outcome) = session
        .client
        .set_exclusion(args::uei(uei)?, status, grounds, auditors)
        .await?;
    Ok(Output::record(vec![
        ("exclusion", exclusion.into()),
        ("uei", uei.into()),
        ("status", format!("{status:?}").into()),
        ("reason", format!("{:?}", grounds.reason).into()),
        ("evidence", Field::Hash(grounds.evidence_hash)),
        ("signature", outcome.signature.to_string().into()),
    ]))
}

async fn change_wallet(
    session: &Session,
    code: &str,
    uei: &str,
    step: WalletStep,
) -> CliResult<Output> {
    let signer = session.signer()?;
    let (agency, state) = session.agency(code).await?;
    let (address, record) = resolve::recipient(session, &agency, code, uei).await?;
    let outcome = session
        .client
        .change_payout_wallet(code, &address, step, signer)
        .await?;
    let mut fields = match step {
        WalletStep::Propose(wallet) => vec![
            ("recipient", address.into()),
            ("payout_wallet", record.payout_wallet.into()),
            ("proposed_wallet", wallet.into()),
            (
                "confirmable_after",
                format!(
                    "{} s, by another OBLIGATE member",
                    state.policy.time_lock_seconds
                )
                .into(),
            ),
        ],
        WalletStep::Confirm(_) => vec![
            ("recipient", address.into()),
            ("previous_wallet", record.payout_wallet.into()),
            ("payout_wallet", record.pending_payout_wallet.into()),
        ],
    };
    fields.push(("signature", outcome.signature.to_string().into()));
    Ok(Output::record(fields))
}
