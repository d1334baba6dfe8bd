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
    #[error("instruction {instruction} failed with custom error {code}{}", anchor_error_text(*code))]
    Custom { instruction: u8, code: u32 },
    /// Another program (SPL Token, System) refused with its own error code, named where it is known.
    #[error("instruction {instruction} failed in the {}: {} (custom error {code})", program_name(program), name.as_deref().unwrap_or("unknown error"))]
    OtherProgram {
        instruction: u8,
        program: Pubkey,
        code: u32,
        name: Option<String>,
    },
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
    /// The embedded chain's state file cannot be locked, read, restored or saved.
    #[error("embedded state {}: {reason}", path.display())]
    StateFile {
        path: std::path::PathBuf,
        reason: String,
    },
    /// The embedded chain's state file is being served by `pubspend serve`: send requests to its URL instead.
    #[error(
        "embedded state {} is being served by `pubspend serve` at {url}: add -u {url} to this command to send it there (or stop the server first)",
        path.display()
    )]
    StateServed {
        path: std::path::PathBuf,
        url: String,
    },
    /// The RPC node does not answer: a wrong URL, a node that is down, or no network.
    #[error("cannot reach the RPC node at {url}: {reason}")]
    Unreachable { url: String, reason: String },
    /// Sending or reading failed before the program ran.
    #[error("transport error: {0}")]
    Transport(String),
    /// An operation's check refused before anything was sent, saying why (a payment an award never gave, a
    /// signer without the role, one's own request to approve).
    #[error("{0}")]
    Refused(String),
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

    /// Maps a failed transaction to its error. A custom code means nothing without the program that raised it
    /// (SPL Token's 1 is `InsufficientFunds`, the System program's 1 is `ResultWithNegativeLamports`), so the
    /// failing program is read from the transaction's logs.
    pub fn from_failure(err: TransactionError, logs: &[String]) -> Self {
        let TransactionError::InstructionError(instruction, InstructionError::Custom(code)) = &err
        else {
            return err.into();
        };
        match failing_program(logs, *code) {
            Some(program) if program != public_spending::ID => Self::OtherProgram {
                instruction: *instruction,
                program,
                code: *code,
                name: foreign_error_name(&program, *code),
            },
            _ => err.into(),
        }
    }

    /// The name of another program's error (`InsufficientFunds`), if that is what this is.
    pub fn other_program_error(&self) -> Option<&str> {
        match self {
            Self::OtherProgram { name, .. } => name.as_deref(),
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
        InvalidEvidenceHash,
        AwardHeld,
        WrongFlagTarget,
        FlagFinal,
        FlagNotFinal,
        InvalidFlagOutcome,
        NoPendingPayoutWallet,
        ProposerCannotConfirm,
        PayoutWalletUnchanged,
        PayoutWalletChanged,
        InvalidRpuid,
        InvalidPropertyStatus,
        InvalidPropertySize,
        InvalidPropertyLocation,
        InvalidConditionIndex,
        InvalidLeaseTerms,
        PropertyDisposed,
        InvalidExclusionStatus,
        StalePaymentIndex,
        InvalidBatch,
        ConflictingRoles,
        HeadCannotBeMember,
        PayoutWalletMismatch,
        LooseningNeedsNotice,
        NoticeNotOver,
        WrongChangeKind,
        UnsupportedMintExtension,
        AboveLedgerCeiling,
        InvalidChangeNotice,
        TransferFeeCharged,
        MemoProgramMissing,
        InvalidStateCode,
        InvalidZipCode,
        InvalidCity,
        DisposedBeforeLease,
        WalletTimeLockActive,
        UnknownPayment,
        MintDecimalsTooMany,
        MemberWithoutRoles,
        LiftNeedsImposerOrSecondAuditor,
        InvalidConcurringAuditor,
        VetoCoolingOff,
        ChangeAlreadyPending,
        ChangeWasVetoed,
        AgencyOnNotice,
        WrongProposer,
        ChangeNotVetoable,
    ]
};

/// The program whose "failed: custom program error: 0x.." log line reports `code` first: the innermost one,
/// where the error was raised (the callers that pass it on log the same line after it).
fn failing_program(logs: &[String], code: u32) -> Option<Pubkey> {
    let suffix = format!(" failed: custom program error: {code:#x}");
    logs.iter().find_map(|line| {
        line.strip_prefix("Program ")?
            .strip_suffix(&suffix)?
            .parse()
            .ok()
    })
}

fn program_name(program: &Pubkey) -> String {
    use anchor_spl::{associated_token, token, token_2022};
    if *program == token::ID {
        "SPL Token program".into()
    } else if *program == token_2022::ID {
        "SPL Token-2022 program".into()
    } else if *program == associated_token::ID {
        "Associated Token Account program".into()
    } else if *program == solana_system_interface::program::ID {
        "System program".into()
    } else {
        format!("program {program}")
    }
}

