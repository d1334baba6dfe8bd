//! The canonical record of an executed payment and the outlay hash-chain fold. The program folds every
//! executed payment with [`fold_outlay_hash`]; watchdogs replay the `PaymentExecuted` events through the same
//! function (re-exported by the SDK) to prove that no payment is missing or altered.

use anchor_lang::prelude::*;

/// What an executed payment commits to. Its Borsh encoding is the canonical byte layout that is hashed.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct PaymentRecord {
    /// Position in the agency's chain, starting at 0.
    pub sequence: u64,
    pub agency: Pubkey,
    pub award: Pubkey,
    pub payment_index: u32,
    pub recipient: Pubkey,
    /// Token account that received the funds.
    pub recipient_token_account: Pubkey,
    pub amount: u64,
    pub invoice_hash: [u8; 32],
    pub reference: Pubkey,
    pub executed_at: i64,
}

impl PaymentRecord {
    /// Length of [`Self::canonical_bytes`].
    pub const CANONICAL_LEN: usize = 8 + 32 + 32 + 4 + 32 + 32 + 8 + 32 + 32 + 8;

    /// The canonical bytes that enter the hash chain: the fields in declaration order, integers little-endian
    /// (identical to the record's Borsh encoding).
    pub fn canonical_bytes(&self) -> [u8; Self::CANONICAL_LEN] {
        let mut out = [0u8; Self::CANONICAL_LEN];
        let parts: [&[u8]; 10] = [
            &self.sequence.to_le_bytes(),
            self.agency.as_ref(),
            self.award.as_ref(),
            &self.payment_index.to_le_bytes(),
            self.recipient.as_ref(),
            self.recipient_token_account.as_ref(),
            &self.amount.to_le_bytes(),
            &self.invoice_hash,
            self.reference.as_ref(),
            &self.executed_at.to_le_bytes(),
        ];
        let mut at = 0usize;
        for part in parts {
            let end = at.saturating_add(part.len());
            out[at..end].copy_from_slice(part);
            at = end;
        }
        out
    }
}

/// `sha256(previous || canonical payment record)`: the next head of an agency's outlay hash chain.
pub fn fold_outlay_hash(previous: &[u8; 32], record: &PaymentRecord) -> [u8; 32] {
    solana_sha256_hasher::hashv(&[previous, &record.canonical_bytes()]).to_bytes()
}
