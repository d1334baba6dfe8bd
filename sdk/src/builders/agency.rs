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

/// `propose_change`: the agency head signs and pays the pending change's rent (returned when it applies or is
/// vetoed).
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
        build(
            acc::ProposeChange {
                ledger: ledger(),
                agency: self.agency,
                pending: self.pending(),
                head: self.head,
                system_program: system_program::ID,
                event_authority: pda::event_authority(),
                program: ID,
            },
            data::ProposeChange {
                change: self.change,
            },
        )
    }
}

/// `apply_policy_change` or `apply_member_change` of the pending change about `subject` (the agency for its
/// policy, the member's key for a member), once its notice is over: the agency head signs.
pub struct ApplyChange {
    pub agency: Pubkey,
    pub head: Pubkey,
    pub subject: Pubkey,
}

impl ApplyChange {
    pub fn instruction(&self) -> Instruction {
        let pending = pda::change(&self.agency, &self.subject).0;
        let event_authority = pda::event_authority();
        if self.subject == self.agency {
            build(
                acc::ApplyPolicyChange {
                    ledger: ledger(),
                    agency: self.agency,
                    pending,
                    head: self.head,
                    event_authority,
                    program: ID,
                },
                data::ApplyPolicyChange {},
            )
        } else {
            build(
                acc::ApplyMemberChange {
                    ledger: ledger(),
                    agency: self.agency,
                    pending,
                    member: pda::member(&self.agency, &self.subject).0,
                    head: self.head,
                    system_program: system_program::ID,
                    event_authority,
                    program: ID,
                },
                data::ApplyMemberChange {},
            )
        }
    }
}

/// `withdraw_change`: the agency head withdraws its own pending change about `subject`; the rent comes back.
pub struct WithdrawChange {
    pub agency: Pubkey,
    pub head: Pubkey,
    pub subject: Pubkey,
}

impl WithdrawChange {
    pub fn instruction(&self) -> Instruction {
        build(
            acc::WithdrawChange {
                ledger: ledger(),
                agency: self.agency,
                pending: pda::change(&self.agency, &self.subject).0,
                head: self.head,
                event_authority: pda::event_authority(),
                program: ID,
            },
            data::WithdrawChange {},
        )
    }
}

/// `veto_change`: an auditor signs, with reason and evidence; the rent goes back to the agency head.
pub struct VetoChange {
    pub agency: Pubkey,
    pub head: Pubkey,
    pub subject: Pubkey,
    pub auditor: Pubkey,
    pub grounds: OversightArgs,
}

impl VetoChange {
    pub fn instruction(&self) -> Instruction {
        build(
            acc::VetoChange {
                ledger: ledger(),
                agency: self.agency,
                pending: pda::change(&self.agency, &self.subject).0,
                head: self.head,
                auditor: self.auditor,
                event_authority: pda::event_authority(),
                program: ID,
            },
            data::VetoChange { args: self.grounds },
        )
    }
}
