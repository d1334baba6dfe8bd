//! Resolving where to connect and who signs, the way the Solana CLI does: `--url`/`-u` with monikers,
//! `--keypair`, and `~/.config/solana/cli/config.yml` for the defaults.

use std::path::{Path, PathBuf};

use anchor_lang::prelude::Pubkey;
use public_spending::state::Ledger;
#[cfg(feature = "embedded")]
use public_spending_embedded::{Access, EmbeddedChain, StateFile};
use public_spending_sdk::{Client, RpcBackend};
use solana_sdk::signature::Keypair;
#[cfg(feature = "embedded")]
use solana_sdk::signature::Signer;

use crate::{
    args::{Commitment, SignerSource},
    backend::AnyBackend,
    error::{fail, CliError, CliResult},
    output::Format,
};

/// The options every command takes (`--url`, `--keypair`, `--output`, ...), as the Solana CLI names them.
#[derive(Debug, Clone, clap::Args)]
pub struct Globals {
    /// RPC URL or moniker: localnet, devnet, testnet, mainnet-beta, embedded (or l, d, t, m, e)
    #[arg(short = 'u', long, global = true)]
    pub url: Option<String>,
    /// Who signs: a keypair file, prompt:// (a seed phrase; ?key=0/0 for a derived key), or stdin:// (a
    /// keypair's JSON on standard input). Default: the Solana CLI config's keypair, else
    /// ~/.config/solana/id.json
    #[arg(short = 'k', long, global = true, value_name = "SIGNER")]
    pub keypair: Option<SignerSource>,
    /// Commitment for reads (default: the Solana CLI config's, else confirmed). Sends wait for at least
    /// confirmed: their events are read back with getTransaction, which no node answers below it
    #[arg(long, global = true, value_enum)]
    pub commitment: Option<Commitment>,
    /// WebSocket URL of the node, to confirm sends by subscription instead of polling (default: the Solana CLI
    /// config's websocket_url when it sets one)
    #[arg(long = "ws", global = true, value_name = "URL", value_parser = websocket_url)]
    pub websocket_url: Option<String>,
    /// Priority fee: micro-lamports per compute unit bid on every transaction sent (a SetComputeUnitPrice
    /// instruction), for a busy cluster
    #[arg(
        long = "with-compute-unit-price",
        global = true,
        value_name = "MICRO_LAMPORTS"
    )]
    pub compute_unit_price: Option<u64>,
    /// Solana CLI config file
    #[arg(short = 'C', long, global = true)]
    pub config: Option<PathBuf>,
    /// Output format
    #[arg(long, global = true, value_enum, default_value_t = Format::Table)]
    pub output: Format,
    /// Where the embedded chain is saved between commands
    #[arg(long, global = true, default_value = "pubspend-embedded.json")]
    pub embedded_state: PathBuf,
    /// Show the program's own log lines (on stderr)
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

/// Where commands go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The in-process chain, saved between commands in a local file.
    Embedded,
    Rpc(String),
}

/// The settings of the Solana CLI's config that `pubspend` uses.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SolanaConfig {
    pub json_rpc_url: Option<String>,
    pub websocket_url: Option<String>,
    pub keypair_path: Option<PathBuf>,
    pub commitment: Option<Commitment>,
}

/// A `ws://` or `wss://` URL.
fn websocket_url(input: &str) -> Result<String, String> {
    if input.starts_with("ws://") || input.starts_with("wss://") {
        Ok(input.to_string())
    } else {
        Err(format!(
            "{input:?} is not a WebSocket URL: write ws://host:port or wss://host"
        ))
    }
}

