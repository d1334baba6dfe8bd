use anchor_lang::prelude::*;

use crate::{
    constants::*,
    error::LedgerError,
    events::FlagResponded,
    state::{require_nonzero_hash, Agency, Flag, FlagStatus, Ledger, Member},
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct RespondToFlagArgs {
    /// sha256 of the agency's response kept off chain.
    pub response_hash: [u8; 32],
}

/// The flagged target's agency answers: its head, or any active member (who passes their member account).
/// A later response replaces an earlier one until an auditor rules.
#[event_cpi]
#[derive(Accounts)]
pub struct RespondToFlag<'info> {
    #[account(seeds = [LEDGER_SEED], bump = ledger.bump, constraint = !ledger.paused @ LedgerError::Paused)]
    pub ledger: Box<Account<'info, Ledger>>,
    #[account(
        seeds = [AGENCY_SEED, agency.code.as_bytes()],
        bump = agency.bump,
        constraint = agency.key() == flag.agency @ LedgerError::WrongAgency,
    )]
    pub agency: Box<Account<'info, Agency>>,
    /// The responder's member account in `agency`; omitted when the head responds.
    pub member: Option<Box<Account<'info, Member>>>,
    #[account(mut, constraint = !flag.status.is_final() @ LedgerError::FlagFinal)]
    pub flag: Box<Account<'info, Flag>>,
    pub responder: Signer<'info>,
}

impl RespondToFlag<'_> {
    pub fn validate(&self) -> Result<()> {
        let responder = self.responder.key();
        if responder == self.agency.head {
            return Ok(());
        }
        let member = self.member.as_ref().ok_or(LedgerError::NotActiveMember)?;
        // Member accounts are written only by `set_member`, whose seeds bind `agency` and `key`.
        require_keys_eq!(member.agency, self.agency.key(), LedgerError::WrongAgency);
        require_keys_eq!(member.key, responder, LedgerError::NotActiveMember);
        require!(member.active, LedgerError::NotActiveMember);
        Ok(())
    }
}

pub fn handler(ctx: Context<RespondToFlag>, args: RespondToFlagArgs) -> Result<()> {
    require_nonzero_hash(&args.response_hash)?;
    let flag = &mut ctx.accounts.flag;
    flag.status = FlagStatus::Responded;
    flag.response_hash = args.response_hash;
    flag.responded_by = ctx.accounts.responder.key();
    flag.responded_at = Clock::get()?.unix_timestamp;
    emit_cpi!(FlagResponded {
        flag: flag.key(),
        agency: flag.agency,
        responder: flag.responded_by,
        response_hash: flag.response_hash,
    });
    Ok(())
}
