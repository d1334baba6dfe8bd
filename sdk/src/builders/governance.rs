//! Ledger governance: initialize, hand over the admin, name auditors, set the ledger-wide limits, pause (`instructions/governance`).

use super::*;

/// `initialize_ledger`: `admin` signs and pays.
pub struct InitializeLedger {
    pub admin: Pubkey,
    pub payment_mint: Pubkey,
    pub token_program: Pubkey,
}

impl InitializeLedger {
    pub fn instruction(&self) -> Instruction {
        build(
            acc::InitializeLedger {
                ledger: ledger(),
                exclusion_list: pda::exclusion_list(),
                admin: self.admin,
                payment_mint: self.payment_mint,
                token_program: self.token_program,
                system_program: system_program::ID,
                event_authority: pda::event_authority(),
                program: ID,
            },
            data::InitializeLedger {},
        )
    }
}

/// `propose_admin`: the current admin names its successor.
pub struct ProposeAdmin {
    pub admin: Pubkey,
    pub new_admin: Pubkey,
}

impl ProposeAdmin {
    pub fn instruction(&self) -> Instruction {
        build(
            acc::ProposeAdmin {
                ledger: ledger(),
                admin: self.admin,
                event_authority: pda::event_authority(),
                program: ID,
            },
            data::ProposeAdmin {
                args: ProposeAdminArgs {
                    new_admin: self.new_admin,
                },
            },
        )
    }
}

/// `accept_admin`: the proposed admin signs.
pub struct AcceptAdmin {
    pub new_admin: Pubkey,
}

impl AcceptAdmin {
    pub fn instruction(&self) -> Instruction {
        build(
            acc::AcceptAdmin {
                ledger: ledger(),
                new_admin: self.new_admin,
                event_authority: pda::event_authority(),
                program: ID,
            },
            data::AcceptAdmin {},
        )
    }
}

/// `set_auditors`: replaces the auditor list.
pub struct SetAuditors {
    pub admin: Pubkey,
    pub auditors: Vec<Pubkey>,
}

impl SetAuditors {
    pub fn instruction(&self) -> Instruction {
        build(
            acc::SetAuditors {
                ledger: ledger(),
                admin: self.admin,
                event_authority: pda::event_authority(),
                program: ID,
            },
            data::SetAuditors {
                args: SetAuditorsArgs {
                    auditors: self.auditors.clone(),
                },
            },
        )
    }
}

/// `propose_auditors`: an auditor list that removes auditors, applied after a week's notice; the admin pays
/// the proposal's rent (returned when it applies).
pub struct ProposeAuditors {
    pub admin: Pubkey,
    pub auditors: Vec<Pubkey>,
}

impl ProposeAuditors {
    pub fn instruction(&self) -> Instruction {
        build(
            acc::ProposeAuditors {
                ledger: ledger(),
                pending: pda::auditors_change(),
                admin: self.admin,
                system_program: system_program::ID,
                event_authority: pda::event_authority(),
                program: ID,
            },
            data::ProposeAuditors {
                args: SetAuditorsArgs {
                    auditors: self.auditors.clone(),
                },
            },
        )
    }
}

/// `apply_auditors`: the admin applies the proposed auditor list once its notice is over.
pub struct ApplyAuditors {
    pub admin: Pubkey,
}

impl ApplyAuditors {
    pub fn instruction(&self) -> Instruction {
        build(
            acc::ApplyAuditors {
                ledger: ledger(),
                pending: pda::auditors_change(),
                admin: self.admin,
                event_authority: pda::event_authority(),
                program: ID,
            },
            data::ApplyAuditors {},
        )
    }
}

/// One step on the ledger-wide limits, by the admin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitsStep {
    /// `set_ledger_limits`: applies at once when it only tightens (or before any agency is registered).
    Set(LedgerLimits),
    /// `propose_ledger_limits`: a loosening, applied after the minimum notice in force; the admin pays the rent.
    Propose(LedgerLimits),
    /// `apply_ledger_limits`: the proposal, once its notice is over (rent back to the admin).
    Apply,
    /// `withdraw_ledger_limits`: drops the proposal (rent back to the admin).
    Withdraw,
}

/// The admin's step on the ledger-wide limits.
pub struct LedgerLimitsChange {
    pub admin: Pubkey,
    pub step: LimitsStep,
}

impl LedgerLimitsChange {
    pub fn instruction(&self) -> Instruction {
        let (event_authority, ledger, pending) =
            (pda::event_authority(), ledger(), pda::limits_change());
        let admin = self.admin;
        match self.step {
            LimitsStep::Set(limits) => build(
                acc::SetLedgerLimits {
                    ledger,
                    admin,
                    event_authority,
                    program: ID,
                },
                data::SetLedgerLimits { limits },
            ),
            LimitsStep::Propose(limits) => build(
                acc::ProposeLedgerLimits {
                    ledger,
                    pending,
                    admin,
                    system_program: system_program::ID,
                    event_authority,
                    program: ID,
                },
                data::ProposeLedgerLimits { limits },
            ),
            LimitsStep::Apply => build(
                acc::ApplyLedgerLimits {
                    ledger,
                    pending,
                    admin,
                    event_authority,
                    program: ID,
                },
                data::ApplyLedgerLimits {},
            ),
            LimitsStep::Withdraw => build(
                acc::WithdrawLedgerLimits {
                    ledger,
                    pending,
                    admin,
                    event_authority,
                    program: ID,
                },
                data::WithdrawLedgerLimits {},
            ),
        }
    }
}

/// `pause` (`paused = true`) or `unpause` (`paused = false`).
pub struct SetPaused {
    pub admin: Pubkey,
    pub paused: bool,
}

impl SetPaused {
    pub fn instruction(&self) -> Instruction {
        let (event_authority, ledger) = (pda::event_authority(), ledger());
        if self.paused {
            build(
                acc::Pause {
                    ledger,
                    admin: self.admin,
                    event_authority,
                    program: ID,
                },
                data::Pause {},
            )
        } else {
            build(
                acc::Unpause {
                    ledger,
                    admin: self.admin,
                    event_authority,
                    program: ID,
                },
                data::Unpause {},
            )
        }
    }
}
