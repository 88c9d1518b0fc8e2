//! The per-machine host agent (`berth machine agent NAME`, started detached
//! by `berth machine start`). It
//!
//! - takes the machine's agent lock for its whole life (so exactly one agent
//!   runs per machine, and the machine counts as up exactly while it lives);
//! - listens on the QMP and ready sockets, then runs QEMU as its child, which
//!   connects to both; the guest's serial console goes to a log file;
//! - shares the volumes ([`shares`]: virtio-9p, or virtiofs with a
//!   virtiofsd child per volume), which the guest mounts at boot before it
//!   writes `Ready` ([`mounts`]);
//! - connects over SSH while the guest boots (that first session is the
//!   kept one) and opens a probe channel to the guest's podman socket, all
//!   racing the guest's `Ready` on the virtio-serial port, so that little is
//!   left to do after `Ready` (event-driven: no fixed sleeps; each step is an
//!   event with its time);
//! - serves the API socket: each connection is one `direct-streamlocal`
//!   channel over one kept-alive, host-key-pinned session that reconnects
//!   after a drop;
//! - forwards the ports that containers publish ([`ports`], following the
//!   engine's events) and keeps the guest clock right ([`clock`]);
//! - writes JSON-lines events ([`events`]) and logs to stderr;
//! - on `stop` (control socket), SIGTERM or SIGINT: `systemctl poweroff`
//!   over SSH and QMP `system_powerdown` (whichever the guest heeds), then a
//!   hard kill after the stop timeout; removes its sockets and pidfiles on
//!   every exit path.

pub mod clock;
pub mod control;
pub mod engine;
pub mod events;
pub mod forward;
pub mod mounts;
pub mod ports;
pub mod shares;

use std::collections::VecDeque;
use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex as StdMutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixListener;
use tokio::process::Child;
use tokio::sync::{watch, Notify};
use tokio::time::Instant;

use crate::config::{MachineConfig, MachineStore};
use crate::dirs::BerthDirs;
use crate::fsutil::{self, FileLock};
use crate::host::{Arch, HostProfile};
use crate::paths::MachinePaths;
use crate::qemu::accel::{self, Accel, OverrideOrigin};
use crate::qemu::qmp::Qmp;
use crate::qemu::{binary, firmware, qemu_args, QemuSpec};
use crate::ssh::preopen::Preopened;
use crate::ssh::{keys, KeptSession, SshTarget};
use events::{EventKind, EventLog};

/// How the agent is run.
#[derive(Debug, Clone)]
pub struct AgentOptions {
    pub dirs: BerthDirs,
    pub name: String,
    pub profile: HostProfile,
    /// `BERTH_ACCEL`: beats the machine config's accelerator setting.
    pub accel_override: Option<String>,
    /// `BERTH_VOLUME_DRIVER`: beats the machine config's volume driver.
    pub volume_driver_override: Option<String>,
    /// `PATH`, to find QEMU.
    pub path_var: Option<String>,
    /// How long the guest may take to write `Ready` and accept SSH; `None`
    /// picks a default by accelerator.
    pub boot_timeout: Option<Duration>,
    /// How long the guest may take to power down before QEMU is killed.
    pub stop_timeout: Duration,
    /// Also write events to stdout (for `start`, which follows them).
    pub echo_events: bool,
}

/// Boot timeouts when none is given: emulation is slow.
pub const DEFAULT_BOOT_TIMEOUT_TCG: Duration = Duration::from_secs(900);
pub const DEFAULT_BOOT_TIMEOUT_ACCEL: Duration = Duration::from_secs(180);
pub const DEFAULT_STOP_TIMEOUT: Duration = Duration::from_secs(30);

/// Why the agent ended without serving.
#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    #[error("machine {name} is already running or starting")]
    AlreadyRunning { name: String },
    #[error("{path}: {source}", path = path.display())]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("starting the agent's runtime: {0}")]
    Runtime(std::io::Error),
    /// The failure was reported as an `error` event.
    #[error("{0}")]
    Failed(String),
}

/// Runs the agent on one thread until the machine stops: its work is
/// waiting, and a second worker only added cross-thread wake-ups to every
/// forwarded transfer (a futex call per handoff between a connection's copy
/// and the SSH session, about 1000 per 64 MiB towards the guest).
pub fn run_blocking(options: AgentOptions) -> Result<(), AgentError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(AgentError::Runtime)?;
    runtime.block_on(run(options))
}

/// Writes a timestamped line to the agent's log (its stderr).
fn log(message: impl std::fmt::Display) {
    eprintln!(
        "{} {message}",
        crate::config::format_time(std::time::SystemTime::now())
    );
}

type Events = Arc<StdMutex<EventLog>>;

fn emit(events: &Events, kind: EventKind) {
    log(format_args!(
        "event: {}",
        events::Event::now(kind.clone()).to_line().trim_end()
    ));
    if let Ok(mut log) = events.lock() {
        log.emit(kind);
    }
}

/// Removes the agent's runtime files on every exit path.
struct RuntimeFiles(MachinePaths);

