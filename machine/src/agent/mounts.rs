//! The machine's volumes (`init -v HOST:GUEST[:ro]`): QEMU shares each host
//! directory over virtio-9p (`-virtfs`, tag `volN`, see
//! [`crate::qemu::argv`]), and the agent mounts them in the guest over SSH at
//! every start, before it announces the machine ready. Files keep the host
//! user's ownership on the host (`security_model=mapped-xattr`: QEMU creates
//! them as itself and keeps the guest's view of owner and mode in xattrs).

use crate::config::Mount;

use crate::ssh::as_root;

/// The 9p mount tag of the `index`th volume.
pub fn tag(index: usize) -> String {
    format!("vol{index}")
}

/// Quotes `text` for a POSIX shell.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// The shell commands (run as root) that mount every volume at its guest
/// path, creating the path first (on Fedora CoreOS `/` is immutable: it is
/// made mutable for the `mkdir` only).
pub fn mount_script(mounts: &[Mount]) -> String {
    let mut script = String::from("set -e\n");
    for (index, mount) in mounts.iter().enumerate() {
        let target = quote(&mount.target);
        let mut options = String::from("trans=virtio,version=9p2000.L,msize=524288,cache=mmap");
        if mount.read_only {
            options.push_str(",ro");
        }
        script.push_str(&format!(
            "if ! mountpoint -q {target}; then\n\
             \x20 if ! mkdir -p {target} 2>/dev/null && lsattr -d / 2>/dev/null | grep -q '^....i'; then chattr -i /; mkdir -p {target} || true; chattr +i /; fi\n\
             \x20 mount -t 9p -o {options} {tag} {target}\n\
             fi\n",
            tag = tag(index)
        ));
    }
    script
}

/// The whole command for a session as `user`.
pub fn mount_command(user: &str, mounts: &[Mount]) -> String {
    as_root(user, &mount_script(mounts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_volume_is_mounted_by_its_tag() {
        let mounts = [
            Mount {
                source: "/home/u".into(),
                target: "/home/u".into(),
                read_only: false,
            },
            Mount {
                source: "/src".into(),
                target: "/mnt/it's".into(),
                read_only: true,
            },
        ];
        let script = mount_script(&mounts);
        assert!(script.contains(
            "mount -t 9p -o trans=virtio,version=9p2000.L,msize=524288,cache=mmap vol0 '/home/u'\n"
        ));
        assert!(
            script.contains("cache=mmap,ro vol1 '/mnt/it'\\''s'\n"),
            "{script}"
        );
        assert!(
            script.contains("if ! mkdir -p '/home/u' 2>/dev/null && lsattr"),
            "{script}"
        );
        // Valid shell for a real sh.
        let out = std::process::Command::new("sh")
            .arg("-n")
            .arg("-c")
            .arg(&script)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(mount_command("core", &mounts).starts_with("sudo -n sh -c '"));
        assert_eq!(mount_command("root", &mounts), script);
    }
}
