//! The functions a template can call: Go's builtins (`and or not len index
//! slice print printf println eq ne lt le gt ge html js urlquery call`) and
//! the ones podman adds in `containers/common/pkg/report`
//! (`join json lower pad split title truncate upper`), with Go's argument
//! rules and error messages.

use super::gofmt;
use super::value::Value;
use crate::output::json;

/// The Go type of a function parameter, as far as argument checking goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    /// `reflect.Value`: anything, nil included.
    Reflect,
    /// `interface{}`: anything, nil included.
    Any,
    String,
    Int,
    /// `[]string`
    StringList,
}

impl Param {
    pub fn go_type(self) -> &'static str {
        match self {
            Param::Reflect => "reflect.Value",
            Param::Any => "interface {}",
            Param::String => "string",
            Param::Int => "int",
            Param::StringList => "[]string",
        }
    }
}

/// A function's parameters: fixed ones, then optionally a variadic one.
#[derive(Debug, Clone, Copy)]
pub struct Signature {
    pub fixed: &'static [Param],
    pub variadic: Option<Param>,
}

impl Signature {
    /// How many parameters Go's reflect counts (`NumIn`).
    pub fn num_in(&self) -> usize {
        self.fixed.len() + usize::from(self.variadic.is_some())
    }
}

const fn sig(fixed: &'static [Param], variadic: Option<Param>) -> Signature {
    Signature { fixed, variadic }
}

/// The signature of the function called `name`, if there is one.
pub fn signature(name: &str) -> Option<Signature> {
    use Param::*;
    Some(match name {
        "and" | "or" | "call" | "index" | "slice" | "eq" => sig(&[Reflect], Some(Reflect)),
        "html" | "js" | "urlquery" | "print" | "println" => sig(&[], Some(Any)),
        "printf" => sig(&[String], Some(Any)),
        "len" | "not" => sig(&[Reflect], None),
        "ne" | "lt" | "le" | "gt" | "ge" => sig(&[Reflect, Reflect], None),
        "join" => sig(&[StringList, String], None),
        "json" => sig(&[Any], None),
        "lower" | "upper" | "title" => sig(&[String], None),
        "pad" => sig(&[String, Int, Int], None),
        "split" => sig(&[String, String], None),
        "truncate" => sig(&[String, Int], None),
        _ => return None,
    })
}

/// Whether a template may call `name`.
pub fn is_function(name: &str) -> bool {
    signature(name).is_some()
}

