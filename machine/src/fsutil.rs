//! File primitives the machine layer relies on for "loses nothing": atomic
//! writes (write a sibling temp file, sync, rename over the target) and
//! advisory whole-file locks that the OS releases when their holder dies, so
//! a crash can never leave a lock behind.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically: readers see the old or the new
/// contents, never a mix. `mode` sets the unix permissions (ignored elsewhere).
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let file_name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{file_name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut file = create_with_mode(&temp, mode)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// Creates (truncating) `path` with unix permissions `mode` from the start,
/// so a secret is never readable by others even briefly.
pub fn create_with_mode(path: &Path, mode: u32) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let file = options.open(path)?;
    #[cfg(unix)]
    {
        // An existing file keeps its old mode through open(2): set it.
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(mode))?;
    }
    Ok(file)
}

/// An exclusive advisory lock on a file, held until dropped (or until the
/// holding process dies).
#[derive(Debug)]
pub struct FileLock {
    file: File,
    path: PathBuf,
}

impl FileLock {
    fn open(path: &Path) -> io::Result<File> {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
    }

    /// Waits until the lock on `path` is free and takes it.
    pub fn acquire(path: &Path) -> io::Result<Self> {
        let file = Self::open(path)?;
        file.lock()?;
        Ok(FileLock {
            file,
            path: path.to_path_buf(),
        })
    }

    /// Takes the lock on `path` if nobody holds it; `Ok(None)` if someone does.
    pub fn try_acquire(path: &Path) -> io::Result<Option<Self>> {
        let file = Self::open(path)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(FileLock {
                file,
                path: path.to_path_buf(),
            })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(err)) => Err(err),
        }
    }

    /// Whether some live process holds the lock on `path` (a missing file
    /// means nobody does). Does not create the file.
    pub fn is_held(path: &Path) -> io::Result<bool> {
        let file = match OpenOptions::new().read(true).write(true).open(path) {
            Ok(file) => file,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(false),
            Err(err) => return Err(err),
        };
        match file.try_lock() {
            Ok(()) => Ok(false),
            Err(TryLockError::WouldBlock) => Ok(true),
            Err(TryLockError::Error(err)) => Err(err),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The locked file itself (e.g. to write a pid into it).
    pub fn file(&self) -> &File {
        &self.file
    }
}

/// The pid of the process holding a POSIX (fcntl) lock on `path`, as QEMU
/// holds its `-pidfile` for as long as it runs. `None` if nobody does or the
/// file is missing.
#[cfg(unix)]
pub fn posix_lock_holder(path: &Path) -> io::Result<Option<u32>> {
    use std::os::fd::AsRawFd;
    let file = match OpenOptions::new().read(true).write(true).open(path) {
        Ok(file) => file,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(err),
    };
    // SAFETY: flock is plain data; zeroed is a valid "whole file" request.
    let mut request: libc::flock = unsafe { std::mem::zeroed() };
    request.l_type = libc::F_WRLCK as _;
    request.l_whence = libc::SEEK_SET as _;
    // SAFETY: F_GETLK fills `request`, which lives for the call.
    let rc = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_GETLK, &mut request) };
    if rc < 0 {
        return Err(io::Error::last_os_error());
    }
    if request.l_type == libc::F_UNLCK as libc::c_short || request.l_pid <= 0 {
        Ok(None)
    } else {
        Ok(Some(request.l_pid as u32))
    }
}

/// Blocks until nobody holds a POSIX lock on `path` (its holder exited).
#[cfg(unix)]
pub fn wait_posix_lock_free(path: &Path) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let file = match OpenOptions::new().read(true).write(true).open(path) {
        Ok(file) => file,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(err) => return Err(err),
    };
    // SAFETY: as in posix_lock_holder; F_SETLKW waits for the lock.
    let mut request: libc::flock = unsafe { std::mem::zeroed() };
    request.l_type = libc::F_WRLCK as _;
    request.l_whence = libc::SEEK_SET as _;
    loop {
        // SAFETY: `request` lives for the call.
        let rc = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_SETLKW, &mut request) };
        if rc == 0 {
            return Ok(());
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
}

/// Removes `path`, treating "already gone" as success.
pub fn remove_if_exists(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(err) if err.kind() != io::ErrorKind::NotFound => Err(err),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_contents_and_sets_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/file.json");
        write_atomic(&path, b"one", 0o600).unwrap();
        write_atomic(&path, b"two", 0o600).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let leftovers: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("file.json")]);
    }

    #[test]
    fn a_held_lock_is_seen_and_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.lock");
        assert!(!FileLock::is_held(&path).unwrap());
        let lock = FileLock::acquire(&path).unwrap();
        assert!(FileLock::is_held(&path).unwrap());
        assert!(FileLock::try_acquire(&path).unwrap().is_none());
        drop(lock);
        assert!(!FileLock::is_held(&path).unwrap());
        assert!(FileLock::try_acquire(&path).unwrap().is_some());
    }
}
