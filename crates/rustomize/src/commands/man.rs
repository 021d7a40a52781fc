//! `rustomize man [--install-dir DIR]`: man pages generated from the clap
//! command tree (the same one `--help` and `completion` use), so they never
//! fall behind the flags.
//!
//! Without `--install-dir`, prints `rustomize(1)` on stdout. With it,
//! writes `rustomize.1` and one page per subcommand (`rustomize-build.1`,
//! `rustomize-edit-set-image.1`, ...) into the directory, each atomically;
//! `man rustomize` then finds them when the directory is a `man1` folder
//! on the manual path (e.g. `~/.local/share/man/man1`).

use crate::cli::ManArgs;
use anyhow::Context as _;
use std::process::ExitCode;

/// Prints or writes the pages.
pub fn run(args: &ManArgs, cmd: clap::Command) -> anyhow::Result<ExitCode> {
    let pages = pages(cmd)?;
    let Some(dir) = &args.install_dir else {
        // The first page is the top command's.
        let (_, text) = pages.first().context("no man page generated")?;
        crate::output::stdout(&String::from_utf8_lossy(text))?;
        return Ok(ExitCode::SUCCESS);
    };
    // The directory is the user's choice, created as `mkdir -p` would.
    #[allow(clippy::disallowed_methods)]
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for (name, text) in &pages {
        let path = dir.join(name);
        crate::output::write_atomic(&path, text)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    eprintln!("wrote {} man pages to {}", pages.len(), dir.display());
    Ok(ExitCode::SUCCESS)
}

/// Every page, `(file name, roff text)`, the top command's first, then its
/// visible subcommands' (depth first), as clap_mangen's `generate_to`
/// names them.
fn pages(cmd: clap::Command) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    fn walk(cmd: clap::Command, out: &mut Vec<(String, Vec<u8>)>) -> anyhow::Result<()> {
        let subs: Vec<clap::Command> = cmd
            .get_subcommands()
            .filter(|s| !s.is_hide_set())
            .cloned()
            .collect();
        let man = clap_mangen::Man::new(cmd);
        let mut text = Vec::new();
        man.render(&mut text).context("rendering a man page")?;
        out.push((man.get_filename(), text));
        for sub in subs {
            walk(sub, out)?;
        }
        Ok(())
    }
    let mut cmd = cmd.disable_help_subcommand(true);
    // Gives each subcommand its display name (`rustomize-build`).
    cmd.build();
    let mut out = Vec::new();
    walk(cmd, &mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory as _;

    #[test]
    fn one_page_per_visible_command_named_as_man_finds_them() {
        let pages = pages(crate::cli::Cli::command()).unwrap();
        let names: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
        for want in [
            "rustomize.1",
            "rustomize-build.1",
            "rustomize-check.1",
            "rustomize-edit.1",
            "rustomize-edit-set-image.1",
            "rustomize-argocd-generate.1",
        ] {
            assert!(names.contains(&want), "{want} not in {names:?}");
        }
        assert!(
            !names
                .iter()
                .any(|n| n.contains("-help") || n.contains("-man")),
            "{names:?}"
        );
        let top = String::from_utf8(pages[0].1.clone()).unwrap();
        assert!(top.starts_with(".ie \\n(.g .ds Aq"), "{}", &top[..80]);
        assert!(top.contains(".TH rustomize 1"), "{top}");
        assert!(top.contains("rustomize\\-build(1)"), "{top}");
    }
}
