//! One module per command group. Signing subcommands call the program; `show` and `list` only read.

pub mod agency;
pub mod award;
pub mod budget;
pub mod change;
pub mod clock;
#[cfg(feature = "embedded")]
pub mod demo;
pub mod explore;
pub mod flag;
pub mod keygen;
pub mod ledger;
pub mod member;
pub mod migrate;
pub mod payment;
pub mod property;
pub mod recipient;
#[cfg(feature = "embedded")]
pub mod serve;
pub mod watch;
pub mod watchdog;

use anchor_lang::prelude::Pubkey;
use public_spending::{error::LedgerError, state::Ledger};
use public_spending_sdk::{amount, builders::Operation, client::Submitted, Backend};
use solana_sdk::signature::Keypair;

use crate::{
    args,
    context::Session,
    error::{fail, CliError, CliResult},
    output::{Field, Output},
};

/// Ctrl-C, or (on Unix) SIGTERM: how a command that serves (`serve`, `explore`) is told to stop.
pub async fn stop_requested() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut terminate) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
            return;
        }
    }
    // Without a handler there is no clean way to stop; waiting on Ctrl-C alone is what remains.
    let _ = tokio::signal::ctrl_c().await;
}

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

/// Proposes `change` on notice (`Client::propose_change`): in `agency` (its head signs), or to the ledger's own
/// auditors or limits (`agency` none; the admin signs). Prints the change, when it may apply, the signature.
pub async fn propose(
    session: &Session,
    agency: Option<Pubkey>,
    change: public_spending::state::ControlChange,
    signer: &Keypair,
) -> CliResult<Output> {
    let ledger = session.ledger().await?;
    let (pending, outcome) = session
        .client
        .propose_change(agency, change, signer)
        .await?;
    let mut fields = vec![("proposed", true.into())];
    fields.extend(describe_change(&ledger, &pending));
    fields.push(("signature", outcome.signature.to_string().into()));
    Ok(Output::record(fields))
}

/// Sends as `signer`: `fields` and the signature.
pub async fn send(
    session: &Session,
    operation: &(impl Operation + ?Sized),
    signer: &Keypair,
    fields: Vec<(&str, Field)>,
) -> CliResult<Output> {
    send_explained(session, operation, signer, fields, |_| None).await
}

/// [`send`], with a refusal `explain` knows better put in the person's terms (which flag, which command).
pub async fn send_explained(
    session: &Session,
    operation: &(impl Operation + ?Sized),
    signer: &Keypair,
    fields: Vec<(&str, Field)>,
    explain: impl Fn(LedgerError) -> Option<String>,
) -> CliResult<Output> {
    let outcome = match session.client.perform(operation, &[signer]).await {
        Ok(outcome) => outcome,
        Err(err) => match err.ledger_error().and_then(&explain) {
            Some(explained) => return Err(CliError(explained)),
            None => return Err(err.into()),
        },
    };
    let mut fields = fields;
    fields.push(("signature", outcome.signature.to_string().into()));
    Ok(Output::record(fields))
}

/// `LooseningNeedsNotice` with the command that proposes the same thing on notice.
pub fn needs_notice(error: LedgerError, propose: &str) -> Option<String> {
    matches!(error, LedgerError::LooseningNeedsNotice).then(|| {
        format!(
            "LooseningNeedsNotice ({}): this loosens a control, so it waits out a notice: propose it with `{propose}`; it applies after the notice unless an auditor vetoes it",
            u32::from(error)
        )
    })
}

/// Refuses, before sending, to apply a change whose notice is not over, saying when it is.
pub async fn require_notice_over(
    session: &Session,
    what: &str,
    effective_at: i64,
) -> CliResult<()> {
    let now = session.client.backend().unix_timestamp().await?;
    if now < effective_at {
        fail!(
            "the notice of {what} ends {}, in {}: apply it then",
            time_text(effective_at),
            duration_text(effective_at - now)
        );
    }
    Ok(())
}

/// A time for a sentence: `2026-12-07 20:09:22 UTC`.
pub fn time_text(seconds: i64) -> String {
    Field::Time(seconds).to_string()
}

