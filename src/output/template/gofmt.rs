//! Go's `fmt` printing of template values: `%v` (what `{{.Field}}` prints),
//! `fmt.Sprint`, `fmt.Sprintln` and `fmt.Sprintf` for the `print`,
//! `println` and `printf` functions, and `strconv`'s float formatting and
//! quoting that they rely on.

use std::fmt::Write as _;

use super::value::Value;

/// `fmt.Sprint`: operands printed with `%v`, a space between two operands
/// when neither is a string.
pub fn sprint(args: &[Value]) -> String {
    let mut out = String::new();
    let mut prev_string = false;
    for (i, arg) in args.iter().enumerate() {
        let is_string = matches!(arg, Value::String(_));
        if i > 0 && !is_string && !prev_string {
            out.push(' ');
        }
        print_arg(&mut out, arg, 'v', &Spec::default());
        prev_string = is_string;
    }
    out
}

/// `fmt.Sprintln`: operands printed with `%v`, always separated by spaces,
/// followed by a newline.
pub fn sprintln(args: &[Value]) -> String {
    let mut out = String::new();
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        print_arg(&mut out, arg, 'v', &Spec::default());
    }
    out.push('\n');
    out
}

/// Flags, width and precision of one formatting verb.
#[derive(Debug, Clone, Default)]
struct Spec {
    plus: bool,
    minus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    width: Option<usize>,
    precision: Option<usize>,
}

impl Spec {
    /// Pads `s` to the width (counted in characters) like Go's `fmt.pad`.
    fn pad(&self, out: &mut String, s: &str) {
        let Some(width) = self.width else {
            out.push_str(s);
            return;
        };
        let len = s.chars().count();
        if len >= width {
            out.push_str(s);
            return;
        }
        let fill = if self.zero { '0' } else { ' ' };
        if self.minus {
            out.push_str(s);
            out.extend(std::iter::repeat_n(' ', width - len));
        } else {
            out.extend(std::iter::repeat_n(fill, width - len));
            out.push_str(s);
        }
    }
}

/// `fmt.Sprintf` with Go's verbs, flags, width, precision, `*` arguments and
/// its in-band error reports (`%!d(string=x)`, `%!s(MISSING)`, `%!(EXTRA ...)`).
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let mut out = String::new();
    let mut arg_index = 0;
    let mut chars = format.char_indices().peekable();
    let mut reordered = false;
    while let Some((_, c)) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = Spec::default();
        // Flags.
        while let Some(&(_, f)) = chars.peek() {
            match f {
                '#' => spec.sharp = true,
                '0' => spec.zero = !spec.minus,
                '+' => spec.plus = true,
                '-' => {
                    spec.minus = true;
                    spec.zero = false;
                }
                ' ' => spec.space = true,
                _ => break,
            }
            chars.next();
        }
        // Explicit argument index before the width.
        let mut good_index =
            apply_arg_index(&mut chars, args.len(), &mut arg_index, &mut reordered);
        // Width.
        if chars.peek().map(|&(_, c)| c) == Some('*') {
            chars.next();
            match args.get(arg_index) {
                Some(Value::Int(w)) => {
                    arg_index += 1;
                    let w = *w;
                    if w < 0 {
                        spec.minus = true;
                        spec.zero = false;
                    }
                    if w.unsigned_abs() > 1_000_000 {
                        out.push_str("%!(BADWIDTH)");
                    } else {
                        spec.width = Some(w.unsigned_abs() as usize);
                    }
                }
                Some(Value::Uint(w)) if *w <= 1_000_000 => {
                    arg_index += 1;
                    spec.width = Some(*w as usize);
                }
                _ => {
                    arg_index += 1;
                    out.push_str("%!(BADWIDTH)");
                }
            }
        } else if let Some(w) = parse_number(&mut chars) {
            spec.width = Some(w);
        }
        // Precision.
        if chars.peek().map(|&(_, c)| c) == Some('.') {
            chars.next();
            if chars.peek().map(|&(_, c)| c) == Some('*') {
                chars.next();
                match args.get(arg_index) {
                    Some(Value::Int(p)) if (0..=1_000_000).contains(p) => {
                        spec.precision = Some(*p as usize);
                    }
                    Some(Value::Uint(p)) if *p <= 1_000_000 => spec.precision = Some(*p as usize),
                    Some(Value::Int(_)) => {}
                    _ => out.push_str("%!(BADPREC)"),
                }
                arg_index += 1;
            } else {
                spec.precision = Some(parse_number(&mut chars).unwrap_or(0));
            }
        }
        good_index &= apply_arg_index(&mut chars, args.len(), &mut arg_index, &mut reordered);
        let Some((_, verb)) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        if !good_index {
            let _ = write!(out, "%!{verb}(BADINDEX)");
            continue;
        }
        match args.get(arg_index) {
            None => {
                let _ = write!(out, "%!{verb}(MISSING)");
            }
            Some(arg) => {
                arg_index += 1;
                print_arg(&mut out, arg, verb, &spec);
            }
        }
    }
    if !reordered && arg_index < args.len() {
        out.push_str("%!(EXTRA ");
        for (i, arg) in args[arg_index..].iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            if matches!(arg, Value::Nil) {
                out.push_str("<nil>");
            } else {
                out.push_str(&arg.type_name());
                out.push('=');
                print_arg(&mut out, arg, 'v', &Spec::default());
            }
        }
        out.push(')');
    }
    out
}

