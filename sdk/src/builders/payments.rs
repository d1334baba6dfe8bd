//! Payments: request, decide, execute, the fast path and batches, archive (`instructions/payments`).

use super::*;

/// `request_payment`: a REQUEST member signs and pays rent; `index` is the award's `payment_count`;
/// `reference` is the invoice's Solana Pay reference key.
pub struct RequestPayment {
    pub agency: Pubkey,
    pub award: Pubkey,
    pub index: u32,
    pub authority: Pubkey,
    pub reference: Pubkey,
    pub args: PaymentArgs,
}

impl RequestPayment {
    pub fn payment(&self) -> Pubkey {
        pda::payment(&self.award, self.index).0
    }

    pub fn instruction(&self) -> Instruction {
        build(
            acc::RequestPayment {
                acting: acting(self.agency, self.authority),
                award: self.award,
                payment: self.payment(),
                reference: self.reference,
                system_program: system_program::ID,
                event_authority: pda::event_authority(),
                program: ID,
            },
            data::RequestPayment {
                args: self.args.clone(),
            },
        )
    }
}

/// What an approver, rejecter or canceller decides about a payment in flight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaymentDecision {
    /// `approve_payment` (APPROVE role, not the requester).
    Approve,
    /// `reject_payment` (APPROVE role).
    Reject,
    /// `cancel_payment` (requester or agency head).
    Cancel,
}

/// `approve_payment`, `reject_payment` or `cancel_payment`.
pub struct DecidePayment {
    pub agency: Pubkey,
    pub award: Pubkey,
    pub index: u32,
    pub authority: Pubkey,
    pub decision: PaymentDecision,
}

impl DecidePayment {
    pub fn instruction(&self) -> Instruction {
        let (agency, award, authority) = (self.agency, self.award, self.authority);
        let payment = pda::payment(&award, self.index).0;
        let event_authority = pda::event_authority();
        let decide = || acc::DecidePayment {
            acting: acting(agency, authority),
            award,
            payment,
            event_authority,
            program: ID,
        };
        match self.decision {
            PaymentDecision::Approve => build(decide(), data::ApprovePayment {}),
            PaymentDecision::Reject => build(decide(), data::RejectPayment {}),
            PaymentDecision::Cancel => build(
                acc::CancelPayment {
                    ledger: ledger(),
                    agency,
                    award,
                    payment,
                    authority,
                    event_authority,
                    program: ID,
                },
                data::CancelPayment {},
            ),
        }
    }
}

/// The token side of a payout: the ledger's mint and token program, and the recipient's payout wallet and UEI
/// (whose ledger-wide exclusion every payment checks).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Payout {
    pub payment_mint: Pubkey,
    pub token_program: Pubkey,
    pub payout_wallet: Pubkey,
    pub uei: [u8; UEI_LEN],
}

impl Payout {
    pub fn recipient_token_account(&self) -> Pubkey {
        pda::recipient_token_account(&self.payout_wallet, &self.payment_mint, &self.token_program)
    }
}

/// The SPL Memo program for payments on a Token-2022 mint, whose vendors' token accounts may require a memo on
/// incoming transfers; none on SPL Token.
fn memo_program(token_program: &Pubkey) -> Option<Pubkey> {
    (*token_program == anchor_spl::token_2022::ID).then_some(anchor_spl::memo::ID)
}

/// `execute_payment`: an EXECUTE member signs (and pays for the recipient's token account if missing).
pub struct ExecutePayment {
    pub keys: AwardKeys,
    pub payout: Payout,
    pub index: u32,
    pub executor: Pubkey,
}

impl ExecutePayment {
    pub fn instruction(&self) -> Instruction {
        let (k, p) = (&self.keys, &self.payout);
        build(
            acc::ExecutePayment {
                acting: acting(k.agency, self.executor),
                appropriation: k.appropriation,
                allotment: k.allotment,
                award: k.award,
                recipient: k.recipient,
                exclusion: pda::exclusion(&p.uei).0,
                payout_wallet: p.payout_wallet,
                payment: pda::payment(&k.award, self.index).0,
                payment_mint: p.payment_mint,
                treasury: pda::treasury(&k.agency).0,
                recipient_token_account: p.recipient_token_account(),
                token_program: p.token_program,
                memo_program: memo_program(&p.token_program),
                associated_token_program: associated_token::ID,
                system_program: system_program::ID,
                event_authority: pda::event_authority(),
                program: ID,
            },
            data::ExecutePayment {},
        )
    }
}

