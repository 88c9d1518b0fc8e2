//! Everything berth prints the way podman prints it: Go `text/template`
//! `--format` strings (with podman's extra functions), tables aligned like
//! podman's tabwriter, `--format json`, and human times and sizes
//! ("5 minutes ago", "Up 5 seconds", "1.2 MB").
//!
//! - [`template`]: Go's text/template over `serde::Serialize` data.
//! - [`report`]: podman's `--format` rules (`json`, `table`, headers,
//!   `--noheading`) and [`report::render_list`] for list commands.
//! - [`tabwriter`]: Go's text/tabwriter with podman's settings.
//! - [`json`]: JSON text byte-for-byte like Go's encoding/json.
//! - [`humanize`]: "5 minutes ago", "Up 5 seconds", "5.59 MB".

pub mod humanize;
pub mod json;
pub mod report;
pub mod tabwriter;
pub mod template;
