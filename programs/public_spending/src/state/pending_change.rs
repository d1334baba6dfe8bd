use anchor_lang::prelude::*;

use super::{ApprovalPolicy, LedgerLimits};
use crate::{
    constants::{roles_conflict, ALL_ROLES, AUDITORS_SUBJECT, LIMITS_SUBJECT, MAX_AUDITORS},
    error::LedgerError,
};

/// What a change on notice sets once its notice has run out: one primitive for every control that must not
/// loosen at once, an agency's or the ledger's.
#[derive(AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Debug, PartialEq, Eq)]
pub enum ControlChange {
    /// The agency's approval policy (proposed by its head).
    Policy { policy: ApprovalPolicy },
    /// A member's roles and standing (a new member, a role granted, a member reactivated; by the agency head).
    Member {
        key: Pubkey,
        roles: u8,
        active: bool,
    },
    /// The ledger's complete new list of auditors (proposed by the ledger admin).
    Auditors {
        #[max_len(MAX_AUDITORS)]
        auditors: Vec<Pubkey>,
    },
    /// The ledger-wide limits (proposed by the ledger admin).
    Limits { limits: LedgerLimits },
}

/// A policy change of the default policy: what an empty account reads as (clients derive field offsets from it).
impl Default for ControlChange {
    fn default() -> Self {
        Self::Policy {
            policy: ApprovalPolicy::default(),
        }
    }
}

impl ControlChange {
    /// A change of the ledger's own controls (its admin proposes it), not of one agency's (its head does).
    pub fn is_ledger_wide(&self) -> bool {
        matches!(self, Self::Auditors { .. } | Self::Limits { .. })
    }

    /// The first part of the change's address: the agency whose controls change, or the ledger's address (for
    /// a change proposed without an agency).
    pub fn scope(&self, ledger: Pubkey, agency: Option<Pubkey>) -> Pubkey {
        agency.unwrap_or(ledger)
    }

    /// The second part of the change's address: the agency itself for its policy, the member's key for a
    /// member, a fixed subject for the ledger's auditors and limits. One change per subject at a time.
    pub fn subject(&self, scope: &Pubkey) -> Pubkey {
        match self {
            Self::Policy { .. } => *scope,
            Self::Member { key, .. } => *key,
            Self::Auditors { .. } => Pubkey::new_from_array(AUDITORS_SUBJECT),
            Self::Limits { .. } => Pubkey::new_from_array(LIMITS_SUBJECT),
        }
    }

    /// The checks an agency change gets from the direct instruction (`set_approval_policy`, `set_member`).
    pub fn validate(&self, head: &Pubkey, limits: &LedgerLimits) -> Result<()> {
        match self {
            Self::Policy { policy } => {
                policy.validate()?;
                limits.require_admits(policy)
            }
            Self::Member { key, roles, .. } => {
                require!(roles & !ALL_ROLES == 0, LedgerError::InvalidRoles);
                require!(!roles_conflict(*roles), LedgerError::ConflictingRoles);
                require!(key != head, LedgerError::HeadCannotBeMember);
                Ok(())
            }
            Self::Auditors { auditors } => validate_auditors(auditors),
            Self::Limits { limits } => limits.validate(),
        }
    }

    /// Whether an auditor may veto it: every change but an auditor list that only removes auditors (those in
    /// office could otherwise keep themselves there).
    pub fn vetoable(&self, auditors_in_office: &[Pubkey]) -> bool {
        match self {
            Self::Auditors { auditors } => auditors.iter().any(|a| !auditors_in_office.contains(a)),
            _ => true,
        }
    }
}

/// An auditor list: at most `MAX_AUDITORS`, no duplicates, no default key.
pub fn validate_auditors(auditors: &[Pubkey]) -> Result<()> {
    require!(auditors.len() <= MAX_AUDITORS, LedgerError::TooManyAuditors);
    for (i, auditor) in auditors.iter().enumerate() {
        require!(
            *auditor != Pubkey::default() && !auditors[..i].contains(auditor),
            LedgerError::InvalidAuditor
        );
    }
    Ok(())
}

/// A change of a control, proposed by the agency's head or the ledger's admin, public from the moment it is
/// proposed, that takes effect only when applied after `effective_at`. Until then any auditor may veto it; a
/// vetoed change stays, marked, through its cooling-off (no change on its subject may be proposed meanwhile),
/// and its proposer then withdraws it for the rent.
#[account]
#[derive(InitSpace, Debug, Default, PartialEq, Eq)]
pub struct PendingChange {
    pub version: u8,
    pub bump: u8,
    /// The agency whose controls change; the ledger's own address for its auditors and limits.
    pub agency: Pubkey,
    /// The agency for a policy change, the member's key for a member change, [`AUDITORS_SUBJECT`] or
    /// [`LIMITS_SUBJECT`] for the ledger's (the account's seed).
    pub subject: Pubkey,
    pub change: ControlChange,
    pub proposed_by: Pubkey,
    pub proposed_at: i64,
    /// When the notice ends: for an agency, the longer of its time lock and the ledger's minimum notice; for the
    /// auditors, the longer of a week and that notice; for the limits, the notice in force when proposed.
    pub effective_at: i64,
    /// When an auditor vetoed it (0: not vetoed).
    pub vetoed_at: i64,
    pub vetoed_by: Pubkey,
}

impl PendingChange {
    pub const SPACE: usize = 8 + Self::INIT_SPACE;

    pub fn vetoed(&self) -> bool {
        self.vetoed_at != 0
    }

    /// When a change on this subject may be proposed again after the veto.
    pub fn cooling_off_until(&self) -> Result<i64> {
        self.vetoed_at
            .checked_add(crate::constants::VETO_COOLING_OFF_SECONDS)
            .ok_or_else(|| error!(LedgerError::Overflow))
    }
}