/// `pay_small`: an EXECUTE member signs; `index` is the award's `payment_count` as read before sending (a
/// retry of a landed payment is refused as stale); `reference` is the invoice's Solana Pay reference key.
/// Creates no account.
pub struct PaySmall {
    pub keys: AwardKeys,
    pub payout: Payout,
    pub index: u32,
    pub executor: Pubkey,
    pub reference: Pubkey,
    pub args: PaymentArgs,
}

impl PaySmall {
    /// The payment's name in its `PaymentExecuted` event (`["payment", award, index]`); no account is created.
    pub fn payment(&self) -> Pubkey {
        pda::payment(&self.keys.award, self.index).0
    }

    pub fn instruction(&self) -> Instruction {
        let (k, p) = (&self.keys, &self.payout);
        build(
            acc::PaySmall {
                acting: acting(k.agency, self.executor),
                appropriation: k.appropriation,
                allotment: k.allotment,
                award: k.award,
                recipient: k.recipient,
                exclusion: pda::exclusion(&p.uei).0,
                payout_wallet: p.payout_wallet,
                reference: self.reference,
                payment_mint: p.payment_mint,
                treasury: pda::treasury(&k.agency).0,
                recipient_token_account: p.recipient_token_account(),
                token_program: p.token_program,
                memo_program: memo_program(&p.token_program),
                associated_token_program: associated_token::ID,
                system_program: system_program::ID,
                event_authority: pda::event_authority(),
                program: ID,
            },
            data::PaySmall {
                args: FastPaymentArgs {
                    expected_index: self.index,
                    amount: self.args.amount,
                    invoice_hash: self.args.invoice_hash,
                },
            },
        )
    }
}

/// One payment of a `pay_batch`: its award, where it pays, and the index it takes as read before sending (the
/// award's next index, plus one for each earlier item of the batch on the same award); the instruction carries
/// the sum of its items' indices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchItem {
    pub keys: AwardKeys,
    pub payout: Payout,
    pub index: u32,
    pub amount: u64,
    pub invoice_hash: [u8; 32],
}

/// `pay_batch`: an EXECUTE member signs; every item's recipient token account must exist. The parents are named once
/// per allotment, before the items.
pub struct PayBatch {
    pub agency: Pubkey,
    pub executor: Pubkey,
    pub payment_mint: Pubkey,
    pub token_program: Pubkey,
    pub items: Vec<BatchItem>,
}

impl PayBatch {
    pub fn instruction(&self) -> Instruction {
        let mut ix = build(
            acc::PayBatch {
                acting: acting(self.agency, self.executor),
                exclusion_list: pda::exclusion_list(),
                payment_mint: self.payment_mint,
                treasury: pda::treasury(&self.agency).0,
                token_program: self.token_program,
                memo_program: memo_program(&self.token_program),
                event_authority: pda::event_authority(),
                program: ID,
            },
            data::PayBatch {
                args: PayBatchArgs {
                    expected_index_sum: self.items.iter().map(|item| u64::from(item.index)).sum(),
                    items: self
                        .items
                        .iter()
                        .map(|item| BatchPayment {
                            amount: item.amount,
                            invoice_hash: item.invoice_hash,
                        })
                        .collect(),
                },
            },
        );
        // Each allotment the items draw on, with its appropriation, once and in order of first use.
        let mut parents: Vec<(Pubkey, Pubkey)> = Vec::new();
        for item in &self.items {
            let pair = (item.keys.appropriation, item.keys.allotment);
            if !parents.contains(&pair) {
                parents.push(pair);
            }
        }
        for (appropriation, allotment) in parents {
            ix.accounts.extend([
                AccountMeta::new(appropriation, false),
                AccountMeta::new(allotment, false),
            ]);
        }
        for item in &self.items {
            let (k, p) = (&item.keys, &item.payout);
            ix.accounts.extend([
                AccountMeta::new(k.award, false),
                AccountMeta::new_readonly(k.recipient, false),
                AccountMeta::new(p.recipient_token_account(), false),
            ]);
        }
        ix
    }
}

/// `archive_payment`: permissionless; the rent goes back to `rent_payer` (the payment's requester).
pub struct ArchivePayment {
    pub award: Pubkey,
    pub payment: Pubkey,
    pub rent_payer: Pubkey,
}

impl ArchivePayment {
    pub fn instruction(&self) -> Instruction {
        build(
            acc::ArchivePayment {
                ledger: ledger(),
                payment: self.payment,
                award: self.award,
                rent_payer: self.rent_payer,
                event_authority: pda::event_authority(),
                program: ID,
            },
            data::ArchivePayment {},
        )
    }
}
