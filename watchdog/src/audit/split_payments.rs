//! Split payments: payments to one recipient on one award within the split window, each under the agency's
//! approval threshold and together above it.
//!
//! SQL hands the payments over grouped by award and recipient, in time; the scan keeps only the payments within
//! the window of the one it starts from (a greedy scan: a cluster found is skipped past, else the start moves
//! on by one).

use std::collections::VecDeque;

use anchor_lang::prelude::Pubkey;

use super::{award_agency, finding_id, rows, About, Changes, Check, Context, Finding, Found, DAY};
use crate::{
    store::{Row, Value},
    Result,
};

pub const ABOUT: About = About {
    id: "split-payments",
    title: "Split payments",
    explanation: "Several payments to one recipient on one award within a short window, each under the agency's approval threshold but together above it. Splitting a bill into pieces that each pass the fast path is the classic way around an approval control; a genuine series of small invoices looks the same, so the invoices behind these payments are worth reading.",
};

pub struct SplitPayments;

/// Within a group, in time; ties in the chain's order.
const ORDER: &str = "p.award, p.recipient, p.executed_at, p.sequence, p.agency, p.tx, p.ordinal";

impl Check for SplitPayments {
    fn about(&self) -> &'static About {
        &ABOUT
    }

    fn run(&self, audit: &Context, found: &mut Found) -> Result<()> {
        scan(audit, "true", &[], found)
    }

    /// Each award and recipient paid: from where its last scan stood (the first start whose window was still
    /// open, which the whole scan also reaches, so what follows is the same), or from its first payment when a
    /// new payment comes before that place.
    fn rerun(&self, audit: &Context, changes: &Changes, found: &mut Found) -> Result<()> {
        for (award, recipient) in changes.touched(|p| (p.record.award, p.record.recipient)) {
            if award_agency(&audit.state, &award).is_none_or(|agency| agency.policy.threshold == 0)
            {
                continue;
            }
            let from = audit
                .memo
                .borrow()
                .split_from
                .get(&(award, recipient))
                .cloned();
            let before = |from: &From| {
                changes.payments().any(|(_, p)| {
                    let r = &p.record;
                    (r.award, r.recipient) == (award, recipient)
                        && (r.executed_at, r.sequence, r.agency.as_ref())
                            < (
                                from.executed_at,
                                from.sequence.unsigned_abs(),
                                from.agency.as_slice(),
                            )
                })
            };
            match from.filter(|from| !before(from)) {
                Some(from) => scan(
                    audit,
                    "p.award = $1 AND p.recipient = $2 AND p.executed_at >= $3
                     AND (p.executed_at, p.sequence, p.agency, p.tx, p.ordinal) >= ($4, $5, $6, $7, $8)",
                    &[
                        award.as_ref().into(),
                        recipient.as_ref().into(),
                        from.executed_at.into(),
                        from.executed_at.into(),
                        from.sequence.into(),
                        from.agency.into(),
                        from.tx.into(),
                        from.ordinal.into(),
                    ],
                    found,
                )?,
                None => scan(
                    audit,
                    "p.award = $1 AND p.recipient = $2",
                    &[award.as_ref().into(), recipient.as_ref().into()],
                    found,
                )?,
            }
        }
        Ok(())
    }
}

/// Where a group's scan stood: the first start whose window was still open, in the scan's order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct From {
    executed_at: i64,
    sequence: i64,
    agency: Vec<u8>,
    tx: i64,
    ordinal: i64,
}

/// The groups `filter` selects, each scanned as its payments arrive (read from the award index alone).
fn scan(audit: &Context, filter: &str, params: &[Value], found: &mut Found) -> Result<()> {
    let mut group = Group::default();
    audit.store.query(
        &format!(
            "SELECT coalesce(p.signature, ''), p.agency, p.award, p.recipient, p.amount, p.executed_at, p.sequence,
                p.tx, p.ordinal
             FROM payments p WHERE {filter} ORDER BY {ORDER}"
        ),
        params,
        |row| {
            let p = Link::read(row)?;
            if group.key != Some((p.award, p.recipient)) {
                group.finish(audit, found)?;
                group = Group::start(audit, &p);
            }
            group.push(audit, p, found)
        },
    )?;
    group.finish(audit, found)
}

