//! `pubspend serve`: the embedded chain over Solana's JSON-RPC, for the Solana CLI, explorers, the Anchor
//! TypeScript client and `pubspend -u http://…` itself. The server lives in the `localnet` crate; this command
//! starts it, says where, and stops it on Ctrl-C.

use std::net::IpAddr;

use public_spending_localnet::{Localnet, LocalnetConfig};

use crate::{
    context::Globals,
    error::fail,
    error::CliResult,
    output::{Field, Output},
};

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// HTTP JSON-RPC port; WebSocket subscriptions are on the next one (0: any free ports)
    #[arg(long, default_value_t = 8899)]
    pub rpc_port: u16,
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Allow --bind to name an address other machines can reach (anyone who can connect may send
    /// transactions and take airdrops)
    #[arg(long)]
    pub allow_non_loopback: bool,
}

pub async fn run(args: ServeArgs, globals: &Globals) -> CliResult<Output> {
    if globals
        .url
        .as_deref()
        .is_some_and(|url| url != "embedded" && url != "e")
    {
        fail!("serve serves the embedded chain saved in --embedded-state; it takes no --url");
    }
    let config = LocalnetConfig {
        bind: args.bind,
        rpc_port: args.rpc_port,
        allow_non_loopback: args.allow_non_loopback,
        ..LocalnetConfig::new(globals.embedded_state.clone())
    };
    let running = match Localnet::start(config).await {
        Ok(running) => running,
        Err(err) => fail!("{err}"),
    };
    let reach = if args.bind.is_loopback() {
        format!(
            "loopback only ({}): this machine alone can connect",
            args.bind
        )
    } else {
        format!("{}: other machines can connect", args.bind)
    };
    // The one command that prints while it runs: where it listens, before it waits for Ctrl-C.
    Output::record(vec![
        ("state", globals.embedded_state.display().to_string().into()),
        ("json_rpc", running.rpc_url().into()),
        ("websocket", running.ws_url().into()),
        ("reachable", reach.into()),
        ("program", Field::Key(public_spending::ID)),
        ("stop", "Ctrl-C saves the chain and exits".into()),
    ])
    .print(globals.output);
    super::stop_requested().await;
    eprintln!("stopping: saving {}", globals.embedded_state.display());
    if let Err(err) = running.shutdown().await {
        fail!("{err}");
    }
    Ok(Output::record(vec![
        ("stopped", true.into()),
        ("saved", globals.embedded_state.display().to_string().into()),
    ]))
}
