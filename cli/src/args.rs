//! Parsing what people type: keys, amounts, codes, dates, hashes and roles. Every error names the bad input.

use std::path::Path;

use anchor_lang::prelude::Pubkey;
use public_spending::constants::*;

use crate::{error::fail, error::CliResult};

pub fn pubkey(input: &str) -> CliResult<Pubkey> {
    match input.parse() {
        Ok(key) => Ok(key),
        Err(_) => fail!("{input:?} is not a public key (base58, 32 bytes)"),
    }
}

/// A TAS written `MAIN-SUB`, e.g. `0100-000`.
pub fn tas(input: &str) -> CliResult<([u8; MAIN_ACCOUNT_LEN], [u8; SUB_ACCOUNT_LEN])> {
    let parts = input.split_once('-').and_then(|(main, sub)| {
        let main: [u8; MAIN_ACCOUNT_LEN] = main.as_bytes().try_into().ok()?;
        let sub: [u8; SUB_ACCOUNT_LEN] = sub.as_bytes().try_into().ok()?;
        (main.iter().chain(&sub).all(u8::is_ascii_digit)).then_some((main, sub))
    });
    match parts {
        Some(parts) => Ok(parts),
        None => fail!("{input:?} is not a Treasury Account Symbol: write MAIN-SUB, e.g. 0100-000"),
    }
}

pub fn uei(input: &str) -> CliResult<[u8; UEI_LEN]> {
    match <[u8; UEI_LEN]>::try_from(input.as_bytes()) {
        Ok(uei)
            if uei
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) =>
        {
            Ok(uei)
        }
        _ => fail!("{input:?} is not a UEI: exactly 12 upper-case letters or digits"),
    }
}

pub fn digits<const N: usize>(input: &str, what: &str) -> CliResult<[u8; N]> {
    match <[u8; N]>::try_from(input.as_bytes()) {
        Ok(code) if code.iter().all(u8::is_ascii_digit) => Ok(code),
        _ => fail!("{input:?} is not a {what}: exactly {N} digits"),
    }
}

/// A 32-byte hash written in hex (64 characters).
pub fn hash(input: &str) -> CliResult<[u8; 32]> {
    let mut hash = [0u8; 32];
    match hex::decode_to_slice(input, &mut hash) {
        Ok(()) => Ok(hash),
        Err(_) => fail!("{input:?} is not a sha256 hash (64 hex characters)"),
    }
}

/// sha256 of a file's contents: documents and invoices stay off chain, their hashes go on it.
pub fn file_hash(path: &Path) -> CliResult<[u8; 32]> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(solana_sha256_hasher::hash(&bytes).to_bytes()),
        Err(err) => fail!("cannot read {}: {err}", path.display()),
    }
}

/// A hash given directly (`--*-hash`) or as the sha256 of a file. Each command declares the two as one
/// required `ArgGroup`, so that clap refuses neither or both before anything runs.
pub fn hash_or_file(hash: Option<Sha256>, file: Option<&Path>, what: &str) -> CliResult<[u8; 32]> {
    match (hash, file) {
        (Some(hash), None) => Ok(hash.0),
        (None, Some(file)) => file_hash(file),
        _ => fail!("give the {what} as a file or as its sha256 hash (exactly one)"),
    }
}

/// A sha256 written in hex, parsed when the argument is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sha256(pub [u8; 32]);

impl std::str::FromStr for Sha256 {
    type Err = String;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        hash(input).map(Self).map_err(|err| err.0)
    }
}

/// A public key (base58), parsed when the argument is.
pub fn parse_pubkey(input: &str) -> Result<Pubkey, String> {
    pubkey(input).map_err(|err| err.0)
}

/// A day written `YYYY-MM-DD`, as unix seconds at its 00:00 UTC, parsed when the argument is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Date(pub i64);

impl std::str::FromStr for Date {
    type Err = String;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        date(input).map(Self).map_err(|err| err.0)
    }
}

