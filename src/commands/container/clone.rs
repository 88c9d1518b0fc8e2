//! `berth container clone CONTAINER [NAME] [IMAGE]`: podman's engine
//! clones containers only in its local client (there is no clone endpoint
//! in the API), so berth refuses it as podman's remote client does, after
//! the same flag check (but without pulling IMAGE first, as podman's
//! client does before it refuses).

use crate::cli::checkpoint::ContainerCloneArgs;
use crate::cli::GlobalArgs;

pub async fn run(global: &GlobalArgs, args: &ContainerCloneArgs) -> anyhow::Result<u8> {
    if args.force && !args.destroy {
        anyhow::bail!("cannot set --force without --destroy: invalid argument");
    }
    crate::connection::connect(global).await?;
    anyhow::bail!("cloning a container is not supported on the remote client")
}
