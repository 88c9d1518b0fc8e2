//! `berth info`: the engine's host, store, registries and version, printed
//! as podman prints them (YAML by default, `--format json|TEMPLATE`).

use std::io::Write;

use crate::cli::system::InfoArgs;
use crate::cli::GlobalArgs;
use crate::output::report;

pub async fn run(global: &GlobalArgs, args: &InfoArgs) -> anyhow::Result<u8> {
    let client = crate::connection::connect(global).await?;
    let mut info = berth_client::api::system::info(&client).await?;
    // The server reports itself as local; podman's remote client says remote.
    if let Some(host) = info.get_mut("host").and_then(|host| host.as_object_mut()) {
        host.insert("serviceIsRemote".into(), true.into());
    }
    let text = match args.format.as_deref() {
        // podman follows the YAML document with an empty line.
        None | Some("") => super::yaml::to_yaml(&info) + "\n",
        // podman's MarshalIndent keeps the server's field order, as serde_json
        // with preserve_order does.
        Some(format) if report::is_json(format) => serde_json::to_string_pretty(&info)? + "\n",
        // The API's JSON keys are camelCase; templates use the Go names.
        Some(format) => {
            let (template, _) = report::parse_template("info", format)?;
            template.fold_field_case(true).execute(&info)?
        }
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(0)
}
