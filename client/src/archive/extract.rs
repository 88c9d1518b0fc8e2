//! Unpacking a tar archive from the engine onto the host (`cp` out of a
//! container), the way podman's copier puts it: entries go below one
//! directory, the first path component may be renamed (`cp c:/etc/hosts
//! ./h` writes `h`), files get the current user as owner, devices are
//! skipped, and nothing escapes the directory (no `..`, no absolute names,
//! no writing through a symlink that the archive or the host put there).

use std::collections::HashMap;
use std::fs;
use std::io::{self, Read};
use std::os::unix::fs::PermissionsExt;
use std::path::{Component, Path, PathBuf};

/// How to unpack.
#[derive(Debug, Clone, Default)]
pub struct PutOptions {
    /// `{old first component: new name}`.
    pub rename: HashMap<String, String>,
    /// Refuse to replace a directory by a non-directory and the reverse
    /// (podman's default; `--overwrite` allows it).
    pub no_overwrite_dir_non_dir: bool,
    /// Owner for everything written; `None` keeps the process's own.
    pub owner: Option<(u32, u32)>,
}

/// A failure while unpacking, naming the path.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("reading the archive: {0}")]
    Archive(io::Error),
    #[error("{}: {}", path.display(), crate::transport::io_reason(error))]
    Write { path: PathBuf, error: io::Error },
    #[error("refusing to unpack {name:?}: {reason}")]
    Unsafe { name: String, reason: &'static str },
    #[error("cannot overwrite {kind} {:?} with {other}", path.display())]
    Overwrite {
        path: PathBuf,
        kind: &'static str,
        other: &'static str,
    },
}

fn write_error(path: &Path) -> impl FnOnce(io::Error) -> ExtractError + '_ {
    move |error| ExtractError::Write {
        path: path.to_path_buf(),
        error,
    }
}

/// Unpacks `reader` below `dir` (which must exist).
pub fn put(dir: &Path, reader: impl Read, options: &PutOptions) -> Result<(), ExtractError> {
    let mut archive = tar::Archive::new(reader);
    // (path, mtime) of directories, set last so that adding files to them
    // does not change their times again.
    let mut directory_times = Vec::new();
    for entry in archive.entries().map_err(ExtractError::Archive)? {
        let mut entry = entry.map_err(ExtractError::Archive)?;
        let raw = entry.path().map_err(ExtractError::Archive)?.into_owned();
        let Some(relative) = safe_relative(&raw)? else {
            continue;
        };
        let relative = rename(&relative, &options.rename);
        let target = dir.join(&relative);
        check_parents(dir, &relative)?;
        let header = entry.header().clone();
        let mode = header.mode().map_err(ExtractError::Archive)? & 0o7777;
        let mtime = header.mtime().unwrap_or(0);
        let kind = header.entry_type();
        let existing = fs::symlink_metadata(&target).ok();
        let existing_is_dir = existing.as_ref().is_some_and(|m| m.is_dir());
        if options.no_overwrite_dir_non_dir && existing.is_some() {
            if existing_is_dir && !kind.is_dir() {
                return Err(ExtractError::Overwrite {
                    path: target,
                    kind: "directory",
                    other: "non-directory",
                });
            }
            if !existing_is_dir && kind.is_dir() {
                return Err(ExtractError::Overwrite {
                    path: target,
                    kind: "non-directory",
                    other: "directory",
                });
            }
        }
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(write_error(parent))?;
        }
        match kind {
            tar::EntryType::Directory => {
                if !existing_is_dir {
                    remove_existing(&target, existing.is_some())?;
                    fs::create_dir(&target).map_err(write_error(&target))?;
                }
                fs::set_permissions(&target, fs::Permissions::from_mode(mode))
                    .map_err(write_error(&target))?;
                chown(&target, options.owner)?;
                directory_times.push((target, mtime));
            }
            tar::EntryType::Regular | tar::EntryType::Continuous => {
                remove_existing(&target, existing_is_dir)?;
                let mut file = fs::File::create(&target).map_err(write_error(&target))?;
                io::copy(&mut entry, &mut file).map_err(|error| match error.kind() {
                    io::ErrorKind::UnexpectedEof | io::ErrorKind::InvalidData => {
                        ExtractError::Archive(error)
                    }
                    _ => write_error(&target)(error),
                })?;
                drop(file);
                fs::set_permissions(&target, fs::Permissions::from_mode(mode))
                    .map_err(write_error(&target))?;
                chown(&target, options.owner)?;
                set_mtime(&target, mtime);
            }
            tar::EntryType::Symlink => {
                let link = entry
                    .link_name()
                    .map_err(ExtractError::Archive)?
                    .unwrap_or_default()
                    .into_owned();
                remove_existing(&target, existing_is_dir)?;
                std::os::unix::fs::symlink(&link, &target).map_err(write_error(&target))?;
                lchown(&target, options.owner)?;
            }
            tar::EntryType::Link => {
                let link = entry
                    .link_name()
                    .map_err(ExtractError::Archive)?
                    .unwrap_or_default()
                    .into_owned();
                let Some(source) = safe_relative(&link)? else {
                    continue;
                };
                let source = dir.join(rename(&source, &options.rename));
                remove_existing(&target, existing_is_dir)?;
                fs::hard_link(&source, &target).map_err(write_error(&target))?;
            }
            // Devices, fifos and extended headers are not copied to the host.
            _ => {}
        }
    }
    for (path, mtime) in directory_times.into_iter().rev() {
        set_mtime(&path, mtime);
    }
    Ok(())
}

