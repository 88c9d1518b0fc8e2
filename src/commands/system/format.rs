//! Interim `--format` support for `version`, `info` and `connection list`
//! (`json`, `{{json .}}`, `{{.Field.Path}}` substitutions, `table` and
//! tab-aligned columns) until the shared Go-template engine and tables in
//! `crate::output` land; then these commands switch to them.

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

/// Aligns tab-separated lines like podman's tabwriter (minimum cell width
/// 12, padding 2); the last cell of a line is not padded.
pub fn align_columns(text: &str) -> String {
    let lines: Vec<Vec<&str>> = text
        .lines()
        .map(|line| line.split('\t').collect())
        .collect();
    let columns = lines.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0usize; columns];
    for cells in &lines {
        for (index, cell) in cells.iter().enumerate().take(cells.len().saturating_sub(1)) {
            widths[index] = widths[index].max((cell.chars().count() + 2).max(12));
        }
    }
    let mut out = String::new();
    for cells in &lines {
        for (index, cell) in cells.iter().enumerate() {
            out.push_str(cell);
            if index + 1 < cells.len() {
                out.push_str(&" ".repeat(widths[index] - cell.chars().count()));
            }
        }
        out.push('\n');
    }
    out
}

/// Renders a list: `json` as an indented array, a `table ...` template
/// with a header row from `headers`, any other template once per row.
pub fn render_rows(
    format: &str,
    rows: &[Value],
    headers: &Value,
    json_text: impl FnOnce() -> String,
) -> anyhow::Result<String> {
    if format == "json" || format == "{{json .}}" {
        let mut text = json_text();
        text.push('\n');
        return Ok(text);
    }
    let (table, template) = match format.strip_prefix("table") {
        Some(rest) => (true, rest.trim_start()),
        None => (false, format),
    };
    let mut text = String::new();
    if table {
        text.push_str(&render(template, headers, String::new)?);
    }
    for row in rows {
        text.push_str(&render(template, row, String::new)?);
    }
    Ok(if text.contains('\t') {
        align_columns(&text)
    } else {
        text
    })
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

    #[test]
    fn aligns_like_podmans_tabwriter() {
        assert_eq!(
            align_columns("Name\tURI\tDefault\na\tunix:///a-long-socket-path.sock\ttrue\n"),
            "Name        URI                              Default\na           unix:///a-long-socket-path.sock  true\n"
        );
    }
}
