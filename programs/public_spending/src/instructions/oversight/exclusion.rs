use anchor_lang::prelude::*;

use super::auditing::*;
use crate::{
    constants::*,
    error::LedgerError,
    events::ExclusionSet,
    state::{
        validate_uei, Exclusion, ExclusionList, ExclusionStatus, OversightArgs, OversightReason,
    },
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct DebarRecipientArgs {
    /// The Unique Entity ID excluded in every agency.
    pub uei: [u8; UEI_LEN],
    /// `Suspended` or `Debarred`.
    pub status: ExclusionStatus,
    pub reason: OversightReason,
    /// sha256 of the evidence kept off chain.
    pub evidence_hash: [u8; 32],
}

/// Suspends or debars a UEI ledger-wide (auditor): creates its exclusion, or puts a lifted one back in force.
#[event_cpi]
#[derive(Accounts)]
#[instruction(args: DebarRecipientArgs)]
pub struct DebarRecipient<'info> {
    /// The auditor pays the exclusion account's rent the first time the UEI is excluded, and the exclusion
    /// list's added rent when it has no room for one more UEI.
    pub auditing: Auditing<'info>,
    #[account(
        init_if_needed,
        payer = auditing.auditor,
        space = Exclusion::SPACE,
        seeds = [EXCLUSION_SEED, &args.uei],
        bump,
    )]
    pub exclusion: Box<Account<'info, Exclusion>>,
    /// CHECK: the ledger's exclusion list (address and owner checked here, discriminator and layout where it is
    /// read); the UEI joins it when its exclusion comes into force.
    #[account(mut, seeds = [EXCLUSION_LIST_SEED], bump, owner = crate::ID)]
    pub exclusion_list: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

impl DebarRecipient<'_> {
    pub fn validate(&self, args: &DebarRecipientArgs) -> Result<()> {
        validate_uei(&args.uei)?;
        require!(
            args.status != ExclusionStatus::Lifted,
            LedgerError::InvalidExclusionStatus
        );
        require!(
            self.exclusion.status != args.status,
            LedgerError::RecipientStatusUnchanged
        );
        Ok(())
    }
}

pub fn debar(ctx: Context<DebarRecipient>, args: DebarRecipientArgs) -> Result<()> {
    let oversight = OversightArgs {
        reason: args.reason,
        evidence_hash: args.evidence_hash,
    };
    oversight.validate()?;
    let exclusion = &mut ctx.accounts.exclusion;
    // Suspended to debarred (or back) stays listed; from lifted, or never excluded, the UEI joins the list.
    if !exclusion.in_force() {
        ExclusionList::insert(
            &ctx.accounts.exclusion_list,
            &args.uei,
            &ctx.accounts.auditing.auditor,
            &ctx.accounts.system_program,
        )?;
    }
    exclusion.set_inner(Exclusion {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.exclusion,
        uei: args.uei,
        status: args.status,
        note: oversight.note(Clock::get()?.unix_timestamp),
        auditor: ctx.accounts.auditing.auditor.key(),
        change_count: exclusion
            .change_count
            .checked_add(1)
            .ok_or(LedgerError::Overflow)?,
    });
    emit_cpi!(ExclusionSet {
        exclusion: exclusion.key(),
        uei: exclusion.uei,
        status: exclusion.status,
        reason: args.reason,
        evidence_hash: args.evidence_hash,
        auditor: exclusion.auditor,
        concurring: None,
    });
    Ok(())
}

/// Lifts a UEI's suspension or debarment: the auditor who imposed it, or another with a second auditor
/// concurring. The account stays, with the grounds of the lift, so that the history of the exclusion is
/// readable on chain as well as from its events.
#[event_cpi]
#[derive(Accounts)]
pub struct ReinstateRecipient<'info> {
    pub auditing: Auditing<'info>,
    #[account(
        mut,
        seeds = [EXCLUSION_SEED, &exclusion.uei],
        bump = exclusion.bump,
        constraint = exclusion.in_force() @ LedgerError::RecipientStatusUnchanged,
    )]
    pub exclusion: Box<Account<'info, Exclusion>>,
    /// CHECK: the ledger's exclusion list (address and owner checked here, discriminator and layout where it is
    /// read); the UEI leaves it.
    #[account(mut, seeds = [EXCLUSION_LIST_SEED], bump, owner = crate::ID)]
    pub exclusion_list: UncheckedAccount<'info>,
    /// A second auditor, when an auditor who did not impose the exclusion lifts it.
    pub concurring: Option<Signer<'info>>,
}

pub fn reinstate(ctx: Context<ReinstateRecipient>, args: OversightArgs) -> Result<()> {
    args.validate()?;
    let exclusion = &mut ctx.accounts.exclusion;
    let concurring = ctx
        .accounts
        .auditing
        .require_may_lift(&exclusion.auditor, ctx.accounts.concurring.as_ref())?;
    ExclusionList::remove(&ctx.accounts.exclusion_list, &exclusion.uei)?;
    exclusion.status = ExclusionStatus::Lifted;
    exclusion.note = args.note(Clock::get()?.unix_timestamp);
    exclusion.auditor = ctx.accounts.auditing.auditor.key();
    exclusion.change_count = exclusion
        .change_count
        .checked_add(1)
        .ok_or(LedgerError::Overflow)?;
    emit_cpi!(ExclusionSet {
        exclusion: exclusion.key(),
        uei: exclusion.uei,
        status: exclusion.status,
        reason: args.reason,
        evidence_hash: args.evidence_hash,
        auditor: exclusion.auditor,
        concurring,
    });
    Ok(())
}
