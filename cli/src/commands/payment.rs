use std::{
    collections::{BTreeSet, HashMap},
    path::PathBuf,
};

use anchor_lang::prelude::Pubkey;
use clap::{Args, Subcommand};
use public_spending::{
    constants::{ROLE_EXECUTE, ROLE_REQUEST},
    error::LedgerError,
    instructions::PaymentArgs,
    state::{Agency, Award, Ledger, Payment},
};
use public_spending_sdk::operations::AuditorSigners;
use public_spending_sdk::{
    builders::PaymentDecision, operations::PaymentInFlight, pda, query::PaymentQuery, SdkError,
};
use solana_sdk::signature::{Keypair, Signer};

use public_spending_watchdog::lookup;

use super::{amount_text, show_amount, submitted};
use crate::{
    args,
    context::Globals,
    context::{Mode, Session},
    error::fail,
    error::{CliError, CliResult},
    output::{Field, Output, Table},
    resolve,
};

/// What a new payment is for.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("invoice-or-hash").required(true)))]
pub struct NewPayment {
    /// Agency code
    pub(crate) code: String,
    /// The award's PIID or FAIN
    pub(crate) award_id: args::AwardId,
    /// Amount in the token's units, e.g. 1250.00 or 1,250.00
    #[arg(long, allow_hyphen_values = true)]
    pub(crate) amount: args::Amount,
    /// The invoice (only its sha256 goes on chain)
    #[arg(long, group = "invoice-or-hash")]
    pub(crate) invoice: Option<PathBuf>,
    /// Or the invoice's sha256, in hex
    #[arg(long, group = "invoice-or-hash", value_name = "SHA256")]
    pub(crate) invoice_hash: Option<args::Sha256>,
    /// Solana Pay style reference key (default: a fresh one)
    #[arg(long, value_parser = args::parse_pubkey)]
    pub(crate) reference: Option<Pubkey>,
    /// Send even though this award already has a payment with the same invoice (refused by default: a
    /// duplicate invoice is the most common improper payment)
    #[arg(long)]
    pub(crate) allow_duplicate_invoice: bool,
}

/// Which payment.
#[derive(Debug, Args)]
pub struct Which {
    /// Agency code
    code: String,
    /// The award's PIID or FAIN
    award_id: args::AwardId,
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
    /// Pay a schedule of fast-path invoices in as few transactions as fit (EXECUTE role). FILE is a CSV with
    /// the header `award_id,amount,invoice` (invoice: a file next to the CSV, or its sha256 in hex); every line
    /// is checked before anything is sent, and the output says which transaction paid which line
    PayBatch {
        /// Agency code
        code: String,
        /// The schedule: a CSV file with the header `award_id,amount,invoice`
        file: PathBuf,
        /// Pay even though an award already has a payment with the same invoice
        #[arg(long)]
        allow_duplicate_invoice: bool,
        /// An address lookup table holding the schedule's accounts (see `payment batch-addresses`): sends v0
        /// transactions, which fit more payments each. Repeat for several tables
        #[arg(long = "lookup-table", value_name = "ADDRESS", value_parser = args::parse_pubkey)]
        lookup_tables: Vec<Pubkey>,
    },
    /// Print the addresses an address lookup table needs to pay FILE with `pay-batch --lookup-table`, one per
    /// line (create the table with `solana address-lookup-table create`, add them with `... extend`)
    BatchAddresses {
        /// Agency code
        code: String,
        /// The schedule, as for `pay-batch`
        file: PathBuf,
        /// The member who will send the batches (EXECUTE role)
        #[arg(long, value_name = "PUBKEY", value_parser = args::parse_pubkey)]
        executor: Pubkey,
    },
    /// Close a final payment account and return its rent (anyone)
    Archive(Which),
    /// Hold a payment: it can neither execute nor be cancelled or rejected until released (auditor)
    Hold {
        #[command(flatten)]
        which: Which,
        #[command(flatten)]
        grounds: args::Grounds,
    },
    /// Release a held payment: the auditor who held it, or another auditor with a second one (--concurring)
    Release {
        #[command(flatten)]
        which: Which,
        #[command(flatten)]
        grounds: args::Grounds,
    },
    /// Show one payment (an archived one from the index)
    Show {
        #[command(flatten)]
        which: Which,
        #[command(flatten)]
        db: args::Db,
    },
    /// Every payment of an award through its whole life, archived ones included (from the index)
    History {
        /// Agency code
        code: String,
        /// The award's PIID or FAIN
        award_id: args::AwardId,
        #[command(flatten)]
        db: args::Db,
    },
    /// List payments still on chain (in flight, or final and not yet archived)
    List {
        /// Only this agency's payments
        #[arg(long)]
        agency: Option<String>,
        /// Only payments of this award (needs --agency)
        #[arg(long, requires = "agency")]
        award_id: Option<args::AwardId>,
    },
}

