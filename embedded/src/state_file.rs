//! The state file: the saved chain locked for the command (or server) that uses it.

use std::{
    fs::File,
    io::{Seek, Write},
    path::{Path, PathBuf},
    time::Duration,
};

use public_spending_sdk::error::SdkError;

use crate::{bank::*, chain::*, saved::*};

/// How a command uses the saved chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Reads only: waits for writers to finish, and never saves.
    Read,
    /// Loads, runs and saves: no other command reads or writes the file meanwhile.
    Write,
}

/// A saved embedded chain on disk, held under an operating-system lock for as long as this value lives.
///
/// The lock is taken on `<state>.lock` beside the state file and never on the state file itself: every save
/// replaces the state file by renaming a new one over it, so a lock on the old file would guard nothing for a
/// command that opens the new one. The lock file is never deleted (deleting it would race with a waiter), and
/// the operating system releases the lock when the process ends, however it ends, so no stale lock survives a
/// crash. (`std::fs::File::lock`, the standard library's `flock`/`LockFileEx`, does what the fs4 and fd-lock
/// crates did, with no dependency.)
///
/// A server (`pubspend serve`) writes the URL it serves the file at into the lock file
/// ([`StateFile::announce_server`]), so that a command that finds the file locked by it fails at once and says
/// where to send its requests, instead of waiting for a server that may run for days. The next process to take
/// the lock clears what a server that died left there.
pub struct StateFile {
    path: PathBuf,
    access: Access,
    lock: File,
}

/// What a server writes into the lock file before the URL it serves at.
pub(crate) const SERVED_AT: &str = "served at ";

/// How often [`StateFile::lock`] looks again while another command holds the file.
pub(crate) const LOCK_RETRY: Duration = Duration::from_millis(50);

