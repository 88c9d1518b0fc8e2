//! Pod commands side by side with `podman --remote` on the same real
//! service: listings, inspect, errors and exit codes, the lifecycle verbs
//! on twin pods (one driven by each client), `pod create` checked against
//! the pod podman creates from the same flags, and `pod logs`.

mod common;

use common::compare::{mask_ids, SideBySide};
use common::podman::BUSYBOX;

#[test]
fn pod_queries_match_podman() {
    let pair = SideBySide::start();
    // One shared namespace each: the engine lists several in no fixed order.
    pair.podman_ok(&[
        "pod", "create", "--name", "p1", "--label", "x=y", "--share", "net",
    ]);
    pair.podman_ok(&[
        "run", "-d", "--pod", "p1", "--name", "p1c", BUSYBOX, "sleep", "300",
    ]);
    pair.podman_ok(&["pod", "create", "--infra=false", "p2"]);
    pair.podman_ok(&[
        "run",
        "-d",
        "--pod",
        "p2",
        "--name",
        "p2c",
        BUSYBOX,
        "sh",
        "-c",
        "echo hello; sleep 300",
    ]);
    pair.podman_ok(&["pod", "create", "--share", "net", "p3"]);
    for args in [
        &["pod", "ps"][..],
        &["pod", "ls", "--no-trunc"],
        &["pod", "list", "--noheading", "--ctr-names", "--ctr-ids", "--ctr-status"],
        &["pod", "ps", "--no-trunc", "--ctr-ids"],
        &["pod", "ps", "--ns"],
        &["pod", "ps", "-q"],
        &["pod", "ps", "--format", "json"],
        &["pod", "ps", "--format", "{{.ID}} {{.Name}} {{.Status}} {{.Labels}} {{.NumberOfContainers}} {{.InfraID}} {{.Networks}} {{.Created}}"],
        &["pod", "ps", "--format", "table {{.Name}} {{.Labels}} {{.Cgroup}} {{.ContainerNames}}"],
        &["pod", "ps", "--sort", "name"],
        &["pod", "ps", "--sort", "id"],
        &["pod", "ps", "--sort", "number"],
        &["pod", "ps", "--sort", "status"],
        &["pod", "ps", "--sort", "bogus"],
        &["pod", "ps", "--filter", "name=p1"],
        &["pod", "ps", "-f", "label=x=y"],
        &["pod", "ps", "--filter", "status=running"],
        &["pod", "ps", "--filter", "bogus"],
        &["pod", "ps", "-q", "--format", "{{.ID}}"],
        &["pod", "ps", "--format", "{{.Nope}}"],
        &["pod", "inspect", "p1"],
        &["pod", "inspect", "p1", "p2"],
        &["pod", "inspect", "--format", "{{.Name}} {{.Labels}} {{.State}} {{.NumContainers}} {{.Id}}", "p1"],
        &["pod", "inspect", "nosuch"],
        &["pod", "inspect", "p1", "nosuch"],
        &["inspect", "--type", "pod", "p3"],
        &["pod", "exists", "p1"],
        &["pod", "exists", "nosuch"],
        &["pod", "exists"],
        &["pod", "top", "p2", "pid", "args"],
        &["pod", "top"],
        &["pod", "stats", "--no-stream", "--format", "{{.Pod}} {{.Name}}", "p2"],
        &["pod", "stats", "--no-stream", "-a", "p1"],
        &["pod", "stats", "--no-stream", "nosuch"],
        &["pod", "logs", "-c", "p2c", "p2"],
        &["pod", "logs", "--container", "p2c", "p2"],
        &["pod", "logs"],
        &["pod", "kill", "-s", "BOGUS", "p1"],
        &["pod", "create", "--name", "x", "y"],
        &["pod", "create", "z", "--share", "none"],
        &["pod", "create", "--infra=false", "-p", "8080:80", "z"],
        &["pod", "create", "--infra=false", "--share", "pid", "z"],
        &["pod", "create", "--name", "p1"],
        &["pod", "rm", "-t", "1", "p1"],
        &["pod", "prune"],
    ] {
        pair.assert_same(args);
    }
    for verb in ["start", "stop", "restart", "kill", "pause", "unpause", "rm"] {
        pair.assert_same(&["pod", verb]);
        pair.assert_same(&["pod", verb, "-a", "p1"]);
        pair.assert_same(&["pod", verb, "nosuch"]);
        pair.assert_same(&["pod", verb, "p3", "nosuch"]);
    }
}