pub async fn run(command: PaymentCommand, globals: &Globals) -> CliResult<Output> {
    let signs = !matches!(
        command,
        PaymentCommand::Show { .. }
            | PaymentCommand::List { .. }
            | PaymentCommand::History { .. }
            | PaymentCommand::BatchAddresses { .. }
    );
    let session = Session::open(globals, Mode::signing(signs)).await?;
    let ledger = session.ledger().await?;
    let output = match command {
        PaymentCommand::Request(new) => {
            let signer = session.signer()?;
            let (award_address, args, reference) =
                new_payment(&session, &ledger, &new, signer, ROLE_REQUEST).await?;
            let amount = args.amount;
            let receipt = match session
                .client
                .request_payment(&award_address, args, reference, signer)
                .await
            {
                Ok(receipt) => receipt,
                Err(err) => {
                    return Err(explain(&session, &ledger, &award_address, amount, err).await)
                }
            };
            submitted(&ledger, &receipt, amount)
        }
        PaymentCommand::PaySmall(new) => {
            let signer = session.signer()?;
            let (award_address, args, reference) =
                new_payment(&session, &ledger, &new, signer, ROLE_EXECUTE).await?;
            let amount = args.amount;
            let receipt = match session
                .client
                .pay_small(&award_address, args, reference, signer)
                .await
            {
                Ok(receipt) => receipt,
                Err(err) => {
                    return Err(explain(&session, &ledger, &award_address, amount, err).await)
                }
            };
            submitted(&ledger, &receipt, amount)
        }
        PaymentCommand::PayBatch {
            code,
            file,
            allow_duplicate_invoice,
            lookup_tables,
        } => {
            let signer = session.signer()?;
            let (agency, _) = session.agency(&code).await?;
            resolve::require_role(&session, &code, &agency, &signer.pubkey(), ROLE_EXECUTE).await?;
            let checked = checked_schedule(&session, &code, &file, allow_duplicate_invoice).await?;
            let mut tables = Vec::with_capacity(lookup_tables.len());
            for address in &lookup_tables {
                tables.push(session.client.lookup_table(address).await?);
            }
            let items: Vec<_> = checked
                .iter()
                .map(|c| (c.award, c.amount, c.invoice_hash))
                .collect();
            let sent = session
                .client
                .pay_batch(&agency, &items, signer, &tables)
                .await?;
            let mut table = Table::new(&["line", "award_id", "amount", "transaction"]);
            for (positions, submitted) in &sent {
                let transaction = submitted.outcome().map_or(
                    "landed on an earlier attempt (its response was lost)".to_string(),
                    |outcome| outcome.signature.to_string(),
                );
                for &i in positions {
                    let line = &checked[i];
                    table.push(vec![
                        (line.line as u64).into(),
                        line.award_id.clone().into(),
                        show_amount(&ledger, line.amount),
                        transaction.clone().into(),
                    ]);
                }
            }
            table.into()
        }
        PaymentCommand::BatchAddresses {
            code,
            file,
            executor,
        } => {
            let (agency, _) = session.agency(&code).await?;
            resolve::require_role(&session, &code, &agency, &executor, ROLE_EXECUTE).await?;
            let checked = checked_schedule(&session, &code, &file, true).await?;
            let items: Vec<_> = checked
                .iter()
                .map(|c| (c.award, c.amount, c.invoice_hash))
                .collect();
            let addresses = session
                .client
                .batch_table_addresses(&agency, &items, &executor)
                .await?;
            let mut table = Table::new(&["address"]);
            for address in addresses {
                table.push(vec![Field::Key(address)]);
            }
            table.into()
        }
        PaymentCommand::Approve(which) => {
            decide(&session, &which, PaymentDecision::Approve).await?
        }
        PaymentCommand::Reject(which) => decide(&session, &which, PaymentDecision::Reject).await?,
        PaymentCommand::Cancel(which) => decide(&session, &which, PaymentDecision::Cancel).await?,
        PaymentCommand::Execute(which) => {
            let signer = session.signer()?;
            let payment = in_flight(&session, &which).await?;
            let (payout, outcome) = match session.client.execute_payment(&payment, signer).await {
                Ok(sent) => sent,
                Err(err) => {
                    let (award, amount) = (payment.award, payment.payment.amount);
                    return Err(explain(&session, &ledger, &award, amount, err).await);
                }
            };
            Output::record(vec![
                ("payment", payment.address.into()),
                ("index", which.index.into()),
                ("amount", show_amount(&ledger, payment.payment.amount)),
                ("payout_wallet", payout.payout_wallet.into()),
                ("status", "executed".into()),
                ("signature", outcome.signature.to_string().into()),
            ])
        }
        PaymentCommand::Archive(which) => {
            let signer = session.signer()?;
            let payment = in_flight(&session, &which).await?;
            let outcome = session.client.archive_payment(&payment, signer).await?;
            Output::record(vec![
                ("payment", payment.address.into()),
                ("amount", show_amount(&ledger, payment.payment.amount)),
                ("rent_returned_to", payment.payment.requester.into()),
                ("status", "archived".into()),
                ("signature", outcome.signature.to_string().into()),
            ])
        }
        PaymentCommand::Hold { which, grounds } => hold(&session, &which, true, &grounds).await?,
        PaymentCommand::Release { which, grounds } => {
            hold(&session, &which, false, &grounds).await?
        }
        PaymentCommand::History { code, award_id, db } => history(&ledger, &code, &award_id, &db)?,
        PaymentCommand::Show { which, db } => {
            let (agency, _) = session.agency(&which.code).await?;
            let award_address = pda::award(&agency, &which.award_id).0;
            let address = pda::payment(&award_address, which.index).0;
            let Some(p) = session.client.fetch_optional::<Payment>(&address).await? else {
                let output = archived(&ledger, &which, &award_address, &db)?;
                session.close().await?;
                return Ok(output);
            };
            let time = |t: i64| if t == 0 { Field::None } else { Field::Time(t) };
            Output::record(vec![
                ("payment", address.into()),
                ("agency", which.code.clone().into()),
                ("award_id", which.award_id.to_string().into()),
                ("index", p.index.into()),
                ("status", format!("{:?}", p.status).into()),
                ("amount", show_amount(&ledger, p.amount)),
                ("held", p.held.into()),
                (
                    "hold_reason",
                    if p.hold_evidence_hash == [0; 32] {
                        Field::None
                    } else {
                        format!("{:?}", p.hold_reason).into()
                    },
                ),
                ("hold_evidence", Field::hash_or_none(p.hold_evidence_hash)),
                ("requester", p.requester.into()),
                ("approvals", p.approvals.into()),
                ("approvals_required", p.approvals_required.into()),
                ("requested_at", time(p.requested_at)),
                ("executable_at", time(p.executable_at)),
                ("reference", p.reference.into()),
                ("invoice_hash", Field::Hash(p.invoice_hash)),
            ])
        }
        PaymentCommand::List { agency, award_id } => {
            let agency = match agency {
                Some(code) => Some(session.agency(&code).await?.0),
                None => None,
            };
            let award = match (agency, award_id) {
                (Some(agency), Some(id)) => Some(resolve::award(&session, &agency, &id).await?.0),
                _ => None,
            };
            let mut payments = resolve::list(
                &session,
                &PaymentQuery {
                    award,
                    status: None,
                },
            )
            .await?;
            let names = Names::of(&session, &payments).await?;
            // A payment's agency is its award's.
            if let Some(agency) = agency {
                payments.retain(|(_, p)| names.agency_of(&p.award) == Some(agency));
            }
            payments.sort_by_key(|(_, p)| (names.agency_of(&p.award), p.award, p.index));
            let mut table = Table::new(&[
                "agency",
                "award_id",
                "index",
                "status",
                "amount",
                "approvals",
                "held",
                "payment",
            ]);
            for (address, p) in payments {
                table.push(vec![
                    names.agency(&p.award),
                    names.award(&p.award),
                    p.index.into(),
                    format!("{:?}", p.status).into(),
                    show_amount(&ledger, p.amount),
                    format!("{}/{}", p.approvals, p.approvals_required).into(),
                    p.held.into(),
                    address.into(),
                ]);
            }
            table.into()
        }
    };
    session.close().await?;
    Ok(output)
}

