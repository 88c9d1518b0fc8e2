//! `berth generate spec {CONTAINER|POD}`: the engine's API has no endpoint
//! for it, so berth refuses it as podman's remote client does.

use crate::cli::kube::GenerateSpecArgs;
use crate::cli::GlobalArgs;

pub async fn run(global: &GlobalArgs, _args: &GenerateSpecArgs) -> anyhow::Result<u8> {
    crate::connection::connect(global).await?;
    anyhow::bail!("GenerateSpec is not supported on the remote API")
}