type Chars<'a> = std::iter::Peekable<std::str::CharIndices<'a>>;

fn parse_number(chars: &mut Chars<'_>) -> Option<usize> {
    let mut n: Option<usize> = None;
    while let Some(&(_, c)) = chars.peek() {
        let Some(d) = c.to_digit(10) else { break };
        chars.next();
        n = Some(
            n.unwrap_or(0)
                .saturating_mul(10)
                .saturating_add(d as usize)
                .min(1_000_000),
        );
    }
    n
}

/// Applies an explicit `[n]` argument index if one follows; false if it
/// is malformed or out of range.
fn apply_arg_index(
    chars: &mut Chars<'_>,
    len: usize,
    arg_index: &mut usize,
    reordered: &mut bool,
) -> bool {
    match parse_arg_index(chars) {
        None => true,
        Some(index) => {
            *reordered = true;
            match index {
                Some(i) if i < len => {
                    *arg_index = i;
                    true
                }
                _ => false,
            }
        }
    }
}

/// `[n]` argument index: `Some(Some(i))` for a valid 1-based index turned
/// 0-based, `Some(None)` for a malformed one, `None` if there is none.
fn parse_arg_index(chars: &mut Chars<'_>) -> Option<Option<usize>> {
    if chars.peek().map(|&(_, c)| c) != Some('[') {
        return None;
    }
    chars.next();
    let n = parse_number(chars);
    if chars.peek().map(|&(_, c)| c) != Some(']') {
        // Skip to the closing bracket, if any.
        for (_, c) in chars.by_ref() {
            if c == ']' {
                break;
            }
        }
        return Some(None);
    }
    chars.next();
    Some(n.filter(|&n| n >= 1).map(|n| n - 1))
}

/// Formats one operand like Go's `pp.printArg` / `pp.printValue`.
fn print_arg(out: &mut String, arg: &Value, verb: char, spec: &Spec) {
    print_value(out, arg, verb, spec, 0);
}

fn bad_verb(out: &mut String, arg: &Value, verb: char) {
    let _ = write!(out, "%!{verb}(");
    if matches!(arg, Value::Nil) {
        out.push_str("<nil>");
    } else {
        out.push_str(&arg.type_name());
        out.push('=');
        print_value(out, arg, 'v', &Spec::default(), 0);
    }
    out.push(')');
}

