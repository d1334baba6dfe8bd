use anchor_lang::prelude::*;

use super::{LedgerLimits, OversightNote};
use crate::{
    constants::{
        FAST_PATH_BUCKETS, FAST_PATH_BUCKET_SECONDS, MAX_AGENCY_CODE_LEN, MAX_AGENCY_NAME_LEN,
        MAX_APPROVERS, MAX_TIME_LOCK_SECONDS, MIN_AGENCY_CODE_LEN,
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

    /// Whether `next` weakens any control of this policy: a higher threshold or daily cap, fewer approvals, a
    /// shorter time lock. Such a change to an agency in service waits out a notice.
    pub fn loosened_by(&self, next: &ApprovalPolicy) -> bool {
        next.threshold > self.threshold
            || next.fast_path_daily_cap > self.fast_path_daily_cap
            || next.approvals_required < self.approvals_required
            || next.time_lock_seconds < self.time_lock_seconds
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
    /// The hour (unix seconds / 3600) of the latest fast-path payment: `fast_path_spent[h % 25]` holds hour
    /// `h`'s spending for the 25 hours ending with it.
    pub fast_path_hour: i64,
    /// Paid through the fast path per hour (base units), a ring of the last 25 hours.
    pub fast_path_spent: [u64; FAST_PATH_BUCKETS],
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
    /// The auditor who imposed the latest freeze: it alone may lift it (another auditor needs a second one).
    pub frozen_by: Pubkey,
    /// When the agency's members may first act: its registration plus the ledger's minimum notice, during which
    /// its head, staff and policy are public and any auditor may freeze it.
    pub active_from: i64,
}

impl Agency {
    pub const SPACE: usize = 8 + Self::INIT_SPACE;

    /// An agency is in service from its first appropriation: before it, nothing can be spent, and its head
    /// staffs it and sets its policy at once; after it, every loosening of a control waits out a notice.
    pub fn in_service(&self) -> bool {
        self.appropriation_count > 0
    }

    /// When a loosening proposed `now` may apply: the longer of the agency's time lock and the ledger-wide
    /// minimum notice.
    pub fn change_effective_at(&self, now: i64, limits: &LedgerLimits) -> Result<i64> {
        let notice = self
            .policy
            .time_lock_seconds
            .max(limits.min_change_notice_seconds);
        let notice = i64::from(notice);
        now.checked_add(notice)
            .ok_or_else(|| LedgerError::Overflow.into())
    }

    pub fn require_not_frozen(&self) -> Result<()> {
        require!(!self.frozen, LedgerError::AgencyFrozen);
        Ok(())
    }

    /// What every member's action needs: the agency not frozen and its registration's notice over. (Its head
    /// staffs it and sets its policy during the notice, in public; only its members wait.)
    pub fn require_open(&self) -> Result<()> {
        self.require_not_frozen()?;
        require!(
            Clock::get()?.unix_timestamp >= self.active_from,
            LedgerError::AgencyOnNotice
        );
        Ok(())
    }

    /// Charges `amount` to the hour of `now`, refusing it when the hour and the 24 before it would together
    /// pay more than `daily_cap` (the agency's cap bound by the ledger's ceiling: [`LedgerLimits::bound`]).
    /// Buckets of hours that have left the window are cleared first.
    pub fn charge_fast_path(&mut self, amount: u64, now: i64, daily_cap: u64) -> Result<()> {
        let buckets = FAST_PATH_BUCKETS as i64;
        let hour = now
            .checked_div_euclid(FAST_PATH_BUCKET_SECONDS)
            .ok_or(LedgerError::Overflow)?;
        let slot = |h: i64| -> Result<usize> {
            Ok(h.checked_rem_euclid(buckets).ok_or(LedgerError::Overflow)? as usize)
        };
        if hour > self.fast_path_hour {
            let stale = hour
                .checked_sub(self.fast_path_hour)
                .ok_or(LedgerError::Overflow)?
                .min(buckets);
            for back in 0..stale {
                let h = hour.checked_sub(back).ok_or(LedgerError::Overflow)?;
                self.fast_path_spent[slot(h)?] = 0;
            }
            self.fast_path_hour = hour;
        }
        let spent = self
            .fast_path_spent
            .iter()
            .try_fold(amount, |sum, hour| sum.checked_add(*hour))
            .ok_or(LedgerError::FastPathCapExceeded)?;
        require!(spent <= daily_cap, LedgerError::FastPathCapExceeded);
        // The clock never runs backwards; were it to, the payment still counts in the latest hour.
        let current = slot(self.fast_path_hour)?;
        self.fast_path_spent[current] = self.fast_path_spent[current]
            .checked_add(amount)
            .ok_or(LedgerError::Overflow)?;
        Ok(())
    }

    /// Paid through the fast path in the 25 hours ending with the latest fast-path payment's hour.
    pub fn fast_path_spent_in_window(&self) -> u64 {
        self.fast_path_spent
            .iter()
            .fold(0u64, |sum, hour| sum.saturating_add(*hour))
    }

    pub fn invariant(&self) -> Result<()> {
        require!(
            self.outlayed <= self.obligated
                && self.obligated <= self.allotted
                && self.allotted <= self.budget_authority,
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
