//! `pubspend explore`: the index as public web pages. The pages are the explorer crate's
//! (`public_spending_explorer`); this opens the index, follows the node when there is one (indexing each new
//! transaction as `watch` does, into the same `--db`), re-reads the index for the pages as it moves, and stops
//! on Ctrl-C or SIGTERM after the requests under way.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use public_spending_explorer::Explorer;
use public_spending_watchdog::watch::{Status, Watch, WatchOptions};

use crate::{
    args,
    context::{Globals, Mode, Session, Target},
    error::{fail, CliResult},
    output::{Field, Output},
};

#[derive(Debug, clap::Args)]
pub struct ExploreArgs {
    #[command(flatten)]
    pub db: args::Db,
    /// Address and port to serve the pages on
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Allow --listen to name an address other machines can reach (the pages are public and read-only)
    #[arg(long)]
    pub allow_non_loopback: bool,
    /// Serve the index as it stands: do not follow the node (the pages still show what another indexer adds)
    #[arg(long)]
    pub no_follow: bool,
    /// How often the pages re-read the index for what is new (seconds)
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..=3_600))]
    pub refresh: u64,
}

/// The `cluster` parameter of the Solana Explorer for an RPC URL: devnet and testnet by name, mainnet-beta
/// without one; none for a local node, which no public explorer can read.
fn cluster_of(url: &str) -> Option<String> {
    ["devnet", "testnet", "mainnet"]
        .into_iter()
        .find(|name| {
            url.contains(&format!("api.{name}")) || url.contains(&format!("{name}.solana"))
        })
        .map(|name| {
            if name == "mainnet" {
                "mainnet-beta".to_string()
            } else {
                name.to_string()
            }
        })
}

pub async fn run(args: ExploreArgs, globals: &Globals) -> CliResult<Output> {
    if !args.listen.ip().is_loopback() && !args.allow_non_loopback {
        fail!(
            "--listen {} is reachable from other machines: add --allow-non-loopback to serve the pages there",
            args.listen
        );
    }
    let (target, _) = Session::target(globals)?;
    let follow = !args.no_follow && matches!(target, Target::Rpc(_));
    let cluster = match &target {
        Target::Rpc(url) => cluster_of(url),
        Target::Embedded => None,
    };
    // The index must exist: the pages never create one (`pubspend index` does, or this command with a node).
    args.db.open(true)?;
    let mut explorer = Explorer::open(args.db.db.clone(), cluster)?;
    // The node the in-browser verifier reads by default: the one this command follows, when it follows one.
    if let Target::Rpc(url) = &target {
        explorer = explorer.with_rpc(url.clone());
    }
    let explorer = Arc::new(explorer);
    let listener = public_spending_explorer::bind(args.listen).await?;
    let address = listener
        .local_addr()
        .map_or_else(|_| args.listen.to_string(), |a| a.to_string());
    // The one output printed while the command runs: where the pages are, before it waits for Ctrl-C.
    Output::record(vec![
        ("pages", format!("http://{address}/").into()),
        ("db", args.db.db.to_string().into()),
        (
            "follows",
            if follow {
                Field::Text("the node: new transactions are indexed as they land".into())
            } else {
                Field::Text("nothing: the index as other indexers leave it".into())
            },
        ),
        ("stop", "Ctrl-C".into()),
    ])
    .print(globals.output);

    let refresh = Duration::from_secs(args.refresh);
    let reloading = Arc::clone(&explorer);
    let reload = async move {
        let mut ticks = tokio::time::interval(refresh);
        loop {
            ticks.tick().await;
            let explorer = Arc::clone(&reloading);
            match tokio::task::spawn_blocking(move || explorer.reload()).await {
                Ok(Err(err)) => eprintln!("cannot re-read the index: {err}"),
                Err(err) => eprintln!("cannot re-read the index: {err}"),
                Ok(Ok(_)) => {}
            }
        }
    };
    let server = public_spending_explorer::serve(listener, explorer, super::stop_requested());
    if !follow {
        tokio::select! {
            served = server => served?,
            () = reload => {}
        }
        return Ok(Output::record(vec![("stopped", true.into())]));
    }
    let session = Session::open(globals, Mode::Read).await?;
    let websocket = session.websocket("explore follows a node over WebSocket")?;
    let mut store = args.db.open(false)?;
    let mut watch = Watch::new(
        session.client.backend(),
        &mut store,
        WatchOptions::default(),
        Vec::new(),
    );
    let followed = watch.follow(
        &websocket,
        |_| Ok(()),
        |status| match status {
            Status::Watching { transactions } => {
                eprintln!("following {websocket}: {transactions} transactions indexed")
            }
            Status::Reconnecting { reason, wait } => {
                eprintln!("{reason}; reconnecting in {:.1} s", wait.as_secs_f64())
            }
        },
    );
    tokio::select! {
        served = server => served?,
        () = reload => {}
        followed = followed => followed?,
    }
    Ok(Output::record(vec![("stopped", true.into())]))
}
