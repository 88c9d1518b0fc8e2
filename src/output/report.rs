//! podman's `--format` handling (containers/common `pkg/report`): which
//! formats mean JSON, the `table` prefix, `\t`/`\n` escapes, wrapping user
//! templates in `{{range .}}`, column headers made from field names, and a
//! [`Report`] that runs a template over headers and rows and aligns the
//! result like podman's tabwriter when it is a table.
//!
//! A list command follows podman's flow (see [`render_list`] for the whole
//! of it):
//!
//! ```text
//! if report::is_json(format)          -> print JSON (command-specific shape)
//! else if quiet && format not given   -> print IDs
//! else                                -> render_list(...)
//! ```

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::tabwriter::TabWriter;
use super::template::{Template, TemplateError, Value};

/// Who wrote the template: podman's own default (always a table) or the
/// user (a table only with the `table` prefix). `Unknown` is neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Unknown,
    Podman,
    User,
}

/// Whether `--format` asks for JSON: `json` or `{{json .}}` (podman's
/// `report.IsJSON`).
pub fn is_json(format: &str) -> bool {
    let s = format.trim_matches(GO_SPACE);
    if s == "json" {
        return true;
    }
    let Some(inner) = s.strip_prefix("{{").and_then(|s| s.strip_suffix("}}")) else {
        return false;
    };
    let inner = inner.trim_matches(GO_SPACE);
    let Some(rest) = inner.strip_prefix("json") else {
        return false;
    };
    let rest = rest.trim_start_matches(GO_SPACE);
    let rest = rest.strip_prefix('.').unwrap_or(rest);
    rest.trim_matches(GO_SPACE).is_empty()
}

/// The characters Go's regexp `\s` matches.
const GO_SPACE: &[char] = &[' ', '\t', '\n', '\x0c', '\r'];

/// Whether the format starts with the `table ` keyword.
pub fn has_table(format: &str) -> bool {
    format.starts_with("table ")
}

