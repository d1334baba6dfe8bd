use anchor_lang::prelude::*;

use super::OversightNote;
use crate::{constants::UEI_LEN, error::LedgerError};

#[derive(
    AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
pub enum ExclusionStatus {
    /// No longer in force: payments may resume.
    #[default]
    Lifted,
    /// Temporarily barred from new awards and payments in every agency.
    Suspended,
    /// Barred from new awards and payments in every agency.
    Debarred,
}

/// A ledger-wide suspension or debarment of one Unique Entity ID, kept by auditors (the SAM.gov exclusion list
/// on chain). PDA `["exclusion", uei]`: every payment path checks this canonical address (`pay_batch` the
/// [`ExclusionList`] kept with it in the same instruction), so no agency can route around it with a recipient
/// record of its own.
#[account]
#[derive(InitSpace, Debug, Default, PartialEq, Eq)]
pub struct Exclusion {
    pub version: u8,
    pub bump: u8,
    pub uei: [u8; UEI_LEN],
    pub status: ExclusionStatus,
    /// Grounds of the latest change (exclusion or lift).
    pub note: OversightNote,
    /// The auditor who made the latest change.
    pub auditor: Pubkey,
    /// Exclusions and lifts so far.
    pub change_count: u32,
}

impl Exclusion {
    pub const SPACE: usize = 8 + Self::INIT_SPACE;

    pub fn in_force(&self) -> bool {
        self.status != ExclusionStatus::Lifted
    }
}

/// Fails when `exclusion` (already checked to be the canonical `["exclusion", uei]` address) holds an exclusion
/// in force. An address this program never wrote to is no exclusion.
pub fn require_not_excluded(exclusion: &AccountInfo) -> Result<()> {
    if exclusion.owner != &crate::ID || exclusion.data_is_empty() {
        return Ok(());
    }
    let data = exclusion.try_borrow_data()?;
    let state = Exclusion::try_deserialize(&mut &data[..])?;
    require!(!state.in_force(), LedgerError::RecipientNotActive);
    Ok(())
}

/// Every UEI under an exclusion in force, in ascending byte order, each once: PDA `["exclusion_list"]`, created
/// with the ledger and kept by `debar_recipient` and `reinstate_recipient` in the same instruction as the UEI's
/// [`Exclusion`], so the two never disagree. `pay_batch` names this one account instead of an exclusion address
/// per payment.
///
/// The program never deserializes the list: it binary-searches, inserts and removes in the raw bytes, so its
/// length is bounded by the account size (10 MiB, some 870,000 UEIs), not by the 32 KiB heap. The account may be
/// longer than the list says: room left by a lift stays, zeroed, for the next exclusion. Its Borsh layout is the
/// struct's, so the IDL decodes it.
#[account]
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ExclusionList {
    pub version: u8,
    pub bump: u8,
    /// UEIs whose exclusion is in force, ascending.
    pub ueis: Vec<[u8; UEI_LEN]>,
}

impl ExclusionList {
    /// Discriminator, version, bump and the list's length (u32): the UEIs follow.
    pub const HEADER: usize = 8 + 1 + 1 + 4;

    /// Where entry `i` starts in the account. Entries lie within the account (at most 10 MiB), so this cannot
    /// overflow; `saturating_` only says so to the arithmetic lint.
    fn slot(i: usize) -> usize {
        Self::HEADER.saturating_add(i.saturating_mul(UEI_LEN))
    }