pub(crate) fn state_error(path: &Path, reason: impl std::fmt::Display) -> SdkError {
    SdkError::StateFile {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

impl StateFile {
    /// Waits for the lock on `path` (shared for [`Access::Read`], exclusive for [`Access::Write`]) while other
    /// commands hold it, and fails at once with [`SdkError::StateServed`] when a server holds it.
    pub fn lock(path: &Path, access: Access) -> Result<Self, SdkError> {
        loop {
            if let Some(state) = Self::try_lock(path, access)? {
                return Ok(state);
            }
            std::thread::sleep(LOCK_RETRY);
        }
    }

    /// Takes the lock on `path` if no other process holds it; `None` when another command does, and
    /// [`SdkError::StateServed`] when a server does.
    pub fn try_lock(path: &Path, access: Access) -> Result<Option<Self>, SdkError> {
        // A reader of a chain that is not there creates nothing, not even the lock file beside it.
        if access == Access::Read && !path.exists() {
            return Err(state_error(
                path,
                "does not exist: no saved chain to read (check the path, or create one with a command that writes)",
            ));
        }
        let (lock, lock_path) = Self::open_lock(path)?;
        let locked = match access {
            Access::Read => lock.try_lock_shared(),
            Access::Write => lock.try_lock(),
        };
        match locked {
            Ok(()) => {
                // Whoever holds the lock now, no server does: what a server left there is stale.
                if lock.metadata().is_ok_and(|m| m.len() > 0) {
                    lock.set_len(0).map_err(|e| {
                        state_error(path, format!("cannot clear {}: {e}", lock_path.display()))
                    })?;
                }
                Ok(Some(Self {
                    path: path.to_path_buf(),
                    access,
                    lock,
                }))
            }
            Err(std::fs::TryLockError::WouldBlock) => match Self::served_at(&lock_path) {
                Some(url) => Err(SdkError::StateServed {
                    path: path.to_path_buf(),
                    url,
                }),
                None => Ok(None),
            },
            Err(std::fs::TryLockError::Error(e)) => Err(state_error(
                path,
                format!("cannot lock {}: {e}", lock_path.display()),
            )),
        }
    }

    /// Writes into the lock file that this file is served at `url` (see [`StateFile`]). Needs the exclusive
    /// lock.
    pub fn announce_server(&self, url: &str) -> Result<(), SdkError> {
        if self.access != Access::Write {
            return Err(state_error(
                &self.path,
                "a server needs the file locked for writing",
            ));
        }
        let fail =
            |e: std::io::Error| state_error(&self.path, format!("cannot mark it served: {e}"));
        let mut file = &self.lock;
        file.set_len(0).map_err(fail)?;
        file.seek(std::io::SeekFrom::Start(0)).map_err(fail)?;
        file.write_all(format!("{SERVED_AT}{url}\n").as_bytes())
            .map_err(fail)?;
        file.sync_all().map_err(fail)
    }

    /// The URL a server announced in the lock file at `lock_path`, if any.
    fn served_at(lock_path: &Path) -> Option<String> {
        let text = std::fs::read_to_string(lock_path).ok()?;
        let url = text.strip_prefix(SERVED_AT)?.trim();
        (!url.is_empty()).then(|| url.to_string())
    }

    fn open_lock(path: &Path) -> Result<(File, PathBuf), SdkError> {
        let mut lock_path = path.as_os_str().to_owned();
        lock_path.push(".lock");
        let lock_path = PathBuf::from(lock_path);
        let lock = File::options()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&lock_path)
            .map_err(|e| {
                state_error(
                    path,
                    format!("cannot open its lock file {}: {e}", lock_path.display()),
                )
            })?;
        Ok((lock, lock_path))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn access(&self) -> Access {
        self.access
    }

    /// Starts the chain saved in the file, or a fresh chain when there is no file yet, at [`Pace::Fast`].
    pub async fn load(&self) -> Result<EmbeddedChain, SdkError> {
        self.load_paced(Pace::Fast).await
    }

    /// [`Self::load`], with blockhashes moving at `pace`.
    pub async fn load_paced(&self, pace: Pace) -> Result<EmbeddedChain, SdkError> {
        match std::fs::read(&self.path) {
            Ok(bytes) => {
                if bytes.is_empty() {
                    return Err(state_error(
                        &self.path,
                        "the file is empty (not a saved chain); move it aside to start a new chain",
                    ));
                }
                let saved: SavedChain = serde_json::from_slice(&bytes).map_err(|e| {
                    state_error(
                        &self.path,
                        format!(
                            "not a saved embedded chain ({e}); move it aside to start a new chain"
                        ),
                    )
                })?;
                EmbeddedChain::start_paced(&saved, pace)
                    .await
                    .map_err(|e| state_error(&self.path, format!("cannot be restored: {e}")))
            }
            // Only a command that writes starts a new chain; one that reads a chain that is not there would
            // read an empty one and report nothing as if it were the truth.
            Err(err) if err.kind() == std::io::ErrorKind::NotFound && self.access == Access::Write => {
                EmbeddedChain::start_paced(&SavedChain::default(), pace).await
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Err(state_error(
                &self.path,
                "does not exist: no saved chain to read (check the path, or create one with a command that writes)",
            )),
            Err(err) => Err(state_error(&self.path, format!("cannot be read: {err}"))),
        }
    }

    /// Saves `chain` atomically: written to a temporary file in the same folder, flushed to disk, then renamed
    /// over the old state, so that a crash or a full disk leaves the old file or the new one, never a part.
    pub async fn save(&self, chain: &EmbeddedChain) -> Result<(), SdkError> {
        if self.access != Access::Write {
            return Err(state_error(
                &self.path,
                "opened for reading only; not saved",
            ));
        }
        let saved = chain.export().await?;
        let bytes = serde_json::to_vec(&saved).map_err(|e| state_error(&self.path, e))?;
        let folder = match self.path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let fail = |what: &str, e: &dyn std::fmt::Display| {
            state_error(&self.path, format!("cannot be saved ({what}): {e}"))
        };
        let mut temporary = tempfile::Builder::new()
            .prefix(".pubspend-state-")
            .tempfile_in(&folder)
            .map_err(|e| fail("creating a temporary file", &e))?;
        temporary
            .write_all(&bytes)
            .map_err(|e| fail("writing", &e))?;
        temporary
            .as_file()
            .sync_all()
            .map_err(|e| fail("flushing to disk", &e))?;
        temporary
            .persist(&self.path)
            .map_err(|e| fail("renaming into place", &e.error))?;
        // The rename itself is durable only once the folder is flushed too (not possible on every platform).
        if let Ok(dir) = File::open(&folder) {
            let _ = dir.sync_all();
        }
        Ok(())
    }
}
