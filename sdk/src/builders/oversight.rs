//! Oversight by the auditors: freezes, holds, exclusions (`instructions/oversight`). Imposing is one auditor's
//! signature; lifting is the imposing auditor's, or another's with a second auditor in office signing as
//! `concurring`.

use super::*;

/// `freeze_agency` (`frozen = true`) or `unfreeze_agency`: an auditor signs, with reason and evidence.
pub struct SetAgencyFrozen {
    pub agency: Pubkey,
    pub auditor: Pubkey,
    pub frozen: bool,
    pub grounds: OversightArgs,
    /// On an unfreeze by an auditor who did not impose the freeze: a second auditor, who signs too.
    pub concurring: Option<Pubkey>,
}

impl SetAgencyFrozen {
    pub fn instruction(&self) -> Instruction {
        let accounts = acc::SetAgencyFreeze {
            auditing: auditing(self.auditor),
            agency: self.agency,
            concurring: self.concurring,
            event_authority: pda::event_authority(),
            program: ID,
        };
        let args = self.grounds;
        if self.frozen {
            build(accounts, data::FreezeAgency { args })
        } else {
            build(accounts, data::UnfreezeAgency { args })
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
    /// On a release by an auditor who did not impose the hold: a second auditor, who signs too.
    pub concurring: Option<Pubkey>,
}

impl SetPaymentHeld {
    pub fn instruction(&self) -> Instruction {
        let accounts = acc::SetPaymentHold {
            auditing: auditing(self.auditor),
            payment: self.payment,
            award: self.award,
            concurring: self.concurring,
            event_authority: pda::event_authority(),
            program: ID,
        };
        let args = self.grounds;
        if self.held {
            build(accounts, data::HoldPayment { args })
        } else {
            build(accounts, data::ReleasePayment { args })
        }
    }
}

/// `hold_award` (`held = true`) or `release_award`: an auditor signs, with reason and evidence.
pub struct SetAwardHeld {
    pub award: Pubkey,
    pub auditor: Pubkey,
    pub held: bool,
    pub grounds: OversightArgs,
    /// On a release by an auditor who did not impose the hold: a second auditor, who signs too.
    pub concurring: Option<Pubkey>,
}

impl SetAwardHeld {
    pub fn instruction(&self) -> Instruction {
        let accounts = acc::SetAwardHold {
            auditing: auditing(self.auditor),
            award: self.award,
            concurring: self.concurring,
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
    /// On a reinstatement by an auditor who did not impose the exclusion: a second auditor, who signs too.
    pub concurring: Option<Pubkey>,
}

impl SetExclusion {
    pub fn exclusion(&self) -> Pubkey {
        pda::exclusion(&self.uei).0
    }

    pub fn instruction(&self) -> Instruction {
        let (exclusion, event_authority) = (self.exclusion(), pda::event_authority());
        match self.status {
            ExclusionStatus::Lifted => build(
                acc::ReinstateRecipient {
                    auditing: auditing(self.auditor),
                    exclusion,
                    exclusion_list: pda::exclusion_list(),
                    concurring: self.concurring,
                    event_authority,
                    program: ID,
                },
                data::ReinstateRecipient { args: self.grounds },
            ),
            status => build(
                acc::DebarRecipient {
                    auditing: auditing(self.auditor),
                    exclusion,
                    exclusion_list: pda::exclusion_list(),
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