/// An amount written in the token's units (`1250.00`, `1,250.00`), checked when the argument is parsed; the
/// ledger's mint says how many decimals it may have ([`Amount::units`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Amount(String);

impl std::str::FromStr for Amount {
    type Err = String;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        // Checked at the decimals it is written with; the mint's own are checked when it is known.
        let written = input
            .trim()
            .split_once('.')
            .map_or(0, |(_, fraction)| fraction.len());
        match public_spending_sdk::amount::parse_amount(
            input,
            written.min(usize::from(u8::MAX)) as u8,
        ) {
            Ok(_) => Ok(Self(input.to_string())),
            Err(err) => Err(format!("invalid amount: {err}")),
        }
    }
}

impl Amount {
    /// Base units at the mint's `decimals`: refused when written with more decimals than the mint has.
    pub fn units(&self, decimals: u8) -> CliResult<u64> {
        Ok(public_spending_sdk::amount::parse_amount(
            &self.0, decimals,
        )?)
    }
}

impl std::fmt::Display for Amount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Unix seconds at 00:00 UTC of a `YYYY-MM-DD` date; impossible dates (`2026-02-30`) are refused.
pub fn date(input: &str) -> CliResult<i64> {
    let parsed = (input.len() == 10)
        .then(|| chrono::NaiveDate::parse_from_str(input, "%Y-%m-%d").ok())
        .flatten();
    match parsed.and_then(|day| day.and_hms_opt(0, 0, 0)) {
        Some(midnight) => Ok(midnight.and_utc().timestamp()),
        None => {
            fail!("{input:?} is not a date: write YYYY-MM-DD, a day that exists (e.g. 2026-02-28)")
        }
    }
}

/// An agency code: 3 digits (CGAC, e.g. `075`) or 4 digits (FREC, e.g. `1601`).
pub fn agency_code(input: &str) -> CliResult<()> {
    if matches!(input.len(), 3 | 4) && input.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        fail!("{input:?} is not an agency code: 3 digits (CGAC, e.g. 075) or 4 digits (FREC, e.g. 1601)")
    }
}

/// The furthest the embedded clock moves in one step: 100 years (of 365.25 days). The clock only moves forward,
/// so a chain moved past every date it will be used for is lost; no time lock or notice is longer than 30 days.
pub const MAX_CLOCK_STEP_SECONDS: i64 = 100 * 36_525 * 864;

/// A duration for the embedded clock: `90s`, `15m`, `2h`, `1d`, or plain seconds, at most
/// [`MAX_CLOCK_STEP_SECONDS`].
pub fn duration(input: &str) -> CliResult<i64> {
    let trimmed = input.trim();
    let (number, unit) = match trimmed.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => trimmed.split_at(at),
        None => (trimmed, "s"),
    };
    let scale = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => 0,
    };
    match number.parse::<i64>() {
        Ok(n) if scale > 0 && n > 0 => match n.checked_mul(scale) {
            Some(seconds) if seconds <= MAX_CLOCK_STEP_SECONDS => Ok(seconds),
            _ => fail!("{input:?} is more than 100 years: the clock only moves forward, so a chain moved that far could not be used again; move it at most 36525d at a time"),
        },
        _ => fail!("{input:?} is not a duration: write a positive number with s, m, h or d (e.g. 1d, 36h, 90s)"),
    }
}

/// Role names to bits: `budget,obligate,request,approve,execute,property`. The program refuses request with
/// approve, and obligate with execute, in one key (separation of duties).
pub fn roles(input: &str) -> CliResult<u8> {
    let mut bits = 0u8;
    for name in input.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        bits |= match name.to_ascii_lowercase().as_str() {
            "budget" => ROLE_BUDGET,
            "obligate" => ROLE_OBLIGATE,
            "request" => ROLE_REQUEST,
            "approve" => ROLE_APPROVE,
            "execute" => ROLE_EXECUTE,
            "property" => ROLE_PROPERTY,
            other => fail!("unknown role {other:?}: roles are budget, obligate, request, approve, execute, property"),
        };
    }
    if roles_conflict(bits) {
        fail!("{} in one key: separation of duties forbids request with approve, and obligate with execute; give them to different people", role_names(bits));
    }
    Ok(bits)
}

