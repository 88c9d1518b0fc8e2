//! Where berth keeps its files on each host, as a pure function of the host
//! profile and the environment (so tests point everything at a temp dir by
//! setting `HOME` and the XDG variables).
//!
//! - config: machine configs (`$XDG_CONFIG_HOME/berth`, `%APPDATA%\berth`)
//! - data: image cache, machine disks, keys (`$XDG_DATA_HOME/berth`, `%LOCALAPPDATA%\berth`)
//! - runtime: sockets, pidfiles, event logs (`$XDG_RUNTIME_DIR/berth`; on macOS
//!   `/tmp/berth-UID`, because unix socket paths are limited to 104 bytes there)

use std::path::PathBuf;

use crate::host::{HostOs, HostProfile};

/// berth's three base directories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BerthDirs {
    pub config: PathBuf,
    pub data: PathBuf,
    pub runtime: PathBuf,
}

/// Failure to work out berth's directories.
#[derive(Debug, thiserror::Error)]
pub enum DirsError {
    #[error("cannot find the home directory: set {0}")]
    NoHome(&'static str),
}

impl BerthDirs {
    /// Resolves the directories for `profile`, reading variables through `env`
    /// and using `uid` where a per-user path is needed.
    pub fn resolve(
        profile: &HostProfile,
        env: &dyn Fn(&str) -> Option<String>,
        uid: u32,
    ) -> Result<Self, DirsError> {
        let var = |name: &str| env(name).filter(|value| !value.is_empty());
        match profile.os {
            HostOs::Windows => {
                let appdata = var("APPDATA").ok_or(DirsError::NoHome("APPDATA"))?;
                let local = var("LOCALAPPDATA").ok_or(DirsError::NoHome("LOCALAPPDATA"))?;
                let data = PathBuf::from(local).join("berth");
                Ok(BerthDirs {
                    config: PathBuf::from(appdata).join("berth"),
                    runtime: data.join("run"),
                    data,
                })
            }
            HostOs::Linux | HostOs::MacOs => {
                let home = var("HOME").ok_or(DirsError::NoHome("HOME"))?;
                let home = PathBuf::from(home);
                let config = var("XDG_CONFIG_HOME")
                    .map_or_else(|| home.join(".config"), PathBuf::from)
                    .join("berth");
                let data = var("XDG_DATA_HOME")
                    .map_or_else(|| home.join(".local/share"), PathBuf::from)
                    .join("berth");
                let runtime = match (profile.os, var("XDG_RUNTIME_DIR")) {
                    (HostOs::Linux, Some(dir)) => PathBuf::from(dir).join("berth"),
                    _ => PathBuf::from(format!("/tmp/berth-{uid}")),
                };
                Ok(BerthDirs {
                    config,
                    data,
                    runtime,
                })
            }
        }
    }

    /// The directories of the running process's host and environment.
    pub fn current() -> Result<Self, DirsError> {
        Self::resolve(
            &HostProfile::current(),
            &|name| std::env::var(name).ok(),
            current_uid(),
        )
    }
}

/// The uid of this process (0 where there are no uids).
#[cfg(unix)]
pub fn current_uid() -> u32 {
    // SAFETY: getuid has no preconditions and cannot fail.
    unsafe { libc::getuid() }
}

/// The uid of this process (0 where there are no uids).
#[cfg(not(unix))]
pub fn current_uid() -> u32 {
    0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::Arch;
    use std::collections::HashMap;

    fn resolve(os: HostOs, vars: &[(&str, &str)]) -> Result<BerthDirs, DirsError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let profile = HostProfile {
            os,
            arch: Arch::X86_64,
        };
        BerthDirs::resolve(&profile, &|name| vars.get(name).cloned(), 501)
    }

    #[test]
    fn linux_follows_xdg_and_falls_back_to_home() {
        let dirs = resolve(
            HostOs::Linux,
            &[("HOME", "/home/u"), ("XDG_RUNTIME_DIR", "/run/user/501")],
        )
        .unwrap();
        assert_eq!(dirs.config, PathBuf::from("/home/u/.config/berth"));
        assert_eq!(dirs.data, PathBuf::from("/home/u/.local/share/berth"));
        assert_eq!(dirs.runtime, PathBuf::from("/run/user/501/berth"));

        let dirs = resolve(
            HostOs::Linux,
            &[
                ("HOME", "/home/u"),
                ("XDG_CONFIG_HOME", "/c"),
                ("XDG_DATA_HOME", "/d"),
            ],
        )
        .unwrap();
        assert_eq!(dirs.config, PathBuf::from("/c/berth"));
        assert_eq!(dirs.data, PathBuf::from("/d/berth"));
        assert_eq!(dirs.runtime, PathBuf::from("/tmp/berth-501"));
    }

    #[test]
    fn macos_keeps_sockets_under_a_short_path() {
        let dirs = resolve(
            HostOs::MacOs,
            &[
                ("HOME", "/Users/u"),
                ("XDG_RUNTIME_DIR", "/var/folders/long/T"),
            ],
        )
        .unwrap();
        assert_eq!(dirs.config, PathBuf::from("/Users/u/.config/berth"));
        assert_eq!(dirs.runtime, PathBuf::from("/tmp/berth-501"));
    }

    #[test]
    fn windows_uses_appdata() {
        let dirs = resolve(
            HostOs::Windows,
            &[
                ("APPDATA", r"C:\Users\u\AppData\Roaming"),
                ("LOCALAPPDATA", r"C:\Users\u\AppData\Local"),
            ],
        )
        .unwrap();
        assert_eq!(
            dirs.config,
            PathBuf::from(r"C:\Users\u\AppData\Roaming").join("berth")
        );
        assert_eq!(
            dirs.data,
            PathBuf::from(r"C:\Users\u\AppData\Local").join("berth")
        );
    }

    #[test]
    fn missing_home_is_an_error_naming_the_variable() {
        let err = resolve(HostOs::Linux, &[]).unwrap_err();
        assert_eq!(err.to_string(), "cannot find the home directory: set HOME");
    }
}