fn print_value(out: &mut String, value: &Value, verb: char, spec: &Spec, depth: usize) {
    if verb == 'T' {
        spec.pad(out, &value.type_name());
        return;
    }
    match value {
        Value::Nil => match verb {
            'v' => spec.pad(out, "<nil>"),
            _ if depth > 0 => spec.pad(out, "<nil>"),
            _ => bad_verb(out, value, verb),
        },
        Value::Bool(b) => match verb {
            't' | 'v' => spec.pad(out, if *b { "true" } else { "false" }),
            _ => bad_verb(out, value, verb),
        },
        Value::Int(i) => fmt_integer(out, i.unsigned_abs(), *i < 0, value, verb, spec),
        Value::Uint(u) => fmt_integer(out, *u, false, value, verb, spec),
        Value::Float(f) => {
            let (verb, default_prec) = match verb {
                'v' => ('g', None),
                'g' | 'G' => (verb, None),
                'e' | 'E' | 'f' => (verb, Some(6)),
                'F' => ('f', Some(6)),
                _ => return bad_verb(out, value, verb),
            };
            fmt_float(out, *f, verb, spec.precision.or(default_prec), spec);
        }
        Value::String(s) => match verb {
            'v' | 's' => {
                let s = truncate_chars(s, spec.precision);
                spec.pad(out, s);
            }
            'q' => {
                let s = truncate_chars(s, spec.precision);
                let quoted = if spec.sharp && can_backquote(s) {
                    format!("`{s}`")
                } else {
                    quote_with(s, spec.plus)
                };
                spec.pad(out, &quoted);
            }
            'x' | 'X' => {
                let bytes = s.as_bytes();
                let bytes = match spec.precision {
                    Some(p) if p < bytes.len() => &bytes[..p],
                    _ => bytes,
                };
                spec.pad(out, &hex_bytes(bytes, verb == 'X', spec));
            }
            _ => bad_verb(out, value, verb),
        },
        Value::NilList => out.push_str("[]"),
        Value::NilMap => out.push_str("map[]"),
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                print_value(out, item, verb, spec, depth + 1);
            }
            out.push(']');
        }
        Value::Map(map) => {
            out.push_str("map[");
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                print_value(out, &Value::String(key.clone()), verb, spec, depth + 1);
                out.push(':');
                print_value(out, item, verb, spec, depth + 1);
            }
            out.push(']');
        }
        Value::Struct(s) => {
            out.push('{');
            for (i, (name, item)) in s.fields.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                if spec.plus {
                    out.push_str(name);
                    out.push(':');
                }
                print_value(out, item, verb, spec, depth + 1);
            }
            out.push('}');
        }
    }
}

fn truncate_chars(s: &str, precision: Option<usize>) -> &str {
    match precision {
        Some(p) => match s.char_indices().nth(p) {
            Some((at, _)) => &s[..at],
            None => s,
        },
        None => s,
    }
}

fn hex_bytes(bytes: &[u8], upper: bool, spec: &Spec) -> String {
    let mut s = String::new();
    for (i, b) in bytes.iter().enumerate() {
        if spec.space && i > 0 {
            s.push(' ');
        }
        if spec.sharp && (spec.space || i == 0) {
            s.push_str(if upper { "0X" } else { "0x" });
        }
        if upper {
            let _ = write!(s, "{b:02X}");
        } else {
            let _ = write!(s, "{b:02x}");
        }
    }
    s
}

fn fmt_integer(
    out: &mut String,
    magnitude: u64,
    negative: bool,
    value: &Value,
    verb: char,
    spec: &Spec,
) {
    let digits = match verb {
        'v' | 'd' => magnitude.to_string(),
        'b' => format!("{magnitude:b}"),
        'o' | 'O' => format!("{magnitude:o}"),
        'x' => format!("{magnitude:x}"),
        'X' => format!("{magnitude:X}"),
        'c' => {
            let c = rune(magnitude, negative);
            return spec.pad(out, &c.to_string());
        }
        'q' => {
            let c = rune(magnitude, negative);
            return spec.pad(out, &quote_rune(c, spec.plus));
        }
        'U' => {
            let mut s = if negative {
                format!("U+-{magnitude:04X}")
            } else {
                format!("U+{magnitude:04X}")
            };
            if spec.sharp {
                let c = rune(magnitude, negative);
                if !negative && c != '\u{FFFD}' && is_print(c) {
                    let _ = write!(s, " '{c}'");
                }
            }
            return spec.pad(out, &s);
        }
        _ => return bad_verb(out, value, verb),
    };
    // Precision is a minimum number of digits; zero padding to the width
    // counts as precision when there is no explicit one.
    let mut digits = digits;
    let mut min_digits = spec.precision;
    if spec.precision == Some(0) && magnitude == 0 {
        digits.clear();
    }
    if min_digits.is_none() && spec.zero && !spec.minus {
        if let Some(width) = spec.width {
            let mut w = width;
            if negative || spec.plus || spec.space {
                w = w.saturating_sub(1);
            }
            min_digits = Some(w);
        }
    }
    if let Some(min) = min_digits {
        if digits.len() < min {
            digits = "0".repeat(min - digits.len()) + &digits;
        }
    }
    let prefix = if spec.sharp {
        match verb {
            'b' => "0b",
            'o' if !digits.starts_with('0') => "0",
            'x' => "0x",
            'X' => "0X",
            _ => "",
        }
    } else if verb == 'O' {
        "0o"
    } else {
        ""
    };
    let sign = if negative {
        "-"
    } else if spec.plus {
        "+"
    } else if spec.space {
        " "
    } else {
        ""
    };
    let s = format!("{sign}{prefix}{digits}");
    let no_zero = Spec {
        zero: false,
        ..spec.clone()
    };
    no_zero.pad(out, &s);
}

