//! Stablecoins as they are: the ledger takes a Token-2022 payment mint and pays vendors in it, exactly the
//! invoice amount (a payment the mint's transfer fee would cut is refused), with the memo a vendor's account may
//! require; it refuses a mint whose extensions would let someone else move the treasury's funds, run a program
//! of the mint's choosing on every payment, hide amounts, or make payments impossible.

use anchor_spl::token_2022::spl_token_2022::{
    self,
    extension::{memo_transfer, transfer_fee, transfer_hook, ExtensionType},
};
use public_spending::{
    error::LedgerError,
    state::{Agency, ApprovalPolicy, Award, Ledger},
};
use public_spending_sdk::{builders, fetch::AccountSource, pda, LedgerEvent};
use public_spending_tests::*;
use solana_sdk::{
    instruction::Instruction,
    pubkey::Pubkey,
    signature::{Keypair, Signer},
};

async fn token_2022_mint(
    world: &mut World,
    extension: ExtensionType,
    init: impl Fn(&Pubkey) -> Instruction,
) -> Pubkey {
    world.create_token_2022_mint(extension, init).await
}

fn initialize(world: &World, mint: Pubkey) -> Instruction {
    builders::InitializeLedger {
        admin: world.admin.pubkey(),
        payment_mint: mint,
        token_program: spl_token_2022::ID,
    }
    .instruction()
}

#[tokio::test]
async fn a_token_2022_mint_with_a_refused_extension_is_refused_at_initialize() {
    let mut world = World::without_ledger().await;
    let delegate = Keypair::new().pubkey();
    let hook_program = Keypair::new().pubkey();
    let mints = [
        (
            "transfer hook",
            token_2022_mint(&mut world, ExtensionType::TransferHook, |mint| {
                transfer_hook::instruction::initialize(
                    &spl_token_2022::ID,
                    mint,
                    Some(delegate),
                    Some(hook_program),
                )
                .unwrap()
            })
            .await,
        ),
        (
            "permanent delegate",
            token_2022_mint(&mut world, ExtensionType::PermanentDelegate, |mint| {
                spl_token_2022::instruction::initialize_permanent_delegate(
                    &spl_token_2022::ID,
                    mint,
                    &delegate,
                )
                .unwrap()
            })
            .await,
        ),
        (
            "non-transferable",
            token_2022_mint(&mut world, ExtensionType::NonTransferable, |mint| {
                spl_token_2022::instruction::initialize_non_transferable_mint(
                    &spl_token_2022::ID,
                    mint,
                )
                .unwrap()
            })
            .await,
        ),
    ];
    let admin = world.admin.insecure_clone();
    for (extension, mint) in mints {
        let result = world.send(&[initialize(&world, mint)], &[&admin]).await;
        Refusal::from(LedgerError::UnsupportedMintExtension).assert(&result);
        assert!(
            world
                .chain
                .get_account(&pda::ledger().0)
                .await
                .unwrap()
                .is_none(),
            "{extension}: a ledger was created"
        );
    }
}

/// A mint of more than 9 decimals could not carry a budget in a u64 of base units, and a ledger is initialized
/// once: refused, on either token program, and no ledger is made; 9 decimals is taken.
#[tokio::test]
async fn a_mint_of_more_than_nine_decimals_is_refused_at_initialize() {
    let mut world = World::without_ledger().await;
    let admin = world.admin.insecure_clone();
    for token_program in [anchor_spl::token::ID, spl_token_2022::ID] {
        for decimals in [10, 30] {
            let mint = world
                .chain
                .create_mint_in(&admin.pubkey(), decimals, &token_program)
                .await
                .unwrap();
            let ix = builders::InitializeLedger {
                admin: admin.pubkey(),
                payment_mint: mint,
                token_program,
            }
            .instruction();
            let result = world.send(&[ix], &[&admin]).await;
            Refusal::from(LedgerError::MintDecimalsTooMany).assert(&result);
            assert!(world
                .chain
                .get_account(&pda::ledger().0)
                .await
                .unwrap()
                .is_none());
        }
    }
    let mint = world
        .chain
        .create_mint_in(&admin.pubkey(), 9, &anchor_spl::token::ID)
        .await
        .unwrap();
    let ix = builders::InitializeLedger {
        admin: admin.pubkey(),
        payment_mint: mint,
        token_program: anchor_spl::token::ID,
    }
    .instruction();
    world.send(&[ix], &[&admin]).await.unwrap();
    let ledger: Ledger = world.get(&pda::ledger().0).await;
    assert_eq!(ledger.mint_decimals, 9);
}

