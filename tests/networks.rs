//! Network commands side by side with `podman --remote` on the same real
//! service, and their effects (create, connect, disconnect, rm, prune)
//! checked with podman.

mod common;

use common::compare::SideBySide;
use common::podman::BUSYBOX;

#[test]
fn network_queries_match_podman() {
    let pair = SideBySide::start();
    pair.podman_ok(&[
        "network",
        "create",
        "--subnet",
        "10.89.50.0/24",
        "--gateway",
        "10.89.50.1",
        "--label",
        "a=b",
        "--internal",
        "n1",
    ]);
    pair.podman_ok(&["network", "create", "--disable-dns", "n2"]);
    for args in [
        &["network", "ls", "--filter", "name=n"][..],
        &["network", "ls", "--noheading", "--filter", "name=n"],
        &["network", "ls", "-q", "--filter", "name=n"],
        &["network", "ls", "--no-trunc", "--filter", "name=n"],
        &["network", "ls", "--format", "json", "--filter", "name=n"],
        &["network", "ls", "--filter", "name=n", "--format", "{{.ID}} {{.Name}} {{.Driver}} {{.Labels}} {{.Internal}} {{.DNSEnabled}} {{.NetworkInterface}} {{.IPAMOptions}}"],
        &["network", "ls", "--filter", "name=n", "--format", "table {{.Name}} {{.Labels}}"],
        &["network", "ls", "--filter", "label=a=b"],
        &["network", "ls", "--filter", "bogus"],
        &["network", "inspect", "n1"],
        &["network", "inspect", "n1", "n2"],
        &["network", "inspect", "--format", "{{.Name}} {{.ID}} {{.Driver}} {{.Labels}} {{.Internal}} {{.DNSEnabled}} {{.IPv6Enabled}} {{.NetworkInterface}} {{.IPAMOptions}}", "n1"],
        &["network", "inspect", "nosuch"],
        &["network", "inspect", "n1", "nosuch"],
        &["network", "inspect"],
        &["inspect", "--type", "network", "n2"],
        &["network", "exists", "n1"],
        &["network", "exists", "nosuch"],
        &["network", "rm", "nosuch"],
        &["network", "rm", "-f", "nosuch"],
        &["network", "rm", "-t", "1", "n1"],
        &["network", "create", "n1"],
        &["network", "create", "--gateway", "10.1.1.1", "x"],
        &["network", "create", "--subnet", "bogus", "x"],
        &["network", "create", "--subnet", "10.9.0.0/24", "--gateway", "10.9.0.1", "--gateway", "10.9.0.2", "x"],
        &["network", "create", "--ip-range", "10.9.0.0/25", "x"],
        &["network", "connect", "n1"],
        &["network", "connect", "nosuch", "nosuch"],
        &["network", "disconnect", "n1", "nosuch"],
        &["network", "prune"],
        &["network", "reload"],
    ] {
        pair.assert_same(args);
    }
}

#[test]
fn network_changes_are_made_as_podman_makes_them() {
    let pair = SideBySide::start();
    let create = [
        "network",
        "create",
        "--subnet",
        "SUBNET",
        "--gateway",
        "GATEWAY",
        "--ip-range",
        "RANGE",
        "--label",
        "team=x",
        "-o",
        "mtu=1400",
        "--internal",
        "--disable-dns",
        "NAME",
    ];
    let with = |subnet: &str| -> Vec<String> {
        create
            .iter()
            .map(|arg| match *arg {
                "SUBNET" => format!("10.89.{subnet}.0/24"),
                "GATEWAY" => format!("10.89.{subnet}.1"),
                "RANGE" => format!("10.89.{subnet}.128/25"),
                other => other.to_string(),
            })
            .collect()
    };
    let berth_args = with("61");
    let podman_args = with("62");
    let refs = |args: &Vec<String>, name: &str| -> Vec<String> {
        args.iter().map(|a| a.replace("NAME", name)).collect()
    };
    let b = refs(&berth_args, "bn");
    let created = pair.berth(&b.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(
        (created.code, created.stdout.as_str()),
        (Some(0), "bn\n"),
        "{}",
        created.stderr
    );
    let p = refs(&podman_args, "pn");
    pair.podman_ok(&p.iter().map(String::as_str).collect::<Vec<_>>());
    let inspect = |name: &str| {
        let text = pair.podman_ok(&["network", "inspect", name]);
        let mut value: serde_json::Value = serde_json::from_str(&text).expect("inspect json");
        let network = &mut value[0];
        for key in ["name", "id", "created", "network_interface", "subnets"] {
            network.as_object_mut().expect("object").remove(key);
        }
        value
    };
    assert_eq!(inspect("bn"), inspect("pn"));
    let subnets = pair.podman_ok(&["network", "inspect", "--format", "{{json .Subnets}}", "bn"]);
    assert!(
        subnets.contains("10.89.61.0/24")
            && subnets.contains("10.89.61.129")
            && subnets.contains("10.89.61.254"),
        "{subnets}"
    );

    // connect / disconnect, with an alias.
    pair.podman_ok(&["network", "create", "web"]);
    pair.podman_ok(&["run", "-d", "--name", "c1", BUSYBOX, "sleep", "300"]);
    let connected = pair.berth(&["network", "connect", "--alias", "www", "web", "c1"]);
    assert_eq!(connected.code, Some(0), "{}", connected.stderr);
    let networks = pair.podman_ok(&[
        "inspect",
        "--format",
        "{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.Aliases}} {{end}}",
        "c1",
    ]);
    assert!(networks.contains("web=[www"), "{networks}");
    pair.assert_same(&["network", "connect", "web", "c1"]);
    let disconnected = pair.berth(&["network", "disconnect", "web", "c1"]);
    assert_eq!(disconnected.code, Some(0), "{}", disconnected.stderr);
    let networks = pair.podman_ok(&[
        "inspect",
        "--format",
        "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}",
        "c1",
    ]);
    assert!(!networks.contains("web"), "{networks}");

    // rm of a network in use: exit 2; -f removes the container with it.
    pair.podman_ok(&["network", "connect", "web", "c1"]);
    let in_use = pair.berth(&["network", "rm", "web"]);
    assert_eq!(in_use.code, Some(2), "{in_use:?}");
    let forced = pair.berth(&["network", "rm", "-f", "-t", "0", "web"]);
    assert_eq!(
        (forced.code, forced.stdout.as_str()),
        (Some(0), "web\n"),
        "{}",
        forced.stderr
    );
    assert_eq!(pair.podman(&["container", "exists", "c1"]).code, Some(1));

    // prune -f removes the unused networks, not the default one.
    let pruned = pair.berth(&["network", "prune", "-f"]);
    assert_eq!(pruned.code, Some(0), "{}", pruned.stderr);
    let mut gone: Vec<&str> = pruned.stdout.lines().collect();
    gone.sort();
    assert_eq!(gone, ["bn", "pn"]);
    assert_eq!(pair.podman_ok(&["network", "ls", "-q"]), "podman\n");
}