/// A span for a sentence: `3 days 4 h`, `23 h 59 min`, `12 min 5 s`.
pub fn duration_text(seconds: i64) -> String {
    let (days, hours, minutes, secs) = (
        seconds / 86_400,
        seconds % 86_400 / 3_600,
        seconds % 3_600 / 60,
        seconds % 60,
    );
    match (days, hours, minutes) {
        (0, 0, 0) => format!("{secs} s"),
        (0, 0, _) => format!("{minutes} min {secs} s"),
        (0, _, _) => format!("{hours} h {minutes} min"),
        (1, _, _) => format!("1 day {hours} h"),
        _ => format!("{days} days {hours} h"),
    }
}

/// What a pending change is about: `policy`, the member's key, `auditors` or `limits`.
pub fn subject_name(pending: &public_spending::state::PendingChange) -> String {
    use public_spending::state::ControlChange;
    match &pending.change {
        ControlChange::Policy { .. } => "policy".to_string(),
        ControlChange::Member { key, .. } => key.to_string(),
        ControlChange::Auditors { .. } => "auditors".to_string(),
        ControlChange::Limits { .. } => "limits".to_string(),
    }
}

/// What a change sets, in one line (amounts in the ledger mint's units).
pub fn change_text(ledger: &Ledger, change: &public_spending::state::ControlChange) -> String {
    use public_spending::state::ControlChange;
    let ceiling = |units: u64| {
        if units == u64::MAX {
            "none".to_string()
        } else {
            amount_text(ledger, units)
        }
    };
    match change {
        ControlChange::Policy { policy } => format!(
            "approval policy: threshold {}, {} approval(s), time lock {} s, fast-path cap {} a day",
            amount_text(ledger, policy.threshold),
            policy.approvals_required,
            policy.time_lock_seconds,
            amount_text(ledger, policy.fast_path_daily_cap)
        ),
        ControlChange::Member { roles, active, .. } => format!(
            "member: {}{}",
            args::role_names(*roles),
            if *active { "" } else { " (inactive)" }
        ),
        ControlChange::Auditors { auditors } => {
            let names: Vec<String> = auditors.iter().map(Pubkey::to_string).collect();
            format!("auditors: {}", names.join(", "))
        }
        ControlChange::Limits { limits } => format!(
            "limits: fast-path threshold ceiling {}, daily cap ceiling {}, minimum notice {} h",
            ceiling(limits.max_fast_path_threshold),
            ceiling(limits.max_fast_path_daily_cap),
            limits.min_change_notice_seconds / 3_600
        ),
    }
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

/// What a pending change sets (amounts in the ledger mint's units), and when it may apply.
pub fn describe_change(
    ledger: &Ledger,
    pending: &public_spending::state::PendingChange,
) -> Vec<(&'static str, Field)> {
    let mut fields = vec![("agency", pending.agency.into())];
    match pending.change.clone() {
        public_spending::state::ControlChange::Policy { policy } => {
            fields.push(("change", "approval policy".into()));
            fields.push(("threshold", show_amount(ledger, policy.threshold)));
            fields.push(("approvals_required", policy.approvals_required.into()));
            fields.push(("time_lock_seconds", policy.time_lock_seconds.into()));
            fields.push((
                "fast_path_daily_cap",
                show_amount(ledger, policy.fast_path_daily_cap),
            ));
        }
        public_spending::state::ControlChange::Member { key, roles, active } => {
            fields.push(("change", "member".into()));
            fields.push(("member", key.into()));
            fields.push(("roles", args::role_names(roles).into()));
            fields.push(("active", active.into()));
        }
        public_spending::state::ControlChange::Auditors { auditors } => {
            fields.push(("change", "auditors".into()));
            let names: Vec<String> = auditors.iter().map(Pubkey::to_string).collect();
            fields.push(("auditors", names.join(", ").into()));
        }
        public_spending::state::ControlChange::Limits { .. } => {
            fields.push(("change", change_text(ledger, &pending.change).into()));
        }
    }
    if pending.vetoed() {
        fields.push(("vetoed_by", pending.vetoed_by.into()));
        fields.push(("vetoed_at", Field::Time(pending.vetoed_at)));
    }
    fields.push(("proposed_by", pending.proposed_by.into()));
    fields.push(("proposed_at", Field::Time(pending.proposed_at)));
    fields.push(("effective_at", Field::Time(pending.effective_at)));
    fields
}
