//! Per-machine qcow2 overlays on a shared base, and the few qcow2 header
//! fields berth reads itself: the virtual size and the backing-file name
//! (which is how `prune` knows, without any bookkeeping, which bases are used).

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cache::BaseImage;
use crate::error::{ImageError, Result};
use crate::DiskFormat;

const QCOW2_MAGIC: &[u8; 4] = b"QFI\xfb";
/// qemu limits backing-file names to 1023 bytes.
const MAX_BACKING_NAME: u32 = 1023;

/// Creates `dest` as a qcow2 overlay on `base` with a virtual size of
/// `size_bytes` (`qemu-img create -f qcow2 -F FORMAT -b BASE DEST SIZE`).
/// The overlay is sparse and takes well under a second.
pub fn create_overlay(base: &BaseImage, dest: &Path, size_bytes: u64) -> Result<()> {
    if size_bytes < base.virtual_size {
        return Err(ImageError::DiskTooSmall {
            requested: size_bytes,
            minimum: base.virtual_size,
            minimum_gib: base.virtual_size.div_ceil(1 << 30),
        });
    }
    let mut command = Command::new(qemu_img());
    command
        .args([
            "create",
            "-q",
            "-f",
            "qcow2",
            "-F",
            base.format.as_str(),
            "-b",
        ])
        .arg(&base.path)
        .arg(dest)
        .arg(size_bytes.to_string());
    run_qemu_img(command)
}

/// Grows a machine's disk to `size_bytes` (`qemu-img resize`); a size under
/// the current one is refused, since shrinking would cut off data.
pub fn grow_disk(disk: &Path, size_bytes: u64) -> Result<()> {
    let current = virtual_size(disk, DiskFormat::Qcow2)?;
    if size_bytes < current {
        return Err(ImageError::DiskTooSmall {
            requested: size_bytes,
            minimum: current,
            minimum_gib: current.div_ceil(1 << 30),
        });
    }
    if size_bytes == current {
        return Ok(());
    }
    let mut command = Command::new(qemu_img());
    command
        .args(["resize", "-q", "-f", "qcow2"])
        .arg(disk)
        .arg(size_bytes.to_string());
    run_qemu_img(command)
}

fn run_qemu_img(mut command: Command) -> Result<()> {
    let shown = format!("{command:?}");
    let output = command.output().map_err(|err| ImageError::QemuImg {
        command: shown.clone(),
        stderr: err.to_string(),
    })?;
    if !output.status.success() {
        return Err(ImageError::QemuImg {
            command: shown,
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_string(),
        });
    }
    Ok(())
}

/// `qemu-img`, or `$BERTH_QEMU_IMG` when set.
fn qemu_img() -> PathBuf {
    std::env::var_os("BERTH_QEMU_IMG").map_or_else(|| PathBuf::from("qemu-img"), PathBuf::from)
}

/// The virtual size of a disk image: a qcow2 header's size field, or a raw
/// file's length.
pub fn virtual_size(path: &Path, format: DiskFormat) -> Result<u64> {
    match format {
        DiskFormat::Raw => std::fs::metadata(path)
            .map(|m| m.len())
            .map_err(|err| ImageError::io("reading", path, err)),
        DiskFormat::Qcow2 => {
            let header = read_header(path)?;
            Ok(be_u64(&header[24..32]))
        }
    }
}

/// The backing file named in a qcow2 header, or `None` for a qcow2 without one.
/// A relative name is resolved against the overlay's directory, as qemu does.
pub fn backing_file(path: &Path) -> Result<Option<PathBuf>> {
    let header = read_header(path)?;
    let offset = be_u64(&header[8..16]);
    let length = u32::from_be_bytes([header[16], header[17], header[18], header[19]]);
    if offset == 0 || length == 0 {
        return Ok(None);
    }
    if length > MAX_BACKING_NAME {
        return Err(bad(path, "its backing-file name is too long"));
    }
    let mut file = File::open(path).map_err(|err| ImageError::io("opening", path, err))?;
    let mut name = vec![0u8; length as usize];
    file.seek(SeekFrom::Start(offset))
        .and_then(|_| file.read_exact(&mut name))
        .map_err(|err| ImageError::io("reading", path, err))?;
    let name =
        String::from_utf8(name).map_err(|_| bad(path, "its backing-file name is not UTF-8"))?;
    let backing = PathBuf::from(name);
    Ok(Some(if backing.is_absolute() {
        backing
    } else {
        path.parent().unwrap_or(Path::new(".")).join(backing)
    }))
}

