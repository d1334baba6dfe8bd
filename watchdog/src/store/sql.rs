//! The two databases an index can live in, behind one small interface: SQLite in process (`rusqlite`) and a
//! PostgreSQL server (the `postgres` crate). Every statement of the store is written once, with `$1`-style
//! parameters, which both read (SQLite takes `$1` as a parameter named `$1`, bound in order of first use, so
//! each statement names its parameters in order). Kept by hand rather than through an async SQL layer such as
//! `sqlx`: the store is synchronous, has a score of statements, and SQLite's rows are read in place (no copy)
//! in the hash-chain replay.
//!
//! The `postgres` crate drives its connection with a Tokio runtime of its own and cannot be called from inside
//! another runtime (the indexer is async). The connection therefore lives on a thread of its own, which runs each
//! call the store sends it, so a store can be used from any thread, async or not.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        mpsc::{self, Receiver, Sender, SyncSender},
        Arc,
    },
    thread::JoinHandle,
};

use crate::{Result, WatchdogError};

/// A parameter of a statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Null,
    Int(i64),
    Bool(bool),
    Text(String),
    Bytes(Vec<u8>),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<u32> for Value {
    fn from(v: u32) -> Self {
        Value::Int(i64::from(v))
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}

impl From<&[u8]> for Value {
    fn from(v: &[u8]) -> Self {
        Value::Bytes(v.to_vec())
    }
}

impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Value::Bytes(v)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null => ValueRef::Null,
            Value::Int(v) => ValueRef::Integer(*v),
            Value::Bool(v) => ValueRef::Integer(i64::from(*v)),
            Value::Text(v) => ValueRef::Text(v.as_bytes()),
            Value::Bytes(v) => ValueRef::Blob(v),
        }))
    }
}

impl postgres::types::ToSql for Value {
    fn to_sql(
        &self,
        ty: &postgres::types::Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>>
    {
        fn typed<T: postgres::types::ToSql>(
            v: &T,
            ty: &postgres::types::Type,
            out: &mut bytes::BytesMut,
        ) -> std::result::Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>>
        {
            v.to_sql_checked(ty, out)
        }
        match self {
            Value::Null => Ok(postgres::types::IsNull::Yes),
            Value::Int(v) => typed(v, ty, out),
            Value::Bool(v) => typed(v, ty, out),
            Value::Text(v) => typed(v, ty, out),
            Value::Bytes(v) => typed(v, ty, out),
        }
    }

    fn accepts(_: &postgres::types::Type) -> bool {
        // Each value checks its column's type when it is written (above).
        true
    }

    postgres::types::to_sql_checked!();
}

/// A row of a result, read by column number.
pub enum Row<'r, 's> {
    Sqlite(&'r rusqlite::Row<'s>),
    Postgres(&'r postgres::Row),
}

impl Row<'_, '_> {
    fn get<S: rusqlite::types::FromSql, P: for<'a> postgres::types::FromSql<'a>, T>(
        &self,
        column: usize,
        from_sqlite: impl FnOnce(S) -> T,
        from_postgres: impl FnOnce(P) -> T,
    ) -> Result<T> {
        Ok(match self {
            Row::Sqlite(row) => from_sqlite(row.get(column)?),
            Row::Postgres(row) => from_postgres(row.try_get(column)?),
        })
    }

    pub fn int(&self, column: usize) -> Result<i64> {
        self.get(column, |v: i64| v, |v: i64| v)
    }

    pub fn opt_int(&self, column: usize) -> Result<Option<i64>> {
        self.get(column, |v: Option<i64>| v, |v: Option<i64>| v)
    }

    pub fn boolean(&self, column: usize) -> Result<bool> {
        self.get(column, |v: bool| v, |v: bool| v)
    }

    pub fn text(&self, column: usize) -> Result<String> {
        self.get(column, |v: String| v, |v: String| v)
    }

    pub fn opt_text(&self, column: usize) -> Result<Option<String>> {
        self.get(column, |v: Option<String>| v, |v: Option<String>| v)
    }

    /// A blob or NULL, read in place.
    pub fn opt_bytes(&self, column: usize) -> Result<Option<&[u8]>> {
        Ok(match self {
            Row::Sqlite(row) => row
                .get_ref(column)?
                .as_blob_or_null()
                .map_err(rusqlite::Error::from)?,
            Row::Postgres(row) => row.try_get(column)?,
        })
    }