impl SolanaConfig {
    /// Reads the Solana CLI's YAML config with the Solana CLI's own reader; a missing file is an empty config.
    pub fn load(path: &Path) -> CliResult<Self> {
        if !path.exists() {
            return Ok(Self::default());
        }
        let config = match solana_cli_config::Config::load(&path.to_string_lossy()) {
            Ok(config) => config,
            Err(err) => fail!(
                "cannot read the Solana CLI config {}: {err}",
                path.display()
            ),
        };
        let set = |value: String| (!value.trim().is_empty()).then_some(value);
        let websocket = match set(config.websocket_url) {
            Some(url) => match websocket_url(&url) {
                Ok(url) => Some(url),
                Err(err) => fail!("in the Solana CLI config {}: {err}", path.display()),
            },
            None => None,
        };
        let commitment = match set(config.commitment) {
            Some(value) => Some(Commitment::from_config(&value).map_err(|err| {
                CliError(format!(
                    "in the Solana CLI config {}: {err}",
                    path.display()
                ))
            })?),
            None => None,
        };
        Ok(Self {
            json_rpc_url: set(config.json_rpc_url),
            websocket_url: websocket,
            keypair_path: set(config.keypair_path).map(PathBuf::from),
            commitment,
        })
    }

    pub fn default_path() -> Option<PathBuf> {
        solana_cli_config::CONFIG_FILE.as_ref().map(PathBuf::from)
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

/// Reads the keypair a signer source names: a file, a seed phrase typed at the terminal, or a keypair's JSON
/// on standard input (read with the Solana CLI's own readers).
pub fn read_signer(source: &SignerSource) -> CliResult<Keypair> {
    match source {
        SignerSource::File(path) => read_keypair(path),
        SignerSource::Prompt(uri) => {
            let matches = clap_v2::ArgMatches::default();
            match solana_clap_utils::keypair::keypair_from_path(&matches, uri, "keypair", false) {
                Ok(keypair) => Ok(keypair),
                Err(err) => fail!("cannot derive a keypair from the seed phrase ({uri}): {err}"),
            }
        }
        SignerSource::Stdin => match solana_keypair::read_keypair(&mut std::io::stdin()) {
            Ok(keypair) => Ok(keypair),
            Err(err) => fail!(
                "standard input holds no Solana keypair (expected a JSON array of 64 bytes): {err}"
            ),
        },
    }
}

/// Reads a Solana keypair file (a JSON array of 64 bytes), as `solana-keygen` writes it.
pub fn read_keypair(path: &Path) -> CliResult<Keypair> {
    if let Err(err) = std::fs::metadata(path) {
        fail!("cannot read keypair file {}: {err}", path.display());
    }
    match solana_keypair::read_keypair_file(path) {
        Ok(keypair) => Ok(keypair),
        Err(err) => fail!(
            "keypair file {} is not a Solana keypair (expected a JSON array of 64 bytes): {err}",
            path.display()
        ),
    }
}

/// What a command does with the chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Reads only: needs no keypair and saves nothing.
    Read,
    /// Signs transactions: needs the keypair, and holds the embedded state's lock from load to save.
    Sign,
    /// Changes the embedded chain without signing (its clock): holds the lock, needs no keypair.
    Write,
}

impl Mode {
    /// [`Mode::Sign`] for commands that sign, [`Mode::Read`] for the rest.
    pub fn signing(signs: bool) -> Self {
        if signs {
            Self::Sign
        } else {
            Self::Read
        }
    }
}

/// An open connection: the client, who signs, and how to print.
pub struct Session {
    pub client: Client<AnyBackend>,
    keypair: Option<Keypair>,
    signer_source: SignerSource,
    /// The embedded chain's state file, locked for as long as the session lives.
    #[cfg_attr(not(feature = "embedded"), allow(dead_code))]
    state: Option<Locked>,
}

/// The embedded chain's locked state file; a client without the embedded chain never holds one.
#[cfg(feature = "embedded")]
type Locked = StateFile;
#[cfg(not(feature = "embedded"))]
type Locked = std::convert::Infallible;

/// Lamports the embedded chain gives a signer that runs low, so that it can pay rent.
#[cfg(feature = "embedded")]
const EMBEDDED_FUNDING: u64 = 1_000_000_000_000;

/// The embedded chain has no faucet to ask: it tops up any signer that runs low, so that it can pay rent.
#[cfg(feature = "embedded")]
async fn fund_on_embedded(chain: &EmbeddedChain, key: &Pubkey) -> CliResult<()> {
    if chain.lamports(key).await? < EMBEDDED_FUNDING / 2 {
        chain.airdrop(key, EMBEDDED_FUNDING).await?;
    }
    Ok(())
}

impl Session {
    /// Makes sure an extra signer can pay rent on the embedded chain; nothing happens on a real cluster.
    pub async fn fund_signer(&self, key: &Pubkey) -> CliResult<()> {
        #[cfg(feature = "embedded")]
        if let Some(chain) = self.embedded() {
            return fund_on_embedded(chain, key).await;
        }
        let _ = key;
        Ok(())
    }

