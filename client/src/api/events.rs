//! The engine's event stream (`GET /libpod/events`): Docker-style event
//! messages, one JSON object per line, followed live or read up to now.

use std::collections::BTreeMap;

use http::Method;
use serde::{Deserialize, Serialize};

use crate::api::containers::{filters_json, Filters};
use crate::client::{ApiRequest, Client};
use crate::error::Result;
use crate::stream::{BodyReader, JsonLines};

/// One event as the engine sends it (podman's `entities.Event`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Event {
    /// `container`, `image`, `pod`, `volume`, `network`, `system`, ...
    #[serde(rename = "Type")]
    pub kind: String,
    /// `create`, `start`, `died`, `remove`, ...
    #[serde(rename = "Action")]
    pub action: String,
    #[serde(rename = "Actor")]
    pub actor: EventActor,
    /// Unix seconds.
    #[serde(rename = "time")]
    pub time: i64,
    #[serde(rename = "timeNano")]
    pub time_nano: i64,
    #[serde(rename = "HealthStatus", skip_serializing_if = "String::is_empty")]
    pub health_status: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EventActor {
    #[serde(rename = "ID")]
    pub id: String,
    #[serde(rename = "Attributes")]
    pub attributes: BTreeMap<String, String>,
}

/// `events` options. `since`/`until` are read by the engine (times,
/// durations such as `5m`, Unix timestamps).
#[derive(Debug, Clone, Default)]
pub struct EventsOptions {
    pub filters: Filters,
    pub since: Option<String>,
    pub until: Option<String>,
    /// Keep the stream open for new events.
    pub stream: bool,
}

/// A stream of events; ends when the engine closes it (without `stream`,
/// once the past events have been sent).
pub struct EventStream {
    lines: JsonLines<BodyReader>,
}

impl EventStream {
    /// The next event, or `None` at the end of the stream. The engine
    /// reports a failure after its 200 answer as an error object in the
    /// stream, which becomes [`Error::Api`](crate::Error::Api).
    pub async fn next(&mut self) -> Result<Option<Event>> {
        let line: Option<serde_json::Value> =
            self.lines
                .next()
                .await
                .map_err(|error| crate::Error::Stream {
                    what: "events".into(),
                    error,
                })?;
        let Some(line) = line else {
            return Ok(None);
        };
        if line.get("Type").is_none() {
            if let Some(message) = line.get("message").and_then(|m| m.as_str()) {
                return Err(crate::Error::Api {
                    status: line["response"].as_u64().unwrap_or(500) as u16,
                    message: message.to_string(),
                    cause: line["cause"].as_str().unwrap_or_default().to_string(),
                });
            }
        }
        serde_json::from_value(line)
            .map(Some)
            .map_err(|error| crate::Error::Decode {
                what: "GET /events".into(),
                error,
            })
    }
}

pub async fn events(client: &Client, options: &EventsOptions) -> Result<EventStream> {
    let request = ApiRequest::libpod(Method::GET, "/events")
        .query("stream", options.stream)
        .query_opt("since", options.since.as_deref())
        .query_opt("until", options.until.as_deref())
        .query_opt("filters", filters_json(&options.filters));
    let response = client.send(request).await?;
    Ok(EventStream {
        lines: JsonLines::new(BodyReader::new(response.into_body())),
    })
}

/// The events so far that match `filters` (`{"container":["id"],"event":["died"]}`),
/// oldest first, without waiting for new ones.
pub async fn past(client: &Client, filters: &Filters) -> Result<Vec<Event>> {
    let options = EventsOptions {
        filters: filters.clone(),
        ..EventsOptions::default()
    };
    let mut stream = events(client, &options).await?;
    let mut past = Vec::new();
    while let Some(event) = stream.next().await? {
        past.push(event);
    }
    Ok(past)
}