impl Drop for RuntimeFiles {
    fn drop(&mut self) {
        for path in self.0.runtime_files() {
            let _ = fsutil::remove_if_exists(path);
        }
        for path in self.0.virtiofs_sockets() {
            let _ = fsutil::remove_if_exists(&path);
        }
    }
}

/// Runs the agent until the machine stops.
pub async fn run(options: AgentOptions) -> Result<(), AgentError> {
    let store = MachineStore::new(options.dirs.clone());
    let paths = store.paths(&options.name);
    let io_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| AgentError::Io { path, source }
    };
    std::fs::create_dir_all(&paths.runtime_dir).map_err(io_err(&paths.runtime_dir))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&paths.runtime_dir, std::fs::Permissions::from_mode(0o700))
            .map_err(io_err(&paths.runtime_dir))?;
    }
    let Some(_agent_lock) =
        FileLock::try_acquire(&paths.agent_lock).map_err(io_err(&paths.agent_lock))?
    else {
        return Err(AgentError::AlreadyRunning {
            name: options.name.clone(),
        });
    };

    // A QEMU whose agent was killed still runs: stop it before anything else.
    #[cfg(unix)]
    if let Ok(Some(pid)) = control::stop_orphan_qemu(&paths, options.stop_timeout).await {
        log(format_args!(
            "stopped QEMU pid {pid} left by a previous agent"
        ));
    }
    // Whatever is left in the runtime dir is stale: we hold the lock.
    for path in paths.runtime_files() {
        fsutil::remove_if_exists(path).map_err(io_err(path))?;
    }
    for path in paths.virtiofs_sockets() {
        fsutil::remove_if_exists(&path).map_err(io_err(&path))?;
    }
    let _cleanup = RuntimeFiles(paths.clone());
    fsutil::write_atomic(
        &paths.agent_pid,
        format!("{}\n", std::process::id()).as_bytes(),
        0o644,
    )
    .map_err(io_err(&paths.agent_pid))?;
    let events: Events = Arc::new(StdMutex::new(
        EventLog::create(&paths.events, options.echo_events).map_err(io_err(&paths.events))?,
    ));
    emit(
        &events,
        EventKind::Starting {
            agent_pid: std::process::id(),
        },
    );

    let (stop_tx, stop_rx) = watch::channel(None::<String>);
    let control =
        UnixListener::bind(&paths.control_socket).map_err(io_err(&paths.control_socket))?;
    let port_service: PortServiceSlot = Arc::new(std::sync::OnceLock::new());
    tokio::spawn(serve_control(
        control,
        stop_tx.clone(),
        port_service.clone(),
    ));
    tokio::spawn(forward_signals(stop_tx));

    let mut agent = Agent {
        options,
        store,
        paths,
        events: events.clone(),
        stop: stop_rx,
        qemu: None,
        qmp: None,
        ssh: None,
        port_service,
        volumes: shares::SharedVolumes::default(),
    };
    let outcome = agent.boot_and_serve().await;
    agent.shut_down(&outcome).await;
    match outcome {
        Outcome::Stopped(reason) => {
            emit(&events, EventKind::Stopped { reason });
            Ok(())
        }
        Outcome::Failed {
            message,
            serial_tail,
        } => {
            emit(
                &events,
                EventKind::Error {
                    message: message.clone(),
                    serial_tail,
                },
            );
            Err(AgentError::Failed(message))
        }
    }
}

/// How a run ended.
enum Outcome {
    /// Asked to stop, or the guest shut down.
    Stopped(String),
    Failed {
        message: String,
        serial_tail: Vec<String>,
    },
}

impl Outcome {
    fn failed(message: impl Into<String>) -> Self {
        Outcome::Failed {
            message: message.into(),
            serial_tail: Vec::new(),
        }
    }
}

/// The running QEMU child and the last lines of its stderr.
struct QemuProcess {
    child: Child,
    pid: u32,
    stderr_tail: Arc<StdMutex<VecDeque<String>>>,
    exit: Option<ExitStatus>,
}

impl QemuProcess {
    /// Waits for QEMU to exit (at once if it already has).
    async fn wait(&mut self) -> ExitStatus {
        if let Some(status) = self.exit {
            return status;
        }
        let status = match self.child.wait().await {
            Ok(status) => status,
            Err(_) => {
                // Cannot wait for it: make sure it is gone.
                let _ = self.child.start_kill();
                self.child.wait().await.unwrap_or_default()
            }
        };
        self.exit = Some(status);
        status
    }

    fn describe_exit(&self, status: ExitStatus) -> String {
        let tail: Vec<String> = self
            .stderr_tail
            .lock()
            .map(|tail| tail.iter().cloned().collect())
            .unwrap_or_default();
        if tail.is_empty() {
            format!("QEMU exited ({status})")
        } else {
            format!("QEMU exited ({status}): {}", tail.join("; "))
        }
    }
}

