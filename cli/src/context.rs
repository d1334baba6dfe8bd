//! Resolving where to connect and who signs, the way the Solana CLI does: `--url`/`-u` with monikers,
//! `--keypair`, and `~/.config/solana/cli/config.yml` for the defaults.

use std::path::{Path, PathBuf};

use anchor_lang::prelude::Pubkey;
use public_spending::state::Ledger;
use public_spending_sdk::{embedded::EmbeddedChain, Client, RpcBackend};
use solana_sdk::signature::{Keypair, Signer};

use crate::{backend::AnyBackend, error::CliResult, fail, output::Format, Globals};

/// Where commands go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The in-process chain, saved between commands in a local file.
    Embedded,
    Rpc(String),
}

/// The Solana CLI's config: only the two settings `pubspend` uses.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SolanaConfig {
    pub json_rpc_url: Option<String>,
    pub keypair_path: Option<PathBuf>,
}

impl SolanaConfig {
    /// Reads `key: value` lines of the Solana CLI's YAML config; a missing file is an empty config.
    pub fn load(path: &Path) -> CliResult<Self> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(err) => fail!(
                "cannot read the Solana CLI config {}: {err}",
                path.display()
            ),
        };
        let mut config = Self::default();
        for line in text.lines() {
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let value = value
                .trim()
                .trim_matches(|c| c == '"' || c == '\'')
                .to_string();
            match key.trim() {
                "json_rpc_url" if !value.is_empty() => config.json_rpc_url = Some(value),
                "keypair_path" if !value.is_empty() => {
                    config.keypair_path = Some(PathBuf::from(value))
                }
                _ => {}
            }
        }
        Ok(config)
    }

    pub fn default_path() -> Option<PathBuf> {
        home().map(|h| h.join(".config/solana/cli/config.yml"))
    }
}

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME").map(PathBuf::from)
}

/// Resolves a moniker (`localnet`, `devnet`, `testnet`, `mainnet-beta`, `embedded`, or their first letters) or
/// an http(s) URL.
pub fn resolve_url(url: &str) -> CliResult<Target> {
    let target = match url {
        "embedded" | "e" => Target::Embedded,
        "localnet" | "l" | "localhost" => Target::Rpc("http://127.0.0.1:8899".into()),
        "devnet" | "d" => Target::Rpc("https://api.devnet.solana.com".into()),
        "testnet" | "t" => Target::Rpc("https://api.testnet.solana.com".into()),
        "mainnet-beta" | "m" => Target::Rpc("https://api.mainnet-beta.solana.com".into()),
        url if url.starts_with("http://") || url.starts_with("https://") => Target::Rpc(url.into()),
        other => fail!(
            "unknown moniker or URL {other:?}: use localnet, devnet, testnet, mainnet-beta, embedded, or an http(s) URL"
        ),
    };
    Ok(target)
}

/// Reads a Solana keypair file (a JSON array of 64 bytes).
pub fn read_keypair(path: &Path) -> CliResult<Keypair> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) => fail!("cannot read keypair file {}: {err}", path.display()),
    };
    let bytes: Vec<u8> = match serde_json::from_str(&text) {
        Ok(bytes) => bytes,
        Err(_) => fail!(
            "keypair file {} is not a Solana keypair (expected a JSON array of 64 bytes)",
            path.display()
        ),
    };
    match Keypair::try_from(bytes.as_slice()) {
        Ok(keypair) => Ok(keypair),
        Err(_) => fail!(
            "keypair file {} is not a valid Solana keypair ({} bytes, expected 64)",
            path.display(),
            bytes.len()
        ),
    }
}

/// An open connection: the client, who signs, and how to print.
pub struct Session {
    pub client: Client<AnyBackend>,
    keypair: Option<Keypair>,
    keypair_path: PathBuf,
    pub format: Format,
    embedded_state: Option<PathBuf>,
}

/// Lamports the embedded chain gives a signer that runs low, so that it can pay rent.
const EMBEDDED_FUNDING: u64 = 1_000_000_000_000;

/// The embedded chain has no faucet to ask: it tops up any signer that runs low, so that it can pay rent.
async fn fund_on_embedded(chain: &EmbeddedChain, key: &Pubkey) -> CliResult<()> {
    if chain.lamports(key).await? < EMBEDDED_FUNDING / 2 {
        chain.airdrop(key, EMBEDDED_FUNDING).await?;
    }
    Ok(())
}

impl Session {
    /// Makes sure an extra signer can pay rent on the embedded chain; nothing happens on a real cluster.
    pub async fn fund_signer(&self, key: &Pubkey) -> CliResult<()> {
        match self.embedded() {
            Some(chain) => fund_on_embedded(chain, key).await,
            None => Ok(()),
        }
    }

