//! The index: every transaction of the program and of the agencies' treasuries, every event, the executed
//! payments in typed columns (for the hash-chain replay), treasury funding, and a snapshot of the program's
//! accounts. It lives in an SQLite file (the embedded default) or in a PostgreSQL database a newsroom shares,
//! with one schema and one set of statements ([`sql`]). Each batch the indexer writes is one database
//! transaction, so a crash or a kill leaves the index as it was after the last whole batch.
//!
//! On PostgreSQL, indexers take turns (an advisory lock held for a whole run, [`Store::lock_for_indexing`]),
//! every row is keyed so that writing it twice is impossible, and a store opened for reading
//! ([`Store::open_existing`]) reads one snapshot from its first query to its last, however the indexers write
//! meanwhile.

pub mod sql;

use std::path::{Path, PathBuf};

use anchor_lang::prelude::Pubkey;
use public_spending_sdk::{events::LedgerEvent, PaymentRecord};

use crate::{Result, WatchdogError};
use sql::{Conn, Pg};
pub use sql::{Dialect, Row, Value};

/// The layout this build reads and writes. An older database is migrated; a newer one is refused.
pub const SCHEMA_VERSION: i64 = 2;

/// The schema, written once: `{id}`, `{bytes}` and `{clustered}` are the only words the dialects spell
/// differently ([`schema`]).
const SCHEMA: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE transactions (
    id {id},
    signature TEXT NOT NULL UNIQUE,
    slot BIGINT NOT NULL,
    block_time BIGINT,
    err TEXT,
    run BIGINT NOT NULL,
    discovered BIGINT NOT NULL
);
CREATE TABLE events (
    signature TEXT NOT NULL,
    ordinal BIGINT NOT NULL,
    kind TEXT NOT NULL,
    data {bytes} NOT NULL,
    PRIMARY KEY (signature, ordinal)
);
CREATE INDEX transactions_by_discovery ON transactions (discovered);
CREATE INDEX events_by_kind ON events (kind);
CREATE TABLE payments (
    tx BIGINT NOT NULL REFERENCES transactions (id),
    ordinal BIGINT NOT NULL,
    -- Where the payment claims to stand: its agency and its place in the agency's chain...
    agency {bytes} NOT NULL,
    sequence BIGINT NOT NULL,
    -- ...and the record that entered the hash chain, in its canonical bytes (its Borsh encoding), which is
    -- what the replay hashes. Reports decode the same bytes, so nothing they show escapes verification.
    record {bytes} NOT NULL,
    fast_path BOOLEAN NOT NULL,
    executor {bytes} NOT NULL,
    previous_hash {bytes} NOT NULL,
    outlay_hash {bytes} NOT NULL,
{record_columns}
    -- Clustered in chain order, so that the replay reads the table front to back.
    PRIMARY KEY (agency, sequence, tx, ordinal)
) {clustered};
{record_indexes}CREATE TABLE funding (
    signature TEXT NOT NULL,
    ordinal BIGINT NOT NULL,
    treasury {bytes} NOT NULL,
    amount BIGINT NOT NULL,
    block_time BIGINT,
    PRIMARY KEY (signature, ordinal)
);
CREATE TABLE accounts (address TEXT PRIMARY KEY, kind TEXT NOT NULL, data {bytes} NOT NULL);
CREATE TABLE cursors (
    address TEXT PRIMARY KEY,
    newest TEXT,
    pending_newest TEXT,
    pending_oldest TEXT
);
";

/// The record's fields the audit's checks select and group by, in columns of their own (schema 2): the values
/// inside `record`, written with it (the replay checks that they agree), and the signature of the payment's
/// transaction, so that a finding names its transactions without a join per payment (verify checks it against
/// the transaction's). Nullable, so that an index of schema 1
/// gains them with an `ALTER TABLE` in either database.
const RECORD_COLUMNS: &str = "    signature TEXT,
    award {bytes},
    recipient {bytes},
    amount BIGINT,
    invoice_hash {bytes},
    executed_at BIGINT,
    payment_index BIGINT,";

/// The columns' indexes, one per way the checks read payments: by award and recipient in time (split payments,
/// the period of performance), by invoice (duplicates), by recipient in time (new recipients, exclusions,
/// wallet changes), and by agency in time (year-end spikes, the payments after a loosening or a grant). The
/// split scan and the daily sums read their index alone (every column they need is in it).
/// A bulk load goes without them and builds them at its end ([`Store::defer_audit_indexes`]).
const RECORD_INDEXES: &str = "
CREATE INDEX IF NOT EXISTS payments_by_award ON payments (award, recipient, executed_at, sequence, agency, tx,
    ordinal, amount, signature);
CREATE INDEX IF NOT EXISTS payments_by_invoice ON payments (invoice_hash);
CREATE INDEX IF NOT EXISTS payments_by_recipient ON payments (recipient, agency, executed_at);
CREATE INDEX IF NOT EXISTS payments_by_time ON payments (agency, executed_at, amount);
";
const AUDIT_INDEXES: [&str; 4] = [
    "payments_by_award",
    "payments_by_invoice",
    "payments_by_recipient",
    "payments_by_time",
];

/// The schema in `dialect`.
fn schema(dialect: Dialect) -> String {
    let (id, bytes, clustered) = match dialect {
        // SQLite's rowid alias must be spelt `INTEGER PRIMARY KEY`.
        Dialect::Sqlite => ("INTEGER PRIMARY KEY", "BLOB", "WITHOUT ROWID"),
        Dialect::Postgres => (
            "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
            "BYTEA",
            "",
        ),
    };
    SCHEMA
        .replace("{record_columns}", RECORD_COLUMNS)
        .replace("{record_indexes}", RECORD_INDEXES)
        .replace("{id}", id)
        .replace("{bytes}", bytes)
        .replace("{clustered}", clustered)
}

/// What schema 1 lacks of schema 2, in `dialect`: the record's columns and their indexes.
fn schema_2_additions(dialect: Dialect) -> String {
    let bytes = match dialect {
        Dialect::Sqlite => "BLOB",
        Dialect::Postgres => "BYTEA",
    };
    let columns: String = RECORD_COLUMNS
        .lines()
        .map(|column| {
            format!(
                "ALTER TABLE payments ADD COLUMN {};\n",
                column.trim().trim_end_matches(',')
            )
        })
        .collect();
    format!("{columns}{RECORD_INDEXES}").replace("{bytes}", bytes)
}

/// An executed payment as the index holds it: the record that entered the hash chain, and where it was read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexedPayment {
    pub signature: String,
    pub ordinal: u32,
    pub record: PaymentRecord,
    pub fast_path: bool,
    pub executor: Pubkey,
    pub previous_hash: [u8; 32],
    pub outlay_hash: [u8; 32],
}

