//! Shared helpers for berth's integration tests. Each test binary uses a
//! different part of this module, so unused items are expected.
#![allow(dead_code)]

pub mod compare;
pub mod env;
pub mod guest;
pub mod http;
pub mod podman;
pub mod process;
pub mod pty;
pub mod registry;
pub mod sshd;