pub use public_spending_sdk::role_names;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_utc_midnights() {
        assert_eq!(date("1970-01-01").unwrap(), 0);
        assert_eq!(date("2026-10-01").unwrap(), 1_790_812_800);
        assert_eq!(date("2028-02-29").unwrap(), 1_835_395_200);
    }

    #[test]
    fn impossible_dates_are_refused() {
        for bad in [
            "2026-02-30",
            "2026-02-29",
            "2026-04-31",
            "2026-13-01",
            "2026-00-10",
            "2026-01-00",
            "26-10-01",
            "2026-1-1",
            "2026/01/01",
            "2026-01-01T00:00",
            "",
        ] {
            assert_eq!(
                date(bad).unwrap_err().0,
                format!(
                    "{bad:?} is not a date: write YYYY-MM-DD, a day that exists (e.g. 2026-02-28)"
                ),
            );
        }
    }

    #[test]
    fn agency_codes_are_three_or_four_digits() {
        assert!(agency_code("075").is_ok() && agency_code("1601").is_ok());
        for bad in ["75", "07a", "ABC", "12345", "07 5", ""] {
            assert!(
                agency_code(bad)
                    .unwrap_err()
                    .0
                    .contains("is not an agency code"),
                "{bad}"
            );
        }
    }

    #[test]
    fn durations_read_units() {
        assert_eq!(duration("1d").unwrap(), 86_400);
        assert_eq!(duration("36h").unwrap(), 129_600);
        assert_eq!(duration("15m").unwrap(), 900);
        assert_eq!(duration("90").unwrap(), 90);
        assert_eq!(duration("36525d").unwrap(), MAX_CLOCK_STEP_SECONDS);
        for far in ["36526d", "99999999999999d", "3155760001"] {
            assert!(
                duration(far)
                    .unwrap_err()
                    .0
                    .contains("is more than 100 years"),
                "{far}"
            );
        }
        for bad in ["0d", "-1d", "1w", "d", "1.5h", ""] {
            assert!(
                duration(bad).unwrap_err().0.contains("is not a duration"),
                "{bad}"
            );
        }
    }

    #[test]
    fn hashes_are_64_hex_characters() {
        assert_eq!(hash(&"ab".repeat(32)).unwrap(), [0xab; 32]);
        for bad in ["ab".repeat(31), "zz".repeat(32), "ab".repeat(33)] {
            assert!(hash(&bad).is_err());
        }
    }

    #[test]
    fn codes_and_roles_parse_strictly() {
        assert_eq!(tas("0100-000").unwrap(), (*b"0100", *b"000"));
        assert!(tas("01000-00").is_err());
        assert!(uei("abcdefghijkl").is_err());
        assert_eq!(
            roles("request, budget").unwrap(),
            ROLE_REQUEST | ROLE_BUDGET
        );
        assert!(roles("auditor").unwrap_err().0.contains("unknown role"));
        for conflicting in [
            "request,approve",
            "obligate, execute",
            "budget,execute,obligate",
        ] {
            assert!(
                roles(conflicting)
                    .unwrap_err()
                    .0
                    .contains("separation of duties"),
                "{conflicting}"
            );
        }
        assert_eq!(role_names(ROLE_BUDGET | ROLE_EXECUTE), "budget,execute");
    }
}