    /// Resolves the target and the signer and connects. `signs` is false for read-only commands, which need no
    /// keypair file.
    pub async fn open(globals: &Globals, signs: bool) -> CliResult<Self> {
        let config_path = globals.config.clone().or_else(SolanaConfig::default_path);
        let config = match &config_path {
            Some(path) => SolanaConfig::load(path)?,
            None => SolanaConfig::default(),
        };
        let target = match globals.url.as_deref().or(config.json_rpc_url.as_deref()) {
            Some(url) => resolve_url(url)?,
            None => Target::Embedded,
        };
        let keypair_path = match globals.keypair.clone().or(config.keypair_path.clone()) {
            Some(path) => path,
            None => home()
                .map(|h| h.join(".config/solana/id.json"))
                .unwrap_or_else(|| PathBuf::from("id.json")),
        };
        let keypair = if signs || matches!(target, Target::Rpc(_)) && keypair_path.exists() {
            Some(read_keypair(&keypair_path)?)
        } else {
            None
        };
        let (backend, embedded_state) = match target {
            Target::Embedded => {
                let chain = EmbeddedChain::open(&globals.embedded_state).await?;
                if let Some(keypair) = &keypair {
                    fund_on_embedded(&chain, &keypair.pubkey()).await?;
                }
                (
                    AnyBackend::Embedded(Box::new(chain)),
                    Some(globals.embedded_state.clone()),
                )
            }
            Target::Rpc(url) => {
                // Read-only commands against a node may run without a keypair; nothing is signed then.
                let payer = keypair
                    .as_ref()
                    .map(|k| k.insecure_clone())
                    .unwrap_or_else(Keypair::new);
                (AnyBackend::Rpc(Box::new(RpcBackend::new(url, payer))), None)
            }
        };
        Ok(Self {
            client: Client::new(backend),
            keypair,
            keypair_path,
            format: globals.output,
            embedded_state,
        })
    }

    /// The signing keypair; only commands opened with `signs` have one.
    pub fn signer(&self) -> CliResult<&Keypair> {
        match &self.keypair {
            Some(keypair) => Ok(keypair),
            None => fail!("no keypair loaded from {}", self.keypair_path.display()),
        }
    }

    pub fn embedded(&self) -> Option<&EmbeddedChain> {
        match self.client.backend() {
            AnyBackend::Embedded(chain) => Some(chain),
            AnyBackend::Rpc(_) => None,
        }
    }

    pub async fn ledger(&self) -> CliResult<Ledger> {
        match self
            .client
            .fetch_optional::<Ledger>(&public_spending_sdk::pda::ledger().0)
            .await?
        {
            Some(ledger) => Ok(ledger),
            None => fail!("no ledger on this chain yet: run `pubspend ledger init` first"),
        }
    }

    /// The agency's address, or a clear error when no agency has this code.
    pub async fn agency(&self, code: &str) -> CliResult<(Pubkey, public_spending::state::Agency)> {
        let address = public_spending_sdk::pda::agency(code).0;
        match self.client.fetch_optional(&address).await? {
            Some(agency) => Ok((address, agency)),
            None => fail!("unknown agency {code:?}: no agency with that code is registered"),
        }
    }

    /// Saves the embedded chain, if that is where the session ran.
    pub async fn close(self) -> CliResult<()> {
        if let (Some(path), Some(chain)) = (&self.embedded_state, self.embedded()) {
            chain.save(path).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monikers_resolve_like_the_solana_cli() {
        assert_eq!(
            resolve_url("devnet").unwrap(),
            Target::Rpc("https://api.devnet.solana.com".into())
        );
        assert_eq!(
            resolve_url("l").unwrap(),
            Target::Rpc("http://127.0.0.1:8899".into())
        );
        assert_eq!(resolve_url("embedded").unwrap(), Target::Embedded);
        assert_eq!(
            resolve_url("https://rpc.example").unwrap(),
            Target::Rpc("https://rpc.example".into())
        );
        assert!(resolve_url("devnett")
            .unwrap_err()
            .0
            .contains("unknown moniker"));
    }

    #[test]
    fn reads_the_solana_cli_config() {
        let dir = std::env::temp_dir().join(format!("pubspend-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("config.yml");
        std::fs::write(&path, "---\njson_rpc_url: \"https://api.devnet.solana.com\"\nkeypair_path: /k/id.json\ncommitment: confirmed\n").unwrap();
        let config = SolanaConfig::load(&path).unwrap();
        assert_eq!(
            config.json_rpc_url.as_deref(),
            Some("https://api.devnet.solana.com")
        );
        assert_eq!(config.keypair_path, Some(PathBuf::from("/k/id.json")));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
