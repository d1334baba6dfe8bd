//! A stablecoin mint of one's own: the instructions that create one and mint into it, for the embedded chain,
//! a local validator and the tests (production ledgers use an existing stablecoin's mint).

use anchor_lang::{
    prelude::Pubkey,
    solana_program::{instruction::Instruction, program_pack::Pack, system_instruction},
};
use anchor_spl::{token::spl_token, token_2022::spl_token_2022};

use crate::{error::SdkError, fetch::AccountSource};

/// The size of a mint account with no extensions (SPL Token, or Token-2022 without any).
pub const MINT_LEN: usize = spl_token::state::Mint::LEN;

/// Creates `mint` (a new keypair's address, which signs) owned by `token_program`, SPL Token or Token-2022,
/// with `authority` as mint authority; `payer` pays `rent`, the rent-exempt minimum of [`MINT_LEN`] bytes.
pub fn create_mint(
    payer: &Pubkey,
    mint: &Pubkey,
    authority: &Pubkey,
    decimals: u8,
    token_program: &Pubkey,
    rent: u64,
) -> Result<[Instruction; 2], SdkError> {
    Ok([
        system_instruction::create_account(payer, mint, rent, MINT_LEN as u64, token_program),
        spl_token_2022::instruction::initialize_mint2(
            token_program,
            mint,
            authority,
            None,
            decimals,
        )
        .map_err(SdkError::from)?,
    ])
}

/// Mints `amount` base units of `mint` into `token_account`, signed by the mint authority, through the token
/// program that owns the mint (read from `source`).
pub async fn mint_to(
    source: &(impl AccountSource + ?Sized),
    mint: &Pubkey,
    token_account: &Pubkey,
    authority: &Pubkey,
    amount: u64,
) -> Result<Instruction, SdkError> {
    let token_program = source
        .get_account(mint)
        .await?
        .map_or(spl_token::ID, |account| account.owner);
    spl_token_2022::instruction::mint_to(
        &token_program,
        mint,
        token_account,
        authority,
        &[],
        amount,
    )
    .map_err(SdkError::from)
}
