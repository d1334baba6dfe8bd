//! Solana's JSON-RPC interface over the embedded chain, the way `solana-test-validator` serves a validator: HTTP
//! JSON-RPC on one port and WebSocket subscriptions on the next, answered with Solana's own request and response
//! types (`solana-rpc-client-api`, `solana-account-decoder`, `solana-transaction-status`). The unchanged RPC code
//! paths of the SDK, the Solana CLI, explorers and the Anchor TypeScript client can then run against a chain on
//! which the program runs natively.
//!
//! ```no_run
//! # async fn example() -> Result<(), public_spending_localnet::LocalnetError> {
//! use public_spending_localnet::{Localnet, LocalnetConfig};
//!
//! let running = Localnet::start(LocalnetConfig::new("pubspend-embedded.json".into())).await?;
//! println!("JSON-RPC on http://{}", running.rpc_addr());
//! running.shutdown().await?; // saves the chain
//! # Ok(())
//! # }
//! ```

mod node;
mod pubsub;
mod rpc;

use std::{
    net::{IpAddr, Ipv4Addr, SocketAddr},
    path::PathBuf,
    sync::Arc,
    time::Duration,
};

use jsonrpsee::server::{Server, ServerConfig, ServerHandle};
use public_spending_embedded::{Access, Pace, StateFile};
use public_spending_sdk::SdkError;

pub use crate::node::Node;

/// The version of the Solana runtime the embedded chain runs, reported by `getVersion`.
pub const SOLANA_CORE_VERSION: &str = "3.1.12";

/// Where and what to serve.
#[derive(Debug, Clone)]
pub struct LocalnetConfig {
    /// The saved embedded chain (created when missing). It is locked while served.
    pub state: PathBuf,
    pub bind: IpAddr,
    /// HTTP JSON-RPC; WebSocket subscriptions are served on the next port. 0 picks free ports.
    pub rpc_port: u16,
    /// The WebSocket port instead of the next one (a server started again where an earlier one, on free ports,
    /// was: its clients reconnect to the same addresses). 0 picks a free port.
    pub ws_port: Option<u16>,
    /// Binding to anything but loopback exposes the chain and its faucet; it must be asked for.
    pub allow_non_loopback: bool,
    /// How long after a change the state file is written (changes in between are saved together).
    pub save_delay: Duration,
    /// How often the open slot is closed when a transaction landed in it (a validator's slot time).
    pub slot_duration: Duration,
}

