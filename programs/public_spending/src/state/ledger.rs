use anchor_lang::prelude::*;

use super::ApprovalPolicy;
use crate::{
    constants::{
        CHANGE_NOTICE_CEILING_SECONDS, CHANGE_NOTICE_FLOOR_SECONDS, MAX_AUDITORS,
        MIN_CHANGE_NOTICE_SECONDS,
    },
    error::LedgerError,
};

/// Limits the admin sets for every agency: ceilings on the fast path (the apportionment it may never exceed) and
/// the least notice any loosening takes. Lowering a ceiling or lengthening the notice applies at once, and binds
/// agencies whose own policy is looser from their next payment; the opposite waits out the current notice.
#[derive(
    AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
pub struct LedgerLimits {
    /// No agency's fast-path threshold may exceed this (base units): a payment at or above it needs approvals
    /// whatever the agency's policy says.
    pub max_fast_path_threshold: u64,
    /// No agency's fast-path daily cap may exceed this (base units).
    pub max_fast_path_daily_cap: u64,
    /// The least notice a loosening of any agency's controls, or of these limits, takes.
    pub min_change_notice_seconds: u32,
}

impl LedgerLimits {
    /// A new ledger's limits: no fast-path ceiling until the admin sets one (setting it tightens, so it applies
    /// at once) and a day's notice.
    pub const INITIAL: Self = Self {
        max_fast_path_threshold: u64::MAX,
        max_fast_path_daily_cap: u64::MAX,
        min_change_notice_seconds: MIN_CHANGE_NOTICE_SECONDS as u32,
    };

    pub fn validate(&self) -> Result<()> {
        require!(
            (CHANGE_NOTICE_FLOOR_SECONDS..=CHANGE_NOTICE_CEILING_SECONDS)
                .contains(&self.min_change_notice_seconds),
            LedgerError::InvalidChangeNotice
        );
        Ok(())
    }

    /// Whether `next` weakens any limit: a higher ceiling or a shorter notice.
    pub fn loosened_by(&self, next: &LedgerLimits) -> bool {
        next.max_fast_path_threshold > self.max_fast_path_threshold
            || next.max_fast_path_daily_cap > self.max_fast_path_daily_cap
            || next.min_change_notice_seconds < self.min_change_notice_seconds
    }

    /// Refuses a policy above either ceiling (`set_approval_policy`, `propose_change`, `apply_policy_change`).
    pub fn require_admits(&self, policy: &ApprovalPolicy) -> Result<()> {
        require!(
            policy.threshold <= self.max_fast_path_threshold
                && policy.fast_path_daily_cap <= self.max_fast_path_daily_cap,
            LedgerError::AboveLedgerCeiling
        );
        Ok(())
    }

    /// The policy a payment is held to: the agency's, with its threshold and daily cap cut to the ceilings
    /// (which may have been lowered after the agency set its policy).
    pub fn bound(&self, policy: &ApprovalPolicy) -> ApprovalPolicy {
        ApprovalPolicy {
            threshold: policy.threshold.min(self.max_fast_path_threshold),
            fast_path_daily_cap: policy.fast_path_daily_cap.min(self.max_fast_path_daily_cap),
            ..*policy
        }
    }
}

/// The one ledger: who governs it, which token pays, who audits, and whether it is paused.
#[account]
#[derive(InitSpace, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    pub version: u8,
    pub bump: u8,
    /// Ledger governance: registers agencies and sets their budget authority.
    pub admin: Pubkey,
    /// Proposed next admin; the handover completes when it signs `accept_admin`.
    pub pending_admin: Option<Pubkey>,
    /// The stablecoin every agency pays in.
    pub payment_mint: Pubkey,
    pub mint_decimals: u8,
    /// The token program that owns `payment_mint` (SPL Token or Token-2022).
    pub token_program: Pubkey,
    pub paused: bool,
    pub agency_count: u32,
    /// Inspectors general and auditors: may freeze agencies, hold payments and debar recipients.
    #[max_len(MAX_AUDITORS)]
    pub auditors: Vec<Pubkey>,
    pub limits: LedgerLimits,
}

impl Ledger {
    pub const SPACE: usize = 8 + Self::INIT_SPACE;

    pub fn is_auditor(&self, key: &Pubkey) -> bool {
        self.auditors.contains(key)
    }

    pub fn invariant(&self) -> Result<()> {
        require!(
            self.auditors.len() <= MAX_AUDITORS,
            LedgerError::TooManyAuditors
        );
        require!(
            self.admin != Pubkey::default(),
            LedgerError::InvariantViolated
        );
        self.limits.validate()
    }
}
