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

    /// Replaces the ledger's list of auditors when it only adds to it (removing one takes notice:
    /// `propose_auditors`).
    #[access_control(ctx.accounts.validate(&args))]
    pub fn set_auditors(ctx: Context<SetAuditors>, args: SetAuditorsArgs) -> Result<()> {
        governance::set_auditors::handler(ctx, args)
    }

    /// Proposes an auditor list that removes auditors; public at once, it applies after a week's notice.
    pub fn propose_auditors(ctx: Context<ProposeAuditors>, args: SetAuditorsArgs) -> Result<()> {
        governance::auditors_change::propose(ctx, args)
    }

    /// Applies the proposed auditor list once its notice is over (ledger admin).
    pub fn apply_auditors(ctx: Context<ApplyAuditors>) -> Result<()> {
        governance::auditors_change::apply(ctx)
    }

    /// Sets the ledger-wide limits (fast-path ceilings, minimum notice) when they only tighten; before any agency
    /// is registered, as the admin likes. Loosening them takes notice: `propose_ledger_limits`.
    #[access_control(ctx.accounts.validate(&limits))]
    pub fn set_ledger_limits(ctx: Context<SetLedgerLimits>, limits: LedgerLimits) -> Result<()> {
        governance::limits::set(ctx, limits)
    }

    /// Proposes looser ledger-wide limits; public at once, they apply after the minimum notice in force now.
    pub fn propose_ledger_limits(
        ctx: Context<ProposeLedgerLimits>,
        limits: LedgerLimits,
    ) -> Result<()> {
        governance::limits::propose(ctx, limits)
    }

    /// Applies the proposed limits once their notice is over (ledger admin).
    pub fn apply_ledger_limits(ctx: Context<ApplyLedgerLimits>) -> Result<()> {
        governance::limits::apply(ctx)
    }

    /// Withdraws the proposed limits (ledger admin).
    pub fn withdraw_ledger_limits(ctx: Context<WithdrawLedgerLimits>) -> Result<()> {
        governance::limits::withdraw(ctx)
    }

    /// Stops every state change until `unpause`.
    pub fn pause(ctx: Context<Pause>) -> Result<()> {
        governance::pause::handler(ctx)
    }

    /// Lifts a pause.
    pub fn unpause(ctx: Context<Unpause>) -> Result<()> {
        governance::unpause::handler(ctx)
    }

    // ── agency ──────────────────────────────────────────────────────────────────────────────────────────────

    /// Registers an agency with its head, and creates its treasury token account (ledger admin only).
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

    /// Proposes a loosening of the agency's controls (agency head only): a higher threshold or cap, fewer
    /// approvals, a shorter time lock, a new member, a role granted or a member reactivated. Public at once; it
    /// applies after the longer of the agency's time lock and a day, unless an auditor vetoes it.
    #[access_control(ctx.accounts.validate(&change))]
    pub fn propose_change(ctx: Context<ProposeChange>, change: ControlChange) -> Result<()> {
        agency::change::propose(ctx, change)
    }

    /// Applies a proposed policy change after its notice (agency head only).
    #[access_control(ctx.accounts.validate())]
    pub fn apply_policy_change(ctx: Context<ApplyPolicyChange>) -> Result<()> {
        agency::change::apply_policy(ctx)
    }

    /// Applies a proposed member change after its notice (agency head only).
    #[access_control(ctx.accounts.validate())]
    pub fn apply_member_change(ctx: Context<ApplyMemberChange>) -> Result<()> {
        agency::change::apply_member(ctx)
    }

    /// Withdraws the head's own pending change before it applies (agency head only).
    pub fn withdraw_change(ctx: Context<WithdrawChange>) -> Result<()> {
        agency::change::withdraw(ctx)
    }

    /// Vetoes a pending change before it applies, with reason and evidence (an auditor).
    pub fn veto_change(ctx: Context<VetoChange>, args: OversightArgs) -> Result<()> {
        agency::change::veto(ctx, args)
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
    #[access_control(ctx.accounts.validate())]
    pub fn approve_payment(ctx: Context<ApprovePayment>) -> Result<()> {
        payments::approve_payment::handler(ctx)
    }

    /// Rejects a payment that has not executed (APPROVE role).
    #[access_control(ctx.accounts.validate())]
    pub fn reject_payment(ctx: Context<RejectPayment>) -> Result<()> {
        payments::reject_payment::handler(ctx)
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

    /// Freezes an agency: none of its members can act until unfrozen (auditor, with reason and evidence).
    pub fn freeze_agency(ctx: Context<FreezeAgency>, args: OversightArgs) -> Result<()> {
        oversight::freeze_agency::handler(ctx, args)
    }

    /// Lifts an agency freeze (auditor, with reason and evidence).
    pub fn unfreeze_agency(ctx: Context<UnfreezeAgency>, args: OversightArgs) -> Result<()> {
        oversight::unfreeze_agency::handler(ctx, args)
    }

    /// Holds a payment: it can neither execute nor be cancelled or rejected until released (auditor).
    pub fn hold_payment(ctx: Context<HoldPayment>, args: OversightArgs) -> Result<()> {
        oversight::hold_payment::handler(ctx, args)
    }

    /// Releases a held payment (auditor, with reason and evidence).
    pub fn release_payment(ctx: Context<ReleasePayment>, args: OversightArgs) -> Result<()> {
        oversight::release_payment::handler(ctx, args)
    }

    /// Holds a whole award: no payment may be requested, paid or executed on it until released (auditor).
    pub fn hold_award(ctx: Context<SetAwardHold>, args: OversightArgs) -> Result<()> {
        oversight::hold_award::handler(ctx, args, true)
    }

    /// Releases a held award (auditor, with reason and evidence).
    pub fn release_award(ctx: Context<SetAwardHold>, args: OversightArgs) -> Result<()> {
        oversight::hold_award::handler(ctx, args, false)
    }

    /// Suspends or debars a UEI in every agency through its ledger-wide exclusion (auditor).
    #[access_control(ctx.accounts.validate(&args))]
    pub fn debar_recipient(ctx: Context<DebarRecipient>, args: DebarRecipientArgs) -> Result<()> {
        oversight::debar_recipient::handler(ctx, args)
    }

    /// Lifts a UEI's suspension or debarment (auditor, with reason and evidence).
    pub fn reinstate_recipient(
        ctx: Context<ReinstateRecipient>,
        args: OversightArgs,
    ) -> Result<()> {
        oversight::reinstate_recipient::handler(ctx, args)
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
