//! Published container ports on the host. The agent follows the guest
//! engine's container events over the kept SSH session (no polling): after
//! each start, stop, death or removal it lists the running containers and
//! reconciles the host side with the ports they publish.
//!
//! - TCP: a host listener on 127.0.0.1 (or the address the container asked
//!   for) per port; each connection becomes an SSH `direct-tcpip` channel to
//!   the same port on the guest's loopback, where podman listens.
//! - UDP: QEMU's user network forwards the port (QMP `hostfwd_add`).
//!
//! A host port that another program holds is reported once as a warning
//! event naming the container, and retried at the next change. berth's
//! client asks for these warnings over the agent's control socket right
//! after it starts a container ([`PortService::warnings_for`]), so the user
//! sees them on stderr.

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::{Mutex, Notify};
use tokio::task::JoinHandle;

use super::engine::{self, JsonLines, API_PREFIX};
use super::events::EventKind;
use super::{emit, log, Events};
use crate::qemu::qmp::Qmp;
use crate::qemu::NETDEV_ID;
use crate::ssh::preopen::Preopened;
use crate::ssh::splice::splice_channel;
use crate::ssh::{GuestStream, KeptSession};

/// A forwarded port's transport protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Protocol {
    Tcp,
    Udp,
}

impl Protocol {
    fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
        }
    }
}

/// One host port to forward: where the host listens. The guest side is the
/// same port on the guest's loopback (TCP) or its user-network address (UDP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PortKey {
    pub protocol: Protocol,
    pub host_ip: IpAddr,
    pub port: u16,
}

impl std::fmt::Display for PortKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let address = SocketAddr::new(self.host_ip, self.port);
        write!(f, "{address}/{}", self.protocol.as_str())
    }
}

/// The host address for a published port's `host_ip`: every address in the
/// guest means the host's loopback (a machine is not exposed to the network
/// unless asked for).
fn host_ip(text: &str) -> Option<IpAddr> {
    match text {
        "" | "0.0.0.0" | "::" => Some(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        other => other.parse().ok(),
    }
}

/// A running container, as the engine lists it, with the pod it belongs
/// to (empty when none): a pod's ports are published by its infra
/// container and shared by every container in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Container {
    pub id: String,
    pub name: String,
    pub pod_id: String,
    pub pod_name: String,
}

/// Whether `target` (a name, an id or an id's prefix, as a user types it)
/// names the object with this `name` and `id`.
fn names(target: &str, name: &str, id: &str) -> bool {
    !target.is_empty() && (name == target || (!id.is_empty() && id.starts_with(target)))
}

impl Container {
    /// Whether `target` names this container.
    pub fn is(&self, target: &str) -> bool {
        names(target, &self.name, &self.id)
    }

    /// Whether `target` names this container or the pod it is in.
    pub fn is_or_in(&self, target: &str) -> bool {
        self.is(target) || names(target, &self.pod_name, &self.pod_id)
    }

    /// What the user calls the owner of this container's ports.
    fn owner(&self) -> String {
        if self.pod_id.is_empty() {
            format!("container {}", self.name)
        } else {
            format!("pod {}", self.pod_name)
        }
    }
}

/// The running containers (from libpod's `containers/json`).
pub fn running(containers: &Value) -> Vec<Container> {
    containers
        .as_array()
        .into_iter()
        .flatten()
        .map(|container| {
            let text = |field: &str| container[field].as_str().unwrap_or_default().to_string();
            let id = text("Id");
            let name = container["Names"][0].as_str().unwrap_or(&id).to_string();
            let pod_id = text("Pod");
            let pod_name = match text("PodName") {
                name if name.is_empty() => pod_id.chars().take(12).collect(),
                name => name,
            };
            Container {
                id,
                name,
                pod_id,
                pod_name,
            }
        })
        .collect()
}

