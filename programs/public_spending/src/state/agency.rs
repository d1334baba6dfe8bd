use anchor_lang::prelude::*;

use super::OversightNote;
use crate::{
    constants::{
        FAST_PATH_WINDOW_SECONDS, MAX_AGENCY_CODE_LEN, MAX_AGENCY_NAME_LEN, MAX_APPROVERS,
        MAX_TIME_LOCK_SECONDS, MIN_AGENCY_CODE_LEN,
    },
    error::LedgerError,
};

/// How an agency's payments are approved.
#[derive(
    AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
pub struct ApprovalPolicy {
    /// Payments at or above this amount (base units) need `approvals_required` approvals; below it they may use
    /// the fast path.
    pub threshold: u64,
    /// Distinct approvers (never the requester) a payment at or above the threshold needs.
    pub approvals_required: u8,
    /// Seconds between the final approval and the earliest execution.
    pub time_lock_seconds: u32,
    /// Most the fast path may pay in one 24-hour window (base units); zero disables the fast path.
    pub fast_path_daily_cap: u64,
}

impl ApprovalPolicy {
    pub fn validate(&self) -> Result<()> {
        require!(
            (1..=MAX_APPROVERS as u8).contains(&self.approvals_required),
            LedgerError::InvalidApprovalsRequired
        );
        require!(
            self.time_lock_seconds <= MAX_TIME_LOCK_SECONDS,
            LedgerError::TimeLockTooLong
        );
        require!(
            self.fast_path_daily_cap == 0 || self.threshold > 0,
            LedgerError::FastPathWithoutThreshold
        );
        Ok(())
    }

    /// Approvals a payment of `amount` needs under this policy.
    pub fn approvals_for(&self, amount: u64) -> u8 {
        if amount >= self.threshold {
            self.approvals_required
        } else {
            0
        }
    }
}

/// A spending agency: its treasury, approval policy, running totals and the head of its outlay hash chain.
#[account]
#[derive(InitSpace, Debug, Default, PartialEq, Eq)]
pub struct Agency {
    pub version: u8,
    pub bump: u8,
    pub treasury_bump: u8,
    /// Signs member, policy and recipient-salt decisions.
    pub head: Pubkey,
    /// Token account PDA `["treasury", agency]`, owned by this agency PDA, in the ledger's payment mint.
    pub treasury: Pubkey,
    pub policy: ApprovalPolicy,
    /// Start of the current fast-path window (unix seconds).
    pub fast_path_window_start: i64,
    /// Paid through the fast path in the current window (base units).
    pub fast_path_window_spent: u64,
    pub frozen: bool,
    /// Grounds of the latest freeze or unfreeze.
    pub freeze_note: OversightNote,
    pub appropriation_count: u32,
    pub award_count: u64,
    /// Executed payments, and so the number of records folded into `outlay_hash`.
    pub outlay_count: u64,
    /// Σ appropriation budget authority.
    pub budget_authority: u64,
    /// Σ appropriation allotted.
    pub allotted: u64,
    /// Σ appropriation obligated.
    pub obligated: u64,
    /// Σ appropriation outlayed.
    pub outlayed: u64,
    /// sha256(previous || payment record) over every executed payment, in execution order.
    pub outlay_hash: [u8; 32],
    /// CGAC-style code, e.g. `075`.
    #[max_len(MAX_AGENCY_CODE_LEN)]
    pub code: String,
    #[max_len(MAX_AGENCY_NAME_LEN)]
    pub name: String,
}

impl Agency {
    pub const SPACE: usize = 8 + Self::INIT_SPACE;

    pub fn require_not_frozen(&self) -> Result<()> {
        require!(!self.frozen, LedgerError::AgencyFrozen);
        Ok(())
    }

    /// Charges `amount` to the fast-path window that holds `now`, opening a new window when the last one ended.
    pub fn charge_fast_path(&mut self, amount: u64, now: i64) -> Result<()> {
        let window_end = self
            .fast_path_window_start
            .checked_add(FAST_PATH_WINDOW_SECONDS)
            .ok_or(LedgerError::Overflow)?;
        if now >= window_end {
            self.fast_path_window_start = now;
            self.fast_path_window_spent = 0;
        }
        let spent = self
            .fast_path_window_spent
            .checked_add(amount)
            .ok_or(LedgerError::FastPathCapExceeded)?;
        require!(
            spent <= self.policy.fast_path_daily_cap,
            LedgerError::FastPathCapExceeded
        );
        self.fast_path_window_spent = spent;
        Ok(())
    }

    pub fn invariant(&self) -> Result<()> {
        require!(
            self.outlayed <= self.obligated
                && self.obligated <= self.allotted
                && self.allotted <= self.budget_authority,
            LedgerError::InvariantViolated
        );
        require!(
            self.policy.fast_path_daily_cap == 0
                || self.fast_path_window_spent <= self.policy.fast_path_daily_cap,
            LedgerError::InvariantViolated
        );
        self.policy.validate()
    }
}

/// Validates a CGAC/FREC-style agency code: 1 to 4 upper-case ASCII letters or digits.
pub fn validate_agency_code(code: &str) -> Result<()> {
    require!(
        (MIN_AGENCY_CODE_LEN..=MAX_AGENCY_CODE_LEN).contains(&code.len())
            && code.bytes().all(|b| b.is_ascii_digit()),
        LedgerError::InvalidAgencyCode
    );
    Ok(())
}

/// True when `s` is 1 to `max` printable ASCII characters with no leading or trailing space.
pub fn is_printable_ascii(s: &str, max: usize) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.bytes().all(|b| (0x20..0x7f).contains(&b))
        && !s.starts_with(' ')
        && !s.ends_with(' ')
}
