//! `berth pod clone POD [NAME]`: there is no clone endpoint in podman's
//! API, and podman's remote client crashes on it (a nil report); berth
//! refuses it with a clear error instead.

use crate::cli::checkpoint::PodCloneArgs;
use crate::cli::GlobalArgs;

pub async fn run(global: &GlobalArgs, _args: &PodCloneArgs) -> anyhow::Result<u8> {
    crate::connection::connect(global).await?;
    anyhow::bail!("cloning a pod is not supported on the remote client")
}
