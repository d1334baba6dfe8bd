use std::path::PathBuf;

use clap::{Args, Subcommand};
use public_spending::{
    constants::{ROLE_APPROVE, ROLE_EXECUTE, ROLE_REQUEST},
    instructions::PaymentArgs,
    state::{Ledger, Payment},
};
use public_spending_sdk::{
    builders::{self, AwardKeys, PaymentDecision},
    pda,
    query::PaymentQuery,
};
use solana_sdk::signature::{Keypair, Signer};

use super::{award::award, parse_amount, print_submitted, require_role, send, show_amount};
use crate::{
    args,
    context::Session,
    error::CliResult,
    fail,
    output::{print_record, Table},
    Globals,
};

/// What a new payment is for.
#[derive(Debug, Args)]
pub struct NewPayment {
    code: String,
    award_id: String,
    #[arg(long, allow_hyphen_values = true)]
    amount: String,
    /// The invoice (only its sha256 goes on chain)
    #[arg(long)]
    invoice: Option<PathBuf>,
    /// Or the invoice's sha256, in hex
    #[arg(long)]
    invoice_hash: Option<String>,
    /// Solana Pay style reference key (default: a fresh one)
    #[arg(long)]
    reference: Option<String>,
}

/// Which payment.
#[derive(Debug, Args)]
pub struct Which {
    code: String,
    award_id: String,
    /// The payment's index on the award
    index: u32,
}

#[derive(Debug, Subcommand)]
pub enum PaymentCommand {
    /// Request a payment against an award (REQUEST role)
    Request(NewPayment),
    /// Approve a payment (APPROVE role; never your own request)
    Approve(Which),
    /// Reject a payment that has not executed (APPROVE role)
    Reject(Which),
    /// Cancel a payment that has not executed (its requester or the agency head)
    Cancel(Which),
    /// Pay an approved payment from the treasury (EXECUTE role)
    Execute(Which),
    /// Pay below the approval threshold in one step (EXECUTE role)
    PaySmall(NewPayment),
    /// Close a final payment account and return its rent (anyone)
    Archive(Which),
    /// Hold a payment so that it cannot execute (auditor)
    Hold(Which),
    /// Release a held payment (auditor)
    Release(Which),
    /// Show one payment
    Show(Which),
    /// List payments still on chain (in flight, or final and not yet archived)
    List {
        #[arg(long)]
        agency: Option<String>,
        /// Only payments of this award (needs --agency)
        #[arg(long, requires = "agency")]
        award_id: Option<String>,
    },
}

pub async fn run(command: PaymentCommand, globals: &Globals) -> CliResult<()> {
    let signs = !matches!(
        command,
        PaymentCommand::Show(_) | PaymentCommand::List { .. }
    );
    let session = Session::open(globals, signs).await?;
    let ledger = session.ledger().await?;
    match command {
        PaymentCommand::Request(new) => {
            let signer = session.signer()?;
            let (award_address, args, reference) =
                new_payment(&session, &ledger, &new, signer, ROLE_REQUEST).await?;
            let receipt = session
                .client
                .request_payment(&award_address, args, reference, signer)
                .await?;
            print_submitted(
                &session,
                &receipt.payment,
                receipt.index,
                &receipt.submitted,
            );
        }
        PaymentCommand::PaySmall(new) => {
            let signer = session.signer()?;
            let (award_address, args, reference) =
                new_payment(&session, &ledger, &new, signer, ROLE_EXECUTE).await?;
            let receipt = session
                .client
                .pay_small(&award_address, args, reference, signer)
                .await?;
            print_submitted(
                &session,
                &receipt.payment,
                receipt.index,
                &receipt.submitted,
            );
        }
        PaymentCommand::Approve(which) => {
            decide(&session, &which, PaymentDecision::Approve).await?
        }
        PaymentCommand::Reject(which) => decide(&session, &which, PaymentDecision::Reject).await?,
        PaymentCommand::Cancel(which) => decide(&session, &which, PaymentDecision::Cancel).await?,
        PaymentCommand::Execute(which) => {
            let signer = session.signer()?;
            let (agency, award_address, award_state, payment, _) = locate(&session, &which).await?;
            require_role(
                &session,
                &which.code,
                &agency,
                &signer.pubkey(),
                ROLE_EXECUTE,
            )
            .await?;
            let ix = builders::ExecutePayment {
                keys: AwardKeys::of(award_address, &award_state),
                payout: session.client.payout(&award_state).await?,
                index: which.index,
                executor: signer.pubkey(),
            }
            .instruction();
            send(
                &session,
                &[ix],
                signer,
                vec![
                    ("payment", payment.to_string()),
                    ("status", "executed".into()),
                ],
            )
            .await?;
        }
        PaymentCommand::Archive(which) => {
            let signer = session.signer()?;
            let (_, _, _, payment, state) = locate(&session, &which).await?;
            let ix = builders::ArchivePayment {
                payment,
                rent_payer: state.rent_payer,
            }
            .instruction();
            send(
                &session,
                &[ix],
                signer,
                vec![
                    ("payment", payment.to_string()),
                    ("status", "archived".into()),
                ],
            )
            .await?;
        }
        PaymentCommand::Hold(which) => hold(&session, &which, true).await?,
        PaymentCommand::Release(which) => hold(&session, &which, false).await?,
        PaymentCommand::Show(which) => {
            let (_, _, _, address, p) = locate(&session, &which).await?;
            print_record(
                session.format,
                &[
                    ("payment", address.to_string()),
                    ("index", p.index.to_string()),
                    ("status", format!("{:?}", p.status)),
                    ("amount", show_amount(&ledger, p.amount)),
                    ("fast path", p.fast_path.to_string()),
                    ("held", p.held.to_string()),
                    ("requester", p.requester.to_string()),
                    (
                        "approvals",
                        format!("{}/{}", p.approvers.len(), p.approvals_required),
                    ),
                    ("executable at", p.executable_at.to_string()),
                    ("reference", p.reference.to_string()),
                    ("invoice hash", args::hex(&p.invoice_hash)),
                ],
            );
        }
        PaymentCommand::List { agency, award_id } => {
            let agency = match agency {
                Some(code) => Some(session.agency(&code).await?.0),
                None => None,
            };
            let award = match (agency, award_id) {
                (Some(agency), Some(id)) => Some(award(&session, &agency, &id).await?.0),
                _ => None,
            };
            let mut payments = super::list(
                &session,
                &PaymentQuery {
                    agency,
                    award,
                    status: None,
                },
            )
            .await?;
            payments.sort_by_key(|(_, p)| (p.award, p.index));
            let mut table =
                Table::new(&["payment", "index", "status", "amount", "approvals", "held"]);
            for (address, p) in payments {
                table.push(vec![
                    address.to_string(),
                    p.index.to_string(),
                    format!("{:?}", p.status),
                    show_amount(&ledger, p.amount),
                    format!("{}/{}", p.approvers.len(), p.approvals_required),
                    p.held.to_string(),
                ]);
            }
            table.print(session.format);
        }
    }
    session.close().await
}

