//! Config files shared with podman, changed safely: an exclusive lock on a
//! sibling `NAME.lock` file serializes writers, and the new contents replace
//! the file atomically (temp file, fsync, rename), so parallel writers lose
//! nothing and a crash never leaves half a file.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The directory of `path` (`.` for a bare file name).
pub fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Takes the exclusive lock for `path` (held until the file is dropped);
/// returns the lock file's path with the error.
pub fn lock(path: &Path) -> Result<File, (PathBuf, io::Error)> {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    let lock_path = parent_dir(path).join(name);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|error| (lock_path.clone(), error))?;
    file.lock().map_err(|error| (lock_path, error))?;
    Ok(file)
}

/// Replaces `path` with `contents` atomically; `mode` sets the new file's
/// permissions on unix (e.g. 0o600 for credentials).
pub fn replace(path: &Path, contents: &[u8], mode: Option<u32>) -> io::Result<()> {
    let mut temp_name = OsString::from(".");
    temp_name.push(path.file_name().unwrap_or_default());
    temp_name.push(format!(".tmp{}", std::process::id()));
    let temp = parent_dir(path).join(temp_name);
    let result = (|| {
        let mut options = OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        if let Some(mode) = mode {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(mode);
        }
        #[cfg(not(unix))]
        let _ = mode;
        let mut file = options.open(&temp)?;
        file.write_all(contents)?;
        file.sync_all()?;
        fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}
