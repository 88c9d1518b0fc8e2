//! Ignition (spec 3.2.0) for a machine's first boot, shaped like podman
//! machine's: the guest user with the host's uid and root, both with berth's
//! key; linger and podman.socket for root and the user; the docker.sock
//! tmpfiles link; the time zone; the SSH host key berth pins; the unit that
//! mounts the machine's volumes at boot ([`crate::agent::mounts`]); and the
//! unit that writes `Ready` to the virtio-serial port the agent listens on,
//! after the volumes are mounted (relaying the mount script's report first).
//!
//! Unlike podman machine, no `/etc/containers/podman-machine` marker: with
//! it the guest's podman asks gvproxy (`gateway.containers.internal`) to
//! expose every published port and fails the container's start without
//! one. berth runs no gvproxy; its agent forwards the ports instead.

use serde::Serialize;

use crate::agent::mounts;
use crate::config::Mount;

/// The virtio-serial port name the guest writes `Ready` to.
pub const READY_PORT: &str = "org.fedoraproject.port.0";

/// The default guest user, as on Fedora CoreOS.
pub const DEFAULT_USER: &str = "core";

/// What the generated config needs to know.
#[derive(Debug, Clone)]
pub struct IgnitionOptions<'a> {
    /// The guest user (`--username`).
    pub username: &'a str,
    pub uid: u32,
    /// berth's user key, as an OpenSSH public key line.
    pub authorized_key: &'a str,
    /// The guest's SSH host key: OpenSSH private key text and public line.
    pub host_key_private: &'a str,
    pub host_key_public: &'a str,
    pub rootful: bool,
    /// A zoneinfo name such as `Europe/Berlin` (already resolved from `local`).
    pub timezone: Option<&'a str>,
    /// The machine's volumes, mounted at boot before `Ready`.
    pub mounts: &'a [Mount],
}

/// The unit that mounts the volumes at boot.
pub const VOLUMES_UNIT: &str = "berth-volumes.service";

/// Where the Ignition config puts the volume mount script.
pub const VOLUMES_SCRIPT: &str = "/etc/berth/mount-volumes";

