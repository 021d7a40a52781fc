//! `rustomize version`: kustomize's `version`, with the kustomize version
//! it is compatible with first (what Argo CD reads) and rustomize's after.

use crate::kustomize_argv::{self as k, deprecated_flag, go_bool};
use clap::{ArgAction, Args};
use std::process::ExitCode;

/// `version` arguments.
#[derive(Debug, Args)]
pub struct VersionArgs {
    /// Print the short form (deprecated in kustomize)
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_name = "BOOL", hide_default_value = true,
          default_value = "false", value_parser = go_bool, action = ArgAction::Set)]
    pub short: bool,
    /// One of 'yaml' or 'json'.
    #[arg(
        short = 'o',
        long = "output",
        default_value = "",
        hide_default_value = true,
        allow_hyphen_values = true
    )]
    pub output: String,
}

/// Runs `version`.
pub fn run(args: &VersionArgs) -> anyhow::Result<ExitCode> {
    if args.short {
        eprintln!(
            "{}",
            deprecated_flag("short", "and will be removed in the future.")
        );
        if !args.output.is_empty() {
            anyhow::bail!("--short and --output are mutually exclusive");
        }
    }
    let fields = k::provenance();
    let text = match args.output.as_str() {
        "" if args.short => format!("{}\n", k::version_short()),
        "" => format!("{}\n", k::version_line()),
        "yaml" => {
            let mut s = String::new();
            for (key, v) in &fields {
                s.push_str(&format!(
                    "{key}: {}\n",
                    rustomize_edit::render::scalar(&rustomize_edit::value::Value::str(v))
                ));
            }
            format!("{s}\n")
        }
        "json" => {
            let body: Vec<String> = fields
                .iter()
                .map(|(key, v)| {
                    let mut s = String::from("  ");
                    rustomize_yaml::json::write_string(&mut s, key);
                    s.push_str(": ");
                    rustomize_yaml::json::write_string(&mut s, v);
                    s
                })
                .collect();
            format!("{{\n{}\n}}\n", body.join(",\n"))
        }
        // kustomize prints nothing for other values.
        _ => String::new(),
    };
    crate::output::stdout(&text)?;
    Ok(ExitCode::SUCCESS)
}