    /// Where commands go (`--url`, else the Solana CLI config's `json_rpc_url`, else the embedded chain), and
    /// the config it was read from.
    pub fn target(globals: &Globals) -> CliResult<(Target, SolanaConfig)> {
        let config_path = globals.config.clone().or_else(SolanaConfig::default_path);
        let config = match &config_path {
            Some(path) => SolanaConfig::load(path)?,
            None => SolanaConfig::default(),
        };
        let target = match globals.url.as_deref().or(config.json_rpc_url.as_deref()) {
            Some(url) => resolve_url(url)?,
            None => Target::Embedded,
        };
        Ok((target, config))
    }

    /// Resolves the target and the signer and connects. Read-only commands need no keypair file. On the
    /// embedded chain, commands that write hold an exclusive lock on its state file from before it is loaded
    /// until after it is saved, so that commands run at the same time never lose each other's writes.
    pub async fn open(globals: &Globals, mode: Mode) -> CliResult<Self> {
        let signs = mode == Mode::Sign;
        let (target, config) = Self::target(globals)?;
        let signer_source = match (&globals.keypair, config.keypair_path.clone()) {
            (Some(source), _) => source.clone(),
            (None, Some(path)) => SignerSource::File(path),
            (None, None) => SignerSource::File(
                home()
                    .map(|h| h.join(".config/solana/id.json"))
                    .unwrap_or_else(|| PathBuf::from("id.json")),
            ),
        };
        // A read against a node signs nothing, but pays no one either: it uses the keypair file when there is
        // one (as the fee payer's address), and never prompts or reads stdin for it.
        let read_with_file = matches!(target, Target::Rpc(_))
            && matches!(&signer_source, SignerSource::File(path) if path.exists());
        let keypair = if signs || read_with_file {
            Some(read_signer(&signer_source)?)
        } else {
            None
        };
        let commitment = globals.commitment.or(config.commitment).unwrap_or_default();
        let websocket = globals
            .websocket_url
            .clone()
            .or(config.websocket_url.clone());
        let (backend, state) = match target {
            #[cfg(not(feature = "embedded"))]
            Target::Embedded => fail!(
                "this pubspend is a client of RPC nodes only (built without the embedded chain): give -u URL (devnet, a node, `pubspend serve`), or install pubspend with its default features for the embedded chain"
            ),
            #[cfg(feature = "embedded")]
            Target::Embedded => {
                let access = match mode {
                    Mode::Read => Access::Read,
                    Mode::Sign | Mode::Write => Access::Write,
                };
                let state = match StateFile::try_lock(&globals.embedded_state, access)? {
                    Some(state) => state,
                    None => {
                        eprintln!(
                            "waiting for {}: another pubspend command holds it",
                            globals.embedded_state.display()
                        );
                        StateFile::lock(&globals.embedded_state, access)?
                    }
                };
                let chain = state.load().await?;
                if let Some(keypair) = &keypair {
                    fund_on_embedded(&chain, &keypair.pubkey()).await?;
                }
                (AnyBackend::Embedded(Box::new(chain)), Some(state))
            }
            Target::Rpc(url) => {
                // Read-only commands against a node may run without a keypair; nothing is signed then.
                let payer = keypair
                    .as_ref()
                    .map(|k| k.insecure_clone())
                    .unwrap_or_else(Keypair::new);
                let mut backend = RpcBackend::with_commitment(url, payer, commitment.config());
                if let Some(websocket) = websocket {
                    backend = backend.with_websocket(websocket);
                }
                (AnyBackend::Rpc(Box::new(backend)), None)
            }
        };
        Ok(Self {
            client: Client::new(backend).with_priority_fee(globals.compute_unit_price),
            keypair,
            signer_source,
            state,
        })
    }

