//! Typed endpoints of the libpod API, one module per group, with their serde
//! models. Each function takes the [`Client`](crate::Client) and returns
//! decoded data; inspect-style answers are `serde_json::Value` with the
//! server's field order kept, so they print exactly as podman prints them.

pub mod containers;
pub mod exec;
pub mod images;
pub mod system;