/// A payment no longer on chain, as the index recorded it.
fn archived(ledger: &Ledger, which: &Which, award: &Pubkey, db: &args::Db) -> CliResult<Output> {
    let not_found = || {
        format!(
            "no payment {} on award {:?}: not on chain, and not in the index {} (run `pubspend index` to read the history)",
            which.index,
            which.award_id,
            db.db
        )
    };
    if db.file().is_some_and(|file| !file.exists()) {
        return Err(CliError(not_found()));
    }
    let store = db.open(true)?;
    let history = lookup::award_history(&store, award)?;
    let Some(p) = history.into_iter().find(|p| p.index == which.index) else {
        return Err(CliError(not_found()));
    };
    Ok(Output::record(vec![
        ("payment", pda::payment(award, which.index).0.into()),
        ("agency", which.code.clone().into()),
        ("award_id", which.award_id.to_string().into()),
        ("index", p.index.into()),
        ("status", p.status.clone().into()),
        ("archived", p.archived.into()),
        ("amount", show_amount(ledger, p.amount)),
        ("fast_path", p.fast_path.into()),
        ("approvals", p.approvals.into()),
        (
            "requested_at",
            p.requested_at.map_or(Field::None, Field::Time),
        ),
        (
            "executed_at",
            p.executed_at.map_or(Field::None, Field::Time),
        ),
        ("invoice_hash", p.invoice_hash.clone().into()),
        ("signature", p.signature.clone().into()),
    ]))
}