#[tokio::test]
async fn a_plain_token_2022_mint_makes_a_ledger() {
    let mut world = World::without_ledger().await;
    let mint = token_2022_mint(&mut world, ExtensionType::MintCloseAuthority, |mint| {
        spl_token_2022::instruction::initialize_mint_close_authority(
            &spl_token_2022::ID,
            mint,
            None,
        )
        .unwrap()
    })
    .await;
    let admin = world.admin.insecure_clone();
    world
        .send(&[initialize(&world, mint)], &[&admin])
        .await
        .unwrap();
    let ledger: Ledger = world.get(&pda::ledger().0).await;
    assert_eq!(
        (
            ledger.payment_mint,
            ledger.token_program,
            ledger.mint_decimals
        ),
        (mint, spl_token_2022::ID, 6)
    );
}

const POLICY: ApprovalPolicy = ApprovalPolicy {
    threshold: 1_000 * UNIT,
    approvals_required: 1,
    time_lock_seconds: 0,
    fast_path_daily_cap: 10_000 * UNIT,
};

/// A mint with a transfer fee of `basis_points` (at most `maximum` base units) from the first epoch.
fn transfer_fee(basis_points: u16, maximum: u64) -> impl Fn(&Pubkey) -> Instruction {
    move |mint| {
        transfer_fee::instruction::initialize_transfer_fee_config(
            &spl_token_2022::ID,
            mint,
            None,
            None,
            basis_points,
            maximum,
        )
        .unwrap()
    }
}

/// A world on a Token-2022 mint with `extension`, agency 075 under [`POLICY`], and an award of 5,000 to a
/// vendor whose payout wallet is returned with it.
async fn paying_world(
    extension: ExtensionType,
    init: impl Fn(&Pubkey) -> Instruction,
) -> (World, AgencyFixture, AwardFixture, Keypair) {
    let mut world = World::token_2022(extension, init).await;
    let agency = world.agency("075").await;
    world.set_policy(&agency, POLICY).await;
    let appropriation = world.appropriation(&agency, 10_000 * UNIT).await;
    let allotment = world.allot(&agency, appropriation, 10_000 * UNIT).await;
    let vendor = world.funded().await;
    let award = world
        .award_paying(
            &agency,
            (appropriation, allotment),
            b"TOKEN2022VND",
            5_000 * UNIT,
            vendor.pubkey(),
        )
        .await;
    (world, agency, award, vendor)
}

#[tokio::test]
async fn a_token_2022_mint_with_a_zero_transfer_fee_pays_the_invoice_on_every_path() {
    let (mut world, agency, award, _) =
        paying_world(ExtensionType::TransferFeeConfig, transfer_fee(0, 0)).await;
    let vendor_account = world.payout(&award).recipient_token_account();

    // The fast path, creating the vendor's Token-2022 account.
    let small = world.pay_small_ix(&agency, &award, 400 * UNIT).await;
    let outcome = world
        .send(&[small.instruction()], &[&agency.executor])
        .await
        .unwrap();
    let paid = the_event(&outcome, |e| match e {
        LedgerEvent::PaymentExecuted(p) => Some(p.clone()),
        _ => None,
    });
    assert_eq!(paid.record.amount, 400 * UNIT);
    assert_eq!(world.balance(&vendor_account).await, 400 * UNIT);

    // The approval path.
    let request = world.request_ix(&agency, &award, 1_500 * UNIT).await;
    world
        .send(&[request.instruction()], &[&agency.requester])
        .await
        .unwrap();
    let approve = world.decide_ix(
        &agency,
        &award,
        request.index,
        &agency.approvers[0],
        builders::PaymentDecision::Approve,
    );
    world
        .send(&[approve], &[&agency.approvers[0]])
        .await
        .unwrap();
    let execute = world.execute_ix(&agency, &award, request.index);
    world.send(&[execute], &[&agency.executor]).await.unwrap();

    // A batch.
    let batch = builders::PayBatch {
        agency: agency.agency,
        executor: agency.executor.pubkey(),
        payment_mint: world.mint,
        token_program: spl_token_2022::ID,
        items: vec![builders::BatchItem {
            keys: award.keys,
            payout: world.payout(&award),
            index: request.index + 1,
            amount: 100 * UNIT,
            invoice_hash: payment_args(100 * UNIT).invoice_hash,
        }],
    };
    world
        .send(&[batch.instruction()], &[&agency.executor])
        .await
        .unwrap();

    assert_eq!(world.balance(&vendor_account).await, 2_000 * UNIT);
    assert_eq!(world.balance(&agency.treasury).await, 3_000 * UNIT);
    let stored: Award = world.get(&award.keys.award).await;
    assert_eq!(stored.outlayed, 2_000 * UNIT);
}

