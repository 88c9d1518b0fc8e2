//! The HTTP client: hyper 1.x HTTP/1 connections over any transport's byte
//! stream, one connection reused for sequential requests (a second one is
//! opened only while the first is busy streaming), the `_ping` version check,
//! error mapping, and protocol upgrades for attach/exec.

use std::sync::Mutex;

use bytes::Bytes;
use http::header::{CONNECTION, CONTENT_TYPE, HOST, UPGRADE};
use http::{Method, Request, Response, StatusCode};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Incoming;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::connection::Destination;
use crate::error::{Error, Result};
use crate::transport::Transport;
use crate::version::ApiVersion;

/// The body of a request: bytes or a stream (e.g. a tar archive).
pub type RequestBody = BoxBody<Bytes, std::io::Error>;

/// The libpod API version berth speaks; older servers are refused. It is
/// also the version in request paths, which every newer server accepts.
pub const MIN_LIBPOD_API: ApiVersion = ApiVersion::new(4, 0, 0);
/// The Docker-compatible API version used for compat endpoints.
pub const COMPAT_API: &str = "v1.41";

/// One API request: method, path below the API prefix, query and body.
#[derive(Debug)]
pub struct ApiRequest {
    pub method: Method,
    /// The full path, e.g. `/v4.0.0/libpod/containers/json`.
    pub path: String,
    query: Vec<(String, String)>,
    headers: Vec<(&'static str, String)>,
    body: Option<(Payload, &'static str)>,
    what: String,
}

/// A request body: bytes in memory, or a stream that is sent as it is
/// produced (chunked), e.g. a build context or an image archive.
enum Payload {
    Bytes(Bytes),
    Stream(RequestBody),
}

impl std::fmt::Debug for Payload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Payload::Bytes(bytes) => write!(f, "{} bytes", bytes.len()),
            Payload::Stream(_) => f.write_str("a stream"),
        }
    }
}

impl ApiRequest {
    /// A libpod request; `path` starts with `/` (e.g. `/containers/json`).
    pub fn libpod(method: Method, path: &str) -> Self {
        Self::with_prefix(method, &format!("/v{MIN_LIBPOD_API}/libpod"), path)
    }

    /// A Docker-compatible request (e.g. `/containers/json`).
    pub fn compat(method: Method, path: &str) -> Self {
        Self::with_prefix(method, &format!("/{COMPAT_API}"), path)
    }

    fn with_prefix(method: Method, prefix: &str, path: &str) -> Self {
        ApiRequest {
            what: format!("{method} {path}"),
            method,
            path: format!("{prefix}{path}"),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        }
    }

    /// Adds a query parameter.
    pub fn query(mut self, key: &str, value: impl ToString) -> Self {
        self.query.push((key.to_string(), value.to_string()));
        self
    }

    /// Adds a query parameter when `value` is `Some`.
    pub fn query_opt(self, key: &str, value: Option<impl ToString>) -> Self {
        match value {
            Some(value) => self.query(key, value),
            None => self,
        }
    }

    /// Adds a boolean query parameter only when it is true (podman's defaults are false).
    pub fn flag(self, key: &str, on: bool) -> Self {
        if on {
            self.query(key, true)
        } else {
            self
        }
    }

    /// Adds a header (e.g. `X-Registry-Auth`).
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Sets a JSON body.
    pub fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Result<Self> {
        let bytes = serde_json::to_vec(body).map_err(|error| Error::Decode {
            what: format!("the body of {}", self.what),
            error,
        })?;
        self.body = Some((Payload::Bytes(Bytes::from(bytes)), "application/json"));
        Ok(self)
    }

    /// Sets a raw body with its content type.
    pub fn body(mut self, bytes: impl Into<Bytes>, content_type: &'static str) -> Self {
        self.body = Some((Payload::Bytes(bytes.into()), content_type));
        self
    }

    /// Sets a streamed body with its content type: it is sent chunked while
    /// the stream produces it, never held in memory as a whole.
    pub fn stream(mut self, body: RequestBody, content_type: &'static str) -> Self {
        self.body = Some((Payload::Stream(body), content_type));
        self
    }

    /// What this request is, for error messages (`GET /containers/json`).
    pub fn what(&self) -> &str {
        &self.what
    }

    fn uri(&self) -> String {
        if self.query.is_empty() {
            return self.path.clone();
        }
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (key, value) in &self.query {
            query.append_pair(key, value);
        }
        format!("{}?{}", self.path, query.finish())
    }

