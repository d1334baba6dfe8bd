//! `pubspend`: the command-line client of the Public Spending Ledger.
// Descriptor 1 carries the embedded program's logs (or nothing) once a command starts: pubspend's own output
// goes through `say!`, to the real stdout (see `output::write_line` and clippy.toml).
#![deny(clippy::print_stdout)]

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
    #[cfg(feature = "embedded")]
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
    /// Index every account and transaction of the program into SQLite or PostgreSQL (re-runs fetch only what is new)
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
    /// Follow a node as it moves: index each new transaction as it lands and report each new red flag once
    ///
    /// Subscribes to the node's WebSocket (--ws, or the RPC URL's port + 1 as the Solana CLI derives it) for
    /// the program's transactions; on each, indexes what is new into --db and re-runs the audit, printing each
    /// red flag not reported before (and appending it to --alerts FILE as a JSON line). A dropped connection or
    /// a restarted node is waited for and resumed from the last indexed signature: nothing is skipped and
    /// nothing is indexed twice. Ctrl-C stops it.
    Watch(watch::WatchArgs),
    /// Serve the index as public web pages: agencies, awards, recipients, payments, findings, search, downloads
    ///
    /// Pages are rendered on the server and work without JavaScript; every page has a permalink built from
    /// public ids (agency code, award id, UEI, transaction signature) and every list downloads as CSV or JSON
    /// (?format=csv), with the index's slot and the file's sha256 in the response headers; ?as_of_slot=N pins
    /// a list to slot N. With a node (-u URL) the explorer follows it as `watch` does, indexing each new
    /// transaction into --db; the pages re-read the index every --refresh seconds. Listens on 127.0.0.1:8080
    /// unless --listen (and --allow-non-loopback) say otherwise; Ctrl-C stops it.
    Explore(explore::ExploreArgs),
    #[cfg(feature = "embedded")]
    /// Serve the embedded chain over Solana JSON-RPC (HTTP) and WebSocket, like solana-test-validator
    ///
    /// Serves the chain saved in --embedded-state (created when missing): JSON-RPC over HTTP on --rpc-port and
    /// WebSocket subscriptions on the next port, with Solana's own request and response types, so that
    /// `pubspend -u http://127.0.0.1:8899`, the Solana CLI, explorers and the Anchor TypeScript client work
    /// against it. The state file is locked while served and saved a moment after every change; Ctrl-C or
    /// SIGTERM saves it and exits. Listens on 127.0.0.1 unless --bind and --allow-non-loopback say otherwise.
    Serve(serve::ServeArgs),
}

/// Runs the command and returns what it prints; `main` prints it once.
async fn run(cli: Cli) -> error::CliResult<output::Output> {
    let globals = &cli.globals;
    match cli.command {
        #[cfg(feature = "embedded")]
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
        Command::Keygen(command) => keygen::run(command),
        Command::Clock(command) => clock::run(command, globals).await,
        Command::Index(args) => watchdog::index(args, globals).await,
        Command::Verify(args) => watchdog::verify(args, globals).await,
        Command::VerifyDocument(args) => watchdog::verify_document(args, globals).await,
        Command::Audit(args) => watchdog::audit(args, globals),
        Command::Export(command) => watchdog::export(command).await,
        Command::Report(args) => watchdog::report(args, globals).await,
        Command::Watch(args) => watch::run(args, globals).await,
        Command::Explore(args) => explore::run(args, globals).await,
        #[cfg(feature = "embedded")]
        Command::Serve(args) => serve::run(args, globals).await,
    }
}

/// Whether the command line asks for `--output json`, read before clap has parsed it (for its usage errors).
fn json_requested(args: &[String]) -> bool {
    args.iter().enumerate().any(|(at, arg)| {
        arg == "--output=json"
            || arg == "--output" && args.get(at + 1).is_some_and(|next| next == "json")
    })
}

