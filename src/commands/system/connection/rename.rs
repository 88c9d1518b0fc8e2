//! `berth system connection rename (mv) OLD NEW`.

use berth_client::connection::ConnectionStore;

use crate::cli::system::ConnectionRenameArgs;

pub fn run(store: &ConnectionStore, args: &ConnectionRenameArgs) -> anyhow::Result<u8> {
    store.edit(|file| Ok::<_, anyhow::Error>(file.rename(&args.old, &args.new)?))?;
    Ok(0)
}
