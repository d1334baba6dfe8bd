//! History reads from the index: an award's payments through their whole life (archived ones included), a
//! recipient's payments across agencies, and every award or payment that recorded a document's hash.

use std::collections::BTreeMap;

use anchor_lang::prelude::Pubkey;
use public_spending_sdk::LedgerEvent;
use serde::Serialize;

use crate::{store::IndexedPayment, Result, Store};

/// One payment of an award, as its events tell it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PaymentHistory {
    pub index: u32,
    pub amount: u64,
    /// requested, approved, executed, rejected or cancelled
    pub status: String,
    pub fast_path: bool,
    pub approvals: u32,
    /// No longer in chain state: archived, or a fast-path payment (which never has an account).
    pub archived: bool,
    pub invoice_hash: String,
    pub requested_at: Option<i64>,
    pub executed_at: Option<i64>,
    /// The transaction of the payment's last step.
    pub signature: String,
}

/// Every payment of `award` the history knows, by index.
pub fn award_history(store: &Store, award: &Pubkey) -> Result<Vec<PaymentHistory>> {
    let mut by_index: BTreeMap<u32, PaymentHistory> = BTreeMap::new();
    let mut index_of: BTreeMap<Pubkey, u32> = BTreeMap::new();
    for (signature, time, event) in store.events("PaymentRequested")? {
        if let LedgerEvent::PaymentRequested(e) = event {
            if e.award == *award {
                index_of.insert(e.payment, e.index);
                by_index.insert(
                    e.index,
                    PaymentHistory {
                        index: e.index,
                        amount: e.amount,
                        status: "requested".into(),
                        invoice_hash: hex::encode(e.invoice_hash),
                        requested_at: time,
                        signature,
                        ..PaymentHistory::default()
                    },
                );
            }
        }
    }
    for kind in [
        "PaymentApproved",
        "PaymentRejected",
        "PaymentCancelled",
        "PaymentArchived",
    ] {
        for (signature, _, event) in store.events(kind)? {
            let (payment, status) = match &event {
                LedgerEvent::PaymentApproved(e) => (e.payment, None),
                LedgerEvent::PaymentRejected(e) => (e.payment, Some("rejected")),
                LedgerEvent::PaymentCancelled(e) => (e.payment, Some("cancelled")),
                LedgerEvent::PaymentArchived(e) if e.award == *award => {
                    index_of.insert(e.payment, e.index);
                    (e.payment, None)
                }
                _ => continue,
            };
            let Some(entry) = index_of.get(&payment).and_then(|i| by_index.get_mut(i)) else {
                continue;
            };
            match (&event, status) {
                (LedgerEvent::PaymentApproved(e), _) => {
                    entry.approvals = u32::from(e.approvals);
                    if e.approvals >= e.approvals_required {
                        entry.status = "approved".into();
                    }
                    entry.signature = signature;
                }
                (LedgerEvent::PaymentArchived(_), _) => entry.archived = true,
                (_, Some(status)) => {
                    entry.status = status.into();
                    entry.signature = signature;
                }
                _ => {}
            }
        }
    }
    for p in payments_where(store, |p| p.record.award == *award)? {
        let entry = by_index.entry(p.record.payment_index).or_default();
        entry.index = p.record.payment_index;
        entry.amount = p.record.amount;
        entry.status = "executed".into();
        entry.fast_path = p.fast_path;
        entry.archived |= p.fast_path;
        entry.invoice_hash = hex::encode(p.record.invoice_hash);
        entry.executed_at = Some(p.record.executed_at);
        entry.signature = p.signature;
    }
    // Archive events of fast-path payments (which have no request event) come after their execution.
    for (_, _, event) in store.events("PaymentArchived")? {
        if let LedgerEvent::PaymentArchived(e) = event {
            if let Some(entry) = by_index.get_mut(&e.index).filter(|_| e.award == *award) {
                entry.archived = true;
            }
        }
    }
    Ok(by_index.into_values().collect())
}

/// The executed payments that satisfy `keep`, in chain order per agency.
pub fn payments_where(
    store: &Store,
    keep: impl Fn(&IndexedPayment) -> bool,
) -> Result<Vec<IndexedPayment>> {
    let mut found = Vec::new();
    store.for_each_payment(|p| {
        if keep(&p) {
            found.push(p);
        }
        Ok(())
    })?;
    Ok(found)
}

/// An award or payment that recorded a document's hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DocumentMatch {
    /// award document, award modification, payment request or executed payment (invoice)
    pub recorded_as: String,
    pub agency: Pubkey,
    pub award: Pubkey,
    pub payment_index: Option<u32>,
    pub signature: String,
    pub block_time: Option<i64>,
}

/// Every award and payment in the history that recorded exactly `hash`.
pub fn document(store: &Store, hash: &[u8; 32]) -> Result<Vec<DocumentMatch>> {
    let mut found = Vec::new();
    let mut push =
        |recorded_as: &str, agency, award, payment_index, signature: String, block_time| {
            found.push(DocumentMatch {
                recorded_as: recorded_as.into(),
                agency,
                award,
                payment_index,
                signature,
                block_time,
            })
        };
    for kind in [
        "AwardObligated",
        "AwardModified",
        "PaymentRequested",
        "PaymentExecuted",
    ] {
        for (signature, time, event) in store.events(kind)? {
            match event {
                LedgerEvent::AwardObligated(e) if e.document_hash == *hash => {
                    push("award document", e.agency, e.award, None, signature, time)
                }
                LedgerEvent::AwardModified(e) if e.document_hash == *hash => push(
                    "award modification",
                    e.agency,
                    e.award,
                    None,
                    signature,
                    time,
                ),
                LedgerEvent::PaymentRequested(e) if e.invoice_hash == *hash => push(
                    "invoice of a payment request",
                    e.agency,
                    e.award,
                    Some(e.index),
                    signature,
                    time,
                ),
                LedgerEvent::PaymentExecuted(e) if e.record.invoice_hash == *hash => push(
                    "invoice of an executed payment",
                    e.record.agency,
                    e.record.award,
                    Some(e.record.payment_index),
                    signature,
                    time,
                ),
                _ => {}
            }
        }
    }
    Ok(found)
}