fn rune(magnitude: u64, negative: bool) -> char {
    if negative {
        return '\u{FFFD}';
    }
    u32::try_from(magnitude)
        .ok()
        .and_then(char::from_u32)
        .unwrap_or('\u{FFFD}')
}

fn fmt_float(out: &mut String, f: f64, verb: char, precision: Option<usize>, spec: &Spec) {
    let mut num = format_float(f, verb, precision);
    if !num.starts_with(['-', '+']) {
        num.insert(0, '+');
    }
    if spec.space && num.starts_with('+') && !spec.plus {
        num.replace_range(0..1, " ");
    }
    if num[1..].starts_with(['I', 'N']) {
        let no_zero = Spec {
            zero: false,
            ..spec.clone()
        };
        if num[1..].starts_with('N') && !spec.space && !spec.plus {
            num.remove(0);
        }
        return no_zero.pad(out, &num);
    }
    if spec.plus || !num.starts_with('+') {
        if spec.zero && !spec.minus {
            if let Some(width) = spec.width {
                if width > num.len() {
                    out.push_str(&num[..1]);
                    out.extend(std::iter::repeat_n('0', width - num.len()));
                    out.push_str(&num[1..]);
                    return;
                }
            }
        }
        return spec.pad(out, &num);
    }
    spec.pad(out, &num[1..]);
}

/// `strconv.FormatFloat(f, verb, precision, 64)` for the verbs `e E f g G`;
/// `None` precision means the shortest representation that round-trips.
pub fn format_float(f: f64, verb: char, precision: Option<usize>) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    let negative = f.is_sign_negative();
    let abs = f.abs();
    let sign = if negative { "-" } else { "" };
    if verb == 'f' {
        let body = match precision {
            Some(p) => format!("{abs:.p$}"),
            None => shortest_fixed(abs),
        };
        return format!("{sign}{body}");
    }
    // Decimal digits (trailing zeros trimmed) and the decimal point position.
    let shortest = precision.is_none();
    let digit_count = match (verb, precision) {
        (_, None) => None,
        ('e' | 'E', Some(p)) => Some(p + 1),
        (_, Some(p)) => Some(p.max(1)),
    };
    let (digits, dp) = decimal_digits(abs, digit_count);
    let exp_char = if verb == 'E' || verb == 'G' { 'E' } else { 'e' };
    let body = match verb {
        'e' | 'E' => {
            let prec = precision.unwrap_or(digits.len().saturating_sub(1));
            fmt_e(&digits, dp, prec, exp_char)
        }
        _ => {
            let mut eprec = precision.map_or(digits.len(), |p| p.max(1));
            if eprec > digits.len() && digits.len() as i64 >= dp {
                eprec = digits.len();
            }
            if shortest {
                eprec = 6;
            }
            let exp = dp - 1;
            if exp < -4 || exp >= eprec as i64 {
                let mut prec = precision.map_or(digits.len(), |p| p.max(1));
                if prec > digits.len() {
                    prec = digits.len();
                }
                fmt_e(&digits, dp, prec.saturating_sub(1), exp_char)
            } else {
                let mut prec = precision.map_or(digits.len() as i64, |p| p.max(1) as i64);
                if prec > dp {
                    prec = digits.len() as i64;
                }
                fmt_f(&digits, dp, (prec - dp).max(0) as usize)
            }
        }
    };
    format!("{sign}{body}")
}

