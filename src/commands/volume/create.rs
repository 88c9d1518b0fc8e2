//! `berth volume create [NAME]`: creates a volume and prints its name.

use anyhow::Context;
use berth_client::api::volumes::{self, VolumeCreate};

use crate::cli::volume::VolumeCreateArgs;
use crate::cli::GlobalArgs;
use crate::commands::container::print_line;
use crate::commands::objects::key_values;

pub async fn run(global: &GlobalArgs, args: &VolumeCreateArgs) -> anyhow::Result<u8> {
    let volume = VolumeCreate {
        name: args.name.clone().unwrap_or_default(),
        driver: args.driver.clone(),
        labels: key_values(&args.labels).context("unable to process labels")?,
        options: key_values(&args.options).context("unable to process options")?,
    };
    let client = crate::connection::connect(global).await?;
    let created = volumes::create(&client, &volume).await?;
    print_line(created["Name"].as_str().unwrap_or_default())?;
    Ok(0)
}
