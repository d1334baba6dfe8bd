//! The embedded chain: the program run natively inside the real Solana runtime, in process, with the real
//! SPL Token and Associated Token Account programs (SBF builds shipped with the test runtime). No validator.
//!
//! The chain can be saved to a JSON file and started again from it, so that a series of `pubspend` commands
//! can work on one embedded ledger.

use anchor_lang::{
    prelude::{AccountInfo, Pubkey},
    solana_program::entrypoint::ProgramResult,
};

pub use bank::Pace;
pub use public_spending_sdk::backend::TxOutcome;

mod bank;
mod chain;
mod history;
mod idl;
mod logs;
mod process;
mod saved;
mod slots;
mod state_file;

pub use chain::*;
pub use idl::{idl_account, IDL_JSON};
pub use logs::program_logs_off_stdout;
pub use saved::*;
pub use state_file::*;

/// Anchor 1.2's `entry` ties the program id, accounts and data to one lifetime; the runtime hands a native
/// processor shorter, distinct ones.
fn process_instruction(
    program_id: &Pubkey,
    accounts: &[AccountInfo],
    data: &[u8],
) -> ProgramResult {
    // SAFETY: only the lifetimes are widened. The runtime keeps the program id, every AccountInfo (and the
    // buffers they point into) and the data alive until this call returns, and the program keeps no reference
    // to any of them past the call.
    let (program_id, accounts, data) = unsafe {
        (
            std::mem::transmute::<&Pubkey, &'static Pubkey>(program_id),
            std::mem::transmute::<&[AccountInfo], &'static [AccountInfo<'static>]>(accounts),
            std::mem::transmute::<&[u8], &'static [u8]>(data),
        )
    };
    public_spending::entry(program_id, accounts, data)
}
