use clap::Subcommand;
use public_spending_sdk::{builders, fetch::AccountSource, pda};
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
pub enum LedgerCommand {
    /// Create the ledger with you as admin. On the embedded chain, without --mint, a test stablecoin is created
    /// with you as its mint authority.
    Init {
        /// The stablecoin mint agencies pay in
        #[arg(long)]
        mint: Option<String>,
        /// Decimals of the test stablecoin created on the embedded chain
        #[arg(long, default_value_t = 2)]
        decimals: u8,
    },
    /// Propose a new admin (the first of two steps)
    ProposeAdmin { new_admin: String },
    /// Accept the admin role you were proposed for
    AcceptAdmin,
    /// Replace the list of auditors: at once when it only adds auditors; a list that removes one must be
    /// proposed (--propose) and applied with `apply-auditors` after a week's notice
    SetAuditors {
        auditors: Vec<String>,
        /// Propose the list on notice instead of setting it
        #[arg(long)]
        propose: bool,
    },
    /// Apply the proposed auditor list once its week of notice is over
    ApplyAuditors,
    /// Stop every state change
    Pause,
    /// Lift a pause
    Unpause,
    /// Show the ledger
    Show,
}

pub async fn run(command: LedgerCommand, globals: &Globals) -> CliResult<()> {
    let signs = !matches!(command, LedgerCommand::Show);
    let session = Session::open(globals, Mode::signing(signs)).await?;
    match command {
        LedgerCommand::Show => show(&session).await?,
        command => write(&session, command).await?,
    }
    session.close().await
}

async fn write(session: &Session, command: LedgerCommand) -> CliResult<()> {
    let signer = session.signer()?;
    let admin = signer.pubkey();
    let ix = match command {
        LedgerCommand::Init { mint, decimals } => {
            let mint = match (mint, session.embedded()) {
                (Some(mint), _) => args::pubkey(&mint)?,
                (None, Some(chain)) => chain.create_mint(&admin, decimals).await?,
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
            builders::InitializeLedger {
                admin,
                payment_mint: mint,
                token_program,
            }
            .instruction()
        }
        LedgerCommand::ProposeAdmin { new_admin } => builders::ProposeAdmin {
            admin,
            new_admin: args::pubkey(&new_admin)?,
        }
        .instruction(),
        LedgerCommand::AcceptAdmin => builders::AcceptAdmin { new_admin: admin }.instruction(),
        LedgerCommand::SetAuditors { auditors, propose } => {
            let auditors = auditors
                .iter()
                .map(|a| args::pubkey(a))
                .collect::<CliResult<Vec<_>>>()?;
            if propose {
                builders::ProposeAuditors { admin, auditors }.instruction()
            } else {
                builders::SetAuditors { admin, auditors }.instruction()
            }
        }
        LedgerCommand::ApplyAuditors => builders::ApplyAuditors { admin }.instruction(),
        LedgerCommand::Pause => builders::SetPaused {
            admin,
            paused: true,
        }
        .instruction(),
        LedgerCommand::Unpause => builders::SetPaused {
            admin,
            paused: false,
        }
        .instruction(),
        LedgerCommand::Show => unreachable!("handled by show"),
    };
    send(
        session,
        &[ix],
        signer,
        vec![("ledger", pda::ledger().0.into())],
    )
    .await
    .map(drop)
}

async fn show(session: &Session) -> CliResult<()> {
    let ledger = session.ledger().await?;
    print_record(
        session.format,
        &[
            ("address", pda::ledger().0.into()),
            ("admin", ledger.admin.into()),
            ("pending admin", ledger.pending_admin.into()),
            ("payment mint", ledger.payment_mint.into()),
            ("decimals", ledger.mint_decimals.into()),
            ("paused", ledger.paused.into()),
            ("agencies", ledger.agency_count.into()),
            ("auditors", Field::Keys(ledger.auditors.clone())),
        ],
    );
    Ok(())
}
