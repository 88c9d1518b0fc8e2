//! A real HTTP/1.1 server on loopback for tests: serves a directory and
//! in-memory files (GET, HEAD, `Range: bytes=N-`), generates Fedora CoreOS
//! stream JSON, records every request, and injects faults at the byte level:
//! a short body, a TCP reset mid-body, an ignored `Range`, a slow drip, a
//! body held at an offset until the test releases it, or an error status.
//!
//! ```ignore
//! let server = HttpServer::start(Some(dir));           // files under dir
//! server.add("/streams/stable.json", stream_json(...)); // generated documents
//! server.set_fault("/disk.qcow2.xz", Fault::ResetAt { at: 1 << 20, times: 1 });
//! let url = server.url("/disk.qcow2.xz");
//! server.wait_for_gets("/disk.qcow2.xz", 1);           // events, not sleeps
//! ```

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long [`HttpServer::wait_for_gets`] waits before the test fails.
const EVENT_TIMEOUT: Duration = Duration::from_secs(120);

/// A misbehaviour for one path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// The full Content-Length is announced, but the connection is closed
    /// cleanly once the file offset `at` is reached (on every request).
    TruncateAt(u64),
    /// The connection is reset (TCP RST) once the file offset `at` is
    /// reached, for the next `times` responses; then it serves normally.
    ResetAt { at: u64, times: u32 },
    /// `Range` is ignored: always `200` with the whole body.
    IgnoreRange,
    /// The body is sent `chunk` bytes at a time with `delay` between.
    SlowDrip { chunk: usize, delay: Duration },
    /// Every request gets this status and a short text body.
    Status(u16),
    /// The body stops at file offset `at` and goes on only after
    /// [`HttpServer::release`] of the path.
    HoldAt(u64),
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub range: Option<String>,
}

#[derive(Default)]
struct Shared {
    root: Option<PathBuf>,
    files: Mutex<HashMap<String, Arc<Vec<u8>>>>,
    faults: Mutex<HashMap<String, Vec<Fault>>>,
    requests: Mutex<Vec<Request>>,
    /// Signalled on every new request.
    requested: Condvar,
    /// Paths whose held bodies may go on.
    released: Mutex<HashSet<String>>,
    release: Condvar,
}

/// The running server; stopped when dropped.
pub struct HttpServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl HttpServer {
    /// Starts a server on 127.0.0.1 (a free port) serving files under `root`.
    pub fn start(root: Option<&Path>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("binding the test HTTP server");
        let addr = listener.local_addr().expect("local address");
        let shared = Arc::new(Shared {
            root: root.map(Path::to_path_buf),
            ..Shared::default()
        });
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let shared = shared.clone();
            let stop = stop.clone();
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    if let Ok(stream) = stream {
                        let shared = shared.clone();
                        std::thread::spawn(move || {
                            let _ = serve(stream, &shared);
                        });
                    }
                }
            })
        };
        HttpServer {
            addr,
            shared,
            stop,
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves `bytes` at `path` (taking precedence over the directory).
    pub fn add(&self, path: &str, bytes: impl Into<Vec<u8>>) {
        self.shared
            .files
            .lock()
            .unwrap()
            .insert(path.to_string(), Arc::new(bytes.into()));
    }

    /// Replaces the faults of `path` with `fault`.
    pub fn set_fault(&self, path: &str, fault: Fault) {
        self.set_faults(path, vec![fault]);
    }

    /// Replaces the faults of `path` with `faults` (e.g. a reset and an ignored Range).
    pub fn set_faults(&self, path: &str, faults: Vec<Fault>) {
        self.shared
            .faults
            .lock()
            .unwrap()
            .insert(path.to_string(), faults);
    }

    pub fn clear_faults(&self, path: &str) {
        self.shared.faults.lock().unwrap().remove(path);
    }

    /// Every request so far, in order of arrival.
    pub fn requests(&self) -> Vec<Request> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// Blocks until `count` GET requests for `path` have arrived.
    pub fn wait_for_gets(&self, path: &str, count: usize) {
        let deadline = Instant::now() + EVENT_TIMEOUT;
        let mut requests = self.shared.requests.lock().unwrap();
        loop {
            let gets = requests
                .iter()
                .filter(|r| r.method == "GET" && r.path == path)
                .count();
            if gets >= count {
                return;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "no {count} GET requests for {path}");
            requests = self
                .shared
                .requested
                .wait_timeout(requests, left)
                .unwrap()
                .0;
        }
    }

    /// Lets the bodies held by [`Fault::HoldAt`] on `path` go on.
    pub fn release(&self, path: &str) {
        self.shared
            .released
            .lock()
            .unwrap()
            .insert(path.to_string());
        self.shared.release.notify_all();
    }

    /// The GET requests for `path`.
    pub fn gets(&self, path: &str) -> Vec<Request> {
        self.requests()
            .into_iter()
            .filter(|r| r.method == "GET" && r.path == path)
            .collect()
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop, which stops at its next connection. It is
        // joined only once it has stopped: a lost wake-up must not hang the test.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(5));
        if let Some(thread) = self.thread.take() {
            if thread.is_finished() {
                let _ = thread.join();
            }
        }
    }
}

