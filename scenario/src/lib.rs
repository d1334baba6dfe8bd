//! Scenarios of the Public Spending Ledger, shared by the tests, the watchdog's tests and `pubspend demo`.
//!
//! - [`Chain`]: what a scenario runs on, the embedded chain or a node over JSON-RPC;
//! - [`flaky`]: the one test double that fails on purpose (lost responses, dropped sends, a history that goes
//!   away);
//! - [`agency`]: agencies registered and staffed as every scenario needs them;
//! - [`fiscal_year`]: the demo's whole fiscal year, played by [`fiscal_year::play`], which narrates through a
//!   callback and returns a typed [`fiscal_year::FiscalYear`]: every payment, refusal and planted red flag.
//!
//! Everything here returns `Result`; the test fixtures wrap it with `expect`.

pub mod agency;
mod chain;
pub mod fiscal_year;
pub mod flaky;

use public_spending_sdk::SdkError;

pub use chain::Chain;
pub use flaky::{flaky_client, Fault, Flaky, NO_WAIT};

/// Why a scenario stopped.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The chain or the SDK failed.
    #[error(transparent)]
    Sdk(#[from] SdkError),
    /// The program accepted an attempt it must refuse: a control is broken.
    #[error("the program accepted what it must refuse: {0}")]
    Accepted(String),
    /// An attempt the program must refuse failed, but not on one of the program's checks.
    #[error("{action} failed for another reason than a program check: {err}")]
    FailedOtherwise { action: String, err: SdkError },
    /// The scenario's own plan does not hold (an award it needs is missing or spent).
    #[error("{0}")]
    Script(String),
}
