use anchor_lang::{prelude::Pubkey, solana_program::program_error::ProgramError};
use public_spending::error::LedgerError;
use solana_sdk::{instruction::InstructionError, transaction::TransactionError};

/// Everything that can go wrong talking to the program.
#[derive(Debug, thiserror::Error)]
pub enum SdkError {
    /// The program refused the instruction with one of its own errors.
    #[error("instruction {instruction} refused: {} ({}): {error}", error.name(), u32::from(*error))]
    Program { instruction: u8, error: LedgerError },
    /// A framework (Anchor) or other program's custom error code, e.g. a failed seeds constraint.
    #[error("instruction {instruction} failed with custom error {code}")]
    Custom { instruction: u8, code: u32 },
    /// The transaction failed for another reason (signature, funds, ...).
    #[error("transaction failed: {0}")]
    Transaction(TransactionError),
    /// The given keypairs do not match the transaction's required signers.
    #[error("cannot sign: {0}")]
    Signing(String),
    #[error("account {0} does not exist")]
    AccountNotFound(Pubkey),
    #[error("account {address} is not a valid {kind}: {reason}")]
    Decode {
        address: Pubkey,
        kind: &'static str,
        reason: String,
    },
    /// Sending or reading failed before the program ran.
    #[error("transport error: {0}")]
    Transport(String),
}

impl SdkError {
    /// The custom error code, whether the program's own or the framework's.
    pub fn code(&self) -> Option<u32> {
        match self {
            Self::Program { error, .. } => Some(u32::from(*error)),
            Self::Custom { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// The program's own error, if that is what this is.
    pub fn ledger_error(&self) -> Option<LedgerError> {
        match self {
            Self::Program { error, .. } => Some(*error),
            _ => None,
        }
    }
}

impl From<TransactionError> for SdkError {
    fn from(err: TransactionError) -> Self {
        match err {
            TransactionError::InstructionError(instruction, InstructionError::Custom(code)) => {
                match ledger_error_from_code(code) {
                    Some(error) => Self::Program { instruction, error },
                    None => Self::Custom { instruction, code },
                }
            }
            other => Self::Transaction(other),
        }
    }
}

impl From<ProgramError> for SdkError {
    fn from(err: ProgramError) -> Self {
        match err {
            ProgramError::Custom(code) => match ledger_error_from_code(code) {
                Some(error) => Self::Program {
                    instruction: 0,
                    error,
                },
                None => Self::Custom {
                    instruction: 0,
                    code,
                },
            },
            other => Self::Transport(other.to_string()),
        }
    }
}

/// Every program error, in code order (index `i` has code `6000 + i`); checked against the enum by a test.
pub const LEDGER_ERRORS: &[LedgerError] = {
    use LedgerError::*;
    &[
        Paused,
        NotLedgerAdmin,
        NotPendingAdmin,
        NoPendingAdmin,
        TooManyAuditors,
        InvalidAuditor,
        NotAuditor,
        NotPaused,
        WrongMint,
        InvalidAgencyCode,
        InvalidAgencyName,
        NotAgencyHead,
        InvalidRoles,
        NotActiveMember,
        MissingRole,
        WrongAgency,
        InvalidApprovalsRequired,
        TimeLockTooLong,
        FastPathWithoutThreshold,
        AgencyFrozen,
        ZeroAmount,
        Overflow,
        InvalidTreasuryAccountSymbol,
        InvalidFiscalYear,
        AvailabilityEndInPast,
        AppropriationExpired,
        AppropriationStillAvailable,
        ExceedsBudgetAuthority,
        InvalidProgramActivity,
        InvalidUei,
        InvalidRecipientName,
        InvalidNameHash,
        InvalidPayoutWallet,
        RecipientNotActive,
        InvalidAwardId,
        InvalidObjectClass,
        InvalidPeriodOfPerformance,
        ExceedsAllotment,
        DeobligationBelowCommitted,
        AwardClosed,
        AwardNotSettled,
        ExceedsAwardRemaining,
        InvalidInvoiceHash,
        SelfApproval,
        AlreadyApproved,
        TooManyApprovals,
        InvalidPaymentStatus,
        InsufficientApprovals,
        TimeLockActive,
        PaymentHeld,
        NotRequesterOrHead,
        AboveFastPathThreshold,
        FastPathCapExceeded,
        PaymentInFlight,
        WrongRecipientTokenAccount,
        WrongPayoutWallet,
        WrongTreasury,
        WrongTokenProgram,
        WrongRentPayer,
        AlreadyHeld,
        NotHeld,
        FreezeUnchanged,
        RecipientStatusUnchanged,
        WrongParent,
        InvariantViolated,
    ]
};

/// The program error with this custom code, if it is one.
pub fn ledger_error_from_code(code: u32) -> Option<LedgerError> {
    let index = code.checked_sub(anchor_lang::error::ERROR_CODE_OFFSET)?;
    LEDGER_ERRORS.get(usize::try_from(index).ok()?).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ledger_errors_table_matches_the_enum_codes() {
        for (i, error) in LEDGER_ERRORS.iter().enumerate() {
            assert_eq!(u32::from(*error), 6000 + i as u32, "{}", error.name());
        }
        assert_eq!(
            LEDGER_ERRORS.len(),
            LedgerError::InvariantViolated as usize + 1,
            "the last variant must close the table"
        );
    }
}