/// The ports that running containers publish (from libpod's
/// `containers/json`), each with a container that asks for it.
pub fn wanted(containers: &Value) -> BTreeMap<PortKey, Container> {
    let mut wanted = BTreeMap::new();
    for (container, asker) in containers
        .as_array()
        .into_iter()
        .flatten()
        .zip(running(containers))
    {
        for mapping in container["Ports"].as_array().into_iter().flatten() {
            let Some(first) = mapping["host_port"]
                .as_u64()
                .and_then(|port| u16::try_from(port).ok())
                .filter(|port| *port != 0)
            else {
                continue;
            };
            let range = mapping["range"].as_u64().unwrap_or(1).max(1);
            let Some(host_ip) = host_ip(mapping["host_ip"].as_str().unwrap_or_default()) else {
                continue;
            };
            let protocols = mapping["protocol"].as_str().unwrap_or("tcp");
            for protocol in protocols.split(',') {
                let protocol = match protocol.trim() {
                    "" | "tcp" => Protocol::Tcp,
                    "udp" => Protocol::Udp,
                    _ => continue,
                };
                for offset in 0..range {
                    let Ok(port) = u16::try_from(u64::from(first) + offset) else {
                        break;
                    };
                    wanted
                        .entry(PortKey {
                            protocol,
                            host_ip,
                            port,
                        })
                        .or_insert_with(|| asker.clone());
                }
            }
        }
    }
    wanted
}

/// The wanted ports of the container or pod `target` names among
/// `running`: a container's own and, when it is in a pod, the pod's (which
/// the engine lists under whichever of the pod's containers came first).
pub fn ports_of<'a>(
    running: &[Container],
    wanted: &'a BTreeMap<PortKey, Container>,
    target: &str,
) -> Vec<(&'a PortKey, &'a Container)> {
    let pods: Vec<&str> = running
        .iter()
        .filter(|container| container.is_or_in(target) && !container.pod_id.is_empty())
        .map(|container| container.pod_id.as_str())
        .collect();
    wanted
        .iter()
        .filter(|(_, asker)| asker.is_or_in(target) || pods.contains(&asker.pod_id.as_str()))
        .collect()
}

/// Whether an engine event can change which ports are published.
fn changes_ports(event: &Value) -> bool {
    let action = event["status"]
        .as_str()
        .or_else(|| event["Action"].as_str())
        .or_else(|| event["Status"].as_str())
        .unwrap_or_default();
    matches!(
        action,
        "start" | "restart" | "unpause" | "died" | "stop" | "kill" | "remove" | "cleanup"
    )
}

/// An open forward.
enum Active {
    /// The accept loop (it owns the listener).
    Tcp(JoinHandle<()>),
    Udp,
}

/// The host side of every published port.
pub struct Forwarder {
    kept: Arc<KeptSession>,
    qmp: Option<Arc<Qmp>>,
    events: Events,
    active: HashMap<PortKey, Active>,
    /// Ports that could not be opened (reported once each), and why.
    failed: HashMap<PortKey, String>,
}

impl Drop for Forwarder {
    fn drop(&mut self) {
        for (_, active) in self.active.drain() {
            if let Active::Tcp(task) = active {
                task.abort();
            }
        }
    }
}

impl Forwarder {
    pub fn new(kept: Arc<KeptSession>, qmp: Option<Arc<Qmp>>, events: Events) -> Self {
        Forwarder {
            kept,
            qmp,
            events,
            active: HashMap::new(),
            failed: HashMap::new(),
        }
    }

    /// Opens the wanted forwards that are not open and closes the others.
    pub async fn reconcile(&mut self, wanted: &BTreeMap<PortKey, Container>) {
        let stale: Vec<PortKey> = self
            .active
            .keys()
            .filter(|key| !wanted.contains_key(key))
            .copied()
            .collect();
        for key in stale {
            if let Some(active) = self.active.remove(&key) {
                self.close(key, active).await;
            }
        }
        self.failed.retain(|key, _| wanted.contains_key(key));
        for (key, container) in wanted {
            if self.active.contains_key(key) {
                continue;
            }
            match self.open(*key).await {
                Ok(active) => {
                    log(format_args!(
                        "forwarding {key} for container {}",
                        container.name
                    ));
                    self.failed.remove(key);
                    self.active.insert(*key, active);
                }
                Err(reason) => {
                    if self.failed.insert(*key, reason).is_none() {
                        emit(
                            &self.events,
                            EventKind::Warning {
                                message: self.failure(*key, container),
                            },
                        );
                    }
                }
            }
        }
    }

