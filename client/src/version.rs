//! API versions (`4.3.1`, `5.0.0-dev`), compared numerically.

use std::fmt;

/// A `major.minor.patch` version; pre-release suffixes are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ApiVersion {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
}

impl ApiVersion {
    pub const fn new(major: u64, minor: u64, patch: u64) -> Self {
        ApiVersion {
            major,
            minor,
            patch,
        }
    }

    /// Parses tolerantly like podman (`v4.3`, `4.3.1-dev`, `4`).
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim().trim_start_matches('v');
        let core = text.split(['-', '+']).next()?;
        let mut parts = core.split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next().map_or(Some(0), |p| p.parse().ok())?;
        let patch = parts.next().map_or(Some(0), |p| p.parse().ok())?;
        Some(ApiVersion::new(major, minor, patch))
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_orders() {
        assert_eq!(ApiVersion::parse("4.3.1"), Some(ApiVersion::new(4, 3, 1)));
        assert_eq!(
            ApiVersion::parse("v5.0.0-dev"),
            Some(ApiVersion::new(5, 0, 0))
        );
        assert_eq!(ApiVersion::parse("3.4"), Some(ApiVersion::new(3, 4, 0)));
        assert_eq!(ApiVersion::parse("x"), None);
        assert!(ApiVersion::new(3, 4, 4) < ApiVersion::new(4, 0, 0));
        assert!(ApiVersion::new(4, 10, 0) > ApiVersion::new(4, 9, 9));
    }
}
