//! The lookups commands share: an award, an appropriation, a recipient, a property or a pending change by the
//! names people type, with an error that says what is missing; a member's role checked before sending; every
//! account a query matches. Commands call these; no command calls another.

use anchor_lang::prelude::Pubkey;
use public_spending::state::{Appropriation, Award, PendingChange, Property, Recipient};
use public_spending_sdk::pda;

use crate::{
    args,
    context::Session,
    error::{fail, CliResult},
};

pub async fn award(
    session: &Session,
    agency: &Pubkey,
    award_id: &str,
) -> CliResult<(Pubkey, Award)> {
    // An id past the program's limit names no award (and would not make an address).
    if let Err(err) = award_id.parse::<args::AwardId>() {
        fail!("{err}");
    }
    let address = pda::award(agency, award_id).0;
    match session.client.fetch_optional(&address).await? {
        Some(state) => Ok((address, state)),
        None => fail!("unknown award {award_id:?} in this agency"),
    }
}

pub fn tas_text(a: &Appropriation) -> String {
    format!(
        "{}-{}",
        String::from_utf8_lossy(&a.main_account),
        String::from_utf8_lossy(&a.sub_account)
    )
}

/// The appropriation of `agency` under `tas` and `fy`, or a clear error.
pub async fn appropriation(
    session: &Session,
    agency: &Pubkey,
    tas: &str,
    fy: u16,
) -> CliResult<(Pubkey, Appropriation)> {
    let (main_account, sub_account) = args::tas(tas)?;
    let address = pda::appropriation(agency, &main_account, &sub_account, fy).0;
    match session.client.fetch_optional(&address).await? {
        Some(state) => Ok((address, state)),
        None => fail!("no appropriation {tas} for fiscal year {fy} in this agency"),
    }
}

/// The agency's own record of `uei`.
pub async fn recipient(
    session: &Session,
    agency: &Pubkey,
    code: &str,
    uei: &str,
) -> CliResult<(Pubkey, Recipient)> {
    let address = pda::recipient(agency, &args::uei(uei)?).0;
    match session.client.fetch_optional(&address).await? {
        Some(r) => Ok((address, r)),
        None => fail!(
            "agency {code} has no recipient {uei}: register it first (pubspend recipient register {code} --uei {uei} ...)"
        ),
    }
}

/// The agency's property `rpuid`.
pub async fn property(
    session: &Session,
    agency: &Pubkey,
    code: &str,
    rpuid: &str,
) -> CliResult<(Pubkey, Property)> {
    if let Err(err) = rpuid.parse::<args::Rpuid>() {
        fail!("{err}");
    }
    let address = pda::property(agency, rpuid).0;
    match session.client.fetch_optional(&address).await? {
        Some(p) => Ok((address, p)),
        None => fail!("agency {code} has no property {rpuid:?}"),
    }
}

pub async fn pending_change(
    session: &Session,
    code: &str,
    agency: &Pubkey,
    subject: &Pubkey,
) -> CliResult<PendingChange> {
    let address = pda::change(agency, subject).0;
    match session.client.fetch_optional(&address).await? {
        Some(pending) => Ok(pending),
        None => fail!(
            "no change of agency {code} about {subject} is pending (applied, vetoed, or never proposed)"
        ),
    }
}

/// Checks before sending that `signer` is an active member of the agency with `role` (the SDK's check).
pub async fn require_role(
    session: &Session,
    code: &str,
    agency: &Pubkey,
    signer: &Pubkey,
    role: u8,
) -> CliResult<()> {
    Ok(session
        .client
        .require_role(agency, code, signer, role)
        .await?)
}

/// The mint authority of `mint`, if it has one.
pub async fn mint_authority(session: &Session, mint: &Pubkey) -> CliResult<Option<Pubkey>> {
    use anchor_lang::AccountDeserialize;
    use public_spending_sdk::fetch::AccountSource;
    let Some(account) = session.client.backend().get_account(mint).await? else {
        fail!("mint {mint} does not exist")
    };
    match anchor_spl::token_interface::Mint::try_deserialize(&mut account.data.as_slice()) {
        Ok(state) => Ok(state.mint_authority.into()),
        Err(err) => fail!("{mint} is not a token mint: {err}"),
    }
}

/// Every account matching `query`, with a spinner on stderr while the node answers.
pub async fn list<Q: public_spending_sdk::query::Query>(
    session: &Session,
    query: &Q,
) -> CliResult<Vec<(Pubkey, Q::Account)>> {
    let _reading = crate::output::Spinner::new("reading the ledger");
    Ok(session.client.list(query).await?)
}
