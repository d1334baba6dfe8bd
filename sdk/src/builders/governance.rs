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

/// The accounts every step after a proposal names: `agency` none for a change of the ledger's own controls.
fn pending_change(agency: Option<Pubkey>, subject: &Pubkey) -> acc::PendingChangeAccounts {
    acc::PendingChangeAccounts {
        ledger: ledger(),
        agency,
        pending: pda::change_in(agency.as_ref(), subject),
    }
}

/// `propose_change` of `change` in `agency` (its head proposes), or of the ledger's own controls (`agency`
/// none: the admin proposes). The proposer pays the rent, returned when the change applies or is withdrawn.
pub(crate) fn propose_change(
    agency: Option<Pubkey>,
    proposer: Pubkey,
    change: ControlChange,
) -> Instruction {
    let scope = agency.unwrap_or_else(ledger);
    build(
        acc::ProposeChange {
            ledger: ledger(),
            agency,
            pending: pda::change(&scope, &change.subject(&scope)).0,
            proposer,
            system_program: system_program::ID,
            event_authority: pda::event_authority(),
            program: ID,
        },
        data::ProposeChange { change },
    )
}

/// `apply_change` (a policy, the auditors, the limits) or `apply_member_change` (a member: `subject` is its
/// key) once the notice is over; the proposer's office signs.
pub(crate) fn apply_change(
    agency: Option<Pubkey>,
    authority: Pubkey,
    subject: Pubkey,
) -> Instruction {
    let (change, event_authority) = (pending_change(agency, &subject), pda::event_authority());
    match agency {
        Some(agency) if subject != agency => build(
            acc::ApplyMemberChange {
                change,
                member: pda::member(&agency, &subject).0,
                head: authority,
                system_program: system_program::ID,
                event_authority,
                program: ID,
            },
            data::ApplyMemberChange {},
        ),
        _ => build(
            acc::ApplyChange {
                change,
                authority,
                event_authority,
                program: ID,
            },
            data::ApplyChange {},
        ),
    }
}

/// `withdraw_change`: the proposer's office withdraws its change about `subject` (a vetoed one once its
/// cooling-off is over); the rent comes back.
pub(crate) fn withdraw_change(
    agency: Option<Pubkey>,
    authority: Pubkey,
    subject: Pubkey,
) -> Instruction {
    build(
        acc::WithdrawChange {
            change: pending_change(agency, &subject),
            authority,
            event_authority: pda::event_authority(),
            program: ID,
        },
        data::WithdrawChange {},
    )
}

/// `propose_change` of a new auditor list, applied after a week (or the ledger's minimum notice when longer);
/// the admin pays the proposal's rent (returned when it applies). Any auditor may veto a list that adds one.
pub struct ProposeAuditors {
    pub admin: Pubkey,
    pub auditors: Vec<Pubkey>,
}

impl ProposeAuditors {
    pub fn instruction(&self) -> Instruction {
        let change = ControlChange::Auditors {
            auditors: self.auditors.clone(),
        };
        propose_change(None, self.admin, change)
    }
}

/// `apply_change` of the proposed auditor list once its notice is over (the admin), or `withdraw_change` of it.
pub struct ApplyAuditors {
    pub admin: Pubkey,
}

impl ApplyAuditors {
    pub fn instruction(&self) -> Instruction {
        apply_change(None, self.admin, Pubkey::new_from_array(AUDITORS_SUBJECT))
    }

    pub fn withdraw(&self) -> Instruction {
        withdraw_change(None, self.admin, Pubkey::new_from_array(AUDITORS_SUBJECT))
    }
}

/// One step on the ledger-wide limits, by the admin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitsStep {
    /// `set_ledger_limits`: applies at once when it only tightens (or before any agency is registered).
    Set(LedgerLimits),
    /// `propose_change` of a loosening, applied after the minimum notice in force; the admin pays the rent.
    Propose(LedgerLimits),
    /// `apply_change` of the proposal, once its notice is over (rent back to the admin).
    Apply,
    /// `withdraw_change` of the proposal (rent back to the admin).
    Withdraw,
}

/// The admin's step on the ledger-wide limits.
pub struct LedgerLimitsChange {
    pub admin: Pubkey,
    pub step: LimitsStep,
}

impl LedgerLimitsChange {
    pub fn instruction(&self) -> Instruction {
        let (admin, subject) = (self.admin, Pubkey::new_from_array(LIMITS_SUBJECT));
        match self.step {
            LimitsStep::Set(limits) => build(
                acc::SetLedgerLimits {
                    ledger: ledger(),
                    admin,
                    event_authority: pda::event_authority(),
                    program: ID,
                },
                data::SetLedgerLimits { limits },
            ),
            LimitsStep::Propose(limits) => {
                propose_change(None, admin, ControlChange::Limits { limits })
            }
            LimitsStep::Apply => apply_change(None, admin, subject),
            LimitsStep::Withdraw => withdraw_change(None, admin, subject),
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
        let accounts = acc::SetPause {
            ledger: ledger(),
            admin: self.admin,
            event_authority: pda::event_authority(),
            program: ID,
        };
        if self.paused {
            build(accounts, data::Pause {})
        } else {
            build(accounts, data::Unpause {})
        }
    }
}
