//! Loosening an agency's controls on notice: the head proposes (`propose_change`), the change is public at once
//! and waits the longer of the agency's time lock and `MIN_CHANGE_NOTICE_SECONDS`; an auditor may veto it
//! meanwhile (`veto_change`); after it the head applies it (`apply_policy_change`, `apply_member_change`).
//! Tightening needs none of this: `set_approval_policy` and `set_member` apply it at once.

use anchor_lang::prelude::*;

use crate::{
    constants::*,
    error::LedgerError,
    events::{
        ApprovalPolicySet, ChangeApplied, ChangeProposed, ChangeVetoed, ChangeWithdrawn, MemberSet,
    },
    state::{Agency, ControlChange, Ledger, Member, OversightArgs, PendingChange},
};

#[event_cpi]
#[derive(Accounts)]
#[instruction(change: ControlChange)]
pub struct ProposeChange<'info> {
    #[account(seeds = [LEDGER_SEED], bump = ledger.bump, constraint = !ledger.paused @ LedgerError::Paused)]
    pub ledger: Box<Account<'info, Ledger>>,
    #[account(
        seeds = [AGENCY_SEED, agency.code.as_bytes()],
        bump = agency.bump,
        has_one = head @ LedgerError::NotAgencyHead,
    )]
    pub agency: Box<Account<'info, Agency>>,
    /// One pending change per subject: a second waits until the first is applied or vetoed.
    #[account(
        init,
        payer = head,
        space = PendingChange::SPACE,
        seeds = [CHANGE_SEED, agency.key().as_ref(), change.subject(&agency.key()).as_ref()],
        bump,
    )]
    pub pending: Box<Account<'info, PendingChange>>,
    #[account(mut)]
    pub head: Signer<'info>,
    pub system_program: Program<'info, System>,
}

impl ProposeChange<'_> {
    pub fn validate(&self, change: &ControlChange) -> Result<()> {
        self.agency.require_not_frozen()?;
        // A member on notice is one being given something: an active member with no role has nothing to wait for.
        if let ControlChange::Member { roles, active, .. } = change {
            require!(!*active || *roles != 0, LedgerError::MemberWithoutRoles);
        }
        change.validate(&self.agency.head, &self.ledger.limits)
    }
}

pub fn propose(ctx: Context<ProposeChange>, change: ControlChange) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let agency = ctx.accounts.agency.key();
    let effective_at = ctx
        .accounts
        .agency
        .change_effective_at(now, &ctx.accounts.ledger.limits)?;
    let pending = &mut ctx.accounts.pending;
    pending.set_inner(PendingChange {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.pending,
        agency,
        subject: change.subject(&agency),
        change,
        proposed_by: ctx.accounts.head.key(),
        proposed_at: now,
        effective_at,
    });
    emit_cpi!(ChangeProposed {
        agency,
        pending: pending.key(),
        change,
        proposed_by: pending.proposed_by,
        effective_at,
    });
    Ok(())
}

/// Checks shared by both applications: the head's own change, its notice over, the agency not frozen, and the
/// change still valid as the direct instruction would check it now.
fn require_applicable(agency: &Agency, pending: &PendingChange, ledger: &Ledger) -> Result<()> {
    agency.require_not_frozen()?;
    let now = Clock::get()?.unix_timestamp;
    require!(now >= pending.effective_at, LedgerError::NoticeNotOver);
    pending.change.validate(&agency.head, &ledger.limits)
}

#[event_cpi]
#[derive(Accounts)]
pub struct ApplyPolicyChange<'info> {
    #[account(seeds = [LEDGER_SEED], bump = ledger.bump, constraint = !ledger.paused @ LedgerError::Paused)]
    pub ledger: Box<Account<'info, Ledger>>,
    #[account(
        mut,
        seeds = [AGENCY_SEED, agency.code.as_bytes()],
        bump = agency.bump,
        has_one = head @ LedgerError::NotAgencyHead,
    )]
    pub agency: Box<Account<'info, Agency>>,
    #[account(
        mut,
        close = head,
        seeds = [CHANGE_SEED, agency.key().as_ref(), agency.key().as_ref()],
        bump = pending.bump,
        has_one = agency @ LedgerError::WrongAgency,
    )]
    pub pending: Box<Account<'info, PendingChange>>,
    #[account(mut)]
    pub head: Signer<'info>,
}

impl ApplyPolicyChange<'_> {
    pub fn validate(&self) -> Result<()> {
        require_applicable(&self.agency, &self.pending, &self.ledger)
    }
}

pub fn apply_policy(ctx: Context<ApplyPolicyChange>) -> Result<()> {
    let ControlChange::Policy { policy } = ctx.accounts.pending.change else {
        return err!(LedgerError::WrongChangeKind);
    };
    let agency = &mut ctx.accounts.agency;
    agency.policy = policy;
    agency.invariant()?;
    emit_cpi!(ChangeApplied {
        agency: agency.key(),
        pending: ctx.accounts.pending.key(),
        change: ctx.accounts.pending.change,
        proposed_at: ctx.accounts.pending.proposed_at,
    });
    emit_cpi!(ApprovalPolicySet {
        agency: agency.key(),
        policy
    });
    Ok(())
}