#[test]
fn pod_lifecycle_matches_podman() {
    let pair = SideBySide::start();
    let create = [
        "pod",
        "create",
        "--name",
        "NAME",
        "--label",
        "team=x",
        "--hostname",
        "hosty",
        "--share",
        "ipc,net",
        "--exit-policy",
        "stop",
    ];
    pair.assert_twins(&create, "bp", "pp");
    let describe = |name: &str| {
        let mut shared: Vec<String> = pair
            .podman_ok(&[
                "pod",
                "inspect",
                "--format",
                "{{range .SharedNamespaces}}{{.}}\n{{end}}",
                name,
            ])
            .lines()
            .filter(|line| !line.is_empty())
            .map(String::from)
            .collect();
        shared.sort();
        let rest = mask_ids(&pair.podman_ok(&[
            "pod", "inspect", "--format",
            "{{.Labels}} {{.Hostname}} {{.ExitPolicy}} {{.State}} {{.NumContainers}} {{.CreateInfra}} {{.InfraConfig.HostNetwork}}",
            name,
        ]));
        format!("{shared:?} {rest}")
    };
    assert_eq!(describe("bp"), describe("pp"));
    assert!(
        describe("bp").starts_with("[\"ipc\", \"net\"] map[team:x] hosty stop"),
        "{}",
        describe("bp")
    );
    for name in ["bp", "pp"] {
        // Exits on SIGTERM, so stop and restart need not wait for a kill.
        pair.podman_ok(&[
            "create",
            "--pod",
            name,
            "--name",
            &format!("{name}-c"),
            BUSYBOX,
            "sh",
            "-c",
            "trap 'exit 0' TERM; sleep 300 & wait",
        ]);
    }
    for args in [
        &["pod", "start", "NAME"][..],
        &["pod", "start", "NAME"],
        &["pod", "pause", "NAME"],
        &[
            "pod",
            "ps",
            "--filter",
            "name=NAME",
            "--format",
            "{{.Name}} {{.Status}} {{.ContainerStatuses}}",
        ],
        &["pod", "unpause", "NAME"],
        &["pod", "unpause", "NAME"],
        &["pod", "restart", "NAME"],
        &["pod", "stop", "-t", "0", "NAME"],
        &["pod", "stop", "NAME"],
        &[
            "pod",
            "ps",
            "--filter",
            "name=NAME",
            "--format",
            "{{.Name}} {{.Status}}",
        ],
        &["pod", "start", "NAME"],
        &["pod", "kill", "-s", "TERM", "NAME"],
        &["pod", "rm", "NAME"],
        &["pod", "rm", "-f", "-t", "0", "NAME"],
        &["pod", "exists", "NAME"],
    ] {
        pair.assert_twins(args, "bp", "pp");
    }

    // Published ports and infra options reach the engine.
    let created = pair.berth(&[
        "pod",
        "create",
        "--name",
        "web",
        "-p",
        "127.0.0.1::80",
        "--infra-name",
        "web-infra",
        "--network",
        "podman",
        "--add-host",
        "db:10.0.0.5",
    ]);
    assert_eq!(created.code, Some(0), "{}", created.stderr);
    let infra = pair.podman_ok(&["pod", "inspect", "--format", "{{.InfraContainerID}}", "web"]);
    let infra = pair.podman_ok(&[
        "inspect",
        "--format",
        "{{.Name}} {{json .HostConfig.PortBindings}} {{.HostConfig.ExtraHosts}}",
        infra.trim(),
    ]);
    assert!(
        infra.starts_with("web-infra {\"80/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\""),
        "{infra}"
    );
    assert!(infra.contains("[db:10.0.0.5]"), "{infra}");

    // A pod without namespaces to share gets no infra container; --replace
    // replaces a pod; --pod-id-file records the id.
    let id_file = pair.env.path().join("pod.id");
    let id_file = id_file.to_str().expect("utf-8 path");
    let bare = pair.berth(&[
        "pod",
        "create",
        "--share",
        "none",
        "--pod-id-file",
        id_file,
        "bare",
    ]);
    assert_eq!(bare.code, Some(0), "{}", bare.stderr);
    assert_eq!(
        std::fs::read_to_string(id_file).expect("pod id file"),
        bare.stdout.trim()
    );
    assert_eq!(
        pair.podman_ok(&["pod", "inspect", "--format", "{{.NumContainers}}", "bare"]),
        "0\n"
    );
    let again = pair.berth(&["pod", "create", "--replace", "--name", "bare"]);
    assert_eq!(again.code, Some(0), "{}", again.stderr);
    assert_ne!(again.stdout, bare.stdout);
    assert_eq!(
        pair.podman_ok(&["pod", "inspect", "--format", "{{.NumContainers}}", "bare"]),
        "1\n"
    );

    // rm -f skips missing pods and removes the rest (podman's remote client
    // removes nothing then); prune removes stopped pods.
    let removed = pair.berth(&["pod", "rm", "-f", "nosuch", "bare"]);
    assert_eq!(
        (removed.code, removed.stdout.trim()),
        (Some(0), again.stdout.trim()),
        "{}",
        removed.stderr
    );
    pair.podman_ok(&["pod", "create", "--name", "stopped"]);
    pair.podman_ok(&["pod", "start", "stopped"]);
    pair.podman_ok(&["pod", "stop", "-t", "0", "stopped"]);
    let pruned = pair.berth(&["pod", "prune", "-f"]);
    assert_eq!(pruned.code, Some(0), "{}", pruned.stderr);
    let left = pair.podman_ok(&["pod", "ps", "--format", "{{.Name}}"]);
    assert_eq!(left, "web\n", "{}", pruned.stdout);
}

