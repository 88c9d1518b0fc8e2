//! YAML output in the style of Go's yaml.v2, which `podman info` uses:
//! sorted map keys, two-space indents, sequences level with their key,
//! literal blocks for multi-line strings, and quotes only where a plain
//! scalar would be read back as something else.

use serde_json::Value;

/// Renders `value` as a YAML document.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => write_map(&mut out, map, 0),
        Value::Array(items) if !items.is_empty() => write_seq(&mut out, items, 0),
        scalar => {
            out.push_str(&scalar_text(scalar, 0));
            out.push('\n');
        }
    }
    out
}

fn write_map(out: &mut String, map: &serde_json::Map<String, Value>, indent: usize) {
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort();
    for key in keys {
        out.push_str(&" ".repeat(indent));
        out.push_str(&string_text(key, indent));
        out.push(':');
        write_value_after_key(out, &map[key], indent);
    }
}

fn write_value_after_key(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            write_map(out, map, indent + 2);
        }
        // yaml.v2 keeps a sequence level with its key.
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            write_seq(out, items, indent);
        }
        scalar => {
            out.push(' ');
            out.push_str(&scalar_text(scalar, indent + 2));
            out.push('\n');
        }
    }
}

fn write_seq(out: &mut String, items: &[Value], indent: usize) {
    for item in items {
        out.push_str(&" ".repeat(indent));
        out.push('-');
        match item {
            Value::Object(map) if !map.is_empty() => {
                // The first key shares the dash's line.
                let mut nested = String::new();
                write_map(&mut nested, map, indent + 2);
                out.push(' ');
                out.push_str(&nested[indent + 2..]);
            }
            Value::Array(inner) if !inner.is_empty() => {
                let mut nested = String::new();
                write_seq(&mut nested, inner, indent + 2);
                out.push(' ');
                out.push_str(&nested[indent + 2..]);
            }
            scalar => {
                out.push(' ');
                out.push_str(&scalar_text(scalar, indent + 2));
                out.push('\n');
            }
        }
    }
}

fn scalar_text(value: &Value, indent: usize) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(flag) => flag.to_string(),
        Value::Number(number) => number.to_string(),
        Value::String(text) => string_text(text, indent),
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
    }
}

/// A string as yaml.v2 writes it: plain, "double quoted" when it would read
/// back as another type, 'single quoted' when plain is not allowed, or a
/// literal block when it spans lines.
fn string_text(text: &str, indent: usize) -> String {
    if text.is_empty() {
        return "\"\"".into();
    }
    if text.contains('\n') && !text.chars().any(|c| c.is_control() && c != '\n') {
        let (chomp, body) = match text.strip_suffix('\n') {
            Some(body) if !body.ends_with('\n') => ("|", body),
            Some(_) => ("|+", text.trim_end_matches('\n')),
            None => ("|-", text),
        };
        let pad = " ".repeat(indent);
        let mut out = String::from(chomp);
        for line in body.split('\n') {
            out.push('\n');
            if !line.is_empty() {
                out.push_str(&pad);
                out.push_str(line);
            }
        }
        return out;
    }
    if resolves_to_non_string(text) {
        return serde_json::to_string(text).unwrap_or_default();
    }
    if text.chars().any(|c| c.is_control()) {
        return serde_json::to_string(text).unwrap_or_default();
    }
    if plain_allowed(text) {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "''"))
    }
}

/// Would a plain `text` be read as null, a bool, or a number?
fn resolves_to_non_string(text: &str) -> bool {
    const WORDS: &[&str] = &[
        "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
        "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF",
        ".inf", ".Inf", ".INF", "-.inf", "-.Inf", "-.INF", "+.inf", ".nan", ".NaN", ".NAN",
    ];
    if WORDS.contains(&text) {
        return true;
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let digits = unsigned.replace('_', "");
    if digits.is_empty() {
        return false;
    }
    if let Some(hex) = digits.strip_prefix("0x") {
        return !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit());
    }
    if let Some(bin) = digits.strip_prefix("0b") {
        return !bin.is_empty() && bin.chars().all(|c| c == '0' || c == '1');
    }
    if digits.chars().all(|c| c.is_ascii_digit()) {
        return true;
    }
    digits.parse::<f64>().is_ok()
        && digits
            .chars()
            .all(|c| c.is_ascii_digit() || ".eE+-".contains(c))
}

/// libyaml's rules for a plain scalar in block context.
fn plain_allowed(text: &str) -> bool {
    let first = text.chars().next().unwrap_or(' ');
    let last = text.chars().last().unwrap_or(' ');
    if first.is_whitespace() || last.is_whitespace() || last == ':' {
        return false;
    }
    let second = text.chars().nth(1);
    match first {
        '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"' | '%'
        | '@' | '`' => return false,
        '-' | '?' | ':' if second.is_none_or(char::is_whitespace) => return false,
        _ => {}
    }
    !(text.contains(": ") || text.contains(" #") || text.contains('\t'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_podman_info() {
        let value = serde_json::json!({
            "host": {
                "arch": "amd64",
                "cgroupControllers": ["cpuset", "cpu"],
                "conmon": {"version": "conmon version 2.1.6, commit: unknown"},
                "distribution": {"version": "12"},
                "idMappings": {"gidmap": null},
                "ociRuntime": {"version": "runc version 1.1.5\ncommit: x"},
                "cpuUtilization": {"idlePercent": 56.13},
            },
            "registries": {},
            "store": {"graphStatus": {"Supports d_type": "true"}, "GitCommit": ""},
            "plugins": {"log": ["k8s-file"]},
        });
        assert_eq!(
            to_yaml(&value),
            "host:\n  arch: amd64\n  cgroupControllers:\n  - cpuset\n  - cpu\n  conmon:\n    version: 'conmon version 2.1.6, commit: unknown'\n  cpuUtilization:\n    idlePercent: 56.13\n  distribution:\n    version: \"12\"\n  idMappings:\n    gidmap: null\n  ociRuntime:\n    version: |-\n      runc version 1.1.5\n      commit: x\nplugins:\n  log:\n  - k8s-file\nregistries: {}\nstore:\n  GitCommit: \"\"\n  graphStatus:\n    Supports d_type: \"true\"\n"
        );
    }

    #[test]
    fn sequences_of_maps_share_the_dash_line() {
        let value = serde_json::json!({"list": [{"a": 1, "b": "x"}]});
        assert_eq!(to_yaml(&value), "list:\n- a: 1\n  b: x\n");
    }
}
