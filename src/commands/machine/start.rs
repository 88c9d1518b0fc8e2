//! `berth machine start [NAME]`: spawns the machine's agent detached and
//! follows its event stream (the agent's stdout) with progress until the
//! machine is ready, fails or times out. A failed start leaves nothing
//! running: the agent stops QEMU and exits, and start waits for that.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{bail, Context};
use berth_client::connection::ConnectionStore;
use berth_machine::agent::events::{Event, EventKind};
use berth_machine::fsutil::FileLock;
use berth_machine::paths::MachinePaths;
use berth_machine::state::{self, State};

use super::{connections, docker_socket, init, load, machine_name, store, user_error};
use crate::cli::machine::StartArgs;
use crate::progress::Progress;

pub async fn run(args: &StartArgs) -> anyhow::Result<u8> {
    let name = machine_name(args.name.as_deref());
    let store = store()?;
    let mut config = load(&store, &name)?;
    let paths = store.paths(&name);

    // One start at a time per machine: the second sees the first's agent.
    let lock = store.lock(&name)?;
    let status = state::probe(&paths);
    match status.state {
        State::Running | State::Degraded if status.agent_pid.is_some() => {
            return Err(user_error(format!(
                "unable to start \"{name}\": machine {name} is already running"
            )))
        }
        State::Starting => {
            return Err(user_error(format!(
                "unable to start \"{name}\": machine {name} is already starting"
            )))
        }
        State::Stopping => {
            return Err(user_error(format!(
            "unable to start \"{name}\": machine {name} is stopping; try again when it has stopped"
        )))
        }
        _ => {}
    }
    if !port_is_free(config.ssh.port) {
        let old = config.ssh.port;
        config.ssh.port = init::free_port()?;
        store.save(&lock, &config)?;
        connections::update_port(&ConnectionStore::from_env()?, &config)?;
        eprintln!(
            "SSH port {old} of machine {name} is in use by another program; using port {} instead",
            config.ssh.port
        );
    }

    println!("Starting machine \"{name}\"");
    let mut agent = spawn_agent(&paths)?;
    let stdout = agent.stdout.take().context("reading the agent's events")?;
    let mut events = BufReader::new(stdout).lines();

    // The first event means the agent holds the machine: let others in.
    let first = next_event(&mut events);
    drop(lock);
    let progress = Progress::new(args.quiet);
    let mut event = match first {
        Some(event) => event,
        None => return Err(agent_died(&paths, &mut agent)),
    };
    loop {
        match &event.kind {
            EventKind::Progress { message } => progress.stage(&capitalized(message)),
            // E.g. a volume that is not mounted: the start goes on.
            EventKind::Warning { message } if args.quiet => eprintln!("Warning: {message}"),
            EventKind::Warning { message } => progress.line(&format!("Warning: {message}")),
            EventKind::Ready { api_socket, .. } => {
                progress.finish("ready");
                drop(progress);
                let socket = api_socket.display();
                if !args.no_info {
                    println!("API forwarding listening on: {socket}\n");
                    println!("You can connect Docker API clients by setting DOCKER_HOST using the");
                    println!("following command in your terminal session:\n");
                    println!("\texport DOCKER_HOST='unix://{socket}'\n");
                }
                docker_socket::offer(&config, api_socket, args);
                println!("Machine \"{name}\" started successfully");
                // The agent keeps running; it stops echoing once we are gone.
                return Ok(0);
            }
            EventKind::Error {
                message,
                serial_tail,
            } => {
                let mut text = format!("unable to start \"{name}\": {message}");
                if !serial_tail.is_empty() {
                    text.push_str("\nlast lines of the guest's console:\n");
                    for line in serial_tail {
                        text.push_str("  ");
                        text.push_str(line);
                        text.push('\n');
                    }
                }
                wait_for_agent_exit(&paths, &mut agent).await;
                return Err(user_error(text.trim_end().to_string()));
            }
            EventKind::Stopped { reason } => {
                wait_for_agent_exit(&paths, &mut agent).await;
                bail!("machine {name} stopped while starting: {reason}");
            }
            _ => {}
        }
        event = match next_event(&mut events) {
            Some(event) => event,
            None => {
                return Err(agent_died(&paths, &mut agent));
            }
        };
    }
}

/// Whether nothing listens on 127.0.0.1:`port`.
fn port_is_free(port: u16) -> bool {
    std::net::TcpListener::bind(("127.0.0.1", port)).is_ok()
}

/// Starts `berth machine agent NAME --events-stdout` in its own process group,
/// its stderr appended to the agent log.
fn spawn_agent(paths: &MachinePaths) -> anyhow::Result<std::process::Child> {
    let exe = std::env::current_exe().context("finding the berth executable")?;
    std::fs::create_dir_all(&paths.data_dir)
        .with_context(|| format!("creating {}", paths.data_dir.display()))?;
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&paths.agent_log)
        .with_context(|| format!("opening {}", paths.agent_log.display()))?;
    let mut command = Command::new(exe);
    command
        .args(["machine", "agent", &paths.name, "--events-stdout"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log);
    #[cfg(unix)]
    {
        // Its own process group: a Ctrl-C at the terminal does not reach it.
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    command.spawn().context("starting the machine agent")
}

fn next_event(lines: &mut std::io::Lines<impl BufRead>) -> Option<Event> {
    for line in lines.by_ref() {
        match line {
            Ok(line) => {
                if let Some(event) = Event::parse(&line) {
                    return Some(event);
                }
            }
            Err(_) => return None,
        }
    }
    None
}

/// The agent ended its event stream without saying why: show its log.
fn agent_died(paths: &MachinePaths, agent: &mut std::process::Child) -> anyhow::Error {
    let status = agent.wait().ok();
    let log = std::fs::read_to_string(&paths.agent_log).unwrap_or_default();
    let tail: Vec<&str> = log.lines().rev().take(5).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    user_error(format!(
        "the machine agent exited unexpectedly ({}); its log {} ends with:\n  {}",
        status.map_or("unknown status".to_string(), |s| s.to_string()),
        paths.agent_log.display(),
        tail.join("\n  ")
    ))
}

/// Waits until the agent has exited and released the machine.
async fn wait_for_agent_exit(paths: &MachinePaths, agent: &mut std::process::Child) {
    let _ = agent.wait();
    let lock = paths.agent_lock.clone();
    let _ = tokio::time::timeout(
        Duration::from_secs(60),
        tokio::task::spawn_blocking(move || FileLock::acquire(&lock).map(drop)),
    )
    .await;
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
