//! The chain's history: every landed transaction, in order, with what `getSignaturesForAddress` and
//! `getTransaction` answer.

use anchor_lang::prelude::Pubkey;
use base64::{engine::general_purpose::STANDARD as BASE64, Engine};
use solana_sdk::{hash::Hash, signature::Signature, transaction::VersionedTransaction};

use public_spending_sdk::{
    error::SdkError,
    events::decode_events,
    history::{page, HistoricalTransaction, History, InnerInstruction, SignatureInfo},
};

use crate::{chain::*, saved::*};

/// A transaction of the history, with its keys decoded for paging by address.
pub(crate) struct Entry {
    pub(crate) signature: Signature,
    pub(crate) keys: Vec<Pubkey>,
    pub(crate) saved: SavedTransaction,
}

impl Entry {
    pub(crate) fn of(saved: SavedTransaction) -> Result<Self, SdkError> {
        let transaction = decode_transaction(&saved.transaction)?;
        let mut keys = transaction.message.static_account_keys().to_vec();
        for loaded in saved.loaded_writable.iter().chain(&saved.loaded_readonly) {
            keys.push(loaded.parse().map_err(transport)?);
        }
        Ok(Self {
            signature: saved.signature.parse().map_err(transport)?,
            keys,
            saved,
        })
    }

    pub(crate) fn info(&self) -> SignatureInfo {
        SignatureInfo {
            signature: self.signature,
            slot: self.saved.slot,
            block_time: Some(self.saved.block_time),
            err: self.saved.err.clone(),
        }
    }

    pub(crate) fn historical(&self) -> Result<HistoricalTransaction, SdkError> {
        let inner_instructions = self
            .saved
            .inner_instructions
            .iter()
            .map(|ix| {
                Ok(InnerInstruction {
                    top_level: ix.top_level,
                    program: ix.program.parse().map_err(transport)?,
                    data: BASE64.decode(&ix.data).map_err(transport)?,
                })
            })
            .collect::<Result<Vec<_>, SdkError>>()?;
        Ok(HistoricalTransaction {
            signature: self.signature,
            slot: self.saved.slot,
            block_time: Some(self.saved.block_time),
            err: self.saved.err.clone(),
            transaction: decode_transaction(&self.saved.transaction)?,
            loaded_keys: self.keys[self.keys.len()
                - self.saved.loaded_writable.len()
                - self.saved.loaded_readonly.len()..]
                .to_vec(),
            inner_instructions,
            logs: self.saved.logs.clone(),
        })
    }
}

pub(crate) fn decode_transaction(base64: &str) -> Result<VersionedTransaction, SdkError> {
    let bytes = BASE64.decode(base64).map_err(transport)?;
    bincode::deserialize(&bytes).map_err(transport)
}

/// The history: entries oldest first, and where each signature stands.
#[derive(Default)]
pub(crate) struct Ledgerbook {
    pub(crate) entries: Vec<Entry>,
    pub(crate) positions: std::collections::HashMap<Signature, usize>,
}

impl Ledgerbook {
    pub(crate) fn push(&mut self, entry: Entry) {
        if self.positions.contains_key(&entry.signature) {
            return;
        }
        self.positions.insert(entry.signature, self.entries.len());
        self.entries.push(entry);
    }
}

/// The inner instructions of a landed transaction, as saved: `list` holds each top-level instruction's set.
pub(crate) fn saved_inner(
    keys: &[Pubkey],
    list: Option<&[Vec<solana_sdk::message::inner_instruction::InnerInstruction>]>,
) -> Result<Vec<SavedInnerInstruction>, SdkError> {
    let mut inner = Vec::new();
    for (top_level, set) in list.into_iter().flatten().enumerate() {
        for ix in set {
            inner.push(SavedInnerInstruction {
                top_level: u8::try_from(top_level).map_err(transport)?,
                program: keys
                    .get(usize::from(ix.instruction.program_id_index))
                    .map(Pubkey::to_string)
                    .unwrap_or_default(),
                data: BASE64.encode(&ix.instruction.data),
                accounts: ix.instruction.accounts.clone(),
                stack_height: Some(u32::from(ix.stack_height)),
            });
        }
    }
    Ok(inner)
}

/// The ledger's events among saved inner instructions (Anchor's event CPIs).
pub(crate) fn events_of(
    inner: &[SavedInnerInstruction],
) -> Vec<public_spending_sdk::events::LedgerEvent> {
    let decoded: Vec<(Pubkey, Vec<u8>)> = inner
        .iter()
        .filter_map(|ix| Some((ix.program.parse().ok()?, BASE64.decode(&ix.data).ok()?)))
        .collect();
    decode_events(
        decoded
            .iter()
            .map(|(program, data)| (program, data.as_slice())),
    )
}

impl History for EmbeddedChain {
    async fn genesis_hash(&self) -> Result<Hash, SdkError> {
        Ok(self.genesis_hash)
    }

    async fn signatures_for_address(
        &self,
        address: &Pubkey,
        before: Option<Signature>,
        until: Option<Signature>,
        limit: usize,
    ) -> Result<Vec<SignatureInfo>, SdkError> {
        let history = self.history.lock().map_err(transport)?;
        Ok(page(
            history.entries.iter().filter(|e| e.keys.contains(address)),
            |e| e.signature,
            before,
            until,
            limit,
        )
        .into_iter()
        .map(Entry::info)
        .collect())
    }

    async fn transaction(
        &self,
        signature: &Signature,
    ) -> Result<Option<HistoricalTransaction>, SdkError> {
        let history = self.history.lock().map_err(transport)?;
        match history.positions.get(signature) {
            Some(&at) => history.entries[at].historical().map(Some),
            None => Ok(None),
        }
    }
}
