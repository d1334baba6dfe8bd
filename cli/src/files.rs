//! Files `pubspend` writes: whole or not at all, into a folder that exists, readable as any file a person saves.

use std::path::{Path, PathBuf};

use crate::{error::fail, error::CliResult};

/// Writes a whole file atomically (beside it, then renamed), so a reader never sees half a report. The folder
/// must exist, as `cp` requires: a mistyped path is refused, not created (as root, anywhere). The file is
/// created 0666 less the umask (0644 usually), like any file a program saves: reports and exports are made for
/// the public, not the 0600 of a temporary file.
pub fn write_file(path: &Path, bytes: &[u8]) -> CliResult<()> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !folder.is_dir() {
        fail!(
            "cannot write {}: no folder {} (create it first)",
            path.display(),
            folder.display()
        );
    }
    let mut builder = tempfile::Builder::new();
    builder.prefix(".pubspend-");
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let written = builder.tempfile_in(&folder).and_then(|mut file| {
        std::io::Write::write_all(&mut file, bytes)?;
        file.persist(path).map_err(|e| e.error)?;
        Ok(())
    });
    match written {
        Ok(()) => Ok(()),
        Err(err) => fail!("cannot write {}: {err}", path.display()),
    }
}

/// The sha256 of the document at `path` (named `name` in a schedule), or why it cannot be read.
pub fn document_hash(path: &Path, name: &str) -> Result<[u8; 32], String> {
    std::fs::read(path)
        .map(|bytes| solana_sha256_hasher::hash(&bytes).to_bytes())
        .map_err(|err| {
            format!("invoice {name:?} is neither a sha256 hash nor a readable file: {err}")
        })
}
