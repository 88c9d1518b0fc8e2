//! `berth system df [-v] [--format F]`: the engine's disk use of images,
//! containers and local volumes, summarised (TYPE / TOTAL / ACTIVE / SIZE
//! / RECLAIMABLE) or, with `-v`, object by object, as podman prints it.

use std::io::Write;

use berth_client::api::system::{self, DfReport};
use serde::Serialize;

use crate::cli::system::SystemDfArgs;
use crate::cli::GlobalArgs;
use crate::output::humanize::{human_duration, human_size, Timestamp};
use crate::output::report::{self, Formatter, Origin, Report};

pub async fn run(global: &GlobalArgs, args: &SystemDfArgs) -> anyhow::Result<u8> {
    let client = crate::connection::connect(global).await?;
    let df = system::df(&client).await?;
    let mut stdout = std::io::stdout().lock();
    if args.verbose {
        print_verbose(&mut stdout, &df)?;
    } else {
        print_summary(&mut stdout, args.format.as_deref(), &df)?;
    }
    stdout.flush()?;
    Ok(0)
}

/// One line of the summary (podman's `dfSummary`).
#[derive(Debug, Default, Serialize)]
#[serde(rename = "*system.dfSummary")]
#[allow(non_snake_case)]
struct Summary {
    Type: String,
    Total: usize,
    Active: i64,
    RawSize: i64,
    RawReclaimable: i64,
    Size: String,
    Reclaimable: String,
}

impl Summary {
    fn new(kind: &str, total: usize, active: i64, size: i64, reclaimable: i64) -> Self {
        let percent = if size > 0 {
            (reclaimable as f64 / size as f64 * 100.0).round() as i64
        } else {
            0
        };
        Summary {
            Type: kind.to_string(),
            Total: total,
            Active: active,
            RawSize: size,
            RawReclaimable: reclaimable,
            Size: human_size(size as f64),
            Reclaimable: format!("{} ({percent}%)", human_size(reclaimable as f64)),
        }
    }
}

fn print_summary(out: &mut impl Write, format: Option<&str>, df: &DfReport) -> anyhow::Result<()> {
    let images = Summary::new(
        "Images",
        df.images.len(),
        df.images.iter().filter(|i| i.containers > 0).count() as i64,
        df.images.iter().map(|i| i.size).sum(),
        df.images
            .iter()
            .filter(|i| i.containers < 1)
            .map(|i| i.size)
            .sum(),
    );
    let containers = Summary::new(
        "Containers",
        df.containers.len(),
        df.containers
            .iter()
            .filter(|c| c.status == "running")
            .count() as i64,
        df.containers.iter().map(|c| c.rw_size).sum(),
        df.containers
            .iter()
            .filter(|c| c.status != "running")
            .map(|c| c.rw_size)
            .sum(),
    );
    let volumes = Summary::new(
        "Local Volumes",
        df.volumes.len(),
        df.volumes.iter().map(|v| v.links).sum(),
        df.volumes.iter().map(|v| v.size).sum(),
        df.volumes.iter().map(|v| v.reclaimable_size).sum(),
    );
    let summaries = [images, containers, volumes];
    if format.is_some_and(report::is_json) {
        // podman 4.3 prints the word `json`; later podmans the summaries.
        let rows: Vec<serde_json::Value> = summaries
            .iter()
            .map(|s| {
                serde_json::json!({"Type": s.Type, "Total": s.Total, "Active": s.Active,
                    "Size": s.RawSize, "Reclaimable": s.RawReclaimable})
            })
            .collect();
        writeln!(
            out,
            "{}",
            crate::output::json::to_string_jsoniter(&rows.into(), "    ")?
        )?;
        return Ok(());
    }
    let headers =
        report::headers_of::<Summary>(&[("Size", "SIZE"), ("Reclaimable", "RECLAIMABLE")]);
    let (origin, text) = match format {
        Some(format) => (Origin::User, format),
        None => (
            Origin::Podman,
            "{{range . }}{{.Type}}\t{{.Total}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}\n{{end -}}",
        ),
    };
    write_table(out, origin, text, &headers, &summaries)
}