#[event_cpi]
#[derive(Accounts)]
pub struct ApplyMemberChange<'info> {
    #[account(seeds = [LEDGER_SEED], bump = ledger.bump, constraint = !ledger.paused @ LedgerError::Paused)]
    pub ledger: Box<Account<'info, Ledger>>,
    #[account(
        seeds = [AGENCY_SEED, agency.code.as_bytes()],
        bump = agency.bump,
        has_one = head @ LedgerError::NotAgencyHead,
    )]
    pub agency: Box<Account<'info, Agency>>,
    #[account(
        mut,
        close = head,
        seeds = [CHANGE_SEED, agency.key().as_ref(), pending.subject.as_ref()],
        bump = pending.bump,
        has_one = agency @ LedgerError::WrongAgency,
    )]
    pub pending: Box<Account<'info, PendingChange>>,
    #[account(
        init_if_needed,
        payer = head,
        space = Member::SPACE,
        seeds = [MEMBER_SEED, agency.key().as_ref(), pending.subject.as_ref()],
        bump,
    )]
    pub member: Box<Account<'info, Member>>,
    #[account(mut)]
    pub head: Signer<'info>,
    pub system_program: Program<'info, System>,
}

impl ApplyMemberChange<'_> {
    pub fn validate(&self) -> Result<()> {
        require_applicable(&self.agency, &self.pending, &self.ledger)
    }
}

pub fn apply_member(ctx: Context<ApplyMemberChange>) -> Result<()> {
    let ControlChange::Member { key, roles, active } = ctx.accounts.pending.change else {
        return err!(LedgerError::WrongChangeKind);
    };
    let agency = ctx.accounts.agency.key();
    let member = &mut ctx.accounts.member;
    member.set_inner(Member {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.member,
        agency,
        key,
        roles,
        active,
    });
    member.invariant()?;
    emit_cpi!(ChangeApplied {
        agency,
        pending: ctx.accounts.pending.key(),
        change: ctx.accounts.pending.change,
        proposed_at: ctx.accounts.pending.proposed_at,
    });
    emit_cpi!(MemberSet {
        agency,
        member: member.key(),
        key,
        roles,
        active
    });
    Ok(())
}

#[event_cpi]
#[derive(Accounts)]
pub struct WithdrawChange<'info> {
    #[account(seeds = [LEDGER_SEED], bump = ledger.bump, constraint = !ledger.paused @ LedgerError::Paused)]
    pub ledger: Box<Account<'info, Ledger>>,
    #[account(
        seeds = [AGENCY_SEED, agency.code.as_bytes()],
        bump = agency.bump,
        has_one = head @ LedgerError::NotAgencyHead,
    )]
    pub agency: Box<Account<'info, Agency>>,
    #[account(
        mut,
        close = head,
        seeds = [CHANGE_SEED, agency.key().as_ref(), pending.subject.as_ref()],
        bump = pending.bump,
        has_one = agency @ LedgerError::WrongAgency,
    )]
    pub pending: Box<Account<'info, PendingChange>>,
    #[account(mut)]
    pub head: Signer<'info>,
}

/// The head withdraws its own pending change (a mistake, or one it no longer wants) before it applies.
pub fn withdraw(ctx: Context<WithdrawChange>) -> Result<()> {
    emit_cpi!(ChangeWithdrawn {
        agency: ctx.accounts.agency.key(),
        pending: ctx.accounts.pending.key(),
        change: ctx.accounts.pending.change,
    });
    Ok(())
}

#[event_cpi]
#[derive(Accounts)]
pub struct VetoChange<'info> {
    #[account(
        seeds = [LEDGER_SEED],
        bump = ledger.bump,
        constraint = !ledger.paused @ LedgerError::Paused,
        constraint = ledger.is_auditor(&auditor.key()) @ LedgerError::NotAuditor,
    )]
    pub ledger: Box<Account<'info, Ledger>>,
    #[account(
        seeds = [AGENCY_SEED, agency.code.as_bytes()],
        bump = agency.bump,
        has_one = head @ LedgerError::NotAgencyHead,
    )]
    pub agency: Box<Account<'info, Agency>>,
    #[account(
        mut,
        close = head,
        seeds = [CHANGE_SEED, agency.key().as_ref(), pending.subject.as_ref()],
        bump = pending.bump,
        has_one = agency @ LedgerError::WrongAgency,
    )]
    pub pending: Box<Account<'info, PendingChange>>,
    /// Gets the proposal's rent back.
    /// CHECK: the agency's head, checked by `has_one` on the agency.
    #[account(mut)]
    pub head: UncheckedAccount<'info>,
    pub auditor: Signer<'info>,
}

/// An auditor vetoes a pending loosening, with its grounds; until it applies, at any time (a frozen agency's
/// included).
pub fn veto(ctx: Context<VetoChange>, args: OversightArgs) -> Result<()> {
    args.validate()?;
    emit_cpi!(ChangeVetoed {
        agency: ctx.accounts.agency.key(),
        pending: ctx.accounts.pending.key(),
        change: ctx.accounts.pending.change,
        reason: args.reason,
        evidence_hash: args.evidence_hash,
        auditor: ctx.accounts.auditor.key(),
    });
    Ok(())
}