/// Every payment of an award, from the index.
fn history(ledger: &Ledger, code: &str, award_id: &str, db: &args::Db) -> CliResult<Output> {
    args::agency_code(code)?;
    let award = pda::award(&pda::agency(code).0, award_id).0;
    let store = db.open(true)?;
    let payments = lookup::award_history(&store, &award)?;
    if payments.is_empty() {
        fail!(
            "the index {} holds no payment of award {award_id:?} in agency {code}",
            db.db
        )
    }
    let mut table = Table::new(&[
        "index",
        "status",
        "amount",
        "path",
        "approvals",
        "archived",
        "requested_at",
        "executed_at",
        "signature",
    ]);
    for p in payments {
        table.push(vec![
            p.index.into(),
            p.status.into(),
            show_amount(ledger, p.amount),
            if p.fast_path { "fast" } else { "approval" }.into(),
            p.approvals.into(),
            p.archived.into(),
            p.requested_at.map_or(Field::None, Field::Time),
            p.executed_at.map_or(Field::None, Field::Time),
            p.signature.into(),
        ]);
    }
    Ok(table.into())
}

/// Agency codes and award ids for the payments of a listing, each account read once.
struct Names {
    agencies: HashMap<Pubkey, String>,
    /// Each award's id and agency.
    awards: HashMap<Pubkey, (String, Pubkey)>,
}