/// The entry's name as a safe relative path, `None` for the archive root.
fn safe_relative(name: &Path) -> Result<Option<PathBuf>, ExtractError> {
    let mut out = PathBuf::new();
    for component in name.components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            // Leading slashes are dropped, as tar does.
            Component::RootDir | Component::Prefix(_) => {}
            Component::ParentDir => {
                return Err(ExtractError::Unsafe {
                    name: name.display().to_string(),
                    reason: "the name contains \"..\"",
                })
            }
        }
    }
    Ok((!out.as_os_str().is_empty()).then_some(out))
}

/// Applies the rename map to the first component.
fn rename(relative: &Path, map: &HashMap<String, String>) -> PathBuf {
    let mut components = relative.components();
    let Some(first) = components.next() else {
        return relative.to_path_buf();
    };
    let first = first.as_os_str().to_string_lossy();
    let rest = components.as_path();
    match map.get(first.as_ref()) {
        // Joining an empty rest would add a trailing `/`.
        Some(new) if rest.as_os_str().is_empty() => PathBuf::from(new),
        Some(new) => Path::new(new).join(rest),
        None => relative.to_path_buf(),
    }
}

/// Refuses to write through a symlink between `dir` and the entry.
fn check_parents(dir: &Path, relative: &Path) -> Result<(), ExtractError> {
    let mut path = dir.to_path_buf();
    let mut components = relative.components().peekable();
    while let Some(component) = components.next() {
        if components.peek().is_none() {
            break;
        }
        path.push(component);
        if fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(ExtractError::Unsafe {
                name: relative.display().to_string(),
                reason: "a parent directory is a symbolic link",
            });
        }
    }
    Ok(())
}

fn remove_existing(path: &Path, is_dir: bool) -> Result<(), ExtractError> {
    let removed = if is_dir {
        fs::remove_dir_all(path)
    } else {
        fs::remove_file(path)
    };
    match removed {
        Err(error) if error.kind() != io::ErrorKind::NotFound => Err(write_error(path)(error)),
        _ => Ok(()),
    }
}

fn chown(path: &Path, owner: Option<(u32, u32)>) -> Result<(), ExtractError> {
    match owner {
        Some((uid, gid)) => {
            std::os::unix::fs::chown(path, Some(uid), Some(gid)).map_err(write_error(path))
        }
        None => Ok(()),
    }
}