/// One link of an agency's hash chain as the index holds it: the record, the hashes it carried, and the
/// transaction it was read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainLink {
    /// The id of its transaction in the index ([`Store::signature_of`] gives the signature).
    pub tx: i64,
    /// The agency and place in its chain the row claims (the record's own are inside `record`).
    pub agency: Pubkey,
    pub sequence: u64,
    /// The record's canonical bytes, exactly what the chain folds.
    pub record: [u8; PaymentRecord::CANONICAL_LEN],
    pub previous_hash: [u8; 32],
    pub outlay_hash: [u8; 32],
    /// Whether the row's record columns (what the audit reads) hold the record's own values.
    pub columns_agree: bool,
}

impl ChainLink {
    /// The record, decoded.
    pub fn decode(&self) -> Result<PaymentRecord> {
        record(&self.record)
    }

    /// The sequence the record itself names (its first 8 bytes).
    pub fn record_sequence(&self) -> u64 {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&self.record[..8]);
        u64::from_le_bytes(bytes)
    }

    /// The agency the record itself names (its next 32 bytes).
    pub fn record_agency(&self) -> &[u8] {
        &self.record[8..40]
    }

    /// `sha256(previous || record)`, the fold of `fold_outlay_hash` over bytes already canonical: the
    /// verifier's own, which the explorer also runs in a reader's browser.
    pub fn fold(&self) -> [u8; 32] {
        public_spending_verifier::fold(&self.previous_hash, &self.record)
    }
}

/// Where the indexer stands on one address's history.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cursor {
    /// The newest signature of the last finished run.
    pub newest: Option<String>,
    /// A run under way: the newest signature it started from, and the oldest it has written so far.
    pub pending_newest: Option<String>,
    pub pending_oldest: Option<String>,
}

/// The meta keys naming the one ledger an index holds ([`Store::claim_ledger`]).
pub const META_LEDGER: &str = "ledger";
pub const META_GENESIS: &str = "genesis_hash";

/// Where an index lives: an SQLite file, or a PostgreSQL database named by its URL
/// (`postgres://user@host/db`; a Unix socket directory as the host, percent-encoded, for a local server).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    Sqlite(PathBuf),
    Postgres(String),
}

impl std::str::FromStr for Location {
    type Err = std::convert::Infallible;

    /// A `postgres://` or `postgresql://` URL names a PostgreSQL database; anything else is an SQLite file.
    fn from_str(text: &str) -> std::result::Result<Self, Self::Err> {
        Ok(
            if text.starts_with("postgres://") || text.starts_with("postgresql://") {
                Location::Postgres(text.to_owned())
            } else {
                Location::Sqlite(PathBuf::from(text))
            },
        )
    }
}

impl std::fmt::Display for Location {
    /// The file's path, or the URL without its password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Sqlite(path) => write!(f, "{}", path.display()),
            Location::Postgres(url) => f.write_str(&without_password(url)),
        }
    }
}

/// `postgres://user:secret@host/db` as `postgres://user:***@host/db`, for messages.
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => match rest[..at].split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***{}", &rest[at..]),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

impl From<&Path> for Location {
    fn from(path: &Path) -> Self {
        Location::Sqlite(path.to_owned())
    }
}

impl From<&PathBuf> for Location {
    fn from(path: &PathBuf) -> Self {
        Location::Sqlite(path.clone())
    }
}

impl From<PathBuf> for Location {
    fn from(path: PathBuf) -> Self {
        Location::Sqlite(path)
    }
}

impl From<&Location> for Location {
    fn from(location: &Location) -> Self {
        location.clone()
    }
}

/// What a database holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Empty,
    Index,
    Foreign,
}

/// The advisory lock an indexer holds on a PostgreSQL index for its whole run (any fixed number would do; this
/// one is "pubspend" in ASCII).
const INDEXER_LOCK: i64 = 0x7075_6273_7065_6e64;

/// The index database.
pub struct Store {
    conn: Conn,
    path: String,
    /// A PostgreSQL reader's URL, for a second connection to the same snapshot ([`Store::sibling`]).
    reader_url: Option<String>,
}

fn key(bytes: &[u8]) -> Result<Pubkey> {
    <[u8; 32]>::try_from(bytes)
        .map(Pubkey::new_from_array)
        .map_err(|_| {
            WatchdogError::Invalid(format!("a key column holds {} bytes, not 32", bytes.len()))
        })
}

fn hash(bytes: &[u8]) -> Result<[u8; 32]> {
    <[u8; 32]>::try_from(bytes).map_err(|_| {
        WatchdogError::Invalid(format!("a hash column holds {} bytes, not 32", bytes.len()))
    })
}

/// The record of a payments row, from its canonical bytes.
fn record(bytes: &[u8]) -> Result<PaymentRecord> {
    use anchor_lang::AnchorDeserialize;
    if bytes.len() != PaymentRecord::CANONICAL_LEN {
        return Err(WatchdogError::Invalid(format!(
            "a payment record holds {} bytes, not {}",
            bytes.len(),
            PaymentRecord::CANONICAL_LEN
        )));
    }
    PaymentRecord::deserialize(&mut &bytes[..])
        .map_err(|e| WatchdogError::Invalid(format!("a payment record does not decode: {e}")))
}

/// Whether columns 6..12 of a row (award, recipient, amount, invoice_hash, executed_at, payment_index) hold the
/// values at their places in the canonical `record` (see `PaymentRecord::canonical_bytes`).
fn columns_agree(row: &Row, record: &[u8; PaymentRecord::CANONICAL_LEN]) -> Result<bool> {
    let bytes_at = |column: usize, at: std::ops::Range<usize>| -> Result<bool> {
        Ok(match row.opt_bytes(column)? {
            Some(bytes) => bytes == &record[at],
            None => false,
        })
    };
    let int_at = |column: usize, at: std::ops::Range<usize>| -> Result<bool> {
        let mut le = [0u8; 8];
        le[..at.len()].copy_from_slice(&record[at]);
        Ok(row.opt_int(column)? == Some(i64::from_le_bytes(le)))
    };
    Ok(bytes_at(6, 40..72)?
        && bytes_at(7, 76..108)?
        && int_at(8, 140..148)?
        && bytes_at(9, 148..180)?
        && int_at(10, 212..220)?
        && int_at(11, 72..76)?)
}

/// The record's values of the audit's columns, in their order: award, recipient, amount, invoice hash, time, index.
fn record_values(r: &PaymentRecord) -> [Value; 6] {
    [
        r.award.as_ref().into(),
        r.recipient.as_ref().into(),
        to_sql(r.amount).into(),
        r.invoice_hash.as_slice().into(),
        r.executed_at.into(),
        i64::from(r.payment_index).into(),
    ]
}

/// Amounts are u64 on chain and signed 64-bit integers in SQL; no budget comes near 2^63 base units.
fn to_sql(amount: u64) -> i64 {
    i64::try_from(amount).unwrap_or(i64::MAX)
}

impl Store {
    /// Opens (or creates) the index at `at` (a path, or a [`Location`]), for indexing into it.
    pub fn open(at: impl Into<Location>) -> Result<Self> {
        let at = at.into();
        let store = Self::init(Self::connect(&at)?, at.to_string())?;
        if store.dialect() == Dialect::Sqlite {
            // The payments' indexes take rows in random key order (awards, recipients, invoices): with SQLite's
            // default 2 MiB of cached pages, each row read its index pages back from the file and wrote them
            // again at every commit, and indexing ran ten times slower. An indexer keeps up to 64 MiB.
            store
                .conn
                .execute_batch("PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = 16384")?;
        }
        Ok(store)
    }

