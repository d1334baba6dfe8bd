//! Changes on notice, one primitive for every control that must not loosen at once: an agency's policy and
//! members (its head proposes), the ledger's auditors and limits (its admin proposes). A proposal is public at
//! once (`propose_change`); any auditor may veto it until it applies (`veto_change`), after which no change on
//! its subject may be proposed for `VETO_COOLING_OFF_SECONDS`; after its notice the proposer's office applies it
//! (`apply_change`, or `apply_member_change`, which creates the member record); the proposer may withdraw it
//! before (`withdraw_change`). Tightening needs none of this: `set_approval_policy`, `set_member` and
//! `set_ledger_limits` apply it at once.

use anchor_lang::prelude::*;

use crate::instructions::oversight::auditing::*;
use crate::{
    constants::*,
    error::LedgerError,
    events::{
        ApprovalPolicySet, AuditorsSet, ChangeApplied, ChangeProposed, ChangeVetoed,
        ChangeWithdrawn, LedgerLimitsSet, MemberSet,
    },
    state::{Agency, ControlChange, Ledger, Member, OversightArgs, PendingChange},
};

/// Whether `signer` holds the office that proposes and applies `change`: the head of `agency` (which must be
/// the change's scope) for an agency's controls, the ledger admin for the ledger's.
fn require_office(
    change: &ControlChange,
    ledger: &Ledger,
    agency: Option<&Agency>,
    signer: &Pubkey,
) -> Result<()> {
    if change.is_ledger_wide() {
        require!(agency.is_none(), LedgerError::WrongProposer);
        require_keys_eq!(*signer, ledger.admin, LedgerError::NotLedgerAdmin);
    } else {
        let agency = agency.ok_or(LedgerError::WrongProposer)?;
        require_keys_eq!(*signer, agency.head, LedgerError::NotAgencyHead);
        agency.require_not_frozen()?;
    }
    Ok(())
}

#[event_cpi]
#[derive(Accounts)]
#[instruction(change: ControlChange)]
pub struct ProposeChange<'info> {
    #[account(seeds = [LEDGER_SEED], bump = ledger.bump, constraint = !ledger.paused @ LedgerError::Paused)]
    pub ledger: Box<Account<'info, Ledger>>,
    /// The agency whose controls change; none for the ledger's auditors or limits.
    #[account(seeds = [AGENCY_SEED, agency.code.as_bytes()], bump = agency.bump)]
    pub agency: Option<Box<Account<'info, Agency>>>,
    /// One change per subject: a second waits until the first is applied or withdrawn, or its veto's
    /// cooling-off is over.
    #[account(
        init_if_needed,
        payer = proposer,
        space = PendingChange::SPACE,
        seeds = [
            CHANGE_SEED,
            change.scope(ledger.key(), agency.as_ref().map(|a| a.key())).as_ref(),
            change.subject(&change.scope(ledger.key(), agency.as_ref().map(|a| a.key()))).as_ref(),
        ],
        bump,
    )]
    pub pending: Box<Account<'info, PendingChange>>,
    /// The agency's head, or the ledger admin for the ledger's controls; pays the proposal's rent.
    #[account(mut)]
    pub proposer: Signer<'info>,
    pub system_program: Program<'info, System>,
}

impl ProposeChange<'_> {
    pub fn validate(&self, change: &ControlChange) -> Result<()> {
        let agency = self.agency.as_deref().map(|a| &**a);
        require_office(change, &self.ledger, agency, &self.proposer.key())?;
        // A member on notice is one being given something: an active member with no role has nothing to wait for.
        if let ControlChange::Member { roles, active, .. } = change {
            require!(!*active || *roles != 0, LedgerError::MemberWithoutRoles);
        }
        let head = agency.map_or(Pubkey::default(), |a| a.head);
        change.validate(&head, &self.ledger.limits)?;
        let pending = &self.pending;
        if pending.version != 0 {
            require!(pending.vetoed(), LedgerError::ChangeAlreadyPending);
            require!(
                Clock::get()?.unix_timestamp >= pending.cooling_off_until()?,
                LedgerError::VetoCoolingOff
            );
        }
        Ok(())
    }
}

