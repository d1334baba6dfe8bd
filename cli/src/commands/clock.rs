//! `pubspend clock`: the chain's clock. Time locks, notices and availability periods run on the chain's clock;
//! on the embedded chain (and a node `pubspend serve` serves) nothing moves it but this command, so a
//! walkthrough can pass a one-day time lock.

use clap::Subcommand;
use public_spending_sdk::Backend;

use crate::{
    args,
    backend::AnyBackend,
    context::Globals,
    context::{Mode, Session},
    error::CliResult,
    output::{Field, Output},
};

#[derive(Debug, Subcommand)]
pub enum ClockCommand {
    /// Show the chain's clock
    Show,
    /// Move the chain's clock forward: the embedded chain's, or that of a node `pubspend serve` serves (a real
    /// cluster keeps its own time and refuses)
    Advance {
        /// How far: 90s, 15m, 2h, 1d, or plain seconds
        by: String,
    },
}

pub async fn run(command: ClockCommand, globals: &Globals) -> CliResult<Output> {
    match command {
        ClockCommand::Show => {
            let session = Session::open(globals, Mode::Read).await?;
            let now = session.client.backend().unix_timestamp().await?;
            let output = Output::record(vec![
                ("time", Field::Time(now)),
                ("unix_timestamp", Field::Count(now.unsigned_abs())),
            ]);
            session.close().await?;
            Ok(output)
        }
        ClockCommand::Advance { by } => {
            let seconds = args::duration(&by)?;
            let session = Session::open(globals, Mode::Write).await?;
            let output = advance(&session, seconds).await?;
            session.close().await?;
            Ok(output)
        }
    }
}

/// Moves the chain's clock `seconds` forward: the embedded chain's, or a served node's (`pubspend serve`).
async fn advance(session: &Session, seconds: i64) -> CliResult<Output> {
    let backend = session.client.backend();
    let before = backend.unix_timestamp().await?;
    match backend {
        #[cfg(feature = "embedded")]
        AnyBackend::Embedded(chain) => chain.advance_clock(seconds).await?,
        AnyBackend::Rpc(node) => {
            node.advance_served_clock(seconds).await?;
        }
    }
    let after = backend.unix_timestamp().await?;
    Ok(Output::record(vec![
        ("advanced_seconds", Field::Count(seconds.unsigned_abs())),
        ("from", Field::Time(before)),
        ("to", Field::Time(after)),
    ]))
}