impl LocalnetConfig {
    /// Loopback, port 8899 (and 8900), as `solana-test-validator`.
    pub fn new(state: PathBuf) -> Self {
        Self {
            state,
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            rpc_port: 8899,
            ws_port: None,
            allow_non_loopback: false,
            save_delay: Duration::from_millis(200),
            slot_duration: Duration::from_millis(400),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LocalnetError {
    #[error(
        "refusing to bind to {0}, which is not a loopback address: anyone who reaches it can send transactions and take airdrops (allow it explicitly with --allow-non-loopback)"
    )]
    NotLoopback(IpAddr),
    #[error("{0} is already in use by another pubspend command")]
    StateBusy(PathBuf),
    #[error("{} is already served at {url}", path.display())]
    AlreadyServed { path: PathBuf, url: String },
    #[error("cannot listen on {addr}: {reason}")]
    Bind { addr: SocketAddr, reason: String },
    #[error("port {0} has no next port for WebSocket subscriptions")]
    NoWebSocketPort(u16),
    #[error(transparent)]
    Sdk(#[from] SdkError),
}

/// A running server. Dropping it without [`Running::shutdown`] stops nothing; call `shutdown` to save and stop.
pub struct Running {
    node: Arc<Node>,
    rpc_addr: SocketAddr,
    ws_addr: SocketAddr,
    http: ServerHandle,
    ws: ServerHandle,
    saver: tokio::task::JoinHandle<()>,
    slots: tokio::task::JoinHandle<()>,
}

pub struct Localnet;

impl Localnet {
    /// Loads the saved chain (locking its file) and starts serving it.
    pub async fn start(config: LocalnetConfig) -> Result<Running, LocalnetError> {
        if !config.bind.is_loopback() && !config.allow_non_loopback {
            return Err(LocalnetError::NotLoopback(config.bind));
        }
        let state = match StateFile::try_lock(&config.state, Access::Write) {
            Ok(Some(state)) => state,
            Ok(None) => return Err(LocalnetError::StateBusy(config.state.clone())),
            Err(SdkError::StateServed { path, url }) => {
                return Err(LocalnetError::AlreadyServed { path, url })
            }
            Err(err) => return Err(err.into()),
        };
        // Blockhashes at a validator's pace, one per closed slot: a person signing in a wallet takes seconds.
        let chain = state.load_paced(Pace::PerSlot).await?;
        chain.resume_slots().await?;

        let rpc_addr = SocketAddr::new(config.bind, config.rpc_port);
        // Any origin may call, as a validator allows: the node is public, and a browser page (the explorer's
        // verifier) reads it from another origin.
        let cors = tower_http::cors::CorsLayer::new()
            .allow_origin(tower_http::cors::Any)
            .allow_methods([http::Method::POST, http::Method::OPTIONS])
            .allow_headers([http::header::CONTENT_TYPE]);
        let http = Server::builder()
            .set_config(ServerConfig::builder().http_only().build())
            .set_http_middleware(tower::ServiceBuilder::new().layer(cors))
            .build(rpc_addr)
            .await
            .map_err(|e| LocalnetError::Bind {
                addr: rpc_addr,
                reason: e.to_string(),
            })?;
        let rpc_addr = http.local_addr().map_err(|e| LocalnetError::Bind {
            addr: rpc_addr,
            reason: e.to_string(),
        })?;
        let ws_port = match (config.ws_port, config.rpc_port) {
            (Some(port), _) => port,
            (None, 0) => 0,
            (None, port) => port
                .checked_add(1)
                .ok_or(LocalnetError::NoWebSocketPort(port))?,
        };
        let ws_addr = SocketAddr::new(config.bind, ws_port);
        let ws = Server::builder()
            .set_config(ServerConfig::builder().ws_only().build())
            .build(ws_addr)
            .await
            .map_err(|e| LocalnetError::Bind {
                addr: ws_addr,
                reason: e.to_string(),
            })?;
        let ws_addr = ws.local_addr().map_err(|e| LocalnetError::Bind {
            addr: ws_addr,
            reason: e.to_string(),
        })?;

        // A command that finds the file locked learns where it is served instead of waiting.
        state.announce_server(&format!("http://{rpc_addr}"))?;
        let node = Arc::new(Node::new(chain, state));
        let http = http.start(rpc::module(node.clone()));
        let ws = ws.start(pubsub::module(node.clone()));
        let saver = tokio::spawn(node.clone().save_on_change(config.save_delay));
        let slots = tokio::spawn(node.clone().close_slots(config.slot_duration));
        Ok(Running {
            node,
            rpc_addr,
            ws_addr,
            http,
            ws,
            saver,
            slots,
        })
    }
}

impl Running {
    pub fn rpc_addr(&self) -> SocketAddr {
        self.rpc_addr
    }

    pub fn ws_addr(&self) -> SocketAddr {
        self.ws_addr
    }

    pub fn rpc_url(&self) -> String {
        format!("http://{}", self.rpc_addr)
    }

    pub fn ws_url(&self) -> String {
        format!("ws://{}", self.ws_addr)
    }

    /// The chain being served.
    pub fn node(&self) -> &Arc<Node> {
        &self.node
    }

    /// Stops taking requests, lets the ones under way finish, saves the chain and releases its file.
    pub async fn shutdown(self) -> Result<(), LocalnetError> {
        // A handle already stopped is no error: stopping is all that is asked.
        let _ = self.http.stop();
        let _ = self.ws.stop();
        self.http.stopped().await;
        self.ws.stopped().await;
        self.saver.abort();
        self.slots.abort();
        // Aborted tasks end with a cancellation; that is how they are meant to end here.
        let _ = self.saver.await;
        let _ = self.slots.await;
        self.node.close().await?;
        Ok(())
    }
}