    /// Opens an index that must already hold an indexed ledger, for the commands that only read it: a missing
    /// file is never created, and an empty database or one that has indexed nothing is refused unchanged. On
    /// PostgreSQL, everything read through it comes from one snapshot, taken at its first read.
    pub fn open_existing(at: impl Into<Location>) -> Result<Self> {
        let at = at.into();
        let fail = |reason: String| WatchdogError::Store {
            path: at.to_string(),
            reason,
        };
        if let Location::Sqlite(path) = &at {
            if !path.exists() {
                return Err(fail(format!(
                    "does not exist: run `pubspend index --db {at}` first"
                )));
            }
        }
        let conn = Self::connect(&at)?;
        if Self::kind_of(&conn).map_err(|e| fail(e.to_string()))? == Kind::Empty {
            return Err(fail(format!(
                "is empty: nothing has been indexed into it; run `pubspend index --db {at}` first"
            )));
        }
        let store = Self::init(conn, at.to_string())?;
        if store.meta(META_LEDGER)?.is_none() {
            return Err(fail(format!(
                "has indexed no ledger yet: run `pubspend index --db {at}` first"
            )));
        }
        let mut store = store;
        if let Location::Postgres(url) = &at {
            store
                .conn
                .execute_batch("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
            store.reader_url = Some(url.clone());
        }
        Ok(store)
    }

    /// A second connection reading exactly what this reader reads (PostgreSQL's exported snapshot), for reading
    /// in parallel; `None` for an SQLite index or a store opened for writing.
    pub fn sibling(&self) -> Result<Option<Store>> {
        let Some(url) = &self.reader_url else {
            return Ok(None);
        };
        let snapshot = self
            .conn
            .query_opt("SELECT pg_export_snapshot()", &[], |row| row.text(0))?
            .ok_or_else(|| WatchdogError::Invalid("the index exported no snapshot".into()))?;
        let conn = Self::connect(&Location::Postgres(url.clone()))?;
        conn.execute_batch(&format!(
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '{}'",
            snapshot.replace('\'', "")
        ))?;
        Ok(Some(Store {
            conn,
            path: self.path.clone(),
            reader_url: None,
        }))
    }

    /// An SQLite index in memory (tests, benches).
    pub fn in_memory() -> Result<Self> {
        Self::init(
            Conn::Sqlite(rusqlite::Connection::open_in_memory()?),
            ":memory:".into(),
        )
    }

    fn connect(at: &Location) -> Result<Conn> {
        let fail = |reason: String| WatchdogError::Store {
            path: at.to_string(),
            reason,
        };
        match at {
            Location::Sqlite(path) => {
                let conn = rusqlite::Connection::open_with_flags(
                    path,
                    rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE
                        | rusqlite::OpenFlags::SQLITE_OPEN_CREATE
                        | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )
                .map_err(|e| fail(e.to_string()))?;
                Ok(Conn::Sqlite(conn))
            }
            Location::Postgres(url) => Pg::connect(url)
                .map(Conn::Postgres)
                .map_err(|e| fail(format!("cannot connect: {e}"))),
        }
    }

    /// What a database holds, read without writing to it.
    fn kind_of(conn: &Conn) -> Result<Kind> {
        let catalog = match conn.dialect() {
            Dialect::Sqlite => {
                "SELECT count(*), count(*) FILTER (WHERE name = 'meta') FROM sqlite_master WHERE type = 'table'"
            }
            Dialect::Postgres => {
                "SELECT count(*), count(*) FILTER (WHERE table_name = 'meta') FROM information_schema.tables
                 WHERE table_schema = current_schema()"
            }
        };
        let (tables, meta) = conn
            .query_opt(catalog, &[], |row| Ok((row.int(0)?, row.int(1)?)))?
            .unwrap_or((0, 0));
        Ok(match (tables, meta) {
            (0, _) => Kind::Empty,
            (_, 0) => Kind::Foreign,
            _ => Kind::Index,
        })
    }

    fn init(conn: Conn, path: String) -> Result<Self> {
        let store = Self {
            conn,
            path,
            reader_url: None,
        };
        let fail = |reason: String| WatchdogError::Store {
            path: store.path.clone(),
            reason,
        };
        let dialect = store.dialect();
        if dialect == Dialect::Sqlite {
            // Whether the file is a database at all, before anything is written to it.
            store
                .conn
                .execute_batch("PRAGMA schema_version")
                .map_err(|e| fail(format!("is not an SQLite database ({e})")))?;
        } else {
            // Two indexers starting on one new database: the first creates the schema, the second waits for it.
            store.conn.execute_batch(&format!(
                "BEGIN; SELECT pg_advisory_xact_lock({INDEXER_LOCK} + 1)"
            ))?;
        }
        let created = store.create_or_check(&fail);
        if dialect == Dialect::Postgres {
            store.conn.execute_batch(if created.is_ok() {
                "COMMIT"
            } else {
                "ROLLBACK"
            })?;
        }
        created?;
        Ok(store)
    }

    /// Creates the schema in an empty database, or checks that the database is an index this build reads.
    fn create_or_check(&self, fail: &dyn Fn(String) -> WatchdogError) -> Result<()> {
        // What the database is, read before anything is written: a database of something else is refused as it
        // was.
        let kind = Self::kind_of(&self.conn).map_err(|e| match self.dialect() {
            Dialect::Sqlite => fail(format!("is not an SQLite database ({e})")),
            Dialect::Postgres => e,
        })?;
        if kind == Kind::Foreign {
            return Err(fail(
                "is a database of something else (it has tables, but no pubspend meta table)"
                    .into(),
            ));
        }
        if self.dialect() == Dialect::Sqlite {
            self.conn
                .execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL")
                .map_err(|e| fail(format!("is not an SQLite database ({e})")))?;
        }
        if kind == Kind::Empty {
            self.conn.execute_batch(&schema(self.dialect()))?;
            self.set_meta("schema_version", &SCHEMA_VERSION.to_string())?;
            self.set_meta("program_id", &public_spending::ID.to_string())?;
            return Ok(());
        }
        let version: i64 = self
            .meta("schema_version")?
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| fail("has no schema version".into()))?;
        if version > SCHEMA_VERSION {
            return Err(fail(format!(
                "has schema version {version}, newer than this pubspend reads ({SCHEMA_VERSION}): upgrade pubspend"
            )));
        }
        if version < 1 {
            return Err(fail(format!(
                "has schema version {version}, which no migration reads: index into a new database"
            )));
        }
        if let Some(program) = self.meta("program_id")? {
            if program != public_spending::ID.to_string() {
                return Err(fail(format!(
                    "indexes program {program}, not {}: use another --db",
                    public_spending::ID
                )));
            }
        }
        if version == 1 {
            self.migrate_to_2()
                .map_err(|e| fail(format!("could not be migrated to schema 2: {e}")))?;
        }
        Ok(())
    }

