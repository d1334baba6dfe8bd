//! The SQLite index: every transaction of the program and of the agencies' treasuries, every event, the
//! executed payments in typed columns (for the hash-chain replay), treasury funding, and a snapshot of the
//! program's accounts. Each batch the indexer writes is one SQLite transaction, so a crash or a kill leaves
//! the database as it was after the last whole batch.

use std::path::Path;

use anchor_lang::prelude::Pubkey;
use public_spending_sdk::{events::LedgerEvent, PaymentRecord};
use rusqlite::{params, Connection, OptionalExtension};

use crate::{Result, WatchdogError};

/// The layout this build reads and writes. An older database is migrated; a newer one is refused.
pub const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE transactions (
    id INTEGER PRIMARY KEY,
    signature TEXT NOT NULL UNIQUE,
    slot INTEGER NOT NULL,
    block_time INTEGER,
    err TEXT,
    run INTEGER NOT NULL,
    discovered INTEGER NOT NULL
);
CREATE TABLE events (
    signature TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    kind TEXT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (signature, ordinal)
);
CREATE INDEX transactions_by_discovery ON transactions (discovered);
CREATE INDEX events_by_kind ON events (kind);
CREATE TABLE payments (
    tx INTEGER NOT NULL REFERENCES transactions (id),
    ordinal INTEGER NOT NULL,
    -- Where the payment claims to stand: its agency and its place in the agency's chain...
    agency BLOB NOT NULL,
    sequence INTEGER NOT NULL,
    -- ...and the record that entered the hash chain, in its canonical bytes (its Borsh encoding), which is
    -- what the replay hashes. Reports decode the same bytes, so nothing they show escapes verification.
    record BLOB NOT NULL,
    fast_path INTEGER NOT NULL,
    executor BLOB NOT NULL,
    previous_hash BLOB NOT NULL,
    outlay_hash BLOB NOT NULL,
    -- Clustered in chain order, so that the replay reads the table front to back.
    PRIMARY KEY (agency, sequence, tx, ordinal)
) WITHOUT ROWID;
CREATE TABLE funding (
    signature TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    treasury BLOB NOT NULL,
    amount INTEGER NOT NULL,
    block_time INTEGER,
    PRIMARY KEY (signature, ordinal)
);
CREATE TABLE accounts (address TEXT PRIMARY KEY, kind TEXT NOT NULL, data BLOB NOT NULL);
CREATE TABLE cursors (
    address TEXT PRIMARY KEY,
    newest TEXT,
    pending_newest TEXT,
    pending_oldest TEXT
);
";

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

    /// `sha256(previous || record)`, the fold of `fold_outlay_hash` over bytes already canonical.
    pub fn fold(&self) -> [u8; 32] {
        solana_sha256_hasher::hashv(&[&self.previous_hash, &self.record]).to_bytes()
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

/// What an SQLite file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Empty,
    Index,
    Foreign,
}

