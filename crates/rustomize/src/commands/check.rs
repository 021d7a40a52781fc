//! `rustomize check`.
//!
//! Builds each directory (or reads rendered YAML with `-f`), checks the
//! objects with `rustomize-check`, and prints every target's findings in
//! one document. Exit status: 0 when no finding is at the `--fail-on`
//! level (error by default) or above, 1 when one is, 2 when a target could
//! not be built or read, or the command line or configuration is wrong.

use crate::cli::{CheckArgs, CheckFormat, FailOn, LoadRestrictorArg};
use crate::output;
use rustomize_check::{Config, Format, Options, Outcome, Severity, Target};
use rustomize_engine::BuildOptions;
use rustomize_engine::Origin;
use rustomize_loader::{DiskFs, FileSystem as _, LoadRestrictor};
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
        Some(path) => match rustomize_check::load_config(&DiskFs, path) {
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
        paths_relative_to: std::env::current_dir().ok(),
        // Every finding names the line that set its field.
        provenance: true,
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
        let built = match rustomize_engine::build(Arc::new(DiskFs), dir, &build_opts) {
            Ok(b) => b,
            Err(e) => {
                fail(&mut outcomes, name, e.report().to_string());
                continue;
            }
        };
        for w in &built.warnings {
            eprintln!("{w}");
        }
        match rustomize_check::check_built(&built, &Target::built(dir), &opts) {
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
                rustomize_engine::resources_from_bytes(r.yaml.as_bytes(), &name, None)
                    .map(|rm| rm.into_resources())
                    .map_err(|e| e.report().to_string())
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

    let format = match args.format {
        CheckFormat::Text => Format::Text,
        CheckFormat::Json => Format::Json,
        CheckFormat::Sarif => Format::Sarif,
        CheckFormat::Github => Format::Github,
    };
    let doc = rustomize_check::render(&outcomes, format);
    if let Err(e) = output::stdout(&doc)
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        return usage_error(&format!("writing the report: {e}"));
    }
    let threshold = match args.fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
    };
    let errors = outcomes
        .iter()
        .any(|o| matches!(o, Outcome::Checked(r) if r.fails(threshold)));
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
        None => rustomize_check::find_config(&DiskFs, dir)
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
) -> Result<Vec<rustomize_engine::Resource>, String> {
    let mut bytes = Vec::new();
    let read = if stdin {
        std::io::stdin().read_to_end(&mut bytes).map(|_| ())
    } else {
        DiskFs.read(file).map(|b| bytes = b)
    };
    read.map_err(|e| format!("reading: {e}"))?;
    let origin = Arc::new(Origin {
        path: name.to_string(),
        ..Origin::default()
    });
    rustomize_engine::resources_from_bytes(&bytes, name, Some(origin))
        .map(|rm| rm.into_resources())
        .map_err(|e| e.report().to_string())
}

fn usage_error(msg: &str) -> ExitCode {
    eprintln!("Error: {msg}");
    ExitCode::from(USAGE_OR_BUILD_ERROR)
}

fn list_rules() -> ExitCode {
    let mut out = String::new();
    for r in rustomize_check::rules() {
        let production = if r.production_severity == r.default_severity {
            String::new()
        } else {
            format!(" ({} in production)", r.production_severity)
        };
        out.push_str(&format!(
            "{:<26} {:<8} {}{production}\n",
            r.id,
            r.default_severity.as_str(),
            r.summary
        ));
    }
    let _ = output::stdout(&out);
    ExitCode::SUCCESS
}