    /// Schema 1 to 2: the record's columns and their indexes, filled from each row's record, in one database
    /// transaction (on PostgreSQL, the one [`Store::init`] holds). A record that does not decode keeps empty
    /// columns, which the replay reports.
    fn migrate_to_2(&self) -> Result<()> {
        const CHUNK: i64 = 10_000;
        let sqlite = self.dialect() == Dialect::Sqlite;
        if sqlite {
            self.conn.execute_batch("BEGIN")?;
        }
        let migrated = (|| {
            self.conn
                .execute_batch(&schema_2_additions(self.dialect()))?;
            // Read a chunk, then write it (a PostgreSQL read holds the connection until its last row).
            let mut after: Option<(Vec<u8>, i64, i64, i64)> = None;
            loop {
                let mut chunk = Vec::new();
                let (sql, params): (&str, Vec<Value>) = match &after {
                    None => (
                        "SELECT agency, sequence, tx, ordinal, record FROM payments
                         ORDER BY agency, sequence, tx, ordinal LIMIT $1",
                        vec![CHUNK.into()],
                    ),
                    Some((agency, sequence, tx, ordinal)) => (
                        "SELECT agency, sequence, tx, ordinal, record FROM payments
                         WHERE (agency, sequence, tx, ordinal) > ($1, $2, $3, $4)
                         ORDER BY agency, sequence, tx, ordinal LIMIT $5",
                        vec![
                            agency.clone().into(),
                            (*sequence).into(),
                            (*tx).into(),
                            (*ordinal).into(),
                            CHUNK.into(),
                        ],
                    ),
                };
                self.conn.query(sql, &params, |row| {
                    chunk.push((
                        row.bytes(0)?.to_vec(),
                        row.int(1)?,
                        row.int(2)?,
                        row.int(3)?,
                        record(row.bytes(4)?).ok(),
                    ));
                    Ok(())
                })?;
                for (agency, sequence, tx, ordinal, record) in &chunk {
                    let Some(r) = record else { continue };
                    let mut params = record_values(r).to_vec();
                    params.extend([
                        agency.as_slice().into(),
                        (*sequence).into(),
                        (*tx).into(),
                        (*ordinal).into(),
                    ]);
                    self.conn.execute(
                        "UPDATE payments SET award = $1, recipient = $2, amount = $3, invoice_hash = $4,
                            executed_at = $5, payment_index = $6
                         WHERE agency = $7 AND sequence = $8 AND tx = $9 AND ordinal = $10",
                        &params,
                    )?;
                }
                let Some(last) = chunk.pop() else { break };
                after = Some((last.0, last.1, last.2, last.3));
            }
            self.conn.execute_batch(
                "UPDATE payments SET signature = (SELECT signature FROM transactions t WHERE t.id = payments.tx)",
            )?;
            self.set_meta("schema_version", "2")
        })();
        if sqlite {
            self.conn.execute_batch(if migrated.is_ok() {
                "COMMIT"
            } else {
                "ROLLBACK"
            })?;
        }
        migrated
    }

    /// Which database the index lives in.
    pub fn dialect(&self) -> Dialect {
        self.conn.dialect()
    }

    /// Waits until no other indexer is writing to this index, and keeps the others waiting until this store is
    /// dropped. PostgreSQL only: an SQLite file has one writer at a time anyway.
    pub fn lock_for_indexing(&self) -> Result<()> {
        if self.dialect() == Dialect::Postgres {
            self.conn
                .execute_batch(&format!("SELECT pg_advisory_lock({INDEXER_LOCK})"))?;
        }
        Ok(())
    }

    /// Whether the payments' audit indexes are all there (a bulk load that did not finish leaves them out).
    pub fn audit_indexes_present(&self) -> Result<bool> {
        let catalog = match self.dialect() {
            Dialect::Sqlite => "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN ($1, $2, $3, $4)",
            Dialect::Postgres => {
                "SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema()
                 AND indexname IN ($1, $2, $3, $4)"
            }
        };
        let params: Vec<Value> = AUDIT_INDEXES.iter().map(|&n| n.into()).collect();
        let present = self
            .conn
            .query_opt(catalog, &params, |row| row.int(0))?
            .unwrap_or(0);
        Ok(present == AUDIT_INDEXES.len() as i64)
    }

    /// Drops the payments' audit indexes for a bulk load: a row then costs a write at the end of the table
    /// instead of a page of each index at a random place (ten times slower on SQLite). The audit still reads
    /// such an index correctly, only slower, until [`Store::build_audit_indexes`] has run.
    pub fn defer_audit_indexes(&self) -> Result<()> {
        let drops: String = AUDIT_INDEXES
            .iter()
            .map(|name| format!("DROP INDEX IF EXISTS {name};"))
            .collect();
        self.conn.execute_batch(&drops)
    }

    /// Builds the audit indexes that are missing (each from one sort of the table).
    pub fn build_audit_indexes(&self) -> Result<()> {
        self.conn.execute_batch(RECORD_INDEXES)?;
        if self.dialect() == Dialect::Postgres {
            // The planner's statistics, which a bulk load left out of date (a watch's step then chose to read
            // whole tables), and the visibility map, without which PostgreSQL reads the table behind every
            // index entry.
            self.conn
                .execute_batch("VACUUM (ANALYZE) payments, transactions, events")?;
        }
        Ok(())
    }