/// Why an auditor acts: `--reason` and the evidence (a file whose sha256 goes on chain, or the hash itself).
#[derive(Debug, Clone, clap::Args)]
#[command(group(clap::ArgGroup::new("evidence-or-hash").required(true)))]
pub struct Grounds {
    /// Why: suspected-fraud, duplicate, missing-documentation, court-order, audit-finding or other
    #[arg(long, value_enum)]
    pub reason: Reason,
    /// The evidence (audit memo, court order, ...): only its sha256 goes on chain
    #[arg(long, group = "evidence-or-hash")]
    pub evidence: Option<std::path::PathBuf>,
    /// Or the evidence's sha256, in hex
    #[arg(long, group = "evidence-or-hash", value_name = "SHA256")]
    pub evidence_hash: Option<Sha256>,
    /// Lifting what another auditor imposed: a second auditor's keypair file, who signs too (the auditor who
    /// imposed a freeze, hold or exclusion lifts it alone; anyone else needs a second auditor)
    #[arg(long, value_name = "KEYPAIR")]
    pub concurring: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Reason {
    SuspectedFraud,
    Duplicate,
    MissingDocumentation,
    CourtOrder,
    AuditFinding,
    Other,
}

impl Grounds {
    /// The concurring auditor's keypair, when `--concurring` names one.
    pub fn concurring(&self) -> CliResult<Option<solana_sdk::signature::Keypair>> {
        self.concurring
            .as_deref()
            .map(crate::context::read_keypair)
            .transpose()
    }

    pub fn args(&self) -> CliResult<public_spending::state::OversightArgs> {
        use public_spending::state::OversightReason as R;
        let evidence_hash = hash_or_file(self.evidence_hash, self.evidence.as_deref(), "evidence")?;
        let reason = match self.reason {
            Reason::SuspectedFraud => R::SuspectedFraud,
            Reason::Duplicate => R::Duplicate,
            Reason::MissingDocumentation => R::MissingDocumentation,
            Reason::CourtOrder => R::CourtOrder,
            Reason::AuditFinding => R::AuditFinding,
            Reason::Other => R::Other,
        };
        Ok(public_spending::state::OversightArgs {
            reason,
            evidence_hash,
        })
    }
}

/// An identifier the program keeps as printable ASCII of at most `MAX` bytes (it is also an address seed, which
/// panics past 32 bytes): an award id (`MAX_AWARD_ID_LEN`) or a real-property unique id (`MAX_RPUID_LEN`).
/// Checked when the argument is parsed, so a bad one is a usage error naming it, never a panic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Id<const MAX: usize>(String);

/// An award id, as `award obligate --award-id` records it.
pub type AwardId = Id<MAX_AWARD_ID_LEN>;
/// A real-property unique id, as `property register --rpuid` records it.
pub type Rpuid = Id<MAX_RPUID_LEN>;

impl<const MAX: usize> std::str::FromStr for Id<MAX> {
    type Err = String;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        if !public_spending::state::is_printable_ascii(input, MAX) {
            return Err(format!(
                "{input:?} is not an id: 1 to {MAX} printable ASCII characters, no space at either end"
            ));
        }
        Ok(Self(input.to_string()))
    }
}

impl<const MAX: usize> std::ops::Deref for Id<MAX> {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl<const MAX: usize> std::fmt::Display for Id<MAX> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl<const MAX: usize> From<Id<MAX>> for String {
    fn from(id: Id<MAX>) -> String {
        id.0
    }
}

/// The index database every watchdog command reads.
#[derive(Debug, Clone, clap::Args)]
pub struct Db {
    /// The index (made by `pubspend index`): an SQLite file, or a PostgreSQL database a newsroom shares,
    /// as postgres://user@host/db (a Unix socket directory as the host, percent-encoded: postgres://user@%2Frun%2Fpostgresql/db)
    #[arg(long, env = "PUBSPEND_DB", default_value = "pubspend-index.sqlite", value_parser = location)]
    pub db: public_spending_watchdog::Location,
}

fn location(text: &str) -> Result<public_spending_watchdog::Location, String> {
    if text.is_empty() {
        return Err("an empty --db: give an SQLite file or a postgres:// URL".into());
    }
    text.parse()
        .map_err(|e: std::convert::Infallible| match e {})
}

impl Db {
    /// Opens the index; `must_exist` for commands that only read it (an index that holds no indexed ledger
    /// is refused, and nothing is created).
    pub fn open(&self, must_exist: bool) -> CliResult<public_spending_watchdog::Store> {
        if must_exist {
            Ok(public_spending_watchdog::Store::open_existing(&self.db)?)
        } else {
            Ok(public_spending_watchdog::Store::open(&self.db)?)
        }
    }

