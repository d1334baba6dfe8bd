//! One event per state change, emitted with `emit_cpi!` so that indexers read them from inner instructions.
//! Events carry the keys, the amounts and the new running totals.

use anchor_lang::prelude::*;

use crate::state::{
    ApprovalPolicy, AwardType, ControlChange, DispositionMethod, ExclusionStatus, FlagReason,
    FlagStatus, FlagTarget, LedgerLimits, OversightReason, PaymentRecord, PropertyDetails,
    RecipientKind,
};

/// The ledger was created with its admin and payment mint.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerInitialized {
    pub ledger: Pubkey,
    pub admin: Pubkey,
    pub payment_mint: Pubkey,
    pub mint_decimals: u8,
    pub token_program: Pubkey,
}

/// The admin named a successor, who must accept.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminProposed {
    pub admin: Pubkey,
    pub pending_admin: Pubkey,
}

/// The proposed admin took over.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminAccepted {
    pub previous_admin: Pubkey,
    pub admin: Pubkey,
}

/// The ledger's auditors were replaced.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditorsSet {
    pub auditors: Vec<Pubkey>,
}

/// The ledger-wide limits in force from now: set at once when they only tighten, applied after notice otherwise.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerLimitsSet {
    pub limits: LedgerLimits,
}

/// Governance paused or unpaused every state change.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PauseSet {
    pub paused: bool,
    pub by: Pubkey,
}

/// The admin registered an agency, its head and its treasury; it is on notice until `active_from`.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyRegistered {
    pub agency: Pubkey,
    pub code: String,
    pub name: String,
    pub head: Pubkey,
    pub treasury: Pubkey,
    pub agency_count: u32,
    /// When its members may first act: until then its head, staff and policy are public, and any auditor may
    /// freeze it.
    pub active_from: i64,
}

/// The agency head added, changed or deactivated a member's roles.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberSet {
    pub agency: Pubkey,
    pub member: Pubkey,
    pub key: Pubkey,
    pub roles: u8,
    pub active: bool,
}

/// The agency head set the agency's approval policy.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalPolicySet {
    pub agency: Pubkey,
    pub policy: ApprovalPolicy,
}

/// The agency head proposed a loosening of the agency's controls, or the ledger admin a change of the ledger's
/// auditors or limits (`agency` is then the ledger's address); it applies after `effective_at` unless an auditor
/// vetoes it.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeProposed {
    pub agency: Pubkey,
    pub pending: Pubkey,
    pub change: ControlChange,
    pub proposed_by: Pubkey,
    pub effective_at: i64,
}

/// A proposed change took effect after its notice (`MemberSet`, `ApprovalPolicySet`, `AuditorsSet` or
/// `LedgerLimitsSet` follows it).
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeApplied {
    pub agency: Pubkey,
    pub pending: Pubkey,
    pub change: ControlChange,
    pub proposed_at: i64,
}

/// The proposer's office withdrew a proposed change before it took effect (or a vetoed one after its
/// cooling-off).
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeWithdrawn {
    pub agency: Pubkey,
    pub pending: Pubkey,
    pub change: ControlChange,
}

/// An auditor vetoed a proposed change before it took effect; it stays on chain, marked, through its
/// cooling-off.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeVetoed {
    pub agency: Pubkey,
    pub pending: Pubkey,
    pub change: ControlChange,
    pub reason: OversightReason,
    pub evidence_hash: [u8; 32],
    pub auditor: Pubkey,
    /// Until when no change on the same subject may be proposed.
    pub cooling_off_until: i64,
}

/// Budget authority was granted to an agency (with the new agency total).
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppropriationCreated {
    pub agency: Pubkey,
    pub appropriation: Pubkey,
    pub main_account: [u8; 4],
    pub sub_account: [u8; 3],
    pub fiscal_year: u16,
    pub budget_authority: u64,
    pub availability_end: i64,
    pub agency_budget_authority: u64,
}

/// Part of an appropriation was set aside for a program activity (with the new totals).
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allotted {
    pub agency: Pubkey,
    pub appropriation: Pubkey,
    pub allotment: Pubkey,
    pub index: u32,
    pub program_activity: [u8; 4],
    pub amount: u64,
    pub appropriation_allotted: u64,
    pub agency_allotted: u64,
}

