//! Command behaviour, one file per verb, grouped like the clap tree in
//! `crate::cli`. Each command returns the process exit code on success.

pub(crate) mod completion;
pub mod container;
pub(crate) mod events;
pub(crate) mod generate_man;
pub mod image;
pub(crate) mod kube;
pub(crate) mod machine;
pub mod manifest;
pub(crate) mod network;
pub(crate) mod objects;
pub(crate) mod pod;
pub mod registry;
pub(crate) mod secret;
pub(crate) mod system;
pub(crate) mod volume;

use crate::cli::container::ContainerCommand;
use crate::cli::housekeeping::HealthcheckCommand;
use crate::cli::image::ImageCommand;
use crate::cli::{Cli, Command};

/// Runs the parsed command line and returns the exit code.
pub async fn run(cli: Cli) -> anyhow::Result<u8> {
    let global = &cli.global;
    match cli.command {
        Command::Container(command) => container::run(global, command).await,
        Command::Image(command) => image::run(global, command).await,
        Command::Attach(args) => container::run(global, ContainerCommand::Attach(args)).await,
        Command::Build(args) => image::run(global, ImageCommand::Build(args)).await,
        Command::Commit(args) => container::run(global, ContainerCommand::Commit(args)).await,
        Command::Cp(args) => container::run(global, ContainerCommand::Cp(args)).await,
        Command::Diff(args) => container::diff::run(global, &args, "all").await,
        Command::Export(args) => container::run(global, ContainerCommand::Export(args)).await,
        Command::Healthcheck(HealthcheckCommand::Run(args)) => {
            container::healthcheck::run(global, &args).await
        }
        Command::Import(args) => image::run(global, ImageCommand::Import(args)).await,
        Command::Init(args) => container::run(global, ContainerCommand::Init(args)).await,
        Command::Load(args) => image::run(global, ImageCommand::Load(args)).await,
        Command::Login(args) => registry::login::run(global, &args).await,
        Command::Logout(args) => registry::logout::run(&args),
        Command::Manifest(command) => manifest::run(global, command).await,
        Command::Pause(args) => container::run(global, ContainerCommand::Pause(args)).await,
        Command::Push(args) => image::run(global, ImageCommand::Push(args)).await,
        Command::Rename(args) => container::run(global, ContainerCommand::Rename(args)).await,
        Command::Save(args) => image::run(global, ImageCommand::Save(args)).await,
        Command::Search(args) => image::run(global, ImageCommand::Search(args)).await,
        Command::Stats(args) => container::run(global, ContainerCommand::Stats(args)).await,
        Command::Unpause(args) => container::run(global, ContainerCommand::Unpause(args)).await,
        Command::Update(args) => container::run(global, ContainerCommand::Update(args)).await,
        Command::Create(args) => container::run(global, ContainerCommand::Create(args)).await,
        Command::Events(args) => events::run(global, &args).await,
        Command::AutoUpdate(_) => objects::refuse_remote("auto-update"),
        Command::Mount(_) => objects::refuse_remote("mount"),
        Command::Unmount(args) => objects::refuse_remote_named("unmount", &args.args),
        Command::Unshare(_) => objects::refuse_remote("unshare"),
        Command::Exec(args) => container::run(global, ContainerCommand::Exec(args)).await,
        Command::History(args) => image::run(global, ImageCommand::History(args)).await,
        Command::Images(args) => image::run(global, ImageCommand::List(args)).await,
        Command::Inspect(args) => container::inspect::run(global, &args).await,
        Command::Kill(args) => container::run(global, ContainerCommand::Kill(args)).await,
        Command::Logs(args) => container::run(global, ContainerCommand::Logs(args)).await,
        Command::Port(args) => container::run(global, ContainerCommand::Port(args)).await,
        Command::Ps(args) => container::run(global, ContainerCommand::List(args)).await,
        Command::Pull(args) => image::run(global, ImageCommand::Pull(args)).await,
        Command::Restart(args) => container::run(global, ContainerCommand::Restart(args)).await,
        Command::Rm(args) => container::run(global, ContainerCommand::Rm(args)).await,
        Command::Rmi(args) => image::run(global, ImageCommand::Rm(args)).await,
        Command::Run(args) => container::run(global, ContainerCommand::Run(args)).await,
        Command::Start(args) => container::run(global, ContainerCommand::Start(args)).await,
        Command::Stop(args) => container::run(global, ContainerCommand::Stop(args)).await,
        Command::Tag(args) => image::run(global, ImageCommand::Tag(args)).await,
        Command::Top(args) => container::run(global, ContainerCommand::Top(args)).await,
        Command::Untag(args) => image::run(global, ImageCommand::Untag(args)).await,
        Command::Wait(args) => container::run(global, ContainerCommand::Wait(args)).await,
        Command::Machine(command) => machine::run(&cli.global, command).await,
        Command::System(command) => system::run(&cli.global, command).await,
        Command::Generate(crate::cli::kube::GenerateCommand::Kube(args)) => {
            kube::generate::run(global, &args).await
        }
        Command::Generate(crate::cli::kube::GenerateCommand::Spec(args)) => {
            kube::spec::run(global, &args).await
        }
        Command::Generate(crate::cli::kube::GenerateCommand::Systemd(args)) => {
            kube::systemd::run(global, &args).await
        }
        Command::Kube(command) => kube::run(global, command).await,
        Command::Network(command) => network::run(global, command).await,
        Command::Play(crate::cli::kube::PlayCommand::Kube(args)) => {
            kube::play::run(global, &args).await
        }
        Command::Pod(command) => pod::run(global, command).await,
        Command::Secret(command) => secret::run(global, command).await,
        Command::Volume(command) => volume::run(global, command).await,
        Command::Version(args) => system::version::run(&cli.global, &args).await,
        Command::Info(args) => system::info::run(&cli.global, &args).await,
        Command::Completion(args) => completion::run(&args),
        Command::GenerateMan(args) => generate_man::run(&args),
    }
}