/// The index database.
pub struct Store {
    conn: Connection,
    path: String,
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

/// Amounts are u64 on chain and i64 in SQLite; no budget comes near 2^63 base units.
fn to_sql(amount: u64) -> i64 {
    i64::try_from(amount).unwrap_or(i64::MAX)
}

impl Store {
    /// Opens (or creates) the index at `path`, for indexing into it.
    pub fn open(path: &Path) -> Result<Self> {
        let conn = Connection::open(path).map_err(|e| WatchdogError::Store {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Self::init(conn, path.display().to_string())
    }

    /// Opens an index that must already hold an indexed ledger, for the commands that only read it: a missing
    /// file is never created, and an empty database or one that has indexed nothing is refused unchanged.
    pub fn open_existing(path: &Path) -> Result<Self> {
        let fail = |reason: String| WatchdogError::Store {
            path: path.display().to_string(),
            reason,
        };
        if !path.exists() {
            return Err(fail(format!(
                "does not exist: run `pubspend index --db {}` first",
                path.display()
            )));
        }
        let conn = Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| fail(e.to_string()))?;
        if Self::kind_of(&conn).map_err(|e| fail(e.to_string()))? == Kind::Empty {
            return Err(fail(format!(
                "is empty: nothing has been indexed into it; run `pubspend index --db {}` first",
                path.display()
            )));
        }
        let store = Self::init(conn, path.display().to_string())?;
        if store.meta(META_LEDGER)?.is_none() {
            return Err(fail(format!(
                "has indexed no ledger yet: run `pubspend index --db {}` first",
                path.display()
            )));
        }
        Ok(store)
    }

    /// An index in memory (tests, benches).
    pub fn in_memory() -> Result<Self> {
        Self::init(Connection::open_in_memory()?, ":memory:".into())
    }

    /// What a database holds, read without writing to it.
    fn kind_of(conn: &Connection) -> rusqlite::Result<Kind> {
        let (tables, meta): (i64, i64) = conn.query_row(
            "SELECT count(*), count(*) FILTER (WHERE name = 'meta') FROM sqlite_master WHERE type = 'table'",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        Ok(match (tables, meta) {
            (0, _) => Kind::Empty,
            (_, 0) => Kind::Foreign,
            _ => Kind::Index,
        })
    }

    fn init(conn: Connection, path: String) -> Result<Self> {
        let store = Self { conn, path };
        let fail = |reason: String| WatchdogError::Store {
            path: store.path.clone(),
            reason,
        };
        // What the file is, read before anything is written: a database of something else is refused as it was.
        let kind = Self::kind_of(&store.conn)
            .map_err(|e| fail(format!("is not an SQLite database ({e})")))?;
        if kind == Kind::Foreign {
            return Err(fail(
                "is an SQLite database of something else (no pubspend meta table)".into(),
            ));
        }
        store
            .conn
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| fail(format!("is not an SQLite database ({e})")))?;
        store.conn.pragma_update(None, "synchronous", "NORMAL")?;
        if kind == Kind::Empty {
            store.conn.execute_batch(SCHEMA)?;
            store.set_meta("schema_version", &SCHEMA_VERSION.to_string())?;
            store.set_meta("program_id", &public_spending::ID.to_string())?;
            return Ok(store);
        }
        let version: i64 = store
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
                "has schema version {version}, which no migration reads: index into a new file"
            )));
        }
        if let Some(program) = store.meta("program_id")? {
            if program != public_spending::ID.to_string() {
                return Err(fail(format!(
                    "indexes program {program}, not {}: use another --db",
                    public_spending::ID
                )));
            }
        }
        Ok(store)
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

    /// The raw connection, for queries of a newsroom's own (and the tests that tamper with the index).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |row| {
                row.get(0)
            })
            .optional()?)
    }

    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    pub fn cursor(&self, address: &Pubkey) -> Result<Cursor> {
        Ok(self
            .conn
            .query_row(
                "SELECT newest, pending_newest, pending_oldest FROM cursors WHERE address = ?1",
                [address.to_string()],
                |row| {
                    Ok(Cursor {
                        newest: row.get(0)?,
                        pending_newest: row.get(1)?,
                        pending_oldest: row.get(2)?,
                    })
                },
            )
            .optional()?
            .unwrap_or_default())
    }

    /// Starts a batch: everything written through it lands together or not at all.
    pub fn batch(&mut self) -> Result<Batch<'_>> {
        Ok(Batch {
            tx: self.conn.transaction()?,
        })
    }

    /// How many rows a table holds.
    pub fn count(&self, table: &str) -> Result<u64> {
        if !["transactions", "events", "payments", "funding", "accounts"].contains(&table) {
            return Err(WatchdogError::Invalid(format!("no table {table}")));
        }
        let n: i64 = self
            .conn
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
                row.get(0)
            })?;
        Ok(n.unsigned_abs())
    }

    /// Every indexed account of `kind` (the account type's name), as raw account data.
    pub fn accounts(&self, kind: &str) -> Result<Vec<(Pubkey, Vec<u8>)>> {
        let mut statement = self
            .conn
            .prepare("SELECT address, data FROM accounts WHERE kind = ?1 ORDER BY address")?;
        let rows = statement.query_map([kind], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, Vec<u8>>(1)?))
        })?;
        rows.map(|row| {
            let (address, data) = row?;
            let address = address.parse().map_err(|_| {
                WatchdogError::Invalid(format!("account address {address:?} is not a key"))
            })?;
            Ok((address, data))
        })
        .collect()
    }

    /// Every indexed event of `kind` (the IDL's event name) in chain order, with its transaction's signature
    /// and block time.
    pub fn events(&self, kind: &str) -> Result<Vec<(String, Option<i64>, LedgerEvent)>> {
        self.events_of(&[kind])
    }

    /// Every indexed event of any of `kinds`, interleaved in chain order.
    pub fn events_of(&self, kinds: &[&str]) -> Result<Vec<(String, Option<i64>, LedgerEvent)>> {
        let placeholders = vec!["?"; kinds.len()].join(", ");
        let mut statement = self.conn.prepare(&format!(
            "SELECT e.signature, t.block_time, e.kind, e.data FROM events e JOIN transactions t USING (signature)
             WHERE e.kind IN ({placeholders}) ORDER BY t.slot, t.block_time, t.run, t.discovered DESC, e.ordinal"
        ))?;
        let rows = statement.query_map(rusqlite::params_from_iter(kinds), |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, Option<i64>>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, Vec<u8>>(3)?,
            ))
        })?;
        rows.map(|row| {
            let (signature, block_time, kind, data) = row?;
            let event = LedgerEvent::decode(&data).ok_or_else(|| {
                WatchdogError::Invalid(format!("event {kind} of {signature} does not decode"))
            })?;
            Ok((signature, block_time, event))
        })
        .collect()
    }

    /// Calls `each` for every executed payment, ordered by agency then chain sequence, without loading them
    /// all: memory stays flat however long the ledger.
    pub fn for_each_payment(
        &self,
        mut each: impl FnMut(IndexedPayment) -> Result<()>,
    ) -> Result<()> {
        let mut statement = self.conn.prepare(
            "SELECT t.signature, p.ordinal, p.record, p.fast_path, p.executor, p.previous_hash, p.outlay_hash
             FROM payments p LEFT JOIN transactions t ON t.id = p.tx
             ORDER BY p.agency, p.sequence, p.tx, p.ordinal",
        )?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let blob = |i: usize| -> Result<&[u8]> {
                Ok(row.get_ref(i)?.as_blob().map_err(rusqlite::Error::from)?)
            };
            each(IndexedPayment {
                signature: row.get::<_, Option<String>>(0)?.unwrap_or_default(),
                ordinal: row.get(1)?,
                record: record(blob(2)?)?,
                fast_path: row.get(3)?,
                executor: key(blob(4)?)?,
                previous_hash: hash(blob(5)?)?,
                outlay_hash: hash(blob(6)?)?,
            })?;
        }
        Ok(())
    }

    /// Calls `each` for every link of every agency's hash chain, ordered by agency then sequence: the
    /// replay's hot loop, reading each row in place (no allocation per row) in the table's own order.
    pub fn for_each_link(&self, mut each: impl FnMut(ChainLink) -> Result<()>) -> Result<()> {
        let mut statement = self.conn.prepare(
            "SELECT tx, agency, sequence, record, previous_hash, outlay_hash
             FROM payments ORDER BY agency, sequence, tx, ordinal",
        )?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let blob = |i: usize| -> Result<&[u8]> {
                Ok(row.get_ref(i)?.as_blob().map_err(rusqlite::Error::from)?)
            };
            each(ChainLink {
                tx: row.get(0)?,
                agency: key(blob(1)?)?,
                sequence: row.get::<_, i64>(2)?.unsigned_abs(),
                record: <[u8; PaymentRecord::CANONICAL_LEN]>::try_from(blob(3)?).map_err(|_| {
                    WatchdogError::Invalid(format!(
                        "a payment record is not {} bytes long",
                        PaymentRecord::CANONICAL_LEN
                    ))
                })?,
                previous_hash: hash(blob(4)?)?,
                outlay_hash: hash(blob(5)?)?,
            })?;
        }
        Ok(())
    }

    /// The signature of the indexed transaction `tx` (`None` for an id the index does not hold).
    pub fn signature_of(&self, tx: i64) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT signature FROM transactions WHERE id = ?1",
                [tx],
                |row| row.get(0),
            )
            .optional()?)
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
        let mut statement = self.conn.prepare(
            "SELECT f.treasury, sum(f.amount) FROM funding f JOIN transactions t USING (signature)
             WHERE t.err IS NULL GROUP BY f.treasury",
        )?;
        let rows = statement.query_map([], |row| {
            Ok((row.get::<_, Vec<u8>>(0)?, row.get::<_, i64>(1)?))
        })?;
        rows.map(|row| {
            let (treasury, amount) = row?;
            Ok((key(&treasury)?, amount.unsigned_abs()))
        })
        .collect()
    }
}

