//! `berth manifest create LIST [IMAGE...]`: a new (or, with `--amend`,
//! existing) list; prints its id.

use berth_client::api::registry;

use crate::cli::registry::ManifestCreateArgs;
use crate::cli::GlobalArgs;
use crate::commands::container::print_line;

pub async fn run(global: &GlobalArgs, args: &ManifestCreateArgs) -> anyhow::Result<u8> {
    let client = crate::connection::connect(global).await?;
    let id = registry::create_manifest(&client, &args.list, &args.images, args.all, args.amend)
        .await
        .map_err(|err| anyhow::anyhow!("creating manifest: {err}"))?;
    print_line(&id)?;
    Ok(0)
}