/// podman's `writeTemplate`: headers when the format is a table, then rows.
fn write_table<T: Serialize>(
    out: &mut impl Write,
    origin: Origin,
    text: &str,
    headers: &crate::output::template::Value,
    rows: &[T],
) -> anyhow::Result<()> {
    let formatter = Formatter::parse("df", origin, text)?;
    let render_headers = formatter.render_headers();
    let mut report = Report::new(&mut *out, formatter);
    if render_headers {
        report.execute_value(headers)?;
    }
    report.execute(rows)?;
    report.flush()?;
    Ok(())
}

#[derive(Debug, Default, Serialize)]
#[serde(rename = "*system.dfImage")]
#[allow(non_snake_case)]
struct ImageRow {
    Repository: String,
    Tag: String,
    ImageID: String,
    Created: String,
    Size: String,
    SharedSize: String,
    UniqueSize: String,
    Containers: i64,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename = "*system.dfContainer")]
#[allow(non_snake_case)]
struct ContainerRow {
    ContainerID: String,
    Image: String,
    Command: String,
    LocalVolumes: i64,
    Size: i64,
    RWSize: String,
    Created: String,
    Status: String,
    Names: String,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename = "*system.dfVolume")]
#[allow(non_snake_case)]
struct VolumeRow {
    VolumeName: String,
    Links: i64,
    Size: String,
    ReclaimableSize: i64,
}

fn print_verbose(out: &mut impl Write, df: &DfReport) -> anyhow::Result<()> {
    let now = Timestamp::now();
    let age = |created: &str| {
        let then = Timestamp::parse_rfc3339(created).unwrap_or(Timestamp::from_unix(0));
        human_duration(then.nanos_until(&now))
    };
    let short = |id: &str| id.chars().take(12).collect::<String>();

    write!(out, "Images space usage:\n\n")?;
    let images: Vec<ImageRow> = df
        .images
        .iter()
        .map(|i| ImageRow {
            Repository: i.repository.clone(),
            Tag: i.tag.clone(),
            ImageID: short(&i.image_id),
            Created: age(&i.created),
            Size: human_size(i.size as f64),
            SharedSize: human_size(i.shared_size as f64),
            UniqueSize: human_size(i.unique_size as f64),
            Containers: i.containers,
        })
        .collect();
    let headers = report::headers_of::<ImageRow>(&[
        ("ImageID", "IMAGE ID"),
        ("SharedSize", "SHARED SIZE"),
        ("UniqueSize", "UNIQUE SIZE"),
    ]);
    write_table(out, Origin::Podman, "{{range .}}{{.Repository}}\t{{.Tag}}\t{{.ImageID}}\t{{.Created}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}\n{{end -}}", &headers, &images)?;

    write!(out, "\nContainers space usage:\n\n")?;
    let containers: Vec<ContainerRow> = df
        .containers
        .iter()
        .map(|c| ContainerRow {
            ContainerID: short(&c.container_id),
            Image: short(&c.image),
            Command: c.command.clone().unwrap_or_default().join(" "),
            LocalVolumes: c.local_volumes,
            Size: c.size,
            RWSize: human_size(c.rw_size as f64),
            Created: age(&c.created),
            Status: c.status.clone(),
            Names: c.names.clone(),
        })
        .collect();
    let headers = report::headers_of::<ContainerRow>(&[
        ("ContainerID", "CONTAINER ID"),
        ("LocalVolumes", "LOCAL VOLUMES"),
        ("RWSize", "SIZE"),
    ]);
    write_table(out, Origin::Podman, "{{range .}}{{.ContainerID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.RWSize}}\t{{.Created}}\t{{.Status}}\t{{.Names}}\n{{end -}}", &headers, &containers)?;

    write!(out, "\nLocal Volumes space usage:\n\n")?;
    let volumes: Vec<VolumeRow> = df
        .volumes
        .iter()
        .map(|v| VolumeRow {
            VolumeName: v.volume_name.clone(),
            Links: v.links,
            Size: human_size(v.size as f64),
            ReclaimableSize: v.reclaimable_size,
        })
        .collect();
    let headers = report::headers_of::<VolumeRow>(&[("VolumeName", "VOLUME NAME")]);
    write_table(
        out,
        Origin::Podman,
        "{{range .}}{{.VolumeName}}\t{{.Links}}\t{{.Size}}\n{{end -}}",
        &headers,
        &volumes,
    )
}
