//! Client SDK for the Public Spending Ledger program: the one place clients learn the program.
//!
//! - [`pda`]: every program-derived address, from the program's own seed constants;
//! - [`builders`]: typed instruction builders, so callers never assemble account lists by hand;
//! - [`fetch`]: typed account fetchers over any [`fetch::AccountSource`];
//! - [`events`]: decoding of the program's `emit_cpi!` events;
//! - [`error`]: program and framework error codes mapped to [`SdkError`];
//! - the embedded chain (the program in process inside the real Solana runtime) is its own crate,
//!   `public-spending-embedded`, implementing this crate's [`Backend`] and [`history::History`].
//!
//! ```
//! use public_spending_sdk::pda;
//!
//! let (agency, _bump) = pda::agency("075");
//! let (treasury, _) = pda::treasury(&agency);
//! assert_ne!(agency, treasury);
//! ```

pub mod amount;
pub mod backend;
pub mod batch;
pub mod builders;
pub mod client;
pub mod error;
pub mod events;
pub mod fetch;
pub mod history;
pub mod mint;
pub mod operations;
pub mod pda;
pub mod query;
pub mod rpc_batch;
pub mod schedule;

pub use backend::{Backend, RpcBackend, TxOutcome};
pub use client::Client;
pub use error::SdkError;
pub use events::LedgerEvent;
/// The program crate itself: its accounts, arguments, events, errors and constants.
pub use public_spending as program;
/// The canonical payment record and the outlay hash-chain fold, shared with the program.
pub use public_spending::state::{fold_outlay_hash, PaymentRecord};

/// Role bits as names, `budget,obligate,request,approve,execute,property` (`-` for none).
pub fn role_names(bits: u8) -> String {
    use public_spending::constants::*;
    let names: Vec<&str> = [
        (ROLE_BUDGET, "budget"),
        (ROLE_OBLIGATE, "obligate"),
        (ROLE_REQUEST, "request"),
        (ROLE_APPROVE, "approve"),
        (ROLE_EXECUTE, "execute"),
        (ROLE_PROPERTY, "property"),
    ]
    .iter()
    .filter(|(bit, _)| bits & bit != 0)
    .map(|(_, name)| *name)
    .collect();
    if names.is_empty() {
        "-".into()
    } else {
        names.join(",")
    }
}

/// The salted hash stored for an individual recipient instead of the name: `sha256(salt || name)`. The salt
/// stays with the registering agency, so the name cannot be guessed from the chain.
pub fn individual_name_hash(salt: &[u8], name: &str) -> [u8; 32] {
    solana_sha256_hasher::hashv(&[salt, name.as_bytes()]).to_bytes()
}
