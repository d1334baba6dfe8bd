//! `pubspend`: the command-line client of the Public Spending Ledger.

mod args;
mod backend;
mod commands;
mod context;
mod error;
mod files;
mod output;
mod resolve;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::{commands::*, context::Globals};

/// Record and audit the execution of a public budget on Solana: appropriations, allotments, awards and payments.
///
/// Without --url, pubspend uses the RPC URL of the Solana CLI config, or else the embedded in-process chain
/// (saved between commands in --embedded-state). `pubspend demo` plays a whole fiscal year with no setup.
#[derive(Debug, Parser)]
#[command(name = "pubspend", version, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    globals: Globals,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Play a whole fiscal year on the embedded chain and write what happened to a folder
    Demo(demo::DemoArgs),
    /// The ledger: initialize, hand over governance, name auditors, pause
    #[command(subcommand)]
    Ledger(ledger::LedgerCommand),
    /// Agencies: register, set approval policy, fund the treasury; freeze (auditors)
    #[command(subcommand)]
    Agency(agency::AgencyCommand),
    /// Agency members and their roles
    #[command(subcommand)]
    Member(member::MemberCommand),
    /// Loosenings of an agency's controls on notice: apply or withdraw (head), veto (auditor) a proposed change
    #[command(subcommand)]
    Change(change::ChangeCommand),
    /// Appropriations and allotments
    #[command(subcommand)]
    Budget(budget::BudgetCommand),
    /// Recipients (each agency's payees), payout-wallet changes; debar and reinstate a UEI everywhere (auditors)
    #[command(subcommand)]
    Recipient(recipient::RecipientCommand),
    /// Awards (obligations): obligate, modify, close; hold and release (auditors)
    #[command(subcommand)]
    Award(award::AwardCommand),
    /// Payments: request, approve, reject, cancel, execute, pay-small, archive; hold and release (auditors)
    #[command(subcommand)]
    Payment(payment::PaymentCommand),
    /// Government property: buildings, land and structures, and what their awards paid
    #[command(subcommand)]
    Property(property::PropertyCommand),
    /// Public flags: anyone raises one, the agency answers, an auditor rules, anyone closes it
    #[command(subcommand)]
    Flag(flag::FlagCommand),
    /// Apply a declarative ledger description (agencies, members, policies): plan, then apply
    Migrate(migrate::MigrateArgs),
    /// Make keypair files and read their public keys (like solana-keygen)
    #[command(subcommand)]
    Keygen(keygen::KeygenCommand),
    /// The chain's clock; move the embedded chain's clock past a time lock
    #[command(subcommand)]
    Clock(clock::ClockCommand),
    /// Index every account and transaction of the program into SQLite (re-runs fetch only what is new)
    Index(watchdog::IndexArgs),
    /// Replay every hash chain and total from the indexed events and compare them with the chain (and the
    /// exclusion list with the exclusions in force)
    Verify(watchdog::VerifyArgs),
    /// Name every award or payment that recorded a document's hash (a contract, an invoice)
    VerifyDocument(watchdog::VerifyDocumentArgs),
    /// Run the red-flag checks over the index
    Audit(watchdog::AuditArgs),
    /// Export the index: USAspending-style CSV (DAIMS Files A, B, C) or an OCDS release package
    #[command(subcommand)]
    Export(watchdog::ExportCommand),
    /// Write one self-contained HTML report with charts, the audit and the verification
    Report(watchdog::ReportArgs),
    /// Serve the embedded chain over Solana JSON-RPC (HTTP) and WebSocket, like solana-test-validator
    ///
    /// Serves the chain saved in --embedded-state (created when missing): JSON-RPC over HTTP on --rpc-port and
    /// WebSocket subscriptions on the next port, with Solana's own request and response types, so that
    /// `pubspend -u http://127.0.0.1:8899`, the Solana CLI, explorers and the Anchor TypeScript client work
    /// against it. The state file is locked while served and saved a moment after every change; Ctrl-C or
    /// SIGTERM saves it and exits. Listens on 127.0.0.1 unless --bind and --allow-non-loopback say otherwise.
    Serve(serve::ServeArgs),
}

async fn run(cli: Cli) -> error::CliResult<()> {
    let globals = &cli.globals;
    match cli.command {
        Command::Demo(args) => demo::run(args, globals.output).await,
        Command::Ledger(command) => ledger::run(command, globals).await,
        Command::Agency(command) => agency::run(command, globals).await,
        Command::Member(command) => member::run(command, globals).await,
        Command::Change(command) => change::run(command, globals).await,
        Command::Budget(command) => budget::run(command, globals).await,
        Command::Recipient(command) => recipient::run(command, globals).await,
        Command::Award(command) => award::run(command, globals).await,
        Command::Payment(command) => payment::run(command, globals).await,
        Command::Property(command) => property::run(command, globals).await,
        Command::Flag(command) => flag::run(command, globals).await,
        Command::Migrate(args) => migrate::run(args, globals).await,
        Command::Keygen(command) => keygen::run(command, globals),
        Command::Clock(command) => clock::run(command, globals).await,
        Command::Index(args) => watchdog::index(args, globals).await,
        Command::Verify(args) => watchdog::verify(args, globals).await,
        Command::VerifyDocument(args) => watchdog::verify_document(args, globals).await,
        Command::Audit(args) => watchdog::audit(args, globals),
        Command::Export(command) => watchdog::export(command, globals).await,
        Command::Report(args) => watchdog::report(args, globals).await,
        Command::Serve(args) => serve::run(args, globals).await,
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The in-process runtime logs through env_logger; keep it quiet unless asked for.
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var(
            "RUST_LOG",
            if cli.globals.verbose {
                "solana_runtime::message_processor=debug"
            } else {
                "off"
            },
        );
    }
    output::move_program_logs_off_stdout(cli.globals.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let format = cli.globals.output;
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            output::print_error(format, &err.0);
            ExitCode::FAILURE
        }
    }
}
