//! Oversight by the auditors: freezes, holds, exclusions (`instructions/oversight`).

use super::*;

/// `freeze_agency` (`frozen = true`) or `unfreeze_agency`: an auditor signs, with reason and evidence.
pub struct SetAgencyFrozen {
    pub agency: Pubkey,
    pub auditor: Pubkey,
    pub frozen: bool,
    pub grounds: OversightArgs,
}

impl SetAgencyFrozen {
    pub fn instruction(&self) -> Instruction {
        let (ledger, agency, auditor, event_authority) =
            (ledger(), self.agency, self.auditor, pda::event_authority());
        let args = self.grounds;
        if self.frozen {
            build(
                acc::FreezeAgency {
                    ledger,
                    agency,
                    auditor,
                    event_authority,
                    program: ID,
                },
                data::FreezeAgency { args },
            )
        } else {
            build(
                acc::UnfreezeAgency {
                    ledger,
                    agency,
                    auditor,
                    event_authority,
                    program: ID,
                },
                data::UnfreezeAgency { args },
            )
        }
    }
}

/// `hold_payment` (`held = true`) or `release_payment`: an auditor signs, with reason and evidence.
pub struct SetPaymentHeld {
    pub award: Pubkey,
    pub payment: Pubkey,
    pub auditor: Pubkey,
    pub held: bool,
    pub grounds: OversightArgs,
}

impl SetPaymentHeld {
    pub fn instruction(&self) -> Instruction {
        let (ledger, payment, auditor, event_authority) =
            (ledger(), self.payment, self.auditor, pda::event_authority());
        let award = self.award;
        let args = self.grounds;
        if self.held {
            build(
                acc::HoldPayment {
                    ledger,
                    payment,
                    award,
                    auditor,
                    event_authority,
                    program: ID,
                },
                data::HoldPayment { args },
            )
        } else {
            build(
                acc::ReleasePayment {
                    ledger,
                    payment,
                    award,
                    auditor,
                    event_authority,
                    program: ID,
                },
                data::ReleasePayment { args },
            )
        }
    }
}

/// `hold_award` (`held = true`) or `release_award`: an auditor signs, with reason and evidence.
pub struct SetAwardHeld {
    pub award: Pubkey,
    pub auditor: Pubkey,
    pub held: bool,
    pub grounds: OversightArgs,
}

impl SetAwardHeld {
    pub fn instruction(&self) -> Instruction {
        let accounts = acc::SetAwardHold {
            ledger: ledger(),
            award: self.award,
            auditor: self.auditor,
            event_authority: pda::event_authority(),
            program: ID,
        };
        let args = self.grounds;
        if self.held {
            build(accounts, data::HoldAward { args })
        } else {
            build(accounts, data::ReleaseAward { args })
        }
    }
}

/// `debar_recipient` (status `Suspended` or `Debarred`) or `reinstate_recipient` (status `Lifted`): an auditor
/// signs, and pays for the UEI's exclusion account the first time (and for one more entry in the ledger's
/// exclusion list when it has no room left).
pub struct SetExclusion {
    pub uei: [u8; UEI_LEN],
    pub auditor: Pubkey,
    pub status: ExclusionStatus,
    pub grounds: OversightArgs,
}

impl SetExclusion {
    pub fn exclusion(&self) -> Pubkey {
        pda::exclusion(&self.uei).0
    }

    pub fn instruction(&self) -> Instruction {
        let (ledger, exclusion, auditor, event_authority) = (
            ledger(),
            self.exclusion(),
            self.auditor,
            pda::event_authority(),
        );
        match self.status {
            ExclusionStatus::Lifted => build(
                acc::ReinstateRecipient {
                    ledger,
                    exclusion,
                    exclusion_list: pda::exclusion_list(),
                    auditor,
                    event_authority,
                    program: ID,
                },
                data::ReinstateRecipient { args: self.grounds },
            ),
            status => build(
                acc::DebarRecipient {
                    ledger,
                    exclusion,
                    exclusion_list: pda::exclusion_list(),
                    auditor,
                    system_program: system_program::ID,
                    event_authority,
                    program: ID,
                },
                data::DebarRecipient {
                    args: DebarRecipientArgs {
                        uei: self.uei,
                        status,
                        reason: self.grounds.reason,
                        evidence_hash: self.grounds.evidence_hash,
                    },
                },
            ),
        }
    }
}
