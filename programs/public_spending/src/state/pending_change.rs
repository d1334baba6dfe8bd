use anchor_lang::prelude::*;

use super::{ApprovalPolicy, LedgerLimits};
use crate::{
    constants::{roles_conflict, ALL_ROLES},
    error::LedgerError,
};

/// What a loosening sets once its notice has run out.
#[derive(AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ControlChange {
    /// The agency's approval policy.
    Policy { policy: ApprovalPolicy },
    /// A member's roles and standing (a new member, a role granted, a member reactivated).
    Member {
        key: Pubkey,
        roles: u8,
        active: bool,
    },
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
    /// The account the change is about: the agency itself for its policy, the member's key for a member.
    pub fn subject(&self, agency: &Pubkey) -> Pubkey {
        match self {
            Self::Policy { .. } => *agency,
            Self::Member { key, .. } => *key,
        }
    }

    /// The checks the direct instruction makes (`set_approval_policy`, `set_member`).
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
        }
    }
}

/// A loosening of an agency's controls, proposed by its head, public from the moment it is proposed, that takes
/// effect only when the head applies it after `effective_at`. An auditor may veto it until then.
#[account]
#[derive(InitSpace, Debug, Default, PartialEq, Eq)]
pub struct PendingChange {
    pub version: u8,
    pub bump: u8,
    pub agency: Pubkey,
    /// The agency for a policy change, the member's key for a member change (the account's seed).
    pub subject: Pubkey,
    pub change: ControlChange,
    pub proposed_by: Pubkey,
    pub proposed_at: i64,
    /// The longer of the agency's time lock and `MIN_CHANGE_NOTICE_SECONDS` after the proposal.
    pub effective_at: i64,
}

impl PendingChange {
    pub const SPACE: usize = 8 + Self::INIT_SPACE;
}