struct Agent {
    options: AgentOptions,
    store: MachineStore,
    paths: MachinePaths,
    events: Events,
    stop: watch::Receiver<Option<String>>,
    qemu: Option<QemuProcess>,
    qmp: Option<Arc<Qmp>>,
    /// The SSH session to the guest, once the probe has made it.
    ssh: Option<Arc<KeptSession>>,
    /// The published-port forwards, once the machine is up.
    port_service: PortServiceSlot,
    /// The volumes and their virtiofsd processes.
    volumes: shares::SharedVolumes,
}

/// Where the control socket finds the port forwards once they run.
type PortServiceSlot = Arc<std::sync::OnceLock<Arc<ports::PortService>>>;

/// What interrupted a boot stage.
enum Interrupt {
    QemuExited(String),
    Timeout,
    Stop(String),
}

impl Agent {
    fn emit(&self, kind: EventKind) {
        emit(&self.events, kind);
    }

    fn progress(&self, message: &str) {
        self.emit(EventKind::Progress {
            message: message.to_string(),
        });
    }

    /// Runs `stage` unless QEMU exits, the deadline passes or a stop is
    /// requested first.
    async fn during<T>(
        &mut self,
        deadline: Instant,
        stage: impl Future<Output = T>,
    ) -> Result<T, Interrupt> {
        let qemu = self.qemu.as_mut();
        let stop = &mut self.stop;
        tokio::select! {
            value = stage => Ok(value),
            status = async {
                match qemu {
                    Some(qemu) => {
                        let status = qemu.wait().await;
                        qemu.describe_exit(status)
                    }
                    None => std::future::pending().await,
                }
            } => Err(Interrupt::QemuExited(status)),
            _ = tokio::time::sleep_until(deadline) => Err(Interrupt::Timeout),
            reason = wait_for_stop(stop) => Err(Interrupt::Stop(reason)),
        }
    }

    fn interrupted(&self, interrupt: Interrupt, waiting_for: &str, timeout: Duration) -> Outcome {
        match interrupt {
            Interrupt::QemuExited(message) => Outcome::Failed {
                message: format!("{message} while waiting for {waiting_for}"),
                serial_tail: serial_tail(&self.paths.serial_log, 20),
            },
            Interrupt::Timeout => Outcome::Failed {
                message: format!(
                    "timed out after {} s waiting for {waiting_for}; the guest's console log is {}",
                    timeout.as_secs(),
                    self.paths.serial_log.display()
                ),
                serial_tail: serial_tail(&self.paths.serial_log, 20),
            },
            Interrupt::Stop(reason) => Outcome::Stopped(reason),
        }
    }

