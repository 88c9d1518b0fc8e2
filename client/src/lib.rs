//! berth-client: a client for the podman REST API (libpod and Docker-compatible),
//! together with podman's connection model (`podman-connections.json`,
//! containers.conf service destinations) and the transports that reach an
//! engine (unix socket, TCP, SSH `direct-streamlocal`).
//!
//! Typical use: [`connection::resolve`] picks a [`connection::Destination`]
//! from flags, environment and configuration; [`Client::connect`] dials it
//! and checks the server with `_ping`; the functions in [`api`] call the
//! endpoints; [`stream`] reads logs, attach and exec streams.

pub mod api;
pub mod archive;
mod atomic;
pub mod auth;
pub mod body;
mod client;
pub mod connection;
mod error;
pub mod stream;
pub mod transport;
mod version;

pub use client::{
    parse_api_error, path_segment, ApiRequest, Client, RequestBody, COMPAT_API, MIN_LIBPOD_API,
};
pub use error::{Error, Result};
pub use version::ApiVersion;
