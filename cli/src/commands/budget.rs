use clap::Subcommand;
use public_spending::{
    constants::ROLE_BUDGET,
    instructions::{AllotArgs, CreateAppropriationArgs},
};
use public_spending_sdk::{
    builders,
    query::{AllotmentQuery, AppropriationQuery},
    Backend,
};
use solana_sdk::signature::Signer;

use super::{send, show_amount};
use crate::{
    args,
    context::Globals,
    context::{Mode, Session},
    error::CliResult,
    output::{Output, Table},
    resolve,
};

#[derive(Debug, Subcommand)]
pub enum BudgetCommand {
    /// Grant an agency budget authority under a TAS and fiscal year (ledger admin)
    Appropriate {
        code: String,
        /// Treasury Account Symbol, MAIN-SUB, e.g. 0100-000
        #[arg(long)]
        tas: String,
        /// Fiscal year
        #[arg(long)]
        fy: u16,
        #[arg(long, allow_hyphen_values = true)]
        amount: args::Amount,
        /// Last day of availability for new obligations (YYYY-MM-DD); default: a year from now
        #[arg(long)]
        available_until: Option<String>,
    },
    /// Allot part of an appropriation to a program activity (BUDGET role)
    Allot {
        code: String,
        #[arg(long)]
        tas: String,
        #[arg(long)]
        fy: u16,
        #[arg(long, allow_hyphen_values = true)]
        amount: args::Amount,
        /// Program activity code, 4 digits
        #[arg(long, default_value = "0001")]
        activity: String,
    },
    /// End an appropriation's availability (anyone after its end, the admin at any time)
    Expire {
        code: String,
        #[arg(long)]
        tas: String,
        #[arg(long)]
        fy: u16,
    },
    /// List an agency's appropriations
    List {
        code: String,
        /// Only this fiscal year
        #[arg(long)]
        fy: Option<u16>,
    },
    /// List the allotments of one appropriation
    Allotments {
        code: String,
        #[arg(long)]
        tas: String,
        #[arg(long)]
        fy: u16,
    },
}

pub async fn run(command: BudgetCommand, globals: &Globals) -> CliResult<Output> {
    let signs = !matches!(
        command,
        BudgetCommand::List { .. } | BudgetCommand::Allotments { .. }
    );
    let session = Session::open(globals, Mode::signing(signs)).await?;
    let ledger = session.ledger().await?;
    let output = match command {
        BudgetCommand::Appropriate {
            code,
            tas,
            fy,
            amount,
            available_until,
        } => {
            let signer = session.signer()?;
            let (main_account, sub_account) = args::tas(&tas)?;
            let budget_authority = amount.units(ledger.mint_decimals)?;
            let (agency, _) = session.agency(&code).await?;
            let availability_end = match available_until {
                // Available through the whole last day.
                Some(day) => args::date(&day)? + 86_400,
                None => session.client.backend().unix_timestamp().await? + 365 * 86_400,
            };
            let builder = builders::CreateAppropriation {
                admin: signer.pubkey(),
                agency,
                args: CreateAppropriationArgs {
                    main_account,
                    sub_account,
                    fiscal_year: fy,
                    budget_authority,
                    availability_end,
                },
            };
            let fields = vec![
                ("appropriation", builder.appropriation().into()),
                ("amount", show_amount(&ledger, budget_authority)),
            ];
            send(&session, &builder, signer, fields).await?
        }
        BudgetCommand::Allot {
            code,
            tas,
            fy,
            amount,
            activity,
        } => {
            let signer = session.signer()?;
            let program_activity = args::digits::<4>(&activity, "program activity code")?;
            let amount = amount.units(ledger.mint_decimals)?;
            let (agency, _) = session.agency(&code).await?;
            let (appropriation, state) =
                resolve::appropriation(&session, &agency, &tas, fy).await?;
            resolve::require_role(&session, &code, &agency, &signer.pubkey(), ROLE_BUDGET).await?;
            let builder = builders::Allot {
                agency,
                appropriation,
                index: state.allotment_count,
                authority: signer.pubkey(),
                args: AllotArgs {
                    program_activity,
                    amount,
                },
            };
            let fields = vec![
                ("allotment", builder.allotment().into()),
                ("index", builder.index.into()),
                ("amount", show_amount(&ledger, amount)),
            ];
            send(&session, &builder, signer, fields).await?
        }
        BudgetCommand::Expire { code, tas, fy } => {
            let signer = session.signer()?;
            let (agency, _) = session.agency(&code).await?;
            let (appropriation, _) = resolve::appropriation(&session, &agency, &tas, fy).await?;
            let ix = builders::ExpireAppropriation {
                appropriation,
                authority: signer.pubkey(),
            };
            send(
                &session,
                &ix,
                signer,
                vec![("appropriation", appropriation.into())],
            )
            .await?
        }
        BudgetCommand::List { code, fy } => {
            let (agency, _) = session.agency(&code).await?;
            let query = AppropriationQuery {
                agency: Some(agency),
                fiscal_year: fy,
                status: None,
            };
            let mut table = Table::new(&[
                "tas",
                "fy",
                "status",
                "authority",
                "allotted",
                "obligated",
                "outlayed",
                "allotments",
            ]);
            for (_, a) in resolve::list(&session, &query).await? {
                table.push(vec![
                    resolve::tas_text(&a).into(),
                    a.fiscal_year.into(),
                    format!("{:?}", a.status).into(),
                    show_amount(&ledger, a.budget_authority),
                    show_amount(&ledger, a.allotted),
                    show_amount(&ledger, a.obligated),
                    show_amount(&ledger, a.outlayed),
                    a.allotment_count.into(),
                ]);
            }
            table.into()
        }
        BudgetCommand::Allotments { code, tas, fy } => {
            let (agency, _) = session.agency(&code).await?;
            let (appropriation, _) = resolve::appropriation(&session, &agency, &tas, fy).await?;
            let query = AllotmentQuery {
                agency: Some(agency),
                appropriation: Some(appropriation),
            };
            let mut allotments = resolve::list(&session, &query).await?;
            allotments.sort_by_key(|(_, a)| a.index);
            let mut table = Table::new(&[
                "index",
                "address",
                "activity",
                "amount",
                "obligated",
                "outlayed",
            ]);
            for (address, a) in allotments {
                table.push(vec![
                    a.index.into(),
                    address.into(),
                    String::from_utf8_lossy(&a.program_activity)
                        .into_owned()
                        .into(),
                    show_amount(&ledger, a.amount),
                    show_amount(&ledger, a.obligated),
                    show_amount(&ledger, a.outlayed),
                ]);
            }
            table.into()
        }
    };
    session.close().await?;
    Ok(output)
}
