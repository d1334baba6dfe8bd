//! The program's transaction history, read the same way from an RPC node (`getSignaturesForAddress`,
//! `getTransaction`) and from the embedded chain (which keeps what it processed), so that one paging loop
//! serves a watchdog against either.

use std::future::Future;

use anchor_lang::prelude::Pubkey;
use solana_sdk::{hash::Hash, signature::Signature, transaction::VersionedTransaction};

use crate::{error::SdkError, events::LedgerEvent};

/// Most signatures one page may hold (the RPC limit of `getSignaturesForAddress`).
pub const MAX_PAGE: usize = 1_000;

/// One entry of an address's history, as `getSignaturesForAddress` reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureInfo {
    pub signature: Signature,
    pub slot: u64,
    pub block_time: Option<i64>,
    /// Why the transaction failed, if it did (failed transactions land too, and pay their fee).
    pub err: Option<String>,
}

/// One inner instruction: the top-level instruction it ran under, its program and its data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InnerInstruction {
    pub top_level: u8,
    pub program: Pubkey,
    pub data: Vec<u8>,
}

/// A landed transaction with what it did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoricalTransaction {
    pub signature: Signature,
    pub slot: u64,
    pub block_time: Option<i64>,
    pub err: Option<String>,
    pub transaction: VersionedTransaction,
    /// Account keys loaded from address lookup tables (writable, then read-only), after the static keys.
    pub loaded_keys: Vec<Pubkey>,
    pub inner_instructions: Vec<InnerInstruction>,
    pub logs: Vec<String>,
}

impl HistoricalTransaction {
    /// The program's events, in emission order (none for a failed transaction).
    pub fn events(&self) -> Vec<LedgerEvent> {
        if self.err.is_some() {
            return Vec::new();
        }
        crate::events::decode_events(
            self.inner_instructions
                .iter()
                .map(|ix| (&ix.program, ix.data.as_slice())),
        )
    }

    /// Every account key of the message: the static ones, then those loaded from lookup tables.
    pub fn account_keys(&self) -> Vec<Pubkey> {
        let mut keys = self.transaction.message.static_account_keys().to_vec();
        keys.extend(self.loaded_keys.iter().copied());
        keys
    }

    /// The top-level instructions as (program, accounts, data).
    pub fn instructions(&self) -> Vec<(Pubkey, Vec<Pubkey>, Vec<u8>)> {
        let keys = self.account_keys();
        let key = |i: &u8| keys.get(usize::from(*i)).copied().unwrap_or_default();
        self.transaction
            .message
            .instructions()
            .iter()
            .map(|ix| {
                (
                    key(&ix.program_id_index),
                    ix.accounts.iter().map(key).collect(),
                    ix.data.clone(),
                )
            })
            .collect()
    }
}

/// A chain whose history can be paged.
pub trait History: Sync {
    /// Signatures of transactions that name `address`, newest first: older than `before` and newer than
    /// `until` (both exclusive), at most `limit` (capped at [`MAX_PAGE`]).
    fn signatures_for_address(
        &self,
        address: &Pubkey,
        before: Option<Signature>,
        until: Option<Signature>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<SignatureInfo>, SdkError>> + Send;

    /// A landed transaction, or `None` when the chain does not know it.
    fn transaction(
        &self,
        signature: &Signature,
    ) -> impl Future<Output = Result<Option<HistoricalTransaction>, SdkError>> + Send;

    /// The transactions of `signatures`, in their order (`None` for one the chain does not know). One call at a
    /// time unless the chain can do better: over RPC, batched requests ([`crate::rpc_batch`]).
    fn transactions(
        &self,
        signatures: &[Signature],
    ) -> impl Future<Output = Result<Vec<Option<HistoricalTransaction>>, SdkError>> + Send {
        async move {
            let mut all = Vec::with_capacity(signatures.len());
            for signature in signatures {
                all.push(self.transaction(signature).await?);
            }
            Ok(all)
        }
    }

    /// The hash of the chain's genesis: which chain this history is of (`getGenesisHash`).
    fn genesis_hash(&self) -> impl Future<Output = Result<Hash, SdkError>> + Send;
}

impl<T: History> History for &T {
    fn signatures_for_address(
        &self,
        address: &Pubkey,
        before: Option<Signature>,
        until: Option<Signature>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<SignatureInfo>, SdkError>> + Send {
        (**self).signatures_for_address(address, before, until, limit)
    }

    fn transaction(
        &self,
        signature: &Signature,
    ) -> impl Future<Output = Result<Option<HistoricalTransaction>, SdkError>> + Send {
        (**self).transaction(signature)
    }

    fn transactions(
        &self,
        signatures: &[Signature],
    ) -> impl Future<Output = Result<Vec<Option<HistoricalTransaction>>, SdkError>> + Send {
        (**self).transactions(signatures)
    }

    fn genesis_hash(&self) -> impl Future<Output = Result<Hash, SdkError>> + Send {
        (**self).genesis_hash()
    }
}

/// Pages `entries` (oldest first) the way `getSignaturesForAddress` does: newest first, strictly older than
/// `before`, strictly newer than `until`, at most `limit`. An unknown `before` gives an empty page, as on RPC.
pub fn page<'a, T: 'a>(
    entries: impl DoubleEndedIterator<Item = &'a T>,
    signature_of: impl Fn(&T) -> Signature,
    before: Option<Signature>,
    until: Option<Signature>,
    limit: usize,
) -> Vec<&'a T> {
    let mut newest_first = entries.rev();
    if let Some(before) = before {
        if !newest_first.any(|entry| signature_of(entry) == before) {
            return Vec::new();
        }
    }
    newest_first
        .take_while(|entry| Some(signature_of(entry)) != until)
        .take(limit.min(MAX_PAGE))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_like_get_signatures_for_address() {
        let signatures: Vec<Signature> = (0..10u8).map(|i| Signature::from([i; 64])).collect();
        let at =
            |page: Vec<&Signature>| -> Vec<u8> { page.iter().map(|s| s.as_ref()[0]).collect() };
        let all = || signatures.iter();
        assert_eq!(at(page(all(), |s| *s, None, None, 3)), vec![9, 8, 7]);
        assert_eq!(
            at(page(all(), |s| *s, Some(signatures[7]), None, 3)),
            vec![6, 5, 4]
        );
        assert_eq!(
            at(page(
                all(),
                |s| *s,
                Some(signatures[7]),
                Some(signatures[4]),
                10
            )),
            vec![6, 5]
        );
        assert_eq!(
            at(page(all(), |s| *s, None, Some(signatures[9]), 10)),
            Vec::<u8>::new()
        );
        assert_eq!(
            at(page(
                all(),
                |s| *s,
                Some(Signature::from([99; 64])),
                None,
                10
            )),
            Vec::<u8>::new()
        );
    }
}