/// An appropriation's availability ended, with its final totals.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppropriationExpired {
    pub agency: Pubkey,
    pub appropriation: Pubkey,
    pub by: Pubkey,
    pub budget_authority: u64,
    pub allotted: u64,
    pub obligated: u64,
    pub outlayed: u64,
}

/// A payee was added to an agency's vendor file.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientRegistered {
    pub recipient: Pubkey,
    pub uei: [u8; 12],
    pub kind: RecipientKind,
    pub name: String,
    pub name_hash: [u8; 32],
    pub payout_wallet: Pubkey,
    /// The agency whose vendor file holds the record.
    pub agency: Pubkey,
}

/// An OBLIGATE member proposed a new payout wallet; a second member may confirm it at `confirmable_at`.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutWalletProposed {
    pub agency: Pubkey,
    pub recipient: Pubkey,
    pub uei: [u8; 12],
    /// The wallet payments go to until the change is confirmed.
    pub payout_wallet: Pubkey,
    pub proposed_wallet: Pubkey,
    pub proposed_by: Pubkey,
    pub confirmable_at: i64,
}

/// A second member confirmed a payout wallet change: payments requested from now on go to `payout_wallet`.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutWalletConfirmed {
    pub agency: Pubkey,
    pub recipient: Pubkey,
    pub uei: [u8; 12],
    pub previous_wallet: Pubkey,
    pub payout_wallet: Pubkey,
    pub proposed_by: Pubkey,
    pub confirmed_by: Pubkey,
}

/// An allotment was obligated to a recipient as a new award (with the new totals).
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwardObligated {
    pub agency: Pubkey,
    pub award: Pubkey,
    pub award_id: String,
    pub award_type: AwardType,
    pub recipient: Pubkey,
    pub allotment: Pubkey,
    pub object_class: [u8; 3],
    /// The property the award is for; the default key when none.
    pub property: Pubkey,
    pub amount: u64,
    pub document_hash: [u8; 32],
    pub allotment_obligated: u64,
    pub appropriation_obligated: u64,
    pub agency_obligated: u64,
}

/// An award was increased or deobligated (with the new totals).
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwardModified {
    pub agency: Pubkey,
    pub award: Pubkey,
    pub modification: u32,
    /// Positive for more obligation, negative for deobligation.
    pub change: i128,
    pub document_hash: [u8; 32],
    pub award_obligated: u64,
    pub allotment_obligated: u64,
    pub appropriation_obligated: u64,
    pub agency_obligated: u64,
}

/// A settled award was closed.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwardClosed {
    pub agency: Pubkey,
    pub award: Pubkey,
    pub obligated: u64,
    pub outlayed: u64,
}

/// A payment was requested against an award at its next index.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRequested {
    pub agency: Pubkey,
    pub award: Pubkey,
    pub payment: Pubkey,
    pub index: u32,
    pub amount: u64,
    pub invoice_hash: [u8; 32],
    pub reference: Pubkey,
    pub requester: Pubkey,
    pub approvals_required: u8,
    pub award_in_flight: u64,
}

/// An approver approved a payment.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentApproved {
    pub agency: Pubkey,
    pub payment: Pubkey,
    pub approver: Pubkey,
    pub approvals: u8,
    pub approvals_required: u8,
    pub executable_at: i64,
}

/// An approver rejected a payment; its amount left the award's in-flight total.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRejected {
    pub agency: Pubkey,
    pub payment: Pubkey,
    pub by: Pubkey,
    pub amount: u64,
    pub award_in_flight: u64,
}

/// The requester or the head cancelled a payment; its amount left the award's in-flight total.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentCancelled {
    pub agency: Pubkey,
    pub payment: Pubkey,
    pub by: Pubkey,
    pub amount: u64,
    pub award_in_flight: u64,
}

/// Tokens moved from the treasury to the recipient; `record` was folded into the agency's outlay hash.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentExecuted {
    pub payment: Pubkey,
    /// Executed without approvals through `pay_small`.
    pub fast_path: bool,
    pub executor: Pubkey,
    /// Exactly what was folded into the agency's outlay hash.
    pub record: PaymentRecord,
    pub award_outlayed: u64,
    pub allotment_outlayed: u64,
    pub appropriation_outlayed: u64,
    pub agency_outlayed: u64,
    pub previous_outlay_hash: [u8; 32],
    pub outlay_hash: [u8; 32],
}

