//! Everything berth prints the way podman prints it: Go `text/template`
//! `--format` strings (with podman's extra functions), tables aligned like
//! podman's tabwriter, `--format json`, and human times and sizes
//! ("5 minutes ago", "Up 5 seconds", "1.2 MB").
//!
//! - [`template`]: Go's text/template over `serde::Serialize` data
//!   ([`template::Template::parse`], [`template::Template::execute`]).
//! - [`report`]: podman's `--format` rules (`json`, `table`, `\t`, headers,
//!   `--noheading`) and [`report::render_list`] for list commands;
//!   [`report::Formatter`] + [`report::Report`] for the other shapes
//!   (`info`/`version` use `Origin::Unknown`, as podman does).
//! - [`tabwriter`]: Go's text/tabwriter with podman's settings.
//! - [`json`]: JSON text byte-for-byte like Go's encoding/json
//!   (`--format json` is [`json::to_string_pretty`] with podman's indent:
//!   two spaces for `ps`/`info`, four for `images`; `inspect` is
//!   [`json::to_string_styled`] with five spaces and no HTML escaping).
//! - [`humanize`]: "5 minutes ago", "Up 5 seconds ago", "5.59 MB", ports.
//!
//! A list command, in podman's order:
//!
//! ```ignore
//! #[derive(Serialize, Default)]
//! #[serde(rename = "containers.psReporter")] // Go's type name, for errors
//! #[allow(non_snake_case)]
//! struct Row { ID: String, Image: String, /* ... Go field names ... */ }
//!
//! if let Some(f) = format.filter(|f| report::is_json(f)) {
//!     println!("{}", json::to_string_pretty(&api_objects, "  ")?);
//! } else if quiet && format.is_none() {
//!     // one ID per line
//! } else {
//!     let headers = report::headers_of::<Row>(&[("ID", "container id")]);
//!     let options = report::ListOptions {
//!         name: "ps",
//!         format,
//!         default_format: "{{range .}}{{.ID}}\t{{.Image}}\n{{end -}}",
//!         noheading,
//!     };
//!     report::render_list(std::io::stdout().lock(), &options, &headers, &rows)?;
//! }
//! ```
//!
//! Errors: a bad template is a [`template::TemplateError`] worded like
//! Go's (`template: ps:1: function "foo" not defined`), which `main`
//! prints as `Error: ...` with exit 125; a closed stdout is an
//! `io::Error` in the chain, which `main` turns into exit 0.

pub mod humanize;
pub mod json;
pub mod report;
pub mod tabwriter;
pub mod template;