impl Names {
    async fn of(session: &Session, payments: &[(Pubkey, Payment)]) -> CliResult<Self> {
        let awards: BTreeSet<Pubkey> = payments.iter().map(|(_, p)| p.award).collect();
        let mut names = Self {
            agencies: HashMap::new(),
            awards: HashMap::new(),
        };
        for address in awards {
            if let Some(award) = session.client.fetch_optional::<Award>(&address).await? {
                if let std::collections::hash_map::Entry::Vacant(slot) =
                    names.agencies.entry(award.agency)
                {
                    if let Some(agency) = session
                        .client
                        .fetch_optional::<Agency>(&award.agency)
                        .await?
                    {
                        slot.insert(agency.code);
                    }
                }
                names.awards.insert(address, (award.award_id, award.agency));
            }
        }
        Ok(names)
    }

    /// The agency a payment's award belongs to.
    fn agency_of(&self, award: &Pubkey) -> Option<Pubkey> {
        self.awards.get(award).map(|(_, agency)| *agency)
    }

    fn agency(&self, award: &Pubkey) -> Field {
        self.agency_of(award)
            .and_then(|agency| self.agencies.get(&agency).cloned())
            .into()
    }

    fn award(&self, address: &Pubkey) -> Field {
        self.awards.get(address).map(|(id, _)| id.clone()).into()
    }
}

/// Turns a refused payment into an error a finance officer can act on: how much the treasury holds, how much
/// the award has left.
async fn explain(
    session: &Session,
    ledger: &Ledger,
    award_address: &Pubkey,
    needs: u64,
    err: SdkError,
) -> CliError {
    let award: Award = match session.client.fetch(award_address).await {
        Ok(award) => award,
        Err(_) => return err.into(),
    };
    if err.other_program_error() == Some("InsufficientFunds") {
        let treasury = pda::treasury(&award.agency).0;
        if let Ok(balance) = session.client.token_balance(&treasury).await {
            return CliError(format!(
                "InsufficientFunds: the treasury holds {}, the payment needs {} (fund it with `pubspend agency fund`)",
                amount_text(ledger, balance),
                amount_text(ledger, needs)
            ));
        }
    }
    if matches!(
        err.ledger_error(),
        Some(LedgerError::AboveFastPathThreshold)
    ) {
        if let Ok(agency) = session.client.fetch::<Agency>(&award.agency).await {
            let effective = ledger.limits.bound(&agency.policy).threshold;
            let set_by = if effective < agency.policy.threshold {
                format!(
                    "ledger ceiling; agency {}'s policy says {}",
                    agency.code,
                    amount_text(ledger, agency.policy.threshold)
                )
            } else {
                format!("agency {}'s policy", agency.code)
            };
            return CliError(format!(
                "AboveFastPathThreshold ({}): {} is not below the effective fast-path threshold {} ({set_by}): request it on the approval path (`pubspend payment request`)",
                u32::from(LedgerError::AboveFastPathThreshold),
                amount_text(ledger, needs),
                amount_text(ledger, effective)
            ));
        }
    }
    if matches!(err.ledger_error(), Some(LedgerError::ExceedsAwardRemaining)) {
        let left = award
            .obligated
            .saturating_sub(award.outlayed)
            .saturating_sub(award.in_flight);
        return CliError(format!(
            "ExceedsAwardRemaining ({}): award {} has {} left (obligated {}, outlayed {}, in flight {}), the payment needs {}",
            u32::from(LedgerError::ExceedsAwardRemaining),
            award.award_id,
            amount_text(ledger, left),
            amount_text(ledger, award.obligated),
            amount_text(ledger, award.outlayed),
            amount_text(ledger, award.in_flight),
            amount_text(ledger, needs)
        ));
    }
    err.into()
}