    /// Binds the index to one ledger: the first run records the ledger's address and its chain's genesis hash;
    /// every later run, and every verification, must be of the same ledger on the same chain, or is refused
    /// before anything is written (two ledgers in one index would mix their payments and totals).
    pub fn claim_ledger(&self, ledger: &Pubkey, genesis_hash: &str) -> Result<()> {
        let recorded = (self.meta(META_LEDGER)?, self.meta(META_GENESIS)?);
        match recorded {
            (None, None) => {
                self.set_meta(META_LEDGER, &ledger.to_string())?;
                self.set_meta(META_GENESIS, genesis_hash)
            }
            (Some(l), Some(g)) if l == ledger.to_string() && g == genesis_hash => Ok(()),
            (l, g) => Err(WatchdogError::Store {
                path: self.path.clone(),
                reason: format!(
                    "indexes ledger {} of the chain with genesis hash {}, not ledger {ledger} of the chain with genesis hash {genesis_hash}: index another ledger into another --db",
                    l.as_deref().unwrap_or("(unknown)"),
                    g.as_deref().unwrap_or("(unknown)"),
                ),
            }),
        }
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    /// Runs a statement of a newsroom's own (and of the tests that tamper with the index); `$1`, `$2`, ... name
    /// its parameters, in order. The number of rows it changed.
    pub fn execute(&self, sql: &str, params: &[Value]) -> Result<u64> {
        self.conn.execute(sql, params)
    }

    /// Runs statements of a newsroom's own without parameters, separated by semicolons.
    pub fn execute_script(&self, sql: &str) -> Result<()> {
        self.conn.execute_batch(sql)
    }

    /// Calls `each` for every row of a query of a newsroom's own, in order (`each` must not use the store).
    pub fn query(
        &self,
        sql: &str,
        params: &[Value],
        each: impl FnMut(&Row) -> Result<()>,
    ) -> Result<()> {
        self.conn.query(sql, params, each)
    }

    /// The first row of a query of a newsroom's own, read by `read`.
    pub fn query_opt<T>(
        &self,
        sql: &str,
        params: &[Value],
        read: impl FnOnce(&Row) -> Result<T>,
    ) -> Result<Option<T>> {
        self.conn.query_opt(sql, params, read)
    }

    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        self.conn.query_opt(
            "SELECT value FROM meta WHERE key = $1",
            &[key.into()],
            |row| row.text(0),
        )
    }

    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[key.into(), value.into()],
        )?;
        Ok(())
    }

    pub fn cursor(&self, address: &Pubkey) -> Result<Cursor> {
        Ok(self
            .conn
            .query_opt(
                "SELECT newest, pending_newest, pending_oldest FROM cursors WHERE address = $1",
                &[address.to_string().into()],
                |row| {
                    Ok(Cursor {
                        newest: row.opt_text(0)?,
                        pending_newest: row.opt_text(1)?,
                        pending_oldest: row.opt_text(2)?,
                    })
                },
            )?
            .unwrap_or_default())
    }

    /// Starts a batch: everything written through it lands together or not at all.
    pub fn batch(&mut self) -> Result<Batch<'_>> {
        let pending = match self.dialect() {
            Dialect::Sqlite => {
                self.conn.execute_batch("BEGIN")?;
                None
            }
            // Written at commit, in one round trip per table (see `Pending`).
            Dialect::Postgres => Some(Default::default()),
        };
        Ok(Batch {
            conn: &self.conn,
            open: true,
            pending,
        })
    }

    /// How many rows a table holds.
    pub fn count(&self, table: &str) -> Result<u64> {
        if !["transactions", "events", "payments", "funding", "accounts"].contains(&table) {
            return Err(WatchdogError::Invalid(format!("no table {table}")));
        }
        let n = self
            .conn
            .query_opt(&format!("SELECT count(*) FROM {table}"), &[], |row| {
                row.int(0)
            })?
            .unwrap_or(0);
        Ok(n.unsigned_abs())
    }

    /// Every indexed account of `kind` (the account type's name), as raw account data.
    pub fn accounts(&self, kind: &str) -> Result<Vec<(Pubkey, Vec<u8>)>> {
        let mut all = Vec::new();
        self.conn.query(
            "SELECT address, data FROM accounts WHERE kind = $1 ORDER BY address",
            &[kind.into()],
            |row| {
                let address = row.text(0)?;
                let address = address.parse().map_err(|_| {
                    WatchdogError::Invalid(format!("account address {address:?} is not a key"))
                })?;
                all.push((address, row.bytes(1)?.to_vec()));
                Ok(())
            },
        )?;
        Ok(all)
    }

    /// Every indexed event of `kind` (the IDL's event name) in chain order, with its transaction's signature
    /// and block time.
    pub fn events(&self, kind: &str) -> Result<Vec<(String, Option<i64>, LedgerEvent)>> {
        self.events_of(&[kind])
    }

    /// Every indexed event of any of `kinds`, interleaved in chain order.
    pub fn events_of(&self, kinds: &[&str]) -> Result<Vec<(String, Option<i64>, LedgerEvent)>> {
        let placeholders = (1..=kinds.len())
            .map(|n| format!("${n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let params: Vec<Value> = kinds.iter().map(|&k| k.into()).collect();
        self.events_where(&format!("e.kind IN ({placeholders})"), &params)
    }

    /// The id of the newest transaction the index holds (0 when it holds none): a mark to read the events
    /// written after ([`Store::events_after`]). Ids only grow.
    pub fn newest_transaction(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_opt("SELECT max(id) FROM transactions", &[], |row| {
                row.opt_int(0)
            })?
            .flatten()
            .unwrap_or(0))
    }

    /// Every event of the transactions indexed after the mark `newest` ([`Store::newest_transaction`]), in
    /// chain order.
    pub fn events_after(&self, newest: i64) -> Result<Vec<(String, Option<i64>, LedgerEvent)>> {
        self.events_where("t.id > $1", &[newest.into()])
    }

    fn events_where(
        &self,
        filter: &str,
        params: &[Value],
    ) -> Result<Vec<(String, Option<i64>, LedgerEvent)>> {
        let mut all = Vec::new();
        self.conn.query(
            &format!(
                "SELECT e.signature, t.block_time, e.kind, e.data FROM events e JOIN transactions t USING (signature)
                 WHERE {filter} ORDER BY t.slot, t.block_time, t.run, t.discovered DESC, e.ordinal"
            ),
            params,
            |row| {
                let (signature, kind) = (row.text(0)?, row.text(2)?);
                let event = LedgerEvent::decode(row.bytes(3)?).ok_or_else(|| {
                    WatchdogError::Invalid(format!("event {kind} of {signature} does not decode"))
                })?;
                all.push((signature, row.opt_int(1)?, event));
                Ok(())
            },
        )?;
        Ok(all)
    }

    /// Calls `each` for every executed payment, ordered by agency then chain sequence, without loading them
    /// all: memory stays flat however long the ledger.
    pub fn for_each_payment(
        &self,
        mut each: impl FnMut(IndexedPayment) -> Result<()>,
    ) -> Result<()> {
        self.conn.query(
            "SELECT t.signature, p.ordinal, p.record, p.fast_path, p.executor, p.previous_hash, p.outlay_hash
             FROM payments p LEFT JOIN transactions t ON t.id = p.tx
             ORDER BY p.agency, p.sequence, p.tx, p.ordinal",
            &[],
            |row| {
                each(IndexedPayment {
                    signature: row.opt_text(0)?.unwrap_or_default(),
                    ordinal: u32::try_from(row.int(1)?).map_err(|_| {
                        WatchdogError::Invalid("a payment's ordinal is out of range".into())
                    })?,
                    record: record(row.bytes(2)?)?,
                    fast_path: row.boolean(3)?,
                    executor: key(row.bytes(4)?)?,
                    previous_hash: hash(row.bytes(5)?)?,
                    outlay_hash: hash(row.bytes(6)?)?,
                })
            },
        )
    }

    /// Calls `each` for every link of every agency's hash chain, ordered by agency then sequence: the
    /// replay's hot loop, reading each row in place (no allocation per row) in the table's own order.
    pub fn for_each_link(&self, mut each: impl FnMut(ChainLink) -> Result<()>) -> Result<()> {
        self.conn.query(
            "SELECT tx, agency, sequence, record, previous_hash, outlay_hash,
                award, recipient, amount, invoice_hash, executed_at, payment_index
             FROM payments ORDER BY agency, sequence, tx, ordinal",
            &[],
            |row| {
                let record = <[u8; PaymentRecord::CANONICAL_LEN]>::try_from(row.bytes(3)?)
                    .map_err(|_| {
                        WatchdogError::Invalid(format!(
                            "a payment record is not {} bytes long",
                            PaymentRecord::CANONICAL_LEN
                        ))
                    })?;
                let columns_agree = columns_agree(row, &record)?;
                each(ChainLink {
                    tx: row.int(0)?,
                    agency: key(row.bytes(1)?)?,
                    sequence: row.int(2)?.unsigned_abs(),
                    record,
                    previous_hash: hash(row.bytes(4)?)?,
                    outlay_hash: hash(row.bytes(5)?)?,
                    columns_agree,
                })
            },
        )
    }

    /// The signature of the indexed transaction `tx` (`None` for an id the index does not hold).
    pub fn signature_of(&self, tx: i64) -> Result<Option<String>> {
        self.conn.query_opt(
            "SELECT signature FROM transactions WHERE id = $1",
            &[tx.into()],
            |row| row.text(0),
        )
    }

    /// Every executed payment, in chain order per agency.
    pub fn payments(&self) -> Result<Vec<IndexedPayment>> {
        let mut all = Vec::new();
        self.for_each_payment(|p| {
            all.push(p);
            Ok(())
        })?;
        Ok(all)
    }

    /// The funding each treasury received (mints and transfers into it), summed.
    pub fn funding(&self) -> Result<Vec<(Pubkey, u64)>> {
        let mut all = Vec::new();
        self.conn.query(
            "SELECT f.treasury, CAST(sum(f.amount) AS BIGINT) FROM funding f JOIN transactions t USING (signature)
             WHERE t.err IS NULL GROUP BY f.treasury ORDER BY f.treasury",
            &[],
            |row| {
                all.push((key(row.bytes(0)?)?, row.int(1)?.unsigned_abs()));
                Ok(())
            },
        )?;
        Ok(all)
    }
}

