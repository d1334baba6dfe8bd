//! Client SDK for the Public Spending Ledger program: the one place clients learn the program.
//!
//! - [`pda`]: every program-derived address, from the program's own seed constants;
//! - [`builders`]: typed instruction builders, so callers never assemble account lists by hand;
//! - [`fetch`]: typed account fetchers over any [`fetch::AccountSource`];
//! - [`events`]: decoding of the program's `emit_cpi!` events;
//! - [`error`]: program and framework error codes mapped to [`SdkError`];
//! - `embedded` (feature): the program running in process inside the real Solana runtime.
//!
//! ```
//! use public_spending_sdk::pda;
//!
//! let (agency, _bump) = pda::agency("075");
//! let (treasury, _) = pda::treasury(&agency);
//! assert_ne!(agency, treasury);
//! ```

pub mod builders;
#[cfg(feature = "embedded")]
pub mod embedded;
pub mod error;
pub mod events;
pub mod fetch;
pub mod pda;

pub use error::SdkError;
pub use events::LedgerEvent;
/// The program crate itself: its accounts, arguments, events, errors and constants.
pub use public_spending as program;
/// The canonical payment record and the outlay hash-chain fold, shared with the program.
pub use public_spending::state::{fold_outlay_hash, PaymentRecord};