    fn into_http(self, upgrade: bool) -> std::result::Result<Request<RequestBody>, http::Error> {
        let mut builder = Request::builder()
            .method(self.method.clone())
            .uri(self.uri())
            .header(HOST, "d");
        if upgrade {
            builder = builder.header(CONNECTION, "Upgrade").header(UPGRADE, "tcp");
        }
        for (name, value) in &self.headers {
            builder = builder.header(*name, value.as_str());
        }
        let body = match self.body {
            Some((Payload::Bytes(bytes), content_type)) => {
                builder = builder.header(CONTENT_TYPE, content_type);
                Full::new(bytes).map_err(|never| match never {}).boxed()
            }
            Some((Payload::Stream(body), content_type)) => {
                builder = builder.header(CONTENT_TYPE, content_type);
                body
            }
            None => Empty::new().map_err(|never| match never {}).boxed(),
        };
        builder.body(body)
    }
}

/// Escapes one path segment like Go's `url.PathEscape` (names and ids in
/// paths: `localhost/busybox:test` becomes `localhost%2Fbusybox:test`).
pub fn path_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~$&+=:@".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A connected client: the transport, the checked server version and an
/// idle HTTP connection kept for the next request.
pub struct Client {
    uri: String,
    transport: Transport,
    idle: Mutex<Option<SendRequest<RequestBody>>>,
    server_api: ApiVersion,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("uri", &self.uri)
            .field("server_api", &self.server_api)
            .finish()
    }
}

impl Client {
    /// Connects to `destination` and checks with `_ping` that it is a podman
    /// service of at least [`MIN_LIBPOD_API`].
    pub async fn connect(destination: &Destination) -> Result<Client> {
        let endpoint = destination.endpoint()?;
        let transport = match (
            Transport::new(&endpoint, destination.identity.as_deref()),
            &destination.known_hosts,
        ) {
            (Transport::Ssh(ssh), Some(known_hosts)) => {
                Transport::Ssh(Box::new(ssh.with_known_hosts(known_hosts.clone())))
            }
            (transport, _) => transport,
        };
        Self::connect_with(endpoint.to_string(), transport).await
    }

    /// Like [`Client::connect`] with an explicit transport (e.g. SSH with a key).
    pub async fn connect_with(uri: String, transport: Transport) -> Result<Client> {
        let mut client = Client {
            uri,
            transport,
            idle: Mutex::new(None),
            server_api: MIN_LIBPOD_API,
        };
        client.server_api = client.ping().await?;
        Ok(client)
    }

    /// The URI this client talks to.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The server's libpod API version (from `_ping`).
    pub fn server_api_version(&self) -> ApiVersion {
        self.server_api
    }

    /// `GET /_ping`: checks `Libpod-API-Version` and returns it.
    async fn ping(&self) -> Result<ApiVersion> {
        let request = ApiRequest::libpod(Method::GET, "/_ping");
        let (response, sender) = self.round_trip(request, false).await?;
        let status = response.status();
        let header = response
            .headers()
            .get("Libpod-API-Version")
            .and_then(|value| value.to_str().ok())
            .map(str::to_string);
        self.collect(response).await?;
        self.put_idle(sender);
        if !status.is_success() {
            return Err(Error::NotPodman {
                uri: self.uri.clone(),
                reason: format!("_ping answered with status {}", status.as_u16()),
            });
        }
        let Some(header) = header else {
            return Err(Error::NotPodman {
                uri: self.uri.clone(),
                reason: "no Libpod-API-Version in its _ping answer".into(),
            });
        };
        let Some(version) = ApiVersion::parse(&header) else {
            return Err(Error::NotPodman {
                uri: self.uri.clone(),
                reason: format!("unreadable Libpod-API-Version {header:?}"),
            });
        };
        if version < MIN_LIBPOD_API {
            return Err(Error::ServerTooOld {
                client: MIN_LIBPOD_API.to_string(),
                server: version.to_string(),
            });
        }
        Ok(version)
    }

    /// Sends `request` and returns the response with a successful status;
    /// an error status becomes [`Error::Api`]. The body is left to the
    /// caller (streams, logs); the connection is not reused.
    pub async fn send(&self, request: ApiRequest) -> Result<Response<Incoming>> {
        let (response, sender) = self.round_trip(request, false).await?;
        if response.status().is_client_error() || response.status().is_server_error() {
            return Err(self.api_error(response, sender).await);
        }
        // The caller may hold this body open (logs -f, pull progress) while
        // sending other requests, so its connection is not shared.
        drop(sender);
        Ok(response)
    }

