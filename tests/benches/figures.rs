//! Deterministic figures for the payments layer: account sizes and rent, what a payment leaves on chain after
//! archiving, and how many transactions a payment takes on each path. Counts, not timings.
//!
//! `cargo bench -p public-spending-tests --bench figures`

use public_spending::{
    constants::UEI_LEN,
    state::{
        Agency, Allotment, Appropriation, ApprovalPolicy, Award, Exclusion, ExclusionList, Ledger,
        Member, Payment, Recipient,
    },
};
use public_spending_sdk::{
    builders::{ArchivePayment, PaymentDecision},
    fetch::AccountSource,
    Backend,
};
use public_spending_tests::{World, UNIT};
use solana_sdk::signature::Signer;
use std::io::Write;

#[tokio::main]
async fn main() {
    // The program's `msg!` lines go nowhere; the figures go to the real stdout.
    let mut out = public_spending_tests::bench_stdout();
    macro_rules! say {
        ($($arg:tt)*) => {
            writeln!(out, $($arg)*).expect("write to stdout")
        };
    }
    let mut world = World::new().await;
    let rent = world.chain.rent().await.expect("rent");
    say!("account sizes and rent-exempt minimum (this chain's rent):");
    for (name, size) in [
        ("Ledger", Ledger::SPACE),
        ("Agency", Agency::SPACE),
        ("Member", Member::SPACE),
        ("Appropriation", Appropriation::SPACE),
        ("Allotment", Allotment::SPACE),
        ("Recipient", Recipient::SPACE),
        ("Award", Award::SPACE),
        ("Payment", Payment::SPACE),
        ("Exclusion", Exclusion::SPACE),
        ("ExclusionList", ExclusionList::HEADER),
    ] {
        say!(
            "  {name:<14} {size:>5} bytes {:>10} lamports",
            rent.minimum_balance(size)
        );
    }
    say!(
        "  (the ExclusionList grows by {UEI_LEN} bytes, {} lamports, per UEI under an exclusion in force)",
        rent.minimum_balance(ExclusionList::HEADER + UEI_LEN) - rent.minimum_balance(ExclusionList::HEADER)
    );

    let agency = world.agency("075").await;
    world
        .set_policy(
            &agency,
            ApprovalPolicy {
                threshold: 1_000 * UNIT,
                approvals_required: 2,
                time_lock_seconds: 0,
                fast_path_daily_cap: 10_000 * UNIT,
            },
        )
        .await;
    let award = world.award(&agency, b"VENDOR000001", 10_000 * UNIT).await;

    // Approval path: request, one approval per approver, execute, archive.
    let request = world.request_ix(&agency, &award, 2_000 * UNIT).await;
    let mut approval_path = 0;
    world
        .send(&[request.instruction()], &[&agency.requester])
        .await
        .expect("request");
    approval_path += 1;
    for approver in &agency.approvers {
        let ix = world.decide_ix(
            &agency,
            &award,
            request.index,
            approver,
            PaymentDecision::Approve,
        );
        world.send(&[ix], &[approver]).await.expect("approve");
        approval_path += 1;
    }
    let ix = world.execute_ix(&agency, &award, request.index);
    world
        .send(&[ix], &[&agency.executor])
        .await
        .expect("execute");
    approval_path += 1;
    let archive = ArchivePayment {
        award: award.keys.award,
        payment: request.payment(),
        rent_payer: agency.requester.pubkey(),
    }
    .instruction();
    world.send(&[archive], &[]).await.expect("archive");
    let approval_left = world
        .chain
        .get_account(&request.payment())
        .await
        .expect("read");

    // Fast path: pay_small alone, no archive step. What it leaves is measured over every account the program
    // owns (and the payment's would-be address): bytes and lamports before and after.
    let program_state =
        |accounts: Vec<(anchor_lang::prelude::Pubkey, solana_sdk::account::Account)>| {
            accounts
                .iter()
                .fold((0usize, 0u64), |(bytes, lamports), (_, a)| {
                    (bytes + a.data.len(), lamports + a.lamports)
                })
        };
    let before = program_state(world.chain.program_accounts(&[]).await.expect("accounts"));
    let small = world.pay_small_ix(&agency, &award, 250 * UNIT).await;
    world
        .send(&[small.instruction()], &[&agency.executor])
        .await
        .expect("pay small");
    let after = program_state(world.chain.program_accounts(&[]).await.expect("accounts"));
    let fast_left = world
        .chain
        .get_account(&small.payment())
        .await
        .expect("read");

    say!("transactions per payment:");
    say!(
        "  approval path (2 approvals): {approval_path} (+1 to archive, batchable with later work)"
    );
    say!("  fast path:                   1 (pay_small; nothing to archive)");
    say!("state left on chain by a payment:");
    let approval = approval_left
        .as_ref()
        .map_or((0, 0), |a| (a.data.len(), a.lamports));
    say!(
        "  approval path, after archive_payment: {} bytes, {} lamports",
        approval.0,
        approval.1
    );
    say!(
        "  fast path, with no archive step:      {} bytes, {} lamports (program accounts before and after: {} -> {} bytes, {} -> {} lamports; payment address holds {})",
        after.0 - before.0,
        after.1 - before.1,
        before.0,
        after.0,
        before.1,
        after.1,
        fast_left.map_or("no account".to_string(), |a| format!("{} bytes", a.data.len()))
    );
    say!(
        "  live approval-path Payment account until archived: {} bytes, {} lamports of rent (goal: under 2,500,000)",
        Payment::SPACE,
        rent.minimum_balance(Payment::SPACE)
    );
    assert_eq!(
        (after.0 - before.0, after.1 - before.1),
        (0, 0),
        "the fast path leaves nothing"
    );
    assert!(
        rent.minimum_balance(Payment::SPACE) < 2_500_000,
        "the live Payment account's rent"
    );
}
