//! Typed instruction builders: a struct of the keys an instruction needs, turned into an [`Instruction`] with
//! every PDA derived here. Callers never assemble account lists by hand.

use anchor_lang::{
    prelude::Pubkey,
    solana_program::{
        instruction::{AccountMeta, Instruction},
        system_program,
    },
    InstructionData, ToAccountMetas,
};
use anchor_spl::associated_token;
use public_spending::{
    accounts as acc, instruction as data,
    instructions::{
        AllotArgs, AwardChange, BatchPayment, ConfirmPayoutWalletArgs, CreateAppropriationArgs,
        DebarRecipientArgs, DisposePropertyArgs, FastPaymentArgs, ModifyAwardArgs, ObligateArgs,
        PayBatchArgs, PaymentArgs, ProposeAdminArgs, ProposePayoutWalletArgs, RaiseFlagArgs,
        RegisterAgencyArgs, RegisterPropertyArgs, RegisterRecipientArgs, ResolveFlagArgs,
        RespondToFlagArgs, SetAuditorsArgs, SetMemberArgs,
    },
    state::{
        ApprovalPolicy, ControlChange, ExclusionStatus, FlagReason, FlagStatus, FlagTarget,
        LedgerLimits, OversightArgs, PropertyDetails,
    },
    ID,
};

use public_spending::constants::UEI_LEN;

use crate::pda;

fn build(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction {
        program_id: ID,
        accounts: accounts.to_account_metas(None),
        data: data.data(),
    }
}

fn ledger() -> Pubkey {
    pda::ledger().0
}

// ── governance ──────────────────────────────────────────────────────────────────────────────────────────────

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

// ── agency ──────────────────────────────────────────────────────────────────────────────────────────────────

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

// ── budget ──────────────────────────────────────────────────────────────────────────────────────────────────

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

// ── awards ──────────────────────────────────────────────────────────────────────────────────────────────────

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
                ledger: ledger(),
                agency: self.agency,
                member: pda::member(&self.agency, &self.authority).0,
                recipient: self.recipient(),
                authority: self.authority,
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
                ledger: ledger(),
                agency: self.agency,
                member: pda::member(&self.agency, &self.authority).0,
                appropriation: self.appropriation,
                allotment: self.allotment,
                recipient: self.recipient,
                exclusion: pda::exclusion(&self.uei).0,
                property: self.property,
                award: self.award(),
                authority: self.authority,
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
                ledger: ledger(),
                agency: k.agency,
                member: pda::member(&k.agency, &self.authority).0,
                appropriation: k.appropriation,
                allotment: k.allotment,
                award: k.award,
                authority: self.authority,
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
                ledger: ledger(),
                agency: self.agency,
                member: pda::member(&self.agency, &self.authority).0,
                award: self.award,
                authority: self.authority,
                event_authority: pda::event_authority(),
                program: ID,
            },
            data::CloseAward {},
        )
    }
}

