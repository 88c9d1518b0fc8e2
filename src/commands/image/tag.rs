//! `berth tag IMAGE NAME...`: adds names to a local image.

use crate::cli::image::TagArgs;
use crate::cli::GlobalArgs;

pub async fn run(global: &GlobalArgs, args: &TagArgs) -> anyhow::Result<u8> {
    for target in &args.targets {
        check_reference(target)?;
    }
    let client = crate::connection::connect(global).await?;
    for target in &args.targets {
        berth_client::api::images::tag(&client, &args.image, target).await?;
    }
    Ok(0)
}

/// Rejects names that are not image references, with podman's wording.
pub fn check_reference(name: &str) -> anyhow::Result<()> {
    let valid = !name.is_empty()
        && !name.starts_with(['/', ':', '.', '-'])
        && !name.ends_with(['/', ':'])
        && name.chars().all(|c| {
            c.is_ascii_lowercase()
                || c.is_ascii_digit()
                || "._-/:@".contains(c)
                || c.is_ascii_uppercase()
        })
        && {
            // Upper case is allowed in the tag only.
            let repo_end = name
                .rfind(':')
                .filter(|colon| !name[*colon..].contains('/'));
            let repo = repo_end.map_or(name, |end| &name[..end]);
            !repo.chars().any(|c| c.is_ascii_uppercase())
        };
    if valid {
        Ok(())
    } else if name.chars().any(|c| c.is_ascii_uppercase()) {
        anyhow::bail!("parsing reference {name:?}: repository name must be lowercase")
    } else {
        anyhow::bail!("parsing reference {name:?}: invalid reference format")
    }
}