    /// The signing keypair; only commands opened with `signs` have one.
    pub fn signer(&self) -> CliResult<&Keypair> {
        match &self.keypair {
            Some(keypair) => Ok(keypair),
            None => fail!("no keypair loaded from {}", self.signer_source),
        }
    }

    #[cfg(feature = "embedded")]
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

    /// The node's WebSocket: `--ws` (or the config's `websocket_url`), else derived from the RPC URL as the
    /// Solana CLI derives it. `embedded` is the refusal for the embedded chain, which has none.
    pub fn websocket(&self, embedded: &str) -> CliResult<String> {
        #[cfg(not(feature = "embedded"))]
        let _ = embedded;
        match self.client.backend() {
            AnyBackend::Rpc(backend) => {
                let url = backend.rpc().url();
                let websocket = backend.websocket_url().map_or_else(
                    || solana_cli_config::Config::compute_websocket_url(&url),
                    str::to_string,
                );
                // The Solana CLI's derivation gives "" for what it cannot read as a URL (a host like 256.1.1.1).
                if websocket.is_empty() {
                    fail!("cannot follow {url}: it is not a URL a WebSocket address can be derived from (a host name or an IP address with numbers up to 255); give the node's WebSocket with --ws ws://HOST:PORT");
                }
                Ok(websocket)
            }
            #[cfg(feature = "embedded")]
            AnyBackend::Embedded(_) => fail!("{embedded}"),
        }
    }

    /// The agency's address, or a clear error when no agency has this code.
    pub async fn agency(&self, code: &str) -> CliResult<(Pubkey, public_spending::state::Agency)> {
        crate::args::agency_code(code)?;
        let address = public_spending_sdk::pda::agency(code).0;
        match self.client.fetch_optional(&address).await? {
            Some(agency) => Ok((address, agency)),
            None => fail!("unknown agency {code:?}: no agency with that code is registered"),
        }
    }

    /// Saves the embedded chain if that is where a writing session ran, then releases its lock. A session
    /// that fails before this saves nothing: the state file keeps what it held before the command.
    pub async fn close(self) -> CliResult<()> {
        #[cfg(feature = "embedded")]
        if let (Some(state), Some(chain)) = (&self.state, self.embedded()) {
            if state.access() == Access::Write {
                state.save(chain).await?;
            }
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
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.yml");
        std::fs::write(&path, "---\njson_rpc_url: \"https://api.devnet.solana.com\"\nwebsocket_url: \"\"\nkeypair_path: /k/id.json\naddress_labels:\n  \"11111111111111111111111111111111\": System Program\ncommitment: confirmed\n").unwrap();
        let config = SolanaConfig::load(&path).unwrap();
        assert_eq!(
            config.json_rpc_url.as_deref(),
            Some("https://api.devnet.solana.com")
        );
        assert_eq!(config.keypair_path, Some(PathBuf::from("/k/id.json")));
        assert_eq!(
            SolanaConfig::load(&dir.path().join("missing.yml")).unwrap(),
            SolanaConfig::default()
        );
        std::fs::write(&path, "json_rpc_url: [").unwrap();
        assert!(SolanaConfig::load(&path)
            .unwrap_err()
            .0
            .starts_with(&format!(
                "cannot read the Solana CLI config {}",
                path.display()
            )));
    }
}
