//! Budget authority: appropriations, allotments, expiry (`instructions/budget`).

use super::*;

/// `create_appropriation`: the ledger admin signs and pays.
pub struct CreateAppropriation {
    pub admin: Pubkey,
    pub agency: Pubkey,
    pub args: CreateAppropriationArgs,
}

impl CreateAppropriation {
    /// The appropriation account this instruction creates.
    pub fn appropriation(&self) -> Pubkey {
        pda::appropriation(
            &self.agency,
            &self.args.main_account,
            &self.args.sub_account,
            self.args.fiscal_year,
        )
        .0
    }

    pub fn instruction(&self) -> Instruction {
        build(
            acc::CreateAppropriation {
                ledger: ledger(),
                agency: self.agency,
                appropriation: self.appropriation(),
                admin: self.admin,
                system_program: system_program::ID,
                event_authority: pda::event_authority(),
                program: ID,
            },
            data::CreateAppropriation {
                args: self.args.clone(),
            },
        )
    }
}

/// `allot`: a BUDGET member signs and pays; `index` is the appropriation's `allotment_count`.
pub struct Allot {
    pub agency: Pubkey,
    pub appropriation: Pubkey,
    pub index: u32,
    pub authority: Pubkey,
    pub args: AllotArgs,
}

impl Allot {
    pub fn allotment(&self) -> Pubkey {
        pda::allotment(&self.appropriation, self.index).0
    }

    pub fn instruction(&self) -> Instruction {
        build(
            acc::Allot {
                ledger: ledger(),
                agency: self.agency,
                member: pda::member(&self.agency, &self.authority).0,
                appropriation: self.appropriation,
                allotment: self.allotment(),
                authority: self.authority,
                system_program: system_program::ID,
                event_authority: pda::event_authority(),
                program: ID,
            },
            data::Allot {
                args: self.args.clone(),
            },
        )
    }
}

/// `expire_appropriation`: anyone after availability ends, the admin at any time.
pub struct ExpireAppropriation {
    pub appropriation: Pubkey,
    pub authority: Pubkey,
}

impl ExpireAppropriation {
    pub fn instruction(&self) -> Instruction {
        build(
            acc::ExpireAppropriation {
                ledger: ledger(),
                appropriation: self.appropriation,
                authority: self.authority,
                event_authority: pda::event_authority(),
                program: ID,
            },
            data::ExpireAppropriation {},
        )
    }
}