/// An Ignition config (the parts berth writes).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Config {
    pub ignition: Version,
    pub passwd: Passwd,
    pub storage: Storage,
    pub systemd: Systemd,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Version {
    pub version: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Passwd {
    pub users: Vec<User>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<u32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ssh_authorized_keys: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub should_exist: Option<bool>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Storage {
    pub directories: Vec<Directory>,
    pub files: Vec<File>,
    pub links: Vec<Link>,
}

/// The owner of a file, directory or link, by name.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Owner {
    pub name: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Directory {
    pub path: String,
    pub user: Owner,
    pub group: Owner,
    pub mode: u32,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct File {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<Owner>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<Owner>,
    pub overwrite: bool,
    pub contents: Contents,
    pub mode: u32,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Contents {
    pub source: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Link {
    pub path: String,
    pub user: Owner,
    pub group: Owner,
    pub overwrite: bool,
    pub hard: bool,
    pub target: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Systemd {
    pub units: Vec<Unit>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Unit {
    pub name: String,
    pub enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contents: Option<String>,
}

fn owner(name: &str) -> Owner {
    Owner {
        name: name.to_string(),
    }
}

fn file(path: &str, user: &str, mode: u32, overwrite: bool, contents: &str) -> File {
    File {
        path: path.to_string(),
        user: Some(owner(user)),
        group: Some(owner(user)),
        overwrite,
        contents: Contents {
            source: data_url(contents),
        },
        mode,
    }
}

fn link(path: &str, target: &str, overwrite: bool) -> Link {
    Link {
        path: path.to_string(),
        user: owner("root"),
        group: owner("root"),
        overwrite,
        hard: false,
        target: target.to_string(),
    }
}

/// Encodes text as an RFC 2397 `data:` URL, percent-encoding everything but
/// unreserved characters and `/`.
pub fn data_url(text: &str) -> String {
    let mut url = String::with_capacity(6 + text.len() * 3 / 2);
    url.push_str("data:,");
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            url.push(byte as char);
        } else {
            url.push_str(&format!("%{byte:02X}"));
        }
    }
    url
}

/// The docker.sock tmpfiles line: `/run/docker.sock` links to the podman
/// socket the machine serves (root's or the user's).
pub fn docker_tmpfiles_line(rootful: bool, uid: u32) -> String {
    format!(
        "L+  /run/docker.sock   -    -    -     -   {}\n",
        crate::config::guest_podman_socket(rootful, uid)
    )
}

/// The unit that tells the host the guest has booted: it writes `Ready` to
/// the virtio-serial port once the network is up and sshd and the podman
/// sockets are (it pulls in the user's manager, so that the rootless socket
/// is ordered too), so that SSH answers right after `Ready`. It only
/// `Wants` the port's device (a slow emulated boot can outlast the device
/// job's timeout, which would fail a `Requires`) and waits for the port node.
/// With volumes, it also runs after the unit that mounts them (which fails
/// softly: `Ready` comes all the same) and sends that unit's report lines
/// before `Ready`.
pub fn ready_unit(uid: u32, volumes: bool) -> String {
    let device = format!("dev-virtio\\x2dports-{READY_PORT}.device");
    let port = format!("/dev/virtio-ports/{READY_PORT}");
    // Also wait (at most 2 minutes) for a default route: a guest whose
    // network-online.target does not wait for the network would otherwise
    // report Ready while SSH cannot reach it. `$$` is systemd's `$`.
    let network = "n=0; until ip -4 route show default | grep -q . || [ $$n -ge 600 ]; \
                   do n=$$((n + 1)); sleep 0.2; done; ";
    let (volume_deps, announce) = if volumes {
        (
            format!("Wants={VOLUMES_UNIT}\nAfter={VOLUMES_UNIT}\n"),
            format!(
                "{{ [ -r {report} ] && while IFS= read -r line; do echo \"$$line\"; done <{report}; \
                 /usr/bin/echo Ready; }} >{port}",
                report = mounts::REPORT_PATH
            ),
        )
    } else {
        (String::new(), format!("/usr/bin/echo Ready >{port}"))
    };
    format!(
        "[Unit]\n\
         Description=Tell the host that the machine is ready\n\
         Wants={device}\n\
         After={device}\n\
         Wants=network-online.target\n\
         After=network-online.target\n\
         After=sshd.service ssh.service sshd.socket systemd-user-sessions.service\n\
         Wants=user@{uid}.service\n\
         After=podman.socket user@{uid}.service\n\
         {volume_deps}\
         [Service]\n\
         Type=oneshot\n\
         RemainAfterExit=yes\n\
         TimeoutStartSec=0\n\
         ExecStart=/bin/sh -c 'until [ -e {port} ]; do sleep 0.2; done; {network}{announce}'\n\
         [Install]\n\
         RequiredBy=default.target\n"
    )
}

/// The oneshot unit that runs the volume mount script at boot. It may fail
/// (a volume that cannot be mounted), but never hangs the boot: a mount
/// that does not return is given up after a while, and the ready unit only
/// orders itself after this one.
pub fn volumes_unit() -> String {
    format!(
        "[Unit]\n\
         Description=Mount the volumes berth shares with this machine\n\
         After=local-fs.target\n\
         [Service]\n\
         Type=oneshot\n\
         RemainAfterExit=yes\n\
         TimeoutStartSec=120\n\
         ExecStart=/bin/sh {VOLUMES_SCRIPT} {report}\n\
         [Install]\n\
         WantedBy=default.target\n",
        report = mounts::REPORT_PATH
    )
}

/// Builds the machine's Ignition config.
pub fn generate(options: &IgnitionOptions<'_>) -> Config {
    let user = options.username;
    let is_core = user == DEFAULT_USER;
    let home = format!("/home/{user}");

    let mut users = Vec::new();
    if !is_core {
        // Fedora CoreOS would otherwise also create `core`.
        users.push(User {
            name: DEFAULT_USER.to_string(),
            should_exist: Some(false),
            ..User::default()
        });
    }
    users.push(User {
        name: user.to_string(),
        uid: Some(options.uid),
        groups: if is_core {
            Vec::new()
        } else {
            ["sudo", "adm", "wheel", "systemd-journal"]
                .map(String::from)
                .to_vec()
        },
        ssh_authorized_keys: vec![options.authorized_key.to_string()],
        ..User::default()
    });
    users.push(User {
        name: "root".to_string(),
        ssh_authorized_keys: vec![options.authorized_key.to_string()],
        ..User::default()
    });

    // Ignition creates intermediate directories as root: list each level.
    let directories = [
        ".config",
        ".config/containers",
        ".config/systemd",
        ".config/systemd/user",
    ]
    .iter()
    .map(|dir| Directory {
        path: format!("{home}/{dir}"),
        user: owner(user),
        group: owner(user),
        mode: 0o755,
    })
    .collect();

    // Keep the subordinate ids clear of the user's own uid.
    let sub_count = 1_000_000;
    let sub_start = if (100_000..100_000 + sub_count).contains(&options.uid) {
        options.uid + 1
    } else {
        100_000
    };
    let subids = format!("{user}:{sub_start}:{sub_count}\n");

    let mut files = vec![
        file(
            &format!("/var/lib/systemd/linger/{user}"),
            "root",
            0o644,
            true,
            "",
        ),
        file(
            &format!("{home}/.config/containers/containers.conf"),
            user,
            0o644,
            false,
            "[containers]\nnetns=\"bridge\"\npids_limit=0\n",
        ),
        file("/etc/subuid", "root", 0o644, true, &subids),
        file("/etc/subgid", "root", 0o644, true, &subids),
        file(
            "/etc/tmpfiles.d/podman-docker.conf",
            "root",
            0o644,
            true,
            &docker_tmpfiles_line(options.rootful, options.uid),
        ),
    ];
    if !options.host_key_private.is_empty() {
        files.push(file(
            "/etc/ssh/ssh_host_ed25519_key",
            "root",
            0o600,
            true,
            options.host_key_private,
        ));
        files.push(file(
            "/etc/ssh/ssh_host_ed25519_key.pub",
            "root",
            0o644,
            true,
            &format!("{}\n", options.host_key_public.trim_end()),
        ));
    }

    let mut links = vec![
        link(
            "/etc/systemd/user/sockets.target.wants/podman.socket",
            "/usr/lib/systemd/user/podman.socket",
            true,
        ),
        link("/usr/local/bin/docker", "/usr/bin/podman", true),
    ];
    if let Some(zone) = options.timezone.filter(|zone| !zone.is_empty()) {
        links.push(link(
            "/etc/localtime",
            &format!("../usr/share/zoneinfo/{zone}"),
            true,
        ));
    }

    let volumes = !options.mounts.is_empty();
    if volumes {
        files.push(file(
            VOLUMES_SCRIPT,
            "root",
            0o755,
            true,
            &mounts::mount_script(&mounts::tagged(options.mounts)),
        ));
    }

    let mut units = vec![
        Unit {
            name: "podman.socket".to_string(),
            enabled: true,
            contents: None,
        },
        Unit {
            // Automatic OS updates would reboot the machine under the user.
            name: "zincati.service".to_string(),
            enabled: false,
            contents: None,
        },
        Unit {
            name: "ready.service".to_string(),
            enabled: true,
            contents: Some(ready_unit(options.uid, volumes)),
        },
    ];
    if volumes {
        units.push(Unit {
            name: VOLUMES_UNIT.to_string(),
            enabled: true,
            contents: Some(volumes_unit()),
        });
    }

    Config {
        ignition: Version {
            version: "3.2.0".to_string(),
        },
        passwd: Passwd { users },
        storage: Storage {
            directories,
            files,
            links,
        },
        systemd: Systemd { units },
    }
}

impl Config {
    /// The config as JSON text.
    pub fn to_json(&self) -> String {
        // Serialising plain structs of strings, numbers and bools cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn options() -> IgnitionOptions<'static> {
        IgnitionOptions {
            username: "core",
            uid: 1000,
            authorized_key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA7ZmU8x4a9xVuS2o2H1r2ZMaJm0Qfd7u8Ak0d1QJXq3 user",
            host_key_private: "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n",
            host_key_public: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA7ZmU8x4a9xVuS2o2H1r2ZMaJm0Qfd7u8Ak0d1QJXq3 host",
            rootful: false,
            timezone: Some("Europe/Berlin"),
            mounts: &[],
        }
    }

    /// The shell command of the ready unit's `ExecStart=/bin/sh -c '...'`.
    fn ready_command(unit: &str) -> &str {
        unit.lines()
            .find_map(|line| line.strip_prefix("ExecStart=/bin/sh -c '"))
            .and_then(|rest| rest.strip_suffix('\''))
            .unwrap()
    }

    fn with_mounts() -> Vec<Mount> {
        crate::agent::mounts::tests::mounts().to_vec()
    }

    #[test]
    fn data_urls_percent_encode() {
        assert_eq!(data_url(""), "data:,");
        assert_eq!(data_url("a b\n/x=1"), "data:,a%20b%0A/x%3D1");
    }

    #[test]
    fn core_user_root_and_ready_unit() {
        let config = generate(&options());
        let json: serde_json::Value = serde_json::from_str(&config.to_json()).unwrap();
        assert_eq!(json["ignition"]["version"], "3.2.0");
        let users = json["passwd"]["users"].as_array().unwrap();
        assert_eq!(users.len(), 2);
        assert_eq!(users[0]["name"], "core");
        assert_eq!(users[0]["uid"], 1000);
        assert_eq!(users[1]["name"], "root");
        assert_eq!(users[1]["sshAuthorizedKeys"][0], options().authorized_key);
        let files = json["storage"]["files"].as_array().unwrap();
        let paths: Vec<&str> = files.iter().map(|f| f["path"].as_str().unwrap()).collect();
        assert!(!paths.contains(&"/etc/containers/podman-machine"));
        for want in [
            "/var/lib/systemd/linger/core",
            "/etc/tmpfiles.d/podman-docker.conf",
            "/etc/ssh/ssh_host_ed25519_key",
        ] {
            assert!(paths.contains(&want), "{want} missing from {paths:?}");
        }
        let key = files
            .iter()
            .find(|f| f["path"] == "/etc/ssh/ssh_host_ed25519_key")
            .unwrap();
        assert_eq!(key["mode"], 0o600);
        let units = json["systemd"]["units"].as_array().unwrap();
        let ready = units.iter().find(|u| u["name"] == "ready.service").unwrap();
        assert!(ready["contents"]
            .as_str()
            .unwrap()
            .contains("/usr/bin/echo Ready >/dev/virtio-ports/org.fedoraproject.port.0"));
        let links = json["storage"]["links"].as_array().unwrap();
        assert!(links.iter().any(|l| l["path"] == "/etc/localtime"
            && l["target"] == "../usr/share/zoneinfo/Europe/Berlin"));
    }

    #[test]
    fn the_ready_command_is_valid_shell_once_systemd_unescapes_it() {
        for volumes in [false, true] {
            let unit = ready_unit(1000, volumes);
            let exec = ready_command(&unit);
            assert!(exec.contains("ip -4 route show default"), "{exec}");
            crate::shell_check::assert_valid_sh(&exec.replace("$$", "$"));
            assert_eq!(unit.contains("After=berth-volumes.service"), volumes);
        }
    }

    /// The relay part of the ready command, run by a real sh: report
    /// lines first, then `Ready`, all to the port.
    #[test]
    fn the_ready_command_relays_the_volume_report() {
        let dir = tempfile::tempdir().unwrap();
        let report = dir.path().join("report");
        let port = dir.path().join("port");
        std::fs::write(&report, "berth-volume vol0 failed 9p: no such tag\n").unwrap();
        let unit = ready_unit(1000, true);
        let exec = ready_command(&unit);
        let relay = exec
            .rsplit_once("done; ")
            .unwrap()
            .1
            .replace("$$", "$")
            .replace(mounts::REPORT_PATH, report.to_str().unwrap())
            .replace(
                "/dev/virtio-ports/org.fedoraproject.port.0",
                port.to_str().unwrap(),
            );
        let out = std::process::Command::new("sh")
            .args(["-c", &relay])
            .output()
            .unwrap();
        assert!(out.status.success(), "{relay}: {out:?}");
        assert_eq!(
            std::fs::read_to_string(&port).unwrap(),
            "berth-volume vol0 failed 9p: no such tag\nReady\n"
        );
    }

    #[test]
    fn volumes_are_mounted_by_a_unit_before_ready() {
        assert!(!serde_json::to_string(&generate(&options()))
            .unwrap()
            .contains("berth-volumes"));
        let mounts = with_mounts();
        let mut opts = options();
        opts.mounts = &mounts;
        let config = generate(&opts);
        let script = config
            .storage
            .files
            .iter()
            .find(|f| f.path == VOLUMES_SCRIPT)
            .unwrap();
        assert_eq!(script.mode, 0o755);
        assert_eq!(
            script.contents.source,
            data_url(&mounts::mount_script(&mounts::tagged(&mounts)))
        );
        let unit = config
            .systemd
            .units
            .iter()
            .find(|u| u.name == VOLUMES_UNIT)
            .unwrap();
        assert!(unit.enabled);
        let contents = unit.contents.as_deref().unwrap();
        assert!(
            contents.contains("ExecStart=/bin/sh /etc/berth/mount-volumes /run/berth-volumes\n"),
            "{contents}"
        );
        let ready = config
            .systemd
            .units
            .iter()
            .find(|u| u.name == "ready.service")
            .unwrap();
        assert!(ready
            .contents
            .as_deref()
            .unwrap()
            .contains("After=berth-volumes.service"));
    }

    #[test]
    fn another_user_replaces_core_and_rootful_moves_docker_sock() {
        let mut opts = options();
        opts.username = "dev";
        opts.rootful = true;
        let config = generate(&opts);
        assert_eq!(config.passwd.users[0].name, "core");
        assert_eq!(config.passwd.users[0].should_exist, Some(false));
        assert_eq!(config.passwd.users[1].name, "dev");
        assert!(config.passwd.users[1].groups.contains(&"wheel".to_string()));
        let docker = config
            .storage
            .files
            .iter()
            .find(|f| f.path == "/etc/tmpfiles.d/podman-docker.conf")
            .unwrap();
        assert!(docker
            .contents
            .source
            .ends_with("/run/podman/podman.sock%0A"));
    }

    /// Runs Debian's `ignition-validate` (package `ignition`) on every shape
    /// of config berth generates.
    #[test]
    fn passes_ignition_validate() {
        let Ok(status) = std::process::Command::new("ignition-validate")
            .arg("--version")
            .output()
        else {
            eprintln!("skipping: ignition-validate not installed (apt-get install ignition)");
            return;
        };
        assert!(status.status.success());
        let dir = tempfile::tempdir().unwrap();
        let mut other_user = options();
        other_user.username = "dev";
        other_user.rootful = true;
        other_user.timezone = None;
        let mut no_host_key = options();
        no_host_key.host_key_private = "";
        let mounts = with_mounts();
        let mut volumes = options();
        volumes.mounts = &mounts;
        for (i, opts) in [options(), other_user, no_host_key, volumes]
            .iter()
            .enumerate()
        {
            let path = dir.path().join(format!("{i}.ign"));
            std::fs::write(&path, generate(opts).to_json()).unwrap();
            let out = std::process::Command::new("ignition-validate")
                .arg(&path)
                .output()
                .unwrap();
            assert!(
                out.status.success() && out.stdout.is_empty() && out.stderr.is_empty(),
                "ignition-validate rejected config {i}: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}
