//! `berth manifest add`, `annotate` and `remove`: changes to one list's
//! entries, sent as one `PUT /manifests/{name}` each.

use berth_client::api::registry::{self, ManifestModify};

use crate::cli::registry::{
    ManifestAddArgs, ManifestAnnotateArgs, ManifestEntryArgs, ManifestRemoveArgs,
};
use crate::cli::GlobalArgs;
use crate::commands::container::print_line;
use crate::commands::registry::registry_auth;

fn modify_body(operation: &str, images: Vec<String>, entry: &ManifestEntryArgs) -> ManifestModify {
    ManifestModify {
        operation: operation.into(),
        images,
        all: false,
        annotation: entry.annotations.clone(),
        arch: entry.arch.clone().unwrap_or_default(),
        features: entry.features.clone(),
        os: entry.os.clone().unwrap_or_default(),
        os_features: entry.os_features.clone(),
        os_version: entry.os_version.clone().unwrap_or_default(),
        variant: entry.variant.clone().unwrap_or_default(),
    }
}

/// `manifest add LIST IMAGE...`: prints the list's id.
pub async fn add(global: &GlobalArgs, args: &ManifestAddArgs) -> anyhow::Result<u8> {
    for annotation in &args.entry.annotations {
        if !annotation.contains('=') {
            anyhow::bail!("no value given for annotation {annotation:?}");
        }
    }
    let mut body = modify_body("update", args.images.clone(), &args.entry);
    body.all = args.all;
    let credentials = &args.credentials;
    let auth = registry_auth(
        credentials.creds.as_deref(),
        credentials.authfile.as_deref(),
    )?;
    let client = crate::connection::connect(global).await?;
    let id = registry::modify_manifest(
        &client,
        &args.list,
        &body,
        credentials.tls_verify,
        auth.as_deref(),
    )
    .await
    .map_err(|err| anyhow::anyhow!("adding to manifest list {}: {err}", args.list))?;
    print_line(&id)?;
    Ok(0)
}

/// `manifest annotate LIST IMAGE`: changes one entry's platform and
/// annotations; prints the list's id.
pub async fn annotate(global: &GlobalArgs, args: &ManifestAnnotateArgs) -> anyhow::Result<u8> {
    let body = modify_body("annotate", vec![args.image.clone()], &args.entry);
    let client = crate::connection::connect(global).await?;
    let id = registry::modify_manifest(&client, &args.list, &body, None, None)
        .await
        .map_err(|err| anyhow::anyhow!("annotating manifest list {}: {err}", args.list))?;
    print_line(&id)?;
    Ok(0)
}

/// `manifest remove LIST DIGEST`: prints `ID :DIGEST` as podman does.
pub async fn remove(global: &GlobalArgs, args: &ManifestRemoveArgs) -> anyhow::Result<u8> {
    let body = modify_body(
        "remove",
        vec![args.digest.clone()],
        &ManifestEntryArgs {
            annotations: Vec::new(),
            arch: None,
            features: Vec::new(),
            os: None,
            os_features: Vec::new(),
            os_version: None,
            variant: None,
        },
    );
    let client = crate::connection::connect(global).await?;
    let id = registry::modify_manifest(&client, &args.list, &body, None, None)
        .await
        .map_err(|err| {
            anyhow::anyhow!(
                "removing from manifest list {}: removing from manifest {}: {err}",
                args.list,
                args.list
            )
        })?;
    print_line(&format!("{id} :{}\n", args.digest))?;
    Ok(0)
}
