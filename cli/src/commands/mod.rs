//! One module per command group. Signing subcommands call the program; `show` and `list` only read.

pub mod agency;
pub mod award;
pub mod budget;
pub mod change;
pub mod clock;
pub mod demo;
pub mod flag;
pub mod keygen;
pub mod ledger;
pub mod member;
pub mod migrate;
pub mod payment;
pub mod property;
pub mod recipient;
pub mod serve;
pub mod watch;
pub mod watchdog;

use anchor_lang::prelude::Pubkey;
use public_spending::state::Ledger;
use public_spending_sdk::{amount, client::Submitted};
use solana_sdk::signature::{Keypair, Signer};

use crate::{
    args,
    context::Session,
    error::CliResult,
    output::{Field, Output},
};

/// Reads an amount in the ledger mint's units (`1250.00`).
pub fn parse_amount(ledger: &Ledger, input: &str) -> CliResult<u64> {
    Ok(amount::parse_amount(input, ledger.mint_decimals)?)
}

/// An amount in the ledger mint's units, for a record or a table.
pub fn show_amount(ledger: &Ledger, units: u64) -> Field {
    Field::amount(units, ledger.mint_decimals)
}

/// An amount for a sentence: `40,000.00`.
pub fn amount_text(ledger: &Ledger, units: u64) -> String {
    amount::format_grouped(units, ledger.mint_decimals)
}

/// Sends an auditor's action as `signer`: `fields`, the grounds (reason, evidence hash) and the signature.
pub async fn send_oversight(
    session: &Session,
    instruction: solana_sdk::instruction::Instruction,
    signer: &Keypair,
    mut fields: Vec<(&str, Field)>,
    grounds: &public_spending::state::OversightArgs,
) -> CliResult<Output> {
    fields.push(("reason", format!("{:?}", grounds.reason).into()));
    fields.push(("evidence", Field::Hash(grounds.evidence_hash)));
    send(session, &[instruction], signer, fields).await
}

/// Proposes `change` to the agency's controls (the head signs): the change, when it may apply, the signature.
pub async fn propose(
    session: &Session,
    agency: Pubkey,
    change: public_spending::state::ControlChange,
    signer: &Keypair,
) -> CliResult<Output> {
    let propose = public_spending_sdk::builders::ProposeChange {
        agency,
        head: signer.pubkey(),
        change,
    };
    let outcome = session
        .client
        .send(&[propose.instruction()], &[signer])
        .await?;
    let pending: public_spending::state::PendingChange =
        session.client.fetch(&propose.pending()).await?;
    let mut fields = vec![("proposed", true.into())];
    fields.extend(describe_change(&pending));
    fields.push(("signature", outcome.signature.to_string().into()));
    Ok(Output::record(fields))
}

/// Sends as `signer`: `fields` and the signature.
pub async fn send(
    session: &Session,
    instructions: &[solana_sdk::instruction::Instruction],
    signer: &Keypair,
    fields: Vec<(&str, Field)>,
) -> CliResult<Output> {
    let outcome = session.client.send(instructions, &[signer]).await?;
    let mut fields = fields;
    fields.push(("signature", outcome.signature.to_string().into()));
    Ok(Output::record(fields))
}

/// How a payment submission ended, with the amount it sent.
pub fn submitted(
    ledger: &Ledger,
    receipt: &public_spending_sdk::client::PaymentReceipt,
    amount: u64,
) -> Output {
    let (status, signature) = match &receipt.submitted {
        Submitted::Landed(outcome) => ("sent", Field::Text(outcome.signature.to_string())),
        Submitted::AlreadyLanded => ("already landed (not sent again)", Field::None),
    };
    Output::record(vec![
        ("payment", receipt.payment.into()),
        ("index", receipt.index.into()),
        ("amount", show_amount(ledger, amount)),
        ("status", status.into()),
        ("signature", signature),
    ])
}

/// What a pending change sets, and when it may apply.
pub fn describe_change(
    pending: &public_spending::state::PendingChange,
) -> Vec<(&'static str, Field)> {
    let mut fields = vec![("agency", pending.agency.into())];
    match pending.change {
        public_spending::state::ControlChange::Policy { policy } => {
            fields.push(("change", "approval policy".into()));
            fields.push(("threshold_base_units", Field::Count(policy.threshold)));
            fields.push(("approvals_required", policy.approvals_required.into()));
            fields.push(("time_lock_seconds", policy.time_lock_seconds.into()));
            fields.push((
                "fast_path_daily_cap_base_units",
                Field::Count(policy.fast_path_daily_cap),
            ));
        }
        public_spending::state::ControlChange::Member { key, roles, active } => {
            fields.push(("change", "member".into()));
            fields.push(("member", key.into()));
            fields.push(("roles", args::role_names(roles).into()));
            fields.push(("active", active.into()));
        }
    }
    fields.push(("proposed_by", pending.proposed_by.into()));
    fields.push(("proposed_at", Field::Time(pending.proposed_at)));
    fields.push(("effective_at", Field::Time(pending.effective_at)));
    fields
}