    async fn boot_and_serve(&mut self) -> Outcome {
        let config = match self.store.load(&self.options.name) {
            Ok(config) => config,
            Err(err) => return Outcome::failed(err.to_string()),
        };

        // Accelerator (the KVM probe runs a vCPU: keep it off the reactor).
        let profile = self.options.profile;
        let requested = self
            .options
            .accel_override
            .clone()
            .filter(|accel| !accel.is_empty())
            .map(|accel| (accel, OverrideOrigin::Env))
            .or_else(|| {
                config
                    .accelerator
                    .clone()
                    .map(|accel| (accel, OverrideOrigin::Config))
            });
        let chosen = tokio::task::spawn_blocking(move || {
            accel::choose_accel(
                &profile,
                requested
                    .as_ref()
                    .map(|(text, origin)| (text.as_str(), *origin)),
                accel::probe,
            )
        })
        .await;
        let accel = match chosen {
            Ok(Ok(accel)) => accel,
            Ok(Err(err)) => return Outcome::failed(err.to_string()),
            Err(err) => return Outcome::failed(format!("probing the accelerator: {err}")),
        };
        let boot_timeout = self.options.boot_timeout.unwrap_or(match accel {
            Accel::Tcg => DEFAULT_BOOT_TIMEOUT_TCG,
            _ => DEFAULT_BOOT_TIMEOUT_ACCEL,
        });

        let Some(qemu_binary) =
            binary::find_binary(&profile, self.options.path_var.as_deref(), |p| p.is_file())
        else {
            return Outcome::failed(format!(
                "{} not found: QEMU is needed to run machines; {}",
                binary::binary_name(&profile),
                binary::install_hint(&profile)
            ));
        };
        let firmware = if profile.arch == Arch::Aarch64 {
            match self.prepare_firmware(&qemu_binary) {
                Ok(firmware) => Some(firmware),
                Err(outcome) => return outcome,
            }
        } else {
            None
        };
        if !config.image.path.exists() {
            return Outcome::failed(format!(
                "the machine's disk {} is missing; remove the machine and init it again",
                config.image.path.display()
            ));
        }

        let volumes = shares::prepare(
            &config,
            &profile,
            &self.paths,
            self.options.volume_driver_override.as_deref(),
            self.options.path_var.as_deref(),
        )
        .await;
        match volumes {
            Ok(volumes) => self.volumes = volumes,
            Err(message) => return Outcome::failed(message),
        }
        for warning in self.volumes.warnings.clone() {
            self.emit(EventKind::Warning { message: warning });
        }

        // QEMU connects to these; listening first means nothing polls.
        let qmp_listener = match UnixListener::bind(&self.paths.qmp_socket) {
            Ok(listener) => listener,
            Err(err) => {
                return Outcome::failed(format!("{}: {err}", self.paths.qmp_socket.display()))
            }
        };
        let ready_listener = match UnixListener::bind(&self.paths.ready_socket) {
            Ok(listener) => listener,
            Err(err) => {
                return Outcome::failed(format!("{}: {err}", self.paths.ready_socket.display()))
            }
        };

        let spec = QemuSpec {
            profile,
            accel,
            name: config.name.clone(),
            cpus: config.resources.cpus,
            memory_mib: config.resources.memory,
            disk: config.image.path.clone(),
            ignition: Some(config.ignition_path.clone()).filter(|path| path.exists()),
            firmware,
            qmp_socket: self.paths.qmp_socket.clone(),
            ready_socket: self.paths.ready_socket.clone(),
            serial_log: self.paths.serial_log.clone(),
            pidfile: self.paths.qemu_pid.clone(),
            ssh_port: config.ssh.port,
            shares: self.volumes.shares.clone(),
        };
        self.progress("starting QEMU");
        match self.spawn_qemu(&qemu_binary, &spec) {
            Ok(qemu) => self.qemu = Some(qemu),
            Err(message) => return Outcome::failed(message),
        }
        let qemu_pid = self.qemu.as_ref().map_or(0, |qemu| qemu.pid);
        self.emit(EventKind::QemuStarted {
            qemu_pid,
            accel: accel.to_string(),
            ssh_port: config.ssh.port,
        });
        let deadline = Instant::now() + boot_timeout;

        let accepted = self
            .during(deadline, async {
                let qmp = qmp_listener.accept().await;
                let ready = ready_listener.accept().await;
                (qmp, ready)
            })
            .await;
        let (qmp_stream, ready_stream) = match accepted {
            Ok((Ok((qmp, _)), Ok((ready, _)))) => (qmp, ready),
            Ok((Err(err), _)) | Ok((_, Err(err))) => {
                return Outcome::failed(format!("accepting QEMU's connection: {err}"))
            }
            Err(interrupt) => return self.interrupted(interrupt, "QEMU to start", boot_timeout),
        };
        drop((qmp_listener, ready_listener));
        match self.during(deadline, Qmp::handshake(qmp_stream)).await {
            Ok(Ok(qmp)) => self.qmp = Some(Arc::new(qmp)),
            Ok(Err(err)) => return Outcome::failed(err.to_string()),
            Err(interrupt) => return self.interrupted(interrupt, "QEMU's monitor", boot_timeout),
        }

        // sshd comes up before the guest writes Ready: connect meanwhile, then
        // mount the volumes and reach the guest's podman socket, so that
        // Ready is followed by (almost) nothing. The session that connects
        // first is the kept session: there is no second handshake.
        let target = match ssh_target(&config) {
            Ok(target) => target,
            Err(message) => return Outcome::failed(message),
        };
        let connected_events = self.events.clone();
        let kept = Arc::new(KeptSession::new(target).on_connect(move |session| {
            emit(
                &connected_events,
                EventKind::ssh_connected(&session.timings()),
            )
        }));
        self.ssh = Some(kept.clone());
        // Machines whose Ignition has no volume unit: mounted over SSH.
        let mounts = if config.mounts_at_boot {
            Vec::new()
        } else {
            self.volumes.tagged.clone()
        };
        let has_mounts = !mounts.is_empty();
        let guest_socket = config.guest_podman_socket();
        let (guest_ready_tx, guest_ready) = watch::channel(false);
        let (connected_tx, connected) = watch::channel(false);
        let setup = AbortOnDrop(tokio::spawn(connect_and_mount(
            kept.clone(),
            mounts,
            guest_ready.clone(),
            connected_tx,
            self.events.clone(),
        )));
        let probe = AbortOnDrop(tokio::spawn(probe_api(
            kept.clone(),
            guest_socket.clone(),
            connected.clone(),
            guest_ready,
            self.events.clone(),
        )));

        self.progress("waiting for the guest to boot");
        let mut volume_reports = Vec::new();
        let reports = &mut volume_reports;
        let ready = self
            .during(deadline, async {
                let mut lines = BufReader::new(ready_stream).lines();
                loop {
                    match lines.next_line().await {
                        Ok(Some(line)) => match mounts::parse_report(&line) {
                            Some(report) => reports.push(report),
                            None if line.contains("Ready") => return Ok(lines),
                            None => continue,
                        },
                        Ok(None) => return Err("the guest closed its ready port".to_string()),
                        Err(err) => return Err(format!("reading the ready port: {err}")),
                    }
                }
            })
            .await;
        // Keep the port open for the guest's lifetime.
        let _ready_port = match ready {
            Ok(Ok(lines)) => lines,
            Ok(Err(message)) => return Outcome::failed(message),
            Err(interrupt) => {
                return self.interrupted(interrupt, "the guest to boot (Ready)", boot_timeout)
            }
        };
        self.emit(EventKind::GuestReady);
        guest_ready_tx.send_replace(true);
        if config.mounts_at_boot && !self.volumes.tagged.is_empty() {
            report_volumes(&self.events, &self.volumes.tagged, &volume_reports);
        }

        if !setup.0.is_finished() {
            self.progress(if !*connected.borrow() {
                "connecting over SSH"
            } else if has_mounts {
                "mounting volumes"
            } else {
                "reaching the guest's podman socket"
            });
        }
        match self.during(deadline, setup).await {
            Ok(Ok(())) => {}
            Ok(Err(message)) => return Outcome::failed(message),
            Err(interrupt) => {
                return self.interrupted(interrupt, "SSH to the guest", boot_timeout);
            }
        }
        match self.during(deadline, probe).await {
            Ok(Ok(())) => {}
            Ok(Err(message)) => return Outcome::failed(message),
            Err(interrupt) => {
                return self.interrupted(interrupt, "the guest's podman socket", boot_timeout);
            }
        }
        // As podman machine does, `start` returns once the service answers
        // (or warns that it did not), so the first command does not wait
        // for it unexplained.
        self.progress("waiting for the podman service");
        let answered = self.during(
            deadline.min(Instant::now() + API_ANSWER_TIMEOUT),
            ping_api(&kept, &guest_socket),
        );
        match answered.await {
            Ok(()) => self.emit(EventKind::ApiAnswered),
            Err(Interrupt::Timeout) => self.emit(EventKind::Warning {
                message: format!(
                    "the guest's podman service did not answer within {} s; its log: \
                     `berth machine ssh {} journalctl {}-u podman`",
                    API_ANSWER_TIMEOUT.as_secs(),
                    config.name,
                    if config.rootful { "" } else { "--user " },
                ),
            }),
            Err(interrupt) => {
                return self.interrupted(interrupt, "the guest's podman service", boot_timeout);
            }
        }
        if config.ssh.host_key.is_empty() {
            // A user-supplied Ignition config: pin the key seen first.
            if let Ok(session) = kept.get().await {
                if let Ok(line) = keys::public_openssh(session.host_key()) {
                    let _ = self
                        .store
                        .update(&config.name, |config| config.ssh.host_key = line);
                }
            }
        }

        let api = match bind_replacing(&self.paths.api_socket) {
            Ok(listener) => listener,
            Err(err) => {
                return Outcome::failed(format!("{}: {err}", self.paths.api_socket.display()))
            }
        };
        let resync = Arc::new(Notify::new());
        let api_channels = Preopened::new(kept.clone(), guest_socket);
        let mut tasks = vec![
            tokio::spawn(forward::serve(api, api_channels.clone())),
            tokio::spawn(api_channels.clone().keep_spare()),
            tokio::spawn(watch_session(
                kept.clone(),
                self.events.clone(),
                self.paths.api_socket.clone(),
                config.ssh.port,
                resync.clone(),
            )),
        ];
        let port_service = Arc::new(ports::PortService::new(
            api_channels.clone(),
            ports::Forwarder::new(kept.clone(), self.qmp.clone(), self.events.clone()),
        ));
        let _ = self.port_service.set(port_service.clone());
        tasks.push(tokio::spawn(port_service.follow()));
        let qemu_pid = self.qemu.as_ref().map_or(0, |qemu| qemu.pid);
        tasks.push(tokio::spawn(clock::keep_in_sync(
            kept.clone(),
            self.qmp.clone(),
            qemu_pid,
            resync,
        )));
        self.emit(EventKind::Ready {
            api_socket: self.paths.api_socket.clone(),
            ssh_port: config.ssh.port,
        });
        // After Ready: `start` need not wait for this write.
        let _ = self.store.update(&config.name, |config| {
            config.last_up = Some(std::time::SystemTime::now())
        });

        // Serve until QEMU exits or someone asks us to stop.
        let outcome = match self
            .during(far_future(), std::future::pending::<()>())
            .await
        {
            Err(Interrupt::QemuExited(message)) => {
                let status = self.qemu.as_ref().and_then(|qemu| qemu.exit);
                match status {
                    Some(status) if status.success() => {
                        Outcome::Stopped("the guest shut down".to_string())
                    }
                    _ => Outcome::failed(message),
                }
            }
            Err(Interrupt::Stop(reason)) => Outcome::Stopped(reason),
            Err(Interrupt::Timeout) | Ok(()) => Outcome::Stopped("stopped".to_string()),
        };
        for task in tasks {
            task.abort();
        }
        outcome
    }

