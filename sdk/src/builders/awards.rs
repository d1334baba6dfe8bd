//! Recipients, awards and payout-wallet changes (`instructions/awards`).

use super::*;

/// `register_recipient`: an OBLIGATE member signs and pays.
pub struct RegisterRecipient {
    pub agency: Pubkey,
    pub authority: Pubkey,
    pub args: RegisterRecipientArgs,
}

impl RegisterRecipient {
    pub fn recipient(&self) -> Pubkey {
        pda::recipient(&self.agency, &self.args.uei).0
    }

    pub fn instruction(&self) -> Instruction {
        build(
            acc::RegisterRecipient {
                acting: acting(self.agency, self.authority),
                recipient: self.recipient(),
                system_program: system_program::ID,
                event_authority: pda::event_authority(),
                program: ID,
            },
            data::RegisterRecipient {
                args: self.args.clone(),
            },
        )
    }
}

/// `obligate`: an OBLIGATE member signs and pays for the new award. `recipient` is the agency's record of
/// `uei`; `property`, if any, is the agency's property the award is for.
pub struct Obligate {
    pub agency: Pubkey,
    pub appropriation: Pubkey,
    pub allotment: Pubkey,
    pub recipient: Pubkey,
    pub uei: [u8; UEI_LEN],
    pub property: Option<Pubkey>,
    pub authority: Pubkey,
    pub args: ObligateArgs,
}

impl Obligate {
    pub fn award(&self) -> Pubkey {
        pda::award(&self.agency, &self.args.award_id).0
    }

    pub fn instruction(&self) -> Instruction {
        build(
            acc::Obligate {
                acting: acting(self.agency, self.authority),
                appropriation: self.appropriation,
                allotment: self.allotment,
                recipient: self.recipient,
                exclusion: pda::exclusion(&self.uei).0,
                property: self.property,
                award: self.award(),
                system_program: system_program::ID,
                event_authority: pda::event_authority(),
                program: ID,
            },
            data::Obligate {
                args: self.args.clone(),
            },
        )
    }
}

/// The keys that place an award in the budget chain; read them off the `Award` account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AwardKeys {
    pub agency: Pubkey,
    pub appropriation: Pubkey,
    pub allotment: Pubkey,
    pub award: Pubkey,
    pub recipient: Pubkey,
}

impl AwardKeys {
    pub fn of(award: Pubkey, state: &public_spending::state::Award) -> Self {
        Self {
            agency: state.agency,
            appropriation: state.appropriation,
            allotment: state.allotment,
            award,
            recipient: state.recipient,
        }
    }
}

/// `modify_award`: an OBLIGATE member signs.
pub struct ModifyAward {
    pub keys: AwardKeys,
    pub authority: Pubkey,
    pub change: AwardChange,
    pub document_hash: [u8; 32],
}

impl ModifyAward {
    pub fn instruction(&self) -> Instruction {
        let k = &self.keys;
        build(
            acc::ModifyAward {
                acting: acting(k.agency, self.authority),
                appropriation: k.appropriation,
                allotment: k.allotment,
                award: k.award,
                event_authority: pda::event_authority(),
                program: ID,
            },
            data::ModifyAward {
                args: ModifyAwardArgs {
                    change: self.change,
                    document_hash: self.document_hash,
                },
            },
        )
    }
}

/// `close_award`: an OBLIGATE member signs.
pub struct CloseAward {
    pub agency: Pubkey,
    pub award: Pubkey,
    pub authority: Pubkey,
}

impl CloseAward {
    pub fn instruction(&self) -> Instruction {
        build(
            acc::CloseAward {
                acting: acting(self.agency, self.authority),
                award: self.award,
                event_authority: pda::event_authority(),
                program: ID,
            },
            data::CloseAward {},
        )
    }
}

/// The two steps of a payout-wallet change, each naming the wallet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WalletStep {
    /// `propose_payout_wallet` of this wallet.
    Propose(Pubkey),
    /// `confirm_payout_wallet` of the wallet the confirming member reviewed (refused if the pending one differs).
    Confirm(Pubkey),
}

/// `propose_payout_wallet` or `confirm_payout_wallet`: an OBLIGATE member of the recipient's agency signs.
pub struct ChangePayoutWallet {
    pub agency: Pubkey,
    pub recipient: Pubkey,
    pub authority: Pubkey,
    pub step: WalletStep,
}

impl ChangePayoutWallet {
    pub fn instruction(&self) -> Instruction {
        let accounts = acc::ChangePayoutWallet {
            acting: acting(self.agency, self.authority),
            recipient: self.recipient,
            event_authority: pda::event_authority(),
            program: ID,
        };
        match self.step {
            WalletStep::Propose(new_wallet) => build(
                accounts,
                data::ProposePayoutWallet {
                    args: ProposePayoutWalletArgs { new_wallet },
                },
            ),
            WalletStep::Confirm(wallet) => build(
                accounts,
                data::ConfirmPayoutWallet {
                    args: ConfirmPayoutWalletArgs { wallet },
                },
            ),
        }
    }
}