/// One SQLite transaction of the indexer.
pub struct Batch<'a> {
    tx: rusqlite::Transaction<'a>,
}

impl Batch<'_> {
    /// Records a transaction found by index run `run`; false when it was indexed already (nothing is written
    /// twice). A run pages newest first, so within a run a later discovery is an older transaction; every
    /// run's transactions are newer than the previous run's.
    pub fn transaction(
        &self,
        signature: &str,
        slot: u64,
        block_time: Option<i64>,
        err: Option<&str>,
        run: i64,
    ) -> Result<bool> {
        let discovered: i64 = self.tx.query_row(
            "SELECT coalesce(max(discovered), 0) + 1 FROM transactions",
            [],
            |row| row.get(0),
        )?;
        let inserted = self.tx.execute(
            "INSERT OR IGNORE INTO transactions (signature, slot, block_time, err, run, discovered)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![signature, to_sql(slot), block_time, err, run, discovered],
        )?;
        Ok(inserted == 1)
    }

    pub fn event(
        &self,
        signature: &str,
        ordinal: u32,
        event: &LedgerEvent,
        data: &[u8],
    ) -> Result<()> {
        self.tx.execute(
            "INSERT OR IGNORE INTO events (signature, ordinal, kind, data) VALUES (?1, ?2, ?3, ?4)",
            params![signature, ordinal, event.name(), data],
        )?;
        if let LedgerEvent::PaymentExecuted(executed) = event {
            let r = &executed.record;
            self.tx.execute(
                "INSERT OR IGNORE INTO payments (tx, ordinal, agency, sequence, record, fast_path, executor,
                    previous_hash, outlay_hash)
                 VALUES ((SELECT id FROM transactions WHERE signature = ?1), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    signature,
                    ordinal,
                    r.agency.as_ref(),
                    to_sql(r.sequence),
                    r.canonical_bytes().as_slice(),
                    executed.fast_path,
                    executed.executor.as_ref(),
                    executed.previous_outlay_hash.as_slice(),
                    executed.outlay_hash.as_slice(),
                ],
            )?;
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
        self.tx.execute(
            "INSERT OR IGNORE INTO funding (signature, ordinal, treasury, amount, block_time) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![signature, ordinal, treasury.as_ref(), to_sql(amount), block_time],
        )?;
        Ok(())
    }

    /// Replaces the account snapshot.
    pub fn accounts(&self, accounts: &[(Pubkey, &'static str, Vec<u8>)]) -> Result<()> {
        self.tx.execute("DELETE FROM accounts", [])?;
        for (address, kind, data) in accounts {
            self.tx.execute(
                "INSERT INTO accounts (address, kind, data) VALUES (?1, ?2, ?3)",
                params![address.to_string(), kind, data],
            )?;
        }
        Ok(())
    }

    pub fn set_cursor(&self, address: &Pubkey, cursor: &Cursor) -> Result<()> {
        self.tx.execute(
            "INSERT INTO cursors (address, newest, pending_newest, pending_oldest) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(address) DO UPDATE SET newest = excluded.newest, pending_newest = excluded.pending_newest,
                pending_oldest = excluded.pending_oldest",
            params![address.to_string(), cursor.newest, cursor.pending_newest, cursor.pending_oldest],
        )?;
        Ok(())
    }

    pub fn commit(self) -> Result<()> {
        self.tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use public_spending_sdk::fold_outlay_hash;

    use super::*;

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
        };
        assert_eq!(link.fold(), fold_outlay_hash(&[9; 32], &record));
        assert_eq!(link.decode().unwrap(), record);
        assert_eq!(link.record_sequence(), 7);
        assert_eq!(link.record_agency(), record.agency.as_ref());
    }
}
