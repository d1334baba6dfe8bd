//! Split payments: payments to one recipient on one award within the split window, each under the agency's
//! approval threshold and together above it.
//!
//! SQL hands the payments over grouped by award and recipient, in time; the scan keeps only the payments within
//! the window of the one it starts from (a greedy scan: a cluster found is skipped past, else the start moves
//! on by one).

use std::collections::VecDeque;

use anchor_lang::prelude::Pubkey;

use super::{
    award_agency, finding_id, rows, rows::Paid, About, Changes, Check, Context, Finding, Found, DAY,
};
use crate::{store::Value, Result};

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

    fn rerun(&self, audit: &Context, changes: &Changes, found: &mut Found) -> Result<()> {
        for (award, recipient) in changes.touched(|p| (p.record.award, p.record.recipient)) {
            scan(
                audit,
                "p.award = $1 AND p.recipient = $2",
                &[award.as_ref().into(), recipient.as_ref().into()],
                found,
            )?;
        }
        Ok(())
    }
}

/// The groups `filter` selects, each scanned as its payments arrive.
fn scan(audit: &Context, filter: &str, params: &[Value], found: &mut Found) -> Result<()> {
    let mut group = Group::default();
    rows::each(audit.store, filter, params, ORDER, |p| {
        if group.key != Some((p.award, p.recipient)) {
            group.finish(audit, found)?;
            group = Group::start(audit, &p);
        }
        group.push(audit, p, found)
    })?;
    group.finish(audit, found)
}

/// One award and recipient's payments from the scan's start on, while their window is open.
#[derive(Default)]
struct Group {
    key: Option<(Pubkey, Pubkey)>,
    /// The agency's code and approval threshold; `None` for an award the accounts do not know, or an agency
    /// without a threshold (nothing to split around).
    threshold: Option<(String, u64)>,
    window: VecDeque<Paid>,
}

impl Group {
    fn start(audit: &Context, first: &Paid) -> Self {
        let threshold = award_agency(&audit.state, &first.award)
            .filter(|agency| agency.policy.threshold > 0)
            .map(|agency| (agency.code.clone(), agency.policy.threshold));
        Self {
            key: Some((first.award, first.recipient)),
            threshold,
            window: VecDeque::new(),
        }
    }

    fn push(&mut self, audit: &Context, p: Paid, found: &mut Found) -> Result<()> {
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

    fn finish(&mut self, audit: &Context, found: &mut Found) -> Result<()> {
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
        let cluster: Vec<&Paid> = self
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