    /// Sends `request` and returns its status and headers whatever the
    /// status, ignoring the body (HEAD requests answer in their headers).
    pub async fn head(&self, request: ApiRequest) -> Result<(StatusCode, http::HeaderMap)> {
        let (response, sender) = self.round_trip(request, false).await?;
        let status = response.status();
        let headers = response.headers().clone();
        self.collect(response).await?;
        self.put_idle(sender);
        Ok((status, headers))
    }

    /// Sends `request` and returns the status and whole body whatever the
    /// status (for endpoints that answer errors in their own shape).
    pub async fn bytes_any_status(&self, request: ApiRequest) -> Result<(StatusCode, Bytes)> {
        let (response, sender) = self.round_trip(request, false).await?;
        let status = response.status();
        let body = self.collect(response).await?;
        self.put_idle(sender);
        Ok((status, body))
    }

    /// Sends `request` and decodes a JSON answer.
    pub async fn json<T: DeserializeOwned>(&self, request: ApiRequest) -> Result<T> {
        let what = request.what().to_string();
        let bytes = self.bytes(request).await?;
        serde_json::from_slice(&bytes).map_err(|error| Error::Decode { what, error })
    }

    /// Sends `request` and returns the whole body.
    pub async fn bytes(&self, request: ApiRequest) -> Result<Bytes> {
        let (response, sender) = self.round_trip(request, false).await?;
        if response.status().is_client_error() || response.status().is_server_error() {
            return Err(self.api_error(response, sender).await);
        }
        let body = self.collect(response).await?;
        self.put_idle(sender);
        Ok(body)
    }

    /// Sends `request`, expects success and ignores the body.
    pub async fn empty(&self, request: ApiRequest) -> Result<()> {
        self.status(request).await.map(drop)
    }

    /// Sends `request`, expects success, ignores the body and returns the
    /// status (e.g. 304 "already started").
    pub async fn status(&self, request: ApiRequest) -> Result<StatusCode> {
        let (response, sender) = self.round_trip(request, false).await?;
        let status = response.status();
        if status.is_client_error() || status.is_server_error() {
            return Err(self.api_error(response, sender).await);
        }
        self.collect(response).await?;
        self.put_idle(sender);
        Ok(status)
    }

    /// Sends `request` asking to upgrade the connection (attach, exec start)
    /// and returns the raw bidirectional stream once the server switched.
    pub async fn upgrade(&self, request: ApiRequest) -> Result<crate::stream::Upgraded> {
        let what = request.what().to_string();
        let (response, sender) = self.round_trip(request, true).await?;
        let status = response.status();
        if status.is_client_error() || status.is_server_error() {
            return Err(self.api_error(response, sender).await);
        }
        if status != StatusCode::SWITCHING_PROTOCOLS {
            return Err(Error::NoUpgrade {
                what,
                status: status.as_u16(),
            });
        }
        let upgraded = hyper::upgrade::on(response)
            .await
            .map_err(|error| self.http_error(error))?;
        Ok(crate::stream::Upgraded::new(TokioIo::new(upgraded)))
    }

    async fn collect(&self, response: Response<Incoming>) -> Result<Bytes> {
        response
            .into_body()
            .collect()
            .await
            .map(|collected| collected.to_bytes())
            .map_err(|error| self.http_error(error))
    }

    async fn api_error(
        &self,
        response: Response<Incoming>,
        sender: SendRequest<RequestBody>,
    ) -> Error {
        let status = response.status().as_u16();
        let body = match self.collect(response).await {
            Ok(body) => body,
            Err(err) => return err,
        };
        self.put_idle(sender);
        parse_api_error(status, &body)
    }

    fn http_error(&self, error: hyper::Error) -> Error {
        Error::Http {
            uri: self.uri.clone(),
            error,
        }
    }