    fn prepare_firmware(
        &self,
        qemu_binary: &Path,
    ) -> Result<(firmware::Firmware, std::path::PathBuf), Outcome> {
        let profile = self.options.profile;
        let Some(found) = firmware::find(&profile, Some(qemu_binary), |p| p.is_file()) else {
            let looked: Vec<String> = firmware::candidates(&profile, Some(qemu_binary))
                .iter()
                .map(|fw| fw.code.display().to_string())
                .collect();
            return Err(Outcome::failed(format!(
                "no aarch64 UEFI firmware found (looked for {}); install QEMU's edk2 firmware",
                looked.join(", ")
            )));
        };
        let vars = self.paths.data_dir.join("efi-vars.fd");
        if !vars.exists() {
            if let Err(err) = std::fs::copy(&found.vars_template, &vars) {
                return Err(Outcome::failed(format!(
                    "copying {} to {}: {err}",
                    found.vars_template.display(),
                    vars.display()
                )));
            }
        }
        Ok((found, vars))
    }

    fn spawn_qemu(&self, binary: &Path, spec: &QemuSpec) -> Result<QemuProcess, String> {
        let args = qemu_args(spec);
        log(format_args!(
            "running {} {}",
            binary.display(),
            args.join(" ")
        ));
        let mut command = tokio::process::Command::new(binary);
        command
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            // If the agent itself fails before it can stop QEMU cleanly.
            .kill_on_drop(true);
        let mut child = command
            .spawn()
            .map_err(|err| format!("running {}: {err}", binary.display()))?;
        let pid = child.id().unwrap_or_default();
        let stderr_tail = Arc::new(StdMutex::new(VecDeque::new()));
        if let Some(stderr) = child.stderr.take() {
            let tail = stderr_tail.clone();
            tokio::spawn(async move {
                let mut lines = BufReader::new(stderr).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    log(format_args!("qemu: {line}"));
                    if let Ok(mut tail) = tail.lock() {
                        if tail.len() == 5 {
                            tail.pop_front();
                        }
                        tail.push_back(line);
                    }
                }
            });
        }
        Ok(QemuProcess {
            child,
            pid,
            stderr_tail,
            exit: None,
        })
    }

    /// Stops QEMU, then the virtiofsd processes.
    async fn shut_down(&mut self, outcome: &Outcome) {
        self.stop_qemu(outcome).await;
        self.volumes.stop().await;
    }

    /// Stops QEMU if it still runs: poweroff over SSH and ACPI power-down
    /// through QMP, then a hard kill after the stop timeout.
    async fn stop_qemu(&mut self, outcome: &Outcome) {
        let Some(mut qemu) = self.qemu.take() else {
            return;
        };
        if qemu.exit.is_some() {
            return;
        }
        let graceful = matches!(outcome, Outcome::Stopped(_));
        if let (true, Some(qmp)) = (graceful, self.qmp.as_ref()) {
            let reason = match outcome {
                Outcome::Stopped(reason) => reason.clone(),
                Outcome::Failed { .. } => String::new(),
            };
            self.emit(EventKind::Stopping { reason });
            // ACPI power button, and (for guests that ignore it) poweroff
            // over SSH; whichever works first. Both are bounded: QEMU is
            // killed after the stop timeout whatever the guest does.
            if let Some(ssh) = self.ssh.clone() {
                tokio::spawn(async move {
                    let poweroff = async {
                        let session = ssh.get().await?;
                        let command = crate::ssh::as_root(&ssh.target().user, "systemctl poweroff");
                        session.exec(&command).await
                    };
                    let _ = tokio::time::timeout(Duration::from_secs(10), poweroff).await;
                });
            }
            if let Err(err) = qmp.execute("system_powerdown", None).await {
                log(format_args!("system_powerdown failed: {err}"));
            }
            if tokio::time::timeout(self.options.stop_timeout, qemu.wait())
                .await
                .is_ok()
            {
                return;
            }
            log(format_args!(
                "the guest did not power down within {} s: killing QEMU",
                self.options.stop_timeout.as_secs()
            ));
        }
        let _ = qemu.child.start_kill();
        qemu.wait().await;
    }
}

fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(100 * 365 * 24 * 3600)
}

async fn wait_for_stop(stop: &mut watch::Receiver<Option<String>>) -> String {
    match stop.wait_for(Option::is_some).await {
        Ok(reason) => reason.clone().unwrap_or_default(),
        Err(_) => std::future::pending().await,
    }
}

/// Serves the control socket, one task per connection: a `stop` line
/// requests a stop, and that connection stays open until the agent exits,
/// so the requester sees EOF then; `ports TARGET WAIT_MS` answers with the
/// container's published ports that are not forwarded
/// ([`control::port_warnings`] is the client).
async fn serve_control(
    listener: UnixListener,
    stop: watch::Sender<Option<String>>,
    ports: PortServiceSlot,
) {
    let stop = Arc::new(stop);
    while let Ok((stream, _)) = listener.accept().await {
        let stop = stop.clone();
        let ports = ports.clone();
        tokio::spawn(async move {
            let mut lines = BufReader::new(stream).lines();
            let Ok(Some(line)) = lines.next_line().await else {
                return;
            };
            let mut stream = lines.into_inner().into_inner();
            match control::Request::parse(&line) {
                Some(control::Request::Stop) => {
                    stop.send_if_modified(|reason| {
                        reason.get_or_insert_with(|| "stop requested".to_string());
                        true
                    });
                    let _ = stream.write_all(b"stopping\n").await;
                    // Held until the process exits.
                    std::future::pending::<()>().await;
                }
                Some(control::Request::Ports { target, wait }) => {
                    let answer = match ports.get() {
                        Some(service) => service.warnings_for(&target, wait).await,
                        None => Ok(Vec::new()),
                    };
                    let text = match answer {
                        Ok(warnings) => control::port_answer(&warnings),
                        Err(reason) => {
                            log(format_args!("checking the ports of {target}: {reason}"));
                            String::new()
                        }
                    };
                    let _ = stream.write_all(text.as_bytes()).await;
                }
                None => log(format_args!("unknown control request {line:?}")),
            }
        });
    }
}

