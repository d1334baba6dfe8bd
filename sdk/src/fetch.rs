//! Reading and decoding program accounts from any chain backend.

use std::future::Future;

use anchor_lang::{prelude::Pubkey, AccountDeserialize};
use solana_sdk::account::Account;

use crate::error::SdkError;

/// Where accounts are read from: an RPC node or the embedded in-process chain.
pub trait AccountSource {
    fn get_account(
        &self,
        address: &Pubkey,
    ) -> impl Future<Output = Result<Option<Account>, SdkError>> + Send;
}

/// Decodes a program account's data (discriminator checked), naming the account in any error.
pub fn decode<T: AccountDeserialize>(address: &Pubkey, account: &Account) -> Result<T, SdkError> {
    let kind = std::any::type_name::<T>()
        .rsplit("::")
        .next()
        .unwrap_or("account");
    if account.owner != public_spending::ID {
        return Err(SdkError::Decode {
            address: *address,
            kind,
            reason: format!("owned by {}", account.owner),
        });
    }
    T::try_deserialize(&mut account.data.as_slice()).map_err(|e| SdkError::Decode {
        address: *address,
        kind,
        reason: match account_kind(&account.data) {
            Some(other) if other != kind => {
                let article = if other.starts_with(['A', 'E', 'I', 'O', 'U']) {
                    "an"
                } else {
                    "a"
                };
                format!("it is {article} {other} account")
            }
            _ => match e {
                anchor_lang::error::Error::AnchorError(e) => e.error_msg.clone(),
                other => other.to_string(),
            },
        },
    })
}

/// The kind of a program account, by its discriminator: the account type's name as the IDL spells it.
pub fn account_kind(data: &[u8]) -> Option<&'static str> {
    use anchor_lang::Discriminator;
    use public_spending::state::*;
    let kinds: [(&[u8], &'static str); 13] = [
        (Ledger::DISCRIMINATOR, "Ledger"),
        (Agency::DISCRIMINATOR, "Agency"),
        (Member::DISCRIMINATOR, "Member"),
        (Appropriation::DISCRIMINATOR, "Appropriation"),
        (Allotment::DISCRIMINATOR, "Allotment"),
        (Recipient::DISCRIMINATOR, "Recipient"),
        (Award::DISCRIMINATOR, "Award"),
        (Payment::DISCRIMINATOR, "Payment"),
        (Exclusion::DISCRIMINATOR, "Exclusion"),
        (ExclusionList::DISCRIMINATOR, "ExclusionList"),
        (Flag::DISCRIMINATOR, "Flag"),
        (Property::DISCRIMINATOR, "Property"),
        (PendingChange::DISCRIMINATOR, "PendingChange"),
    ];
    kinds
        .into_iter()
        .find(|(discriminator, _)| data.starts_with(discriminator))
        .map(|(_, kind)| kind)
}

/// Fetches and decodes a program account; `AccountNotFound` when it does not exist.
pub async fn fetch<T: AccountDeserialize>(
    source: &impl AccountSource,
    address: &Pubkey,
) -> Result<T, SdkError> {
    let account = source
        .get_account(address)
        .await?
        .ok_or(SdkError::AccountNotFound(*address))?;
    decode(address, &account)
}

/// Fetches and decodes a program account; `None` when it does not exist.
pub async fn fetch_optional<T: AccountDeserialize>(
    source: &impl AccountSource,
    address: &Pubkey,
) -> Result<Option<T>, SdkError> {
    match source.get_account(address).await? {
        Some(account) => decode(address, &account).map(Some),
        None => Ok(None),
    }
}

impl<T: AccountSource + Sync> AccountSource for &T {
    fn get_account(
        &self,
        address: &Pubkey,
    ) -> impl Future<Output = Result<Option<Account>, SdkError>> + Send {
        (**self).get_account(address)
    }
}

/// The balance of a token account in base units, or zero when it does not exist.
pub async fn token_balance(
    source: &impl AccountSource,
    token_account: &Pubkey,
) -> Result<u64, SdkError> {
    match source.get_account(token_account).await? {
        None => Ok(0),
        Some(account) => {
            anchor_spl::token_interface::TokenAccount::try_deserialize(&mut account.data.as_slice())
                .map(|t| t.amount)
                .map_err(|e| SdkError::Decode {
                    address: *token_account,
                    kind: "TokenAccount",
                    reason: e.to_string(),
                })
        }
    }
}
