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
                acting: acting(self.agency, self.authority),
                appropriation: self.appropriation,
                allotment: self.allotment(),
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

/// Money into an agency's treasury, in the ledger's mint: minted there when `funder` is the mint authority (a
/// test stablecoin), or moved from `funder`'s associated token account. Not a ledger instruction: the token
/// program's own.
pub struct FundTreasury {
    pub treasury: Pubkey,
    pub payment_mint: Pubkey,
    pub token_program: Pubkey,
    pub mint_decimals: u8,
    pub funder: Pubkey,
    /// Whether `funder` is the mint authority (it mints) or a holder (it transfers).
    pub mints: bool,
    pub amount: u64,
}

impl FundTreasury {
    pub fn instruction(&self) -> Instruction {
        use anchor_spl::token_2022::spl_token_2022::instruction::{mint_to, transfer_checked};
        let built = if self.mints {
            mint_to(
                &self.token_program,
                &self.payment_mint,
                &self.treasury,
                &self.funder,
                &[],
                self.amount,
            )
        } else {
            let source =
                pda::recipient_token_account(&self.funder, &self.payment_mint, &self.token_program);
            transfer_checked(
                &self.token_program,
                &source,
                &self.payment_mint,
                &self.treasury,
                &self.funder,
                &[],
                self.amount,
                self.mint_decimals,
            )
        };
        // Both only fail on a token program that is neither SPL Token nor Token-2022, and the ledger names
        // one of those two.
        built.unwrap_or_else(|err| {
            unreachable!("the ledger's token program builds a transfer: {err}")
        })
    }
}
