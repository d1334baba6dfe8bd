//! One vendor, different wallets in different agencies: SQL gives each recipient's first payment per agency (a
//! GROUP BY over the recipient index: one row per recipient and agency); the UEIs and wallets come from the
//! recipients' accounts.

use std::collections::{BTreeMap, BTreeSet};

use anchor_lang::prelude::Pubkey;
use public_spending_sdk::LedgerEvent;

use super::{finding_id, rows, About, Changes, Check, Context, Finding, Found};
use crate::{store::Value, Result, WatchdogError};

pub const ABOUT: About = About {
    id: "split-wallets",
    title: "One vendor, different wallets in different agencies",
    explanation: "Agencies paid the same Unique Entity ID into different wallets. Each agency keeps its own vendor file, so this can be legitimate (a vendor with several accounts), but it is also what a fake record of a real vendor looks like.",
};

pub struct SplitWallets;

impl Check for SplitWallets {
    fn about(&self) -> &'static About {
        &ABOUT
    }

    fn run(&self, audit: &Context, found: &mut Found) -> Result<()> {
        check(audit, "true", &[], found)
    }

    /// A UEI's finding changes with a new wallet (a confirmed change) or a new agency paying one of its
    /// recipients (a first payment by that agency to that recipient): every recipient of that UEI again.
    fn rerun(&self, audit: &Context, changes: &Changes, found: &mut Found) -> Result<()> {
        let mut ueis: BTreeSet<[u8; 12]> = BTreeSet::new();
        for (_, _, event) in changes.of(&["PayoutWalletConfirmed"]) {
            if let LedgerEvent::PayoutWalletConfirmed(e) = event {
                ueis.insert(e.uei);
            }
        }
        for (recipient, agency) in changes.touched(|p| (p.record.recipient, p.record.agency)) {
            let Some(uei) = audit.state.recipients.get(&recipient).map(|r| r.uei) else {
                continue;
            };
            // The new payment is one of the pair's; a second one means the agency had paid the recipient.
            let mut paid = 0;
            audit.store.query(
                "SELECT 1 FROM payments p WHERE p.recipient = $1 AND p.agency = $2 LIMIT 2",
                &[recipient.as_ref().into(), agency.as_ref().into()],
                |_| {
                    paid += 1;
                    Ok(())
                },
            )?;
            if paid < 2 {
                ueis.insert(uei);
            }
        }
        let recipients: Vec<Value> = audit
            .state
            .recipients
            .iter()
            .filter(|(_, r)| ueis.contains(&r.uei))
            .map(|(address, _)| address.as_ref().into())
            .collect();
        if recipients.is_empty() {
            return Ok(());
        }
        let placeholders: Vec<String> = (1..=recipients.len()).map(|n| format!("${n}")).collect();
        check(
            audit,
            &format!("p.recipient IN ({})", placeholders.join(", ")),
            &recipients,
            found,
        )
    }
}

/// Per wallet of a UEI: the agencies that paid it, and its first payment in the chain's order (agency,
/// sequence, recipient).
#[derive(Default)]
struct Wallet {
    agencies: BTreeSet<String>,
    first: Option<(Pubkey, i64, Pubkey)>,
}

fn check(audit: &Context, filter: &str, params: &[Value], found: &mut Found) -> Result<()> {
    let state = &audit.state;
    let mut paid: BTreeMap<[u8; 12], BTreeMap<Pubkey, Wallet>> = BTreeMap::new();
    let key = |bytes: &[u8]| {
        <[u8; 32]>::try_from(bytes)
            .map(Pubkey::new_from_array)
            .map_err(|_| WatchdogError::Invalid("a key column is not 32 bytes".into()))
    };
    audit.store.query(
        &format!(
            "SELECT p.recipient, p.agency, min(p.sequence) FROM payments p WHERE {filter}
             GROUP BY p.recipient, p.agency"
        ),
        params,
        |row| {
            let (recipient, agency, sequence) =
                (key(row.bytes(0)?)?, key(row.bytes(1)?)?, row.int(2)?);
            let Some(account) = state.recipients.get(&recipient) else {
                return Ok(());
            };
            let wallet = paid
                .entry(account.uei)
                .or_default()
                .entry(account.payout_wallet)
                .or_default();
            wallet.agencies.insert(state.agency_code(&agency));
            let candidate = (agency, sequence, recipient);
            if wallet
                .first
                .is_none_or(|first| (candidate.0, candidate.1) < (first.0, first.1))
            {
                wallet.first = Some(candidate);
            }
            Ok(())
        },
    )?;
    for (uei, wallets) in paid {
        let agencies: BTreeSet<&String> = wallets.values().flat_map(|w| &w.agencies).collect();
        if wallets.len() < 2 || agencies.len() < 2 {
            continue;
        }
        let described: Vec<String> = wallets
            .iter()
            .map(|(wallet, w)| {
                let agencies: Vec<&str> = w.agencies.iter().map(String::as_str).collect();
                format!("{} by {}", wallet, agencies.join(", "))
            })
            .collect();
        let mut records = Vec::new();
        for w in wallets.values() {
            let Some((agency, sequence, recipient)) = w.first else {
                continue;
            };
            let first = rows::select(
                audit.store,
                "p.agency = $1 AND p.sequence = $2 AND p.recipient = $3",
                &[
                    agency.as_ref().into(),
                    sequence.into(),
                    recipient.as_ref().into(),
                ],
            )?;
            records.extend(first.into_iter().next().map(|p| p.signature));
        }
        // The wallets themselves: one more wallet for the UEI is a new finding.
        let wallet_names: Vec<String> = wallets.keys().map(Pubkey::to_string).collect();
        found(Finding {
            id: finding_id(ABOUT.id, &wallet_names),
            check: ABOUT.id,
            agency: agencies
                .iter()
                .map(|a| a.as_str())
                .collect::<Vec<_>>()
                .join(","),
            subject: String::from_utf8_lossy(&uei).into_owned(),
            summary: format!(
                "paid into {} wallets: {}",
                wallets.len(),
                described.join("; ")
            ),
            records,
        })?;
    }
    Ok(())
}