/// Validates a new payment's input and the signer's role before anything is sent, and refuses an invoice this
/// award already carries unless `--allow-duplicate-invoice`.
async fn new_payment(
    session: &Session,
    ledger: &Ledger,
    new: &NewPayment,
    signer: &Keypair,
    role: u8,
) -> CliResult<(Pubkey, PaymentArgs, Pubkey)> {
    let amount = new.amount.units(ledger.mint_decimals)?;
    let invoice_hash = args::hash_or_file(new.invoice_hash, new.invoice.as_deref(), "invoice")?;
    let reference = match &new.reference {
        Some(reference) => *reference,
        None => Keypair::new().pubkey(),
    };
    let (agency, _) = session.agency(&new.code).await?;
    let (award_address, _) = resolve::award(session, &agency, &new.award_id).await?;
    resolve::require_role(session, &new.code, &agency, &signer.pubkey(), role).await?;
    if !new.allow_duplicate_invoice {
        if let Some(earlier) = session
            .client
            .earlier_invoice(&award_address, &invoice_hash)
            .await?
        {
            fail!(
                "duplicate invoice: award {} already has payment {} of {} with this invoice ({}); pass --allow-duplicate-invoice if it is a second, genuine bill",
                new.award_id,
                earlier.index,
                amount_text(ledger, earlier.amount),
                earlier.status
            );
        }
    }
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
/// The payment a command names, still on chain (the agency must exist; the SDK says what else is missing).
async fn in_flight(session: &Session, which: &Which) -> CliResult<PaymentInFlight> {
    session.agency(&which.code).await?;
    if let Err(err) = which.award_id.parse::<args::AwardId>() {
        fail!("{err}");
    }
    Ok(session
        .client
        .payment_in_flight(&which.code, &which.award_id, which.index)
        .await?)
}

async fn decide(session: &Session, which: &Which, decision: PaymentDecision) -> CliResult<Output> {
    let signer = session.signer()?;
    let payment = in_flight(session, which).await?;
    let outcome = session
        .client
        .decide_payment(&payment, decision, signer)
        .await?;
    Ok(Output::record(vec![
        ("payment", payment.address.into()),
        ("index", which.index.into()),
        ("decision", format!("{decision:?}").into()),
        ("signature", outcome.signature.to_string().into()),
    ]))
}

async fn hold(
    session: &Session,
    which: &Which,
    held: bool,
    grounds: &args::Grounds,
) -> CliResult<Output> {
    let signer = session.signer()?;
    let concurring = grounds.concurring()?;
    let auditors = AuditorSigners {
        auditor: signer,
        concurring: concurring.as_ref(),
    };
    let grounds = grounds.args()?;
    let payment = in_flight(session, which).await?;
    let outcome = session
        .client
        .set_payment_held(&payment, held, grounds, auditors)
        .await?;
    Ok(Output::record(vec![
        ("payment", payment.address.into()),
        ("held", held.into()),
        ("reason", format!("{:?}", grounds.reason).into()),
        ("evidence", Field::Hash(grounds.evidence_hash)),
        ("signature", outcome.signature.to_string().into()),
    ]))
}

/// Reads and checks a whole payment schedule before anything is sent; any bad line refuses the file.
async fn checked_schedule(
    session: &Session,
    code: &str,
    file: &std::path::Path,
    allow_duplicate_invoice: bool,
) -> CliResult<Vec<public_spending_sdk::schedule::CheckedLine>> {
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(err) => fail!("cannot read {}: {err}", file.display()),
    };
    let lines = match public_spending_sdk::schedule::read(&text) {
        Ok(lines) => lines,
        Err(errors) => fail!(
            "{} refused, nothing sent: {}",
            file.display(),
            errors.join("; ")
        ),
    };
    let folder = file.parent().unwrap_or(std::path::Path::new("."));
    let document = |invoice: &str| crate::files::document_hash(&folder.join(invoice), invoice);
    match session
        .client
        .check_schedule(code, &lines, &document, allow_duplicate_invoice)
        .await?
    {
        Ok(checked) => Ok(checked),
        Err(errors) => fail!(
            "{} refused, nothing sent: {}",
            file.display(),
            errors.join("; ")
        ),
    }
}
