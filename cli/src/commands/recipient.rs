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
    context::Session,
    error::CliResult,
    fail,
    output::{print_record, Table},
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
        RecipientCommand::Show { .. } | RecipientCommand::List { .. }
    );
    let session = Session::open(globals, signs).await?;
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
                vec![("recipient", builder.recipient().to_string())],
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
        RecipientCommand::Show { uei } => {
            let (address, r) = recipient(&session, &uei).await?;
            print_record(
                session.format,
                &[
                    ("uei", String::from_utf8_lossy(&r.uei).into_owned()),
                    ("address", address.to_string()),
                    ("kind", format!("{:?}", r.kind)),
                    ("name", r.name.clone()),
                    (
                        "name hash",
                        if r.name_hash == [0; 32] {
                            String::new()
                        } else {
                            args::hex(&r.name_hash)
                        },
                    ),
                    ("status", format!("{:?}", r.status)),
                    ("payout wallet", r.payout_wallet.to_string()),
                    ("registered by", r.registered_by.to_string()),
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
                    String::from_utf8_lossy(&r.uei).into_owned(),
                    format!("{:?}", r.kind),
                    if r.name.is_empty() {
                        "(individual)".into()
                    } else {
                        r.name.clone()
                    },
                    format!("{:?}", r.status),
                    r.payout_wallet.to_string(),
                ]);
            }
            table.print(session.format);
        }
    }
    session.close().await
}

fn hex_bytes(input: &str) -> CliResult<Vec<u8>> {
    let bytes: Option<Vec<u8>> = (input.len().is_multiple_of(2) && !input.is_empty())
        .then(|| {
            (0..input.len() / 2)
                .map(|i| u8::from_str_radix(&input[2 * i..2 * i + 2], 16).ok())
                .collect()
        })
        .flatten();
    match bytes {
        Some(bytes) => Ok(bytes),
        None => fail!("{input:?} is not hex"),
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
            ("recipient", address.to_string()),
            ("status", format!("{status:?}")),
        ],
    )
    .await
    .map(drop)
}
