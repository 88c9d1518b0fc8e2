//! `berth inspect`, `container inspect` and `image inspect` (and, through
//! [`inspect`], `volume`, `network` and `pod inspect`): the engine's own
//! inspect data, as podman prints it (a JSON array indented by five
//! spaces, or a Go template run over each object), with podman's errors
//! for names that match nothing.

use std::io::Write;

use berth_client::Client;
use serde_json::Value;

use crate::cli::container::{ContainerInspectArgs, InspectArgs};
use crate::cli::image::ImageInspectArgs;
use crate::cli::GlobalArgs;
use crate::output::humanize::Timestamp;
use crate::output::report::{self, Formatter, Origin, Report};

/// What kind of object to look for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Container,
    Image,
    Volume,
    Network,
    Pod,
    /// `pod inspect`: like `Pod`, but one pod prints as an object, not a
    /// list (podman 4.3 kept that for compatibility).
    PodLegacy,
    All,
}

pub async fn run(global: &GlobalArgs, args: &InspectArgs) -> anyhow::Result<u8> {
    let kind = match args.kind.as_str() {
        "container" => Kind::Container,
        "image" => Kind::Image,
        "all" => Kind::All,
        "volume" => Kind::Volume,
        "network" => Kind::Network,
        "pod" => Kind::Pod,
        other => anyhow::bail!(
            "invalid type {other:?}: must be \"image\", \"container\", \"pod\", \"network\", \"volume\", or \"all\""
        ),
    };
    if kind == Kind::Image && args.size {
        anyhow::bail!("size is not supported for type \"image\"");
    }
    inspect(global, kind, &args.names, &args.format, args.size).await
}

pub async fn run_containers(
    global: &GlobalArgs,
    args: &ContainerInspectArgs,
) -> anyhow::Result<u8> {
    inspect(
        global,
        Kind::Container,
        &args.names,
        &args.format,
        args.size,
    )
    .await
}

pub async fn run_images(global: &GlobalArgs, args: &ImageInspectArgs) -> anyhow::Result<u8> {
    inspect(global, Kind::Image, &args.names, &args.format, false).await
}

/// Inspects `names` as objects of `kind` and prints them as podman does.
pub(crate) async fn inspect(
    global: &GlobalArgs,
    kind: Kind,
    names: &[String],
    format: &str,
    size: bool,
) -> anyhow::Result<u8> {
    if names.is_empty() {
        anyhow::bail!("no names or ids specified");
    }
    let client = crate::connection::connect(global).await?;
    let mut data = Vec::new();
    let mut errors = Vec::new();
    for name in names {
        match lookup(&client, kind, name, size).await? {
            Ok(object) => data.push(object),
            Err(message) => errors.push(message),
        }
    }

    let mut stdout = std::io::stdout().lock();
    let printed = if report::is_json(format) || format.is_empty() {
        match data.as_slice() {
            [pod] if kind == Kind::PodLegacy => print_json(&mut stdout, pod),
            _ => print_json(&mut stdout, &data),
        }
    } else {
        print_template(&mut stdout, format, kind, data)
    };
    if let Err(err) = printed {
        errors.push(format!("printing inspect output: {err:#}"));
    }
    if errors.is_empty() {
        return Ok(0);
    }
    for err in &errors[1..] {
        eprintln!("error inspecting object: {err}");
    }
    anyhow::bail!("inspecting object: {}", errors[0])
}

/// One object by name: the inspect data, or podman's "not found" message.
/// Other engine errors end the command.
async fn lookup(
    client: &Client,
    kind: Kind,
    name: &str,
    size: bool,
) -> anyhow::Result<Result<Value, String>> {
    use berth_client::api::{containers, images, networks, pods, volumes};
    let all = kind == Kind::All;
    if matches!(kind, Kind::Container | Kind::All) {
        match containers::inspect(client, name, size).await {
            Ok(object) => return Ok(Ok(object)),
            Err(err) if err.is_not_found() && all => {}
            Err(err) if err.is_not_found() => {
                return Ok(Err(format!("no such container {name:?}")))
            }
            Err(err) => return Err(err.into()),
        }
    }
    if matches!(kind, Kind::Image | Kind::All) {
        match images::inspect(client, name).await {
            Ok(object) => return Ok(Ok(object)),
            Err(err) if err.is_not_found() && all => {}
            Err(err) if err.is_not_found() => {
                return Ok(Err(format!("unable to inspect {name:?}: {err}")))
            }
            Err(err) => return Err(err.into()),
        }
    }
    if matches!(kind, Kind::Volume | Kind::All) {
        match volumes::inspect(client, name).await {
            Ok(object) => return Ok(Ok(object)),
            Err(err) if err.is_not_found() && all => {}
            Err(err) if err.is_not_found() => return Ok(Err(format!("no such volume {name:?}"))),
            Err(err) => return Err(err.into()),
        }
    }
    if matches!(kind, Kind::Network | Kind::All) {
        match networks::inspect(client, name).await {
            Ok(object) => return Ok(Ok(object)),
            Err(err) if err.is_not_found() && all => {}
            Err(err) if err.is_not_found() => {
                return Ok(Err(format!("network {name}: network not found")))
            }
            Err(err) => return Err(err.into()),
        }
    }
    match pods::inspect(client, name).await {
        Ok(object) => Ok(Ok(object)),
        Err(err) if err.is_not_found() && all => Ok(Err(format!("no such object: {name:?}"))),
        Err(err) if err.is_not_found() => Ok(Err(format!("no such pod {name:?}"))),
        Err(err) => Err(err.into()),
    }
}

