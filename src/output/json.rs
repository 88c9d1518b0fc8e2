//! JSON text exactly as Go's `encoding/json` writes it: podman's
//! `--format json` (`json.MarshalIndent`, which escapes `<`, `>` and `&`)
//! and the template function `json` (an encoder with HTML escaping off).
//! Struct fields keep their order, map keys are sorted, floats use Go's
//! notation (`1e+21`, `1e-7`).

use std::fmt::Write as _;

use serde::Serialize;

use super::template::gofmt::format_float;
use super::template::{Value, ValueError};

/// How to lay out the JSON text.
#[derive(Debug, Clone, Copy)]
pub struct Style<'a> {
    /// `None` for compact output, else the indent of one level.
    pub indent: Option<&'a str>,
    /// Escape `<`, `>` and `&` as `\u003c`, `\u003e`, `\u0026` (Go's default).
    pub escape_html: bool,
}

/// Why a value cannot be written as JSON.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum JsonError {
    #[error("json: unsupported value: {0}")]
    UnsupportedValue(String),
    #[error(transparent)]
    Data(#[from] ValueError),
}

/// `json.MarshalIndent(data, "", indent)`: what podman prints for
/// `--format json` (two spaces for `ps`, `info`, `pod ps`, `volume ls`,
/// `network ls`; four for `images`, `connection list`). HTML characters are
/// escaped as Go does. No trailing newline.
pub fn to_string_pretty<T: Serialize + ?Sized>(
    data: &T,
    indent: &str,
) -> Result<String, JsonError> {
    let value = Value::from_serialize(data)?;
    encode(
        &value,
        Style {
            indent: Some(indent),
            escape_html: true,
        },
    )
}

/// Serializes `data` with the given layout. podman's `inspect` uses a
/// Go encoder with `SetIndent("", "     ")` (five spaces) and
/// `SetEscapeHTML(false)`.
pub fn to_string_styled<T: Serialize + ?Sized>(
    data: &T,
    style: Style<'_>,
) -> Result<String, JsonError> {
    encode(&Value::from_serialize(data)?, style)
}

/// podman's `--format json` for lists of the engine's own objects (`pod
/// ps`, `volume ls`, `network ls`): json-iterator's `MarshalIndent`, with
/// the fields in the order the engine sent them (they are Go structs, and
/// Go maps arrive sorted) and an empty map or struct written as an opened
/// and closed block (`{` newline, indent, newline, `}`), as json-iterator
/// does.
pub fn to_string_jsoniter(data: &serde_json::Value, indent: &str) -> Result<String, JsonError> {
    let text = encode_ordered(
        data,
        Style {
            indent: Some(indent),
            escape_html: true,
        },
    )?;
    Ok(open_empty_objects(&text, indent))
}

/// Encodes the engine's JSON as Go re-encodes the structs it decoded it
/// into: objects keep the order the engine sent (struct fields; Go maps
/// arrive sorted).
pub fn encode_ordered(data: &serde_json::Value, style: Style<'_>) -> Result<String, JsonError> {
    encode(&ordered(data), style)
}

/// A JSON value as a template value whose objects keep their key order
/// (as Go structs do).
fn ordered(json: &serde_json::Value) -> Value {
    match json {
        serde_json::Value::Array(items) => Value::List(items.iter().map(ordered).collect()),
        serde_json::Value::Object(map) => Value::Struct(super::template::value::Struct {
            name: "object".to_string(),
            fields: map
                .iter()
                .map(|(key, value)| (key.clone(), ordered(value)))
                .collect(),
        }),
        other => Value::from(other.clone()),
    }
}

/// Rewrites each `{}` outside strings of indented JSON as json-iterator
/// writes an empty object.
fn open_empty_objects(text: &str, indent: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push_str("{\n");
                out.push_str(&indent.repeat(depth + 1));
                out.push('\n');
                out.push_str(&indent.repeat(depth));
                out.push('}');
                continue;
            }
            '{' | '[' => depth += 1,
            '}' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        out.push(c);
    }
    out
}

/// Encodes a template value.
pub fn encode(value: &Value, style: Style<'_>) -> Result<String, JsonError> {
    let mut out = String::new();
    write_value(&mut out, value, style, 0)?;
    Ok(out)
}

fn newline(out: &mut String, style: Style<'_>, depth: usize) {
    if let Some(indent) = style.indent {
        out.push('\n');
        for _ in 0..depth {
            out.push_str(indent);
        }
    }
}