/// SIGTERM and SIGINT stop the machine like `berth machine stop`.
async fn forward_signals(stop: watch::Sender<Option<String>>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let (Ok(mut term), Ok(mut int)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) else {
            return;
        };
        let name = tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = int.recv() => "SIGINT",
        };
        stop.send_if_modified(|reason| {
            reason.get_or_insert_with(|| format!("received {name}"));
            true
        });
    }
    #[cfg(not(unix))]
    {
        if tokio::signal::ctrl_c().await.is_ok() {
            let _ = stop.send(Some("interrupted".to_string()));
        }
    }
}

/// Binds a unix socket, replacing a stale socket file.
fn bind_replacing(path: &Path) -> std::io::Result<UnixListener> {
    fsutil::remove_if_exists(path)?;
    UnixListener::bind(path)
}

/// The SSH target for the API socket: root or the machine's user, with the
/// pinned host key (or none, for trust on first use).
fn ssh_target(config: &MachineConfig) -> Result<SshTarget, String> {
    let key = keys::read_private_key(&config.ssh.identity_path).map_err(|err| err.to_string())?;
    let pinned = if config.ssh.host_key.is_empty() {
        None
    } else {
        Some(keys::parse_public(&config.ssh.host_key).map_err(|err| err.to_string())?)
    };
    Ok(SshTarget {
        addr: SocketAddr::from((Ipv4Addr::LOCALHOST, config.ssh.port)),
        user: config.api_user().to_string(),
        key: Arc::new(key),
        pinned_host_key: pinned,
    })
}

/// A start task that is aborted when dropped (every early return of a start).
struct AbortOnDrop(tokio::task::JoinHandle<Result<(), String>>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Future for AbortOnDrop {
    type Output = Result<(), String>;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        std::pin::Pin::new(&mut self.0)
            .poll(cx)
            .map(|joined| joined.unwrap_or_else(|err| Err(format!("a start task failed: {err}"))))
    }
}

/// Waits until `guest_ready` says the guest wrote Ready (at once if it has).
async fn wait_for_guest_ready(guest_ready: &mut watch::Receiver<bool>) {
    if guest_ready.wait_for(|ready| *ready).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Logs `message` unless it repeats the last one logged.
fn log_changed(last: &mut Option<String>, message: String) {
    if last.as_deref() != Some(message.as_str()) {
        log(&message);
        *last = Some(message);
    }
}

/// Makes the kept session while the guest boots (each attempt is bounded:
/// see [`crate::ssh::Session::connect`]), says so on `connected`, then
/// mounts the volumes of a machine that does not mount them at boot (a
/// volume that fails is a warning). Until the guest has written Ready, failures only
/// mean "not yet": sshd is not listening, or (for a wrong key) Ignition may
/// not be done; after Ready a wrong key or host key is final.
async fn connect_and_mount(
    kept: Arc<KeptSession>,
    mounts: Vec<(String, crate::config::Mount)>,
    mut guest_ready: watch::Receiver<bool>,
    connected: watch::Sender<bool>,
    events: Events,
) -> Result<(), String> {
    let mut last_error = None;
    let session = loop {
        let error = match kept.get().await {
            Ok(session) => break session,
            Err(err) => err,
        };
        let ready = *guest_ready.borrow();
        if ready && !error.is_transient() {
            return Err(error.to_string());
        }
        log_changed(&mut last_error, format!("SSH not up yet: {error}"));
        // Again soon (sshd starts listening any moment), or at once when
        // the guest says it is ready (or, for a wrong key, only then).
        let retry = async {
            if error.is_transient() {
                tokio::time::sleep(Duration::from_millis(250)).await
            } else {
                std::future::pending().await
            }
        };
        tokio::select! {
            () = retry => {}
            () = wait_for_guest_ready(&mut guest_ready), if !ready => {}
        }
    };
    connected.send_replace(true);
    if mounts.is_empty() {
        return Ok(());
    }
    let command = mounts::mount_command(&kept.target().user, &mounts);
    match session.exec(&command).await {
        Ok((_, output)) => {
            let output = String::from_utf8_lossy(&output);
            let reports: Vec<mounts::VolumeReport> =
                output.lines().filter_map(mounts::parse_report).collect();
            report_volumes(&events, &mounts, &reports);
        }
        Err(err) => emit(
            &events,
            EventKind::Warning {
                message: format!(
                    "the volumes are not mounted: running the mount command over SSH: {err}"
                ),
            },
        ),
    }
    Ok(())
}

/// Emits `volumes-mounted` (when any volume is) and a warning per volume
/// the guest did not mount, from the mount script's reports.
fn report_volumes(
    events: &Events,
    volumes: &[(String, crate::config::Mount)],
    reports: &[mounts::VolumeReport],
) {
    let (drivers, warnings) = mounts::summarize(volumes, reports);
    if !drivers.is_empty() {
        emit(
            events,
            EventKind::VolumesMounted {
                driver: drivers.join(","),
            },
        );
    }
    for message in warnings {
        emit(events, EventKind::Warning { message });
    }
}

/// Once the session is up, opens a channel to the guest's podman socket
/// (which triggers its socket activation), retrying while the socket is not
/// there yet: after a growing pause, or at once when the guest writes Ready
/// (its ready unit runs after the podman sockets). Reports `api-probed`.
async fn probe_api(
    kept: Arc<KeptSession>,
    guest_socket: String,
    mut connected: watch::Receiver<bool>,
    mut guest_ready: watch::Receiver<bool>,
    events: Events,
) -> Result<(), String> {
    if connected.wait_for(|connected| *connected).await.is_err() {
        // No session: connect_and_mount reports why.
        return std::future::pending().await;
    }
    let mut backoff = Duration::from_millis(20);
    let mut last_error = None;
    loop {
        let error = match kept.open_streamlocal(&guest_socket).await {
            Ok(channel) => {
                let _ = channel.close().await;
                emit(&events, EventKind::ApiProbed);
                return Ok(());
            }
            Err(err) => err,
        };
        let ready = *guest_ready.borrow();
        let retry = error.is_transient() || matches!(error, crate::ssh::SshError::Channel { .. });
        if ready && !retry {
            return Err(error.to_string());
        }
        log_changed(&mut last_error, format!("podman socket probe: {error}"));
        tokio::select! {
            () = tokio::time::sleep(backoff) => {}
            () = wait_for_guest_ready(&mut guest_ready), if !ready => {}
        }
        backoff = (backoff * 2).min(Duration::from_secs(1));
    }
}

/// How long `start` waits for the guest's podman service to answer before
/// it warns and goes on (podman machine waits 20 s; a service started under
/// emulation takes about that).
const API_ANSWER_TIMEOUT: Duration = Duration::from_secs(60);

/// Asks the guest's podman service for `_ping` until it answers 200 OK,
/// after a growing pause each time it does not (a service that failed to
/// start closes the connection; systemd restarts it).
async fn ping_api(kept: &KeptSession, guest_socket: &str) {
    let mut backoff = Duration::from_millis(100);
    let mut last_error = None;
    loop {
        let error = match ping_once(kept, guest_socket).await {
            Ok(()) => return,
            Err(error) => error,
        };
        log_changed(&mut last_error, format!("podman service ping: {error}"));
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(2));
    }
}

