//! Public Spending Ledger: the execution of a public budget on Solana.
//!
//! appropriation (budget authority, set by ledger governance)
//!   └─ allotment (an agency splits it by program activity)
//!        └─ award / obligation (to a registered recipient)
//!             └─ payment / outlay (tokens move from the agency treasury to the recipient)
//!
//! Every level's totals are enforced on chain, every state change emits an event through `emit_cpi!`, and every
//! executed payment is folded into its agency's `outlay_hash` chain.
#![deny(clippy::arithmetic_side_effects)]
// Anchor's macros expand to cfg names (custom-heap, anchor-debug, ...) that this crate does not declare.
#![allow(unexpected_cfgs)]

use anchor_lang::prelude::*;

pub mod constants;
pub mod error;
pub mod events;
pub mod instructions;
pub mod state;

use instructions::*;
use state::{ApprovalPolicy, ControlChange, LedgerLimits, OversightArgs, PropertyDetails};

declare_id!("918joL18E25mNN3SBsdvhNH2K6CA8qPNPewQdFzNYhD7");

#[cfg(not(feature = "no-entrypoint"))]
solana_security_txt::security_txt! {
    name: "Public Spending Ledger",
    project_url: "https://github.com/public-spending-ledger/public-spending-ledger",
    contacts: "email:security@public-spending-ledger.org",
    policy: "https://github.com/public-spending-ledger/public-spending-ledger/blob/main/SECURITY.md",
    source_code: "https://github.com/public-spending-ledger/public-spending-ledger"
}

#[program]
pub mod public_spending {
    use super::*;

    // ── governance ──────────────────────────────────────────────────────────────────────────────────────────

    /// Creates the ledger: its first admin and the payment mint (its decimals are recorded). A Token-2022 mint
    /// with a transfer hook, permanent delegate, confidential transfers or non-transferable tokens is refused; on
    /// a mint with a transfer fee, each payment the fee would cut is refused.
    #[access_control(ctx.accounts.validate())]
    pub fn initialize_ledger(ctx: Context<InitializeLedger>) -> Result<()> {
        governance::initialize_ledger::handler(ctx)
    }

    /// Proposes a new ledger admin (step one of two).
    pub fn propose_admin(ctx: Context<ProposeAdmin>, args: ProposeAdminArgs) -> Result<()> {
        governance::propose_admin::handler(ctx, args)
    }

    /// The proposed admin takes over (step two of two).
    #[access_control(ctx.accounts.validate())]
    pub fn accept_admin(ctx: Context<AcceptAdmin>) -> Result<()> {
        governance::accept_admin::handler(ctx)
    }

    /// Names the ledger's auditors before any agency is registered; after that, a change of the auditors takes
    /// notice (`propose_change` with `ControlChange::Auditors`).
    #[access_control(ctx.accounts.validate(&args))]
    pub fn set_auditors(ctx: Context<SetAuditors>, args: SetAuditorsArgs) -> Result<()> {
        governance::set_auditors::handler(ctx, args)
    }

    /// Sets the ledger-wide limits (fast-path ceilings, minimum notice) when they only tighten; before any agency
    /// is registered, as the admin likes. Loosening them takes notice: `propose_ledger_limits`.
    #[access_control(ctx.accounts.validate(&limits))]
    pub fn set_ledger_limits(ctx: Context<SetLedgerLimits>, limits: LedgerLimits) -> Result<()> {
        governance::limits::set(ctx, limits)
    }

    /// Stops every state change until `unpause` (ledger admin).
    pub fn pause(ctx: Context<SetPause>) -> Result<()> {
        governance::pause::handler(ctx, true)
    }

    /// Lifts a pause (ledger admin).
    pub fn unpause(ctx: Context<SetPause>) -> Result<()> {
        governance::pause::handler(ctx, false)
    }

    /// Proposes a change on notice: a loosening of an agency's controls by its head (a higher threshold or cap,
    /// fewer approvals, a shorter time lock, a new member, a role granted or a member reactivated), or a change
    /// of the ledger's auditors or a loosening of its limits by the admin. Public at once; it applies after its
    /// notice unless an auditor vetoes it. After a veto no change on the same subject may be proposed for 30
    /// days.
    #[access_control(ctx.accounts.validate(&change))]
    pub fn propose_change(ctx: Context<ProposeChange>, change: ControlChange) -> Result<()> {
        governance::change::propose(ctx, change)
    }