/// Calls a function (other than `and`/`or`, which the executor evaluates
/// lazily) with already checked arguments. The error is the text after
/// `error calling NAME: `.
pub fn call(name: &str, args: &[Value]) -> Result<Value, String> {
    let arg = |i: usize| args.get(i).unwrap_or(&Value::Nil);
    let string = |i: usize| match arg(i) {
        Value::String(s) => s.as_str(),
        _ => "",
    };
    let int = |i: usize| match arg(i) {
        Value::Int(n) => *n,
        _ => 0,
    };
    Ok(match name {
        "call" => {
            return Err(match arg(0) {
                Value::Nil => "call of nil".to_string(),
                other => format!("non-function of type {}", other.type_name()),
            })
        }
        "index" => index(arg(0), &args[1.min(args.len())..])?,
        "slice" => slice(arg(0), &args[1.min(args.len())..])?,
        "len" => Value::Int(length(arg(0))?),
        "not" => Value::Bool(!arg(0).is_true()),
        "eq" => Value::Bool(eq(arg(0), &args[1.min(args.len())..])?),
        "ne" => Value::Bool(!eq(arg(0), std::slice::from_ref(arg(1)))?),
        "lt" => Value::Bool(lt(arg(0), arg(1))?),
        "le" => Value::Bool(lt(arg(0), arg(1))? || eq(arg(0), std::slice::from_ref(arg(1)))?),
        "gt" => Value::Bool(!(lt(arg(0), arg(1))? || eq(arg(0), std::slice::from_ref(arg(1)))?)),
        "ge" => Value::Bool(!lt(arg(0), arg(1))?),
        "print" => Value::String(gofmt::sprint(args)),
        "println" => Value::String(gofmt::sprintln(args)),
        "printf" => Value::String(gofmt::sprintf(string(0), &args[1.min(args.len())..])),
        "html" => Value::String(html_escape(&escaper_input(args))),
        "js" => Value::String(js_escape(&escaper_input(args))),
        "urlquery" => Value::String(query_escape(&escaper_input(args))),
        "join" => {
            let parts: Vec<&str> = match arg(0) {
                Value::NilList => Vec::new(),
                Value::List(items) => items
                    .iter()
                    .map(|item| match item {
                        Value::String(s) => s.as_str(),
                        _ => "",
                    })
                    .collect(),
                _ => Vec::new(),
            };
            Value::String(parts.join(string(1)))
        }
        "json" => {
            let style = json::Style {
                indent: None,
                escape_html: false,
            };
            // podman ignores encoding errors and prints what was buffered:
            // nothing.
            Value::String(json::encode(arg(0), style).unwrap_or_default())
        }
        "lower" => Value::String(map_chars(string(0), char::to_lowercase)),
        "upper" => Value::String(map_chars(string(0), char::to_uppercase)),
        "title" => Value::String(title(string(0))),
        "pad" => {
            let (prefix, suffix) = (int(1), int(2));
            let source = string(0);
            if source.is_empty() {
                Value::String(String::new())
            } else if prefix < 0 || suffix < 0 {
                return Err("strings: negative Repeat count".to_string());
            } else if prefix > 1 << 20 || suffix > 1 << 20 {
                return Err("strings: Repeat output length overflow".to_string());
            } else {
                Value::String(format!(
                    "{}{source}{}",
                    " ".repeat(prefix as usize),
                    " ".repeat(suffix as usize)
                ))
            }
        }
        "split" => Value::List(split(string(0), string(1))),
        "truncate" => {
            let (source, length) = (string(0), int(1));
            if (source.len() as i64) < length {
                Value::String(source.to_string())
            } else if length < 0 {
                return Err(format!(
                    "runtime error: slice bounds out of range [:{length}]"
                ));
            } else {
                Value::String(byte_prefix(source, length as usize))
            }
        }
        _ => return Err(format!("function {} not defined", gofmt::quote(name))),
    })
}

/// The first `n` bytes of `s`; a cut through a character becomes U+FFFD.
fn byte_prefix(s: &str, n: usize) -> String {
    String::from_utf8_lossy(&s.as_bytes()[..n.min(s.len())]).into_owned()
}

/// Go's per-rune case mapping: a character whose mapping is not a single
/// character stays as it is (`strings.ToUpper("ß")` is `"ß"`).
fn map_chars<I: Iterator<Item = char>>(s: &str, f: impl Fn(char) -> I) -> String {
    s.chars()
        .map(|c| {
            let mut mapped = f(c);
            match (mapped.next(), mapped.next()) {
                (Some(m), None) => m,
                _ => c,
            }
        })
        .collect()
}

/// `strings.Title`: upper-cases the first letter of each word.
fn title(s: &str) -> String {
    let mut prev = ' ';
    s.chars()
        .map(|c| {
            let out = if is_separator(prev) {
                map_chars(c.encode_utf8(&mut [0; 4]), char::to_uppercase)
                    .chars()
                    .next()
                    .unwrap_or(c)
            } else {
                c
            };
            prev = c;
            out
        })
        .collect()
}

fn is_separator(c: char) -> bool {
    if c.is_ascii() {
        return !(c.is_ascii_alphanumeric() || c == '_');
    }
    if c.is_alphanumeric() {
        return false;
    }
    c.is_whitespace()
}

/// `strings.Split`: an empty separator splits into characters.
fn split(s: &str, sep: &str) -> Vec<Value> {
    if sep.is_empty() {
        return s.chars().map(|c| Value::String(c.to_string())).collect();
    }
    s.split(sep)
        .map(|part| Value::String(part.to_string()))
        .collect()
}

fn index_arg(index: &Value, cap: usize) -> Result<usize, String> {
    let x: i128 = match index {
        Value::Int(i) => (*i).into(),
        Value::Uint(u) => (*u).into(),
        Value::Nil => return Err("cannot index slice/array with nil".to_string()),
        other => {
            return Err(format!(
                "cannot index slice/array with type {}",
                other.type_name()
            ))
        }
    };
    if x < 0 || x > cap as i128 {
        return Err(format!("index out of range: {x}"));
    }
    Ok(x as usize)
}