#[test]
fn pod_logs_merge_the_containers_logs() {
    let pair = SideBySide::start();
    pair.podman_ok(&["pod", "create", "--name", "chatty"]);
    let first = pair.podman_ok(&[
        "run",
        "-d",
        "--pod",
        "chatty",
        "--name",
        "one",
        BUSYBOX,
        "sh",
        "-c",
        "echo a1; sleep 1; echo a2; echo e1 >&2",
    ]);
    let second = pair.podman_ok(&[
        "run",
        "-d",
        "--pod",
        "chatty",
        "--name",
        "two",
        BUSYBOX,
        "sh",
        "-c",
        "sleep 0.5; echo b1",
    ]);
    for name in ["one", "two"] {
        pair.podman_ok(&["wait", name]);
    }
    let (one, two) = (&first.trim()[..12], &second.trim()[..12]);
    // Merged in time order: the lines sorted by their timestamps.
    let stamped = pair.berth(&["pod", "logs", "-t", "chatty"]);
    assert_eq!(stamped.code, Some(0), "{}", stamped.stderr);
    let mut times = Vec::new();
    let mut lines = Vec::new();
    for line in stamped.stdout.lines() {
        let mut parts = line.splitn(3, ' ');
        let (id, time, text) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        times.push(time.to_string());
        lines.push(format!("{id} {text}"));
    }
    let mut sorted_times = times.clone();
    sorted_times.sort_by_key(|time| {
        let (whole, fraction) = time
            .trim_end_matches('Z')
            .split_once('.')
            .unwrap_or((time, ""));
        (whole.to_string(), format!("{fraction:0<9}"))
    });
    assert_eq!(times, sorted_times, "{}", stamped.stdout);
    lines.sort();
    let mut expected = [
        format!("{one} a1"),
        format!("{one} a2"),
        format!("{two} b1"),
    ];
    expected.sort();
    assert_eq!(lines, expected);
    assert!(
        stamped.stderr.starts_with(&format!("{one} ")) && stamped.stderr.ends_with(" e1\n"),
        "{}",
        stamped.stderr
    );
    let logs = pair.berth(&["pod", "logs", "chatty"]);
    assert!(
        logs.stdout.contains(&format!("{one} a1\n"))
            && logs.stdout.contains(&format!("{two} b1\n")),
        "{}",
        logs.stdout
    );
    let named = pair.berth(&["pod", "logs", "-n", "--tail", "2", "-c", "one", "chatty"]);
    assert_eq!(
        (named.stdout.as_str(), named.stderr.as_str()),
        ("a2\n", "e1\n")
    );
    let named = pair.berth(&["pod", "logs", "--names", "chatty"]);
    assert!(
        named.stdout.contains("two b1\n") && named.stdout.contains("one a1\n"),
        "{}",
        named.stdout
    );
    let missing = pair.berth(&["pod", "logs", "nosuch"]);
    assert_eq!(missing.code, Some(125));
    assert_eq!(
        missing.stderr,
        "Error: no pod with name or ID nosuch found: no such pod\n"
    );
}