pub fn propose(ctx: Context<ProposeChange>, change: ControlChange) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let ledger = &ctx.accounts.ledger;
    let limits = ledger.limits;
    let notice = i64::from(limits.min_change_notice_seconds);
    let (scope, effective_at) = match (&change, ctx.accounts.agency.as_deref()) {
        (ControlChange::Auditors { .. }, _) => (
            ledger.key(),
            now.checked_add(AUDITOR_CHANGE_NOTICE_SECONDS.max(notice)),
        ),
        (ControlChange::Limits { .. }, _) => (ledger.key(), now.checked_add(notice)),
        (_, Some(agency)) => (
            agency.key(),
            Some(agency.change_effective_at(now, &limits)?),
        ),
        (_, None) => return err!(LedgerError::WrongProposer),
    };
    let effective_at = effective_at.ok_or(LedgerError::Overflow)?;
    let pending = &mut ctx.accounts.pending;
    pending.set_inner(PendingChange {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.pending,
        agency: scope,
        subject: change.subject(&scope),
        change: change.clone(),
        proposed_by: ctx.accounts.proposer.key(),
        proposed_at: now,
        effective_at,
        vetoed_at: 0,
        vetoed_by: Pubkey::default(),
    });
    emit_cpi!(ChangeProposed {
        agency: scope,
        pending: pending.key(),
        change,
        proposed_by: pending.proposed_by,
        effective_at,
    });
    Ok(())
}

/// Checks shared by both applications: the office's own change, not vetoed, its notice over, and the change
/// still valid as the direct instruction would check it now.
fn require_applicable(
    ledger: &Ledger,
    agency: Option<&Agency>,
    pending: &PendingChange,
    signer: &Pubkey,
) -> Result<()> {
    require_office(&pending.change, ledger, agency, signer)?;
    require!(!pending.vetoed(), LedgerError::ChangeWasVetoed);
    require!(
        Clock::get()?.unix_timestamp >= pending.effective_at,
        LedgerError::NoticeNotOver
    );
    let head = agency.map_or(Pubkey::default(), |a| a.head);
    pending.change.validate(&head, &ledger.limits)
}

/// The accounts every step after the proposal names: the ledger, the agency when the change is one of its, and
/// the change.
#[derive(Accounts)]
pub struct PendingChangeAccounts<'info> {
    #[account(mut, seeds = [LEDGER_SEED], bump = ledger.bump)]
    pub ledger: Box<Account<'info, Ledger>>,
    #[account(
        mut,
        seeds = [AGENCY_SEED, agency.code.as_bytes()],
        bump = agency.bump,
        constraint = agency.key() == pending.agency @ LedgerError::WrongAgency,
    )]
    pub agency: Option<Box<Account<'info, Agency>>>,
    #[account(mut, seeds = [CHANGE_SEED, pending.agency.as_ref(), pending.subject.as_ref()], bump = pending.bump)]
    pub pending: Box<Account<'info, PendingChange>>,
}

impl PendingChangeAccounts<'_> {
    fn agency(&self) -> Option<&Agency> {
        self.agency.as_deref().map(|a| &**a)
    }
}

#[event_cpi]
#[derive(Accounts)]
pub struct ApplyChange<'info> {
    #[account(constraint = !change.ledger.paused @ LedgerError::Paused)]
    pub change: PendingChangeAccounts<'info>,
    /// The agency's head, or the ledger admin; gets the proposal's rent back.
    #[account(mut)]
    pub authority: Signer<'info>,
}

impl ApplyChange<'_> {
    pub fn validate(&self) -> Result<()> {
        let c = &self.change;
        require_applicable(&c.ledger, c.agency(), &c.pending, &self.authority.key())
    }
}

/// Applies a policy, auditors or limits change after its notice.
pub fn apply(ctx: Context<ApplyChange>) -> Result<()> {
    let accounts = &mut ctx.accounts.change;
    let pending = &accounts.pending;
    let change = pending.change.clone();
    match &change {
        ControlChange::Policy { policy } => {
            let agency = accounts.agency.as_mut().ok_or(LedgerError::WrongProposer)?;
            agency.policy = *policy;
            agency.invariant()?;
        }
        ControlChange::Auditors { auditors } => {
            accounts.ledger.auditors = auditors.clone();
            accounts.ledger.invariant()?;
        }
        ControlChange::Limits { limits } => {
            accounts.ledger.limits = *limits;
            accounts.ledger.invariant()?;
        }
        ControlChange::Member { .. } => return err!(LedgerError::WrongChangeKind),
    }
    emit_cpi!(ChangeApplied {
        agency: pending.agency,
        pending: pending.key(),
        change: change.clone(),
        proposed_at: pending.proposed_at,
    });
    match change {
        ControlChange::Policy { policy } => emit_cpi!(ApprovalPolicySet {
            agency: pending.agency,
            policy
        }),
        ControlChange::Auditors { auditors } => emit_cpi!(AuditorsSet { auditors }),
        ControlChange::Limits { limits } => emit_cpi!(LedgerLimitsSet { limits }),
        ControlChange::Member { .. } => {}
    }
    accounts
        .pending
        .close(ctx.accounts.authority.to_account_info())
}