    /// The SQLite file, when the index is one.
    pub fn file(&self) -> Option<&std::path::Path> {
        match &self.db {
            public_spending_watchdog::Location::Sqlite(path) => Some(path),
            public_spending_watchdog::Location::Postgres(_) => None,
        }
    }
}

/// Who signs, written as the Solana CLI writes it: a keypair file (`file:` optional), `prompt://` (a seed
/// phrase typed at the terminal, with `?key=0/0` or `?full-path=m/44/501/0/0` for a derived key; `ASK` for the
/// legacy derivation), or `stdin://` (a keypair's JSON read from standard input).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignerSource {
    File(std::path::PathBuf),
    /// The source as written, for solana-clap-utils to read the derivation path from.
    Prompt(String),
    Stdin,
}

impl std::str::FromStr for SignerSource {
    type Err = String;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let lower = input.to_ascii_lowercase();
        let scheme = lower.split_once(':').map(|(scheme, _)| scheme);
        match scheme {
            Some("prompt") => Ok(Self::Prompt(input.to_string())),
            Some("stdin") => Ok(Self::Stdin),
            Some("file") => {
                let path = input["file:".len()..].trim_start_matches("//");
                if path.is_empty() {
                    return Err(format!("{input:?} names no file"));
                }
                Ok(Self::File(path.into()))
            }
            Some("usb") => Err(format!(
                "{input:?}: hardware wallets are not supported yet; use a keypair file, prompt:// or stdin://"
            )),
            _ if input == "ASK" => Ok(Self::Prompt(input.to_string())),
            _ if input == "-" => Ok(Self::Stdin),
            _ if input.is_empty() => Err("an empty signer: give a keypair file, prompt:// or stdin://".into()),
            _ if input.parse::<Pubkey>().is_ok() && !Path::new(input).exists() => Err(format!(
                "{input:?} is a public key, which cannot sign: give its keypair file, prompt:// or stdin://"
            )),
            _ => Ok(Self::File(input.into())),
        }
    }
}

impl std::fmt::Display for SignerSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::File(path) => write!(f, "{}", path.display()),
            Self::Prompt(source) => f.write_str(source),
            Self::Stdin => f.write_str("stdin://"),
        }
    }
}

/// A commitment level, as `--commitment` and the Solana CLI config's `commitment` name it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Commitment {
    Processed,
    #[default]
    Confirmed,
    Finalized,
}

impl Commitment {
    /// The config file's value: `processed`, `confirmed` or `finalized`, read with the Solana CLI's own parser
    /// (which no longer takes the old names `recent`, `single`, `root` or `max`).
    pub fn from_config(value: &str) -> CliResult<Self> {
        use solana_commitment_config::{CommitmentConfig, CommitmentLevel};
        match value
            .parse::<CommitmentConfig>()
            .map(|config| config.commitment)
        {
            Ok(CommitmentLevel::Processed) => Ok(Self::Processed),
            Ok(CommitmentLevel::Confirmed) => Ok(Self::Confirmed),
            Ok(CommitmentLevel::Finalized) => Ok(Self::Finalized),
            Err(_) => fail!("{value:?} is not a commitment: processed, confirmed or finalized"),
        }
    }

    pub fn config(self) -> solana_commitment_config::CommitmentConfig {
        use solana_commitment_config::CommitmentConfig;
        match self {
            Self::Processed => CommitmentConfig::processed(),
            Self::Confirmed => CommitmentConfig::confirmed(),
            Self::Finalized => CommitmentConfig::finalized(),
        }
    }
}
