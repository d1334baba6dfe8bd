//! The program's IDL on the chain, where explorers and Anchor's clients look for it: Anchor's IDL account at
//! `create_with_seed(find_program_address([], program), "anchor:idl", program)`, owned by the program, holding the
//! account's discriminator, an authority (none: the erased key), the length of the IDL, and the IDL JSON
//! zlib-compressed. Every embedded chain holds the committed IDL (`idl/public_spending.json`), so an explorer
//! pointed at `pubspend serve` decodes the ledger's accounts, instructions and events without being given it.
//! (A real cluster gets it with `anchor idl init`; see the README.)

use std::io::Write;

use anchor_lang::{
    idl::{IdlAccount, ERASED_AUTHORITY},
    prelude::Pubkey,
    Discriminator,
};
use solana_sdk::{account::Account, rent::Rent};

/// The IDL this build of the program was generated with (checked up to date by the IDL test).
pub const IDL_JSON: &str = include_str!("../../idl/public_spending.json");

/// The IDL account's address and contents.
pub fn idl_account() -> (Pubkey, Account) {
    let mut compressed = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing into memory cannot fail.
    let _ = compressed.write_all(IDL_JSON.as_bytes());
    let compressed = compressed.finish().unwrap_or_default();
    let mut data = IdlAccount::DISCRIMINATOR.to_vec();
    data.extend_from_slice(ERASED_AUTHORITY.as_ref());
    data.extend_from_slice(
        &u32::try_from(compressed.len())
            .unwrap_or(u32::MAX)
            .to_le_bytes(),
    );
    data.extend_from_slice(&compressed);
    let account = Account {
        lamports: Rent::default().minimum_balance(data.len()),
        data,
        owner: public_spending::ID,
        executable: false,
        rent_epoch: 0,
    };
    (IdlAccount::address(&public_spending::ID), account)
}
