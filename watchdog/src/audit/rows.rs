//! The payments as the checks read them: a few typed columns of the `payments` table (schema 2) and the
//! signature of the transaction that made each, selected by SQL both databases read.

use anchor_lang::prelude::Pubkey;
use public_spending::events::PaymentExecuted;

use crate::{
    store::{Row, Value},
    Result, Store, WatchdogError,
};

/// One executed payment, as much of it as a check needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paid {
    pub signature: String,
    pub agency: Pubkey,
    pub award: Pubkey,
    pub recipient: Pubkey,
    pub amount: u64,
    pub executed_at: i64,
    pub payment_index: u32,
    pub executor: Pubkey,
    pub invoice_hash: [u8; 32],
    /// Its place in the chain's order: its sequence, and its row's transaction id and ordinal (0 for a payment
    /// read from its event).
    pub sequence: i64,
    pub tx: i64,
    pub ordinal: i64,
}

/// The columns [`Paid::read`] reads, from `payments p`.
const COLUMNS: &str =
    "coalesce(p.signature, ''), p.agency, p.award, p.recipient, p.amount, p.executed_at,
    p.payment_index, p.executor, p.invoice_hash, p.sequence, p.tx, p.ordinal";

/// The chain's own order of payments, which every listing of payments keeps: by agency, then sequence.
pub const CHAIN_ORDER: &str = "p.agency, p.sequence, p.tx, p.ordinal";

pub(crate) fn key(bytes: &[u8]) -> Result<Pubkey> {
    <[u8; 32]>::try_from(bytes)
        .map(Pubkey::new_from_array)
        .map_err(|_| WatchdogError::Invalid(format!("a key column holds {} bytes", bytes.len())))
}

impl Paid {
    /// A payment as its event tells it (a payment the watch has just indexed).
    pub fn from_event(signature: &str, executed: &PaymentExecuted) -> Self {
        let r = &executed.record;
        Self {
            signature: signature.to_string(),
            agency: r.agency,
            award: r.award,
            recipient: r.recipient,
            amount: r.amount,
            executed_at: r.executed_at,
            payment_index: r.payment_index,
            executor: executed.executor,
            invoice_hash: r.invoice_hash,
            sequence: i64::try_from(r.sequence).unwrap_or(i64::MAX),
            tx: 0,
            ordinal: 0,
        }
    }

    fn read(row: &Row) -> Result<Self> {
        Ok(Self {
            signature: row.text(0)?,
            agency: key(row.bytes(1)?)?,
            award: key(row.bytes(2)?)?,
            recipient: key(row.bytes(3)?)?,
            amount: row.int(4)?.unsigned_abs(),
            executed_at: row.int(5)?,
            payment_index: u32::try_from(row.int(6)?)
                .map_err(|_| WatchdogError::Invalid("a payment index is out of range".into()))?,
            executor: key(row.bytes(7)?)?,
            invoice_hash: <[u8; 32]>::try_from(row.bytes(8)?).map_err(|_| {
                WatchdogError::Invalid("an invoice hash column is not 32 bytes".into())
            })?,
            sequence: row.int(9)?,
            tx: row.int(10)?,
            ordinal: row.int(11)?,
        })
    }
}

/// Calls `each` for every payment `filter` (an SQL condition on `p`, with `$1`-style `params`) selects, in
/// `order` (an SQL ordering on `p`). `each` must not use the store (on PostgreSQL the rows are still arriving).
pub fn each(
    store: &Store,
    filter: &str,
    params: &[Value],
    order: &str,
    mut each: impl FnMut(Paid) -> Result<()>,
) -> Result<()> {
    store.query(
        &format!("SELECT {COLUMNS} FROM payments p WHERE {filter} ORDER BY {order}"),
        params,
        |row| each(Paid::read(row)?),
    )
}

/// The payments `filter` selects, in chain order.
pub fn select(store: &Store, filter: &str, params: &[Value]) -> Result<Vec<Paid>> {
    let mut all = Vec::new();
    each(store, filter, params, CHAIN_ORDER, |p| {
        all.push(p);
        Ok(())
    })?;
    Ok(all)
}

/// The payments of `agency` (every agency's, for `None`) executed in the `seconds` from `from` on, in chain
/// order: the payments after an event.
pub fn within(
    store: &Store,
    agency: Option<&Pubkey>,
    from: i64,
    seconds: i64,
) -> Result<Vec<Paid>> {
    let window: [Value; 2] = [from.into(), from.saturating_add(seconds).into()];
    match agency {
        Some(agency) => select(
            store,
            "p.agency = $1 AND p.executed_at >= $2 AND p.executed_at < $3",
            &[agency.as_ref().into(), window[0].clone(), window[1].clone()],
        ),
        None => select(store, "p.executed_at >= $1 AND p.executed_at < $2", &window),
    }
}

/// What a finding about an event and the payments after it rests on: their total, and the event's transaction
/// followed by the payments'.
pub fn event_and_payments(signature: &str, soon: &[Paid]) -> (u64, Vec<String>) {
    let total = soon.iter().map(|p| p.amount).sum();
    let records = std::iter::once(signature.to_string())
        .chain(soon.iter().map(|p| p.signature.clone()))
        .collect();
    (total, records)
}
