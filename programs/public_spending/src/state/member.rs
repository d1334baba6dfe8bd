use anchor_lang::prelude::*;

use crate::{
    constants::{roles_conflict, ALL_ROLES},
    error::LedgerError,
};

/// A person (key) acting for an agency, with role bits BUDGET, OBLIGATE, REQUEST, APPROVE, EXECUTE.
#[account]
#[derive(InitSpace, Debug, Default, PartialEq, Eq)]
pub struct Member {
    pub version: u8,
    pub bump: u8,
    pub agency: Pubkey,
    pub key: Pubkey,
    pub roles: u8,
    pub active: bool,
}

impl Member {
    pub const SPACE: usize = 8 + Self::INIT_SPACE;

    /// Fails unless this member is active and holds every bit of `role`. A member recorded with conflicting
    /// roles (before separation of duties was enforced) acts in none of them until its roles are set again.
    pub fn require_role(&self, role: u8) -> Result<()> {
        require!(self.active, LedgerError::NotActiveMember);
        require!(self.roles & role == role, LedgerError::MissingRole);
        require!(!roles_conflict(self.roles), LedgerError::ConflictingRoles);
        Ok(())
    }

    /// Whether setting `roles` and `active` grants anything this member does not hold now: a new member, a
    /// reactivation, or a role added. Such a change to an agency in service waits out a notice.
    pub fn granted_by(&self, roles: u8, active: bool) -> bool {
        active && (!self.active || roles & !self.roles != 0)
    }

    pub fn invariant(&self) -> Result<()> {
        require!(self.roles & !ALL_ROLES == 0, LedgerError::InvalidRoles);
        require!(!roles_conflict(self.roles), LedgerError::ConflictingRoles);
        Ok(())
    }
}
