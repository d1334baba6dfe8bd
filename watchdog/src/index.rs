//! `index`: reads every account and every transaction of the program (and of each agency treasury, for its
//! funding) into the [`Store`]. Re-running fetches only what is new. History is paged newest first, as
//! `getSignaturesForAddress` gives it; each batch of transactions is written in one database transaction with
//! the cursor that says how far the run got, so a run that is killed or meets an RPC error resumes where the
//! last whole batch ended and writes nothing twice.

use anchor_lang::prelude::Pubkey;
use anchor_spl::{token::spl_token, token_2022};
use public_spending_sdk::{
    history::{HistoricalTransaction, History, SignatureInfo, MAX_PAGE},
    Backend,
};
use solana_sdk::signature::Signature;

use crate::{
    ledger::{account_kind, LedgerState},
    Result, Store,
};

/// Transactions written per database transaction.
pub const BATCH: usize = 100;

/// What one run added.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IndexReport {
    pub accounts: u64,
    pub transactions: u64,
    pub events: u64,
    pub payments: u64,
}

/// How far a run has got, for a progress display.
#[derive(Clone, Debug)]
pub struct Progress<'a> {
    pub address: &'a Pubkey,
    /// Transactions written for this address in this run.
    pub done: u64,
}

/// Indexes `chain` into `store` in batches of [`BATCH`] transactions, reporting progress after every batch.
pub async fn index<C: Backend + History>(
    chain: &C,
    store: &mut Store,
    progress: impl FnMut(Progress),
) -> Result<IndexReport> {
    index_in_batches(chain, store, BATCH, progress).await
}

