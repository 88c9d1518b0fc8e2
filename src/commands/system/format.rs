//! Interim `--format` support for `version` and `info` (`json`, `{{json .}}`
//! and `{{.Field.Path}}` substitutions) until the shared Go-template engine
//! in `crate::output` lands; then these commands switch to it.

use anyhow::bail;
use serde_json::Value;

/// Renders `format` against `value`: `json` prints `json_text`, otherwise
/// `{{.A.B}}` and `{{json .A}}` actions are substituted. A newline is added
/// like podman does.
pub fn render(
    format: &str,
    value: &Value,
    json_text: impl FnOnce() -> String,
) -> anyhow::Result<String> {
    if format == "json" {
        let mut text = json_text();
        text.push('\n');
        return Ok(text);
    }
    let format = format.replace("\\n", "\n").replace("\\t", "\t");
    let mut out = String::new();
    let mut rest = format.as_str();
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            bail!("template: unclosed action in {format:?}");
        };
        let action = after[..end]
            .trim()
            .trim_start_matches('-')
            .trim_end_matches('-')
            .trim();
        let (as_json, path) = match action.strip_prefix("json ") {
            Some(path) => (true, path.trim()),
            None => (false, action),
        };
        let Some(found) = lookup(value, path) else {
            bail!("template: can't evaluate {action:?} in {format:?}");
        };
        match found {
            Value::String(text) if !as_json => out.push_str(text),
            Value::Null if !as_json => out.push_str("<no value>"),
            other => out.push_str(&other.to_string()),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    if !out.ends_with('\n') {
        out.push('\n');
    }
    Ok(out)
}

/// Follows `.A.B` through objects, matching Go field names to JSON keys
/// case-insensitively (`.Host.Arch` finds `host.arch`).
fn lookup<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    let path = path.strip_prefix('.')?;
    let mut current = value;
    for field in path.split('.').filter(|field| !field.is_empty()) {
        let object = current.as_object()?;
        current = match object.get(field) {
            Some(found) => found,
            None => object
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(field))
                .map(|(_, found)| found)?,
        };
    }
    Some(current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitutes_fields_and_json() {
        let value = serde_json::json!({"host": {"arch": "amd64"}, "Version": {"Version": "4.3.1"}});
        let text = render(
            "{{.Host.Arch}} {{ .Version.Version }} {{json .host}}",
            &value,
            String::new,
        )
        .unwrap();
        assert_eq!(text, "amd64 4.3.1 {\"arch\":\"amd64\"}\n");
        assert_eq!(render("json", &value, || "J".into()).unwrap(), "J\n");
        assert!(render("{{.Nope}}", &value, String::new).is_err());
    }
}