    /// What to tell the user about a port that is not forwarded.
    fn failure(&self, key: PortKey, container: &Container) -> String {
        let reason = self.failed.get(&key).map_or("", String::as_str);
        format!(
            "port {key} of {} is not forwarded to the host: {reason}",
            container.owner()
        )
    }

    /// The warnings for the ports of `target` (see [`ports_of`]) that are
    /// not forwarded, after a [`Forwarder::reconcile`] with `wanted`.
    pub fn failures_of(
        &self,
        running: &[Container],
        wanted: &BTreeMap<PortKey, Container>,
        target: &str,
    ) -> Vec<String> {
        ports_of(running, wanted, target)
            .into_iter()
            .filter(|(key, _)| self.failed.contains_key(key))
            .map(|(key, asker)| self.failure(*key, asker))
            .collect()
    }

    /// The forwards open now.
    pub fn active(&self) -> Vec<PortKey> {
        let mut keys: Vec<PortKey> = self.active.keys().copied().collect();
        keys.sort();
        keys
    }

    async fn open(&self, key: PortKey) -> Result<Active, String> {
        match key.protocol {
            Protocol::Tcp => {
                let listener = TcpListener::bind(SocketAddr::new(key.host_ip, key.port))
                    .await
                    .map_err(|err| match err.kind() {
                        std::io::ErrorKind::AddrInUse => format!(
                            "{} is already in use by another program on the host; \
                             publish the container's port on another host port (-p OTHER:{})",
                            SocketAddr::new(key.host_ip, key.port),
                            key.port
                        ),
                        _ => format!(
                            "listening on {}: {err}",
                            SocketAddr::new(key.host_ip, key.port)
                        ),
                    })?;
                Ok(Active::Tcp(tokio::spawn(serve_tcp(
                    listener,
                    self.kept.clone(),
                    key.port,
                ))))
            }
            Protocol::Udp => {
                let qmp = self
                    .qmp
                    .as_ref()
                    .ok_or_else(|| "QEMU's monitor is not connected".to_string())?;
                let rule = format!("udp:{}:{}-:{}", key.host_ip, key.port, key.port);
                let output = qmp
                    .human_command(&format!("hostfwd_add {NETDEV_ID} {rule}"))
                    .await
                    .map_err(|err| err.to_string())?;
                if output.trim().is_empty() {
                    Ok(Active::Udp)
                } else {
                    Err(format!(
                        "{} (is the port already in use on the host?)",
                        output.trim()
                    ))
                }
            }
        }
    }

    async fn close(&self, key: PortKey, active: Active) {
        log(format_args!("no longer forwarding {key}"));
        match active {
            Active::Tcp(task) => {
                task.abort();
                // The listener is closed once the aborted task is dropped.
                let _ = task.await;
            }
            Active::Udp => {
                if let Some(qmp) = &self.qmp {
                    let rule = format!("udp:{}:{}", key.host_ip, key.port);
                    if let Err(err) = qmp
                        .human_command(&format!("hostfwd_remove {NETDEV_ID} {rule}"))
                        .await
                    {
                        log(format_args!("removing the UDP forward {key}: {err}"));
                    }
                }
            }
        }
    }
}