/// The significant digits of `abs` (shortest round-trip if `count` is
/// `None`, else rounded to `count` digits), without trailing zeros, and the
/// position of the decimal point relative to them.
fn decimal_digits(abs: f64, count: Option<usize>) -> (Vec<u8>, i64) {
    if abs == 0.0 {
        return (Vec::new(), 0);
    }
    let sci = match count {
        None => format!("{abs:e}"),
        Some(n) => format!("{abs:.prec$e}", prec = n.saturating_sub(1)),
    };
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exponent: i64 = exponent.parse().unwrap_or(0);
    let mut digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    while digits.last() == Some(&b'0') {
        digits.pop();
    }
    (digits, exponent + 1)
}

fn digit_at(digits: &[u8], i: i64) -> char {
    if i >= 0 && (i as usize) < digits.len() {
        digits[i as usize] as char
    } else {
        '0'
    }
}

/// Go's `fmtE`: d.ddddde±dd.
fn fmt_e(digits: &[u8], dp: i64, prec: usize, exp_char: char) -> String {
    let mut s = String::new();
    s.push(digit_at(digits, 0));
    if prec > 0 {
        s.push('.');
        for i in 1..=prec {
            s.push(digit_at(digits, i as i64));
        }
    }
    let exp = if digits.is_empty() { 0 } else { dp - 1 };
    s.push(exp_char);
    s.push(if exp < 0 { '-' } else { '+' });
    let exp = exp.unsigned_abs();
    if exp < 10 {
        s.push('0');
    }
    let _ = write!(s, "{exp}");
    s
}

/// Go's `fmtF`: ddd.ddd with `prec` decimals.
fn fmt_f(digits: &[u8], dp: i64, prec: usize) -> String {
    let mut s = String::new();
    if dp > 0 {
        for i in 0..dp {
            s.push(digit_at(digits, i));
        }
    } else {
        s.push('0');
    }
    if prec > 0 {
        s.push('.');
        for i in 0..prec as i64 {
            s.push(digit_at(digits, dp + i));
        }
    }
    s
}

fn shortest_fixed(abs: f64) -> String {
    let (digits, dp) = decimal_digits(abs, None);
    let decimals = (digits.len() as i64 - dp).max(0) as usize;
    fmt_f(&digits, dp, decimals)
}

/// Go's `strconv.Quote`.
pub fn quote(s: &str) -> String {
    quote_with(s, false)
}

fn quote_with(s: &str, ascii_only: bool) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        escape_char(&mut out, c, '"', ascii_only);
    }
    out.push('"');
    out
}

fn quote_rune(c: char, ascii_only: bool) -> String {
    let mut out = String::from("'");
    escape_char(&mut out, c, '\'', ascii_only);
    out.push('\'');
    out
}

fn escape_char(out: &mut String, c: char, quote: char, ascii_only: bool) {
    if c == quote || c == '\\' {
        out.push('\\');
        out.push(c);
        return;
    }
    if ascii_only {
        if c.is_ascii() && is_print(c) {
            out.push(c);
            return;
        }
    } else if is_print(c) {
        out.push(c);
        return;
    }
    match c {
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{b}' => out.push_str("\\v"),
        c if (c as u32) < 0x20 || c as u32 == 0x7f => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c if (c as u32) < 0x10000 => {
            let _ = write!(out, "\\u{:04x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\U{:08x}", c as u32);
        }
    }
}

/// An approximation of Go's `unicode.IsPrint`: letters, marks, numbers,
/// punctuation, symbols and the ASCII space.
pub fn is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    let u = c as u32;
    // Format characters, surrogates' neighbours and private use areas.
    !matches!(u,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x200B..=0x200F | 0x202A..=0x202E
        | 0x2060..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB | 0xE000..=0xF8FF | 0xFFFE | 0xFFFF
        | 0xF0000..=0x10FFFF)
}