    /// Sends one request on the idle connection, or on a new one when there
    /// is none or it has been closed. A reused connection that turns out to
    /// be closed is retried once on a fresh one.
    async fn round_trip(
        &self,
        request: ApiRequest,
        upgrade: bool,
    ) -> Result<(Response<Incoming>, SendRequest<RequestBody>)> {
        let http = request.into_http(upgrade).map_err(|err| {
            Error::Uri(crate::connection::UriError::Invalid {
                uri: self.uri.clone(),
                reason: err.to_string(),
            })
        })?;
        if let Some(mut sender) = self.take_idle() {
            if sender.ready().await.is_ok() {
                // Only a body-less request can be replayed after a failure.
                let (parts, body) = http.into_parts();
                let replay = body_is_empty(&body).then(|| parts.clone());
                match sender.send_request(Request::from_parts(parts, body)).await {
                    Ok(response) => return Ok((response, sender)),
                    Err(err) => match replay {
                        Some(parts) if err.is_closed() || err.is_canceled() => {
                            let http = Request::from_parts(parts, empty_body());
                            return self.round_trip_fresh(http).await;
                        }
                        _ => return Err(self.http_error(err)),
                    },
                }
            }
        }
        self.round_trip_fresh(http).await
    }

    async fn round_trip_fresh(
        &self,
        http: Request<RequestBody>,
    ) -> Result<(Response<Incoming>, SendRequest<RequestBody>)> {
        let mut sender = self.open_connection().await?;
        let response = sender
            .send_request(http)
            .await
            .map_err(|error| self.http_error(error))?;
        Ok((response, sender))
    }

    async fn open_connection(&self) -> Result<SendRequest<RequestBody>> {
        let stream = self
            .transport
            .open()
            .await
            .map_err(|error| Error::Connect {
                uri: self.uri.clone(),
                error: Box::new(error),
            })?;
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|error| self.http_error(error))?;
        tokio::spawn(async move {
            // Errors surface on the request side; the task only drives I/O.
            let _ = connection.with_upgrades().await;
        });
        Ok(sender)
    }

    fn take_idle(&self) -> Option<SendRequest<RequestBody>> {
        self.idle.lock().ok().and_then(|mut idle| idle.take())
    }

    fn put_idle(&self, sender: SendRequest<RequestBody>) {
        if sender.is_closed() {
            return;
        }
        if let Ok(mut idle) = self.idle.lock() {
            *idle = Some(sender);
        }
    }
}

fn empty_body() -> RequestBody {
    Empty::new().map_err(|never| match never {}).boxed()
}

fn body_is_empty(body: &RequestBody) -> bool {
    use hyper::body::Body;
    body.is_end_stream()
}

/// Turns an error response into [`Error::Api`]: podman's JSON
/// `{"cause","message","response"}`, or the raw text when it is not JSON.
pub fn parse_api_error(status: u16, body: &[u8]) -> Error {
    #[derive(serde::Deserialize)]
    struct Shape {
        #[serde(default)]
        cause: String,
        #[serde(default)]
        message: String,
    }
    match serde_json::from_slice::<Shape>(body) {
        Ok(shape) if !shape.message.is_empty() => Error::Api {
            status,
            message: shape.message,
            cause: shape.cause,
        },
        _ => {
            let text = String::from_utf8_lossy(body).trim().to_string();
            let message = if text.is_empty() {
                format!("the service answered with status {status}")
            } else {
                text
            };
            Error::Api {
                status,
                message,
                cause: String::new(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_errors_keep_status_and_message() {
        let err = parse_api_error(
            404,
            br#"{"cause":"no such container","message":"no container with name or ID \"x\" found: no such container","response":404}"#,
        );
        assert!(err.is_not_found());
        assert_eq!(
            err.to_string(),
            "no container with name or ID \"x\" found: no such container"
        );
        let err = parse_api_error(500, b"boom\n");
        assert_eq!(
            (err.status(), err.to_string()),
            (Some(500), "boom".to_string())
        );
    }

    #[test]
    fn path_segments_are_escaped_like_go() {
        assert_eq!(
            path_segment("localhost/busybox:test"),
            "localhost%2Fbusybox:test"
        );
        assert_eq!(path_segment("a b?c"), "a%20b%3Fc");
    }

    #[test]
    fn queries_are_encoded() {
        let request = ApiRequest::libpod(Method::GET, "/containers/json")
            .flag("all", true)
            .flag("size", false)
            .query("filters", r#"{"name":["a b"]}"#);
        assert_eq!(
            request.uri(),
            "/v4.0.0/libpod/containers/json?all=true&filters=%7B%22name%22%3A%5B%22a+b%22%5D%7D"
        );
    }
}
