//! A QMP (QEMU Machine Protocol) client: JSON lines over a socket. One task
//! reads the connection and routes each `return`/`error` to the command with
//! the same `id`, and each asynchronous event to subscribers.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex as StdMutex};

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::{broadcast, oneshot, Mutex};

/// Errors talking QMP.
#[derive(Debug, thiserror::Error, Clone)]
pub enum QmpError {
    #[error("QMP connection: {0}")]
    Io(String),
    #[error("QMP protocol error: {0}")]
    Protocol(String),
    #[error("QMP command {command} failed: {class}: {desc}")]
    Command {
        command: String,
        class: String,
        desc: String,
    },
    #[error("QMP connection closed (QEMU exited)")]
    Closed,
}

/// An asynchronous QMP event, e.g. `SHUTDOWN`, `STOP`, `RESUME`.
#[derive(Debug, Clone)]
pub struct QmpEvent {
    pub event: String,
    pub data: Value,
}

type Pending = Arc<StdMutex<Option<HashMap<u64, oneshot::Sender<Result<Value, QmpError>>>>>>;
type Writer = Box<dyn AsyncWrite + Send + Unpin>;

/// A live QMP session (after capabilities negotiation).
pub struct Qmp {
    writer: Mutex<Writer>,
    pending: Pending,
    next_id: AtomicU64,
    events: broadcast::Sender<QmpEvent>,
    reader: tokio::task::JoinHandle<()>,
}

impl Drop for Qmp {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

impl Qmp {
    /// Reads QEMU's greeting, negotiates capabilities and starts routing.
    pub async fn handshake<S>(stream: S) -> Result<Qmp, QmpError>
    where
        S: AsyncRead + AsyncWrite + Send + 'static,
    {
        let (read, write) = tokio::io::split(stream);
        let mut lines = BufReader::new(read).lines();
        let greeting = next_json(&mut lines).await?.ok_or(QmpError::Closed)?;
        if greeting.get("QMP").is_none() {
            return Err(QmpError::Protocol(format!(
                "unexpected greeting {greeting}"
            )));
        }
        let mut writer: Writer = Box::new(write);
        send_line(
            &mut writer,
            &json!({"execute": "qmp_capabilities", "id": 0}),
        )
        .await?;
        loop {
            let reply = next_json(&mut lines).await?.ok_or(QmpError::Closed)?;
            if reply.get("return").is_some() {
                break;
            }
            if let Some(error) = reply.get("error") {
                return Err(command_error("qmp_capabilities", error));
            }
        }

        let pending: Pending = Arc::new(StdMutex::new(Some(HashMap::new())));
        let (events, _) = broadcast::channel(64);
        let reader = tokio::spawn(route(lines, pending.clone(), events.clone()));
        Ok(Qmp {
            writer: Mutex::new(writer),
            pending,
            next_id: AtomicU64::new(1),
            events,
            reader,
        })
    }

    /// Runs `command` and returns its `return` value.
    pub async fn execute(
        &self,
        command: &str,
        arguments: Option<Value>,
    ) -> Result<Value, QmpError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        {
            let mut pending = self.pending.lock().map_err(|_| QmpError::Closed)?;
            let Some(map) = pending.as_mut() else {
                return Err(QmpError::Closed);
            };
            map.insert(id, tx);
        }
        let mut request = json!({"execute": command, "id": id});
        if let Some(arguments) = arguments {
            request["arguments"] = arguments;
        }
        {
            let mut writer = self.writer.lock().await;
            send_line(&mut writer, &request).await?;
        }
        match rx.await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(QmpError::Command { class, desc, .. })) => Err(QmpError::Command {
                command: command.to_string(),
                class,
                desc,
            }),
            Ok(Err(err)) => Err(err),
            Err(_) => Err(QmpError::Closed),
        }
    }

    /// Runs a human monitor command (e.g. `hostfwd_add ...`) and returns its output.
    pub async fn human_command(&self, line: &str) -> Result<String, QmpError> {
        let value = self
            .execute("human-monitor-command", Some(json!({"command-line": line})))
            .await?;
        Ok(value.as_str().unwrap_or_default().to_string())
    }

    /// Asynchronous events from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<QmpEvent> {
        self.events.subscribe()
    }
}

async fn send_line(writer: &mut Writer, value: &Value) -> Result<(), QmpError> {
    let mut line = value.to_string();
    line.push('\n');
    writer
        .write_all(line.as_bytes())
        .await
        .map_err(|err| QmpError::Io(err.to_string()))?;
    writer
        .flush()
        .await
        .map_err(|err| QmpError::Io(err.to_string()))
}

async fn next_json<R: AsyncBufReadExt + Unpin>(
    lines: &mut tokio::io::Lines<R>,
) -> Result<Option<Value>, QmpError> {
    loop {
        match lines.next_line().await {
            Ok(Some(line)) if line.trim().is_empty() => continue,
            Ok(Some(line)) => {
                return serde_json::from_str(&line)
                    .map(Some)
                    .map_err(|err| QmpError::Protocol(format!("{err}: {line}")))
            }
            Ok(None) => return Ok(None),
            Err(err) => return Err(QmpError::Io(err.to_string())),
        }
    }
}

fn command_error(command: &str, error: &Value) -> QmpError {
    QmpError::Command {
        command: command.to_string(),
        class: error["class"]
            .as_str()
            .unwrap_or("GenericError")
            .to_string(),
        desc: error["desc"].as_str().unwrap_or_default().to_string(),
    }
}

async fn route<R: AsyncBufReadExt + Unpin>(
    mut lines: tokio::io::Lines<R>,
    pending: Pending,
    events: broadcast::Sender<QmpEvent>,
) {
    while let Ok(Some(message)) = next_json(&mut lines).await {
        if let Some(event) = message.get("event").and_then(Value::as_str) {
            let _ = events.send(QmpEvent {
                event: event.to_string(),
                data: message.get("data").cloned().unwrap_or(Value::Null),
            });
            continue;
        }
        let Some(id) = message.get("id").and_then(Value::as_u64) else {
            continue;
        };
        let reply = match (message.get("return"), message.get("error")) {
            (Some(value), _) => Ok(value.clone()),
            (None, Some(error)) => Err(command_error("", error)),
            (None, None) => Err(QmpError::Protocol(format!("unexpected message {message}"))),
        };
        let sender = pending
            .lock()
            .ok()
            .and_then(|mut map| map.as_mut().and_then(|map| map.remove(&id)));
        if let Some(sender) = sender {
            let _ = sender.send(reply);
        }
    }
    // Closed: fail everyone waiting and refuse new commands.
    if let Ok(mut map) = pending.lock() {
        if let Some(waiting) = map.take() {
            for (_, sender) in waiting {
                let _ = sender.send(Err(QmpError::Closed));
            }
        }
    }
}