#[test]
fn run_and_create_join_pods_and_make_new_ones() {
    let pair = SideBySide::start();
    pair.podman_ok(&["pod", "create", "--name", "home", "--hostname", "homehost"]);
    for args in [
        &["run", "--rm", "--pod", "home", BUSYBOX, "hostname"][..],
        &["run", "--rm", "--pod", "nosuch", BUSYBOX, "true"],
        &["create", "--pod", "nosuch", BUSYBOX],
        &["create", "--pod", "new:", BUSYBOX],
        &["create", "--pod", "new:home", BUSYBOX],
        &["create", "--pod", "home", "--userns", "host", BUSYBOX],
    ] {
        pair.assert_same(args);
    }
    // Containers made by each client in one existing pod.
    let joined = pair.berth(&[
        "create", "--pod", "home", "--name", "bj", BUSYBOX, "sleep", "60",
    ]);
    assert_eq!(joined.code, Some(0), "{}", joined.stderr);
    pair.podman_ok(&[
        "create", "--pod", "home", "--name", "pj", BUSYBOX, "sleep", "60",
    ]);
    let home = pair.podman_ok(&["pod", "inspect", "--format", "{{.Id}}", "home"]);
    for name in ["bj", "pj"] {
        assert_eq!(
            pair.podman_ok(&["inspect", "--format", "{{.Pod}}", name]),
            home
        );
    }

    // `--pod new:NAME`: a new pod with the container's ports and
    // hostname, the same from both clients.
    let create = [
        "create",
        "--pod",
        "new:NAME",
        "-p",
        "127.0.0.1::80",
        "--hostname",
        "hosty",
        "--name",
        "NAME-c",
        BUSYBOX,
        "sleep",
        "60",
    ];
    pair.assert_twins(&create, "bnew", "pnew");
    let describe = |name: &str| {
        let pod = pair.podman_ok(&[
            "pod",
            "inspect",
            "--format",
            "{{.Name}} {{.Hostname}} {{.NumContainers}} {{.State}} {{len .InfraConfig.PortBindings}} {{.InfraConfig.HostNetwork}}",
            name,
        ]);
        let container = pair.podman_ok(&[
            "inspect",
            "--format",
            "{{.Config.Hostname}} {{len .HostConfig.PortBindings}}",
            &format!("{name}-c"),
        ]);
        format!(
            "{} | {}",
            pod.trim().replacen(name, "NAME", 1),
            container.trim()
        )
    };
    assert_eq!(describe("bnew"), describe("pnew"));
    assert_eq!(describe("bnew"), "NAME hosty 2 Created 1 false | hosty 0");
    pair.assert_twins(&["pod", "start", "NAME"], "bnew", "pnew");
    pair.assert_twins(
        &[
            "pod",
            "ps",
            "--filter",
            "name=NAME",
            "--format",
            "{{.Name}} {{.Status}} {{.NumberOfContainers}}",
        ],
        "bnew",
        "pnew",
    );
    // run joins a new pod too and reports the command's output.
    let ran = pair.assert_twins(
        &[
            "run",
            "--rm",
            "--pod",
            "new:NAME2",
            "--hostname",
            "h2",
            BUSYBOX,
            "hostname",
        ],
        "bran",
        "pran",
    );
    assert_eq!(ran.stdout, "h2\n");
}