fn index(item: &Value, indexes: &[Value]) -> Result<Value, String> {
    if matches!(item, Value::Nil) {
        return Err("index of untyped nil".to_string());
    }
    let mut item = item.clone();
    for index in indexes {
        item = match item {
            Value::Nil => return Err("index of nil pointer".to_string()),
            Value::NilList => {
                index_arg(index, 0)?;
                return Err("reflect: slice index out of range".to_string());
            }
            Value::NilMap => match index {
                Value::String(_) => Value::String(String::new()),
                Value::Nil => return Err("value is nil; should be of type string".to_string()),
                other => {
                    return Err(format!(
                        "value has type {}; should be string",
                        other.type_name()
                    ))
                }
            },
            Value::List(items) => {
                let x = index_arg(index, items.len())?;
                match items.into_iter().nth(x) {
                    Some(v) => v,
                    None => return Err("reflect: slice index out of range".to_string()),
                }
            }
            Value::String(s) => {
                let x = index_arg(index, s.len())?;
                match s.as_bytes().get(x) {
                    Some(b) => Value::Uint((*b).into()),
                    None => return Err("reflect: string index out of range".to_string()),
                }
            }
            Value::Map(map) => {
                let key = match index {
                    Value::String(s) => s,
                    Value::Nil => return Err("value is nil; should be of type string".to_string()),
                    other => {
                        return Err(format!(
                            "value has type {}; should be string",
                            other.type_name()
                        ))
                    }
                };
                match map.get(key) {
                    Some(v) => v.clone(),
                    // The zero value of the map's element type; an empty map
                    // is taken to hold strings, as podman's maps mostly do.
                    None => map
                        .values()
                        .next()
                        .map_or(Value::String(String::new()), |v| {
                            if map.values().all(|w| w.type_name() == v.type_name()) {
                                v.zero_like()
                            } else {
                                Value::Nil
                            }
                        }),
                }
            }
            other => return Err(format!("can't index item of type {}", other.type_name())),
        };
    }
    Ok(item)
}

fn slice(item: &Value, indexes: &[Value]) -> Result<Value, String> {
    if matches!(item, Value::Nil) {
        return Err("slice of untyped nil".to_string());
    }
    if indexes.len() > 3 {
        return Err(format!("too many slice indexes: {}", indexes.len()));
    }
    let len = match item {
        Value::String(s) => {
            if indexes.len() == 3 {
                return Err("cannot 3-index slice a string".to_string());
            }
            s.len()
        }
        Value::List(items) => items.len(),
        Value::NilList => 0,
        other => return Err(format!("can't slice item of type {}", other.type_name())),
    };
    let mut idx = [0, len, len];
    for (i, index) in indexes.iter().enumerate() {
        idx[i] = index_arg(index, len)?;
    }
    if idx[0] > idx[1] {
        return Err(format!("invalid slice index: {} > {}", idx[0], idx[1]));
    }
    if indexes.len() == 3 && idx[1] > idx[2] {
        return Err(format!("invalid slice index: {} > {}", idx[1], idx[2]));
    }
    Ok(match item {
        Value::String(s) => {
            Value::String(String::from_utf8_lossy(&s.as_bytes()[idx[0]..idx[1]]).into_owned())
        }
        Value::List(items) => Value::List(items[idx[0]..idx[1]].to_vec()),
        _ => Value::NilList,
    })
}

fn length(item: &Value) -> Result<i64, String> {
    match item {
        Value::Nil => Err("len of nil pointer".to_string()),
        Value::NilList | Value::NilMap => Ok(0),
        Value::List(items) => Ok(items.len() as i64),
        Value::Map(map) => Ok(map.len() as i64),
        Value::String(s) => Ok(s.len() as i64),
        other => Err(format!("len of type {}", other.type_name())),
    }
}

/// Go's comparison kinds.
#[derive(PartialEq, Eq, Clone, Copy)]
enum Kind {
    Invalid,
    Bool,
    Int,
    Uint,
    Float,
    String,
}