/// podman's `printJSON`: a JSON array indented by five spaces, without
/// HTML escaping, field order as the engine sent it.
pub(crate) fn print_json(
    out: &mut impl Write,
    data: &(impl serde::Serialize + ?Sized),
) -> anyhow::Result<()> {
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"     ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut *out, formatter);
    serde::Serialize::serialize(data, &mut serializer)?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}

/// A user template over each object. Go prints `time.Time` fields in its
/// own layout, so the common ones are converted first.
fn print_template(
    out: &mut impl Write,
    format: &str,
    kind: Kind,
    mut data: Vec<Value>,
) -> anyhow::Result<()> {
    for object in &mut data {
        if kind == Kind::Network {
            go_network_fields(object);
        }
        for path in [
            &["Created"][..],
            &["CreatedAt"],
            &["State", "StartedAt"],
            &["State", "FinishedAt"],
        ] {
            go_time_string(object, path);
        }
    }
    let format = normalize(format, kind);
    let formatter = Formatter::parse("inspect", Origin::User, &format)?.fold_field_case(true);
    let mut report = Report::new(out, formatter);
    let result = report.execute(&data);
    report.flush()?;
    result?;
    Ok(())
}

/// A network's JSON keys as the fields of podman's Go `Network` struct,
/// which templates name (`{{.NetworkInterface}}`, `{{.IPv6Enabled}}`).
fn go_network_fields(object: &mut Value) {
    let Some(map) = object.as_object_mut() else {
        return;
    };
    let fields = std::mem::take(map);
    for (key, value) in fields {
        let name = match key.as_str() {
            "network_interface" => "NetworkInterface",
            "ipv6_enabled" => "IPv6Enabled",
            "dns_enabled" => "DNSEnabled",
            "ipam_options" => "IPAMOptions",
            "id" => "ID",
            _ => "",
        };
        let name = if name.is_empty() {
            let mut chars = key.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        } else {
            name.to_string()
        };
        map.insert(name, value);
    }
}

/// podman's `inspectNormalize`: `{{.Id}}` and a few renamed fields.
fn normalize(format: &str, kind: Kind) -> String {
    let mut text = String::with_capacity(format.len());
    let mut rest = format;
    // `{{ .Id }}` (only as a whole action) becomes `{{.ID}}`.
    while let Some(start) = rest.find("{{") {
        text.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) if after[..end].trim() == ".Id" => {
                text.push_str("{{.ID}}");
                rest = &after[end + 2..];
            }
            _ => {
                text.push_str("{{");
                rest = after;
            }
        }
    }
    text.push_str(rest);
    let mut replaced = text
        .replace(".Src", ".Source")
        .replace(".Dst", ".Destination")
        .replace(".ImageID", ".Image");
    if kind == Kind::Image {
        replaced = replaced.replace(".Config.Healthcheck", ".HealthCheck");
    }
    replaced
}

/// Rewrites an RFC 3339 string at `path` as Go's `time.Time.String()`.
fn go_time_string(object: &mut Value, path: &[&str]) {
    let mut current = object;
    for key in path {
        match current.get_mut(*key) {
            Some(next) => current = next,
            None => return,
        }
    }
    if let Some(text) = current.as_str() {
        if let Some(time) = Timestamp::parse_rfc3339(text) {
            *current = Value::String(time.go_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_like_podman() {
        assert_eq!(
            normalize("{{ .Id }} {{.Identity}}", Kind::Container),
            "{{.ID}} {{.Identity}}"
        );
        assert_eq!(
            normalize("{{.ImageID}} {{.Dst}}", Kind::Container),
            "{{.Image}} {{.Destination}}"
        );
        assert_eq!(
            normalize("{{.Config.Healthcheck}}", Kind::Image),
            "{{.HealthCheck}}"
        );
    }

    #[test]
    fn json_is_indented_by_five_spaces_without_html_escapes() {
        let mut out = Vec::new();
        print_json(
            &mut out,
            &[serde_json::json!({"Id": "x", "Cmd": ["a && b"]})],
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "[\n     {\n          \"Id\": \"x\",\n          \"Cmd\": [\n               \"a && b\"\n          ]\n     }\n]\n"
        );
    }

    #[test]
    fn times_print_like_go() {
        let mut object = serde_json::json!({"Created": "2026-11-28T02:40:18.610569335Z", "State": {"StartedAt": "0001-01-01T00:00:00Z"}});
        go_time_string(&mut object, &["Created"]);
        go_time_string(&mut object, &["State", "StartedAt"]);
        assert_eq!(object["Created"], "2026-11-28 02:40:18.610569335 +0000 UTC");
        assert_eq!(
            object["State"]["StartedAt"],
            "0001-01-01 00:00:00 +0000 UTC"
        );
    }
}
