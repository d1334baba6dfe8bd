//! The public explorer: the watchdog's index served as web pages anyone can search, cite and download.
//!
//! Every page is rendered on the server from askama templates (escaped by default) and works without
//! JavaScript; every page has a permalink built from public ids (agency code, award id, UEI, signature); every
//! list is a download in CSV or JSON (`?format=csv`) carrying the index's slot and the file's sha256 in its
//! response headers, and `?as_of_slot=N` pins a list to what the chain held at slot N so a citation reproduces.
//! The explorer never writes to the index: it reads a [`Snapshot`] of it, and [`Explorer::reload`] replaces the
//! snapshot whole when an indexer (`pubspend explore -u`, `pubspend watch`, `pubspend index`) has moved it.

pub mod download;
pub mod model;
pub mod pages;
pub mod params;

use std::{
    net::SocketAddr,
    sync::{Arc, RwLock},
    time::Instant,
};

use axum::{
    extract::Request,
    middleware::{self, Next},
    response::Response,
    routing::get,
    Router,
};
use public_spending_watchdog::{Location, Store};

pub use model::Snapshot;

#[derive(Debug, thiserror::Error)]
pub enum ExplorerError {
    #[error(transparent)]
    Watchdog(#[from] public_spending_watchdog::WatchdogError),
    #[error("cannot listen on {address}: {reason}")]
    Listen { address: String, reason: String },
    #[error("the server stopped: {0}")]
    Serve(String),
}

pub type Result<T> = std::result::Result<T, ExplorerError>;

/// The explorer over one index: where the index is, and the snapshot pages read.
pub struct Explorer {
    location: Location,
    snapshot: RwLock<Arc<Snapshot>>,
    /// The cluster explorer a payment links to (`?cluster=devnet` on explorer.solana.com); none for a local node.
    cluster: Option<String>,
    /// The RPC node the in-browser verifier reads by default (the reader may name another).
    rpc: Option<String>,
}

impl Explorer {
    /// Opens the index at `location` (it must exist: the explorer never creates one) and reads it.
    pub fn open(location: Location, cluster: Option<String>) -> Result<Self> {
        let snapshot = Snapshot::load(&Store::open_existing(location.clone())?)?;
        Ok(Self {
            location,
            snapshot: RwLock::new(Arc::new(snapshot)),
            cluster,
            rpc: None,
        })
    }

    /// The RPC node the pages offer the in-browser verifier by default.
    pub fn with_rpc(mut self, url: impl Into<String>) -> Self {
        self.rpc = Some(url.into());
        self
    }

    pub fn rpc(&self) -> Option<&str> {
        self.rpc.as_deref()
    }

    /// The snapshot pages read now.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        match self.snapshot.read() {
            Ok(snapshot) => Arc::clone(&snapshot),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Reads the index again if it has moved since the snapshot was taken; true when a new snapshot replaced
    /// the old one. Pages being rendered keep the snapshot they started with.
    pub fn reload(&self) -> Result<bool> {
        let store = Store::open_existing(self.location.clone())?;
        if model::mark(&store)? == self.snapshot().mark {
            return Ok(false);
        }
        let fresh = Arc::new(Snapshot::load(&store)?);
        match self.snapshot.write() {
            Ok(mut snapshot) => *snapshot = fresh,
            Err(poisoned) => *poisoned.into_inner() = fresh,
        }
        Ok(true)
    }

    /// The cluster parameter of the Solana Explorer's links, if payments link there.
    pub fn cluster(&self) -> Option<&str> {
        self.cluster.as_deref()
    }
}

/// Every page and download of the explorer.
pub fn router(explorer: Arc<Explorer>) -> Router {
    Router::new()
        .route("/", get(pages::home))
        .route("/agency/{code}", get(pages::agency))
        .route("/award/{code}/{award_id}", get(pages::award))
        .route("/recipient/{uei}", get(pages::recipient))
        .route("/payment/{signature}", get(pages::payment))
        .route("/property/{code}/{rpuid}", get(pages::property))
        .route("/flags", get(pages::flags))
        .route("/findings", get(pages::findings))
        .route("/findings/{id}", get(pages::finding))
        .route("/search", get(pages::search))
        .route("/style.css", get(pages::style))
        .route("/verify.js", get(pages::verify_script))
        .route("/verify.wasm", get(pages::verify_module))
        .route("/flag.js", get(pages::flag_script))
        .route("/flag/transaction", get(pages::flag_transaction))
        .fallback(pages::not_found)
        .layer(middleware::from_fn(log_request))
        .with_state(explorer)
}

/// One line per request on stderr: method, path and query, status, time taken.
async fn log_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let uri = request.uri().clone();
    let response = next.run(request).await;
    eprintln!(
        "{method} {uri} {} {:.1} ms",
        response.status().as_u16(),
        started.elapsed().as_secs_f64() * 1e3
    );
    response
}

/// Binds `address` (loopback unless the caller chose otherwise).
pub async fn bind(address: SocketAddr) -> Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(address)
        .await
        .map_err(|e| ExplorerError::Listen {
            address: address.to_string(),
            reason: e.to_string(),
        })
}

/// Serves `explorer` on `listener` until `stop` resolves, then finishes the requests under way.
pub async fn serve(
    listener: tokio::net::TcpListener,
    explorer: Arc<Explorer>,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<()> {
    axum::serve(listener, router(explorer))
        .with_graceful_shutdown(stop)
        .await
        .map_err(|e| ExplorerError::Serve(e.to_string()))
}
