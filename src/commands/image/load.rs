//! `berth load [-i FILE]`: streams an image archive (any format the engine
//! reads) from a file or stdin to the engine; prints the loaded names.

use std::io::IsTerminal;

use berth_client::api::archive;

use crate::cli::archive::LoadArgs;
use crate::cli::GlobalArgs;
use crate::commands::container::print_line;

pub async fn run(global: &GlobalArgs, args: &LoadArgs) -> anyhow::Result<u8> {
    let input = args.input.as_deref().filter(|i| !i.is_empty());
    let body = match input {
        Some(path) => {
            let file = std::fs::File::open(path).map_err(|err| {
                anyhow::anyhow!("stat {path}: {}", berth_client::transport::io_reason(&err))
            })?;
            berth_client::body::blocking_reader_body(file)
        }
        None => {
            if std::io::stdin().is_terminal() {
                anyhow::bail!(
                    "cannot read from terminal, use command-line redirection or the --input flag"
                );
            }
            berth_client::body::blocking_reader_body(std::io::stdin())
        }
    };
    let client = crate::connection::connect(global).await?;
    let report = archive::load(&client, body).await?;
    print_line(&format!(
        "Loaded image: {}",
        report.names.join("\nLoaded image: ")
    ))?;
    Ok(0)
}