    /// A blob, read in place.
    pub fn bytes(&self, column: usize) -> Result<&[u8]> {
        Ok(match self {
            Row::Sqlite(row) => row
                .get_ref(column)?
                .as_blob()
                .map_err(rusqlite::Error::from)?,
            Row::Postgres(row) => row.try_get(column)?,
        })
    }
}

/// Which database, for the few statements written twice (the schema's type names, the catalog queries).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A connection to either database.
pub enum Conn {
    Sqlite(rusqlite::Connection),
    Postgres(Pg),
}

/// Rows a PostgreSQL read hands over at a time: the replay reads a million rows without holding them all.
const ROWS_PER_HANDOFF: usize = 4096;

impl Conn {
    pub fn dialect(&self) -> Dialect {
        match self {
            Conn::Sqlite(_) => Dialect::Sqlite,
            Conn::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Runs one statement; the number of rows it changed.
    pub fn execute(&self, sql: &str, params: &[Value]) -> Result<u64> {
        match self {
            Conn::Sqlite(conn) => Ok(conn.prepare_cached(sql)?.execute(params_of(params))? as u64),
            Conn::Postgres(pg) => {
                let (sql, params) = (sql.to_owned(), params.to_vec());
                Ok(pg.run(move |client| client.execute(sql.as_str(), &refs(&params)))??)
            }
        }
    }

    /// Runs statements without parameters, separated by semicolons.
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        match self {
            Conn::Sqlite(conn) => Ok(conn.execute_batch(sql)?),
            Conn::Postgres(pg) => {
                let sql = sql.to_owned();
                Ok(pg.run(move |client| client.batch_execute(&sql))??)
            }
        }
    }

    /// Calls `each` for every row of a query, in order. PostgreSQL's rows arrive a few thousand at a time while
    /// `each` runs; `each` must not use the store meanwhile (the connection is busy with the query).
    pub fn query(
        &self,
        sql: &str,
        params: &[Value],
        mut each: impl FnMut(&Row) -> Result<()>,
    ) -> Result<()> {
        match self {
            Conn::Sqlite(conn) => {
                let mut statement = conn.prepare_cached(sql)?;
                let mut rows = statement.query(params_of(params))?;
                while let Some(row) = rows.next()? {
                    each(&Row::Sqlite(row))?;
                }
                Ok(())
            }
            Conn::Postgres(pg) => {
                for chunk in pg.stream(sql.to_owned(), params.to_vec())? {
                    for row in chunk? {
                        each(&Row::Postgres(&row))?;
                    }
                }
                Ok(())
            }
        }
    }

    /// The first row of a query, read by `read`, if there is one.
    pub fn query_opt<T>(
        &self,
        sql: &str,
        params: &[Value],
        read: impl FnOnce(&Row) -> Result<T>,
    ) -> Result<Option<T>> {
        match self {
            Conn::Sqlite(conn) => {
                let mut statement = conn.prepare_cached(sql)?;
                let mut rows = statement.query(params_of(params))?;
                rows.next()?.map(|row| read(&Row::Sqlite(row))).transpose()
            }
            Conn::Postgres(pg) => {
                let (sql, params) = (sql.to_owned(), params.to_vec());
                let row =
                    // The first row, as SQLite gives it (`query_opt` would refuse a second row).
                    pg.run(move |client| {
                        use postgres::fallible_iterator::FallibleIterator;
                        client.query_raw(sql.as_str(), params.iter())?.next()
                    })??;
                row.map(|row| read(&Row::Postgres(&row))).transpose()
            }
        }
    }
}

fn params_of(params: &[Value]) -> rusqlite::ParamsFromIter<std::slice::Iter<'_, Value>> {
    rusqlite::params_from_iter(params.iter())
}

fn refs(params: &[Value]) -> Vec<&(dyn postgres::types::ToSql + Sync)> {
    params
        .iter()
        .map(|p| p as &(dyn postgres::types::ToSql + Sync))
        .collect()
}

type Job = Box<dyn FnOnce(&mut postgres::Client) + Send>;

/// A PostgreSQL connection on a thread of its own.
pub struct Pg {
    jobs: Option<Sender<Job>>,
    worker: Option<JoinHandle<()>>,
    /// A streaming read is under way (the connection is busy until its receiver is dropped).
    streaming: Arc<AtomicBool>,
}

impl Pg {
    /// Connects to `url` (`postgres://user@host/db`, or a Unix socket directory as the host, percent-encoded).
    pub fn connect(url: &str) -> std::result::Result<Pg, String> {
        let config: postgres::Config = url.parse().map_err(|e: postgres::Error| e.to_string())?;
        let (jobs, queue) = mpsc::channel::<Job>();
        let (ready, connected) = mpsc::sync_channel(1);
        let worker = std::thread::Builder::new()
            .name("pubspend-postgres".into())
            .spawn(move || match config.connect(postgres::NoTls) {
                Ok(mut client) => {
                    // The audit's queries read hundreds of thousands of rows once each: compiling them (JIT)
                    // took longer than it saved, and sorts spilled to disk at the default 4 MB.
                    if let Err(e) = client.batch_execute("SET jit = off; SET work_mem = '64MB'") {
                        let _ = ready.send(Err(message(&e)));
                        return;
                    }
                    let _ = ready.send(Ok(()));
                    while let Ok(job) = queue.recv() {
                        job(&mut client);
                    }
                }
                Err(e) => {
                    let _ = ready.send(Err(message(&e)));
                }
            })
            .map_err(|e| e.to_string())?;
        connected
            .recv()
            .map_err(|_| "the connection thread stopped".to_string())??;
        Ok(Pg {
            jobs: Some(jobs),
            worker: Some(worker),
            streaming: Default::default(),
        })
    }