/// [`index`] with `batch` transactions per database transaction.
pub async fn index_in_batches<C: Backend + History>(
    chain: &C,
    store: &mut Store,
    batch_size: usize,
    mut progress: impl FnMut(Progress),
) -> Result<IndexReport> {
    // Another indexer on the same PostgreSQL index finishes its run first; this one then reads its cursors
    // and fetches only what is newer.
    store.lock_for_indexing()?;
    claim(chain, store).await?;
    let before = (
        store.count("transactions")?,
        store.count("events")?,
        store.count("payments")?,
    );
    // A first run (or the rest of one that did not finish) is a bulk load: written without the audit's
    // indexes, which are built at its end.
    let bulk = before.2 == 0 || !store.audit_indexes_present()?;
    if bulk {
        store.defer_audit_indexes()?;
    }
    let accounts = chain.program_accounts(&[]).await?;
    let snapshot: Vec<(Pubkey, &'static str, Vec<u8>)> = accounts
        .iter()
        .filter_map(|(address, account)| {
            account_kind(&account.data).map(|kind| (*address, kind, account.data.clone()))
        })
        .collect();
    let batch = store.batch()?;
    batch.accounts(&snapshot)?;
    batch.commit()?;
    let state = LedgerState::from_accounts(accounts.iter().map(|(k, a)| (k, a.data.as_slice())))?;

    let run: i64 = store
        .meta("runs")?
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
        + 1;
    store.set_meta("runs", &run.to_string())?;
    let treasuries: Vec<Pubkey> = state.agencies.values().map(|a| a.treasury).collect();
    let mut addresses = vec![public_spending::ID];
    addresses.extend(treasuries.iter().copied());
    for address in &addresses {
        index_address(
            chain,
            store,
            address,
            &treasuries,
            run,
            batch_size.max(1),
            &mut progress,
        )
        .await?;
    }
    if bulk {
        store.build_audit_indexes()?;
    }
    Ok(IndexReport {
        accounts: snapshot.len() as u64,
        transactions: store.count("transactions")? - before.0,
        events: store.count("events")? - before.1,
        payments: store.count("payments")? - before.2,
    })
}

/// Binds `store` to the ledger of `chain` (the first time) or checks that it is that ledger, before anything
/// is written: a chain without the ledger has nothing to index, and another ledger's index is refused.
pub async fn claim<C: Backend + History>(chain: &C, store: &Store) -> Result<()> {
    let ledger = public_spending_sdk::pda::ledger().0;
    if chain.get_account(&ledger).await?.is_none() {
        return Err(crate::WatchdogError::Invalid(format!(
            "this chain has no ledger (no account at {ledger}, the program's ledger address): nothing to index"
        )));
    }
    let genesis = chain.genesis_hash().await?;
    store.claim_ledger(&ledger, &genesis.to_string())
}

/// Pages one address's history from the newest transaction down to the last run's newest.
async fn index_address<C: History>(
    chain: &C,
    store: &mut Store,
    address: &Pubkey,
    treasuries: &[Pubkey],
    run: i64,
    batch_size: usize,
    progress: &mut impl FnMut(Progress),
) -> Result<()> {
    let signature = |text: Option<&str>| -> Result<Option<Signature>> {
        text.map(str::parse).transpose().map_err(|_| {
            crate::WatchdogError::Invalid(format!("the cursor of {address} is not a signature"))
        })
    };
    let mut cursor = store.cursor(address)?;
    let until = signature(cursor.newest.as_deref())?;
    let mut done = 0u64;
    loop {
        let before = signature(cursor.pending_oldest.as_deref())?;
        let page = chain
            .signatures_for_address(address, before, until, MAX_PAGE)
            .await?;
        if page.is_empty() {
            // The run reached the last run's newest: it is finished.
            if let Some(newest) = cursor.pending_newest.take() {
                cursor.newest = Some(newest);
                cursor.pending_oldest = None;
                let batch = store.batch()?;
                batch.set_cursor(address, &cursor)?;
                batch.commit()?;
            }
            return Ok(());
        }
        if cursor.pending_newest.is_none() {
            cursor.pending_newest = Some(page[0].signature.to_string());
        }
        for chunk in page.chunks(batch_size) {
            let signatures: Vec<Signature> = chunk.iter().map(|info| info.signature).collect();
            let fetched = chain.transactions(&signatures).await?;
            let batch = store.batch()?;
            for (info, transaction) in chunk.iter().zip(&fetched) {
                write(&batch, info, transaction.as_ref(), treasuries, run)?;
            }
            cursor.pending_oldest = chunk.last().map(|info| info.signature.to_string());
            batch.set_cursor(address, &cursor)?;
            batch.commit()?;
            done += chunk.len() as u64;
            progress(Progress { address, done });
        }
    }
}

fn write(
    batch: &crate::store::Batch,
    info: &SignatureInfo,
    transaction: Option<&HistoricalTransaction>,
    treasuries: &[Pubkey],
    run: i64,
) -> Result<()> {
    let signature = info.signature.to_string();
    // A transaction indexed already keeps its row, and its events and funding rows are not written again.
    batch.transaction(
        &signature,
        info.slot,
        info.block_time,
        info.err.as_deref(),
        run,
    )?;
    let Some(transaction) = transaction else {
        return Ok(());
    };
    if transaction.err.is_some() {
        return Ok(());
    }
    let events = transaction
        .inner_instructions
        .iter()
        .filter(|ix| ix.program == public_spending::ID)
        .filter_map(|ix| {
            public_spending_sdk::events::LedgerEvent::decode(&ix.data)
                .map(|event| (event, &ix.data))
        });
    for (ordinal, (event, data)) in events.enumerate() {
        batch.event(
            &signature,
            u32::try_from(ordinal).unwrap_or(u32::MAX),
            &event,
            data,
        )?;
    }
    for (ordinal, (treasury, amount)) in funding(transaction, treasuries).into_iter().enumerate() {
        batch.funding(
            &signature,
            u32::try_from(ordinal).unwrap_or(u32::MAX),
            &treasury,
            amount,
            info.block_time,
        )?;
    }
    Ok(())
}

/// Tokens a transaction's own (top-level) SPL Token instructions put into a treasury: mints and transfers.
/// Payments out of a treasury are the program's, and are read from its events instead.
pub fn funding(transaction: &HistoricalTransaction, treasuries: &[Pubkey]) -> Vec<(Pubkey, u64)> {
    use spl_token::instruction::TokenInstruction;
    let mut found = Vec::new();
    for (program, accounts, data) in transaction.instructions() {
        if program != spl_token::ID && program != token_2022::ID {
            continue;
        }
        let Ok(instruction) = TokenInstruction::unpack(&data) else {
            continue;
        };
        let (destination, amount) = match instruction {
            TokenInstruction::MintTo { amount } | TokenInstruction::Transfer { amount } => {
                (accounts.get(1), amount)
            }
            TokenInstruction::MintToChecked { amount, .. } => (accounts.get(1), amount),
            TokenInstruction::TransferChecked { amount, .. } => (accounts.get(2), amount),
            _ => continue,
        };
        if let Some(destination) = destination.filter(|d| treasuries.contains(d)) {
            found.push((*destination, amount));
        }
    }
    found
}