fn can_backquote(s: &str) -> bool {
    s.chars()
        .all(|c| c != '`' && c != '\u{FEFF}' && (c == '\t' || !c.is_control()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Value {
        Value::String(v.to_string())
    }

    #[test]
    fn floats_print_like_go() {
        let cases = [
            (1.0, "1"),
            (1.5, "1.5"),
            (100000.0, "100000"),
            (1000000.0, "1e+06"),
            (1234567.0, "1.234567e+06"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-2.5, "-2.5"),
            (0.0, "0"),
        ];
        for (f, want) in cases {
            assert_eq!(sprint(&[Value::Float(f)]), want, "{f}");
        }
    }

    #[test]
    fn precision_g_matches_go_units_sizes() {
        assert_eq!(format_float(2.0, 'g', Some(3)), "2");
        assert_eq!(format_float(5.594, 'g', Some(3)), "5.59");
        assert_eq!(format_float(999.9, 'g', Some(3)), "1e+03");
        assert_eq!(format_float(100.0, 'g', Some(3)), "100");
        assert_eq!(format_float(12.34, 'g', Some(4)), "12.34");
    }

    #[test]
    fn sprint_spaces_between_non_strings() {
        assert_eq!(sprint(&[Value::Int(1), Value::Int(2)]), "1 2");
        assert_eq!(sprint(&[s("a"), Value::Int(2), s("b")]), "a2b");
        assert_eq!(sprintln(&[s("a"), s("b")]), "a b\n");
    }

    #[test]
    fn sprintf_verbs() {
        assert_eq!(
            sprintf(
                "%5d|%-5d|%05d",
                &[Value::Int(42), Value::Int(42), Value::Int(-42)]
            ),
            "   42|42   |-0042"
        );
        assert_eq!(
            sprintf(
                "%x %X %o %b %#x",
                &[
                    Value::Int(255),
                    Value::Int(255),
                    Value::Int(8),
                    Value::Int(5),
                    Value::Int(255)
                ]
            ),
            "ff FF 10 101 0xff"
        );
        assert_eq!(
            sprintf("%q %v %s", &[s("a\"b"), s("x"), s("y")]),
            "\"a\\\"b\" x y"
        );
        assert_eq!(
            sprintf(
                "%.2f %e %g",
                &[
                    Value::Float(1.23456),
                    Value::Float(1234.5),
                    Value::Float(0.5)
                ]
            ),
            "1.23 1.234500e+03 0.5"
        );
        assert_eq!(sprintf("%d", &[s("x")]), "%!d(string=x)");
        assert_eq!(sprintf("%d %d", &[Value::Int(1)]), "1 %!d(MISSING)");
        assert_eq!(
            sprintf("%d", &[Value::Int(1), s("x")]),
            "1%!(EXTRA string=x)"
        );
        assert_eq!(
            sprintf("%v|%s", &[Value::Nil, Value::Nil]),
            "<nil>|%!s(<nil>)"
        );
        assert_eq!(sprintf("100%%", &[]), "100%");
        assert_eq!(
            sprintf("%-8s|%8s|%.2s", &[s("ab"), s("ab"), s("abc")]),
            "ab      |      ab|ab"
        );
        assert_eq!(
            sprintf("%t %v", &[Value::Bool(true), Value::Bool(false)]),
            "true false"
        );
        assert_eq!(
            sprintf("%c %U", &[Value::Int(65), Value::Int(65)]),
            "A U+0041"
        );
        assert_eq!(sprintf("%", &[]), "%!(NOVERB)");
    }

    #[test]
    fn containers_print_like_go() {
        let v = Value::from(serde_json::json!({"b": [1, "x", null], "a": {"k": true}}));
        assert_eq!(sprint(&[v]), "map[a:map[k:true] b:[1 x <nil>]]");
    }

    #[test]
    fn quote_escapes_like_strconv() {
        assert_eq!(quote("a\nb\t\"\\\u{1}é"), "\"a\\nb\\t\\\"\\\\\\x01é\"");
    }
}