/// The error names of the programs this one calls.
fn foreign_error_name(program: &Pubkey, code: u32) -> Option<String> {
    use anchor_spl::{token::spl_token::error::TokenError, token_2022};
    use num_traits::FromPrimitive;
    if *program == anchor_spl::token::ID || *program == token_2022::ID {
        TokenError::from_u32(code).map(|e| format!("{e:?}"))
    } else if *program == solana_system_interface::program::ID {
        solana_system_interface::error::SystemError::from_u32(code).map(|e| format!("{e:?}"))
    } else {
        None
    }
}

/// The framework's account and constraint errors a client can meet from this program (an account that does not
/// exist yet, or another's in its place), for naming a bare code.
const ANCHOR_ERRORS: &[anchor_lang::error::ErrorCode] = {
    use anchor_lang::error::ErrorCode::*;
    &[
        AccountNotInitialized,
        AccountDidNotDeserialize,
        AccountDiscriminatorMismatch,
        AccountOwnedByWrongProgram,
        AccountNotEnoughKeys,
        AccountNotSigner,
        AccountNotMutable,
        ConstraintSeeds,
        ConstraintHasOne,
        ConstraintSigner,
        ConstraintMut,
        ConstraintRaw,
        ConstraintOwner,
        InstructionDidNotDeserialize,
        InstructionFallbackNotFound,
    ]
};

/// ` (AccountNotInitialized: the account the instruction needs does not exist)` for a framework error's code.
fn anchor_error_text(code: u32) -> String {
    ANCHOR_ERRORS
        .iter()
        .find(|e| u32::from(**e) == code)
        .map_or_else(String::new, |e| format!(" ({}: {e})", e.name()))
}

/// The program error with this custom code, if it is one.
pub fn ledger_error_from_code(code: u32) -> Option<LedgerError> {
    let index = code.checked_sub(anchor_lang::error::ERROR_CODE_OFFSET)?;
    LEDGER_ERRORS.get(usize::try_from(index).ok()?).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_programs_errors_are_named_from_the_logs() {
        let failed = TransactionError::InstructionError(0, InstructionError::Custom(1));
        let token_logs = vec![
            format!("Program {} invoke [1]", public_spending::ID),
            format!("Program {} invoke [2]", anchor_spl::token::ID),
            "Program log: Error: insufficient funds".to_string(),
            format!(
                "Program {} failed: custom program error: 0x1",
                anchor_spl::token::ID
            ),
            format!(
                "Program {} failed: custom program error: 0x1",
                public_spending::ID
            ),
        ];
        let err = SdkError::from_failure(failed.clone(), &token_logs);
        assert_eq!(err.other_program_error(), Some("InsufficientFunds"));
        assert_eq!(
            err.to_string(),
            "instruction 0 failed in the SPL Token program: InsufficientFunds (custom error 1)"
        );
        let system_logs = vec![format!(
            "Program {} failed: custom program error: 0x1",
            solana_system_interface::program::ID
        )];
        assert_eq!(
            SdkError::from_failure(failed.clone(), &system_logs).other_program_error(),
            Some("ResultWithNegativeLamports")
        );
        // Without logs, or when this program raised it, the code stays the program's.
        assert!(matches!(
            SdkError::from_failure(failed, &[]),
            SdkError::Custom { code: 1, .. }
        ));
        let own = TransactionError::InstructionError(0, InstructionError::Custom(6041));
        let own_logs = [format!(
            "Program {} failed: custom program error: 0x1799",
            public_spending::ID
        )];
        assert!(matches!(
            SdkError::from_failure(own, &own_logs).ledger_error(),
            Some(LedgerError::ExceedsAwardRemaining)
        ));
    }

    #[test]
    fn ledger_errors_table_matches_the_enum_codes() {
        for (i, error) in LEDGER_ERRORS.iter().enumerate() {
            assert_eq!(u32::from(*error), 6000 + i as u32, "{}", error.name());
        }
        // Every error the published IDL lists, by name, in code order: a variant added to the program and
        // not here would be reported as an unknown code.
        let idl: serde_json::Value =
            serde_json::from_str(include_str!("../../idl/public_spending.json")).unwrap();
        let published: Vec<(u64, &str)> = idl["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["code"].as_u64().unwrap(), e["name"].as_str().unwrap()))
            .collect();
        let ours: Vec<(u64, String)> = LEDGER_ERRORS
            .iter()
            .map(|e| (u64::from(u32::from(*e)), e.name()))
            .collect();
        let ours: Vec<(u64, &str)> = ours.iter().map(|(c, n)| (*c, n.as_str())).collect();
        assert_eq!(ours, published);
    }
}