/// A payment as the split scan reads it: what the award index holds.
struct Link {
    signature: String,
    agency: Pubkey,
    award: Pubkey,
    recipient: Pubkey,
    amount: u64,
    executed_at: i64,
    sequence: i64,
    tx: i64,
    ordinal: i64,
}

impl Link {
    fn read(row: &Row) -> Result<Self> {
        Ok(Self {
            signature: row.text(0)?,
            agency: rows::key(row.bytes(1)?)?,
            award: rows::key(row.bytes(2)?)?,
            recipient: rows::key(row.bytes(3)?)?,
            amount: row.int(4)?.unsigned_abs(),
            executed_at: row.int(5)?,
            sequence: row.int(6)?,
            tx: row.int(7)?,
            ordinal: row.int(8)?,
        })
    }
}

/// One award and recipient's payments from the scan's start on, while their window is open.
#[derive(Default)]
struct Group {
    key: Option<(Pubkey, Pubkey)>,
    /// The agency's code and approval threshold; `None` for an award the accounts do not know, or an agency
    /// without a threshold (nothing to split around).
    threshold: Option<(String, u64)>,
    window: VecDeque<Link>,
}

impl Group {
    fn start(audit: &Context, first: &Link) -> Self {
        let threshold = award_agency(&audit.state, &first.award)
            .filter(|agency| agency.policy.threshold > 0)
            .map(|agency| (agency.code.clone(), agency.policy.threshold));
        Self {
            key: Some((first.award, first.recipient)),
            threshold,
            window: VecDeque::new(),
        }
    }

    fn push(&mut self, audit: &Context, p: Link, found: &mut Found) -> Result<()> {
        if self.threshold.is_none() {
            return Ok(());
        }
        let at = p.executed_at;
        self.window.push_back(p);
        // Every start whose window `p` is past is decided.
        while self
            .window
            .front()
            .is_some_and(|first| at - first.executed_at > audit.options.split_window_seconds)
        {
            self.step(audit, found)?;
        }
        Ok(())
    }

    /// Decides every start left, as the scan's end does: the first of them is remembered as where the next
    /// scan of the group starts.
    fn finish(&mut self, audit: &Context, found: &mut Found) -> Result<()> {
        if let (Some(key), Some(first)) = (self.key, self.window.front()) {
            audit.memo.borrow_mut().split_from.insert(
                key,
                From {
                    executed_at: first.executed_at,
                    sequence: first.sequence,
                    agency: first.agency.to_bytes().to_vec(),
                    tx: first.tx,
                    ordinal: first.ordinal,
                },
            );
        }
        while !self.window.is_empty() {
            self.step(audit, found)?;
        }
        Ok(())
    }

    /// Decides the front start: a cluster from it is found and skipped past, or the start moves on by one.
    fn step(&mut self, audit: &Context, found: &mut Found) -> Result<()> {
        let (Some((award, _)), Some((code, threshold))) = (self.key, &self.threshold) else {
            self.window.clear();
            return Ok(());
        };
        let threshold = *threshold;
        let first = self.window[0].executed_at;
        let end = self
            .window
            .iter()
            .take_while(|p| p.executed_at - first <= audit.options.split_window_seconds)
            .count();
        let cluster: Vec<&Link> = self
            .window
            .iter()
            .take(end)
            .filter(|p| p.amount < threshold)
            .collect();
        let total: u64 = cluster.iter().map(|p| p.amount).sum();
        if cluster.len() >= 2 && total >= threshold {
            let records: Vec<String> = cluster.iter().map(|p| p.signature.clone()).collect();
            let count = cluster.len();
            let recipient = audit.state.uei(&self.window[0].recipient);
            self.window.drain(..end);
            found(Finding {
                id: finding_id(ABOUT.id, &records),
                check: ABOUT.id,
                agency: code.clone(),
                subject: audit.state.award_id(&award),
                summary: format!(
                    "{} payments to {} within {} days total {}, each under the {} approval threshold",
                    count,
                    recipient,
                    audit.options.split_window_seconds / DAY,
                    audit.money(total),
                    audit.money(threshold)
                ),
                records,
            })
        } else {
            self.window.pop_front();
            Ok(())
        }
    }
}
