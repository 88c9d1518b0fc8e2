//! `berth pod rm [-a] [-f] [-t N] POD...`: removes pods (with `-f`, their
//! running containers too). Exit code 1 when a pod does not exist. With
//! `-f`, missing pods are skipped and the others removed (podman's remote
//! client removes nothing then).

use berth_client::api::pods;

use super::{check_selection, find_pods, read_pod_id_files};
use crate::cli::pod::PodRmArgs;
use crate::cli::GlobalArgs;
use crate::commands::container::print_line;
use crate::commands::objects::{finish_removal, removal_exit_code};
use crate::exit::ExitError;

pub async fn run(global: &GlobalArgs, args: &PodRmArgs) -> anyhow::Result<u8> {
    let mut names = args.select.names.clone();
    names.extend(read_pod_id_files(&args.pod_id_files)?);
    if args.time.is_some() && !args.force {
        anyhow::bail!("--force option must be specified to use the --time option");
    }
    check_selection(args.select.all, &names)?;
    let client = crate::connection::connect(global).await?;
    let skip_missing = args.force || args.ignore;
    let targets = match find_pods(&client, args.select.all, &names, skip_missing).await {
        Ok(targets) => targets,
        Err(err) => {
            return Err(ExitError {
                code: 1,
                message: err.to_string(),
            }
            .into())
        }
    };
    let mut errors = Vec::new();
    let mut code = 0;
    for pod in &targets {
        let outcome = pods::remove(&client, &pod.id, args.force, args.time)
            .await
            .map_err(|err| err.to_string())
            .and_then(|report| match report.err.filter(|err| !err.is_empty()) {
                Some(err) => Err(err),
                None => Ok(report.id),
            });
        match outcome {
            Ok(id) => print_line(&id)?,
            Err(err) if skip_missing && err.contains(NO_SUCH_POD) => {}
            Err(err) => {
                code = removal_exit_code(code, &err, NO_SUCH_POD, None);
                errors.push(err);
            }
        }
    }
    finish_removal(errors, code)
}

const NO_SUCH_POD: &str = "no such pod";
