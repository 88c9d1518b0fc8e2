//! HTTP downloads that survive a bad network: the body is streamed chunk by
//! chunk; when the connection drops or the body ends early, the download
//! reconnects with a `Range` request from the byte where it stopped (and
//! skips what it already has when a server ignores `Range`), a few times with
//! back-off, before it gives up with an error naming the URL.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderMap, AUTHORIZATION, CONTENT_RANGE, RANGE};
use reqwest::{Client, RequestBuilder, Response, StatusCode, Url};

use crate::error::{ImageError, Result};

/// The waits before each successive retry without progress, in production.
const RETRY_DELAYS: [Duration; 4] = [
    Duration::from_millis(200),
    Duration::from_millis(500),
    Duration::from_secs(1),
    Duration::from_secs(2),
];

/// Overrides every wait between retries, in milliseconds (tests set it to 0
/// or a few ms; the number of attempts stays the same).
pub const RETRY_BACKOFF_ENV: &str = "BERTH_RETRY_BACKOFF_MS";

/// How often a download retries without progress, and how long it waits
/// before each retry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    delays: Arc<[Duration]>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            delays: RETRY_DELAYS.into(),
        }
    }
}

impl RetryPolicy {
    /// The same number of retries as the default, each after `delay`.
    pub fn fixed(delay: Duration) -> Self {
        RetryPolicy {
            delays: RETRY_DELAYS.map(|_| delay).into(),
        }
    }

    /// The default, or [`RetryPolicy::fixed`] with `$BERTH_RETRY_BACKOFF_MS`
    /// when that is set to a number.
    pub fn from_env() -> Self {
        std::env::var(RETRY_BACKOFF_ENV)
            .ok()
            .and_then(|ms| ms.trim().parse::<u64>().ok())
            .map_or_else(Self::default, |ms| Self::fixed(Duration::from_millis(ms)))
    }

    /// How many retries a download makes before it gives up.
    fn retries(&self) -> usize {
        self.delays.len()
    }

    fn delay(&self, failures: u32) -> Option<Duration> {
        self.delays.get(failures as usize).copied()
    }
}