/// One database transaction of the indexer; dropped without [`Batch::commit`], nothing of it is kept.
///
/// On SQLite each row is written as it is given (in process, a statement costs microseconds). On PostgreSQL,
/// where each statement is a round trip to the server, the rows are kept until [`Batch::commit`] and written
/// then in one transaction: each table's rows copied in PostgreSQL's binary format into a staging table, then
/// one `INSERT ... SELECT` per table, the same columns and the same `ON CONFLICT DO NOTHING` as the statements
/// SQLite runs.
pub struct Batch<'a> {
    conn: &'a Conn,
    open: bool,
    pending: Option<std::cell::RefCell<Pending>>,
}

/// The rows of a PostgreSQL batch, column by column (each column is one array parameter).
#[derive(Default)]
struct Pending {
    transactions: PendingTransactions,
    events: PendingEvents,
    payments: PendingPayments,
    funding: PendingFunding,
    /// Everything else (the account snapshot, the cursor), in order, after the rows.
    statements: Vec<(&'static str, Vec<Value>)>,
}

#[derive(Default)]
struct PendingTransactions {
    signature: Vec<String>,
    slot: Vec<i64>,
    block_time: Vec<Option<i64>>,
    err: Vec<Option<String>>,
    run: Vec<i64>,
}

#[derive(Default)]
struct PendingEvents {
    signature: Vec<String>,
    ordinal: Vec<i64>,
    kind: Vec<String>,
    data: Vec<Vec<u8>>,
}

#[derive(Default)]
struct PendingFunding {
    signature: Vec<String>,
    ordinal: Vec<i64>,
    treasury: Vec<Vec<u8>>,
    amount: Vec<i64>,
    block_time: Vec<Option<i64>>,
}

#[derive(Default)]
struct PendingPayments {
    signature: Vec<String>,
    ordinal: Vec<i64>,
    agency: Vec<Vec<u8>>,
    sequence: Vec<i64>,
    record: Vec<Vec<u8>>,
    fast_path: Vec<bool>,
    executor: Vec<Vec<u8>>,
    previous_hash: Vec<Vec<u8>>,
    outlay_hash: Vec<Vec<u8>>,
    award: Vec<Vec<u8>>,
    recipient: Vec<Vec<u8>>,
    amount: Vec<i64>,
    invoice_hash: Vec<Vec<u8>>,
    executed_at: Vec<i64>,
    payment_index: Vec<i64>,
}

const INSERT_TRANSACTION: &str =
    "INSERT INTO transactions (signature, slot, block_time, err, run, discovered)
     SELECT $1, $2, $3, $4, $5, coalesce(max(discovered), 0) + 1 FROM transactions WHERE true
     ON CONFLICT (signature) DO NOTHING";
const INSERT_EVENT: &str =
    "INSERT INTO events (signature, ordinal, kind, data) VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING";
const INSERT_PAYMENT: &str =
    "INSERT INTO payments (tx, ordinal, agency, sequence, record, fast_path, executor,
        previous_hash, outlay_hash, award, recipient, amount, invoice_hash, executed_at, payment_index, signature)
     VALUES ((SELECT id FROM transactions WHERE signature = $1), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
        $13, $14, $15, $1)
     ON CONFLICT DO NOTHING";
const INSERT_FUNDING: &str =
    "INSERT INTO funding (signature, ordinal, treasury, amount, block_time)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING";
const DELETE_ACCOUNTS: &str = "DELETE FROM accounts";
const INSERT_ACCOUNT: &str = "INSERT INTO accounts (address, kind, data) VALUES ($1, $2, $3)";
const SET_CURSOR: &str = "INSERT INTO cursors (address, newest, pending_newest, pending_oldest) VALUES ($1, $2, $3, $4)
     ON CONFLICT (address) DO UPDATE SET newest = excluded.newest, pending_newest = excluded.pending_newest,
        pending_oldest = excluded.pending_oldest";

/// The same rows, many at once, for PostgreSQL: each table's rows are copied (`COPY ... FROM STDIN BINARY`) into
/// a staging table of the session's own, then inserted from it with the same `ON CONFLICT DO NOTHING` as the
/// statements SQLite runs; the transactions numbered in the order they were given. Staging tables are emptied
/// at every commit.
const STAGING: &str = "
CREATE TEMP TABLE IF NOT EXISTS staged_transactions (signature TEXT, slot BIGINT, block_time BIGINT, err TEXT,
    run BIGINT, n BIGINT) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS staged_events (signature TEXT, ordinal BIGINT, kind TEXT, data BYTEA)
    ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS staged_payments (signature TEXT, ordinal BIGINT, agency BYTEA, sequence BIGINT,
    record BYTEA, fast_path BOOLEAN, executor BYTEA, previous_hash BYTEA, outlay_hash BYTEA, award BYTEA,
    recipient BYTEA, amount BIGINT, invoice_hash BYTEA, executed_at BIGINT, payment_index BIGINT)
    ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS staged_funding (signature TEXT, ordinal BIGINT, treasury BYTEA, amount BIGINT,
    block_time BIGINT) ON COMMIT DELETE ROWS;
";
const FROM_STAGED_TRANSACTIONS: &str =
    "INSERT INTO transactions (signature, slot, block_time, err, run, discovered)
     SELECT t.signature, t.slot, t.block_time, t.err, t.run,
        (SELECT coalesce(max(discovered), 0) FROM transactions) + t.n
     FROM staged_transactions t ORDER BY t.n
     ON CONFLICT (signature) DO NOTHING";
