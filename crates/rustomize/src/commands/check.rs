//! `rustomize check`.
//!
//! Builds each directory (or reads rendered YAML with `-f`), checks the
//! objects with `rustomize-check`, and prints every target's findings in
//! one document. Exit status: 0 when no finding is at error level, 1 when
//! one is, 2 when a target could not be built or read, or the command line
//! or configuration is wrong.

use crate::cli::{CheckArgs, CheckFormat, LoadRestrictorArg};
use crate::output;
use rustomize_check::output::Outcome;
use rustomize_check::{Config, Options, Target, rules};
use rustomize_engine::resource::Origin;
use rustomize_engine::target::{self, BuildOptions};
use rustomize_loader::{DiskFs, LoadRestrictor};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// Exit status for usage, configuration and build errors.
const USAGE_OR_BUILD_ERROR: u8 = 2;

/// Runs the check; errors are reported here, so the exit status can say
/// which kind of failure it was.
pub fn run(args: &CheckArgs) -> ExitCode {
    if args.list_rules {
        return list_rules();
    }
    let explicit = match &args.config {
        Some(path) => match Config::load(path) {
            Ok(c) => Some(c),
            Err(e) => return usage_error(&e.to_string()),
        },
        None => None,
    };
    let build_opts = BuildOptions {
        load_restrictor: match args.load_restrictor {
            LoadRestrictorArg::LoadRestrictionsRootOnly => LoadRestrictor::RootOnly,
            LoadRestrictorArg::LoadRestrictionsNone => LoadRestrictor::None,
        },
        fetcher: Some(super::fetcher(&args.remote)),
        ..BuildOptions::default()
    };
    let mut dirs = args.dirs.clone();
    if dirs.is_empty() && args.files.is_empty() && args.flux.is_empty() {
        dirs.push(PathBuf::from("."));
    }

    let mut outcomes = Vec::with_capacity(dirs.len() + args.files.len());
    let mut failed = false;
    let mut fail = |outcomes: &mut Vec<Outcome>, target: String, error: String| {
        eprintln!("Error: {target}: {error}");
        outcomes.push(Outcome::Failed { target, error });
        failed = true;
    };
    for dir in &dirs {
        let name = dir.display().to_string();
        let opts = match options(args, explicit.as_ref(), dir) {
            Ok(o) => o,
            Err(e) => return usage_error(&e),
        };
        let built = match target::build(Arc::new(DiskFs), dir, &build_opts) {
            Ok(b) => b,
            Err(e) => {
                fail(&mut outcomes, name, e.to_string());
                continue;
            }
        };
        for w in &built.warnings {
            eprintln!("{w}");
        }
        match rustomize_check::check(built.resources.resources(), &Target::built(dir), &opts) {
            Ok(report) => outcomes.push(Outcome::Checked(report)),
            Err(e) => return usage_error(&e.to_string()),
        }
    }
    for file in &args.flux {
        let name = format!("{} (Flux)", file.display());
        let config_dir = file
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let opts = match options(args, explicit.as_ref(), config_dir) {
            Ok(o) => o,
            Err(e) => return usage_error(&e),
        };
        let resources = super::flux::render(file, &args.flux_opts, &args.remote)
            .map_err(|e| format!("{e:#}"))
            .and_then(|r| {
                target::resources_from_bytes(r.yaml.as_bytes(), &name, None)
                    .map(|rm| rm.into_resources())
                    .map_err(|e| e.to_string())
            });
        match resources {
            Ok(resources) => {
                match rustomize_check::check(&resources, &Target::rendered(name), &opts) {
                    Ok(report) => outcomes.push(Outcome::Checked(report)),
                    Err(e) => return usage_error(&e.to_string()),
                }
            }
            Err(e) => fail(&mut outcomes, name, e),
        }
    }
    for file in &args.files {
        let stdin = file.as_os_str() == "-";
        let name = if stdin {
            "<stdin>".to_string()
        } else {
            file.display().to_string()
        };
        let config_dir = if stdin {
            Path::new(".")
        } else {
            file.parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
        };
        let opts = match options(args, explicit.as_ref(), config_dir) {
            Ok(o) => o,
            Err(e) => return usage_error(&e),
        };
        let resources = match read_rendered(file, stdin, &name) {
            Ok(r) => r,
            Err(e) => {
                fail(&mut outcomes, name, e);
                continue;
            }
        };
        match rustomize_check::check(&resources, &Target::rendered(name), &opts) {
            Ok(report) => outcomes.push(Outcome::Checked(report)),
            Err(e) => return usage_error(&e.to_string()),
        }
    }

    let doc = match args.format {
        CheckFormat::Text => rustomize_check::output::text(&outcomes),
        CheckFormat::Json => rustomize_check::output::json(&outcomes),
        CheckFormat::Sarif => rustomize_check::output::sarif(&outcomes),
    };
    if let Err(e) = output::stdout(&doc)
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        return usage_error(&format!("writing the report: {e}"));
    }
    let errors = outcomes
        .iter()
        .any(|o| matches!(o, Outcome::Checked(r) if r.has_errors()));
    if failed {
        ExitCode::from(USAGE_OR_BUILD_ERROR)
    } else if errors {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The options for one target: the command line over the configuration
/// found for it.
fn options(args: &CheckArgs, explicit: Option<&Config>, dir: &Path) -> Result<Options, String> {
    let config = match explicit {
        Some(c) => c.clone(),
        None => Config::find(dir)
            .map_err(|e| e.to_string())?
            .unwrap_or_default(),
    };
    let opts = Options {
        kubernetes_version: args.kubernetes_version.clone(),
        env: args.env.clone(),
        config,
    };
    opts.kubernetes_minor().map_err(|e| e.to_string())?;
    Ok(opts)
}

/// Reads rendered YAML as a build reads a resource file (lists expanded,
/// every object named), each object's origin being the file.
fn read_rendered(
    file: &Path,
    stdin: bool,
    name: &str,
) -> Result<Vec<rustomize_engine::resource::Resource>, String> {
    let mut bytes = Vec::new();
    let read = if stdin {
        std::io::stdin().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::read(file).map(|b| bytes = b)
    };
    read.map_err(|e| format!("reading: {e}"))?;
    let origin = Arc::new(Origin {
        path: name.to_string(),
        ..Origin::default()
    });
    target::resources_from_bytes(&bytes, name, Some(origin))
        .map(|rm| rm.into_resources())
        .map_err(|e| e.to_string())
}

fn usage_error(msg: &str) -> ExitCode {
    eprintln!("Error: {msg}");
    ExitCode::from(USAGE_OR_BUILD_ERROR)
}

fn list_rules() -> ExitCode {
    let mut out = String::new();
    for r in rules::all() {
        out.push_str(&format!(
            "{:<26} {:<8} {}\n",
            r.id(),
            r.default_severity().as_str(),
            r.summary()
        ));
    }
    let _ = output::stdout(&out);
    ExitCode::SUCCESS
}