    /// Applies a proposed policy, auditors or limits change after its notice (the proposer's office: the agency
    /// head or the ledger admin).
    #[access_control(ctx.accounts.validate())]
    pub fn apply_change(ctx: Context<ApplyChange>) -> Result<()> {
        governance::change::apply(ctx)
    }

    /// Applies a proposed member change after its notice (agency head only).
    #[access_control(ctx.accounts.validate())]
    pub fn apply_member_change(ctx: Context<ApplyMemberChange>) -> Result<()> {
        governance::change::apply_member(ctx)
    }

    /// Withdraws a pending change before it applies, or a vetoed one once its cooling-off is over (the
    /// proposer's office).
    #[access_control(ctx.accounts.validate())]
    pub fn withdraw_change(ctx: Context<WithdrawChange>) -> Result<()> {
        governance::change::withdraw(ctx)
    }

    /// Vetoes a pending change before it applies, with reason and evidence (an auditor); the change stays on
    /// chain, marked, through a 30-day cooling-off. An auditor list that only removes auditors is not vetoed.
    pub fn veto_change(ctx: Context<VetoChange>, args: OversightArgs) -> Result<()> {
        governance::change::veto(ctx, args)
    }

    // ── agency ──────────────────────────────────────────────────────────────────────────────────────────────

