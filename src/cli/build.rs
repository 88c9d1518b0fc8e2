//! `build [CONTEXT]` (also `image build`): clap types only, with every flag
//! of podman 4.3's remote client (those it does not send to the engine are
//! accepted all the same, as podman-remote accepts them).

use clap::{ArgAction, Args};

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// add a custom host-to-IP mapping (host:ip)
    #[arg(long = "add-host", value_name = "HOST:IP")]
    pub add_hosts: Vec<String>,

    /// set metadata for an image (default [])
    #[arg(long = "annotation", value_name = "KEY=VALUE")]
    pub annotations: Vec<String>,

    /// set the ARCH of the image to the provided value instead of the architecture of the host
    #[arg(long, value_name = "ARCH")]
    pub arch: Option<String>,

    /// path of the authentication file.
    #[arg(long, value_name = "FILE")]
    pub authfile: Option<String>,

    /// argument=value to supply to the builder
    #[arg(long = "build-arg", value_name = "ARGUMENT=VALUE")]
    pub build_args: Vec<String>,

    /// use [username[:password]] for accessing the registry
    #[arg(long, value_name = "USERNAME[:PASSWORD]")]
    pub creds: Option<String>,

    /// set environment variable for the image
    #[arg(long = "env", value_name = "KEY=VALUE")]
    pub env: Vec<String>,

    /// pathname or URL of a Dockerfile
    #[arg(short = 'f', long = "file", value_name = "PATHNAME")]
    pub files: Vec<String>,

    /// always remove intermediate containers after a build, even if the build is unsuccessful.
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "true", action = ArgAction::Set)]
    pub force_rm: bool,

    /// format of the built image's manifest and metadata. Use BUILDAH_FORMAT environment variable to override.
    #[arg(
        long,
        value_name = "FORMAT",
        env = "BUILDAH_FORMAT",
        default_value = "oci"
    )]
    pub format: String,

    /// image name used to replace the value in the first FROM instruction in the Containerfile
    #[arg(long, value_name = "IMAGE")]
    pub from: Option<String>,

    /// path to an alternate .dockerignore file
    #[arg(long, value_name = "FILE")]
    pub ignorefile: Option<String>,

    /// file to write the image ID to
    #[arg(long, value_name = "FILE")]
    pub iidfile: Option<String>,

    /// set metadata for an image (default [])
    #[arg(long = "label", value_name = "KEY=VALUE")]
    pub labels: Vec<String>,

    /// cache intermediate layers during build. Use BUILDAH_LAYERS environment variable to override.
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "true", action = ArgAction::Set)]
    pub layers: bool,

    /// 'private', 'none', 'ns:path' of network namespace to join, or 'host'
    #[arg(long, value_name = "MODE")]
    pub network: Option<String>,

    /// do not use existing cached images for the container build. Build from the start with a new set of cached layers.
    #[arg(long)]
    pub no_cache: bool,

    /// set the OS to the provided value instead of the current operating system of the host
    #[arg(long, value_name = "OS")]
    pub os: Option<String>,

    /// set the OS/ARCH/VARIANT of the image to the provided value instead of the current operating system and architecture of the host (for example linux/arm)
    #[arg(long, value_name = "OS/ARCH[/VARIANT]", value_delimiter = ',')]
    pub platform: Vec<String>,

    /// Always attempt to pull the image (errors are fatal): true, false, always, missing, never, newer
    #[arg(long, value_name = "POLICY", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub pull: Option<String>,

    /// Always pull the image (same as --pull=always)
    #[arg(long = "pull-always")]
    pub pull_always: bool,

    /// Never pull the image (same as --pull=never)
    #[arg(long = "pull-never")]
    pub pull_never: bool,

    /// refrain from announcing build instructions and image read/write progress
    #[arg(short = 'q', long)]
    pub quiet: bool,

    /// remove intermediate containers after a successful build
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "true", action = ArgAction::Set)]
    pub rm: bool,

    /// squash newly built layers into a single new layer
    #[arg(long)]
    pub squash: bool,

    /// Squash all layers into a single layer
    #[arg(long = "squash-all")]
    pub squash_all: bool,

    /// tagged name to apply to the built image
    #[arg(short = 't', long = "tag", value_name = "NAME")]
    pub tags: Vec<String>,

    /// set the target build stage to build
    #[arg(long, value_name = "STAGE")]
    pub target: Option<String>,

    /// Require HTTPS and verify certificates when accessing the registry
    #[arg(long = "tls-verify", value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub tls_verify: Option<bool>,

    /// unset environment variable from final image
    #[arg(long = "unsetenv", value_name = "NAME")]
    pub unset_env: Vec<String>,

    /// override the variant of the specified image
    #[arg(long, value_name = "VARIANT")]
    pub variant: Option<String>,

    /// attempt to build for all base image platforms
    #[arg(long)]
    pub all_platforms: bool,

    /// argument=value to supply additional build context to the builder
    #[arg(long = "build-context", value_name = "ARGUMENT=VALUE")]
    pub build_contexts: Vec<String>,

    /// remote repository to utilise as potential cache source.
    #[arg(long, value_name = "STRING")]
    pub cache_from: Option<String>,

    /// remote repository to utilise as potential cache destination.
    #[arg(long, value_name = "STRING")]
    pub cache_to: Option<String>,

    /// only consider cache images under specified duration.
    #[arg(long, value_name = "STRING")]
    pub cache_ttl: Option<String>,

    /// add the specified capability when running (default [])
    #[arg(long = "cap-add", value_name = "STRINGS", value_delimiter = ',')]
    pub cap_add: Vec<String>,

    /// drop the specified capability when running (default [])
    #[arg(long = "cap-drop", value_name = "STRINGS", value_delimiter = ',')]
    pub cap_drop: Vec<String>,

    /// use certificates at the specified path to access the registry
    #[arg(long, value_name = "STRING")]
    pub cert_dir: Option<String>,

    /// optional parent cgroup for the container
    #[arg(long, value_name = "STRING")]
    pub cgroup_parent: Option<String>,

    /// 'private', or 'host'
    #[arg(long, value_name = "STRING")]
    pub cgroupns: Option<String>,

    /// set additional flag to pass to C preprocessor (cpp)
    #[arg(long = "cpp-flag", value_name = "STRING")]
    pub cpp_flags: Vec<String>,

    /// limit the CPU CFS (Completely Fair Scheduler) period
    #[arg(long, value_name = "UINT")]
    pub cpu_period: Option<u64>,

    /// limit the CPU CFS (Completely Fair Scheduler) quota
    #[arg(long, value_name = "INT", allow_negative_numbers = true)]
    pub cpu_quota: Option<i64>,

    /// CPU shares (relative weight)
    #[arg(long, value_name = "UINT")]
    pub cpu_shares: Option<u64>,

    /// CPUs in which to allow execution (0-3, 0,1)
    #[arg(long, value_name = "STRING")]
    pub cpuset_cpus: Option<String>,

    /// memory nodes (MEMs) in which to allow execution (0-3, 0,1). Only effective on NUMA systems.
    #[arg(long, value_name = "STRING")]
    pub cpuset_mems: Option<String>,

    /// key needed to decrypt the image
    #[arg(long = "decryption-key", value_name = "STRINGS", value_delimiter = ',')]
    pub decryption_keys: Vec<String>,

    /// additional devices to be used within containers (default [])
    #[arg(long = "device", value_name = "STRING")]
    pub devices: Vec<String>,

    /// don't compress layers by default (default true)
    #[arg(short = 'D', long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "true", action = ArgAction::Set)]
    pub disable_compression: bool,

    /// set custom DNS servers or disable it completely by setting it to 'none', which prevents the automatic creation of /etc/resolv.conf.
    #[arg(long, value_name = "/etc/resolv.conf", value_delimiter = ',')]
    pub dns: Vec<String>,

    /// set custom DNS options
    #[arg(long = "dns-option", value_name = "STRINGS", value_delimiter = ',')]
    pub dns_options: Vec<String>,

    /// set custom DNS search domains
    #[arg(long = "dns-search", value_name = "STRINGS", value_delimiter = ',')]
    pub dns_search: Vec<String>,

    /// set the OCI hooks directory path (may be set multiple times)
    #[arg(long = "hooks-dir", value_name = "STRING")]
    pub hooks_dirs: Vec<String>,

    /// pass through HTTP Proxy environment variables
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", action = ArgAction::Set)]
    pub http_proxy: bool,

    /// add default identity label (default true)
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "true", action = ArgAction::Set)]
    pub identity_label: bool,

    /// 'private', path of IPC namespace to join, or 'host'
    #[arg(long, value_name = "PATH")]
    pub ipc: Option<String>,

    /// type of process isolation to use. Use BUILDAH_ISOLATION environment variable to override.
    #[arg(
        long,
        value_name = "TYPE",
        env = "BUILDAH_ISOLATION",
        default_value = "oci"
    )]
    pub isolation: String,

    /// how many stages to run in parallel
    #[arg(long, value_name = "INT", default_value_t = 1)]
    pub jobs: u64,

    /// log to file instead of stdout/stderr
    #[arg(long, value_name = "FILE")]
    pub logfile: Option<String>,

    /// add the image to the specified manifest list. Creates manifest list if it does not exist
    #[arg(long, value_name = "STRING")]
    pub manifest: Option<String>,

    /// memory limit (format: <number>[<unit>], where unit = b, k, m or g)
    #[arg(short = 'm', long, value_name = "STRING")]
    pub memory: Option<String>,

    /// swap limit equal to memory plus swap: '-1' to enable unlimited swap
    #[arg(long, value_name = "STRING", allow_hyphen_values = true)]
    pub memory_swap: Option<String>,

    /// do not create new /etc/hosts files for RUN instructions, use the one from the base image.
    #[arg(long)]
    pub no_hosts: bool,

    /// omit build history information from built image
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", action = ArgAction::Set)]
    pub omit_history: bool,

    /// set required OS feature for the target image in addition to values from the base image
    #[arg(long = "os-feature", value_name = "FEATURE")]
    pub os_features: Vec<String>,

    /// set required OS version for the target image instead of the value from the base image
    #[arg(long, value_name = "VERSION")]
    pub os_version: Option<String>,

    /// private, path of PID namespace to join, or 'host'
    #[arg(long, value_name = "PATH")]
    pub pid: Option<String>,

    /// number of times to retry in case of failure when performing push/pull
    #[arg(long, value_name = "INT", default_value_t = 3)]
    pub retry: i64,

    /// delay between retries in case of push/pull failures
    #[arg(long, value_name = "STRING", default_value = "2s")]
    pub retry_delay: String,

    /// add global flags for the container runtime
    #[arg(long = "runtime-flag", value_name = "STRINGS", value_delimiter = ',')]
    pub runtime_flags: Vec<String>,

    /// secret file to expose to the build
    #[arg(long = "secret", value_name = "STRING")]
    pub secrets: Vec<String>,

    /// security options (default [])
    #[arg(long = "security-opt", value_name = "STRING")]
    pub security_opts: Vec<String>,

    /// size of '/dev/shm'. The format is <number><unit>.
    #[arg(long, value_name = "<number><unit>", default_value = "65536k")]
    pub shm_size: String,

    /// skips stages in multi-stage builds which do not affect the final target (default true)
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub skip_unused_stages: Option<bool>,

    /// SSH agent socket or keys to expose to the build. (format: default|<id>[=<socket>|<key>[,<key>]])
    #[arg(long = "ssh", value_name = "STRING")]
    pub ssh: Vec<String>,

    /// pass stdin into containers
    #[arg(long)]
    pub stdin: bool,

    /// set created timestamp to the specified epoch seconds to allow for deterministic builds, defaults to current time
    #[arg(long, value_name = "INT", allow_negative_numbers = true)]
    pub timestamp: Option<i64>,

    /// ulimit options
    #[arg(long = "ulimit", value_name = "STRINGS", value_delimiter = ',')]
    pub ulimits: Vec<String>,

    /// 'container', path of user namespace to join, or 'host'
    #[arg(long, value_name = "PATH")]
    pub userns: Option<String>,

    /// containerGID:hostGID:length GID mapping to use in user namespace
    #[arg(
        long = "userns-gid-map",
        value_name = "CONTAINERGID:HOSTGID:LENGTH",
        value_delimiter = ','
    )]
    pub userns_gid_map: Vec<String>,

    /// name of entries from /etc/subgid to use to set user namespace GID mapping
    #[arg(long = "userns-gid-map-group", value_name = "NAME")]
    pub userns_gid_map_group: Option<String>,

    /// containerUID:hostUID:length UID mapping to use in user namespace
    #[arg(
        long = "userns-uid-map",
        value_name = "CONTAINERUID:HOSTUID:LENGTH",
        value_delimiter = ','
    )]
    pub userns_uid_map: Vec<String>,

    /// name of entries from /etc/subuid to use to set user namespace UID mapping
    #[arg(long = "userns-uid-map-user", value_name = "NAME")]
    pub userns_uid_map_user: Option<String>,

    /// private, :path of UTS namespace to join, or 'host'
    #[arg(long, value_name = "PATH")]
    pub uts: Option<String>,

    /// The build context directory (default: the current directory)
    #[arg(value_name = "CONTEXT")]
    pub context: Option<String>,
}