/// Validates a new payment's input and the signer's role before anything is sent.
async fn new_payment(
    session: &Session,
    ledger: &Ledger,
    new: &NewPayment,
    signer: &Keypair,
    role: u8,
) -> CliResult<(
    anchor_lang::prelude::Pubkey,
    PaymentArgs,
    anchor_lang::prelude::Pubkey,
)> {
    let amount = parse_amount(ledger, &new.amount)?;
    let invoice_hash = args::hash_or_file(
        new.invoice_hash.as_deref(),
        new.invoice.as_deref(),
        "invoice",
    )?;
    let reference = match &new.reference {
        Some(reference) => args::pubkey(reference)?,
        None => Keypair::new().pubkey(),
    };
    let (agency, _) = session.agency(&new.code).await?;
    let (award_address, _) = award(session, &agency, &new.award_id).await?;
    require_role(session, &new.code, &agency, &signer.pubkey(), role).await?;
    Ok((
        award_address,
        PaymentArgs {
            amount,
            invoice_hash,
        },
        reference,
    ))
}

/// The agency, the award and the payment `which` names.
async fn locate(
    session: &Session,
    which: &Which,
) -> CliResult<(
    anchor_lang::prelude::Pubkey,
    anchor_lang::prelude::Pubkey,
    public_spending::state::Award,
    anchor_lang::prelude::Pubkey,
    Payment,
)> {
    let (agency, _) = session.agency(&which.code).await?;
    let (award_address, award_state) = award(session, &agency, &which.award_id).await?;
    let payment = pda::payment(&award_address, which.index).0;
    match session.client.fetch_optional::<Payment>(&payment).await? {
        Some(state) => Ok((agency, award_address, award_state, payment, state)),
        None => fail!(
            "no payment {} on award {:?} (never requested, or already archived)",
            which.index,
            which.award_id
        ),
    }
}

async fn decide(session: &Session, which: &Which, decision: PaymentDecision) -> CliResult<()> {
    let signer = session.signer()?;
    let (agency, award_address, _, payment, state) = locate(session, which).await?;
    if decision != PaymentDecision::Cancel {
        require_role(
            session,
            &which.code,
            &agency,
            &signer.pubkey(),
            ROLE_APPROVE,
        )
        .await?;
    }
    if decision == PaymentDecision::Approve && state.requester == signer.pubkey() {
        fail!(
            "you requested payment {} yourself: another approver must approve it",
            which.index
        );
    }
    let ix = builders::DecidePayment {
        agency,
        award: award_address,
        index: which.index,
        authority: signer.pubkey(),
        decision,
    }
    .instruction();
    send(
        session,
        &[ix],
        signer,
        vec![
            ("payment", payment.to_string()),
            ("decision", format!("{decision:?}")),
        ],
    )
    .await
    .map(drop)
}

async fn hold(session: &Session, which: &Which, held: bool) -> CliResult<()> {
    let signer = session.signer()?;
    let (_, _, _, payment, _) = locate(session, which).await?;
    let ix = builders::SetPaymentHeld {
        payment,
        auditor: signer.pubkey(),
        held,
    }
    .instruction();
    send(
        session,
        &[ix],
        signer,
        vec![("payment", payment.to_string()), ("held", held.to_string())],
    )
    .await
    .map(drop)
}
