use anchor_lang::prelude::*;

/// What a public flag points at.
#[derive(
    AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
pub enum FlagTarget {
    #[default]
    Payment,
    Award,
    Recipient,
    Property,
}

/// The concern a member of the public raises.
#[derive(
    AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
pub enum FlagReason {
    DuplicateInvoice,
    UnknownVendor,
    Price,
    SplitPayment,
    WorkNotDone,
    #[default]
    Other,
}

#[derive(
    AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
pub enum FlagStatus {
    #[default]
    Open,
    /// The agency has answered; an auditor has not yet ruled.
    Responded,
    /// An auditor found substance in it.
    Resolved,
    /// An auditor found none.
    Dismissed,
}

impl FlagStatus {
    /// Resolved and dismissed flags are final and may be closed.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Resolved | Self::Dismissed)
    }
}

/// A concern raised on the record by any wallet. It never blocks a payment by itself; the agency answers it and
/// an auditor rules on it. PDA `["flag", target, flagger, nonce]`; the flagger pays the rent (so spam costs
/// money) and always gets it back on close.
#[account]
#[derive(InitSpace, Debug, Default, PartialEq, Eq)]
pub struct Flag {
    pub version: u8,
    pub bump: u8,
    /// The flagged payment, award, recipient or property.
    pub target: Pubkey,
    pub target_kind: FlagTarget,
    /// The agency the target belongs to, read from the target when the flag was raised.
    pub agency: Pubkey,
    pub flagger: Pubkey,
    pub nonce: u32,
    pub reason: FlagReason,
    /// sha256 of the flagger's evidence kept off chain.
    pub evidence_hash: [u8; 32],
    pub raised_at: i64,
    pub status: FlagStatus,
    /// sha256 of the agency's response; zeros until it responds.
    pub response_hash: [u8; 32],
    pub responded_by: Pubkey,
    pub responded_at: i64,
    /// sha256 of the auditor's note; zeros until resolved or dismissed.
    pub resolution_hash: [u8; 32],
    pub resolved_by: Pubkey,
    pub resolved_at: i64,
}

impl Flag {
    pub const SPACE: usize = 8 + Self::INIT_SPACE;
}