#[tokio::test]
async fn a_payment_the_transfer_fee_would_cut_is_refused_and_nothing_moves() {
    // 1% with a cap of 5.00: every payment of 1.00 or more pays a fee.
    let (mut world, agency, award, _) = paying_world(
        ExtensionType::TransferFeeConfig,
        transfer_fee(100, 5 * UNIT),
    )
    .await;
    let vendor_account = world.payout(&award).recipient_token_account();
    let small = world.pay_small_ix(&agency, &award, 400 * UNIT).await;
    world
        .expect_refused(
            &[small.instruction()],
            &[&agency.executor],
            LedgerError::TransferFeeCharged,
            &[
                agency.agency,
                agency.treasury,
                award.keys.award,
                vendor_account,
            ],
        )
        .await;
    assert_eq!(world.balance(&agency.treasury).await, 5_000 * UNIT);
    let stored: Agency = world.get(&agency.agency).await;
    assert_eq!((stored.outlayed, stored.outlay_count), (0, 0));
    // Token-2022 rounds a fee up: even one base unit pays one in fee, and is refused.
    let tiny = world.pay_small_ix(&agency, &award, 1).await;
    world
        .expect_refused(
            &[tiny.instruction()],
            &[&agency.executor],
            LedgerError::TransferFeeCharged,
            &[
                agency.agency,
                agency.treasury,
                award.keys.award,
                vendor_account,
            ],
        )
        .await;
}

/// The vendor opens its Token-2022 account and requires memos on incoming transfers.
async fn require_memos(world: &mut World, award: &AwardFixture, vendor: &Keypair) -> Pubkey {
    let account = world.payout(award).recipient_token_account();
    let instructions = [
        anchor_spl::associated_token::spl_associated_token_account::instruction::create_associated_token_account_idempotent(
            &vendor.pubkey(),
            &vendor.pubkey(),
            &world.mint,
            &spl_token_2022::ID,
        ),
        spl_token_2022::instruction::reallocate(
            &spl_token_2022::ID,
            &account,
            &vendor.pubkey(),
            &vendor.pubkey(),
            &[],
            &[ExtensionType::MemoTransfer],
        )
        .unwrap(),
        memo_transfer::instruction::enable_required_transfer_memos(
            &spl_token_2022::ID,
            &account,
            &vendor.pubkey(),
            &[],
        )
        .unwrap(),
    ];
    world.send(&instructions, &[vendor]).await.unwrap();
    account
}

#[tokio::test]
async fn a_vendor_account_that_requires_memos_is_paid_with_the_invoice_hash_as_memo() {
    let (mut world, agency, award, vendor) =
        paying_world(ExtensionType::MintCloseAuthority, |mint| {
            spl_token_2022::instruction::initialize_mint_close_authority(
                &spl_token_2022::ID,
                mint,
                None,
            )
            .unwrap()
        })
        .await;
    let account = require_memos(&mut world, &award, &vendor).await;

    // Without the memo program the payment cannot carry its memo: refused, nothing moves.
    let small = world.pay_small_ix(&agency, &award, 400 * UNIT).await;
    let without_memo = swap_account(
        small.instruction(),
        &anchor_spl::memo::ID,
        &public_spending::ID,
    );
    world
        .expect_refused(
            &[without_memo],
            &[&agency.executor],
            LedgerError::MemoProgramMissing,
            &[agency.agency, agency.treasury, award.keys.award, account],
        )
        .await;

    let outcome = world
        .send(&[small.instruction()], &[&agency.executor])
        .await
        .unwrap();
    let memo: String = small
        .args
        .invoice_hash
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(
        outcome.logs.iter().any(|line| line.contains(&memo)),
        "no memo {memo} in {:?}",
        outcome.logs
    );
    assert_eq!(world.balance(&account).await, 400 * UNIT);

    // A batch sends one memo before each transfer.
    let batch = builders::PayBatch {
        agency: agency.agency,
        executor: agency.executor.pubkey(),
        payment_mint: world.mint,
        token_program: spl_token_2022::ID,
        items: [1u32, 2]
            .into_iter()
            .map(|index| builders::BatchItem {
                keys: award.keys,
                payout: world.payout(&award),
                index,
                amount: u64::from(index) * UNIT,
                invoice_hash: [index as u8; 32],
            })
            .collect(),
    };
    world
        .send(&[batch.instruction()], &[&agency.executor])
        .await
        .unwrap();
    assert_eq!(world.balance(&account).await, 403 * UNIT);
}
