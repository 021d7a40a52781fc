//! Usage errors (exit status 2): clap's message, with a tip where clap has
//! none. clap suggests a similar name when there is one; when there is not,
//! the tip lists what the command does take.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use std::ffi::OsString;

/// `e` with a tip added when it is an unknown subcommand or flag that
/// clap found nothing similar to; `cmd` is the whole command tree and
/// `args` the command line (program name first).
pub fn with_tip(mut e: clap::Error, cmd: &clap::Command, args: &[OsString]) -> clap::Error {
    let has = |e: &clap::Error, k: ContextKind| e.get(k).is_some();
    let tip = match e.kind() {
        ErrorKind::InvalidSubcommand if !has(&e, ContextKind::SuggestedSubcommand) => {
            let (path, sub) = deepest(cmd, args);
            let names: Vec<&str> = sub
                .get_subcommands()
                .filter(|s| !s.is_hide_set())
                .map(clap::Command::get_name)
                .collect();
            format!(
                "the subcommands of '{path}' are: {} (see '{path} --help')",
                names.join(", ")
            )
        }
        ErrorKind::UnknownArgument
            if !has(&e, ContextKind::SuggestedArg) && !has(&e, ContextKind::Suggested) =>
        {
            let (path, sub) = deepest(cmd, args);
            let mut flags: Vec<String> = sub
                .get_arguments()
                .filter(|a| !a.is_positional() && !a.is_hide_set())
                .map(|a| match (a.get_short(), a.get_long()) {
                    (Some(s), Some(l)) => format!("-{s}/--{l}"),
                    (None, Some(l)) => format!("--{l}"),
                    (Some(s), None) => format!("-{s}"),
                    (None, None) => a.get_id().to_string(),
                })
                .collect();
            flags.push("--help".into());
            format!("'{path}' takes {} (see '{path} --help')", flags.join(", "))
        }
        _ => return e,
    };
    e.insert(
        ContextKind::Suggested,
        ContextValue::StyledStrs(vec![tip.into()]),
    );
    e
}

/// The deepest subcommand `args` name, and its path (`rustomize edit add`).
fn deepest<'c>(cmd: &'c clap::Command, args: &[OsString]) -> (String, &'c clap::Command) {
    let mut path = vec![cmd.get_name().to_string()];
    let mut at = cmd;
    for a in args.iter().skip(1) {
        let Some(a) = a.to_str() else { break };
        if a == "--" {
            break;
        }
        if a.starts_with('-') {
            continue;
        }
        match at.find_subcommand(a) {
            Some(sub) => {
                path.push(sub.get_name().to_string());
                at = sub;
            }
            None => break,
        }
    }
    (path.join(" "), at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn error_text(args: &[&str]) -> String {
        crate::cli::define_every_subcommand();
        let cmd = crate::cli::Cli::command().name("rustomize");
        let args: Vec<OsString> = args.iter().map(OsString::from).collect();
        let e = cmd
            .clone()
            .try_get_matches_from(&args)
            .expect_err("usage error");
        assert_eq!(e.exit_code(), 2, "{args:?}");
        with_tip(e, &cmd, &args).render().to_string()
    }

    #[test]
    fn every_unknown_name_gets_a_tip() {
        let mut failures = Vec::new();
        for (args, tip) in [
            (
                &["rustomize", "edit", "frobnicate"][..],
                "the subcommands of 'rustomize edit' are: add, set, remove, fix, alpha-list-builtin-plugin",
            ),
            (
                &["rustomize", "edit", "ad"],
                "a similar subcommand exists: 'add'",
            ),
            (
                &["rustomize", "version", "--zzz"],
                "'rustomize version' takes --short, -o/--output",
            ),
            (
                &["rustomize", "build", "--ofline"],
                "a similar argument exists: '--offline'",
            ),
            (
                &["rustomize", "zzz"],
                "the subcommands of 'rustomize' are: build,",
            ),
        ] {
            let text = error_text(args);
            if !text.contains("tip: ") || !text.contains(tip) {
                failures.push(format!("{args:?}: want a tip with {tip:?}, got:\n{text}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    }
}
