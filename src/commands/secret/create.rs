//! `berth secret create NAME FILE|-`: stores a file, stdin or (with
//! `--env`) an environment variable as a secret and prints its id.

use std::io::{IsTerminal, Read};

use anyhow::Context;
use berth_client::api::secrets::{self, SecretCreate};

use crate::cli::secret::SecretCreateArgs;
use crate::cli::GlobalArgs;
use crate::commands::container::{go_io_reason, print_line};
use crate::commands::objects::key_values;

pub async fn run(global: &GlobalArgs, args: &SecretCreateArgs) -> anyhow::Result<u8> {
    let data = if args.env {
        match std::env::var(&args.source) {
            Ok(value) if !value.is_empty() => value.into_bytes(),
            _ => anyhow::bail!(
                "cannot create store secret data: environment variable {} is not set",
                args.source
            ),
        }
    } else if args.source == "-" || args.source == "/dev/stdin" {
        if std::io::stdin().is_terminal() {
            anyhow::bail!("if `-` is used, data must be passed into stdin");
        }
        let mut data = Vec::new();
        std::io::stdin().lock().read_to_end(&mut data)?;
        data
    } else {
        std::fs::read(&args.source)
            .map_err(|err| anyhow::anyhow!("open {}: {}", args.source, go_io_reason(&err)))?
    };
    let secret = SecretCreate {
        name: args.name.clone(),
        driver: Some(args.driver.clone()),
        driver_options: key_values(&args.driver_options)
            .context("unable to process driver options")?,
        labels: key_values(&args.labels).context("unable to process labels")?,
    };
    let client = crate::connection::connect(global).await?;
    let id = secrets::create(&client, &secret, data.into()).await?;
    print_line(&id)?;
    Ok(0)
}