/// Prints a usage error as clap does (with the usage and a hint), or as `{"error": "..."}` on stderr when the
/// command line asked for JSON, so that scripts read every error the same way. Help and version print as
/// usual.
fn usage_error(err: clap::Error, args: &[String]) -> ExitCode {
    use clap::error::ErrorKind;
    let code = ExitCode::from(u8::try_from(err.exit_code()).unwrap_or(2));
    let is_usage = !matches!(
        err.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    );
    if is_usage && json_requested(args) {
        let rendered = err.render().to_string();
        let message = rendered
            .split("\n\n")
            .next()
            .unwrap_or_default()
            .trim()
            .trim_start_matches("error: ")
            .replace('\n', " ");
        eprintln!("{}", serde_json::json!({ "error": message }));
    } else {
        let _ = err.print();
    }
    code
}

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(err) => {
            let lossy: Vec<String> = args
                .iter()
                .map(|arg| arg.to_string_lossy().into_owned())
                .collect();
            return usage_error(err, &lossy);
        }
    };
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
        Ok(output) => {
            output.print(format);
            match output.failure() {
                Some(error) => {
                    output::print_error(format, error);
                    ExitCode::FAILURE
                }
                None => ExitCode::SUCCESS,
            }
        }
        Err(err) => {
            output::print_error(format, &err.0);
            ExitCode::FAILURE
        }
    }
}

/// Parse-level tests: what clap accepts and refuses before any command runs (nothing is read or sent).
#[cfg(test)]
mod tests {
    use clap::{error::ErrorKind, CommandFactory, Parser};

    use super::{Cli, Command};
    use crate::{
        args::{Commitment, SignerSource},
        commands::{award::AwardCommand, ledger::LedgerCommand, payment::PaymentCommand},
    };