/// The backing files of every `*.qcow2` under `dir` (searched recursively;
/// a missing `dir` has none). Unreadable files are skipped: an overlay being
/// written right now must not make `prune` fail.
pub fn backing_files_under(dir: &Path) -> BTreeSet<PathBuf> {
    let mut found = BTreeSet::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(kind) if kind.is_dir() => pending.push(path),
                Ok(_) if path.extension().is_some_and(|ext| ext == "qcow2") => {
                    if let Ok(Some(backing)) = backing_file(&path) {
                        found.insert(std::fs::canonicalize(&backing).unwrap_or(backing));
                    }
                }
                _ => {}
            }
        }
    }
    found
}

fn read_header(path: &Path) -> Result<[u8; 32]> {
    let mut file = File::open(path).map_err(|err| ImageError::io("opening", path, err))?;
    let mut header = [0u8; 32];
    file.read_exact(&mut header)
        .map_err(|_| bad(path, "it is shorter than a qcow2 header"))?;
    if &header[..4] != QCOW2_MAGIC {
        return Err(bad(path, "it does not start with the qcow2 magic"));
    }
    Ok(header)
}

fn be_u64(bytes: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(&bytes[..8]);
    u64::from_be_bytes(word)
}

fn bad(path: &Path, reason: &str) -> ImageError {
    ImageError::BadFile {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn qemu_img_available() -> bool {
        Command::new(qemu_img())
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    }

    #[test]
    fn overlay_names_its_base_and_has_the_requested_size() {
        if !qemu_img_available() {
            eprintln!("skipped: qemu-img is not installed");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let base_path = dir.path().join("base.qcow2");
        let status = Command::new("qemu-img")
            .args(["create", "-q", "-f", "qcow2"])
            .arg(&base_path)
            .arg("64M")
            .status()
            .unwrap();
        assert!(status.success());
        assert_eq!(
            virtual_size(&base_path, DiskFormat::Qcow2).unwrap(),
            64 << 20
        );
        assert_eq!(backing_file(&base_path).unwrap(), None);

        let base = BaseImage::for_tests(&base_path, DiskFormat::Qcow2, 64 << 20);
        let machines = dir.path().join("machines/m1");
        std::fs::create_dir_all(&machines).unwrap();
        let overlay = machines.join("disk.qcow2");
        create_overlay(&base, &overlay, 1 << 30).unwrap();
        assert_eq!(backing_file(&overlay).unwrap(), Some(base_path.clone()));
        assert_eq!(virtual_size(&overlay, DiskFormat::Qcow2).unwrap(), 1 << 30);
        let used = backing_files_under(&dir.path().join("machines"));
        assert_eq!(
            used.into_iter().collect::<Vec<_>>(),
            vec![base_path.canonicalize().unwrap()]
        );

        let err = create_overlay(&base, &machines.join("small.qcow2"), 1 << 20).unwrap_err();
        assert!(err.to_string().contains("at least 1 GiB"), "{err}");
    }

    #[test]
    fn raw_files_are_not_qcow2() {
        let dir = tempfile::tempdir().unwrap();
        let raw = dir.path().join("x.raw");
        std::fs::write(&raw, vec![0u8; 4096]).unwrap();
        assert!(backing_file(&raw)
            .unwrap_err()
            .to_string()
            .contains("qcow2 magic"));
        assert_eq!(virtual_size(&raw, DiskFormat::Raw).unwrap(), 4096);
    }
}
