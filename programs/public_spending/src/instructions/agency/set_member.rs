use anchor_lang::prelude::*;

use crate::{
    constants::*,
    error::LedgerError,
    events::MemberSet,
    state::{Agency, Ledger, Member},
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct SetMemberArgs {
    /// The member's signing key.
    pub key: Pubkey,
    /// Role bits: BUDGET=1, OBLIGATE=2, REQUEST=4, APPROVE=8, EXECUTE=16, PROPERTY=32. REQUEST with APPROVE,
    /// and OBLIGATE with EXECUTE, are refused together (separation of duties); the head's key takes none.
    pub roles: u8,
    /// False deactivates the member without losing the record.
    pub active: bool,
}

#[event_cpi]
#[derive(Accounts)]
#[instruction(args: SetMemberArgs)]
pub struct SetMember<'info> {
    #[account(seeds = [LEDGER_SEED], bump = ledger.bump, constraint = !ledger.paused @ LedgerError::Paused)]
    pub ledger: Box<Account<'info, Ledger>>,
    #[account(
        seeds = [AGENCY_SEED, agency.code.as_bytes()],
        bump = agency.bump,
        has_one = head @ LedgerError::NotAgencyHead,
    )]
    pub agency: Box<Account<'info, Agency>>,
    #[account(
        init_if_needed,
        payer = head,
        space = Member::SPACE,
        seeds = [MEMBER_SEED, agency.key().as_ref(), args.key.as_ref()],
        bump,
    )]
    pub member: Box<Account<'info, Member>>,
    #[account(mut)]
    pub head: Signer<'info>,
    pub system_program: Program<'info, System>,
}

impl SetMember<'_> {
    pub fn validate(&self, args: &SetMemberArgs) -> Result<()> {
        self.agency.require_not_frozen()?;
        require!(args.roles & !ALL_ROLES == 0, LedgerError::InvalidRoles);
        require!(!roles_conflict(args.roles), LedgerError::ConflictingRoles);
        require!(
            args.key != self.agency.head,
            LedgerError::HeadCannotBeMember
        );
        require!(
            !self.agency.in_service() || !self.member.granted_by(args.roles, args.active),
            LedgerError::LooseningNeedsNotice
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<SetMember>, args: SetMemberArgs) -> Result<()> {
    let agency = ctx.accounts.agency.key();
    let member = &mut ctx.accounts.member;
    member.set_inner(Member {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.member,
        agency,
        key: args.key,
        roles: args.roles,
        active: args.active,
    });
    member.invariant()?;
    emit_cpi!(MemberSet {
        agency,
        member: member.key(),
        key: args.key,
        roles: args.roles,
        active: args.active
    });
    Ok(())
}