const FROM_STAGED_EVENTS: &str = "INSERT INTO events (signature, ordinal, kind, data)
     SELECT signature, ordinal, kind, data FROM staged_events ON CONFLICT DO NOTHING";
const FROM_STAGED_PAYMENTS: &str = "INSERT INTO payments (tx, ordinal, agency, sequence, record, fast_path, executor,
        previous_hash, outlay_hash, award, recipient, amount, invoice_hash, executed_at, payment_index, signature)
     SELECT (SELECT id FROM transactions WHERE signature = p.signature), p.ordinal, p.agency, p.sequence,
        p.record, p.fast_path, p.executor, p.previous_hash, p.outlay_hash, p.award, p.recipient, p.amount,
        p.invoice_hash, p.executed_at, p.payment_index, p.signature
     FROM staged_payments p ON CONFLICT DO NOTHING";
const FROM_STAGED_FUNDING: &str = "INSERT INTO funding (signature, ordinal, treasury, amount, block_time)
     SELECT signature, ordinal, treasury, amount, block_time FROM staged_funding ON CONFLICT DO NOTHING";

impl Batch<'_> {
    /// Runs `statement` now (SQLite) or keeps it for the commit (PostgreSQL).
    fn statement(&self, statement: &'static str, params: Vec<Value>) -> Result<()> {
        match &self.pending {
            None => self.conn.execute(statement, &params).map(drop),
            Some(pending) => {
                pending.borrow_mut().statements.push((statement, params));
                Ok(())
            }
        }
    }

    /// Records a transaction found by index run `run` (a transaction indexed already is left as it is: nothing
    /// is written twice). A run pages newest first, so within a run a later discovery is an older
    /// transaction; every run's transactions are newer than the previous run's.
    pub fn transaction(
        &self,
        signature: &str,
        slot: u64,
        block_time: Option<i64>,
        err: Option<&str>,
        run: i64,
    ) -> Result<()> {
        let Some(pending) = &self.pending else {
            let params = [
                signature.into(),
                to_sql(slot).into(),
                block_time.into(),
                err.into(),
                run.into(),
            ];
            return self.conn.execute(INSERT_TRANSACTION, &params).map(drop);
        };
        let t = &mut pending.borrow_mut().transactions;
        t.signature.push(signature.to_owned());
        t.slot.push(to_sql(slot));
        t.block_time.push(block_time);
        t.err.push(err.map(str::to_owned));
        t.run.push(run);
        Ok(())
    }

    pub fn event(
        &self,
        signature: &str,
        ordinal: u32,
        event: &LedgerEvent,
        data: &[u8],
    ) -> Result<()> {
        let executed = match event {
            LedgerEvent::PaymentExecuted(executed) => Some(executed),
            _ => None,
        };
        let Some(pending) = &self.pending else {
            self.conn.execute(
                INSERT_EVENT,
                &[
                    signature.into(),
                    ordinal.into(),
                    event.name().into(),
                    data.into(),
                ],
            )?;
            if let Some(executed) = executed {
                let r = &executed.record;
                self.conn.execute(
                    INSERT_PAYMENT,
                    &[
                        signature.into(),
                        ordinal.into(),
                        r.agency.as_ref().into(),
                        to_sql(r.sequence).into(),
                        r.canonical_bytes().to_vec().into(),
                        executed.fast_path.into(),
                        executed.executor.as_ref().into(),
                        executed.previous_outlay_hash.to_vec().into(),
                        executed.outlay_hash.to_vec().into(),
                    ]
                    .into_iter()
                    .chain(record_values(r))
                    .collect::<Vec<Value>>(),
                )?;
            }
            return Ok(());
        };
        let mut pending = pending.borrow_mut();
        let e = &mut pending.events;
        e.signature.push(signature.to_owned());
        e.ordinal.push(i64::from(ordinal));
        e.kind.push(event.name().to_owned());
        e.data.push(data.to_vec());
        if let Some(executed) = executed {
            let r = &executed.record;
            let p = &mut pending.payments;
            p.signature.push(signature.to_owned());
            p.ordinal.push(i64::from(ordinal));
            p.agency.push(r.agency.to_bytes().to_vec());
            p.sequence.push(to_sql(r.sequence));
            p.record.push(r.canonical_bytes().to_vec());
            p.fast_path.push(executed.fast_path);
            p.executor.push(executed.executor.to_bytes().to_vec());
            p.previous_hash.push(executed.previous_outlay_hash.to_vec());
            p.outlay_hash.push(executed.outlay_hash.to_vec());
            p.award.push(r.award.to_bytes().to_vec());
            p.recipient.push(r.recipient.to_bytes().to_vec());
            p.amount.push(to_sql(r.amount));
            p.invoice_hash.push(r.invoice_hash.to_vec());
            p.executed_at.push(r.executed_at);
            p.payment_index.push(i64::from(r.payment_index));
        }
        Ok(())
    }

    pub fn funding(
        &self,
        signature: &str,
        ordinal: u32,
        treasury: &Pubkey,
        amount: u64,
        block_time: Option<i64>,
    ) -> Result<()> {
        let Some(pending) = &self.pending else {
            let params = [
                signature.into(),
                ordinal.into(),
                treasury.as_ref().into(),
                to_sql(amount).into(),
                block_time.into(),
            ];
            return self.conn.execute(INSERT_FUNDING, &params).map(drop);
        };
        let f = &mut pending.borrow_mut().funding;
        f.signature.push(signature.to_owned());
        f.ordinal.push(i64::from(ordinal));
        f.treasury.push(treasury.to_bytes().to_vec());
        f.amount.push(to_sql(amount));
        f.block_time.push(block_time);
        Ok(())
    }

    /// Replaces the account snapshot.
    pub fn accounts(&self, accounts: &[(Pubkey, &'static str, Vec<u8>)]) -> Result<()> {
        self.statement(DELETE_ACCOUNTS, Vec::new())?;
        for (address, kind, data) in accounts {
            self.statement(
                INSERT_ACCOUNT,
                vec![
                    address.to_string().into(),
                    (*kind).into(),
                    data.as_slice().into(),
                ],
            )?;
        }
        Ok(())
    }

    pub fn set_cursor(&self, address: &Pubkey, cursor: &Cursor) -> Result<()> {
        self.statement(
            SET_CURSOR,
            vec![
                address.to_string().into(),
                cursor.newest.clone().into(),
                cursor.pending_newest.clone().into(),
                cursor.pending_oldest.clone().into(),
            ],
        )
    }

    pub fn commit(mut self) -> Result<()> {
        self.open = false;
        match self.pending.take() {
            None => self.conn.execute_batch("COMMIT"),
            Some(pending) => match self.conn {
                Conn::Postgres(pg) => {
                    let pending = pending.into_inner();
                    pg.run(move |client| write_pending(client, pending))??;
                    Ok(())
                }
                Conn::Sqlite(_) => unreachable!("an SQLite batch writes as it goes"),
            },
        }
    }
}

/// A PostgreSQL batch's rows, in one transaction: a copy and an insert per table, then the other statements in
/// order.
fn write_pending(
    client: &mut postgres::Client,
    pending: Pending,
) -> std::result::Result<(), postgres::Error> {
    use postgres::types::Type;
    let mut tx = client.transaction()?;
    tx.batch_execute(STAGING)?;
    let t = &pending.transactions;
    let n: Vec<i64> = (1..=t.signature.len() as i64).collect();
    copy(
        &mut tx,
        "staged_transactions",
        &[
            Type::TEXT,
            Type::INT8,
            Type::INT8,
            Type::TEXT,
            Type::INT8,
            Type::INT8,
        ],
        t.signature.len(),
        |i| {
            vec![
                &t.signature[i],
                &t.slot[i],
                &t.block_time[i],
                &t.err[i],
                &t.run[i],
                &n[i],
            ]
        },
        FROM_STAGED_TRANSACTIONS,
    )?;
    let e = &pending.events;
    copy(
        &mut tx,
        "staged_events",
        &[Type::TEXT, Type::INT8, Type::TEXT, Type::BYTEA],
        e.signature.len(),
        |i| vec![&e.signature[i], &e.ordinal[i], &e.kind[i], &e.data[i]],
        FROM_STAGED_EVENTS,
    )?;
    let p = &pending.payments;
    copy(
        &mut tx,
        "staged_payments",
        &[
            Type::TEXT,
            Type::INT8,
            Type::BYTEA,
            Type::INT8,
            Type::BYTEA,
            Type::BOOL,
            Type::BYTEA,
            Type::BYTEA,
            Type::BYTEA,
            Type::BYTEA,
            Type::BYTEA,
            Type::INT8,
            Type::BYTEA,
            Type::INT8,
            Type::INT8,
        ],
        p.signature.len(),
        |i| {
            vec![
                &p.signature[i],
                &p.ordinal[i],
                &p.agency[i],
                &p.sequence[i],
                &p.record[i],
                &p.fast_path[i],
                &p.executor[i],
                &p.previous_hash[i],
                &p.outlay_hash[i],
                &p.award[i],
                &p.recipient[i],
                &p.amount[i],
                &p.invoice_hash[i],
                &p.executed_at[i],
                &p.payment_index[i],
            ]
        },
        FROM_STAGED_PAYMENTS,
    )?;
    let f = &pending.funding;
    copy(
        &mut tx,
        "staged_funding",
        &[Type::TEXT, Type::INT8, Type::BYTEA, Type::INT8, Type::INT8],
        f.signature.len(),
        |i| {
            vec![
                &f.signature[i],
                &f.ordinal[i],
                &f.treasury[i],
                &f.amount[i],
                &f.block_time[i],
            ]
        },
        FROM_STAGED_FUNDING,
    )?;
    for (statement, params) in &pending.statements {
        let params: Vec<&(dyn postgres::types::ToSql + Sync)> = params
            .iter()
            .map(|p| p as &(dyn postgres::types::ToSql + Sync))
            .collect();
        tx.execute(*statement, &params)?;
    }
    tx.commit()
}

/// Copies `rows` rows (each given by `row`) into the staging table `staged` in PostgreSQL's binary format, then
/// runs `insert`, which moves them into their table.
fn copy<'r>(
    tx: &mut postgres::Transaction<'_>,
    staged: &str,
    types: &[postgres::types::Type],
    rows: usize,
    row: impl Fn(usize) -> Vec<&'r (dyn postgres::types::ToSql + Sync)>,
    insert: &str,
) -> std::result::Result<(), postgres::Error> {
    if rows == 0 {
        return Ok(());
    }
    let mut writer = postgres::binary_copy::BinaryCopyInWriter::new(
        tx.copy_in(&format!("COPY {staged} FROM STDIN BINARY"))?,
        types,
    );
    for i in 0..rows {
        writer.write(&row(i))?;
    }
    writer.finish()?;
    tx.execute(insert, &[])?;
    Ok(())
}

