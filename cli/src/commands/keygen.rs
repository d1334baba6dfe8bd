//! `pubspend keygen`: make and read keypair files the way `solana-keygen` does, so that the walkthrough needs no
//! other tool.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use solana_sdk::signature::{Keypair, Signer};

use crate::{context::read_signer, error::fail, error::CliResult, output::Output};

#[derive(Debug, Subcommand)]
pub enum KeygenCommand {
    /// Write a new keypair file (no passphrase), like `solana-keygen new --no-bip39-passphrase -o FILE`
    New {
        /// The keypair file to write
        #[arg(short = 'o', long = "outfile")]
        outfile: PathBuf,
        /// Overwrite the file if it exists (its old key is lost)
        #[arg(long)]
        force: bool,
    },
    /// Print the public key of a signer: a keypair file, prompt:// (a seed phrase) or stdin://
    Pubkey {
        /// The keypair file, prompt:// or stdin://
        #[arg(value_name = "SIGNER")]
        keypair: crate::args::SignerSource,
    },
}

pub fn run(command: KeygenCommand) -> CliResult<Output> {
    Ok(match command {
        KeygenCommand::New { outfile, force } => {
            let keypair = new_keypair_file(&outfile, force)?;
            Output::record(vec![
                ("pubkey", keypair.pubkey().into()),
                ("outfile", outfile.display().to_string().into()),
            ])
        }
        KeygenCommand::Pubkey { keypair } => {
            let pubkey = read_signer(&keypair)?.pubkey();
            // Bare for people, so that `KEY=$(pubspend keygen pubkey FILE)` works in a shell.
            Output::Text {
                text: pubkey.to_string(),
                json: serde_json::json!({ "pubkey": pubkey.to_string() }),
            }
        }
    })
}

/// Writes a fresh keypair to `path` (readable only by its owner), refusing to replace an existing file unless
/// `force`.
fn new_keypair_file(path: &Path, force: bool) -> CliResult<Keypair> {
    if path.exists() && !force {
        fail!(
            "{} exists already: refusing to overwrite a keypair (pass --force to replace it and lose its key)",
            path.display()
        )
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        if let Err(err) = std::fs::create_dir_all(parent) {
            fail!("cannot create {}: {err}", parent.display());
        }
    }
    let keypair = Keypair::new();
    if let Err(err) = solana_keypair::write_keypair_file(&keypair, path) {
        fail!("cannot write keypair file {}: {err}", path.display());
    }
    Ok(keypair)
}
