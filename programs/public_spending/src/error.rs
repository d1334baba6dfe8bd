use anchor_lang::prelude::*;

/// Every way the program refuses an instruction. Codes start at 6000 (Anchor's custom error base) and are
/// stable: append new variants at the end.
#[error_code]
pub enum LedgerError {
    #[msg("the ledger is paused: no state may change until governance unpauses it")]
    Paused,
    #[msg("only the ledger admin may do this")]
    NotLedgerAdmin,
    #[msg("only the proposed admin may accept the admin role")]
    NotPendingAdmin,
    #[msg("no admin handover has been proposed")]
    NoPendingAdmin,
    #[msg("too many auditors: the ledger names at most 5")]
    TooManyAuditors,
    #[msg("an auditor is listed twice or is the default key")]
    InvalidAuditor,
    #[msg("only a ledger auditor may do this")]
    NotAuditor,
    #[msg("the ledger is not paused")]
    NotPaused,
    #[msg("the mint does not match the ledger's payment mint")]
    WrongMint,
    #[msg("agency code must be 1 to 4 upper-case ASCII letters or digits")]
    InvalidAgencyCode,
    #[msg("agency name must be 1 to 64 printable ASCII characters")]
    InvalidAgencyName,
    #[msg("only the agency head may do this")]
    NotAgencyHead,
    #[msg("unknown role bits: roles are BUDGET=1, OBLIGATE=2, REQUEST=4, APPROVE=8, EXECUTE=16, PROPERTY=32")]
    InvalidRoles,
    #[msg("signer is not an active member of this agency")]
    NotActiveMember,
    #[msg("member lacks the role this instruction needs")]
    MissingRole,
    #[msg("the account belongs to another agency")]
    WrongAgency,
    #[msg("approval policy must require 1 to 5 approvals")]
    InvalidApprovalsRequired,
    #[msg("time lock is longer than 30 days")]
    TimeLockTooLong,
    #[msg("a fast-path daily cap needs a threshold above zero: no payment could use it")]
    FastPathWithoutThreshold,
    #[msg("the agency is frozen by an auditor")]
    AgencyFrozen,
    #[msg("amount must be greater than zero")]
    ZeroAmount,
    #[msg("arithmetic overflow: the amount is too large")]
    Overflow,
    #[msg("treasury account symbol codes must be digits: main account 4, sub-account 3")]
    InvalidTreasuryAccountSymbol,
    #[msg("fiscal year must be between 2000 and 2200")]
    InvalidFiscalYear,
    #[msg("availability end must be in the future")]
    AvailabilityEndInPast,
    #[msg("the appropriation has expired: no new allotments or obligations")]
    AppropriationExpired,
    #[msg("the appropriation is still available: only the admin may expire it early")]
    AppropriationStillAvailable,
    #[msg("allotments would exceed the appropriation's budget authority")]
    ExceedsBudgetAuthority,
    #[msg("program activity code must be 4 digits")]
    InvalidProgramActivity,
    #[msg("UEI must be exactly 12 upper-case letters or digits")]
    InvalidUei,
    #[msg("recipient name must be 1 to 64 printable ASCII characters (individuals: give only the salted hash)")]
    InvalidRecipientName,
    #[msg("an individual's name hash must be non-zero and only individuals carry one")]
    InvalidNameHash,
    #[msg("payout wallet must not be the default key")]
    InvalidPayoutWallet,
    #[msg("the recipient's UEI is suspended or debarred ledger-wide (its exclusion is in force)")]
    RecipientNotActive,
    #[msg("award id must be 1 to 32 printable ASCII characters")]
    InvalidAwardId,
    #[msg("object class must be 3 digits")]
    InvalidObjectClass,
    #[msg("period of performance must end after it starts")]
    InvalidPeriodOfPerformance,
    #[msg("obligations would exceed the allotment")]
    ExceedsAllotment,
    #[msg("deobligation would take the award below what is paid or in flight")]
    DeobligationBelowCommitted,
    #[msg("the award is closed")]
    AwardClosed,
    #[msg("the award still has unpaid obligation or payments in flight")]
    AwardNotSettled,
    #[msg("amount exceeds what is left on the award")]
    ExceedsAwardRemaining,
    #[msg("invoice hash must not be all zeros")]
    InvalidInvoiceHash,
    #[msg("the requester may not approve their own payment")]
    SelfApproval,
    #[msg("this member has already approved the payment")]
    AlreadyApproved,
    #[msg("the payment already has the most approvals it can record")]
    TooManyApprovals,
    #[msg("the payment is not in a state that allows this")]
    InvalidPaymentStatus,
    #[msg("the payment needs more approvals before it can execute")]
    InsufficientApprovals,
    #[msg("the payment's time lock has not passed yet")]
    TimeLockActive,
    #[msg("the payment is held by an auditor")]
    PaymentHeld,
    #[msg("only the requester or the agency head may cancel")]
    NotRequesterOrHead,
    #[msg("the fast path only takes amounts below the agency's approval threshold")]
    AboveFastPathThreshold,
    #[msg("the fast path's daily cap would be exceeded")]
    FastPathCapExceeded,
    #[msg(
        "the payment is in flight: only executed, rejected or cancelled payments can be archived"
    )]
    PaymentInFlight,
    #[msg("the recipient token account is not the payout wallet's associated token account for the payment mint")]
    WrongRecipientTokenAccount,
    #[msg("the wallet does not match the recipient's payout wallet")]
    WrongPayoutWallet,
    #[msg("the treasury account is not this agency's treasury")]
    WrongTreasury,
    #[msg("the token program does not match the ledger's token program")]
    WrongTokenProgram,
    #[msg("rent must go back to the account that paid it")]
    WrongRentPayer,
    #[msg("the payment or award is already held")]
    AlreadyHeld,
    #[msg("the payment or award is not held")]
    NotHeld,
    #[msg("the agency is already in that freeze state")]
    FreezeUnchanged,
    #[msg("the UEI's exclusion already has that status")]
    RecipientStatusUnchanged,
    #[msg("the account does not belong to the given parent")]
    WrongParent,
    #[msg("an account invariant does not hold")]
    InvariantViolated,
    #[msg("an evidence, response or resolution hash must not be all zeros")]
    InvalidEvidenceHash,
    #[msg("the award is held by an auditor: no payment may be requested, paid or executed on it")]
    AwardHeld,
    #[msg("the account is not a payment, award, recipient or property of this program, as the flag names it")]
    WrongFlagTarget,
    #[msg("the flag is already resolved or dismissed")]
    FlagFinal,
    #[msg("the flag is still open: only a resolved or dismissed flag can be closed")]
    FlagNotFinal,
    #[msg("a flag is resolved or dismissed, nothing else")]
    InvalidFlagOutcome,
    #[msg("no payout wallet change has been proposed")]
    NoPendingPayoutWallet,
    #[msg("the payout wallet change must be confirmed by a second member, not its proposer")]
    ProposerCannotConfirm,
    #[msg("the proposed payout wallet is the current one")]
    PayoutWalletUnchanged,
    #[msg("the payout wallet changed after this payment was requested: cancel it and request it again")]
    PayoutWalletChanged,
    #[msg("real property unique id must be 1 to 24 printable ASCII characters")]
    InvalidRpuid,
    #[msg(
        "a property's status is active, inactive or excess; disposal goes through dispose_property"
    )]
    InvalidPropertyStatus,
    #[msg("a property's size must be greater than zero")]
    InvalidPropertySize,
    #[msg("latitude and longitude are given both or neither, latitude within ±90 and longitude within ±180 degrees")]
    InvalidPropertyLocation,
    #[msg("condition index must be 0 to 100")]
    InvalidConditionIndex,
    #[msg("a leased property needs a lease that ends after it starts; other properties carry no rent or lease")]
    InvalidLeaseTerms,
    #[msg("the property is disposed: it can no longer change or be named by an award")]
    PropertyDisposed,
    #[msg("exclusions are suspended or debarred; lift one with reinstate_recipient")]
    InvalidExclusionStatus,
    #[msg("the award's next payment index is not the one named: an earlier attempt may already have paid")]
    StalePaymentIndex,
    #[msg("a batch takes 1 to 32 items; its accounts are appropriation and allotment pairs, then each item's award, recipient and token account")]
    InvalidBatch,
    #[msg("separation of duties: no key may hold both REQUEST and APPROVE, or both OBLIGATE and EXECUTE")]
    ConflictingRoles,
    #[msg("separation of duties: the agency head's key cannot hold a member role")]
    HeadCannotBeMember,
    #[msg("the pending payout wallet is not the one named: the proposal changed after it was reviewed")]
    PayoutWalletMismatch,
    #[msg("this loosens a control of an agency in service: propose it with propose_change; it applies after its notice")]
    LooseningNeedsNotice,
    #[msg("the change's notice has not run out yet")]
    NoticeNotOver,
    #[msg("the pending change is of another kind than this instruction applies")]
    WrongChangeKind,
    #[msg("the payment mint has a Token-2022 extension the ledger refuses: a transfer hook, a permanent delegate, confidential transfers, or non-transferable tokens")]
    UnsupportedMintExtension,
    #[msg("the policy's fast-path threshold or daily cap is above the ledger-wide ceiling the admin set")]
    AboveLedgerCeiling,
    #[msg("the minimum notice must be from 1 hour to 30 days")]
    InvalidChangeNotice,
    #[msg("the mint would charge a transfer fee on this payment: the vendor must receive the invoice amount, so it is refused")]
    TransferFeeCharged,
    #[msg("the vendor's token account requires a memo on incoming transfers: pass the SPL Memo program")]
    MemoProgramMissing,
    #[msg("the state is not a two-letter USPS code (a state, DC, a territory, or AA, AE, AP)")]
    InvalidStateCode,
    #[msg("the ZIP code must be five digits")]
    InvalidZipCode,
    #[msg("the city must be 1 to 40 printable ASCII characters, no space at either end")]
    InvalidCity,
    #[msg("a leased property cannot be disposed of before its lease began")]
    DisposedBeforeLease,
    #[msg("the payout-wallet change's time lock has not passed yet: confirm it once the agency's time lock is over")]
    WalletTimeLockActive,
    #[msg("the award has given out no payment with this index")]
    UnknownPayment,
    #[msg("the payment mint has more than 9 decimals: a u64 of base units could not hold a budget (stablecoins in use have at most 9)")]
    MintDecimalsTooMany,
    #[msg("a proposed member must be given at least one role: taking every role away is a tightening, done at once by deactivating the member")]
    MemberWithoutRoles,
    #[msg("only the auditor who imposed it lifts it alone; another auditor lifts it with a second auditor's concurring signature")]
    LiftNeedsImposerOrSecondAuditor,
    #[msg("the concurring auditor must be a second auditor in office")]
    InvalidConcurringAuditor,
    #[msg("a change on this subject was vetoed; it cannot be proposed again until its cooling-off ends")]
    VetoCoolingOff,
    #[msg("a change on this subject is already pending")]
    ChangeAlreadyPending,
    #[msg("this change was vetoed and cannot be applied")]
    ChangeWasVetoed,
    #[msg("the agency is still on notice after its registration: its members cannot act until it ends")]
    AgencyOnNotice,
    #[msg(
        "this change is proposed by the ledger admin, not an agency head (or the other way round)"
    )]
    WrongProposer,
    #[msg("an auditor list that only removes auditors is not vetoed by the auditors")]
    ChangeNotVetoable,
}
