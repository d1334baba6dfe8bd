//! Every program-derived address, built from the program crate's own seed constants.

use anchor_lang::prelude::Pubkey;
use public_spending::{
    constants::{
        AGENCY_SEED, ALLOTMENT_SEED, APPROPRIATION_SEED, AUDITORS_SUBJECT, AWARD_SEED, CHANGE_SEED,
        EXCLUSION_LIST_SEED, EXCLUSION_SEED, FLAG_SEED, LEDGER_SEED, LIMITS_SUBJECT,
        MAIN_ACCOUNT_LEN, MEMBER_SEED, PAYMENT_SEED, PROPERTY_SEED, RECIPIENT_SEED,
        SUB_ACCOUNT_LEN, TREASURY_SEED, UEI_LEN,
    },
    ID,
};

fn find(seeds: &[&[u8]]) -> (Pubkey, u8) {
    Pubkey::find_program_address(seeds, &ID)
}

/// `["ledger"]`
pub fn ledger() -> (Pubkey, u8) {
    find(&[LEDGER_SEED])
}

/// `["agency", code]`
pub fn agency(code: &str) -> (Pubkey, u8) {
    find(&[AGENCY_SEED, code.as_bytes()])
}

/// `["treasury", agency]`: the agency's token account.
pub fn treasury(agency: &Pubkey) -> (Pubkey, u8) {
    find(&[TREASURY_SEED, agency.as_ref()])
}

/// `["member", agency, key]`
pub fn member(agency: &Pubkey, key: &Pubkey) -> (Pubkey, u8) {
    find(&[MEMBER_SEED, agency.as_ref(), key.as_ref()])
}

/// `["change", ledger, LIMITS_SUBJECT]`: proposed looser ledger-wide limits.
pub fn limits_change() -> Pubkey {
    change(&ledger().0, &Pubkey::new_from_array(LIMITS_SUBJECT)).0
}

/// `["change", ledger, AUDITORS_SUBJECT]`: a proposed auditor list.
pub fn auditors_change() -> Pubkey {
    change(&ledger().0, &Pubkey::new_from_array(AUDITORS_SUBJECT)).0
}

/// `["change", scope, subject]`: a change on notice. The scope is the agency whose controls change (the subject:
/// the agency for its policy, the member's key for a member), or the ledger for its auditors and limits.
pub fn change(scope: &Pubkey, subject: &Pubkey) -> (Pubkey, u8) {
    find(&[CHANGE_SEED, scope.as_ref(), subject.as_ref()])
}

/// [`change`] in `agency`, or in the ledger when none.
pub fn change_in(agency: Option<&Pubkey>, subject: &Pubkey) -> Pubkey {
    let scope = agency.copied().unwrap_or_else(|| ledger().0);
    change(&scope, subject).0
}

/// `["appropriation", agency, main_account, sub_account, fiscal_year (u16 LE)]`
pub fn appropriation(
    agency: &Pubkey,
    main_account: &[u8; MAIN_ACCOUNT_LEN],
    sub_account: &[u8; SUB_ACCOUNT_LEN],
    fiscal_year: u16,
) -> (Pubkey, u8) {
    find(&[
        APPROPRIATION_SEED,
        agency.as_ref(),
        main_account,
        sub_account,
        &fiscal_year.to_le_bytes(),
    ])
}

/// `["allotment", appropriation, index (u32 LE)]`
pub fn allotment(appropriation: &Pubkey, index: u32) -> (Pubkey, u8) {
    find(&[ALLOTMENT_SEED, appropriation.as_ref(), &index.to_le_bytes()])
}

/// `["recipient", agency, uei]`: one agency's record of a payee.
pub fn recipient(agency: &Pubkey, uei: &[u8; UEI_LEN]) -> (Pubkey, u8) {
    find(&[RECIPIENT_SEED, agency.as_ref(), uei])
}

/// `["exclusion", uei]`: the UEI's ledger-wide suspension or debarment, if an auditor ever wrote one.
pub fn exclusion(uei: &[u8; UEI_LEN]) -> (Pubkey, u8) {
    find(&[EXCLUSION_SEED, uei])
}

/// `["exclusion_list"]`: every UEI under an exclusion in force, which `pay_batch` checks.
pub fn exclusion_list() -> Pubkey {
    find(&[EXCLUSION_LIST_SEED]).0
}

/// `["flag", target, flagger, nonce (u32 LE)]`
pub fn flag(target: &Pubkey, flagger: &Pubkey, nonce: u32) -> (Pubkey, u8) {
    find(&[
        FLAG_SEED,
        target.as_ref(),
        flagger.as_ref(),
        &nonce.to_le_bytes(),
    ])
}

/// `["property", agency, rpuid]`
pub fn property(agency: &Pubkey, rpuid: &str) -> (Pubkey, u8) {
    find(&[PROPERTY_SEED, agency.as_ref(), rpuid.as_bytes()])
}

/// `["award", agency, award_id]`
pub fn award(agency: &Pubkey, award_id: &str) -> (Pubkey, u8) {
    find(&[AWARD_SEED, agency.as_ref(), award_id.as_bytes()])
}

/// `["payment", award, index (u32 LE)]`
pub fn payment(award: &Pubkey, index: u32) -> (Pubkey, u8) {
    find(&[PAYMENT_SEED, award.as_ref(), &index.to_le_bytes()])
}

/// Anchor's event authority, the signer of every `emit_cpi!` self-invocation.
pub fn event_authority() -> Pubkey {
    public_spending::EVENT_AUTHORITY_AND_BUMP.0
}

/// The payout wallet's associated token account for `mint`, where payments land.
pub fn recipient_token_account(
    payout_wallet: &Pubkey,
    mint: &Pubkey,
    token_program: &Pubkey,
) -> Pubkey {
    anchor_spl::associated_token::get_associated_token_address_with_program_id(
        payout_wallet,
        mint,
        token_program,
    )
}
