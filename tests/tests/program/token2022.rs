//! Stablecoins as they are: the ledger takes a Token-2022 payment mint, and refuses one whose extensions would
//! change what a vendor receives, let someone else move the treasury's funds, run a program of the mint's
//! choosing on every payment, hide amounts, or make payments impossible.

use anchor_lang::solana_program::system_instruction;
use anchor_spl::token_2022::spl_token_2022::{
    self,
    extension::{transfer_fee, transfer_hook, ExtensionType},
    state::Mint,
};
use public_spending::{error::LedgerError, state::Ledger};
use public_spending_sdk::{builders, fetch::AccountSource, pda};
use public_spending_tests::*;
use solana_sdk::{
    instruction::Instruction,
    pubkey::Pubkey,
    rent::Rent,
    signature::{Keypair, Signer},
};

/// A Token-2022 mint with `extension`, set up by `init` before the mint itself is initialized.
async fn token_2022_mint(
    world: &mut World,
    extension: ExtensionType,
    init: impl Fn(&Pubkey) -> Instruction,
) -> Pubkey {
    let mint = Keypair::new();
    let len = ExtensionType::try_calculate_account_len::<Mint>(&[extension]).unwrap();
    let payer = world.chain.payer().pubkey();
    let authority = Keypair::new().pubkey();
    let instructions = [
        system_instruction::create_account(
            &payer,
            &mint.pubkey(),
            Rent::default().minimum_balance(len),
            len as u64,
            &spl_token_2022::ID,
        ),
        init(&mint.pubkey()),
        spl_token_2022::instruction::initialize_mint2(
            &spl_token_2022::ID,
            &mint.pubkey(),
            &authority,
            None,
            6,
        )
        .unwrap(),
    ];
    world.send(&instructions, &[&mint]).await.unwrap();
    mint.pubkey()
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
            "transfer fee",
            token_2022_mint(&mut world, ExtensionType::TransferFeeConfig, |mint| {
                transfer_fee::instruction::initialize_transfer_fee_config(
                    &spl_token_2022::ID,
                    mint,
                    Some(&delegate),
                    Some(&delegate),
                    0,
                    0,
                )
                .unwrap()
            })
            .await,
        ),
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
