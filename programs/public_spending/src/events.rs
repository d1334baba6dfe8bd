//! One event per state change, emitted with `emit_cpi!` so that indexers read them from inner instructions.
//! Events carry the keys, the amounts and the new running totals.

use anchor_lang::prelude::*;

use crate::state::{ApprovalPolicy, AwardType, PaymentRecord, RecipientKind, RecipientStatus};

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerInitialized {
    pub ledger: Pubkey,
    pub admin: Pubkey,
    pub payment_mint: Pubkey,
    pub mint_decimals: u8,
    pub token_program: Pubkey,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminProposed {
    pub admin: Pubkey,
    pub pending_admin: Pubkey,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminAccepted {
    pub previous_admin: Pubkey,
    pub admin: Pubkey,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditorsSet {
    pub auditors: Vec<Pubkey>,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PauseSet {
    pub paused: bool,
    pub by: Pubkey,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyRegistered {
    pub agency: Pubkey,
    pub code: String,
    pub name: String,
    pub head: Pubkey,
    pub treasury: Pubkey,
    pub agency_count: u32,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberSet {
    pub agency: Pubkey,
    pub member: Pubkey,
    pub key: Pubkey,
    pub roles: u8,
    pub active: bool,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalPolicySet {
    pub agency: Pubkey,
    pub policy: ApprovalPolicy,
}

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

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientRegistered {
    pub recipient: Pubkey,
    pub uei: [u8; 12],
    pub kind: RecipientKind,
    pub name: String,
    pub name_hash: [u8; 32],
    pub payout_wallet: Pubkey,
    pub registered_by: Pubkey,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientStatusSet {
    pub recipient: Pubkey,
    pub status: RecipientStatus,
    pub auditor: Pubkey,
}

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
    pub amount: u64,
    pub document_hash: [u8; 32],
    pub allotment_obligated: u64,
    pub appropriation_obligated: u64,
    pub agency_obligated: u64,
}

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

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwardClosed {
    pub agency: Pubkey,
    pub award: Pubkey,
    pub obligated: u64,
    pub outlayed: u64,
}

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

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRejected {
    pub agency: Pubkey,
    pub payment: Pubkey,
    pub by: Pubkey,
    pub amount: u64,
    pub award_in_flight: u64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentCancelled {
    pub agency: Pubkey,
    pub payment: Pubkey,
    pub by: Pubkey,
    pub amount: u64,
    pub award_in_flight: u64,
}

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

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyFreezeSet {
    pub agency: Pubkey,
    pub frozen: bool,
    pub auditor: Pubkey,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentHoldSet {
    pub agency: Pubkey,
    pub payment: Pubkey,
    pub held: bool,
    pub auditor: Pubkey,
}
