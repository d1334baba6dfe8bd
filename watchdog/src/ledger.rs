//! The program's accounts, decoded: the ledger as it stands (from the chain, or from the index's snapshot).

use std::collections::BTreeMap;

use anchor_lang::{prelude::Pubkey, AccountDeserialize};
use public_spending::{
    constants::UEI_LEN,
    state::{
        Agency, Allotment, Appropriation, Award, Exclusion, ExclusionList, Flag, Ledger, Property,
        Recipient,
    },
};
use public_spending_sdk::Backend;

use crate::{Result, Store, WatchdogError};

pub use public_spending_sdk::fetch::account_kind;

/// Every account of the ledger, decoded and keyed by address.
#[derive(Default)]
pub struct LedgerState {
    pub ledger: Option<Ledger>,
    pub agencies: BTreeMap<Pubkey, Agency>,
    pub appropriations: BTreeMap<Pubkey, Appropriation>,
    pub allotments: BTreeMap<Pubkey, Allotment>,
    pub awards: BTreeMap<Pubkey, Award>,
    pub recipients: BTreeMap<Pubkey, Recipient>,
    /// Ledger-wide exclusions by UEI (lifted ones included).
    pub exclusions: BTreeMap<[u8; UEI_LEN], Exclusion>,
    /// The ledger's list of UEIs under an exclusion in force, which `pay_batch` checks.
    pub exclusion_list: Option<ExclusionList>,
    /// Public flags not yet closed.
    pub flags: BTreeMap<Pubkey, Flag>,
    pub properties: BTreeMap<Pubkey, Property>,
}

fn decode<T: AccountDeserialize>(address: &Pubkey, data: &[u8]) -> Result<T> {
    T::try_deserialize(&mut &data[..])
        .map_err(|e| WatchdogError::Invalid(format!("account {address} does not decode: {e}")))
}

impl LedgerState {
    /// Decodes raw program accounts; accounts of other kinds (members, payments) are skipped.
    pub fn from_accounts<'a>(
        accounts: impl IntoIterator<Item = (&'a Pubkey, &'a [u8])>,
    ) -> Result<Self> {
        let mut state = Self::default();
        for (address, data) in accounts {
            match account_kind(data) {
                Some("Ledger") => state.ledger = Some(decode(address, data)?),
                Some("Agency") => {
                    state.agencies.insert(*address, decode(address, data)?);
                }
                Some("Appropriation") => {
                    state
                        .appropriations
                        .insert(*address, decode(address, data)?);
                }
                Some("Allotment") => {
                    state.allotments.insert(*address, decode(address, data)?);
                }
                Some("Award") => {
                    state.awards.insert(*address, decode(address, data)?);
                }
                Some("Recipient") => {
                    state.recipients.insert(*address, decode(address, data)?);
                }
                Some("Exclusion") => {
                    let exclusion: Exclusion = decode(address, data)?;
                    state.exclusions.insert(exclusion.uei, exclusion);
                }
                Some("ExclusionList") => state.exclusion_list = Some(decode(address, data)?),
                Some("Flag") => {
                    state.flags.insert(*address, decode(address, data)?);
                }
                Some("Property") => {
                    state.properties.insert(*address, decode(address, data)?);
                }
                _ => {}
            }
        }
        Ok(state)
    }

    /// The ledger as the chain holds it now.
    pub async fn from_chain<C: Backend>(chain: &C) -> Result<Self> {
        let accounts = chain.program_accounts(&[]).await?;
        Self::from_accounts(accounts.iter().map(|(k, a)| (k, a.data.as_slice())))
    }

    /// The ledger as the index's snapshot holds it.
    pub fn from_store(store: &Store) -> Result<Self> {
        let mut all = Vec::new();
        for kind in [
            "Ledger",
            "Agency",
            "Appropriation",
            "Allotment",
            "Award",
            "Recipient",
            "Exclusion",
            "ExclusionList",
            "Flag",
            "Property",
        ] {
            all.extend(store.accounts(kind)?);
        }
        Self::from_accounts(all.iter().map(|(k, d)| (k, d.as_slice())))
    }

    /// Decimals of the ledger's mint (2 when there is no ledger account yet).
    pub fn decimals(&self) -> u8 {
        self.ledger.as_ref().map_or(2, |l| l.mint_decimals)
    }

    pub fn agency_code(&self, agency: &Pubkey) -> String {
        self.agencies
            .get(agency)
            .map_or_else(|| agency.to_string(), |a| a.code.clone())
    }

    pub fn award_id(&self, award: &Pubkey) -> String {
        self.awards
            .get(award)
            .map_or_else(|| award.to_string(), |a| a.award_id.clone())
    }

    /// The recipient's UEI, or its address when unknown.
    pub fn uei(&self, recipient: &Pubkey) -> String {
        self.recipients.get(recipient).map_or_else(
            || recipient.to_string(),
            |r| String::from_utf8_lossy(&r.uei).into_owned(),
        )
    }

    /// The exclusion in force on the recipient's UEI, if any.
    pub fn exclusion_of(&self, recipient: &Pubkey) -> Option<&Exclusion> {
        let uei = self.recipients.get(recipient)?.uei;
        self.exclusions.get(&uei).filter(|e| e.in_force())
    }

    /// What may be published of a recipient's name: a business's name, never an individual's (its salted
    /// hash stands in).
    pub fn public_name(&self, recipient: &Pubkey) -> String {
        match self.recipients.get(recipient) {
            Some(r) if r.name.is_empty() => format!("individual {}", hex::encode(r.name_hash)),
            Some(r) => r.name.clone(),
            None => recipient.to_string(),
        }
    }
}