    const KEY: &str = "9PpAjETKq6fJm9XvE2crt6BefFxuQrNbQeqXk72t4sx";
    const HASH: &str = "abababababababababababababababababababababababababababababababab";

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from([&["pubspend"][..], args].concat())
    }

    /// The kind of error clap gives for `args`, and its message.
    fn refused(args: &[&str]) -> (ErrorKind, String) {
        let err = parse(args).expect_err("clap should refuse this");
        (err.kind(), err.to_string())
    }

    #[test]
    fn the_command_tree_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn signers_are_files_prompts_or_stdin() {
        let signer = |source: &str| {
            parse(&["-k", source, "ledger", "show"])
                .unwrap()
                .globals
                .keypair
        };
        assert_eq!(
            signer("id.json"),
            Some(SignerSource::File("id.json".into()))
        );
        assert_eq!(
            signer("file://k/id.json"),
            Some(SignerSource::File("k/id.json".into()))
        );
        assert_eq!(
            signer("prompt://"),
            Some(SignerSource::Prompt("prompt://".into()))
        );
        assert_eq!(
            signer("prompt://?key=0/0"),
            Some(SignerSource::Prompt("prompt://?key=0/0".into()))
        );
        assert_eq!(signer("ASK"), Some(SignerSource::Prompt("ASK".into())));
        assert_eq!(signer("stdin://"), Some(SignerSource::Stdin));
        assert_eq!(signer("-"), Some(SignerSource::Stdin));
        for (bad, why) in [
            ("usb://ledger", "hardware wallets are not supported yet"),
            (KEY, "is a public key, which cannot sign"),
            ("file:", "names no file"),
        ] {
            let (kind, message) = refused(&["-k", bad, "ledger", "show"]);
            assert_eq!(kind, ErrorKind::ValueValidation, "{bad}");
            assert!(message.contains(why), "{bad}: {message}");
        }
    }

    #[test]
    fn commitment_websocket_and_priority_fee_are_typed() {
        let cli = parse(&[
            "--commitment",
            "finalized",
            "--ws",
            "ws://127.0.0.1:8900",
            "--with-compute-unit-price",
            "5000",
            "ledger",
            "show",
        ])
        .unwrap();
        assert_eq!(cli.globals.commitment, Some(Commitment::Finalized));
        assert_eq!(
            cli.globals.websocket_url.as_deref(),
            Some("ws://127.0.0.1:8900")
        );
        assert_eq!(cli.globals.compute_unit_price, Some(5000));
        assert_eq!(parse(&["ledger", "show"]).unwrap().globals.commitment, None);
        assert_eq!(
            refused(&["--commitment", "max", "ledger", "show"]).0,
            ErrorKind::InvalidValue
        );
        let (kind, message) = refused(&["--ws", "http://127.0.0.1:8900", "ledger", "show"]);
        assert_eq!(kind, ErrorKind::ValueValidation);
        assert!(message.contains("is not a WebSocket URL"), "{message}");
        assert_eq!(
            refused(&["--with-compute-unit-price", "1.5", "ledger", "show"]).0,
            ErrorKind::ValueValidation
        );
    }

    #[test]
    fn the_config_file_commitment_reads_as_the_solana_cli_reads_it() {
        for (value, commitment) in [
            ("processed", Commitment::Processed),
            ("confirmed", Commitment::Confirmed),
            ("finalized", Commitment::Finalized),
        ] {
            assert_eq!(Commitment::from_config(value).unwrap(), commitment);
        }
        assert!(Commitment::from_config("soon")
            .unwrap_err()
            .0
            .contains("is not a commitment"));
    }

    fn pay_small(extra: &[&str]) -> Result<Cli, clap::Error> {
        parse(
            &[
                &["payment", "pay-small", "075", "C-1", "--amount", "12.50"][..],
                extra,
            ]
            .concat(),
        )
    }

    #[test]
    fn an_invoice_is_a_file_or_its_hash_exactly_one() {
        let cli = pay_small(&["--invoice-hash", HASH]).unwrap();
        let Command::Payment(PaymentCommand::PaySmall(new)) = cli.command else {
            panic!("parsed as another command")
        };
        assert_eq!(new.invoice_hash.map(|h| h.0), Some([0xab; 32]));
        assert_eq!(new.amount.units(2).unwrap(), 1_250);
        assert!(pay_small(&["--invoice", "invoice.pdf"]).is_ok());
        assert_eq!(
            pay_small(&[]).unwrap_err().kind(),
            ErrorKind::MissingRequiredArgument
        );
        assert_eq!(
            pay_small(&["--invoice", "invoice.pdf", "--invoice-hash", HASH])
                .unwrap_err()
                .kind(),
            ErrorKind::ArgumentConflict
        );
        let (kind, message) = refused(&[
            "payment",
            "pay-small",
            "075",
            "C-1",
            "--amount",
            "1",
            "--invoice-hash",
            "abc",
        ]);
        assert_eq!(kind, ErrorKind::ValueValidation);
        assert!(
            message.contains("is not a sha256 hash (64 hex characters)"),
            "{message}"
        );
    }

    #[test]
    fn amounts_keys_and_dates_are_checked_when_parsed() {
        for (amount, why) in [
            ("12a", "invalid amount: not a number"),
            ("-5", "invalid amount: amount must not be negative"),
            ("12,50", "is not a grouped amount"),
        ] {
            let (kind, message) = refused(&[
                "payment",
                "pay-small",
                "075",
                "C-1",
                "--amount",
                amount,
                "--invoice-hash",
                HASH,
            ]);
            assert_eq!(kind, ErrorKind::ValueValidation, "{amount}");
            assert!(message.contains(why), "{amount}: {message}");
        }
        let (kind, message) = refused(&["ledger", "propose-admin", "not-a-key"]);
        assert_eq!(kind, ErrorKind::ValueValidation);
        assert!(
            message.contains("is not a public key (base58, 32 bytes)"),
            "{message}"
        );
        let Command::Ledger(LedgerCommand::ProposeAdmin { new_admin }) =
            parse(&["ledger", "propose-admin", KEY]).unwrap().command
        else {
            panic!("parsed as another command")
        };
        assert_eq!(new_admin.to_string(), KEY);
        let obligate = |start: &str| {
            parse(&[
                "award",
                "obligate",
                "075",
                "--award-id",
                "C-1",
                "--tas",
                "0100-000",
                "--fy",
                "2027",
                "--uei",
                "ABCDEF123456",
                "--amount",
                "100.00",
                "--start",
                start,
                "--end",
                "2027-09-30",
                "--document-hash",
                HASH,
            ])
        };
        let Command::Award(AwardCommand::Obligate { start, end, .. }) =
            obligate("2026-10-01").unwrap().command
        else {
            panic!("parsed as another command")
        };
        assert_eq!((start.0, end.0), (1_790_812_800, 1_822_262_400));
        let err = obligate("2026-02-30").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ValueValidation);
        assert!(err.to_string().contains("is not a date: write YYYY-MM-DD"));
    }

    #[test]
    fn a_modification_increases_or_deobligates_exactly_one() {
        let modify = |extra: &[&str]| {
            parse(
                &[
                    &["award", "modify", "075", "C-1", "--document-hash", HASH][..],
                    extra,
                ]
                .concat(),
            )
        };
        assert!(modify(&["--increase", "10.00"]).is_ok());
        assert!(modify(&["--deobligate", "10.00"]).is_ok());
        assert_eq!(
            modify(&[]).unwrap_err().kind(),
            ErrorKind::MissingRequiredArgument
        );
        assert_eq!(
            modify(&["--increase", "1", "--deobligate", "1"])
                .unwrap_err()
                .kind(),
            ErrorKind::ArgumentConflict
        );
    }
}