fn basic_kind(v: &Value) -> Kind {
    match v {
        Value::Bool(_) => Kind::Bool,
        Value::Int(_) => Kind::Int,
        Value::Uint(_) => Kind::Uint,
        Value::Float(_) => Kind::Float,
        Value::String(_) => Kind::String,
        _ => Kind::Invalid,
    }
}

const BAD_COMPARISON: &str = "incompatible types for comparison";
const BAD_COMPARISON_TYPE: &str = "invalid type for comparison";

fn eq(arg1: &Value, others: &[Value]) -> Result<bool, String> {
    if others.is_empty() {
        return Err("missing argument for comparison".to_string());
    }
    let k1 = basic_kind(arg1);
    for arg in others {
        let k2 = basic_kind(arg);
        let truth = if k1 != k2 {
            match (arg1, arg) {
                (Value::Int(i), Value::Uint(u)) | (Value::Uint(u), Value::Int(i)) => {
                    *i >= 0 && *i as u64 == *u
                }
                _ => {
                    if !matches!(arg1, Value::Nil) && !matches!(arg, Value::Nil) {
                        return Err(BAD_COMPARISON.to_string());
                    }
                    false
                }
            }
        } else {
            match (arg1, arg) {
                (Value::Bool(a), Value::Bool(b)) => a == b,
                (Value::Int(a), Value::Int(b)) => a == b,
                (Value::Uint(a), Value::Uint(b)) => a == b,
                (Value::Float(a), Value::Float(b)) => a == b,
                (Value::String(a), Value::String(b)) => a == b,
                _ if arg1.is_nil() || arg.is_nil() => arg1.is_nil() && arg.is_nil(),
                (Value::Struct(a), Value::Struct(b)) if a.name == b.name && comparable(arg) => {
                    a == b
                }
                _ if std::mem::discriminant(arg1) != std::mem::discriminant(arg) => {
                    return Err(format!(
                        "non-comparable types {}: {}, {}: {}",
                        gofmt::sprintf("%s", std::slice::from_ref(arg1)),
                        arg1.type_name(),
                        arg.type_name(),
                        gofmt::sprint(std::slice::from_ref(arg))
                    ))
                }
                _ => {
                    return Err(format!(
                        "non-comparable type {}: {}",
                        gofmt::sprintf("%s", std::slice::from_ref(arg)),
                        arg.type_name()
                    ))
                }
            }
        };
        if truth {
            return Ok(true);
        }
    }
    Ok(false)
}

fn comparable(v: &Value) -> bool {
    match v {
        Value::List(_) | Value::Map(_) => false,
        Value::Struct(s) => s.fields.iter().all(|(_, v)| comparable(v)),
        _ => true,
    }
}

fn lt(arg1: &Value, arg2: &Value) -> Result<bool, String> {
    let k1 = basic_kind(arg1);
    let k2 = basic_kind(arg2);
    if k1 == Kind::Invalid || k2 == Kind::Invalid {
        return Err(BAD_COMPARISON_TYPE.to_string());
    }
    Ok(match (arg1, arg2) {
        (Value::Int(i), Value::Uint(u)) => *i < 0 || (*i as u64) < *u,
        (Value::Uint(u), Value::Int(i)) => *i >= 0 && *u < *i as u64,
        _ if k1 != k2 => return Err(BAD_COMPARISON.to_string()),
        (Value::Bool(_), _) => return Err(BAD_COMPARISON_TYPE.to_string()),
        (Value::Int(a), Value::Int(b)) => a < b,
        (Value::Uint(a), Value::Uint(b)) => a < b,
        (Value::Float(a), Value::Float(b)) => a < b,
        (Value::String(a), Value::String(b)) => a < b,
        _ => return Err(BAD_COMPARISON_TYPE.to_string()),
    })
}

/// The string the escaping functions work on: a single string argument
/// as is, else `fmt.Sprint` of the arguments with nil printed as
/// `<no value>`.
fn escaper_input(args: &[Value]) -> String {
    if let [Value::String(s)] = args {
        return s.clone();
    }
    let args: Vec<Value> = args
        .iter()
        .map(|a| match a {
            Value::Nil => Value::String("<no value>".to_string()),
            other => other.clone(),
        })
        .collect();
    gofmt::sprint(&args)
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\0' => out.push('\u{FFFD}'),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c if c.is_ascii() || gofmt::is_print(c) => out.push(c),
            c => out.push_str(&format!("\\u{:04X}", c as u32)),
        }
    }
    out
}

