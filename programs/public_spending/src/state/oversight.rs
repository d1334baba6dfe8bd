use anchor_lang::prelude::*;

use crate::error::LedgerError;

/// Why an auditor froze, held, excluded or released something.
#[derive(
    AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
pub enum OversightReason {
    SuspectedFraud,
    Duplicate,
    MissingDocumentation,
    CourtOrder,
    AuditFinding,
    #[default]
    Other,
}

/// The grounds of the latest oversight action on an account: kept on the account where the state lives, and
/// carried in the action's event.
#[derive(
    AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
pub struct OversightNote {
    pub reason: OversightReason,
    /// sha256 of the evidence kept off chain (the audit memo, the court order, ...).
    pub evidence_hash: [u8; 32],
    /// When the action was taken (unix seconds).
    pub at: i64,
}

/// What every oversight instruction (and its reversal) carries.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct OversightArgs {
    pub reason: OversightReason,
    /// sha256 of the evidence kept off chain; never all zeros.
    pub evidence_hash: [u8; 32],
}

impl OversightArgs {
    pub fn validate(&self) -> Result<()> {
        require_nonzero_hash(&self.evidence_hash)
    }

    pub fn note(&self, at: i64) -> OversightNote {
        OversightNote {
            reason: self.reason,
            evidence_hash: self.evidence_hash,
            at,
        }
    }
}

/// Evidence, response and resolution hashes name a document: all zeros names none.
pub fn require_nonzero_hash(hash: &[u8; 32]) -> Result<()> {
    require!(*hash != [0; 32], LedgerError::InvalidEvidenceHash);
    Ok(())
}

/// A hold is imposed only where there is none, and released only where there is one.
pub fn require_hold_change(held_now: bool, held: bool) -> Result<()> {
    if held {
        require!(!held_now, LedgerError::AlreadyHeld);
    } else {
        require!(held_now, LedgerError::NotHeld);
    }
    Ok(())
}
