//! `pubspend clock`: the embedded chain's clock. Time locks and availability periods run on the chain's clock;
//! on the embedded chain nothing moves it but this command, so a walkthrough can pass a one-day time lock.

use clap::Subcommand;
use public_spending_sdk::Backend;

use crate::{
    args,
    context::Globals,
    context::{Mode, Session},
    error::fail,
    error::CliResult,
    output::{Field, Output},
};

#[derive(Debug, Subcommand)]
pub enum ClockCommand {
    /// Show the chain's clock
    Show,
    /// Move the embedded chain's clock forward (embedded chain only; a real cluster keeps its own time)
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

/// Moves the embedded chain's clock `seconds` forward.
#[cfg(feature = "embedded")]
async fn advance(session: &Session, seconds: i64) -> CliResult<Output> {
    let Some(chain) = session.embedded() else {
        fail!("clock advance moves only the embedded chain's clock; a real cluster keeps its own time (use -u embedded)")
    };
    let before = chain.clock().await?.unix_timestamp;
    chain.advance_clock(seconds).await?;
    let after = chain.clock().await?.unix_timestamp;
    Ok(Output::record(vec![
        ("advanced_seconds", Field::Count(seconds.unsigned_abs())),
        ("from", Field::Time(before)),
        ("to", Field::Time(after)),
    ]))
}

#[cfg(not(feature = "embedded"))]
async fn advance(_session: &Session, _seconds: i64) -> CliResult<Output> {
    fail!("clock advance moves only the embedded chain's clock, which this pubspend is built without; a real cluster keeps its own time")
}