#[test]
fn pod_create_resources_and_storage_match_podman() {
    let pair = SideBySide::start();
    let labels = pair.env.path().join("labels");
    std::fs::write(&labels, "from=file\nteam=file\n").expect("writing a label file");
    let labels = labels.to_str().expect("utf-8 path");
    let volume = pair.env.path().join("shared");
    std::fs::create_dir_all(&volume).expect("creating a volume dir");
    let bind = format!("{}:/shared:ro", volume.display());
    pair.podman_ok(&["create", "--name", "donor", "-v", "/data", BUSYBOX]);
    let create = [
        "pod",
        "create",
        "--name",
        "NAME",
        "--cpus",
        "1.5",
        "--cpuset-cpus",
        "0",
        "--cpu-shares",
        "512",
        "-m",
        "64m",
        "--label",
        "team=flag",
        "--label-file",
        labels,
        "--shm-size",
        "32m",
        "--sysctl",
        "net.ipv4.ping_group_range=0 0",
        "-v",
        &bind,
        "--volumes-from",
        "donor",
        "--security-opt",
        "label=disable",
        "--uts",
        "private",
        "--infra-command",
        "sleep 1000",
    ];
    pair.assert_twins(&create, "bres", "pres");
    let describe = |name: &str| {
        pair.podman_ok(&[
            "pod",
            "inspect",
            "--format",
            "{{.CPUPeriod}} {{.CPUQuota}} {{.CPUSetCPUs}} {{.MemoryLimit}} {{.Labels}} {{.Mounts}} {{.VolumesFrom}} {{.SecurityOpts}} {{.InfraConfig.PidNS}}",
            name,
        ])
    };
    assert_eq!(describe("bres"), describe("pres"));
    let described = describe("bres");
    assert!(
        described.starts_with("100000 150000 0 67108864 map[from:file team:flag]"),
        "{described}"
    );
    assert!(described.contains("/shared"), "{described}");
    let infra_command = |name: &str| {
        let infra = pair.podman_ok(&["pod", "inspect", "--format", "{{.InfraContainerID}}", name]);
        pair.podman_ok(&["inspect", "--format", "{{.Path}} {{.Args}}", infra.trim()])
    };
    assert_eq!(infra_command("bres"), infra_command("pres"));
    assert_eq!(infra_command("bres"), "sleep [1000]\n");
    for args in [
        &["pod", "create", "--memory", "bogus", "x"][..],
        &["pod", "create", "--label-file", "/nonexistent", "x"],
        &["pod", "create", "--volume", "relative:/x:bogus", "x"],
    ] {
        pair.assert_same(args);
    }
}

/// A block device the engine (on this machine) can stat, for the
/// per-device limits; `None` where there is none.
fn block_device() -> Option<String> {
    let mut names: Vec<String> = std::fs::read_dir("/sys/block")
        .ok()?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| format!("/dev/{name}"))
        .find(|path| std::path::Path::new(path).exists())
}