    /// Runs `job` on the connection and waits for its answer.
    pub fn run<R: Send + 'static>(
        &self,
        job: impl FnOnce(&mut postgres::Client) -> R + Send + 'static,
    ) -> Result<R> {
        if self.streaming.load(Ordering::Acquire) {
            return Err(WatchdogError::Invalid(
                "the index was used while one of its reads was under way".into(),
            ));
        }
        let (answer, answered) = mpsc::sync_channel(1);
        self.send(Box::new(move |client| {
            let _ = answer.send(job(client));
        }))?;
        answered.recv().map_err(|_| lost())
    }

    fn send(&self, job: Job) -> Result<()> {
        self.jobs
            .as_ref()
            .and_then(|jobs| jobs.send(job).ok())
            .ok_or_else(lost)
    }

    /// Runs a query whose rows come back in chunks while the caller reads them.
    fn stream(&self, sql: String, params: Vec<Value>) -> Result<Chunks> {
        let (chunks, received) = mpsc::sync_channel::<Result<Vec<postgres::Row>>>(2);
        self.send(Box::new(move |client| {
            let mut read = |chunks: &SyncSender<Result<Vec<postgres::Row>>>| -> std::result::Result<(), postgres::Error> {
                use postgres::fallible_iterator::FallibleIterator;
                let mut rows = client.query_raw(sql.as_str(), params.iter())?;
                let mut chunk = Vec::with_capacity(ROWS_PER_HANDOFF);
                while let Some(row) = rows.next()? {
                    chunk.push(row);
                    if chunk.len() == ROWS_PER_HANDOFF {
                        let full = std::mem::replace(&mut chunk, Vec::with_capacity(ROWS_PER_HANDOFF));
                        if chunks.send(Ok(full)).is_err() {
                            // The reader stopped early.
                            return Ok(());
                        }
                    }
                }
                let _ = chunks.send(Ok(chunk));
                Ok(())
            };
            if let Err(e) = read(&chunks) {
                let _ = chunks.send(Err(e.into()));
            }
        }))?;
        self.streaming.store(true, Ordering::Release);
        Ok(Chunks {
            received,
            streaming: self.streaming.clone(),
        })
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        self.jobs.take();
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

/// The chunks of a streaming read; dropping it frees the connection.
struct Chunks {
    received: Receiver<Result<Vec<postgres::Row>>>,
    streaming: Arc<AtomicBool>,
}

impl Iterator for Chunks {
    type Item = Result<Vec<postgres::Row>>;

    fn next(&mut self) -> Option<Self::Item> {
        self.received.recv().ok()
    }
}

impl Drop for Chunks {
    fn drop(&mut self) {
        self.streaming.store(false, Ordering::Release);
    }
}

fn lost() -> WatchdogError {
    WatchdogError::Invalid("the connection to the PostgreSQL index was lost".into())
}

/// A PostgreSQL error with the server's own words, where it gave any.
pub fn message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{}: {}", db.severity(), db.message()),
        None => match std::error::Error::source(e) {
            Some(source) => format!("{e}: {source}"),
            None => e.to_string(),
        },
    }
}
