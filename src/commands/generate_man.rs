//! `berth generate-man DIR` (hidden, for packagers): one man page per
//! command, `berth.1`, `berth-machine.1`, `berth-machine-init.1`, ..., made
//! by walking the clap tree, so commands added later get pages by themselves.
//! Hidden commands (the machine agent, this one) get none.

use std::path::Path;

use anyhow::Context;
use clap::CommandFactory;

use crate::build_info;
use crate::cli::completion::GenerateManArgs;
use crate::cli::Cli;

pub fn run(args: &GenerateManArgs) -> anyhow::Result<u8> {
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("creating the man page directory {}", args.dir.display()))?;
    let mut root = Cli::command().disable_help_subcommand(true);
    root.build();
    write_pages(&root, &args.dir)?;
    Ok(0)
}

/// Writes `command`'s page and those of its visible subcommands, recursively.
fn write_pages(command: &clap::Command, dir: &Path) -> anyhow::Result<()> {
    let man = clap_mangen::Man::new(command.clone().version(build_info::version()))
        .source(format!("berth {}", build_info::version()))
        .manual("berth Manual");
    let mut page = Vec::new();
    man.render(&mut page)?;
    let path = dir.join(man.get_filename());
    berth_machine::fsutil::write_atomic(&path, &page, 0o644)
        .with_context(|| format!("writing the man page {}", path.display()))?;
    for sub in command.get_subcommands().filter(|sub| !sub.is_hide_set()) {
        write_pages(sub, dir)?;
    }
    Ok(())
}
