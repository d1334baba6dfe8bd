//! Agencies: register, members, approval policy, loosenings on notice (`instructions/agency`).

use super::*;

/// `register_agency`: the ledger admin signs and pays for the agency and its treasury.
pub struct RegisterAgency {
    pub admin: Pubkey,
    pub payment_mint: Pubkey,
    pub token_program: Pubkey,
    pub args: RegisterAgencyArgs,
}

impl RegisterAgency {
    pub fn instruction(&self) -> Instruction {
        let agency = pda::agency(&self.args.code).0;
        build(
            acc::RegisterAgency {
                ledger: ledger(),
                agency,
                treasury: pda::treasury(&agency).0,
                payment_mint: self.payment_mint,
                admin: self.admin,
                token_program: self.token_program,
                system_program: system_program::ID,
                event_authority: pda::event_authority(),
                program: ID,
            },
            data::RegisterAgency {
                args: self.args.clone(),
            },
        )
    }
}

/// `set_member`: the agency head signs and pays for a new member account.
pub struct SetMember {
    pub agency: Pubkey,
    pub head: Pubkey,
    pub args: SetMemberArgs,
}

impl SetMember {
    pub fn instruction(&self) -> Instruction {
        build(
            acc::SetMember {
                ledger: ledger(),
                agency: self.agency,
                member: pda::member(&self.agency, &self.args.key).0,
                head: self.head,
                system_program: system_program::ID,
                event_authority: pda::event_authority(),
                program: ID,
            },
            data::SetMember {
                args: self.args.clone(),
            },
        )
    }
}

/// `set_approval_policy`: the agency head signs.
pub struct SetApprovalPolicy {
    pub agency: Pubkey,
    pub head: Pubkey,
    pub policy: ApprovalPolicy,
}

impl SetApprovalPolicy {
    pub fn instruction(&self) -> Instruction {
        build(
            acc::SetApprovalPolicy {
                ledger: ledger(),
                agency: self.agency,
                head: self.head,
                event_authority: pda::event_authority(),
                program: ID,
            },
            data::SetApprovalPolicy {
                policy: self.policy,
            },
        )
    }
}

/// `propose_change` of a loosening of the agency's controls: the agency head signs and pays the pending change's
/// rent (returned when it applies or is withdrawn).
pub struct ProposeChange {
    pub agency: Pubkey,
    pub head: Pubkey,
    pub change: ControlChange,
}

impl ProposeChange {
    /// The pending change's address.
    pub fn pending(&self) -> Pubkey {
        pda::change(&self.agency, &self.change.subject(&self.agency)).0
    }

    pub fn instruction(&self) -> Instruction {
        governance::propose_change(Some(self.agency), self.head, self.change.clone())
    }
}

/// `apply_change` or `apply_member_change` of the pending change about `subject` (the agency for its policy,
/// the member's key for a member), once its notice is over: the agency head signs.
pub struct ApplyChange {
    pub agency: Pubkey,
    pub head: Pubkey,
    pub subject: Pubkey,
}

impl ApplyChange {
    pub fn instruction(&self) -> Instruction {
        governance::apply_change(Some(self.agency), self.head, self.subject)
    }
}

/// `withdraw_change`: the agency head withdraws its own pending change about `subject` (a vetoed one once its
/// cooling-off is over); the rent comes back.
pub struct WithdrawChange {
    pub agency: Pubkey,
    pub head: Pubkey,
    pub subject: Pubkey,
}

impl WithdrawChange {
    pub fn instruction(&self) -> Instruction {
        governance::withdraw_change(Some(self.agency), self.head, self.subject)
    }
}

/// `veto_change`: an auditor signs, with reason and evidence. `scope` is the agency, or the ledger's address
/// for a change of its auditors or limits. The change stays on chain, marked, through its cooling-off.
pub struct VetoChange {
    pub scope: Pubkey,
    pub subject: Pubkey,
    pub auditor: Pubkey,
    pub grounds: OversightArgs,
}

impl VetoChange {
    pub fn instruction(&self) -> Instruction {
        build(
            acc::VetoChange {
                auditing: auditing(self.auditor),
                pending: pda::change(&self.scope, &self.subject).0,
                event_authority: pda::event_authority(),
                program: ID,
            },
            data::VetoChange { args: self.grounds },
        )
    }
}
