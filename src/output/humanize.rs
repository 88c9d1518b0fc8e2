//! Human-readable times and sizes exactly as podman prints them, following
//! docker/go-units v0.5.0 (which podman 4.3 uses) and podman's column
//! helpers: "5 minutes ago", "About an hour ago", "Up 5 seconds ago",
//! "Exited (0) 3 seconds ago", "5.59MB" / podman images' "5.59 MB", and
//! Go's `time.Time.String()` form of timestamps. Every function takes the
//! current time explicitly, so output is testable.

use std::fmt::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use super::template::gofmt::format_float;

/// A point in time with the UTC offset it was written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp {
    /// Seconds since the Unix epoch.
    pub secs: i64,
    /// Nanoseconds within the second.
    pub nanos: u32,
    /// Offset from UTC in seconds (0 for `Z`).
    pub offset: i32,
}

impl Timestamp {
    /// A UTC timestamp from Unix seconds.
    pub fn from_unix(secs: i64) -> Self {
        Timestamp {
            secs,
            nanos: 0,
            offset: 0,
        }
    }

    /// The current time (UTC).
    pub fn now() -> Self {
        let since = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        Timestamp {
            secs: since.as_secs() as i64,
            nanos: since.subsec_nanos(),
            offset: 0,
        }
    }

    /// Parses an RFC 3339 timestamp as podman's API writes them
    /// (`2024-01-02T15:04:05.123456789Z`, `...+01:00`).
    pub fn parse_rfc3339(text: &str) -> Option<Self> {
        let b = text.as_bytes();
        if b.len() < 20
            || b[4] != b'-'
            || b[7] != b'-'
            || !matches!(b[10], b'T' | b't' | b' ')
            || b[13] != b':'
            || b[16] != b':'
        {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<i64> {
            let s = text.get(r)?;
            if !s.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            s.parse().ok()
        };
        let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
        if !(1..=12).contains(&month)
            || !(1..=31).contains(&day)
            || hour > 23
            || minute > 59
            || second > 60
        {
            return None;
        }
        let mut rest = &text[19..];
        let mut nanos: u32 = 0;
        if let Some(frac) = rest.strip_prefix('.') {
            let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return None;
            }
            let mut scale = 100_000_000;
            for c in frac[..digits].bytes().take(9) {
                nanos += u32::from(c - b'0') * scale;
                scale /= 10;
            }
            rest = &frac[digits..];
        }
        let offset = match rest {
            "Z" | "z" => 0,
            _ => {
                let sign = match rest.as_bytes().first()? {
                    b'+' => 1,
                    b'-' => -1,
                    _ => return None,
                };
                if rest.len() != 6 || rest.as_bytes()[3] != b':' {
                    return None;
                }
                let h: i32 = rest[1..3].parse().ok()?;
                let m: i32 = rest[4..6].parse().ok()?;
                sign * (h * 3600 + m * 60)
            }
        };
        let days = days_from_civil(year, month as u32, day as u32);
        let local = days * 86_400 + hour * 3600 + minute * 60 + second;
        Some(Timestamp {
            secs: local - i64::from(offset),
            nanos,
            offset,
        })
    }

    /// Nanoseconds from `self` to `later` (negative if `later` is earlier).
    pub fn nanos_until(&self, later: &Timestamp) -> i64 {
        let secs = i128::from(later.secs) - i128::from(self.secs);
        let nanos = secs * 1_000_000_000 + i128::from(later.nanos) - i128::from(self.nanos);
        nanos.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
    }

    /// Go's `time.Time.String()`: `2024-01-02 15:04:05.123456789 +0000 UTC`
    /// (fraction without trailing zeros; a zone without a name, as Go
    /// gives a parsed offset, prints the offset twice).
    pub fn go_string(&self) -> String {
        let local = self.secs + i64::from(self.offset);
        let days = local.div_euclid(86_400);
        let secs_of_day = local.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        let mut s = format!(
            "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
            secs_of_day / 3600,
            secs_of_day / 60 % 60,
            secs_of_day % 60
        );
        if self.nanos > 0 {
            let frac = format!("{:09}", self.nanos);
            let _ = write!(s, ".{}", frac.trim_end_matches('0'));
        }
        let sign = if self.offset < 0 { '-' } else { '+' };
        let abs = self.offset.unsigned_abs();
        let zone = format!("{sign}{:02}{:02}", abs / 3600, abs / 60 % 60);
        if self.offset == 0 {
            let _ = write!(s, " +0000 UTC");
        } else {
            let _ = write!(s, " {zone} {zone}");
        }
        s
    }