/// The HTTP client every request of this crate uses (rustls, no proxies
/// beyond the environment's, a stall timeout instead of a total one).
pub(crate) fn client() -> Result<Client> {
    Client::builder()
        .user_agent(concat!("berth/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(30))
        .read_timeout(Duration::from_secs(60))
        .build()
        .map_err(|err| ImageError::http("(HTTP client setup)", &err))
}

/// The error for an unsuccessful status, with a hint for the usual causes.
pub(crate) fn status_error(url: &Url, status: StatusCode) -> ImageError {
    let hint = match status.as_u16() {
        404 | 410 => ": no image there; check the URL, tag or stream name",
        401 | 403 => ": access denied; the image must be public",
        500..=599 => ": the server failed; try again later",
        _ => "",
    };
    ImageError::HttpStatus {
        url: url.to_string(),
        status: status.as_u16(),
        hint,
    }
}

/// Sends `request` to `url` and returns the body of a successful answer.
pub(crate) async fn get_text(request: RequestBuilder, url: &Url) -> Result<String> {
    let response = request
        .send()
        .await
        .map_err(|err| ImageError::http(url, &err))?;
    success_text(response, url).await
}

/// The body of `response`, or the error for its unsuccessful status.
pub(crate) async fn success_text(response: Response, url: &Url) -> Result<String> {
    if !response.status().is_success() {
        return Err(status_error(url, response.status()));
    }
    response
        .text()
        .await
        .map_err(|err| ImageError::http(url, &err))
}

/// One download in progress.
pub(crate) struct Download {
    client: Client,
    url: Url,
    headers: HeaderMap,
    response: Option<Response>,
    /// Bytes of the file delivered so far (the file offset of the next chunk).
    offset: u64,
    total: Option<u64>,
    /// Bytes still to drop from a response that ignored `Range`.
    skip: u64,
    failures: u32,
    last_failure: String,
    retry: RetryPolicy,
}

impl Download {
    /// Requests `url` from byte `from` on. When the server ignores the range
    /// the download starts from byte 0 instead: check [`Download::offset`].
    pub async fn start(
        client: &Client,
        url: &Url,
        bearer: Option<&str>,
        from: u64,
        retry: &RetryPolicy,
    ) -> Result<Self> {
        let mut headers = HeaderMap::new();
        if let Some(token) = bearer {
            if let Ok(value) = format!("Bearer {token}").parse() {
                headers.insert(AUTHORIZATION, value);
            }
        }
        let mut download = Download {
            client: client.clone(),
            url: url.clone(),
            headers,
            response: None,
            offset: from,
            total: None,
            skip: 0,
            failures: 0,
            last_failure: String::new(),
            retry: retry.clone(),
        };
        loop {
            match download.open().await {
                Ok(()) => break,
                Err(Retry::Fatal(err)) => return Err(err),
                Err(Retry::Transient(reason)) => download.note_failure(reason).await?,
            }
        }
        // A fresh start after an ignored Range: nothing to skip, start over.
        if download.skip > 0 {
            download.offset = 0;
            download.skip = 0;
        }
        Ok(download)
    }

    pub fn offset(&self) -> u64 {
        self.offset
    }

    pub fn total(&self) -> Option<u64> {
        self.total
    }

    /// The next chunk of the body, or `None` at its end.
    pub async fn next_chunk(&mut self) -> Result<Option<Bytes>> {
        loop {
            if self.response.is_none() {
                match self.open().await {
                    Ok(()) => {}
                    Err(Retry::Fatal(err)) => return Err(err),
                    Err(Retry::Transient(reason)) => {
                        self.note_failure(reason).await?;
                        continue;
                    }
                }
            }
            let Some(response) = self.response.as_mut() else {
                continue;
            };
            match response.chunk().await {
                Ok(Some(mut chunk)) => {
                    if self.skip > 0 {
                        let drop = self.skip.min(chunk.len() as u64);
                        self.skip -= drop;
                        let _ = chunk.split_to(drop as usize);
                        if chunk.is_empty() {
                            continue;
                        }
                    }
                    self.offset += chunk.len() as u64;
                    self.failures = 0;
                    return Ok(Some(chunk));
                }
                Ok(None) => {
                    self.response = None;
                    match self.total {
                        Some(total) if self.offset < total => {
                            let reason = format!("the body ended at byte {}", self.offset);
                            self.note_failure(reason).await?;
                        }
                        _ => return Ok(None),
                    }
                }
                Err(err) => {
                    self.response = None;
                    self.note_failure(error_chain(&err)).await?;
                }
            }
        }
    }

    /// Counts a failed attempt; waits before the next, or gives up.
    async fn note_failure(&mut self, reason: String) -> Result<()> {
        self.last_failure = reason;
        let Some(delay) = self.retry.delay(self.failures) else {
            return Err(ImageError::Interrupted {
                url: self.url.to_string(),
                received: self.offset,
                expected: self
                    .total
                    .map_or_else(|| "an unknown number of".into(), |t| t.to_string()),
                attempts: self.failures + 1,
                reason: self.last_failure.clone(),
            });
        };
        self.failures += 1;
        tokio::time::sleep(delay).await;
        Ok(())
    }

    /// Sends the request for the bytes from `offset` on.
    async fn open(&mut self) -> std::result::Result<(), Retry> {
        let mut request = self
            .client
            .get(self.url.clone())
            .headers(self.headers.clone());
        if self.offset > 0 {
            request = request.header(RANGE, format!("bytes={}-", self.offset));
        }
        let response = request
            .send()
            .await
            .map_err(|err| Retry::Transient(error_chain(&err)))?;
        let status = response.status();
        match status {
            StatusCode::PARTIAL_CONTENT => {
                let (start, total) = response
                    .headers()
                    .get(CONTENT_RANGE)
                    .and_then(|value| value.to_str().ok())
                    .and_then(parse_content_range)
                    .ok_or_else(|| {
                        Retry::Transient("a 206 answer without a usable Content-Range".into())
                    })?;
                if start != self.offset {
                    return Err(Retry::Transient(format!(
                        "asked for bytes from {} and got bytes from {start}",
                        self.offset
                    )));
                }
                self.total = total.or(self.total);
                self.skip = 0;
            }
            StatusCode::OK => {
                self.total = response.content_length();
                self.skip = self.offset;
            }
            StatusCode::RANGE_NOT_SATISFIABLE if self.total == Some(self.offset) => {
                // Everything has arrived already.
            }
            _ if status.is_server_error() => {
                return match self.failures as usize {
                    n if n < self.retry.retries() => {
                        Err(Retry::Transient(format!("HTTP {status}")))
                    }
                    _ => Err(Retry::Fatal(status_error(&self.url, status))),
                }
            }
            _ => return Err(Retry::Fatal(status_error(&self.url, status))),
        }
        self.response = Some(response);
        Ok(())
    }
}

enum Retry {
    Transient(String),
    Fatal(ImageError),
}

/// `bytes START-END/TOTAL` -> (START, TOTAL when not `*`).
fn parse_content_range(value: &str) -> Option<(u64, Option<u64>)> {
    let rest = value.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (start, _end) = range.split_once('-')?;
    Some((start.trim().parse().ok()?, total.trim().parse().ok()))
}

/// An error and its causes on one line (reqwest hides the interesting part).
pub(crate) fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_range_values() {
        assert_eq!(
            parse_content_range("bytes 100-199/1000"),
            Some((100, Some(1000)))
        );
        assert_eq!(parse_content_range("bytes 5-9/*"), Some((5, None)));
        assert_eq!(parse_content_range("items 1-2/3"), None);
    }
}