/// podman's `NormalizeFormat`: for a `table` format, drops the keyword
/// (everywhere, as podman's replacer does), turns spaces and `\t` into tabs
/// and `\n` into newlines; otherwise only turns `\t` and `\n` escapes into
/// the characters. Adds a final newline if there is none.
pub fn normalize_format(format: &str) -> String {
    let mut out = String::with_capacity(format.len() + 1);
    let table = has_table(format);
    let mut rest = format;
    while let Some(c) = rest.chars().next() {
        if table && rest.starts_with("table ") {
            rest = &rest["table ".len()..];
        } else if rest.starts_with("\\t") {
            out.push('\t');
            rest = &rest[2..];
        } else if rest.starts_with("\\n") {
            out.push('\n');
            rest = &rest[2..];
        } else if table && c == ' ' {
            out.push('\t');
            rest = &rest[1..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// podman's `EnforceRange`: wraps the format in `{{range .}}...{{end -}}`
/// unless it already has a `{{range .}}...{{end}}`.
pub fn enforce_range(format: &str) -> String {
    if has_range_over_dot(format) {
        format.to_string()
    } else {
        format!("{{{{range .}}}}{format}{{{{end -}}}}")
    }
}

/// Matches podman's regexp `{{\s*range\s*\.\s*}}.*{{\s*end\s*-?\s*}}`.
fn has_range_over_dot(format: &str) -> bool {
    let mut search = 0;
    while let Some(i) = format[search..].find("{{") {
        let start = search + i;
        let after = &format[start + 2..];
        if let Some(rest) = after
            .trim_start_matches(GO_SPACE)
            .strip_prefix("range")
            .map(|r| r.trim_start_matches(GO_SPACE))
            .and_then(|r| r.strip_prefix('.'))
            .map(|r| r.trim_start_matches(GO_SPACE))
            .and_then(|r| r.strip_prefix("}}"))
        {
            return has_end(rest);
        }
        search = start + 2;
    }
    false
}

fn has_end(text: &str) -> bool {
    let mut search = 0;
    while let Some(i) = text[search..].find("{{") {
        let start = search + i;
        let after = text[start + 2..].trim_start_matches(GO_SPACE);
        if let Some(rest) = after.strip_prefix("end") {
            let rest = rest.trim_start_matches(GO_SPACE);
            let rest = rest.strip_prefix('-').unwrap_or(rest);
            if rest.trim_start_matches(GO_SPACE).starts_with("}}") {
                return true;
            }
        }
        search = start + 2;
    }
    false
}

/// podman's `report.Formatter`: a parsed `--format` template and whether
/// its output is a table.
#[derive(Debug, Clone)]
pub struct Formatter {
    template: Template,
    table: bool,
    tabwriter: bool,
}

impl Formatter {
    /// podman's `Formatter.Parse`: `table` formats and podman's own formats
    /// are aligned with a tabwriter; user formats without `{{range .}}` are
    /// wrapped in one. If the normalized text does not parse, the text as
    /// given is tried (so `{{printf "\n"}}` keeps working), as podman does.
    pub fn parse(name: &str, origin: Origin, text: &str) -> Result<Formatter, TemplateError> {
        let table = has_table(text);
        let (normalized, raw) = if table {
            (
                format!("{{{{range .}}}}{}{{{{end -}}}}", normalize_format(text)),
                format!("{{{{range .}}}}{text}{{{{end -}}}}"),
            )
        } else if origin == Origin::User {
            (enforce_range(&normalize_format(text)), enforce_range(text))
        } else {
            (normalize_format(text), text.to_string())
        };
        let template = match Template::parse(name, &normalized) {
            Ok(template) => template,
            Err(_) => Template::parse(name, &raw)?,
        };
        Ok(Formatter {
            template,
            table,
            tabwriter: table || origin == Origin::Podman,
        })
    }

    /// Whether the format had the `table` keyword.
    pub fn is_table(&self) -> bool {
        self.table
    }

    /// Whether podman would print headers by default (its `RenderHeaders`):
    /// tables and podman's own formats.
    pub fn render_headers(&self) -> bool {
        self.tabwriter
    }

    /// Aligns the output with podman's tabwriter even when it is not a table
    /// (podman's `Formatter.Init`, used by e.g. `top`).
    pub fn with_tabwriter(mut self) -> Self {
        self.tabwriter = true;
        self
    }

    /// See [`Template::fold_field_case`].
    pub fn fold_field_case(mut self, fold: bool) -> Self {
        self.template = self.template.fold_field_case(fold);
        self
    }

    /// The parsed template.
    pub fn template(&self) -> &Template {
        &self.template
    }
}

/// podman's `report.Template` (`NewTemplate(name).Parse(text)`), used by
/// commands that format one object (`info`, `version`): the text is
/// normalized, and a `table` format ranges over the data. Returns the
/// template and whether it is a table.
pub fn parse_template(name: &str, text: &str) -> Result<(Template, bool), TemplateError> {
    if has_table(text) {
        let text = format!("{{{{range .}}}}{}{{{{end -}}}}", normalize_format(text));
        Ok((Template::parse(name, &text)?, true))
    } else {
        Ok((Template::parse(name, &normalize_format(text))?, false))
    }
}

/// An error while writing a report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The template failed (podman prints it as `Error: template: ...`).
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// Writing failed; a broken pipe is found in the error chain.
    #[error("writing output")]
    Io(#[source] io::Error),
}

impl From<io::Error> for ReportError {
    fn from(err: io::Error) -> Self {
        ReportError::Io(err)
    }
}

enum Sink<W: Write> {
    Plain(W),
    Table(TabWriter<W>),
}

/// Runs a [`Formatter`] over data and writes the result, through podman's
/// tabwriter when the format is a table.
pub struct Report<W: Write> {
    formatter: Formatter,
    sink: Sink<W>,
}

impl<W: Write> Report<W> {
    pub fn new(out: W, formatter: Formatter) -> Self {
        let sink = if formatter.tabwriter {
            Sink::Table(TabWriter::podman(out))
        } else {
            Sink::Plain(out)
        };
        Report { formatter, sink }
    }

    /// Executes the template over `data` (anything `Serialize`, or a
    /// [`Value`] such as the one [`headers`] returns). What the template
    /// printed before an error is written too, as podman does.
    pub fn execute<T: Serialize + ?Sized>(&mut self, data: &T) -> Result<(), ReportError> {
        let value = Value::from_serialize(data).map_err(TemplateError::from)?;
        self.execute_value(&value)
    }

    /// Like [`Report::execute`] for data already converted.
    pub fn execute_value(&mut self, data: &Value) -> Result<(), ReportError> {
        let mut text = String::new();
        let result = self.formatter.template.execute_value(data, &mut text);
        let written = match &mut self.sink {
            Sink::Plain(w) => w.write_all(text.as_bytes()),
            Sink::Table(w) => w.write_all(text.as_bytes()),
        };
        result?;
        written?;
        Ok(())
    }

    /// Writes out what the tabwriter holds.
    pub fn flush(&mut self) -> io::Result<()> {
        match &mut self.sink {
            Sink::Plain(w) => w.flush(),
            Sink::Table(w) => w.flush(),
        }
    }

    /// Flushes and returns the writer.
    pub fn finish(mut self) -> Result<W, ReportError> {
        self.flush()?;
        Ok(match self.sink {
            Sink::Plain(w) => w,
            Sink::Table(w) => w.into_inner(),
        })
    }
}

/// Column headers for the given field names (podman's `report.Headers`):
/// each name split at CamelCase boundaries and upper-cased (`CreatedAt` ->
/// `CREATED AT`), then `overrides` (field, header) applied, upper-cased.
/// The result is the `[{Field: HEADER}]` value podman executes the
/// template over to print the header line.
pub fn headers<'a>(fields: impl IntoIterator<Item = &'a str>, overrides: &[(&str, &str)]) -> Value {
    let mut map: BTreeMap<String, Value> = fields
        .into_iter()
        .map(|field| {
            let header = camelcase_split(field).join(" ").to_uppercase();
            (field.to_string(), Value::String(header))
        })
        .collect();
    for (field, header) in overrides {
        map.insert(field.to_string(), Value::String(header.to_uppercase()));
    }
    Value::List(vec![Value::Map(map)])
}

/// [`headers`] for the fields of a row struct, taken from its `Default`
/// value (so a table with no rows still gets its header line).
pub fn headers_of<T: Serialize + Default>(overrides: &[(&str, &str)]) -> Value {
    let fields: Vec<String> = match Value::from_serialize(&T::default()) {
        Ok(Value::Struct(s)) => s.fields.into_iter().map(|(name, _)| name).collect(),
        Ok(Value::Map(map)) => map.into_keys().collect(),
        _ => Vec::new(),
    };
    headers(fields.iter().map(String::as_str), overrides)
}

/// Splits a CamelCase name into words the way podman's `camelcase.Split`
/// does: runs of lower case, upper case, digits and other characters, with
/// an upper-case letter moved to the lower-case run that follows it
/// (`PodName` -> `Pod Name`, `IPAddress` -> `IP Address`, `CPUPerc` ->
/// `CPU Perc`).
pub fn camelcase_split(name: &str) -> Vec<String> {
    #[derive(PartialEq, Clone, Copy)]
    enum Class {
        Lower,
        Upper,
        Digit,
        Other,
    }
    let class = |c: char| {
        if c.is_lowercase() {
            Class::Lower
        } else if c.is_uppercase() {
            Class::Upper
        } else if c.is_numeric() {
            Class::Digit
        } else {
            Class::Other
        }
    };
    let mut runs: Vec<Vec<char>> = Vec::new();
    let mut last = None;
    for c in name.chars() {
        let k = class(c);
        match runs.last_mut() {
            Some(run) if last == Some(k) => run.push(c),
            _ => runs.push(vec![c]),
        }
        last = Some(k);
    }
    for i in 0..runs.len().saturating_sub(1) {
        let upper_then_lower = runs[i].first().is_some_and(|c| c.is_uppercase())
            && runs[i + 1].first().is_some_and(|c| c.is_lowercase());
        if upper_then_lower {
            if let Some(moved) = runs[i].pop() {
                runs[i + 1].insert(0, moved);
            }
        }
    }
    runs.into_iter()
        .filter(|run| !run.is_empty())
        .map(|run| run.into_iter().collect())
        .collect()
}

/// How a list command was asked to print.
#[derive(Debug, Clone, Copy)]
pub struct ListOptions<'a> {
    /// The template's name in error messages: podman uses the command's
    /// name (`ps`, `images`, `list`, ...).
    pub name: &'a str,
    /// `--format` if it was given (not for `json`: check [`is_json`] first).
    pub format: Option<&'a str>,
    /// podman's default format for the command, e.g.
    /// `"{{range .}}{{.ID}}\t{{.Name}}\n{{end -}}"`.
    pub default_format: &'a str,
    /// `--noheading`.
    pub noheading: bool,
}

/// Prints rows the way podman's list commands do: podman's default format
/// as a table with headers, or the user's `--format` (headers and
/// alignment only with the `table` prefix). `headers` is what [`headers`]
/// or [`headers_of`] returns.
pub fn render_list<W: Write, T: Serialize>(
    out: W,
    options: &ListOptions<'_>,
    headers: &Value,
    rows: &[T],
) -> Result<W, ReportError> {
    let (origin, text, noheading) = match options.format {
        Some(format) => (
            Origin::User,
            format,
            options.noheading || !has_table(format),
        ),
        None => (Origin::Podman, options.default_format, options.noheading),
    };
    let formatter = Formatter::parse(options.name, origin, text)?;
    let mut report = Report::new(out, formatter);
    let result = (|| {
        if !noheading {
            report.execute_value(headers)?;
        }
        report.execute(rows)
    })();
    // podman flushes what it has even after an error.
    let flushed = report.flush();
    result?;
    flushed?;
    report.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_formats() {
        for yes in [
            "json",
            " json ",
            "{{json .}}",
            "{{ json . }}",
            "{{json}}",
            "\t{{json .}}\n",
        ] {
            assert!(is_json(yes), "{yes:?}");
        }
        for no in [
            "{{json .ID}}",
            "table json",
            "{{.}}",
            "JSON",
            "{{json .}} x",
        ] {
            assert!(!is_json(no), "{no:?}");
        }
    }

    #[test]
    fn normalizes_like_podman() {
        assert_eq!(
            normalize_format("table {{.ID}} {{.Names}}"),
            "{{.ID}}\t{{.Names}}\n"
        );
        assert_eq!(
            normalize_format("table {{.ID}}\\t{{.X}}\\n"),
            "{{.ID}}\t{{.X}}\n"
        );
        assert_eq!(normalize_format("{{.ID}} {{.X}}\\t"), "{{.ID}} {{.X}}\t\n");
        assert_eq!(normalize_format("{{.ID}}\n"), "{{.ID}}\n");
    }

    #[test]
    fn enforces_range() {
        assert_eq!(enforce_range("{{.ID}}"), "{{range .}}{{.ID}}{{end -}}");
        assert_eq!(
            enforce_range("{{ range . }}{{.ID}}{{ end }}"),
            "{{ range . }}{{.ID}}{{ end }}"
        );
        assert_eq!(
            enforce_range("{{range .Names}}{{.}}{{end}}"),
            "{{range .}}{{range .Names}}{{.}}{{end}}{{end -}}"
        );
    }

    #[test]
    fn camelcase_headers() {
        let h = headers(
            [
                "ID",
                "CreatedAt",
                "PodName",
                "IPAddress",
                "CPUPerc",
                "Fieldb",
                "fieldC",
                "MemUsage2",
            ],
            &[("ID", "container id")],
        );
        let Value::List(list) = h else { panic!() };
        let Value::Map(map) = &list[0] else { panic!() };
        let get = |k: &str| match &map[k] {
            Value::String(s) => s.clone(),
            _ => panic!(),
        };
        assert_eq!(get("ID"), "CONTAINER ID");
        assert_eq!(get("CreatedAt"), "CREATED AT");
        assert_eq!(get("PodName"), "POD NAME");
        assert_eq!(get("IPAddress"), "IP ADDRESS");
        assert_eq!(get("CPUPerc"), "CPU PERC");
        assert_eq!(get("Fieldb"), "FIELDB");
        assert_eq!(get("fieldC"), "FIELD C");
        assert_eq!(get("MemUsage2"), "MEM USAGE 2");
    }

    /// podman's own formatter test cases (containers/common
    /// `TestFormatter_ParseTable`), same data, same expected output.
    #[test]
    fn formatter_cases_from_podman() {
        let header = Value::from(serde_json::json!([{"ID": "Identity", "Value": "Value"}]));
        let rows = serde_json::json!([
            {"ID": "c061a0839e", "Value": "one"},
            {"ID": "f10fc2e11057", "Value": "two"},
            {"ID": "1eb6fab5aa8f4b5cbfd3e66aa35e9b2a", "Value": "three"},
        ]);
        let cases = [
            (Origin::User, "table {{ .ID}}", "Identity\nc061a0839e\nf10fc2e11057\n1eb6fab5aa8f4b5cbfd3e66aa35e9b2a\n"),
            (Origin::User, "table {{ .ID}}\n", "Identity\nc061a0839e\nf10fc2e11057\n1eb6fab5aa8f4b5cbfd3e66aa35e9b2a\n"),
            (Origin::User, "table {{ .ID}}\\n", "Identity\nc061a0839e\nf10fc2e11057\n1eb6fab5aa8f4b5cbfd3e66aa35e9b2a\n"),
            (Origin::User, "table {{.ID}}\t{{.Value}}", "Identity                          Value\nc061a0839e                        one\nf10fc2e11057                      two\n1eb6fab5aa8f4b5cbfd3e66aa35e9b2a  three\n"),
            (Origin::User, "{{range .}}{{.ID}}\tID{{end}}", "c061a0839e\tIDf10fc2e11057\tID1eb6fab5aa8f4b5cbfd3e66aa35e9b2a\tID\n"),
            (Origin::Podman, "Value\tIdent\n{{range .}}{{.ID}}\tID{{end}}", "Value       Ident\nIdentity    ID\nValue       Ident\nc061a0839e  IDf10fc2e11057  ID1eb6fab5aa8f4b5cbfd3e66aa35e9b2a  ID\n"),
            (Origin::User, "{{range .}}{{.ID}}\tID\n{{end}}", "c061a0839e\tID\nf10fc2e11057\tID\n1eb6fab5aa8f4b5cbfd3e66aa35e9b2a\tID\n\n"),
            (Origin::User, "{{range .}}{{.ID}}{{end -}}", "c061a0839ef10fc2e110571eb6fab5aa8f4b5cbfd3e66aa35e9b2a"),
            (Origin::User, "{{range .}}{{printf \"\\n\"}}{{end -}}", "\n\n\n"),
        ];
        for (origin, format, expected) in cases {
            let formatter = Formatter::parse("t", origin, format).unwrap();
            let headers = formatter.render_headers();
            let mut report = Report::new(Vec::new(), formatter);
            if headers {
                report.execute_value(&header).unwrap();
            }
            report.execute(&rows).unwrap();
            let out = String::from_utf8(report.finish().unwrap()).unwrap();
            assert_eq!(out, expected, "format {format:?}");
        }
    }

    #[derive(Serialize, Default)]
    #[allow(non_snake_case)]
    #[serde(rename = "containers.psReporter")]
    struct PsRow {
        ID: String,
        Image: String,
        Names: String,
        Labels: BTreeMap<String, String>,
    }

    fn ps(format: Option<&str>, noheading: bool, rows: &[PsRow]) -> Result<String, String> {
        let options = ListOptions {
            name: "ps",
            format,
            default_format: "{{range .}}{{.ID}}\t{{.Image}}\t{{.Names}}\n{{end -}}",
            noheading,
        };
        let headers = headers_of::<PsRow>(&[("ID", "container id")]);
        let mut out = Vec::new();
        let result = render_list(&mut out, &options, &headers, rows).map(|_| ());
        let text = String::from_utf8(out).unwrap();
        result
            .map(|()| text.clone())
            .map_err(|e| format!("{text}|{e}"))
    }

    fn rows() -> Vec<PsRow> {
        vec![
            PsRow {
                ID: "22be8422b7d9".into(),
                Image: "localhost/busybox:test".into(),
                Names: "sleeper".into(),
                Labels: [("app".to_string(), "web".to_string())].into(),
            },
            PsRow {
                ID: "3566988f7e87".into(),
                Image: "localhost/busybox:test".into(),
                Names: "done".into(),
                Labels: BTreeMap::new(),
            },
        ]
    }

    /// Expected strings captured from `podman --remote ps -a` 4.3.1.
    #[test]
    fn list_like_podman_ps() {
        assert_eq!(
            ps(None, false, &rows()).unwrap(),
            "CONTAINER ID  IMAGE                   NAMES\n\
             22be8422b7d9  localhost/busybox:test  sleeper\n\
             3566988f7e87  localhost/busybox:test  done\n"
        );
        assert_eq!(
            ps(None, false, &[]).unwrap(),
            "CONTAINER ID  IMAGE       NAMES\n"
        );
        assert_eq!(ps(None, true, &[]).unwrap(), "");
        assert_eq!(
            ps(Some("{{.Names}} {{.ID}}"), false, &rows()).unwrap(),
            "sleeper 22be8422b7d9\ndone 3566988f7e87\n"
        );
        // podman runs the template over the header map too, so indexing a
        // map field fails on the header's string.
        assert_eq!(
            ps(Some("table {{.Names}} {{index .Labels \"app\"}}"), false, &rows()).unwrap_err(),
            "NAMES|template: ps:1:24: executing \"ps\" at <index .Labels \"app\">: error calling index: cannot index slice/array with type string"
        );
        assert_eq!(
            ps(Some("{{.Names}}:{{index .Labels \"app\"}}"), false, &rows()).unwrap(),
            "sleeper:web\ndone:\n"
        );
        assert_eq!(
            ps(Some("table {{.ID}} {{.Foo}}"), false, &rows()).unwrap_err(),
            "CONTAINER ID  <no value>\n22be8422b7d9|template: ps:1:21: executing \"ps\" at <.Foo>: can't evaluate field Foo in type containers.psReporter"
        );
        assert_eq!(
            ps(Some("{{.ID}} {{foo}}"), false, &rows()).unwrap_err(),
            "|template: ps:1: function \"foo\" not defined"
        );
        assert_eq!(
            ps(Some("table {{.Labels.app}}"), false, &rows()).unwrap_err(),
            "|template: ps:1:20: executing \"ps\" at <.Labels.app>: can't evaluate field app in type string"
        );
    }

    #[derive(Serialize, Default)]
    #[allow(non_snake_case)]
    struct StatusRow {
        ID: String,
        Names: String,
        State: String,
        Labels: BTreeMap<String, String>,
    }

    /// Expected strings captured from `podman --remote ps -a --format ...`
    /// 4.3.1 on the same containers.
    #[test]
    fn user_formats_like_podman_ps() {
        let row = |id: &str, name: &str, state: &str, labels: &[(&str, &str)]| StatusRow {
            ID: id.into(),
            Names: name.into(),
            State: state.into(),
            Labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        };
        let rows = [
            row(
                "22be8422b7d9",
                "sleeper",
                "Exited (0) 10 minutes ago",
                &[("app", "web"), ("tier", "front")],
            ),
            row("3566988f7e87", "done", "Exited (3) 27 minutes ago", &[]),
            row("77e42ae38e01", "created", "Created", &[]),
        ];
        let headers = headers_of::<StatusRow>(&[("ID", "container id")]);
        let render = |format: &str, noheading: bool| {
            let options = ListOptions {
                name: "ps",
                format: Some(format),
                default_format: "",
                noheading,
            };
            String::from_utf8(render_list(Vec::new(), &options, &headers, &rows).unwrap()).unwrap()
        };
        assert_eq!(
            render("table {{.ID}}\\t{{.Names}}\\t{{.State}}", false),
            "CONTAINER ID  NAMES       STATE\n\
             22be8422b7d9  sleeper     Exited (0) 10 minutes ago\n\
             3566988f7e87  done        Exited (3) 27 minutes ago\n\
             77e42ae38e01  created     Created\n"
        );
        assert_eq!(
            render("{{.Names}}\\t{{.State}}", false),
            "sleeper\tExited (0) 10 minutes ago\ndone\tExited (3) 27 minutes ago\ncreated\tCreated\n"
        );
        assert_eq!(
            render("table {{.Names}} {{.Labels}}", false),
            "NAMES       LABELS\nsleeper     map[app:web tier:front]\ndone        map[]\ncreated     map[]\n"
        );
        assert_eq!(
            render("table {{upper .Names}} {{.Names | printf \"%-10s|\"}}", false),
            "NAMES       NAMES     |\nSLEEPER     sleeper   |\nDONE        done      |\nCREATED     created   |\n"
        );
        assert_eq!(
            render("{{if eq .State \"running\"}}RUN {{.Names}}{{else}}{{.Names}} is {{.State}}{{end}}", false),
            "sleeper is Exited (0) 10 minutes ago\ndone is Exited (3) 27 minutes ago\ncreated is Created\n"
        );
        assert_eq!(
            render("table {{.Names}}", false),
            "NAMES\nsleeper\ndone\ncreated\n"
        );
        assert_eq!(
            render("table {{.Names}} {{.State}}", true),
            "sleeper     Exited (0) 10 minutes ago\ndone        Exited (3) 27 minutes ago\ncreated     Created\n"
        );
    }

    #[derive(Serialize, Default)]
    #[allow(non_snake_case)]
    struct ImageRow {
        Repository: String,
        Tag: String,
        ID: String,
        Created: String,
        Size: String,
        ReadOnly: bool,
    }

    /// `podman --remote images` 4.3.1, default format and a table format.
    #[test]
    fn list_like_podman_images() {
        let rows = [ImageRow {
            Repository: "localhost/busybox".into(),
            Tag: "test".into(),
            ID: "ec267f7039b4".into(),
            Created: "27 minutes ago".into(),
            Size: "2 MB".into(),
            ReadOnly: false,
        }];
        let headers = headers_of::<ImageRow>(&[("ID", "IMAGE ID"), ("ReadOnly", "R/O")]);
        let default_format = "{{range . }}{{if .Repository}}{{.Repository}}{{else}}<none>{{end}}\t\
            {{if .Tag}}{{.Tag}}{{else}}<none>{{end}}\t{{.ID}}\t{{.Created}}\t{{.Size}}\n{{end -}}";
        let render = |format: Option<&str>, noheading: bool| {
            let options = ListOptions {
                name: "images",
                format,
                default_format,
                noheading,
            };
            String::from_utf8(render_list(Vec::new(), &options, &headers, &rows).unwrap()).unwrap()
        };
        assert_eq!(
            render(None, false),
            "REPOSITORY         TAG         IMAGE ID      CREATED         SIZE\n\
             localhost/busybox  test        ec267f7039b4  27 minutes ago  2 MB\n"
        );
        assert_eq!(
            render(None, true),
            "localhost/busybox  test        ec267f7039b4  27 minutes ago  2 MB\n"
        );
        assert_eq!(
            render(Some("table {{.Repository}} {{.Tag}}"), false),
            "REPOSITORY         TAG\nlocalhost/busybox  test\n"
        );
    }

    /// Random formats and random table text never panic.
    #[test]
    fn random_formats_never_panic() {
        let pieces = [
            "table ",
            "table",
            " ",
            "\\t",
            "\\n",
            "\t",
            "\n",
            "{{",
            "}}",
            "{{range .}}",
            "{{ range . }}",
            "{{end}}",
            "{{end -}}",
            "{{.ID}}",
            "{{.Names}}",
            "{{json .}}",
            "json",
            "{{.Labels}}",
            "x",
            "\u{ff}",
            "é",
            "{{-",
            "-}}",
            "{{else}}",
            "{{if .ID}}",
            "{{index .Labels \"app\"}}",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let headers = headers_of::<PsRow>(&[("ID", "container id")]);
        for _ in 0..5_000 {
            let len = (next() % 8) as usize;
            let format: String = (0..len)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect();
            let _ = is_json(&format);
            let options = ListOptions {
                name: "ps",
                format: Some(&format),
                default_format: "",
                noheading: next() % 2 == 0,
            };
            let _ = render_list(Vec::new(), &options, &headers, &rows());
            // Raw bytes (tabs, newlines, escape bytes) through the tabwriter.
            let bytes: Vec<u8> = (0..(next() % 40))
                .map(|_| {
                    [b'a', b'\t', b'\n', 0xff, 0xc3, 0xa9, b'\x0c', b'\x0b'][(next() % 8) as usize]
                })
                .collect();
            let mut w = TabWriter::podman(Vec::new());
            let _ = w.write_all(&bytes);
            let _ = w.flush();
        }
    }

    #[test]
    fn broken_pipe_is_an_io_error_in_the_chain() {
        struct Closed;
        impl Write for Closed {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::Error::from(io::ErrorKind::BrokenPipe))
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let options = ListOptions {
            name: "ps",
            format: Some("{{.ID}}"),
            default_format: "",
            noheading: false,
        };
        let err = render_list(Closed, &options, &headers_of::<PsRow>(&[]), &rows())
            .err()
            .unwrap();
        let source = std::error::Error::source(&err).and_then(|e| e.downcast_ref::<io::Error>());
        assert_eq!(source.map(io::Error::kind), Some(io::ErrorKind::BrokenPipe));
    }
}
