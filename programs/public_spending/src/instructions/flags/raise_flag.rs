use anchor_lang::prelude::*;

use crate::{
    constants::*,
    error::LedgerError,
    events::FlagRaised,
    state::{
        require_nonzero_hash, Award, Flag, FlagReason, FlagStatus, FlagTarget, Ledger, Property,
        Recipient,
    },
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct RaiseFlagArgs {
    pub target_kind: FlagTarget,
    /// Any number the flagger has not used on this target yet: one wallet may flag one target many times.
    pub nonce: u32,
    pub reason: FlagReason,
    /// sha256 of the flagger's evidence kept off chain.
    pub evidence_hash: [u8; 32],
    /// A flagged payment's index on its award (`target` is then its address `["payment", award, index]`,
    /// whether or not an account lives there: a fast-path payment never had one, an archived one has none
    /// left); none for other targets.
    pub payment_index: Option<u32>,
}

/// Anyone flags a payment, award, recipient or property. The flag never blocks a payment by itself.
#[event_cpi]
#[derive(Accounts)]
#[instruction(args: RaiseFlagArgs)]
pub struct RaiseFlag<'info> {
    #[account(seeds = [LEDGER_SEED], bump = ledger.bump, constraint = !ledger.paused @ LedgerError::Paused)]
    pub ledger: Box<Account<'info, Ledger>>,
    /// CHECK: a payment's address derived from its award and index, or an account owned by this program and
    /// decoded as `args.target_kind`, in `target_agency`.
    pub target: UncheckedAccount<'info>,
    /// A flagged payment's award (its agency is the award's); omitted for other targets.
    pub payment_award: Option<Box<Account<'info, Award>>>,
    #[account(
        init,
        payer = flagger,
        space = Flag::SPACE,
        seeds = [FLAG_SEED, target.key().as_ref(), flagger.key().as_ref(), &args.nonce.to_le_bytes()],
        bump,
    )]
    pub flag: Box<Account<'info, Flag>>,
    /// Any wallet; pays the flag's rent and gets it back when the flag is closed.
    #[account(mut)]
    pub flagger: Signer<'info>,
    pub system_program: Program<'info, System>,
}

/// The agency `target` belongs to. A payment is named by its award and index: its address must be the one
/// they derive and the index one the award has given out, whatever path it went (fast path, approval path,
/// archived). Any other target is read from its account as the kind the flag names it.
fn target_agency(
    target: &AccountInfo,
    kind: FlagTarget,
    award: Option<&Award>,
    payment_index: Option<u32>,
) -> Result<Pubkey> {
    if kind == FlagTarget::Payment {
        let (Some(award), Some(index)) = (award, payment_index) else {
            return err!(LedgerError::WrongFlagTarget);
        };
        let award_key = Pubkey::create_program_address(
            &[
                AWARD_SEED,
                award.agency.as_ref(),
                award.award_id.as_bytes(),
                &[award.bump],
            ],
            &crate::ID,
        )
        .map_err(|_| LedgerError::WrongFlagTarget)?;
        let (payment, _) = Pubkey::find_program_address(
            &[PAYMENT_SEED, award_key.as_ref(), &index.to_le_bytes()],
            &crate::ID,
        );
        require_keys_eq!(target.key(), payment, LedgerError::WrongFlagTarget);
        require!(index < award.payment_count, LedgerError::UnknownPayment);
        return Ok(award.agency);
    }
    require!(payment_index.is_none(), LedgerError::WrongFlagTarget);
    require_keys_eq!(*target.owner, crate::ID, LedgerError::WrongFlagTarget);
    let data = target.try_borrow_data()?;
    let mut bytes: &[u8] = &data;
    let agency = match kind {
        FlagTarget::Payment => Err(error!(LedgerError::WrongFlagTarget)),
        FlagTarget::Award => Award::try_deserialize(&mut bytes).map(|a| a.agency),
        FlagTarget::Recipient => Recipient::try_deserialize(&mut bytes).map(|r| r.agency),
        FlagTarget::Property => Property::try_deserialize(&mut bytes).map(|p| p.agency),
    };
    agency.map_err(|_| error!(LedgerError::WrongFlagTarget))
}

pub fn handler(ctx: Context<RaiseFlag>, args: RaiseFlagArgs) -> Result<()> {
    require_nonzero_hash(&args.evidence_hash)?;
    let agency = target_agency(
        &ctx.accounts.target,
        args.target_kind,
        ctx.accounts.payment_award.as_deref().map(|a| &**a),
        args.payment_index,
    )?;
    let flag = &mut ctx.accounts.flag;
    flag.set_inner(Flag {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.flag,
        target: ctx.accounts.target.key(),
        target_kind: args.target_kind,
        agency,
        flagger: ctx.accounts.flagger.key(),
        nonce: args.nonce,
        reason: args.reason,
        evidence_hash: args.evidence_hash,
        raised_at: Clock::get()?.unix_timestamp,
        status: FlagStatus::Open,
        ..Flag::default()
    });
    emit_cpi!(FlagRaised {
        flag: flag.key(),
        agency,
        target: flag.target,
        target_kind: flag.target_kind,
        flagger: flag.flagger,
        reason: flag.reason,
        evidence_hash: flag.evidence_hash,
    });
    Ok(())
}
