//! `berth commit CONTAINER [IMAGE]`: makes an image of a container's
//! changes; prints the new image id (also into `--iidfile`).

use berth_client::api::archive::{self, CommitOptions};

use super::print_line;
use crate::cli::archive::CommitArgs;
use crate::cli::GlobalArgs;

pub async fn run(global: &GlobalArgs, args: &CommitArgs) -> anyhow::Result<u8> {
    if !matches!(args.format.as_str(), "oci" | "docker") {
        anyhow::bail!("unrecognized image format {:?}", args.format);
    }
    let (repo, tag) = match &args.image {
        Some(image) => {
            let (repo, tag) = split_tag(image);
            if repo.is_empty() {
                anyhow::bail!("invalid image name {image:?}");
            }
            (Some(repo.to_string()), tag.map(str::to_string))
        }
        None => (None, None),
    };
    let options = CommitOptions {
        author: args.author.clone(),
        changes: args.changes.clone(),
        comment: args.message.clone(),
        format: Some(args.format.clone()),
        pause: args.pause,
        squash: args.squash,
        repo,
        tag,
        include_volumes: args.include_volumes,
    };
    let client = crate::connection::connect(global).await?;
    let id = archive::commit(&client, &args.container, &options).await?;
    if let Some(file) = &args.iidfile {
        std::fs::write(file, &id)
            .map_err(|err| anyhow::anyhow!("failed to write image ID to file {file:?}: {err}"))?;
    }
    print_line(&id)?;
    Ok(0)
}

/// `name[:tag]` -> (`name`, `tag`); a `:` inside the registry's host:port
/// is not a tag.
pub fn split_tag(reference: &str) -> (&str, Option<&str>) {
    let name_start = reference.rfind('/').map_or(0, |slash| slash + 1);
    match reference[name_start..].rfind(':') {
        Some(colon) => {
            let colon = name_start + colon;
            (&reference[..colon], Some(&reference[colon + 1..]))
        }
        None => (reference, None),
    }
}

#[cfg(test)]
mod tests {
    use super::split_tag;

    #[test]
    fn tags_split_after_the_last_slash() {
        assert_eq!(split_tag("img"), ("img", None));
        assert_eq!(split_tag("img:v1"), ("img", Some("v1")));
        assert_eq!(
            split_tag("127.0.0.1:5000/ns/img"),
            ("127.0.0.1:5000/ns/img", None)
        );
        assert_eq!(
            split_tag("127.0.0.1:5000/img:v2"),
            ("127.0.0.1:5000/img", Some("v2"))
        );
    }
}