    /// The list's length and where `uei` is or would go in it, from the raw account.
    fn find(
        data: &[u8],
        uei: &[u8; UEI_LEN],
    ) -> Result<(usize, core::result::Result<usize, usize>)> {
        require!(
            data.starts_with(Self::DISCRIMINATOR),
            ErrorCode::AccountDiscriminatorMismatch
        );
        let len_bytes: [u8; 4] = data
            .get(Self::HEADER.saturating_sub(4)..Self::HEADER)
            .and_then(|b| b.try_into().ok())
            .ok_or(ErrorCode::AccountDidNotDeserialize)?;
        let len = u32::from_le_bytes(len_bytes) as usize;
        require!(
            len.checked_mul(UEI_LEN)
                .and_then(|n| n.checked_add(Self::HEADER))
                .is_some_and(|end| end <= data.len()),
            ErrorCode::AccountDidNotDeserialize
        );
        let (mut low, mut high) = (0usize, len);
        while low < high {
            let mid = low.saturating_add(high.saturating_sub(low) / 2);
            match data[Self::slot(mid)..Self::slot(mid.saturating_add(1))].cmp(&uei[..]) {
                core::cmp::Ordering::Less => low = mid.saturating_add(1),
                core::cmp::Ordering::Greater => high = mid,
                core::cmp::Ordering::Equal => return Ok((len, Ok(mid))),
            }
        }
        Ok((len, Err(low)))
    }

    fn check_owner(list: &AccountInfo) -> Result<()> {
        require_keys_eq!(
            *list.owner,
            crate::ID,
            ErrorCode::AccountOwnedByWrongProgram
        );
        Ok(())
    }

    /// Whether `uei` is under an exclusion in force, by binary search of the list account.
    pub fn lists(list: &AccountInfo, uei: &[u8; UEI_LEN]) -> Result<bool> {
        Self::check_owner(list)?;
        let (_, at) = Self::find(&list.try_borrow_data()?, uei)?;
        Ok(at.is_ok())
    }

    /// Adds `uei`, which must not be listed, growing the account by one entry when it has no room left;
    /// `payer` (a signer) pays the added rent.
    pub fn insert<'info>(
        list: &AccountInfo<'info>,
        uei: &[u8; UEI_LEN],
        payer: &AccountInfo<'info>,
        system_program: &AccountInfo<'info>,
    ) -> Result<()> {
        Self::check_owner(list)?;
        let (len, at) = Self::find(&list.try_borrow_data()?, uei)?;
        let at = at.err().ok_or(LedgerError::InvariantViolated)?;
        let grown = len.checked_add(1).ok_or(LedgerError::Overflow)?;
        let needed = Self::slot(grown);
        if list.data_len() < needed {
            let rent = Rent::get()?
                .minimum_balance(needed)
                .saturating_sub(list.lamports());
            if rent > 0 {
                anchor_lang::system_program::transfer(
                    CpiContext::new(
                        system_program.key(),
                        anchor_lang::system_program::Transfer {
                            from: payer.clone(),
                            to: list.clone(),
                        },
                    ),
                    rent,
                )?;
            }
            list.resize(needed)?;
        }
        let mut data = list.try_borrow_mut_data()?;
        let (start, end) = (Self::slot(at), Self::slot(len));
        data.copy_within(start..end, Self::slot(at.saturating_add(1)));
        data[start..Self::slot(at.saturating_add(1))].copy_from_slice(uei);
        Self::write_len(&mut data, grown)
    }

    /// Removes `uei`, which must be listed, and zeroes the room it leaves at the end.
    pub fn remove(list: &AccountInfo, uei: &[u8; UEI_LEN]) -> Result<()> {
        Self::check_owner(list)?;
        let (len, at) = Self::find(&list.try_borrow_data()?, uei)?;
        let at = at.map_err(|_| error!(LedgerError::InvariantViolated))?;
        let last = len.saturating_sub(1);
        let mut data = list.try_borrow_mut_data()?;
        data.copy_within(
            Self::slot(at.saturating_add(1))..Self::slot(len),
            Self::slot(at),
        );
        data[Self::slot(last)..Self::slot(len)].fill(0);
        Self::write_len(&mut data, last)
    }

    fn write_len(data: &mut [u8], len: usize) -> Result<()> {
        let len = u32::try_from(len).map_err(|_| LedgerError::Overflow)?;
        data[Self::HEADER.saturating_sub(4)..Self::HEADER].copy_from_slice(&len.to_le_bytes());
        Ok(())
    }
}
