//! Duplicate invoices: two or more executed payments with one invoice hash. SQL finds the repeated hashes (a
//! GROUP BY over the invoice index) and hands over their payments, one invoice after another.

use std::collections::BTreeSet;

use super::{finding_id, rows, rows::Paid, About, Changes, Check, Context, Finding, Found};
use crate::{store::Value, Result};

pub const ABOUT: About = About {
    id: "duplicate-invoices",
    title: "Duplicate invoices",
    explanation: "Two or more executed payments carry the same invoice hash. Paying the same invoice twice is the most common improper payment; the program allows it on purpose (a corrected bill can share a document), so every repeat deserves an explanation.",
};

pub struct DuplicateInvoices;

impl Check for DuplicateInvoices {
    fn about(&self) -> &'static About {
        &ABOUT
    }

    fn run(&self, audit: &Context, found: &mut Found) -> Result<()> {
        scan(
            audit,
            "p.invoice_hash IN (SELECT invoice_hash FROM payments GROUP BY invoice_hash HAVING count(*) > 1)",
            &[],
            found,
        )
    }

    fn rerun(&self, audit: &Context, changes: &Changes, found: &mut Found) -> Result<()> {
        for invoice in changes.touched(|p| p.record.invoice_hash) {
            scan(
                audit,
                "p.invoice_hash = $1",
                &[invoice.as_slice().into()],
                found,
            )?;
        }
        Ok(())
    }
}

/// The invoices among the payments `filter` selects that were paid more than once, one finding each.
fn scan(audit: &Context, filter: &str, params: &[Value], found: &mut Found) -> Result<()> {
    let mut invoice: Option<Vec<u8>> = None;
    let mut paid: Vec<Paid> = Vec::new();
    rows::each(
        audit.store,
        filter,
        params,
        &format!("p.invoice_hash, {}", rows::CHAIN_ORDER),
        |p| {
            if invoice.as_deref() != Some(p.invoice_hash.as_slice()) {
                finish(audit, invoice.take(), std::mem::take(&mut paid), found)?;
                invoice = Some(p.invoice_hash.to_vec());
            }
            paid.push(p);
            Ok(())
        },
    )?;
    finish(audit, invoice, paid, found)
}

fn finish(
    audit: &Context,
    invoice: Option<Vec<u8>>,
    paid: Vec<Paid>,
    found: &mut Found,
) -> Result<()> {
    let Some(invoice) = invoice.filter(|_| paid.len() > 1) else {
        return Ok(());
    };
    let total: u64 = paid.iter().map(|p| p.amount).sum();
    let awards: BTreeSet<String> = paid
        .iter()
        .map(|p| audit.state.award_id(&p.award))
        .collect();
    let records: Vec<String> = paid.iter().map(|p| p.signature.clone()).collect();
    found(Finding {
        id: finding_id(ABOUT.id, &records),
        check: ABOUT.id,
        agency: audit.state.agency_code(&paid[0].agency),
        subject: hex::encode(invoice),
        summary: format!(
            "one invoice paid {} times ({} in all) on {}",
            paid.len(),
            audit.money(total),
            awards.into_iter().collect::<Vec<_>>().join(", ")
        ),
        records,
    })
}