    /// Registers an agency with its head, and creates its treasury token account (ledger admin only). The agency
    /// is on notice for the ledger's minimum notice: its head staffs it and sets its policy in public, any
    /// auditor may freeze it, and its members cannot act until the notice ends.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn register_agency(ctx: Context<RegisterAgency>, args: RegisterAgencyArgs) -> Result<()> {
        agency::register_agency::handler(ctx, args)
    }

    /// Adds, changes or deactivates an agency member's roles (agency head only).
    #[access_control(ctx.accounts.validate(&args))]
    pub fn set_member(ctx: Context<SetMember>, args: SetMemberArgs) -> Result<()> {
        agency::set_member::handler(ctx, args)
    }

    /// Sets the agency's approval threshold, approvals required, time lock and fast-path cap (agency head only).
    #[access_control(ctx.accounts.validate(&policy))]
    pub fn set_approval_policy(
        ctx: Context<SetApprovalPolicy>,
        policy: ApprovalPolicy,
    ) -> Result<()> {
        agency::set_approval_policy::handler(ctx, policy)
    }

    // ── budget ──────────────────────────────────────────────────────────────────────────────────────────────

    /// Grants an agency budget authority under a Treasury Account Symbol and fiscal year (ledger admin only).
    #[access_control(ctx.accounts.validate(&args))]
    pub fn create_appropriation(
        ctx: Context<CreateAppropriation>,
        args: CreateAppropriationArgs,
    ) -> Result<()> {
        budget::create_appropriation::handler(ctx, args)
    }

    /// Sets part of an appropriation aside for a program activity (BUDGET role); never beyond budget authority.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn allot(ctx: Context<Allot>, args: AllotArgs) -> Result<()> {
        budget::allot::handler(ctx, args)
    }

    /// Ends an appropriation's availability: anyone after its end, the ledger admin at any time.
    #[access_control(ctx.accounts.validate())]
    pub fn expire_appropriation(ctx: Context<ExpireAppropriation>) -> Result<()> {
        budget::expire_appropriation::handler(ctx)
    }

    // ── awards ──────────────────────────────────────────────────────────────────────────────────────────────

    /// Registers a payee by UEI (OBLIGATE role); an individual's name is stored only as a salted hash.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn register_recipient(
        ctx: Context<RegisterRecipient>,
        args: RegisterRecipientArgs,
    ) -> Result<()> {
        awards::register_recipient::handler(ctx, args)
    }

    /// Obligates part of an allotment to a recipient as a new award (OBLIGATE role).
    #[access_control(ctx.accounts.validate(&args))]
    pub fn obligate(ctx: Context<Obligate>, args: ObligateArgs) -> Result<()> {
        awards::obligate::handler(ctx, args)
    }

    /// Increases or deobligates an award (OBLIGATE role); never below what is paid or in flight.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn modify_award(ctx: Context<ModifyAward>, args: ModifyAwardArgs) -> Result<()> {
        awards::modify_award::handler(ctx, args)
    }

    /// Closes a fully paid (or fully deobligated) award (OBLIGATE role).
    #[access_control(ctx.accounts.validate())]
    pub fn close_award(ctx: Context<CloseAward>) -> Result<()> {
        awards::close_award::handler(ctx)
    }

    // ── payments ────────────────────────────────────────────────────────────────────────────────────────────

    /// Requests a payment against an award at its next index (REQUEST role).
    #[access_control(ctx.accounts.validate(&args))]
    pub fn request_payment(ctx: Context<RequestPayment>, args: PaymentArgs) -> Result<()> {
        payments::request_payment::handler(ctx, args)
    }

    /// Approves a requested payment (APPROVE role; never the requester, never twice).
    #[access_control(ctx.accounts.validate_approval())]
    pub fn approve_payment(ctx: Context<DecidePayment>) -> Result<()> {
        payments::decide_payment::approve(ctx)
    }

    /// Rejects a payment that has not executed (APPROVE role).
    #[access_control(ctx.accounts.validate_rejection())]
    pub fn reject_payment(ctx: Context<DecidePayment>) -> Result<()> {
        payments::decide_payment::reject(ctx)
    }

    /// Cancels a payment that has not executed (its requester or the agency head).
    #[access_control(ctx.accounts.validate())]
    pub fn cancel_payment(ctx: Context<CancelPayment>) -> Result<()> {
        payments::cancel_payment::handler(ctx)
    }

    /// Pays an approved payment from the agency treasury once its time lock has passed (EXECUTE role).
    #[access_control(ctx.accounts.validate())]
    pub fn execute_payment(ctx: Context<ExecutePayment>) -> Result<()> {
        payments::execute_payment::handler(ctx)
    }

    /// Pays below the approval threshold and within the daily cap in one instruction, creating no account
    /// (EXECUTE role); `args.expected_index` makes a retry of a landed payment fail instead of paying twice.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn pay_small(ctx: Context<PaySmall>, args: FastPaymentArgs) -> Result<()> {
        payments::pay_small::handler(ctx, args)
    }

    /// Pays a schedule of fast-path invoices, each to its own award and recipient, in one instruction; every
    /// item is checked as `pay_small` checks its payment and any failing item fails the whole (EXECUTE role).
    #[access_control(ctx.accounts.validate(&args))]
    pub fn pay_batch<'info>(
        ctx: Context<'info, PayBatch<'info>>,
        args: PayBatchArgs,
    ) -> Result<()> {
        payments::pay_batch::handler(ctx, args)
    }

    /// Closes a final payment account and returns its rent; the record lives on in events and the hash chain.
    pub fn archive_payment(ctx: Context<ArchivePayment>) -> Result<()> {
        payments::archive_payment::handler(ctx)
    }

    // ── oversight ───────────────────────────────────────────────────────────────────────────────────────────

    /// Freezes an agency: none of its members can act until unfrozen (any auditor, with reason and evidence).
    pub fn freeze_agency(ctx: Context<SetAgencyFreeze>, args: OversightArgs) -> Result<()> {
        oversight::agency_freeze::handler(ctx, args, true)
    }

    /// Lifts an agency freeze: the auditor who imposed it, or another with a second auditor concurring.
    pub fn unfreeze_agency(ctx: Context<SetAgencyFreeze>, args: OversightArgs) -> Result<()> {
        oversight::agency_freeze::handler(ctx, args, false)
    }

    /// Holds a payment: it can neither execute nor be cancelled or rejected until released (any auditor).
    pub fn hold_payment(ctx: Context<SetPaymentHold>, args: OversightArgs) -> Result<()> {
        oversight::payment_hold::handler(ctx, args, true)
    }

    /// Releases a held payment: the auditor who held it, or another with a second auditor concurring.
    pub fn release_payment(ctx: Context<SetPaymentHold>, args: OversightArgs) -> Result<()> {
        oversight::payment_hold::handler(ctx, args, false)
    }

    /// Holds a whole award: no payment may be requested, paid or executed on it until released (any auditor).
    pub fn hold_award(ctx: Context<SetAwardHold>, args: OversightArgs) -> Result<()> {
        oversight::award_hold::handler(ctx, args, true)
    }

    /// Releases a held award: the auditor who held it, or another with a second auditor concurring.
    pub fn release_award(ctx: Context<SetAwardHold>, args: OversightArgs) -> Result<()> {
        oversight::award_hold::handler(ctx, args, false)
    }

    /// Suspends or debars a UEI in every agency through its ledger-wide exclusion (auditor).
    #[access_control(ctx.accounts.validate(&args))]
    pub fn debar_recipient(ctx: Context<DebarRecipient>, args: DebarRecipientArgs) -> Result<()> {
        oversight::exclusion::debar(ctx, args)
    }

    /// Lifts a UEI's suspension or debarment: the auditor who imposed it, or another with a second auditor
    /// concurring.
    pub fn reinstate_recipient(
        ctx: Context<ReinstateRecipient>,
        args: OversightArgs,
    ) -> Result<()> {
        oversight::exclusion::reinstate(ctx, args)
    }

    // ── public flags ────────────────────────────────────────────────────────────────────────────────────────

    /// Any wallet flags a payment, award, recipient or property; the flagger pays the rent.
    pub fn raise_flag(ctx: Context<RaiseFlag>, args: RaiseFlagArgs) -> Result<()> {
        flags::raise_flag::handler(ctx, args)
    }

    /// The target's agency answers a flag (its head or an active member).
    #[access_control(ctx.accounts.validate())]
    pub fn respond_to_flag(ctx: Context<RespondToFlag>, args: RespondToFlagArgs) -> Result<()> {
        flags::respond_to_flag::handler(ctx, args)
    }

    /// An auditor resolves or dismisses a flag.
    pub fn resolve_flag(ctx: Context<ResolveFlag>, args: ResolveFlagArgs) -> Result<()> {
        flags::resolve_flag::handler(ctx, args)
    }

    /// Anyone closes a resolved or dismissed flag; the rent returns to the flagger.
    pub fn close_flag(ctx: Context<CloseFlag>) -> Result<()> {
        flags::close_flag::handler(ctx)
    }

    // ── payout wallets ──────────────────────────────────────────────────────────────────────────────────────

    /// Proposes a new payout wallet for one of the agency's recipients (OBLIGATE role).
    #[access_control(ctx.accounts.validate())]
    pub fn propose_payout_wallet(
        ctx: Context<ChangePayoutWallet>,
        args: ProposePayoutWalletArgs,
    ) -> Result<()> {
        awards::payout_wallet::propose(ctx, args)
    }

    /// Confirms a proposed payout wallet, naming the wallet reviewed: a second OBLIGATE member, after the
    /// agency's time lock.
    #[access_control(ctx.accounts.validate())]
    pub fn confirm_payout_wallet(
        ctx: Context<ChangePayoutWallet>,
        args: ConfirmPayoutWalletArgs,
    ) -> Result<()> {
        awards::payout_wallet::confirm(ctx, args)
    }

    // ── property ────────────────────────────────────────────────────────────────────────────────────────────

    /// Adds a building, parcel of land or structure to the agency's inventory (PROPERTY role).
    #[access_control(ctx.accounts.validate(&args))]
    pub fn register_property(
        ctx: Context<RegisterProperty>,
        args: RegisterPropertyArgs,
    ) -> Result<()> {
        property::register_property::handler(ctx, args)
    }

    /// Changes a property's details (PROPERTY role); never a disposed one.
    #[access_control(ctx.accounts.validate())]
    pub fn update_property(ctx: Context<ChangeProperty>, details: PropertyDetails) -> Result<()> {
        property::update_property::update(ctx, details)
    }

    /// Disposes of a property for good (PROPERTY role).
    #[access_control(ctx.accounts.validate())]
    pub fn dispose_property(ctx: Context<ChangeProperty>, args: DisposePropertyArgs) -> Result<()> {
        property::update_property::dispose(ctx, args)
    }
}