impl Drop for Batch<'_> {
    fn drop(&mut self) {
        if self.open && self.pending.is_none() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

#[cfg(test)]
mod tests {
    use public_spending_sdk::fold_outlay_hash;

    use super::*;

    #[test]
    fn a_location_is_a_postgresql_url_or_an_sqlite_file_and_never_shows_a_password() {
        let cases = [
            (
                "index.sqlite",
                Location::Sqlite("index.sqlite".into()),
                "index.sqlite",
            ),
            (
                "postgres://me@db.example/ledger",
                Location::Postgres("postgres://me@db.example/ledger".into()),
                "postgres://me@db.example/ledger",
            ),
            (
                "postgresql://me:s3cret@db.example:5433/ledger?sslmode=disable",
                Location::Postgres(
                    "postgresql://me:s3cret@db.example:5433/ledger?sslmode=disable".into(),
                ),
                "postgresql://me:***@db.example:5433/ledger?sslmode=disable",
            ),
            (
                "postgres://me@%2Frun%2Fpostgresql/ledger",
                Location::Postgres("postgres://me@%2Frun%2Fpostgresql/ledger".into()),
                "postgres://me@%2Frun%2Fpostgresql/ledger",
            ),
            // Not a URL of PostgreSQL's: a file of that name.
            (
                "mysql://x/y",
                Location::Sqlite("mysql://x/y".into()),
                "mysql://x/y",
            ),
        ];
        for (text, location, shown) in cases {
            let parsed: Location = text.parse().unwrap();
            assert_eq!(parsed, location, "{text}");
            assert_eq!(parsed.to_string(), shown, "{text}");
        }
    }

    #[test]
    fn the_schema_is_written_once_for_both_dialects() {
        let sqlite = schema(Dialect::Sqlite);
        let postgres = schema(Dialect::Postgres);
        assert!(sqlite.contains("id INTEGER PRIMARY KEY,") && sqlite.contains(") WITHOUT ROWID;"));
        assert!(postgres.contains("id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"));
        assert!(
            !sqlite.contains("BYTEA") && !postgres.contains("BLOB") && !postgres.contains("ROWID")
        );
        assert!(!sqlite.contains('{') && !postgres.contains('{'));
    }

    #[test]
    fn a_links_fold_is_the_programs_fold() {
        let record = PaymentRecord {
            sequence: 7,
            agency: Pubkey::new_from_array([1; 32]),
            award: Pubkey::new_from_array([2; 32]),
            payment_index: 3,
            recipient: Pubkey::new_from_array([4; 32]),
            recipient_token_account: Pubkey::new_from_array([5; 32]),
            amount: 123_456,
            invoice_hash: [6; 32],
            reference: Pubkey::new_from_array([7; 32]),
            executed_at: 1_790_000_000,
        };
        let link = ChainLink {
            tx: 1,
            agency: record.agency,
            sequence: record.sequence,
            record: record.canonical_bytes(),
            previous_hash: [9; 32],
            outlay_hash: [0; 32],
            columns_agree: true,
        };
        assert_eq!(link.fold(), fold_outlay_hash(&[9; 32], &record));
        assert_eq!(link.decode().unwrap(), record);
        assert_eq!(link.record_sequence(), 7);
        assert_eq!(link.record_agency(), record.agency.as_ref());
    }
}
