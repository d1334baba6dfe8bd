use clap::{Subcommand, ValueEnum};
use public_spending::{
    constants::ROLE_OBLIGATE,
    instructions::RegisterRecipientArgs,
    state::{Recipient, RecipientKind, RecipientStatus},
};
use public_spending_sdk::{builders, individual_name_hash, pda, query::RecipientQuery};
use solana_sdk::signature::Signer;

use super::{require_role, send};
use crate::{
    args,
    context::{Mode, Session},
    error::CliResult,
    fail,
    output::{print_record, Field, Table},
    Globals,
};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Kind {
    Business,
    Individual,
    Government,
}

#[derive(Debug, Subcommand)]
pub enum RecipientCommand {
    /// Register a payee (OBLIGATE role); an individual's name is stored only as sha256(salt || name)
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
        #[arg(long)]
        wallet: String,
    },
    /// Bar a recipient from payments (auditor)
    Debar {
        uei: String,
        /// Suspend (temporary) instead of debar
        #[arg(long)]
        suspend: bool,
    },
    /// Lift a suspension or debarment (auditor)
    Reinstate { uei: String },
    /// Show one recipient
    Show { uei: String },
    /// Every payment to a recipient, in every agency, archived ones included (from the index)
    Payments {
        uei: String,
        #[command(flatten)]
        db: super::watchdog::Db,
    },
    /// List recipients
    List {
        /// Only those registered by this agency
        #[arg(long)]
        agency: Option<String>,
        /// Only debarred recipients
        #[arg(long)]
        debarred: bool,
    },
}

pub async fn run(command: RecipientCommand, globals: &Globals) -> CliResult<()> {
    let signs = !matches!(
        command,
        RecipientCommand::Show { .. }
            | RecipientCommand::List { .. }
            | RecipientCommand::Payments { .. }
    );
    let session = Session::open(globals, Mode::signing(signs)).await?;
    match command {
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
            let payout_wallet = args::pubkey(&wallet)?;
            let (agency, _) = session.agency(&code).await?;
            require_role(&session, &code, &agency, &signer.pubkey(), ROLE_OBLIGATE).await?;
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
            let builder = builders::RegisterRecipient {
                agency,
                authority: signer.pubkey(),
                args: RegisterRecipientArgs {
                    uei,
                    kind,
                    name,
                    name_hash,
                    payout_wallet,
                },
            };
            send(
                &session,
                &[builder.instruction()],
                signer,
                vec![("recipient", builder.recipient().into())],
            )
            .await?;
        }
        RecipientCommand::Debar { uei, suspend } => {
            let status = if suspend {
                RecipientStatus::Suspended
            } else {
                RecipientStatus::Debarred
            };
            set_status(&session, &uei, status).await?;
        }
        RecipientCommand::Reinstate { uei } => {
            set_status(&session, &uei, RecipientStatus::Active).await?
        }
        RecipientCommand::Payments { uei, db } => {
            let recipient = pda::recipient(&args::uei(&uei)?).0;
            let store = db.open(true)?;
            let state = public_spending_watchdog::ledger::LedgerState::from_store(&store)?;
            let payments = public_spending_watchdog::lookup::payments_where(&store, |p| {
                p.record.recipient == recipient
            })?;
            let decimals = state.decimals();
            let mut table = Table::new(&[
                "agency",
                "award id",
                "index",
                "amount",
                "executed at",
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
            table.print(session.format);
        }
        RecipientCommand::Show { uei } => {
            let (address, r) = recipient(&session, &uei).await?;
            print_record(
                session.format,
                &[
                    ("uei", String::from_utf8_lossy(&r.uei).into_owned().into()),
                    ("address", address.into()),
                    ("kind", format!("{:?}", r.kind).into()),
                    ("name", Field::text_or_none(r.name.clone())),
                    ("name hash", Field::hash_or_none(r.name_hash)),
                    ("status", format!("{:?}", r.status).into()),
                    ("payout wallet", r.payout_wallet.into()),
                    ("registered by", r.registered_by.into()),
                ],
            );
        }
        RecipientCommand::List { agency, debarred } => {
            let registered_by = match agency {
                Some(code) => Some(session.agency(&code).await?.0),
                None => None,
            };
            let query = RecipientQuery {
                registered_by,
                status: debarred.then_some(RecipientStatus::Debarred),
            };
            let mut table = Table::new(&["uei", "kind", "name", "status", "payout wallet"]);
            for (_, r) in super::list(&session, &query).await? {
                table.push(vec![
                    String::from_utf8_lossy(&r.uei).into_owned().into(),
                    format!("{:?}", r.kind).into(),
                    if r.name.is_empty() {
                        "(individual)".into()
                    } else {
                        r.name.clone().into()
                    },
                    format!("{:?}", r.status).into(),
                    r.payout_wallet.into(),
                ]);
            }
            table.print(session.format);
        }
    }
    session.close().await
}

fn hex_bytes(input: &str) -> CliResult<Vec<u8>> {
    match hex::decode(input) {
        Ok(bytes) if !bytes.is_empty() => Ok(bytes),
        _ => fail!("{input:?} is not hex"),
    }
}

pub async fn recipient(
    session: &Session,
    uei: &str,
) -> CliResult<(anchor_lang::prelude::Pubkey, Recipient)> {
    let address = pda::recipient(&args::uei(uei)?).0;
    match session.client.fetch_optional(&address).await? {
        Some(r) => Ok((address, r)),
        None => fail!("unknown recipient {uei}: no recipient with that UEI is registered"),
    }
}

async fn set_status(session: &Session, uei: &str, status: RecipientStatus) -> CliResult<()> {
    let signer = session.signer()?;
    let (address, _) = recipient(session, uei).await?;
    let ix = builders::DebarRecipient {
        recipient: address,
        auditor: signer.pubkey(),
        status,
    }
    .instruction();
    send(
        session,
        &[ix],
        signer,
        vec![
            ("recipient", address.into()),
            ("status", format!("{status:?}").into()),
        ],
    )
    .await
    .map(drop)
}
