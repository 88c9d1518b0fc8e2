//! `berth system connection default NAME`.

use berth_client::connection::ConnectionStore;

use crate::cli::system::ConnectionDefaultArgs;

pub fn run(store: &ConnectionStore, args: &ConnectionDefaultArgs) -> anyhow::Result<u8> {
    store.edit(|file| Ok::<_, anyhow::Error>(file.set_default(&args.name)?))?;
    Ok(0)
}