#[event_cpi]
#[derive(Accounts)]
pub struct ApplyMemberChange<'info> {
    #[account(constraint = !change.ledger.paused @ LedgerError::Paused)]
    pub change: PendingChangeAccounts<'info>,
    #[account(
        init_if_needed,
        payer = head,
        space = Member::SPACE,
        seeds = [MEMBER_SEED, change.pending.agency.as_ref(), change.pending.subject.as_ref()],
        bump,
    )]
    pub member: Box<Account<'info, Member>>,
    /// The agency's head; pays for a new member record and gets the proposal's rent back.
    #[account(mut)]
    pub head: Signer<'info>,
    pub system_program: Program<'info, System>,
}

impl ApplyMemberChange<'_> {
    pub fn validate(&self) -> Result<()> {
        let c = &self.change;
        require_applicable(&c.ledger, c.agency(), &c.pending, &self.head.key())
    }
}

pub fn apply_member(ctx: Context<ApplyMemberChange>) -> Result<()> {
    let pending = &ctx.accounts.change.pending;
    let ControlChange::Member { key, roles, active } = pending.change else {
        return err!(LedgerError::WrongChangeKind);
    };
    let agency = pending.agency;
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
        pending: pending.key(),
        change: pending.change.clone(),
        proposed_at: pending.proposed_at,
    });
    emit_cpi!(MemberSet {
        agency,
        member: member.key(),
        key,
        roles,
        active
    });
    ctx.accounts
        .change
        .pending
        .close(ctx.accounts.head.to_account_info())
}

#[event_cpi]
#[derive(Accounts)]
pub struct WithdrawChange<'info> {
    #[account(constraint = !change.ledger.paused @ LedgerError::Paused)]
    pub change: PendingChangeAccounts<'info>,
    /// The agency's head, or the ledger admin; gets the proposal's rent back.
    #[account(mut)]
    pub authority: Signer<'info>,
}

impl WithdrawChange<'_> {
    /// The office's own change, before it applies; a vetoed one only once its cooling-off is over (it is the
    /// record that keeps the subject closed).
    pub fn validate(&self) -> Result<()> {
        let c = &self.change;
        let agency = c.agency();
        if c.pending.change.is_ledger_wide() {
            require!(agency.is_none(), LedgerError::WrongProposer);
            require_keys_eq!(
                self.authority.key(),
                c.ledger.admin,
                LedgerError::NotLedgerAdmin
            );
        } else {
            let agency = agency.ok_or(LedgerError::WrongProposer)?;
            require_keys_eq!(
                self.authority.key(),
                agency.head,
                LedgerError::NotAgencyHead
            );
        }
        if c.pending.vetoed() {
            require!(
                Clock::get()?.unix_timestamp >= c.pending.cooling_off_until()?,
                LedgerError::VetoCoolingOff
            );
        }
        Ok(())
    }
}

pub fn withdraw(ctx: Context<WithdrawChange>) -> Result<()> {
    let pending = &ctx.accounts.change.pending;
    emit_cpi!(ChangeWithdrawn {
        agency: pending.agency,
        pending: pending.key(),
        change: pending.change.clone(),
    });
    ctx.accounts
        .change
        .pending
        .close(ctx.accounts.authority.to_account_info())
}

#[event_cpi]
#[derive(Accounts)]
pub struct VetoChange<'info> {
    pub auditing: Auditing<'info>,
    #[account(
        mut,
        seeds = [CHANGE_SEED, pending.agency.as_ref(), pending.subject.as_ref()],
        bump = pending.bump,
        constraint = !pending.vetoed() @ LedgerError::ChangeWasVetoed,
    )]
    pub pending: Box<Account<'info, PendingChange>>,
}

/// An auditor vetoes a pending change, with its grounds, until it applies (a frozen agency's included). The
/// change stays on chain, marked, through its cooling-off.
pub fn veto(ctx: Context<VetoChange>, args: OversightArgs) -> Result<()> {
    args.validate()?;
    require!(
        ctx.accounts
            .pending
            .change
            .vetoable(&ctx.accounts.auditing.ledger.auditors),
        LedgerError::ChangeNotVetoable
    );
    let auditor = ctx.accounts.auditing.auditor.key();
    let pending = &mut ctx.accounts.pending;
    pending.vetoed_at = Clock::get()?.unix_timestamp;
    pending.vetoed_by = auditor;
    emit_cpi!(ChangeVetoed {
        agency: pending.agency,
        pending: pending.key(),
        change: pending.change.clone(),
        reason: args.reason,
        evidence_hash: args.evidence_hash,
        auditor,
        cooling_off_until: pending.cooling_off_until()?,
    });
    Ok(())
}