fn write_value(
    out: &mut String,
    value: &Value,
    style: Style<'_>,
    depth: usize,
) -> Result<(), JsonError> {
    match value {
        Value::Nil | Value::NilList | Value::NilMap => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Uint(u) => {
            let _ = write!(out, "{u}");
        }
        Value::Float(f) => out.push_str(&float(*f)?),
        Value::String(s) => write_string(out, s, style.escape_html),
        Value::List(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, style, depth + 1);
                write_value(out, item, style, depth + 1)?;
            }
            newline(out, style, depth);
            out.push(']');
        }
        Value::Map(map) => write_object(out, map.iter(), map.is_empty(), style, depth)?,
        Value::Struct(s) => write_object(
            out,
            s.fields.iter().map(|(k, v)| (k, v)),
            s.fields.is_empty(),
            style,
            depth,
        )?,
    }
    Ok(())
}

fn write_object<'v>(
    out: &mut String,
    entries: impl Iterator<Item = (&'v String, &'v Value)>,
    empty: bool,
    style: Style<'_>,
    depth: usize,
) -> Result<(), JsonError> {
    if empty {
        out.push_str("{}");
        return Ok(());
    }
    out.push('{');
    for (i, (key, item)) in entries.enumerate() {
        if i > 0 {
            out.push(',');
        }
        newline(out, style, depth + 1);
        write_string(out, key, style.escape_html);
        out.push(':');
        if style.indent.is_some() {
            out.push(' ');
        }
        write_value(out, item, style, depth + 1)?;
    }
    newline(out, style, depth);
    out.push('}');
    Ok(())
}

/// Go's float encoding: shortest digits, exponent form outside
/// [1e-6, 1e21), with `e-07` cleaned up to `e-7`.
fn float(f: f64) -> Result<String, JsonError> {
    if !f.is_finite() {
        return Err(JsonError::UnsupportedValue(format_float(f, 'g', None)));
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let mut s = format_float(f, 'e', None);
        let n = s.len();
        let b = s.as_bytes();
        if n >= 4 && b[n - 4] == b'e' && b[n - 3] == b'-' && b[n - 2] == b'0' {
            s.remove(n - 2);
        }
        Ok(s)
    } else {
        Ok(format_float(f, 'f', None))
    }
}

fn write_string(out: &mut String, s: &str, escape_html: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' if escape_html => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_json_matches_go_marshal_indent() {
        let data =
            serde_json::json!([{"b": [1, 2], "a": "<x>&", "e": [], "m": {}, "f": 1.5, "n": null}]);
        let text = to_string_pretty(&data, "  ").unwrap();
        assert_eq!(
            text,
            "[\n  {\n    \"a\": \"\\u003cx\\u003e\\u0026\",\n    \"b\": [\n      1,\n      2\n    ],\n    \"e\": [],\n    \"f\": 1.5,\n    \"m\": {},\n    \"n\": null\n  }\n]"
        );
    }

    #[test]
    fn inspect_style() {
        let style = Style {
            indent: Some("     "),
            escape_html: false,
        };
        let text = to_string_styled(&serde_json::json!([{"A": "<b>"}]), style).unwrap();
        assert_eq!(text, "[\n     {\n          \"A\": \"<b>\"\n     }\n]");
    }

    #[test]
    fn jsoniter_keeps_order_and_opens_empty_objects() {
        let data = serde_json::json!([{"Name": "v", "Labels": {}, "A": [], "S": "{}"}]);
        let mut map = serde_json::Map::new();
        map.insert("Z".into(), serde_json::json!(1));
        map.insert("B".into(), serde_json::json!({"k": "<"}));
        let data2 = serde_json::Value::Object(map);
        assert_eq!(
            to_string_jsoniter(&data, "  ").unwrap(),
            "[\n  {\n    \"Name\": \"v\",\n    \"Labels\": {\n      \n    },\n    \"A\": [],\n    \"S\": \"{}\"\n  }\n]"
        );
        assert_eq!(
            to_string_jsoniter(&data2, "  ").unwrap(),
            "{\n  \"Z\": 1,\n  \"B\": {\n    \"k\": \"\\u003c\"\n  }\n}"
        );
    }

    #[test]
    fn compact_without_html_escaping() {
        let value =
            Value::from(serde_json::json!({"a": "<\u{1}>", "b": 1e21, "c": 1e-7, "d": 100.0}));
        let style = Style {
            indent: None,
            escape_html: false,
        };
        assert_eq!(
            encode(&value, style).unwrap(),
            r#"{"a":"<\u0001>","b":1e+21,"c":1e-7,"d":100}"#
        );
    }
}
