//! berth-machine: the VM lifecycle. Machine config and state files, Ignition
//! generation, the QEMU command line (a pure function of a host profile), QMP,
//! SSH keys and host-key pinning, and the per-machine host agent.

#[cfg(unix)]
pub mod agent;
pub mod config;
pub mod dirs;
pub mod endpoints;
pub mod fsutil;
pub mod host;
pub mod ignition;
pub mod paths;
#[cfg(windows)]
pub mod pipe;
pub mod qemu;
#[cfg(test)]
mod shell_check;
pub mod ssh;
#[cfg(unix)]
pub mod state;
