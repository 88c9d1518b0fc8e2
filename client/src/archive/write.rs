//! Tar archives of host files, written synchronously (run it on a blocking
//! thread into a [`crate::body::BodyWriter`]): a build context directory
//! filtered by ignore patterns, single extra files (a Containerfile outside
//! the context, or one read from stdin), and host paths for `cp` (a file,
//! or a directory with or without its own name, renamed on the way).
//!
//! Entries are written in lexical order like Go's `filepath.WalkDir`, owned
//! by 0:0 (as podman's remote client writes contexts), hard links kept as
//! links; sockets, fifos and devices are skipped.

use std::collections::HashMap;
use std::fs::{self, File, Metadata};
use std::io::{self, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::ignore::PatternMatcher;

/// A failure while archiving, naming the file it happened on.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("{}: {}", path.display(), crate::transport::io_reason(error))]
    Read { path: PathBuf, error: io::Error },
    #[error("writing the archive: {0}")]
    Write(io::Error),
}

impl ArchiveError {
    fn read(path: &Path) -> impl FnOnce(io::Error) -> ArchiveError + '_ {
        move |error| ArchiveError::Read {
            path: path.to_path_buf(),
            error,
        }
    }
}

/// Writes tar entries; finish with [`TarWriter::finish`].
pub struct TarWriter<W: Write> {
    builder: tar::Builder<W>,
    /// (device, inode) of files with several links, and their first name.
    links: HashMap<(u64, u64), String>,
    /// Keep the files' owners (cp) instead of writing 0:0 (build contexts).
    keep_owners: bool,
}

impl<W: Write> TarWriter<W> {
    pub fn new(writer: W) -> Self {
        let mut builder = tar::Builder::new(writer);
        builder.mode(tar::HeaderMode::Complete);
        builder.follow_symlinks(false);
        TarWriter {
            builder,
            links: HashMap::new(),
            keep_owners: false,
        }
    }

    /// Keeps the files' uid/gid in the headers.
    pub fn keep_owners(mut self) -> Self {
        self.keep_owners = true;
        self
    }

    /// Adds everything below `root` (not `root` itself), names relative to
    /// it, skipping what `excludes` excludes. Excluded directories are still
    /// walked, since a later `!pattern` may re-include something in them.
    pub fn append_context(
        &mut self,
        root: &Path,
        excludes: &PatternMatcher,
    ) -> Result<(), ArchiveError> {
        self.walk(root, "", &mut |name| !excludes.excludes(name))
    }

    /// Adds the host path `path` (followed if it is a symlink; symlinks below
    /// it are kept as links) as `name`, recursively for a directory.
    pub fn append_path(&mut self, path: &Path, name: &str) -> Result<(), ArchiveError> {
        let metadata = fs::metadata(path).map_err(ArchiveError::read(path))?;
        self.append_entry(path, name, &metadata)?;
        if metadata.is_dir() {
            let prefix = format!("{name}/");
            self.walk(path, &prefix, &mut |_| true)?;
        }
        Ok(())
    }

    /// Adds the contents of directory `dir` (not the directory itself) at
    /// the top of the archive.
    pub fn append_dir_contents(&mut self, dir: &Path) -> Result<(), ArchiveError> {
        self.walk(dir, "", &mut |_| true)
    }

    /// Adds one regular file with `data` as its content.
    pub fn append_bytes(&mut self, name: &str, data: &[u8]) -> Result<(), ArchiveError> {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
        );
        self.builder
            .append_data(&mut header, name, data)
            .map_err(ArchiveError::Write)
    }

    /// Writes the end-of-archive marker and returns the writer.
    pub fn finish(self) -> Result<W, ArchiveError> {
        self.builder.into_inner().map_err(ArchiveError::Write)
    }

    /// Walks `dir` in lexical order, adding entries named `prefix + relative
    /// path` for which `include` (given the relative path) says yes.
    fn walk(
        &mut self,
        dir: &Path,
        prefix: &str,
        include: &mut dyn FnMut(&str) -> bool,
    ) -> Result<(), ArchiveError> {
        let mut entries: Vec<(String, PathBuf)> = fs::read_dir(dir)
            .map_err(ArchiveError::read(dir))?
            .map(|entry| {
                let entry = entry.map_err(ArchiveError::read(dir))?;
                Ok((
                    entry.file_name().to_string_lossy().into_owned(),
                    entry.path(),
                ))
            })
            .collect::<Result<_, ArchiveError>>()?;
        entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        for (file_name, path) in entries {
            let relative = format!("{prefix}{file_name}");
            let metadata = fs::symlink_metadata(&path).map_err(ArchiveError::read(&path))?;
            if include(&relative) {
                self.append_entry(&path, &relative, &metadata)?;
            }
            if metadata.is_dir() {
                self.walk(&path, &format!("{relative}/"), include)?;
            }
        }
        Ok(())
    }

    /// Adds one entry (no recursion) for `path`, described by `metadata`.
    fn append_entry(
        &mut self,
        path: &Path,
        name: &str,
        metadata: &Metadata,
    ) -> Result<(), ArchiveError> {
        let file_type = metadata.file_type();
        let mut header = tar::Header::new_gnu();
        header.set_metadata_in_mode(metadata, tar::HeaderMode::Complete);
        if !self.keep_owners {
            header.set_uid(0);
            header.set_gid(0);
        }
        if file_type.is_dir() {
            header.set_size(0);
            let name = format!("{}/", name.trim_end_matches('/'));
            self.builder
                .append_data(&mut header, name, io::empty())
                .map_err(ArchiveError::Write)
        } else if file_type.is_symlink() {
            let target = fs::read_link(path).map_err(ArchiveError::read(path))?;
            header.set_size(0);
            self.builder
                .append_link(&mut header, name, target)
                .map_err(ArchiveError::Write)
        } else if file_type.is_file() {
            let key = (metadata.dev(), metadata.ino());
            if metadata.nlink() > 1 {
                if let Some(first) = self.links.get(&key) {
                    header.set_entry_type(tar::EntryType::Link);
                    header.set_size(0);
                    let first = first.clone();
                    return self
                        .builder
                        .append_link(&mut header, name, first)
                        .map_err(ArchiveError::Write);
                }
            }
            let file = File::open(path).map_err(ArchiveError::read(path))?;
            let mut read_error = None;
            let reader = RecordingReader {
                inner: file,
                error: &mut read_error,
            };
            let appended = self.builder.append_data(&mut header, name, reader);
            if let Err(error) = appended {
                return Err(match read_error {
                    Some(error) => ArchiveError::read(path)(error),
                    None => ArchiveError::Write(error),
                });
            }
            if metadata.nlink() > 1 {
                self.links.insert(key, name.to_string());
            }
            Ok(())
        } else {
            // Sockets, fifos and devices have no place in a context.
            Ok(())
        }
    }
}

