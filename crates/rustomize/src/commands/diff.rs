//! `rustomize diff`.
//!
//! Two modes:
//!
//! - `rustomize diff LEFT RIGHT`: each side a kustomization directory, a
//!   remote target or rendered YAML (a file, `-f FILE`, `-` for stdin);
//! - `rustomize diff DIR... --base REV [--head REV]` (or one DIR, none
//!   for `.`, or `--default-base`): each directory in the working tree (or at `--head`)
//!   against the same directory at `--base`, read from Git's objects.
//!
//! Every side is built (in parallel) before anything is printed; when one
//! fails, the errors go to stderr, naming the side, stdout stays empty and
//! the exit status is 2. Otherwise: 0 without differences, 1 with.

mod sides;

use crate::cli::{ColorArg, DiffArgs, DiffFormat, LoadRestrictorArg};
use crate::output;
use rustomize_diff::{Format, Options, RenderOptions, Report, Target};
use rustomize_engine::BuildOptions;
use rustomize_loader::LoadRestrictor;
use sides::{Built, SideSpec};
use std::io::IsTerminal as _;
use std::process::ExitCode;

/// Exit status for usage, revision and build errors.
const ERROR: u8 = 2;

/// Runs the comparison; errors are reported here, so the exit status can
/// say which kind of failure it was.
pub fn run(args: &DiffArgs) -> ExitCode {
    match execute(args) {
        Ok(code) => code,
        Err(errors) => {
            for e in errors {
                eprintln!("Error: {e}");
            }
            ExitCode::from(ERROR)
        }
    }
}

fn execute(args: &DiffArgs) -> Result<ExitCode, Vec<String>> {
    let specs = sides::ordered(args);
    let git_mode = args.base.is_some()
        || args.head.is_some()
        || args.default_base
        || (specs.len() <= 1 && args.files.is_empty());
    let build = BuildOptions {
        load_restrictor: match args.load_restrictor {
            LoadRestrictorArg::LoadRestrictionsRootOnly => LoadRestrictor::RootOnly,
            LoadRestrictorArg::LoadRestrictionsNone => LoadRestrictor::None,
        },
        fetcher: Some(super::fetcher(&args.remote)),
        plugins: args.plugins.options(),
        paths_relative_to: std::env::current_dir().ok(),
        ..BuildOptions::default()
    };
    let opts = Options {
        ignore_labels: args.ignore_labels,
        ignore_annotations: args.ignore_annotations.clone(),
        kinds: args.kind.clone(),
        show_secrets: args.show_secrets,
    };
    let (left, right, targets) = if git_mode {
        sides::git(args, &specs, &build)?
    } else {
        sides::two(&specs, &build)?
    };
    let mut warnings: Vec<&String> = targets
        .iter()
        .flat_map(|(_, l, r)| l.warnings.iter().chain(r.warnings.iter()))
        .collect();
    warnings.sort();
    warnings.dedup();
    for w in warnings {
        eprintln!("{w}");
    }
    let mut report = Report {
        left,
        right,
        targets: Vec::with_capacity(targets.len()),
    };
    for (name, l, r) in targets {
        let comparison = rustomize_diff::compare(&l.objects, &r.objects, &opts)
            .map_err(|e| vec![format!("{name}: {e}")])?;
        report.targets.push(Target {
            name,
            left_missing: l.missing,
            right_missing: r.missing,
            comparison,
        });
        // The process ends soon: freeing the trees node by node would cost
        // time for nothing.
        std::mem::forget((l, r));
    }
    let render = RenderOptions {
        context: args.context,
        paths: args.paths,
        summary_only: args.summary,
        color: args.format == DiffFormat::Text && use_color(args.color),
        max_chars: args.max_chars,
        rerun: Some(rerun_command()),
    };
    let format = match args.format {
        DiffFormat::Text => Format::Text,
        DiffFormat::Markdown => Format::Markdown,
        DiffFormat::Json => Format::Json,
    };
    let text = rustomize_diff::render(&report, format, &render);
    if let Err(e) = output::stdout(&text)
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        return Err(vec![format!("writing the report: {e}")]);
    }
    Ok(if report.has_differences() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Whether the text gets colours: `always`, `never`, or on a terminal
/// when `NO_COLOR` is unset or empty.
fn use_color(arg: ColorArg) -> bool {
    match arg {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

/// The command line that prints the whole report (this one, in the text
/// format), for the markdown's note when it is cut.
fn rerun_command() -> String {
    let mut words = vec!["rustomize".to_string()];
    let mut args = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned());
    while let Some(a) = args.next() {
        match a.as_str() {
            "--format" | "--max-chars" | "--color" => {
                args.next();
            }
            a if a.starts_with("--format=")
                || a.starts_with("--max-chars=")
                || a.starts_with("--color=") => {}
            a => words.push(quote(a)),
        }
    }
    words.join(" ")
}

/// A word as a POSIX shell reads it back.
fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_./:=@%^,+-".contains(&b));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

impl SideSpec {
    /// How the side is named in the report.
    fn label(&self) -> String {
        match self {
            SideSpec::Dir(d) => d.clone(),
            SideSpec::File(f) => f.display().to_string(),
            SideSpec::Stdin => "<stdin>".to_string(),
        }
    }
}

/// One target's two sides, built.
type Pair = (String, Built, Built);
