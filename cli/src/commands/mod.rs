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
pub mod watchdog;

use anchor_lang::prelude::Pubkey;
use public_spending::state::{Ledger, Member};
use public_spending_sdk::{amount, client::Submitted, pda, TxOutcome};
use solana_sdk::signature::{Keypair, Signer};

use crate::{
    args,
    context::Session,
    error::CliResult,
    fail,
    output::{print_record, Field},
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

/// Checks before sending that `signer` is an active member of the agency with `role`.
pub async fn require_role(
    session: &Session,
    code: &str,
    agency: &Pubkey,
    signer: &Pubkey,
    role: u8,
) -> CliResult<()> {
    let member: Option<Member> = session
        .client
        .fetch_optional(&pda::member(agency, signer).0)
        .await?;
    let name = args::role_names(role);
    match member {
        None => fail!("{signer} is not a member of agency {code} (needs the {name} role)"),
        Some(m) if !m.active => fail!("{signer} is a deactivated member of agency {code}"),
        Some(m) if m.roles & role != role => {
            fail!("{signer} lacks the {name} role in agency {code}")
        }
        Some(_) => Ok(()),
    }
}

/// Sends an auditor's action as `signer` and prints `fields`, the grounds (reason, evidence hash) and the
/// signature.
pub async fn send_oversight(
    session: &Session,
    instruction: solana_sdk::instruction::Instruction,
    signer: &Keypair,
    mut fields: Vec<(&str, Field)>,
    grounds: &public_spending::state::OversightArgs,
) -> CliResult<()> {
    fields.push(("reason", format!("{:?}", grounds.reason).into()));
    fields.push(("evidence", Field::Hash(grounds.evidence_hash)));
    send(session, &[instruction], signer, fields)
        .await
        .map(drop)
}

/// Sends as `signer` and prints the signature with `fields`.
/// Proposes `change` to the agency's controls (the head signs) and prints it with when it may apply.
pub async fn propose(
    session: &Session,
    agency: Pubkey,
    change: public_spending::state::ControlChange,
    signer: &Keypair,
) -> CliResult<()> {
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
    fields.extend(change::describe(&pending));
    fields.push(("signature", outcome.signature.to_string().into()));
    print_record(session.format, &fields);
    Ok(())
}

pub async fn send(
    session: &Session,
    instructions: &[solana_sdk::instruction::Instruction],
    signer: &Keypair,
    fields: Vec<(&str, Field)>,
) -> CliResult<TxOutcome> {
    let outcome = session.client.send(instructions, &[signer]).await?;
    let mut fields = fields;
    fields.push(("signature", outcome.signature.to_string().into()));
    print_record(session.format, &fields);
    Ok(outcome)
}

/// Prints how a payment submission ended, with the amount it sent.
pub fn print_submitted(
    session: &Session,
    ledger: &Ledger,
    receipt: &public_spending_sdk::client::PaymentReceipt,
    amount: u64,
) {
    let (status, signature) = match &receipt.submitted {
        Submitted::Landed(outcome) => ("sent", Field::Text(outcome.signature.to_string())),
        Submitted::AlreadyLanded => ("already landed (not sent again)", Field::None),
    };
    print_record(
        session.format,
        &[
            ("payment", receipt.payment.into()),
            ("index", receipt.index.into()),
            ("amount", show_amount(ledger, amount)),
            ("status", status.into()),
            ("signature", signature),
        ],
    );
}

/// The mint authority of `mint`, if it has one.
pub async fn mint_authority(session: &Session, mint: &Pubkey) -> CliResult<Option<Pubkey>> {
    use anchor_lang::AccountDeserialize;
    use public_spending_sdk::fetch::AccountSource;
    let Some(account) = session.client.backend().get_account(mint).await? else {
        fail!("mint {mint} does not exist")
    };
    match anchor_spl::token_interface::Mint::try_deserialize(&mut account.data.as_slice()) {
        Ok(state) => Ok(state.mint_authority.into()),
        Err(err) => fail!("{mint} is not a token mint: {err}"),
    }
}

/// Every account matching `query`, with a spinner on stderr while the node answers.
pub async fn list<Q: public_spending_sdk::query::Query>(
    session: &Session,
    query: &Q,
) -> CliResult<Vec<(Pubkey, Q::Account)>> {
    let _reading = crate::output::Spinner::new("reading the ledger");
    Ok(session.client.list(query).await?)
}