/// Accepts connections on a forwarded port and splices each with a
/// `direct-tcpip` channel to the same port on the guest's loopback.
async fn serve_tcp(listener: TcpListener, kept: Arc<KeptSession>, port: u16) {
    loop {
        let (mut local, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(err) => {
                log(format_args!("accepting on port {port}: {err}"));
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let _ = local.set_nodelay(true);
        let kept = kept.clone();
        tokio::spawn(async move {
            match kept.open_tcpip("127.0.0.1", port, peer).await {
                Ok(channel) => {
                    let _ = splice_channel(&mut local, GuestStream::new(channel)).await;
                }
                Err(err) => log(format_args!(
                    "forwarding a connection to port {port}: {err}"
                )),
            }
        });
    }
}

/// Percent-encodes a query value.
fn query_value(text: &str) -> String {
    text.bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
                (byte as char).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect()
}

/// The running containers and the ports they want, listed on a new channel.
async fn list(
    channels: &Preopened,
) -> Result<(Vec<Container>, BTreeMap<PortKey, Container>), String> {
    let stream = channels.open().await.map_err(|err| err.to_string())?;
    let path = format!("{API_PREFIX}/containers/json?pod=true");
    let containers = engine::get_json(stream, &path)
        .await
        .map_err(|err| err.to_string())?;
    Ok((running(&containers), wanted(&containers)))
}

/// The published-port forwards of a running machine: kept in step with the
/// engine's events ([`PortService::follow`]) and asked about by berth's
/// client ([`PortService::warnings_for`]).
pub struct PortService {
    /// Channels to the guest's podman socket (the API socket's).
    channels: Arc<Preopened>,
    forwarder: Mutex<Forwarder>,
    /// Notified after every reconciliation that an engine event caused.
    reconciled: Notify,
}

impl PortService {
    pub fn new(channels: Arc<Preopened>, forwarder: Forwarder) -> Self {
        PortService {
            channels,
            forwarder: Mutex::new(forwarder),
            reconciled: Notify::new(),
        }
    }

    /// Lists the containers, reconciles the forwards with them and returns
    /// the running ones and the ports they want.
    async fn reconcile(&self) -> Result<(Vec<Container>, BTreeMap<PortKey, Container>), String> {
        let mut forwarder = self.forwarder.lock().await;
        let (running, wanted) = list(&self.channels).await?;
        forwarder.reconcile(&wanted).await;
        Ok((running, wanted))
    }

    /// The warnings for the published ports of the container or pod
    /// `target` names that cannot be forwarded (e.g. another program holds
    /// the host port), from a reconciliation made now. When nothing it
    /// names is running, waits up to `wait` for it to start (the client
    /// asks before an attached `run` starts it); then there is nothing to
    /// warn about.
    pub async fn warnings_for(&self, target: &str, wait: Duration) -> Result<Vec<String>, String> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let reconciled = self.reconciled.notified();
            tokio::pin!(reconciled);
            reconciled.as_mut().enable();
            let (running, wanted) = self.reconcile().await?;
            if running.iter().any(|container| container.is_or_in(target)) {
                let forwarder = self.forwarder.lock().await;
                return Ok(forwarder.failures_of(&running, &wanted, target));
            }
            if tokio::time::timeout_at(deadline, reconciled).await.is_err() {
                return Ok(Vec::new());
            }
        }
    }

    /// Follows the engine's container events for the agent's lifetime and
    /// keeps the forwards in step; after a dropped session it subscribes
    /// again and reconciles with the containers running then.
    pub async fn follow(self: Arc<Self>) {
        let events_path = format!(
            "{API_PREFIX}/events?stream=true&filters={}",
            query_value(r#"{"type":["container"]}"#)
        );
        let mut backoff = Duration::from_millis(200);
        loop {
            let followed: Result<(), String> = async {
                let stream = self.channels.open().await.map_err(|err| err.to_string())?;
                // Subscribed before listing: no change falls between the two.
                let mut events = JsonLines::open(stream, &events_path)
                    .await
                    .map_err(|err| err.to_string())?;
                self.reconcile().await?;
                self.reconciled.notify_waiters();
                backoff = Duration::from_millis(200);
                while let Some(event) = events.next().await.map_err(|err| err.to_string())? {
                    if changes_ports(&event) {
                        self.reconcile().await?;
                        self.reconciled.notify_waiters();
                    }
                }
                Err("the event stream ended".to_string())
            }
            .await;
            if let Err(reason) = followed {
                log(format_args!(
                    "following the engine's events: {reason}; again in {} ms",
                    backoff.as_millis()
                ));
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(5));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key(protocol: Protocol, ip: &str, port: u16) -> PortKey {
        PortKey {
            protocol,
            host_ip: ip.parse().unwrap(),
            port,
        }
    }

    #[test]
    fn wanted_ports_cover_addresses_ranges_and_protocols() {
        let containers = json!([
            {"Id": "a1", "Names": ["web"], "Ports": [
                {"host_ip": "", "container_port": 80, "host_port": 8080, "range": 1, "protocol": "tcp"},
                {"host_ip": "127.0.0.1", "container_port": 90, "host_port": 9000, "range": 3, "protocol": "tcp,udp"},
                {"host_ip": "0.0.0.0", "container_port": 53, "host_port": 5353, "range": 1, "protocol": "udp"},
                {"host_ip": "", "container_port": 7, "host_port": 0, "range": 1, "protocol": "tcp"},
                {"host_ip": "", "container_port": 9, "host_port": 9999, "range": 1, "protocol": "sctp"}
            ]},
            {"Id": "b2", "Names": ["pod-infra"], "Ports": [
                {"host_ip": "", "container_port": 80, "host_port": 8080, "range": 1, "protocol": "tcp"}
            ]},
            {"Id": "c3", "Names": ["quiet"], "Ports": null}
        ]);
        let wanted = wanted(&containers);
        let keys: Vec<String> = wanted.keys().map(ToString::to_string).collect();
        assert_eq!(
            keys,
            [
                "127.0.0.1:8080/tcp",
                "127.0.0.1:9000/tcp",
                "127.0.0.1:9001/tcp",
                "127.0.0.1:9002/tcp",
                "127.0.0.1:5353/udp",
                "127.0.0.1:9000/udp",
                "127.0.0.1:9001/udp",
                "127.0.0.1:9002/udp",
            ]
        );
        assert_eq!(wanted[&key(Protocol::Tcp, "127.0.0.1", 8080)].id, "a1");
        assert_eq!(wanted[&key(Protocol::Tcp, "127.0.0.1", 8080)].name, "web");
        assert!(super::wanted(&json!([])).is_empty());
        let running = running(&containers);
        assert_eq!(running.len(), 3);
        assert!(running[0].is("web") && running[0].is("a") && running[0].is("a1"));
        assert!(!running[0].is("b2") && !running[0].is("") && !running[0].is("a1x"));
    }

    #[test]
    fn a_pods_ports_belong_to_the_pod_and_each_of_its_containers() {
        let containers = json!([
            {"Id": "i1", "Names": ["0a1b-infra"], "Pod": "p1", "PodName": "shop", "Ports": [
                {"host_ip": "", "container_port": 80, "host_port": 8080, "range": 1, "protocol": "tcp"}
            ]},
            {"Id": "w2", "Names": ["shop-web"], "Pod": "p1", "PodName": "shop", "Ports": [
                {"host_ip": "", "container_port": 80, "host_port": 8080, "range": 1, "protocol": "tcp"}
            ]},
            {"Id": "s3", "Names": ["solo"], "Pod": "", "PodName": "", "Ports": [
                {"host_ip": "", "container_port": 80, "host_port": 9090, "range": 1, "protocol": "tcp"}
            ]}
        ]);
        let running = running(&containers);
        let wanted = wanted(&containers);
        let ports = |target: &str| -> Vec<String> {
            ports_of(&running, &wanted, target)
                .into_iter()
                .map(|(key, asker)| format!("{key} {}", asker.owner()))
                .collect()
        };
        let pod_port = ["127.0.0.1:8080/tcp pod shop"];
        // By the pod's name or id, by its infra container, by another of
        // its containers (`run --pod`, `start`).
        assert_eq!(ports("shop"), pod_port);
        assert_eq!(ports("p1"), pod_port);
        assert_eq!(ports("0a1b-infra"), pod_port);
        assert_eq!(ports("w2"), pod_port);
        assert_eq!(ports("solo"), ["127.0.0.1:9090/tcp container solo"]);
        assert!(ports("nothing").is_empty());
        assert!(ports("").is_empty());
    }

    #[test]
    fn only_lifecycle_events_change_ports() {
        assert!(changes_ports(
            &json!({"status": "start", "Type": "container"})
        ));
        assert!(changes_ports(&json!({"Action": "died"})));
        assert!(changes_ports(&json!({"status": "remove"})));
        assert!(!changes_ports(&json!({"status": "exec_died"})));
        assert!(!changes_ports(&json!({"status": "health_status"})));
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(
            query_value(r#"{"type":["container"]}"#),
            "%7B%22type%22%3A%5B%22container%22%5D%7D"
        );
    }
}