/// A Fedora CoreOS stream document with one qemu qcow2.xz disk for `arch`.
pub fn stream_json(
    arch: &str,
    location: &str,
    sha256: &str,
    uncompressed_sha256: Option<&str>,
) -> String {
    let mut disk = serde_json::json!({"location": location, "sha256": sha256});
    if let Some(sha) = uncompressed_sha256 {
        disk["uncompressed-sha256"] = sha.into();
    }
    serde_json::json!({
        "stream": "stable",
        "metadata": {"last-modified": "2024-01-01T00:00:00Z"},
        "architectures": {
            arch: {"artifacts": {"qemu": {
                "release": "40.20240101.3.0",
                "formats": {"qcow2.xz": {"disk": disk}}
            }}}
        }
    })
    .to_string()
}

fn serve(stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let target = parts.next().unwrap_or("/").to_string();
    let path = target.split('?').next().unwrap_or("/").to_string();
    let mut range = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("range") {
                range = Some(value.trim().to_string());
            }
        }
    }
    shared.requests.lock().unwrap().push(Request {
        method: method.clone(),
        path: path.clone(),
        range: range.clone(),
    });
    shared.requested.notify_all();
    let faults = shared
        .faults
        .lock()
        .unwrap()
        .get(&path)
        .cloned()
        .unwrap_or_default();
    let mut out = stream;
    if let Some(code) = faults.iter().find_map(|f| match f {
        Fault::Status(code) => Some(*code),
        _ => None,
    }) {
        return respond(&mut out, code, "text/plain", b"injected failure\n", &method);
    }
    let body = shared
        .files
        .lock()
        .unwrap()
        .get(&path)
        .cloned()
        .or_else(|| {
            let root = shared.root.as_ref()?;
            let relative = path.trim_start_matches('/');
            if relative.split('/').any(|part| part == "..") {
                return None;
            }
            std::fs::read(root.join(relative)).ok().map(Arc::new)
        });
    let Some(body) = body else {
        return respond(&mut out, 404, "text/plain", b"not found\n", &method);
    };
    let length = body.len() as u64;
    let ignore_range = faults.contains(&Fault::IgnoreRange);
    let start = match &range {
        Some(range) if !ignore_range => range
            .strip_prefix("bytes=")
            .and_then(|r| r.split('-').next())
            .and_then(|n| n.parse::<u64>().ok()),
        _ => None,
    };
    if start.is_some_and(|s| s >= length) && length > 0 {
        let header = format!(
            "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */{length}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        return out.write_all(header.as_bytes());
    }
    let from = start.unwrap_or(0);
    let mut header = match start {
        Some(from) => format!(
            "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes {from}-{}/{length}\r\n",
            length.saturating_sub(1)
        ),
        None => "HTTP/1.1 200 OK\r\n".to_string(),
    };
    header.push_str(&format!(
        "Content-Length: {}\r\nContent-Type: application/octet-stream\r\nAccept-Ranges: bytes\r\nETag: \"{length:x}\"\r\nConnection: close\r\n\r\n",
        length - from
    ));
    out.write_all(header.as_bytes())?;
    if method == "HEAD" {
        return Ok(());
    }
    // Where this response must stop early, and how.
    let mut stop_at = None;
    let mut hold_at = None;
    let mut reset = false;
    let (mut chunk, mut delay) = (64 * 1024, None);
    for fault in &faults {
        match fault {
            Fault::TruncateAt(at) => stop_at = Some(*at),
            Fault::ResetAt { at, times } if *times > 0 => {
                stop_at = Some(*at);
                reset = true;
                let mut all = shared.faults.lock().unwrap();
                if let Some(list) = all.get_mut(&path) {
                    for f in list.iter_mut() {
                        if let Fault::ResetAt { times, .. } = f {
                            *times -= 1;
                        }
                    }
                }
            }
            Fault::SlowDrip { chunk: c, delay: d } => {
                chunk = *c;
                delay = Some(*d);
            }
            Fault::HoldAt(at) => hold_at = Some(*at),
            _ => {}
        }
    }
    let end = stop_at.map_or(length, |at| at.clamp(from, length));
    let mut position = from;
    while position < end {
        if hold_at == Some(position) {
            out.flush()?;
            let mut released = shared.released.lock().unwrap();
            while !released.contains(&path) {
                released = shared.release.wait(released).unwrap();
            }
        }
        let limit = hold_at.filter(|&at| at > position).unwrap_or(end);
        let next = (position + chunk as u64).min(end).min(limit);
        out.write_all(&body[position as usize..next as usize])?;
        position = next;
        if let Some(delay) = delay {
            out.flush()?;
            std::thread::sleep(delay);
        }
    }
    out.flush()?;
    if stop_at.is_some() && reset {
        reset_connection(&out);
    }
    Ok(())
}

fn respond(
    out: &mut TcpStream,
    code: u16,
    content_type: &str,
    body: &[u8],
    method: &str,
) -> std::io::Result<()> {
    let reason = match code {
        404 => "Not Found",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    };
    let header = format!(
        "HTTP/1.1 {code} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    out.write_all(header.as_bytes())?;
    if method != "HEAD" {
        out.write_all(body)?;
    }
    Ok(())
}

/// Closes `stream` with a TCP RST instead of a FIN (SO_LINGER with zero timeout).
fn reset_connection(stream: &TcpStream) {
    use std::os::fd::AsRawFd;
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: a valid socket fd and a correctly sized linger struct.
    unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&linger as *const libc::linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        );
    }
}
