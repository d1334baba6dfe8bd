use std::fmt;

use public_spending_sdk::{amount::AmountError, SdkError};

/// A one-line error for the person at the terminal; `pubspend` prints it and exits non-zero.
#[derive(Debug)]
pub struct CliError(pub String);

pub type CliResult<T> = Result<T, CliError>;

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<SdkError> for CliError {
    fn from(err: SdkError) -> Self {
        Self(err.to_string())
    }
}

impl From<public_spending_watchdog::WatchdogError> for CliError {
    fn from(err: public_spending_watchdog::WatchdogError) -> Self {
        Self(err.to_string())
    }
}

impl From<public_spending_explorer::ExplorerError> for CliError {
    fn from(err: public_spending_explorer::ExplorerError) -> Self {
        Self(err.to_string())
    }
}

impl From<AmountError> for CliError {
    fn from(err: AmountError) -> Self {
        Self(format!("invalid amount: {err}"))
    }
}

/// `return Err(CliError(format!(...)))`
macro_rules! fail {
    ($($arg:tt)*) => {
        return Err($crate::error::CliError(format!($($arg)*)))
    };
}
pub(crate) use fail;
