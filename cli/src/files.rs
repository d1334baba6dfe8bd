//! Files `pubspend` writes: whole or not at all.

use std::path::{Path, PathBuf};

use crate::{error::fail, error::CliResult};

/// Writes a whole file atomically (beside it, then renamed), so a reader never sees half a report.
pub fn write_file(path: &Path, bytes: &[u8]) -> CliResult<()> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if let Err(err) = std::fs::create_dir_all(&folder) {
        fail!("cannot create {}: {err}", folder.display());
    }
    let written = tempfile::NamedTempFile::new_in(&folder).and_then(|mut file| {
        std::io::Write::write_all(&mut file, bytes)?;
        file.persist(path).map_err(|e| e.error)?;
        Ok(())
    });
    match written {
        Ok(()) => Ok(()),
        Err(err) => fail!("cannot write {}: {err}", path.display()),
    }
}