/// One `GET /_ping` on a new channel: `Err` with why it did not answer 200.
async fn ping_once(kept: &KeptSession, guest_socket: &str) -> Result<(), String> {
    let channel = kept
        .open_streamlocal(guest_socket)
        .await
        .map_err(|err| err.to_string())?;
    engine::ping(crate::ssh::GuestStream::new(channel))
        .await
        .map_err(|err| err.to_string())
}

/// Notices when the SSH session drops, reports the machine degraded and
/// reconnects; reports it ready again once a new session is up.
async fn watch_session(
    kept: Arc<KeptSession>,
    events: Events,
    api_socket: std::path::PathBuf,
    ssh_port: u16,
    resync: Arc<Notify>,
) {
    let mut degraded = false;
    let mut backoff = Duration::from_millis(100);
    loop {
        match kept.get().await {
            Ok(session) => {
                if degraded {
                    emit(
                        &events,
                        EventKind::Ready {
                            api_socket: api_socket.clone(),
                            ssh_port,
                        },
                    );
                    // The guest may have stalled: check its clock.
                    resync.notify_one();
                }
                backoff = Duration::from_millis(100);
                session.closed().await;
                degraded = true;
                emit(
                    &events,
                    EventKind::Degraded {
                        reason: "the SSH session to the guest dropped; reconnecting".to_string(),
                    },
                );
            }
            Err(err) => {
                log(format_args!("reconnecting SSH: {err}"));
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
        }
    }
}

/// The last `count` lines of the serial log, without terminal escapes.
pub fn serial_tail(path: &Path, count: usize) -> Vec<String> {
    let Ok(bytes) = std::fs::read(path) else {
        return Vec::new();
    };
    let start = bytes.len().saturating_sub(64 * 1024);
    let text = String::from_utf8_lossy(&bytes[start..]);
    let lines: Vec<String> = text
        .lines()
        .map(strip_escapes)
        .filter(|line| !line.trim().is_empty())
        .collect();
    lines[lines.len().saturating_sub(count)..].to_vec()
}

/// Removes ANSI escape sequences and control characters.
fn strip_escapes(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
        } else if !c.is_control() || c == '\t' {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_tail_strips_escapes_and_keeps_the_end() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("serial.log");
        std::fs::write(
            &path,
            "one\r\n\u{1b}[0;32m  OK  \u{1b}[0m Started x\r\n\r\nthree\nfour\n",
        )
        .unwrap();
        assert_eq!(serial_tail(&path, 3), ["  OK   Started x", "three", "four"]);
        assert!(serial_tail(&dir.path().join("missing"), 3).is_empty());
    }
}
