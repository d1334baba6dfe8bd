//! A real PostgreSQL server for the tests, one database per test.
//!
//! The server is the one `scripts/test-postgres` runs (from Debian's `postgresql` package): `.ci/run` starts it
//! and names it in `PUBSPEND_TEST_POSTGRES`; without that variable the first test that asks starts it with the
//! same script. Where no server can be had, a test on PostgreSQL is skipped with a message, or fails under
//! `CI=true`, where a skipped backend would be a hole in the run.

use std::sync::{
    atomic::{AtomicU64, Ordering},
    OnceLock,
};

/// A database of its own on the test server, dropped (with every connection to it) when this is dropped.
pub struct TestDatabase {
    /// `postgresql://...` naming this database.
    pub url: String,
    server: String,
    name: String,
}

/// The URL of the server's own `postgres` database, if a server can be had.
fn server() -> Option<&'static str> {
    static SERVER: OnceLock<Result<String, String>> = OnceLock::new();
    let server = SERVER.get_or_init(|| {
        if let Ok(url) = std::env::var("PUBSPEND_TEST_POSTGRES") {
            return Ok(url);
        }
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/test-postgres");
        let output = std::process::Command::new(script)
            .arg("start")
            .output()
            .map_err(|e| format!("{script}: {e}"))?;
        if !output.status.success() {
            return Err(String::from_utf8_lossy(&output.stderr).trim().to_string());
        }
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
    });
    match server {
        Ok(url) => Some(url),
        Err(reason) if std::env::var_os("CI").is_some() => {
            panic!("no PostgreSQL server for the tests under CI: {reason}")
        }
        Err(reason) => {
            eprintln!("skipped on PostgreSQL: no server ({reason})");
            None
        }
    }
}

/// Whether the tests on PostgreSQL can run (false only outside CI, with a message).
pub fn available() -> bool {
    server().is_some()
}

/// Runs `statement` on the server's own database, from a thread of its own (the `postgres` client drives a
/// runtime of its own, which cannot start inside a test's).
fn on_server(server: &str, statement: String) -> Result<(), String> {
    let server = server.to_owned();
    std::thread::spawn(move || {
        let mut client =
            ::postgres::Client::connect(&server, ::postgres::NoTls).map_err(|e| e.to_string())?;
        client
            .batch_execute(&statement)
            .map_err(|e| format!("{statement}: {e}"))
    })
    .join()
    .map_err(|_| "the PostgreSQL set-up thread panicked".to_string())?
}

/// A new, empty database on the test server; `None` (after a message) where no server can be had outside CI.
pub fn database() -> Option<TestDatabase> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let server = server()?;
    let name = format!(
        "pubspend_test_{}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos())
    );
    on_server(server, format!("CREATE DATABASE {name}")).expect("create a test database");
    let (base, _) = server
        .rsplit_once('/')
        .expect("the server URL names a database");
    Some(TestDatabase {
        url: format!("{base}/{name}"),
        server: server.to_owned(),
        name,
    })
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let _ = on_server(
            &self.server,
            format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
    }
}
