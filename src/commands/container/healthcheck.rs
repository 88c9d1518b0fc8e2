//! `berth healthcheck run CONTAINER`: runs the container's health check
//! once; prints nothing when healthy, "unhealthy" (exit 1) otherwise, like
//! podman.

use berth_client::api::maintenance;

use super::print_line;
use crate::cli::housekeeping::HealthcheckRunArgs;
use crate::cli::GlobalArgs;

pub async fn run(global: &GlobalArgs, args: &HealthcheckRunArgs) -> anyhow::Result<u8> {
    let client = crate::connection::connect(global).await?;
    let results = maintenance::healthcheck(&client, &args.container).await?;
    if results.status == "unhealthy" {
        print_line("unhealthy")?;
        return Ok(1);
    }
    Ok(0)
}