/// `url.QueryEscape`.
fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Value {
        Value::String(v.to_string())
    }

    #[test]
    fn podman_string_functions() {
        assert_eq!(call("upper", &[s("abc")]), Ok(s("ABC")));
        assert_eq!(
            call("title", &[s("hello wORLD-x_y")]),
            Ok(s("Hello WORLD-X_y"))
        );
        assert_eq!(
            call("truncate", &[s("abcdef"), Value::Int(3)]),
            Ok(s("abc"))
        );
        assert_eq!(call("truncate", &[s("ab"), Value::Int(3)]), Ok(s("ab")));
        assert_eq!(
            call("pad", &[s("ab"), Value::Int(1), Value::Int(2)]),
            Ok(s(" ab  "))
        );
        assert_eq!(
            call("pad", &[s(""), Value::Int(1), Value::Int(2)]),
            Ok(s(""))
        );
        assert_eq!(
            call("split", &[s("a,b"), s(",")]),
            Ok(Value::List(vec![s("a"), s("b")]))
        );
        assert_eq!(
            call("join", &[Value::List(vec![s("a"), s("b")]), s(", ")]),
            Ok(s("a, b"))
        );
        assert_eq!(
            call("json", &[Value::from(serde_json::json!({"a": "<"}))]),
            Ok(s(r#"{"a":"<"}"#))
        );
    }

    #[test]
    fn comparisons_follow_go() {
        assert_eq!(
            call("eq", &[Value::Int(1), Value::Uint(1)]),
            Ok(Value::Bool(true))
        );
        assert_eq!(call("eq", &[s("a"), s("b"), s("a")]), Ok(Value::Bool(true)));
        assert_eq!(
            call("eq", &[s("a"), Value::Int(1)]),
            Err(BAD_COMPARISON.to_string())
        );
        assert_eq!(
            call("eq", &[Value::Nil, Value::Int(1)]),
            Ok(Value::Bool(false))
        );
        assert_eq!(
            call("lt", &[Value::Int(1), Value::Int(2)]),
            Ok(Value::Bool(true))
        );
        assert_eq!(call("ge", &[s("b"), s("a")]), Ok(Value::Bool(true)));
        assert_eq!(
            call("lt", &[Value::Bool(true), Value::Bool(false)]),
            Err(BAD_COMPARISON_TYPE.to_string())
        );
    }

    #[test]
    fn index_and_slice() {
        let list = Value::List(vec![s("a"), s("b")]);
        assert_eq!(call("index", &[list.clone(), Value::Int(1)]), Ok(s("b")));
        assert_eq!(
            call("index", &[list.clone(), Value::Int(2)]),
            Err("reflect: slice index out of range".into())
        );
        assert_eq!(
            call("index", &[list.clone(), Value::Int(3)]),
            Err("index out of range: 3".into())
        );
        let map = Value::from(serde_json::json!({"app": "web"}));
        assert_eq!(call("index", &[map.clone(), s("app")]), Ok(s("web")));
        assert_eq!(call("index", &[map, s("nope")]), Ok(s("")));
        assert_eq!(
            call("slice", &[s("abcdef"), Value::Int(1), Value::Int(3)]),
            Ok(s("bc"))
        );
        assert_eq!(call("len", &[list]), Ok(Value::Int(2)));
    }

    #[test]
    fn escapers() {
        assert_eq!(
            call("html", &[s("<a href='x'>&")]),
            Ok(s("&lt;a href=&#39;x&#39;&gt;&amp;"))
        );
        assert_eq!(call("js", &[s("a'b=<")]), Ok(s("a\\'b\\u003D\\u003C")));
        assert_eq!(call("urlquery", &[s("a b&c")]), Ok(s("a+b%26c")));
        assert_eq!(call("html", &[Value::Nil]), Ok(s("&lt;no value&gt;")));
    }
}