fn lchown(path: &Path, owner: Option<(u32, u32)>) -> Result<(), ExtractError> {
    match owner {
        Some((uid, gid)) => {
            std::os::unix::fs::lchown(path, Some(uid), Some(gid)).map_err(write_error(path))
        }
        None => Ok(()),
    }
}

/// Sets a file's times like the archive says; best effort, as a time that
/// cannot be set is not worth failing a copy for (symlinks keep theirs).
fn set_mtime(path: &Path, mtime: u64) {
    let time = std::time::UNIX_EPOCH + std::time::Duration::from_secs(mtime);
    if let Ok(file) = fs::File::open(path) {
        let _ = file.set_times(fs::FileTimes::new().set_modified(time).set_accessed(time));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::write::TarWriter;

    fn archive_of(dir: &Path, name: &str) -> Vec<u8> {
        let mut writer = TarWriter::new(Vec::new());
        writer.append_path(&dir.join(name), name).unwrap();
        writer.finish().unwrap()
    }

    #[test]
    fn unpacks_trees_with_a_renamed_top() {
        let src = tempfile::tempdir().unwrap();
        fs::create_dir_all(src.path().join("d/sub")).unwrap();
        fs::write(src.path().join("d/sub/f"), "hello").unwrap();
        fs::set_permissions(
            src.path().join("d/sub/f"),
            fs::Permissions::from_mode(0o751),
        )
        .unwrap();
        std::os::unix::fs::symlink("sub/f", src.path().join("d/l")).unwrap();
        let bytes = archive_of(src.path(), "d");
        let dst = tempfile::tempdir().unwrap();
        let options = PutOptions {
            rename: HashMap::from([("d".to_string(), "e".to_string())]),
            ..Default::default()
        };
        put(dst.path(), &bytes[..], &options).unwrap();
        let f = dst.path().join("e/sub/f");
        assert_eq!(fs::read_to_string(&f).unwrap(), "hello");
        assert_eq!(
            fs::metadata(&f).unwrap().permissions().mode() & 0o777,
            0o751
        );
        assert_eq!(
            fs::read_link(dst.path().join("e/l")).unwrap(),
            Path::new("sub/f")
        );
    }

    #[test]
    fn refuses_to_replace_a_directory_by_a_file() {
        let src = tempfile::tempdir().unwrap();
        fs::write(src.path().join("x"), "file").unwrap();
        let bytes = archive_of(src.path(), "x");
        let dst = tempfile::tempdir().unwrap();
        fs::create_dir(dst.path().join("x")).unwrap();
        let options = PutOptions {
            no_overwrite_dir_non_dir: true,
            ..Default::default()
        };
        let err = put(dst.path(), &bytes[..], &options).unwrap_err();
        assert!(matches!(err, ExtractError::Overwrite { .. }), "{err}");
        put(dst.path(), &bytes[..], &PutOptions::default()).unwrap();
        assert_eq!(fs::read_to_string(dst.path().join("x")).unwrap(), "file");
    }

    #[test]
    fn nothing_escapes_the_directory() {
        let mut builder = tar::Builder::new(Vec::new());
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Symlink);
        header.set_size(0);
        header.set_mode(0o777);
        builder.append_link(&mut header, "evil", "/tmp").unwrap();
        let mut header = tar::Header::new_gnu();
        header.set_size(1);
        header.set_mode(0o644);
        builder
            .append_data(&mut header, "evil/x", &b"x"[..])
            .unwrap();
        let bytes = builder.into_inner().unwrap();
        let dst = tempfile::tempdir().unwrap();
        let err = put(dst.path(), &bytes[..], &PutOptions::default()).unwrap_err();
        assert!(matches!(err, ExtractError::Unsafe { .. }), "{err}");
        assert!(safe_relative(Path::new("a/../../b")).is_err());
        assert_eq!(
            safe_relative(Path::new("/abs/x")).unwrap(),
            Some(PathBuf::from("abs/x"))
        );
    }
}