/// A reader that keeps its last error, so that a failed append can tell a
/// read error (of a source file) from a write error (of the archive).
struct RecordingReader<'a, R> {
    inner: R,
    error: &'a mut Option<io::Error>,
}

impl<R: io::Read> io::Read for RecordingReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf).inspect_err(|error| {
            *self.error = Some(io::Error::new(error.kind(), error.to_string()));
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(bytes: &[u8]) -> Vec<String> {
        let mut archive = tar::Archive::new(bytes);
        archive
            .entries()
            .unwrap()
            .map(|e| {
                let name = e.unwrap().path().unwrap().display().to_string();
                name.trim_end_matches('/').to_string()
            })
            .collect()
    }

    #[test]
    fn contexts_honour_excludes_and_exceptions() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("docs/keep")).unwrap();
        fs::write(root.join("Containerfile"), "FROM x\n").unwrap();
        fs::write(root.join("a.md"), "a").unwrap();
        fs::write(root.join("docs/x"), "x").unwrap();
        fs::write(root.join("docs/keep/y"), "y").unwrap();
        std::os::unix::fs::symlink("a.md", root.join("link")).unwrap();
        fs::hard_link(root.join("a.md"), root.join("z.md")).unwrap();
        let matcher = PatternMatcher::new(&["*.md", "docs", "!docs/keep", "!z.md"]).unwrap();
        let mut writer = TarWriter::new(Vec::new());
        writer.append_context(root, &matcher).unwrap();
        let bytes = writer.finish().unwrap();
        assert_eq!(
            names(&bytes),
            ["Containerfile", "docs/keep", "docs/keep/y", "link", "z.md"]
        );
        let mut archive = tar::Archive::new(&bytes[..]);
        for entry in archive.entries().unwrap() {
            let entry = entry.unwrap();
            assert_eq!(entry.header().uid().unwrap(), 0);
            if entry.path().unwrap().ends_with("link") {
                assert_eq!(entry.header().entry_type(), tar::EntryType::Symlink);
                assert_eq!(entry.link_name().unwrap().unwrap().to_str(), Some("a.md"));
            }
        }
    }

    #[test]
    fn hard_links_become_link_entries() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a"), "data").unwrap();
        fs::hard_link(dir.path().join("a"), dir.path().join("b")).unwrap();
        let mut writer = TarWriter::new(Vec::new());
        writer
            .append_context(dir.path(), &PatternMatcher::default())
            .unwrap();
        let bytes = writer.finish().unwrap();
        let mut archive = tar::Archive::new(&bytes[..]);
        let kinds: Vec<tar::EntryType> = archive
            .entries()
            .unwrap()
            .map(|e| e.unwrap().header().entry_type())
            .collect();
        assert_eq!(kinds, [tar::EntryType::Regular, tar::EntryType::Link]);
    }

    #[test]
    fn paths_are_added_under_their_new_name() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("src/sub")).unwrap();
        fs::write(dir.path().join("src/sub/f"), "f").unwrap();
        let mut writer = TarWriter::new(Vec::new());
        writer.append_path(&dir.path().join("src"), "dst").unwrap();
        writer.append_bytes("extra", b"hello").unwrap();
        let bytes = writer.finish().unwrap();
        assert_eq!(names(&bytes), ["dst", "dst/sub", "dst/sub/f", "extra"]);
    }

    #[test]
    fn unreadable_sources_name_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let mut writer = TarWriter::new(Vec::new());
        let err = writer
            .append_path(&dir.path().join("missing"), "x")
            .unwrap_err();
        assert!(err
            .to_string()
            .ends_with("missing: no such file or directory"));
    }
}
