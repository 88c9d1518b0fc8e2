//! Just enough HTTP/1.1 to talk to the guest's podman service over an SSH
//! channel: one `GET` whose JSON body is read to the end, `_ping`, and the
//! libpod event stream (a chunked body of JSON lines) read event by event.
//! The agent uses it to follow containers for port forwarding and to wait
//! for the service in `start`.

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};

/// The libpod API version the agent speaks (podman 4.0 and later have it).
pub const API_PREFIX: &str = "/v4.0.0/libpod";

/// Errors of HTTP exchanges with the guest's engine.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("engine request {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("engine request {path}: {message}")]
    Http { path: String, message: String },
}

/// A response's status and how its body is framed.
struct Head {
    status: u16,
    chunked: bool,
    length: Option<usize>,
}

/// Reads a response head (status line and headers).
async fn read_head<R: AsyncBufReadExt + Unpin>(
    reader: &mut R,
    path: &str,
) -> Result<Head, EngineError> {
    let io = |source| EngineError::Io {
        path: path.to_string(),
        source,
    };
    let http = |message: String| EngineError::Http {
        path: path.to_string(),
        message,
    };
    let mut line = String::new();
    if reader.read_line(&mut line).await.map_err(io)? == 0 {
        return Err(http("the connection closed before a response".into()));
    }
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| http(format!("bad status line {:?}", line.trim_end())))?;
    let mut head = Head {
        status,
        chunked: false,
        length: None,
    };
    loop {
        line.clear();
        if reader.read_line(&mut line).await.map_err(io)? == 0 {
            return Err(http("the connection closed inside the headers".into()));
        }
        let header = line.trim_end();
        if header.is_empty() {
            return Ok(head);
        }
        if let Some((name, value)) = header.split_once(':') {
            let value = value.trim();
            if name.eq_ignore_ascii_case("transfer-encoding") {
                head.chunked = value.eq_ignore_ascii_case("chunked");
            } else if name.eq_ignore_ascii_case("content-length") {
                head.length = value.parse().ok();
            }
        }
    }
}

/// Reads one chunk of a chunked body; `None` at the last (empty) chunk.
async fn read_chunk<R: AsyncBufReadExt + Unpin>(
    reader: &mut R,
    path: &str,
) -> Result<Option<Vec<u8>>, EngineError> {
    let io = |source| EngineError::Io {
        path: path.to_string(),
        source,
    };
    let mut line = String::new();
    if reader.read_line(&mut line).await.map_err(io)? == 0 {
        return Ok(None);
    }
    let size_text = line.trim_end().split(';').next().unwrap_or_default();
    let size = usize::from_str_radix(size_text.trim(), 16).map_err(|_| EngineError::Http {
        path: path.to_string(),
        message: format!("bad chunk size {:?}", line.trim_end()),
    })?;
    let mut data = vec![0; size + 2];
    reader.read_exact(&mut data).await.map_err(io)?;
    data.truncate(size);
    Ok((size > 0).then_some(data))
}

fn request_text(path: &str, close: bool) -> String {
    format!(
        "GET {path} HTTP/1.1\r\nHost: d\r\n{}\r\n",
        if close { "Connection: close\r\n" } else { "" }
    )
}

/// Sends `GET path` on a fresh connection to the engine (closed after the
/// answer) and reads the response head.
async fn get_head<S>(stream: S, path: &str) -> Result<(BufReader<S>, Head), EngineError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut reader = BufReader::new(stream);
    reader
        .get_mut()
        .write_all(request_text(path, true).as_bytes())
        .await
        .map_err(|source| EngineError::Io {
            path: path.to_string(),
            source,
        })?;
    let head = read_head(&mut reader, path).await?;
    Ok((reader, head))
}

/// `GET /_ping` on a fresh connection: `Ok` once the engine answers 200.
pub async fn ping<S>(stream: S) -> Result<(), EngineError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let path = "/_ping";
    match get_head(stream, path).await?.1.status {
        200 => Ok(()),
        status => Err(EngineError::Http {
            path: path.to_string(),
            message: format!("status {status}"),
        }),
    }
}

/// `GET path` on a fresh connection to the engine; returns the JSON body.
pub async fn get_json<S>(stream: S, path: &str) -> Result<Value, EngineError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let io = |source| EngineError::Io {
        path: path.to_string(),
        source,
    };
    let (mut reader, head) = get_head(stream, path).await?;
    let mut body = Vec::new();
    if head.chunked {
        while let Some(chunk) = read_chunk(&mut reader, path).await? {
            body.extend_from_slice(&chunk);
        }
    } else if let Some(length) = head.length {
        body.resize(length, 0);
        reader.read_exact(&mut body).await.map_err(io)?;
    } else {
        reader.read_to_end(&mut body).await.map_err(io)?;
    }
    if !(200..300).contains(&head.status) {
        return Err(EngineError::Http {
            path: path.to_string(),
            message: format!(
                "status {}: {}",
                head.status,
                String::from_utf8_lossy(&body).trim()
            ),
        });
    }
    serde_json::from_slice(&body).map_err(|err| EngineError::Http {
        path: path.to_string(),
        message: format!("the body is not JSON: {err}"),
    })
}

/// A streaming response of JSON lines (the engine's events).
pub struct JsonLines<S> {
    reader: BufReader<S>,
    path: String,
    head_read: bool,
    chunked: bool,
    pending: Vec<u8>,
    done: bool,
}