#[test]
fn pod_create_addresses_id_maps_and_block_io_match_podman() {
    let pair = SideBySide::start();
    let mut create = vec![
        "pod",
        "create",
        "--name",
        "NAME",
        "--blkio-weight",
        "300",
        "--cpuset-mems",
        "0",
        "-m",
        "64m",
        "--uidmap",
        "0:100000:5000",
        "--gidmap",
        "0:200000:5000",
    ];
    let device = block_device();
    let (read_bps, write_bps, weight) = match &device {
        Some(device) => (
            format!("{device}:1mb"),
            format!("{device}:2mb"),
            format!("{device}:200"),
        ),
        None => Default::default(),
    };
    if device.is_some() {
        create.extend([
            "--device-read-bps",
            read_bps.as_str(),
            "--device-write-bps",
            write_bps.as_str(),
            "--blkio-weight-device",
            weight.as_str(),
        ]);
    }
    pair.assert_twins(&create, "bblk", "pblk");
    let describe = |name: &str| {
        let pod = pair.podman_ok(&[
            "pod",
            "inspect",
            "--format",
            "{{.BlkioWeight}} {{.CPUSetMems}} {{.MemoryLimit}} {{.BlkioDeviceReadBps}} {{.InfraConfig.UserNS}}",
            name,
        ]);
        let infra = pair.podman_ok(&["pod", "inspect", "--format", "{{.InfraContainerID}}", name]);
        let maps = pair.podman_ok(&[
            "inspect",
            "--format",
            "{{json .HostConfig.IDMappings}}",
            infra.trim(),
        ]);
        format!("{pod}{maps}")
    };
    assert_eq!(describe("bblk"), describe("pblk"));
    let described = describe("bblk");
    assert!(described.starts_with("300 0 67108864"), "{described}");
    assert!(
        described.contains(r#"{"UidMap":["0:100000:5000"],"GidMap":["0:200000:5000"]}"#),
        "{described}"
    );

    // Static addresses: each client's pod gets its own, seen on the
    // running infra container.
    for (run, name, ip, mac) in [
        (true, "baddr", "10.88.0.201", "92:d0:c6:0a:29:01"),
        (false, "paddr", "10.88.0.202", "92:d0:c6:0a:29:02"),
    ] {
        let args = [
            "pod",
            "create",
            "--name",
            name,
            "--ip",
            ip,
            "--mac-address",
            mac,
        ];
        let created = if run {
            pair.berth(&args)
        } else {
            pair.podman(&args)
        };
        assert_eq!(created.code, Some(0), "{created:?}");
        pair.podman_ok(&["pod", "start", name]);
        let infra = pair.podman_ok(&["pod", "inspect", "--format", "{{.InfraContainerID}}", name]);
        let addresses = pair.podman_ok(&[
            "inspect",
            "--format",
            "{{.NetworkSettings.IPAddress}} {{.NetworkSettings.MacAddress}}",
            infra.trim(),
        ]);
        assert_eq!(addresses, format!("{ip} {mac}\n"), "{name}");
    }
    for args in [
        &["pod", "create", "--ip", "1.2.3.4.5", "x"][..],
        &["pod", "create", "--ip6", "fd00::1", "--infra=false", "x"],
        &["pod", "create", "--mac-address", "92:d0:c6:0a:29", "x"],
        &[
            "pod",
            "create",
            "--network",
            "host",
            "--mac-address",
            "92:d0:c6:0a:29:33",
            "x",
        ],
        &["pod", "create", "--uidmap", "0:1", "x"],
        &[
            "pod", "create", "--uidmap", "0:1:2", "--userns", "host", "x",
        ],
        &["pod", "create", "--blkio-weight-device", "/dev/x", "x"],
        &["pod", "create", "--device-read-bps", "/dev/x:fast", "x"],
    ] {
        pair.assert_same(args);
    }
}
