//! `berth secret exists NAME`: exit 0 when the secret exists, 1 when not
//! (podman 4.3 has no such command; later podmans do, with these codes).

use crate::cli::secret::SecretExistsArgs;
use crate::cli::GlobalArgs;

pub async fn run(global: &GlobalArgs, args: &SecretExistsArgs) -> anyhow::Result<u8> {
    let client = crate::connection::connect(global).await?;
    match berth_client::api::secrets::inspect(&client, &args.name).await {
        Ok(_) => Ok(0),
        Err(err) if err.is_not_found() => Ok(1),
        Err(err) => Err(err.into()),
    }
}
