//! Public flags (`instructions/flags`).

use super::*;

/// `raise_flag`: any wallet signs and pays the flag's rent. A flagged payment names its award too.
#[derive(Clone, Copy)]
pub struct RaiseFlag {
    pub target: Pubkey,
    pub payment_award: Option<Pubkey>,
    pub target_kind: FlagTarget,
    pub flagger: Pubkey,
    pub nonce: u32,
    pub reason: FlagReason,
    pub evidence_hash: [u8; 32],
    /// A payment's index on `payment_award` (the target is then the payment's address); none otherwise.
    pub payment_index: Option<u32>,
}

impl RaiseFlag {
    /// Flags payment `index` of `award`, whichever path it went and whether or not its account is still there.
    pub fn payment(award: Pubkey, index: u32, flagger: Pubkey, nonce: u32) -> Self {
        Self {
            target: pda::payment(&award, index).0,
            payment_award: Some(award),
            target_kind: FlagTarget::Payment,
            flagger,
            nonce,
            reason: FlagReason::Other,
            evidence_hash: [0; 32],
            payment_index: Some(index),
        }
    }

    pub fn flag(&self) -> Pubkey {
        pda::flag(&self.target, &self.flagger, self.nonce).0
    }

    /// The instruction as a whole unsigned transaction for a wallet to sign: the flagger pays its fee and the
    /// flag's rent, `blockhash` dates it, and its one signature slot is left empty (wire format, as a Wallet
    /// Standard `solana:signTransaction` takes it).
    pub fn unsigned_transaction(&self, blockhash: solana_sdk::hash::Hash) -> Vec<u8> {
        let message = solana_sdk::message::Message::new_with_blockhash(
            &[self.instruction()],
            Some(&self.flagger),
            &blockhash,
        );
        let transaction = solana_sdk::transaction::Transaction::new_unsigned(message);
        // A transaction of fixed-size parts always serializes.
        bincode::serialize(&transaction).unwrap_or_default()
    }

    pub fn instruction(&self) -> Instruction {
        build(
            acc::RaiseFlag {
                ledger: ledger(),
                target: self.target,
                payment_award: self.payment_award,
                flag: self.flag(),
                flagger: self.flagger,
                system_program: system_program::ID,
                event_authority: pda::event_authority(),
                program: ID,
            },
            data::RaiseFlag {
                args: RaiseFlagArgs {
                    target_kind: self.target_kind,
                    nonce: self.nonce,
                    reason: self.reason,
                    evidence_hash: self.evidence_hash,
                    payment_index: self.payment_index,
                },
            },
        )
    }
}

/// `respond_to_flag`: the agency head (`as_member = false`) or an active member of the flag's agency signs.
pub struct RespondToFlag {
    pub flag: Pubkey,
    pub agency: Pubkey,
    pub responder: Pubkey,
    pub as_member: bool,
    pub response_hash: [u8; 32],
}

impl RespondToFlag {
    pub fn instruction(&self) -> Instruction {
        build(
            acc::RespondToFlag {
                ledger: ledger(),
                agency: self.agency,
                member: self
                    .as_member
                    .then(|| pda::member(&self.agency, &self.responder).0),
                flag: self.flag,
                responder: self.responder,
                event_authority: pda::event_authority(),
                program: ID,
            },
            data::RespondToFlag {
                args: RespondToFlagArgs {
                    response_hash: self.response_hash,
                },
            },
        )
    }
}

/// `resolve_flag`: an auditor signs; `outcome` is `Resolved` or `Dismissed`.
pub struct ResolveFlag {
    pub flag: Pubkey,
    pub auditor: Pubkey,
    pub outcome: FlagStatus,
    pub note_hash: [u8; 32],
}

impl ResolveFlag {
    pub fn instruction(&self) -> Instruction {
        build(
            acc::ResolveFlag {
                auditing: auditing(self.auditor),
                flag: self.flag,
                event_authority: pda::event_authority(),
                program: ID,
            },
            data::ResolveFlag {
                args: ResolveFlagArgs {
                    outcome: self.outcome,
                    note_hash: self.note_hash,
                },
            },
        )
    }
}

/// `close_flag`: permissionless; the rent goes back to `flagger`.
pub struct CloseFlag {
    pub flag: Pubkey,
    pub flagger: Pubkey,
}

impl CloseFlag {
    pub fn instruction(&self) -> Instruction {
        build(
            acc::CloseFlag {
                ledger: ledger(),
                flag: self.flag,
                flagger: self.flagger,
                event_authority: pda::event_authority(),
                program: ID,
            },
            data::CloseFlag {},
        )
    }
}