impl<S: AsyncRead + AsyncWrite + Unpin> JsonLines<S> {
    /// Sends `GET path`; the response head is read by the first [`JsonLines::next`]
    /// (a server may hold it back until it has something to send).
    pub async fn open(stream: S, path: &str) -> Result<Self, EngineError> {
        let mut reader = BufReader::new(stream);
        reader
            .get_mut()
            .write_all(request_text(path, false).as_bytes())
            .await
            .map_err(|source| EngineError::Io {
                path: path.to_string(),
                source,
            })?;
        Ok(JsonLines {
            reader,
            path: path.to_string(),
            head_read: false,
            chunked: false,
            pending: Vec::new(),
            done: false,
        })
    }

    async fn read_head(&mut self) -> Result<(), EngineError> {
        let head = read_head(&mut self.reader, &self.path).await?;
        if !(200..300).contains(&head.status) {
            return Err(EngineError::Http {
                path: self.path.clone(),
                message: format!("status {}", head.status),
            });
        }
        self.chunked = head.chunked;
        self.head_read = true;
        Ok(())
    }

    /// The next JSON value; `None` when the stream ends.
    pub async fn next(&mut self) -> Result<Option<Value>, EngineError> {
        if !self.head_read {
            self.read_head().await?;
        }
        loop {
            if let Some(end) = self.pending.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = self.pending.drain(..=end).collect();
                let text = String::from_utf8_lossy(&line);
                if text.trim().is_empty() {
                    continue;
                }
                return serde_json::from_str(text.trim()).map(Some).map_err(|err| {
                    EngineError::Http {
                        path: self.path.clone(),
                        message: format!("an event is not JSON ({err}): {}", text.trim()),
                    }
                });
            }
            if self.done {
                return Ok(None);
            }
            let data = if self.chunked {
                read_chunk(&mut self.reader, &self.path).await?
            } else {
                let mut buffer = vec![0; 16 * 1024];
                let read =
                    self.reader
                        .read(&mut buffer)
                        .await
                        .map_err(|source| EngineError::Io {
                            path: self.path.clone(),
                            source,
                        })?;
                buffer.truncate(read);
                (read > 0).then_some(buffer)
            };
            match data {
                Some(data) => self.pending.extend_from_slice(&data),
                None => {
                    self.done = true;
                    // A last line without a newline still counts.
                    if !self.pending.is_empty() {
                        self.pending.push(b'\n');
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::duplex;

    #[tokio::test]
    async fn get_json_reads_chunked_and_sized_bodies() {
        for response in [
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n[{\"a\r\n5\r\n\":1}]\r\n0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n[{\"a\":1}]\n",
        ] {
            let (client, mut server) = duplex(4096);
            let serve = tokio::spawn(async move {
                let mut request = vec![0; 1024];
                let read = server.read(&mut request).await.unwrap();
                let request = String::from_utf8_lossy(&request[..read]).to_string();
                server.write_all(response.as_bytes()).await.unwrap();
                request
            });
            let value = get_json(client, "/v4.0.0/libpod/containers/json")
                .await
                .unwrap();
            assert_eq!(value, serde_json::json!([{"a": 1}]));
            let request = serve.await.unwrap();
            assert!(
                request.starts_with("GET /v4.0.0/libpod/containers/json HTTP/1.1\r\n"),
                "{request}"
            );
        }
    }

    #[tokio::test]
    async fn errors_carry_the_status_and_body() {
        let (client, mut server) = duplex(4096);
        tokio::spawn(async move {
            let mut request = vec![0; 1024];
            let _ = server.read(&mut request).await.unwrap();
            server
                .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nno such x")
                .await
                .unwrap();
        });
        let err = get_json(client, "/x").await.unwrap_err().to_string();
        assert!(err.contains("status 404: no such x"), "{err}");
    }

    /// `_ping` is answered only by a 200; anything else, or a connection
    /// closed without a response, is an error.
    #[tokio::test]
    async fn ping_wants_200() {
        for (response, ok) in [
            ("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK", true),
            ("HTTP/1.1 503 Service Unavailable\r\n\r\n", false),
            ("", false),
        ] {
            let (client, mut server) = duplex(4096);
            tokio::spawn(async move {
                let mut request = vec![0; 1024];
                let _ = server.read(&mut request).await.unwrap();
                server.write_all(response.as_bytes()).await.unwrap();
            });
            assert_eq!(ping(client).await.is_ok(), ok, "{response:?}");
        }
    }

    #[tokio::test]
    async fn json_lines_split_across_chunks() {
        let (client, mut server) = duplex(4096);
        tokio::spawn(async move {
            let mut request = vec![0; 1024];
            let _ = server.read(&mut request).await.unwrap();
            server
                .write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                .await
                .unwrap();
            for chunk in ["{\"status\":", "\"start\"}\n{\"st", "atus\":\"died\"}\n"] {
                let framed = format!("{:x}\r\n{chunk}\r\n", chunk.len());
                server.write_all(framed.as_bytes()).await.unwrap();
            }
            server.write_all(b"0\r\n\r\n").await.unwrap();
        });
        let mut lines = JsonLines::open(client, "/events").await.unwrap();
        assert_eq!(lines.next().await.unwrap().unwrap()["status"], "start");
        assert_eq!(lines.next().await.unwrap().unwrap()["status"], "died");
        assert!(lines.next().await.unwrap().is_none());
    }
}