/// A final payment account was closed and its rent returned.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentArchived {
    pub agency: Pubkey,
    pub award: Pubkey,
    pub payment: Pubkey,
    pub index: u32,
    pub rent_payer: Pubkey,
    pub lamports_returned: u64,
}

/// An auditor froze or unfroze an agency, on the stated grounds.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyFreezeSet {
    pub agency: Pubkey,
    pub frozen: bool,
    pub reason: OversightReason,
    /// sha256 of the evidence kept off chain.
    pub evidence_hash: [u8; 32],
    pub auditor: Pubkey,
    /// On a lift by an auditor who did not impose it: the second auditor who signed with it.
    pub concurring: Option<Pubkey>,
}

/// An auditor held or released a payment, on the stated grounds.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentHoldSet {
    pub agency: Pubkey,
    pub payment: Pubkey,
    pub held: bool,
    pub reason: OversightReason,
    /// sha256 of the evidence kept off chain.
    pub evidence_hash: [u8; 32],
    pub auditor: Pubkey,
    /// On a lift by an auditor who did not impose it: the second auditor who signed with it.
    pub concurring: Option<Pubkey>,
}

/// An auditor held or released a whole award, on the stated grounds.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwardHoldSet {
    pub agency: Pubkey,
    pub award: Pubkey,
    pub held: bool,
    pub reason: OversightReason,
    /// sha256 of the evidence kept off chain.
    pub evidence_hash: [u8; 32],
    pub auditor: Pubkey,
    /// On a lift by an auditor who did not impose it: the second auditor who signed with it.
    pub concurring: Option<Pubkey>,
}

/// An auditor suspended, debarred or reinstated a UEI in every agency, on the stated grounds.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExclusionSet {
    pub exclusion: Pubkey,
    pub uei: [u8; 12],
    /// `Lifted` when reinstated.
    pub status: ExclusionStatus,
    pub reason: OversightReason,
    /// sha256 of the evidence kept off chain.
    pub evidence_hash: [u8; 32],
    pub auditor: Pubkey,
    /// On a lift by an auditor who did not impose it: the second auditor who signed with it.
    pub concurring: Option<Pubkey>,
}

/// A wallet raised a public concern about a payment, award, recipient or property.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagRaised {
    pub flag: Pubkey,
    /// The agency the target belongs to.
    pub agency: Pubkey,
    pub target: Pubkey,
    pub target_kind: FlagTarget,
    pub flagger: Pubkey,
    pub reason: FlagReason,
    /// sha256 of the flagger's evidence kept off chain.
    pub evidence_hash: [u8; 32],
}

/// The target's agency answered a flag.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagResponded {
    pub flag: Pubkey,
    pub agency: Pubkey,
    pub responder: Pubkey,
    /// sha256 of the response kept off chain.
    pub response_hash: [u8; 32],
}

/// An auditor resolved or dismissed a flag.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagResolved {
    pub flag: Pubkey,
    pub agency: Pubkey,
    /// `Resolved` or `Dismissed`.
    pub outcome: FlagStatus,
    /// sha256 of the auditor's note kept off chain.
    pub note_hash: [u8; 32],
    pub auditor: Pubkey,
}

/// A final flag was closed and its rent returned to the flagger.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagClosed {
    pub flag: Pubkey,
    pub agency: Pubkey,
    pub flagger: Pubkey,
    pub outcome: FlagStatus,
    pub lamports_returned: u64,
}

/// A PROPERTY member added a building, parcel or structure to the agency's inventory.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyRegistered {
    pub agency: Pubkey,
    pub property: Pubkey,
    /// Real property unique id.
    pub rpuid: String,
    pub details: PropertyDetails,
    pub by: Pubkey,
}

/// A PROPERTY member changed a property's details; `details` is the whole new state.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyUpdated {
    pub agency: Pubkey,
    pub property: Pubkey,
    pub details: PropertyDetails,
    pub by: Pubkey,
}

/// A PROPERTY member disposed of a property; it can never change again.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyDisposed {
    pub agency: Pubkey,
    pub property: Pubkey,
    pub disposition_date: i64,
    pub method: DispositionMethod,
    pub by: Pubkey,
}
