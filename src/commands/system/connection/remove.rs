//! `berth system connection remove (rm) NAME | --all`. Removing a name that
//! does not exist succeeds quietly, like podman.

use berth_client::connection::ConnectionStore;

use crate::cli::system::ConnectionRemoveArgs;

pub fn run(store: &ConnectionStore, args: &ConnectionRemoveArgs) -> anyhow::Result<u8> {
    store.edit(|file| {
        match &args.name {
            Some(name) if !args.all => {
                file.remove(name);
            }
            _ => file.remove_all(),
        }
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(0)
}