    /// Go's `time.RFC3339Nano` layout: `2024-01-02T15:04:05.123456789Z`
    /// (fraction without trailing zeros, `Z` or `+01:00`).
    pub fn rfc3339_nano(&self) -> String {
        let go = self.go_string();
        let (date, rest) = go.split_once(' ').unwrap_or((&go, ""));
        let clock = rest.split(' ').next().unwrap_or_default();
        let zone = if self.offset == 0 {
            "Z".to_string()
        } else {
            let sign = if self.offset < 0 { '-' } else { '+' };
            let abs = self.offset.unsigned_abs();
            format!("{sign}{:02}:{:02}", abs / 3600, abs / 60 % 60)
        };
        format!("{date}T{clock}{zone}")
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// go-units `HumanDuration` of a duration in nanoseconds: "Less than a
/// second", "1 second", "5 seconds", "About a minute", "5 minutes", "About
/// an hour", "5 hours", "3 days", "2 weeks", "3 months", "2 years".
pub fn human_duration(nanos: i64) -> String {
    let d = nanos as f64;
    let seconds = (d / 1e9) as i64;
    if seconds < 1 {
        return "Less than a second".to_string();
    }
    if seconds == 1 {
        return "1 second".to_string();
    }
    if seconds < 60 {
        return format!("{seconds} seconds");
    }
    let minutes = (d / 6e10) as i64;
    if minutes == 1 {
        return "About a minute".to_string();
    }
    if minutes < 60 {
        return format!("{minutes} minutes");
    }
    let hours = (d / 3.6e12 + 0.5) as i64;
    if hours == 1 {
        return "About an hour".to_string();
    }
    if hours < 48 {
        return format!("{hours} hours");
    }
    if hours < 24 * 7 * 2 {
        return format!("{} days", hours / 24);
    }
    if hours < 24 * 30 * 2 {
        return format!("{} weeks", hours / 24 / 7);
    }
    if hours < 24 * 365 * 2 {
        return format!("{} months", hours / 24 / 30);
    }
    format!("{} years", (d / 3.6e12) as i64 / 24 / 365)
}

/// podman's `units.HumanDuration(time.Since(t)) + " ago"`: "5 minutes ago".
pub fn time_ago(then: &Timestamp, now: &Timestamp) -> String {
    format!("{} ago", human_duration(then.nanos_until(now)))
}

/// The STATUS column of `podman ps` (podman's `psReporter.Status`): "Up 5
/// seconds ago", "Exited (3) 2 minutes ago", the state title-cased
/// otherwise ("Created", "Paused"), and " (healthy)" etc. appended when
/// there is a health status. `started_at`/`exited_at` are Unix seconds.
pub fn container_status(
    state: &str,
    started_at: i64,
    exited_at: i64,
    exit_code: i32,
    health: &str,
    now: &Timestamp,
) -> String {
    let state = match state {
        "running" => format!("Up {}", time_ago(&Timestamp::from_unix(started_at), now)),
        "exited" | "stopped" => format!(
            "Exited ({exit_code}) {}",
            time_ago(&Timestamp::from_unix(exited_at), now)
        ),
        other => go_title(other),
    };
    if health.is_empty() {
        state
    } else {
        format!("{state} ({health})")
    }
}

/// Go's `strings.Title` for ASCII words (what podman uses for states).
fn go_title(s: &str) -> String {
    let mut prev_sep = true;
    s.chars()
        .map(|c| {
            let out = if prev_sep { c.to_ascii_uppercase() } else { c };
            prev_sep = !(c.is_alphanumeric() || c == '_');
            out
        })
        .collect()
}

fn size_and_unit(mut size: f64, base: f64, units: &[&'static str]) -> (f64, &'static str) {
    let mut i = 0;
    while size >= base && i < units.len() - 1 {
        size /= base;
        i += 1;
    }
    (size, units[i])
}

const DECIMAL_UNITS: [&str; 9] = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
const BINARY_UNITS: [&str; 9] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"];

/// go-units `HumanSizeWithPrecision`: decimal units, `precision`
/// significant digits, no space ("5.59MB", "1e+03kB").
pub fn human_size_with_precision(size: f64, precision: usize) -> String {
    let (size, unit) = size_and_unit(size, 1000.0, &DECIMAL_UNITS);
    format!("{}{unit}", format_float(size, 'g', Some(precision)))
}

/// go-units `HumanSize`: four significant digits ("2.746MB").
pub fn human_size(size: f64) -> String {
    human_size_with_precision(size, 4)
}

/// go-units `BytesSize`: binary units, four digits ("44KiB").
pub fn bytes_size(size: f64) -> String {
    let (size, unit) = size_and_unit(size, 1024.0, &BINARY_UNITS);
    format!("{}{unit}", format_float(size, 'g', Some(4)))
}

/// The SIZE column of `podman images`: three digits with a space before
/// the unit ("5.59 MB", "2 MB").
pub fn image_size(size: f64) -> String {
    let s = human_size_with_precision(size, 3);
    match s.rfind(|c: char| c.is_numeric()) {
        Some(j) => {
            let at = j + s[j..].chars().next().map_or(1, char::len_utf8);
            format!("{} {}", &s[..at], &s[at..])
        }
        None => format!(" {s}"),
    }
}

/// The SIZE column of `podman ps --size`: "12kB (virtual 5.59MB)".
pub fn container_size(rw_size: i64, root_fs_size: i64) -> String {
    format!(
        "{} (virtual {})",
        human_size_with_precision(rw_size as f64, 3),
        human_size_with_precision(root_fs_size as f64, 3)
    )
}

/// One published port, as podman's API lists it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PortMapping {
    pub host_ip: String,
    pub container_port: u16,
    pub host_port: u16,
    /// How many consecutive ports (0 or 1 for one).
    pub range: u16,
    /// `tcp`, `udp`, `sctp` or several separated by commas.
    pub protocol: String,
}

/// The PORTS column of `podman ps`: `0.0.0.0:8080->80/tcp, 0.0.0.0:9000-9001->9000-9001/udp`.
pub fn ports(ports: &[PortMapping]) -> String {
    let mut parts = Vec::new();
    for port in ports {
        let host_ip = if port.host_ip.is_empty() {
            "0.0.0.0"
        } else {
            &port.host_ip
        };
        for protocol in port.protocol.split(',') {
            if port.range > 1 {
                let last = u32::from(port.range) - 1;
                parts.push(format!(
                    "{host_ip}:{}-{}->{}-{}/{protocol}",
                    port.host_port,
                    u32::from(port.host_port) + last,
                    port.container_port,
                    u32::from(port.container_port) + last
                ));
            } else {
                parts.push(format!(
                    "{host_ip}:{}->{}/{protocol}",
                    port.host_port, port.container_port
                ));
            }
        }
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: i64 = 1_000_000_000;

    #[test]
    fn durations_like_go_units() {
        let cases = [
            (0, "Less than a second"),
            (-5 * SECOND, "Less than a second"),
            (SECOND, "1 second"),
            (59 * SECOND, "59 seconds"),
            (60 * SECOND, "About a minute"),
            (119 * SECOND, "About a minute"),
            (120 * SECOND, "2 minutes"),
            (59 * 60 * SECOND, "59 minutes"),
            (60 * 60 * SECOND, "About an hour"),
            (89 * 60 * SECOND, "About an hour"),
            (90 * 60 * SECOND, "2 hours"),
            (47 * 3600 * SECOND, "47 hours"),
            (48 * 3600 * SECOND, "2 days"),
            (13 * 24 * 3600 * SECOND, "13 days"),
            (14 * 24 * 3600 * SECOND, "2 weeks"),
            (60 * 24 * 3600 * SECOND, "2 months"),
            (730 * 24 * 3600 * SECOND, "2 years"),
        ];
        for (nanos, want) in cases {
            assert_eq!(human_duration(nanos), want, "{nanos}");
        }
    }

    #[test]
    fn ps_status_column() {
        let now = Timestamp::from_unix(1_000_000);
        assert_eq!(
            container_status("running", 1_000_000 - 5, 0, 0, "", &now),
            "Up 5 seconds ago"
        );
        assert_eq!(
            container_status("running", 1_000_000, 0, 0, "healthy", &now),
            "Up Less than a second ago (healthy)"
        );
        assert_eq!(
            container_status("exited", 0, 1_000_000 - 180, 3, "", &now),
            "Exited (3) 3 minutes ago"
        );
        assert_eq!(container_status("created", 0, 0, 0, "", &now), "Created");
        assert_eq!(container_status("paused", 0, 0, 0, "", &now), "Paused");
    }

    #[test]
    fn sizes_like_go_units() {
        assert_eq!(human_size_with_precision(2_000_000.0, 3), "2MB");
        assert_eq!(human_size_with_precision(5_594_000.0, 3), "5.59MB");
        assert_eq!(human_size_with_precision(999_999.0, 3), "1e+03kB");
        assert_eq!(human_size_with_precision(512.0, 3), "512B");
        assert_eq!(human_size(2_746_000.0), "2.746MB");
        assert_eq!(bytes_size(45_056.0), "44KiB");
        assert_eq!(image_size(2_000_000.0), "2 MB");
        assert_eq!(image_size(5_594_000.0), "5.59 MB");
        assert_eq!(image_size(999_999.0), "1e+03 kB");
        assert_eq!(container_size(0, 1_234_567), "0B (virtual 1.23MB)");
    }

    #[test]
    fn timestamps_print_like_go() {
        let t = Timestamp::parse_rfc3339("2026-11-28T02:20:41.011585987Z").unwrap();
        assert_eq!(t.go_string(), "2026-11-28 02:20:41.011585987 +0000 UTC");
        let t = Timestamp::parse_rfc3339("2024-02-29T23:00:00+01:30").unwrap();
        assert_eq!(t.go_string(), "2024-02-29 23:00:00 +0130 +0130");
        assert_eq!(
            t.secs,
            Timestamp::parse_rfc3339("2024-02-29T21:30:00Z")
                .unwrap()
                .secs
        );
        assert_eq!(
            Timestamp::from_unix(0).go_string(),
            "1970-01-01 00:00:00 +0000 UTC"
        );
        assert!(Timestamp::parse_rfc3339("2024-13-01T00:00:00Z").is_none());
        assert!(Timestamp::parse_rfc3339("garbage").is_none());
        let t = Timestamp::parse_rfc3339("2026-11-28T02:20:41.011585980Z").unwrap();
        assert_eq!(t.rfc3339_nano(), "2026-11-28T02:20:41.01158598Z");
        let t = Timestamp::parse_rfc3339("2024-02-29T23:00:00+01:30").unwrap();
        assert_eq!(t.rfc3339_nano(), "2024-02-29T23:00:00+01:30");
    }

    #[test]
    fn ps_ports_column() {
        let p = |ip: &str, host, container, range, proto: &str| PortMapping {
            host_ip: ip.into(),
            host_port: host,
            container_port: container,
            range,
            protocol: proto.into(),
        };
        assert_eq!(ports(&[p("", 8080, 80, 1, "tcp")]), "0.0.0.0:8080->80/tcp");
        assert_eq!(
            ports(&[p("127.0.0.1", 9000, 9000, 2, "tcp,udp")]),
            "127.0.0.1:9000-9001->9000-9001/tcp, 127.0.0.1:9000-9001->9000-9001/udp"
        );
        assert_eq!(ports(&[]), "");
    }
}