// ── payments ────────────────────────────────────────────────────────────────────────────────────────────────

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
                ledger: ledger(),
                agency: self.agency,
                member: pda::member(&self.agency, &self.authority).0,
                award: self.award,
                payment: self.payment(),
                reference: self.reference,
                authority: self.authority,
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
        let member = pda::member(&agency, &authority).0;
        let (ledger, event_authority) = (ledger(), pda::event_authority());
        match self.decision {
            PaymentDecision::Approve => build(
                acc::ApprovePayment {
                    ledger,
                    agency,
                    member,
                    award,
                    payment,
                    authority,
                    event_authority,
                    program: ID,
                },
                data::ApprovePayment {},
            ),
            PaymentDecision::Reject => build(
                acc::RejectPayment {
                    ledger,
                    agency,
                    member,
                    award,
                    payment,
                    authority,
                    event_authority,
                    program: ID,
                },
                data::RejectPayment {},
            ),
            PaymentDecision::Cancel => build(
                acc::CancelPayment {
                    ledger,
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
                ledger: ledger(),
                agency: k.agency,
                member: pda::member(&k.agency, &self.executor).0,
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
                executor: self.executor,
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
                ledger: ledger(),
                agency: k.agency,
                member: pda::member(&k.agency, &self.executor).0,
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
                executor: self.executor,
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
                ledger: ledger(),
                agency: self.agency,
                member: pda::member(&self.agency, &self.executor).0,
                exclusion_list: pda::exclusion_list(),
                payment_mint: self.payment_mint,
                treasury: pda::treasury(&self.agency).0,
                executor: self.executor,
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

// ── oversight ───────────────────────────────────────────────────────────────────────────────────────────────

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

// ── payout wallets ──────────────────────────────────────────────────────────────────────────────────────────

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
            ledger: ledger(),
            agency: self.agency,
            member: pda::member(&self.agency, &self.authority).0,
            recipient: self.recipient,
            authority: self.authority,
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

// ── public flags ────────────────────────────────────────────────────────────────────────────────────────────

/// `raise_flag`: any wallet signs and pays the flag's rent. A flagged payment names its award too.
#[derive(Clone, Copy)]
pub struct RaiseFlag {
    pub target: Pubkey,
    pub payment_award: Option<Pubkey>,
    pub target_kind: FlagTarget,
    pub flagger: Pubkey,
    pub nonce: u32,
    pub reason: FlagReason,
    pub evidence_hash: [u8; 32],
    /// A payment's index on `payment_award` (the target is then the payment's address); none otherwise.
    pub payment_index: Option<u32>,
}

impl RaiseFlag {
    /// Flags payment `index` of `award`, whichever path it went and whether or not its account is still there.
    pub fn payment(award: Pubkey, index: u32, flagger: Pubkey, nonce: u32) -> Self {
        Self {
            target: pda::payment(&award, index).0,
            payment_award: Some(award),
            target_kind: FlagTarget::Payment,
            flagger,
            nonce,
            reason: FlagReason::Other,
            evidence_hash: [0; 32],
            payment_index: Some(index),
        }
    }

    pub fn flag(&self) -> Pubkey {
        pda::flag(&self.target, &self.flagger, self.nonce).0
    }

    pub fn instruction(&self) -> Instruction {
        build(
            acc::RaiseFlag {
                ledger: ledger(),
                target: self.target,
                payment_award: self.payment_award,
                flag: self.flag(),
                flagger: self.flagger,
                system_program: system_program::ID,
                event_authority: pda::event_authority(),
                program: ID,
            },
            data::RaiseFlag {
                args: RaiseFlagArgs {
                    target_kind: self.target_kind,
                    nonce: self.nonce,
                    reason: self.reason,
                    evidence_hash: self.evidence_hash,
                    payment_index: self.payment_index,
                },
            },
        )
    }
}

/// `respond_to_flag`: the agency head (`as_member = false`) or an active member of the flag's agency signs.
pub struct RespondToFlag {
    pub flag: Pubkey,
    pub agency: Pubkey,
    pub responder: Pubkey,
    pub as_member: bool,
    pub response_hash: [u8; 32],
}

impl RespondToFlag {
    pub fn instruction(&self) -> Instruction {
        build(
            acc::RespondToFlag {
                ledger: ledger(),
                agency: self.agency,
                member: self
                    .as_member
                    .then(|| pda::member(&self.agency, &self.responder).0),
                flag: self.flag,
                responder: self.responder,
                event_authority: pda::event_authority(),
                program: ID,
            },
            data::RespondToFlag {
                args: RespondToFlagArgs {
                    response_hash: self.response_hash,
                },
            },
        )
    }
}

/// `resolve_flag`: an auditor signs; `outcome` is `Resolved` or `Dismissed`.
pub struct ResolveFlag {
    pub flag: Pubkey,
    pub auditor: Pubkey,
    pub outcome: FlagStatus,
    pub note_hash: [u8; 32],
}

impl ResolveFlag {
    pub fn instruction(&self) -> Instruction {
        build(
            acc::ResolveFlag {
                ledger: ledger(),
                flag: self.flag,
                auditor: self.auditor,
                event_authority: pda::event_authority(),
                program: ID,
            },
            data::ResolveFlag {
                args: ResolveFlagArgs {
                    outcome: self.outcome,
                    note_hash: self.note_hash,
                },
            },
        )
    }
}

/// `close_flag`: permissionless; the rent goes back to `flagger`.
pub struct CloseFlag {
    pub flag: Pubkey,
    pub flagger: Pubkey,
}

impl CloseFlag {
    pub fn instruction(&self) -> Instruction {
        build(
            acc::CloseFlag {
                ledger: ledger(),
                flag: self.flag,
                flagger: self.flagger,
                event_authority: pda::event_authority(),
                program: ID,
            },
            data::CloseFlag {},
        )
    }
}

// ── property ────────────────────────────────────────────────────────────────────────────────────────────────

/// `register_property`: a PROPERTY member signs and pays.
pub struct RegisterProperty {
    pub agency: Pubkey,
    pub authority: Pubkey,
    pub rpuid: String,
    pub details: PropertyDetails,
}

impl RegisterProperty {
    pub fn property(&self) -> Pubkey {
        pda::property(&self.agency, &self.rpuid).0
    }

    pub fn instruction(&self) -> Instruction {
        build(
            acc::RegisterProperty {
                ledger: ledger(),
                agency: self.agency,
                member: pda::member(&self.agency, &self.authority).0,
                property: self.property(),
                authority: self.authority,
                system_program: system_program::ID,
                event_authority: pda::event_authority(),
                program: ID,
            },
            data::RegisterProperty {
                args: RegisterPropertyArgs {
                    rpuid: self.rpuid.clone(),
                    details: self.details.clone(),
                },
            },
        )
    }
}

/// What `ChangeProperty` does to a property.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PropertyChange {
    Update(PropertyDetails),
    Dispose(DisposePropertyArgs),
}

/// `update_property` or `dispose_property`: a PROPERTY member of the property's agency signs.
pub struct ChangeProperty {
    pub agency: Pubkey,
    pub property: Pubkey,
    pub authority: Pubkey,
    pub change: PropertyChange,
}

impl ChangeProperty {
    pub fn instruction(&self) -> Instruction {
        let accounts = acc::ChangeProperty {
            ledger: ledger(),
            agency: self.agency,
            member: pda::member(&self.agency, &self.authority).0,
            property: self.property,
            authority: self.authority,
            event_authority: pda::event_authority(),
            program: ID,
        };
        match &self.change {
            PropertyChange::Update(details) => build(
                accounts,
                data::UpdateProperty {
                    details: details.clone(),
                },
            ),
            PropertyChange::Dispose(args) => {
                build(accounts, data::DisposeProperty { args: args.clone() })
            }
        }
    }
}
