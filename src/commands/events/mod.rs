//! `berth events`: the engine's events as podman prints them (one line of
//! text, a Go template or JSON per event), followed live unless
//! `--stream=false`; `--since`/`--until` replay past events.

use std::collections::BTreeMap;
use std::io::Write;

use berth_client::api::events::{self, Event, EventsOptions};
use serde::Serialize;

use crate::cli::events::EventsArgs;
use crate::cli::GlobalArgs;
use crate::output::humanize::Timestamp;
use crate::output::json;
use crate::output::report::{self, Formatter, Origin, Report};

pub async fn run(global: &GlobalArgs, args: &EventsArgs) -> anyhow::Result<u8> {
    let mut filters = berth_client::api::containers::Filters::new();
    for filter in &args.filters {
        let Some((key, value)) = filter.split_once('=') else {
            anyhow::bail!("invalid filter {filter:?}");
        };
        filters
            .entry(key.to_string())
            .or_default()
            .push(value.to_string());
    }
    let output = match args.format.as_deref() {
        Some(format) if report::is_json(format) => Output::Json,
        Some(format) => Output::Template(Formatter::parse("events", Origin::Unknown, format)?),
        None => Output::Human,
    };
    let client = crate::connection::connect(global).await?;
    let options = EventsOptions {
        filters,
        since: args.since.clone(),
        until: args.until.clone(),
        stream: args.stream,
    };
    let mut stream = events::events(&client, &options).await?;
    while let Some(event) = stream.next().await? {
        let event = LibpodEvent::from(event);
        let mut stdout = std::io::stdout().lock();
        match &output {
            Output::Json => writeln!(stdout, "{}", event.to_json()?)?,
            Output::Template(formatter) => {
                let mut report = Report::new(&mut stdout, formatter.clone());
                report.execute(&event)?;
                report.flush()?;
            }
            Output::Human => writeln!(stdout, "{}", event.human(!args.no_trunc))?,
        }
        stdout.flush()?;
    }
    Ok(0)
}

enum Output {
    Human,
    Json,
    Template(Formatter),
}

/// podman's `events.Event`, which its remote client makes of the engine's
/// Docker-style message: what templates and `--format json` see.
#[derive(Debug, Serialize)]
#[serde(rename = "*events.Event")]
#[allow(non_snake_case)]
struct LibpodEvent {
    ContainerExitCode: i64,
    ID: String,
    Image: String,
    Name: String,
    Network: String,
    Status: String,
    Time: String,
    Type: String,
    HealthStatus: String,
    PodID: String,
    Attributes: BTreeMap<String, String>,
    #[serde(skip)]
    time: Timestamp,
}

impl From<Event> for LibpodEvent {
    fn from(event: Event) -> Self {
        let mut attributes = event.actor.attributes;
        let image = attributes.remove("image").unwrap_or_default();
        let name = attributes.remove("name").unwrap_or_default();
        let exit_code = attributes
            .remove("containerExitCode")
            .and_then(|code| code.parse().ok())
            .unwrap_or_default();
        // podman keeps `podId` among the attributes too.
        let pod_id = attributes.get("podId").cloned().unwrap_or_default();
        let time = local_time(event.time_nano);
        LibpodEvent {
            ContainerExitCode: exit_code,
            ID: event.actor.id,
            Image: image,
            Name: name,
            Network: String::new(),
            Status: event.action,
            Time: time.go_string(),
            Type: event.kind,
            HealthStatus: event.health_status,
            PodID: pod_id,
            Attributes: attributes,
            time,
        }
    }
}

impl LibpodEvent {
    /// podman's `ToHumanReadable` (attributes in key order; podman's
    /// order is Go's random map order).
    fn human(&self, truncate: bool) -> String {
        let id: String = if truncate {
            self.ID.chars().take(12).collect()
        } else {
            self.ID.clone()
        };
        let head = format!("{} {} {}", self.Time, self.Type, self.Status);
        match self.Type.as_str() {
            "container" | "pod" => {
                let mut text = format!("{head} {id} (image={}, name={}", self.Image, self.Name);
                if !self.PodID.is_empty() {
                    text.push_str(&format!(", pod_id={}", self.PodID));
                }
                if !self.HealthStatus.is_empty() {
                    text.push_str(&format!(", health_status={}", self.HealthStatus));
                }
                for (key, value) in &self.Attributes {
                    text.push_str(&format!(", {key}={value}"));
                }
                text.push(')');
                text
            }
            "network" => format!("{head} {id} (container={id}, name={})", self.Network),
            "image" => format!("{head} {id} {}", self.Name),
            "system" if self.Name.is_empty() => head,
            "system" | "volume" | "machine" => format!("{head} {}", self.Name),
            _ => String::new(),
        }
    }

    /// `json.Marshal` of podman's event: empty fields left out.
    fn to_json(&self) -> anyhow::Result<String> {
        let mut object = serde_json::Map::new();
        if self.ContainerExitCode != 0 {
            object.insert("ContainerExitCode".into(), self.ContainerExitCode.into());
        }
        for (key, value) in [
            ("ID", &self.ID),
            ("Image", &self.Image),
            ("Name", &self.Name),
        ] {
            if !value.is_empty() {
                object.insert(key.into(), value.as_str().into());
            }
        }
        object.insert("Status".into(), self.Status.as_str().into());
        object.insert("Time".into(), self.time.rfc3339_nano().into());
        object.insert("Type".into(), self.Type.as_str().into());
        if !self.HealthStatus.is_empty() {
            object.insert("health_status".into(), self.HealthStatus.as_str().into());
        }
        if !self.PodID.is_empty() {
            object.insert("PodID".into(), self.PodID.as_str().into());
        }
        object.insert("Attributes".into(), serde_json::to_value(&self.Attributes)?);
        let style = json::Style {
            indent: None,
            escape_html: true,
        };
        Ok(json::encode_ordered(
            &serde_json::Value::Object(object),
            style,
        )?)
    }
}

/// The event's time in the local time zone, as Go's `time.Unix` gives it.
fn local_time(nanos: i64) -> Timestamp {
    use chrono::{Local, Offset, TimeZone};
    let secs = nanos.div_euclid(1_000_000_000);
    let offset = Local
        .timestamp_opt(secs, 0)
        .single()
        .map_or(0, |time| time.offset().fix().local_minus_utc());
    Timestamp {
        secs,
        nanos: nanos.rem_euclid(1_000_000_000) as u32,
        offset,
    }
}
