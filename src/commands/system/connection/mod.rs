//! `berth system connection ...`: the named destinations in podman's
//! `podman-connections.json` (shared with podman) and containers.conf.

mod add;
mod default;
mod list;
mod remove;
mod rename;

use berth_client::connection::ConnectionStore;

use crate::cli::system::ConnectionCommand;
use crate::cli::GlobalArgs;

pub async fn run(global: &GlobalArgs, command: ConnectionCommand) -> anyhow::Result<u8> {
    let store = ConnectionStore::from_env()?;
    match command {
        ConnectionCommand::Add(args) => add::run(global, &store, &args).await,
        ConnectionCommand::List(args) => list::run(&store, &args),
        ConnectionCommand::Remove(args) => remove::run(&store, &args),
        ConnectionCommand::Rename(args) => rename::run(&store, &args),
        ConnectionCommand::Default(args) => default::run(&store, &args),
    }
}
