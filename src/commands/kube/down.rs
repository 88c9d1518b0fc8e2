//! `berth kube down KUBEFILE|-`: stops and removes the pods the YAML
//! describes, printing podman's "Pods stopped:" / "Pods removed:" report.

use crate::cli::kube::KubeDownArgs;
use crate::cli::GlobalArgs;
use crate::commands::container::{finish_with_errors, print_line};

pub async fn run(global: &GlobalArgs, args: &KubeDownArgs) -> anyhow::Result<u8> {
    let yaml = super::read_yaml(&args.file).await?;
    let client = crate::connection::connect(global).await?;
    teardown(&client, yaml).await
}

/// podman's `teardown`: asks the engine to take the YAML's pods down and
/// prints what it stopped and removed.
pub async fn teardown(client: &berth_client::Client, yaml: Vec<u8>) -> anyhow::Result<u8> {
    let report = berth_client::api::kube::down(client, yaml.into()).await?;
    print_line("Pods stopped:")?;
    let mut stop_errors = Vec::new();
    for stopped in report.stop_report.unwrap_or_default() {
        match stopped.errs.filter(|errs| !errs.is_empty()) {
            None => print_line(&stopped.id)?,
            Some(errs) => stop_errors.extend(errs),
        }
    }
    if let Some((last, rest)) = stop_errors.split_last() {
        for err in rest {
            eprintln!("Error: {err}");
        }
        eprintln!("Error: {last}");
    }
    print_line("Pods removed:")?;
    let mut rm_errors = Vec::new();
    for removed in report.rm_report.unwrap_or_default() {
        match removed.err.filter(|err| !err.is_empty()) {
            None => print_line(&removed.id)?,
            Some(err) => rm_errors.push(anyhow::anyhow!("{err}")),
        }
    }
    finish_with_errors(rm_errors)
}
