//! Agencies as every scenario sets them up: registered by the ledger's admin, then each member given its roles
//! by the head in one transaction. The test fixtures and the demo's fiscal year both build on it.

use anchor_lang::prelude::Pubkey;
use public_spending::instructions::{RegisterAgencyArgs, SetMemberArgs};
use public_spending_sdk::{builders, pda, Backend, SdkError};
use solana_sdk::signature::{Keypair, Signer};

use crate::Chain;

/// The ledger's payment mint and the token program that owns it: what registering an agency needs to open its
/// treasury.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaymentMint {
    pub mint: Pubkey,
    pub token_program: Pubkey,
}

/// A new keypair holding `lamports`, airdropped.
pub async fn funded<C: Chain>(chain: &C, lamports: u64) -> Result<Keypair, SdkError> {
    let key = Keypair::new();
    chain.airdrop(&key.pubkey(), lamports).await?;
    Ok(key)
}

/// The `register_agency` instruction of agency `code` named `name`, headed by `head`.
pub fn register_ix(
    admin: &Pubkey,
    payment: PaymentMint,
    code: &str,
    name: &str,
    head: Pubkey,
) -> solana_sdk::instruction::Instruction {
    builders::RegisterAgency {
        admin: *admin,
        payment_mint: payment.mint,
        token_program: payment.token_program,
        args: RegisterAgencyArgs {
            code: code.into(),
            name: name.into(),
            head,
        },
    }
    .instruction()
}

/// The `set_member` instruction giving `key` `roles` (active) in `agency`, signed by its head.
pub fn member_ix(
    agency: Pubkey,
    head: Pubkey,
    key: Pubkey,
    roles: u8,
) -> solana_sdk::instruction::Instruction {
    builders::SetMember {
        agency,
        head,
        args: SetMemberArgs {
            key,
            roles,
            active: true,
        },
    }
    .instruction()
}

/// Registers agency `code` (signed by `admin`), then gives each of `members` its roles in one transaction of
/// `head`'s: the agency is new, so no change waits for notice. Returns the agency's address.
pub async fn register<B: Backend>(
    chain: &B,
    admin: &Keypair,
    payment: PaymentMint,
    (code, name): (&str, &str),
    head: &Keypair,
    members: &[(Pubkey, u8)],
) -> Result<Pubkey, SdkError> {
    let ix = register_ix(&admin.pubkey(), payment, code, name, head.pubkey());
    chain.send(&[ix], &[admin]).await?;
    let agency = pda::agency(code).0;
    let ixs: Vec<_> = members
        .iter()
        .map(|(key, roles)| member_ix(agency, head.pubkey(), *key, *roles))
        .collect();
    chain.send(&ixs, &[head]).await?;
    Ok(agency)
}
