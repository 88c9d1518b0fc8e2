//! `GET /generate/{name}/systemd`: systemd units for a container or pod,
//! made by the server (where they are meant to be installed).

use std::collections::BTreeMap;

use http::Method;

use crate::client::{path_segment, ApiRequest, Client};
use crate::error::Result;

/// `generate systemd` options; unset ones take the server's defaults.
#[derive(Debug, Clone, Default)]
pub struct SystemdOptions {
    pub use_name: bool,
    pub new: bool,
    pub no_header: bool,
    pub template: bool,
    pub container_prefix: Option<String>,
    pub pod_prefix: Option<String>,
    pub separator: Option<String>,
    pub restart_policy: Option<String>,
    pub restart_sec: Option<u64>,
    pub start_timeout: Option<u64>,
    pub stop_timeout: Option<u64>,
    pub wants: Vec<String>,
    pub after: Vec<String>,
    pub requires: Vec<String>,
    /// `KEY=VALUE` lines for the units' `Environment=`.
    pub env: Vec<String>,
}

/// The units by name (`container-NAME`, `pod-NAME`, ...) and their text.
pub async fn generate(
    client: &Client,
    name: &str,
    options: &SystemdOptions,
) -> Result<BTreeMap<String, String>> {
    let mut request = ApiRequest::libpod(
        Method::GET,
        &format!("/generate/{}/systemd", path_segment(name)),
    )
    .flag("useName", options.use_name)
    .flag("new", options.new)
    .flag("noHeader", options.no_header)
    .flag("templateUnitFile", options.template)
    .query_opt("containerPrefix", options.container_prefix.as_deref())
    .query_opt("podPrefix", options.pod_prefix.as_deref())
    .query_opt("separator", options.separator.as_deref())
    .query_opt("restartPolicy", options.restart_policy.as_deref())
    .query_opt("restartSec", options.restart_sec)
    .query_opt("startTimeout", options.start_timeout)
    .query_opt("stopTimeout", options.stop_timeout);
    for (key, values) in [
        ("wants", &options.wants),
        ("after", &options.after),
        ("requires", &options.requires),
        ("additionalEnvVariables", &options.env),
    ] {
        for value in values {
            request = request.query(key, value);
        }
    }
    client.json(request).await
}
