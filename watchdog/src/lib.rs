//! The public side of the Public Spending Ledger, as a library a newsroom can embed:
//!
//! - [`store`]: the index, in SQLite or PostgreSQL (schema, versions, batches);
//! - [`index`]: pages the program's history (RPC or embedded) into the store, resumably;
//! - [`verify`]: replays every agency's outlay hash chain and every total from the events, against the chain;
//! - [`audit`]: red-flag checks with the records behind each finding;
//! - [`export`]: DAIMS-style CSV (Files A, B, C) and an OCDS 1.1 release package;
//! - [`report`]: one self-contained HTML file with charts;
//! - [`watch`]: follows the chain over WebSocket and reports each new red flag once.
//!
//! Individuals appear only as their salted name hash, everywhere.

pub mod audit;
pub mod broker;
pub mod export;
pub mod index;
pub mod ledger;
pub mod lookup;
pub mod report;
pub mod store;
pub mod verify;
pub mod watch;

pub use store::{Location, Store};

/// Everything that can go wrong in the watchdog.
#[derive(Debug, thiserror::Error)]
pub enum WatchdogError {
    #[error(transparent)]
    Sdk(#[from] public_spending_sdk::SdkError),
    #[error("index database {path}: {reason}")]
    Store { path: String, reason: String },
    #[error("index database: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("index database: {}", store::sql::message(.0))]
    Postgres(#[from] postgres::Error),
    #[error("{0}")]
    Invalid(String),
    #[error("cannot write {path}: {reason}")]
    Write { path: String, reason: String },
}

pub type Result<T> = std::result::Result<T, WatchdogError>;
