//! `rustomize argocd discover|generate`: the commands of the Argo CD config
//! management plugin (`contrib/argocd/plugin.yaml`, docs/argocd.md).
//!
//! argocd-cmp-server runs them in the application's directory (a copy of
//! the repository), with the sidecar's environment plus Argo CD's:
//! `ARGOCD_APP_*`, `KUBE_VERSION`, `KUBE_API_VERSIONS`, the Application's
//! `plugin.env` entries prefixed with `ARGOCD_ENV_`, and its
//! `plugin.parameters` as JSON in `ARGOCD_APP_PARAMETERS`
//! (`[{"name": "enable-helm", "string": "true"}, {"name": "build-options",
//! "array": ["--enable-alpha-plugins"]}]`; `null` when there are none).
//! Variables with empty values are never set by cmp-server.
//!
//! `generate` turns them into `rustomize build .` flags:
//!
//! | parameter         | or variable                     | becomes                                   |
//! |-------------------|---------------------------------|-------------------------------------------|
//! | `enable-helm`     | `ARGOCD_ENV_ENABLE_HELM`        | `--enable-helm` (a Go boolean: true, 1...) |
//! | `load-restrictor` | `ARGOCD_ENV_LOAD_RESTRICTOR`    | `--load-restrictor VALUE`                 |
//! | `build-options`   | `ARGOCD_ENV_BUILD_OPTIONS`      | more flags, split on spaces (an array parameter: one flag or value per item) |
//! |                   | `KUBE_VERSION`                  | `--helm-kube-version VALUE`               |
//! |                   | `KUBE_API_VERSIONS` (a,b,...)   | `--helm-api-versions a --helm-api-versions b ...` |
//!
//! A parameter wins over the variable of the same meaning; build options
//! that set `--helm-kube-version` or `--helm-api-versions` themselves win
//! over `KUBE_VERSION` / `KUBE_API_VERSIONS`. The YAML goes to stdout and
//! nothing else does; the command line it runs and any warning go to
//! stderr; any error exits non-zero with nothing on stdout.

use crate::cli::{ArgocdArgs, ArgocdCommand, Cli, Command};
use anyhow::{Context as _, bail};
use clap::Parser as _;
use rustomize_engine::kustomization::FILE_NAMES;
use rustomize_loader::{DiskFs, FileKind, FileSystem as _};
use serde_json::Value;
use std::path::Path;
use std::process::ExitCode;

/// The parameters `generate` understands (also announced in plugin.yaml).
pub const PARAMETERS: [&str; 3] = ["enable-helm", "load-restrictor", "build-options"];

/// Runs `argocd discover` or `argocd generate`.
pub fn run(args: &ArgocdArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        ArgocdCommand::Discover => {
            if let Some(name) = kustomization_file(Path::new(".")) {
                crate::output::stdout(&format!("{name}\n"))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        ArgocdCommand::Generate => {
            let flags = build_flags(&|name| std::env::var(name).ok())?;
            let mut argv = vec!["rustomize".to_string(), "build".into(), ".".into()];
            argv.extend(flags);
            eprintln!("rustomize argocd generate: running {}", shell_words(&argv));
            let cli = Cli::try_parse_from(&argv).map_err(|e| {
                anyhow::anyhow!(
                    "invalid build options from the Application (parameters or ARGOCD_ENV_*): {}",
                    e.render().to_string().trim_end()
                )
            })?;
            let Command::Build(build) = cli.command else {
                unreachable!("the argv starts with `build`")
            };
            if build.output.is_some() {
                bail!("build options may not set -o/--output: Argo CD reads the YAML from stdout");
            }
            super::build::run(&build)
        }
    }
}

/// The kustomization file in `dir`, by kustomize's names in its order.
fn kustomization_file(dir: &Path) -> Option<&'static str> {
    FILE_NAMES
        .iter()
        .copied()
        .find(|name| DiskFs.kind(&dir.join(name)).ok() == Some(FileKind::File))
}

/// One Application parameter's value.
#[derive(Debug, PartialEq)]
enum Param {
    String(String),
    Array(Vec<String>),
}

/// The `rustomize build` flags for an environment (`env` looks a variable
/// up; an empty value counts as unset, as cmp-server never sets one).
fn build_flags(env: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<Vec<String>> {
    let var = |name: &str| env(name).filter(|v| !v.is_empty());
    let params = match var("ARGOCD_APP_PARAMETERS") {
        Some(json) => parameters(&json)?,
        None => Vec::new(),
    };
    let param = |name: &str| params.iter().find(|(n, _)| n == name).map(|(_, p)| p);
    let string_setting = |param_name: &str, var_name: &str| -> anyhow::Result<Option<String>> {
        match param(param_name) {
            Some(Param::String(s)) => Ok(Some(s.clone())),
            Some(Param::Array(_)) => {
                bail!("parameter '{param_name}' must be a string, not an array")
            }
            None => Ok(var(var_name)),
        }
    };

    let mut flags = Vec::new();
    if let Some(v) = string_setting("enable-helm", "ARGOCD_ENV_ENABLE_HELM")? {
        let on = crate::kustomize_argv::go_bool(v.trim())
            .map_err(|e| anyhow::anyhow!("enable-helm: {e}"))?;
        if on {
            flags.push("--enable-helm".to_string());
        }
    }
    if let Some(v) = string_setting("load-restrictor", "ARGOCD_ENV_LOAD_RESTRICTOR")? {
        flags.push("--load-restrictor".into());
        flags.push(v.trim().to_string());
    }
    let extra: Vec<String> = match param("build-options") {
        Some(Param::Array(items)) => items.clone(),
        Some(Param::String(s)) => split_options(s),
        None => var("ARGOCD_ENV_BUILD_OPTIONS")
            .map(|s| split_options(&s))
            .unwrap_or_default(),
    };
    let sets = |flag: &str| {
        extra
            .iter()
            .any(|a| a == flag || a.starts_with(&format!("{flag}=")))
    };
    if !sets("--helm-kube-version")
        && let Some(v) = var("KUBE_VERSION")
    {
        flags.push("--helm-kube-version".into());
        flags.push(v.trim().to_string());
    }
    if !sets("--helm-api-versions")
        && let Some(v) = var("KUBE_API_VERSIONS")
    {
        for api in v.split(',').map(str::trim).filter(|a| !a.is_empty()) {
            flags.push("--helm-api-versions".into());
            flags.push(api.to_string());
        }
    }
    flags.extend(extra);
    Ok(flags)
}

/// Build options given as one string: split on whitespace, as Argo CD
/// splits `kustomize.buildOptions` (no quoting).
fn split_options(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_string).collect()
}

/// `ARGOCD_APP_PARAMETERS`: a JSON array of `{"name", "string"|"array"|"map"}`
/// objects (or `null`). Unknown names and maps are errors, so a typo in an
/// Application never builds something else silently.
fn parameters(json: &str) -> anyhow::Result<Vec<(String, Param)>> {
    let value: Value =
        serde_json::from_str(json).context("ARGOCD_APP_PARAMETERS is not valid JSON")?;
    let items = match value {
        Value::Null => return Ok(Vec::new()),
        Value::Array(items) => items,
        other => bail!(
            "ARGOCD_APP_PARAMETERS must be a JSON array of parameters, not {}",
            json_kind(&other)
        ),
    };
    let mut out: Vec<(String, Param)> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Some(obj) = item.as_object() else {
            bail!(
                "ARGOCD_APP_PARAMETERS[{i}] must be an object, not {}",
                json_kind(item)
            );
        };
        let Some(name) = obj.get("name").and_then(Value::as_str) else {
            bail!("ARGOCD_APP_PARAMETERS[{i}] has no \"name\"");
        };
        if !PARAMETERS.contains(&name) {
            bail!(
                "unknown parameter '{name}' (ARGOCD_APP_PARAMETERS[{i}]); rustomize knows {}",
                PARAMETERS.join(", ")
            );
        }
        if obj.contains_key("map") {
            bail!("parameter '{name}' must be a string or an array, not a map");
        }
        let param = match (obj.get("string"), obj.get("array")) {
            (Some(Value::String(s)), None) => Param::String(s.clone()),
            (None, Some(Value::Array(a))) => {
                let mut strings = Vec::with_capacity(a.len());
                for v in a {
                    match v.as_str() {
                        Some(s) => strings.push(s.to_string()),
                        None => bail!(
                            "parameter '{name}': array items must be strings, not {}",
                            json_kind(v)
                        ),
                    }
                }
                Param::Array(strings)
            }
            (None, None) => continue,
            _ => bail!("parameter '{name}' must have one \"string\" or one \"array\" value"),
        };
        if out.iter().any(|(n, _)| n == name) {
            bail!("parameter '{name}' is given twice");
        }
        out.push((name.to_string(), param));
    }
    Ok(out)
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The command line as a person would type it (arguments with spaces or
/// quotes in single quotes).
fn shell_words(argv: &[String]) -> String {
    argv.iter()
        .map(|a| {
            if !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./=,:@+".contains(c))
            {
                a.clone()
            } else {
                format!("'{}'", a.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Variables, and the flags (or the error) they give.
    type Row<'a> = (&'a [(&'a str, &'a str)], Result<Vec<String>, String>);

    fn flags(vars: &[(&str, &str)]) -> Result<Vec<String>, String> {
        let lookup = |name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        };
        build_flags(&lookup).map_err(|e| format!("{e:#}"))
    }

    #[test]
    fn environments_map_to_build_flags() {
        let ok = |v: &[&str]| Ok::<Vec<String>, String>(v.iter().map(|s| s.to_string()).collect());
        #[rustfmt::skip]
        let rows: Vec<Row> = vec![
            (&[], ok(&[])),
            (&[("ARGOCD_APP_PARAMETERS", "null")], ok(&[])),
            (&[("ARGOCD_APP_PARAMETERS", "[]")], ok(&[])),
            (&[("ARGOCD_ENV_ENABLE_HELM", "true")], ok(&["--enable-helm"])),
            (&[("ARGOCD_ENV_ENABLE_HELM", "1")], ok(&["--enable-helm"])),
            (&[("ARGOCD_ENV_ENABLE_HELM", "false")], ok(&[])),
            (&[("ARGOCD_ENV_ENABLE_HELM", "")], ok(&[])),
            (&[("ARGOCD_APP_PARAMETERS", r#"[{"name":"enable-helm","string":"true"}]"#)], ok(&["--enable-helm"])),
            // The parameter wins over the variable.
            (&[("ARGOCD_ENV_ENABLE_HELM", "true"), ("ARGOCD_APP_PARAMETERS", r#"[{"name":"enable-helm","string":"false"}]"#)], ok(&[])),
            (&[("ARGOCD_ENV_LOAD_RESTRICTOR", "LoadRestrictionsNone")], ok(&["--load-restrictor", "LoadRestrictionsNone"])),
            (&[("ARGOCD_APP_PARAMETERS", r#"[{"name":"load-restrictor","string":"LoadRestrictionsNone"}]"#)], ok(&["--load-restrictor", "LoadRestrictionsNone"])),
            (&[("KUBE_VERSION", "1.30")], ok(&["--helm-kube-version", "1.30"])),
            (&[("KUBE_API_VERSIONS", "v1,apps/v1, monitoring.coreos.com/v1")],
                ok(&["--helm-api-versions", "v1", "--helm-api-versions", "apps/v1", "--helm-api-versions", "monitoring.coreos.com/v1"])),
            (&[("ARGOCD_ENV_BUILD_OPTIONS", "  --enable-alpha-plugins   --enable-exec ")], ok(&["--enable-alpha-plugins", "--enable-exec"])),
            (&[("ARGOCD_APP_PARAMETERS", r#"[{"name":"build-options","array":["--helm-command","/opt/helm 3"]}]"#)], ok(&["--helm-command", "/opt/helm 3"])),
            (&[("ARGOCD_APP_PARAMETERS", r#"[{"name":"build-options","string":"--enable-helm --helm-debug"}]"#), ("ARGOCD_ENV_BUILD_OPTIONS", "--ignored")], ok(&["--enable-helm", "--helm-debug"])),
            // Build options that set the helm versions win over Argo CD's.
            (&[("KUBE_VERSION", "1.30"), ("KUBE_API_VERSIONS", "v1"), ("ARGOCD_ENV_BUILD_OPTIONS", "--helm-kube-version=1.28 --helm-api-versions x/v1")],
                ok(&["--helm-kube-version=1.28", "--helm-api-versions", "x/v1"])),
            (&[("ARGOCD_ENV_ENABLE_HELM", "true"), ("KUBE_VERSION", "1.31"), ("KUBE_API_VERSIONS", "v1"), ("ARGOCD_ENV_LOAD_RESTRICTOR", "LoadRestrictionsNone"), ("ARGOCD_ENV_BUILD_OPTIONS", "--helm-debug")],
                ok(&["--enable-helm", "--load-restrictor", "LoadRestrictionsNone", "--helm-kube-version", "1.31", "--helm-api-versions", "v1", "--helm-debug"])),
            // A parameter announced but not set by the Application.
            (&[("ARGOCD_APP_PARAMETERS", r#"[{"name":"enable-helm"}]"#), ("ARGOCD_ENV_ENABLE_HELM", "true")], ok(&["--enable-helm"])),
            // Errors.
            (&[("ARGOCD_ENV_ENABLE_HELM", "yes")], Err(r#"enable-helm: strconv.ParseBool: parsing "yes": invalid syntax"#.into())),
            (&[("ARGOCD_APP_PARAMETERS", "{")], Err("ARGOCD_APP_PARAMETERS is not valid JSON: EOF while parsing an object at line 1 column 1".into())),
            (&[("ARGOCD_APP_PARAMETERS", r#"{"name":"x"}"#)], Err("ARGOCD_APP_PARAMETERS must be a JSON array of parameters, not an object".into())),
            (&[("ARGOCD_APP_PARAMETERS", "[1]")], Err("ARGOCD_APP_PARAMETERS[0] must be an object, not a number".into())),
            (&[("ARGOCD_APP_PARAMETERS", r#"[{"string":"x"}]"#)], Err(r#"ARGOCD_APP_PARAMETERS[0] has no "name""#.into())),
            (&[("ARGOCD_APP_PARAMETERS", r#"[{"name":"enable_helm","string":"true"}]"#)], Err("unknown parameter 'enable_helm' (ARGOCD_APP_PARAMETERS[0]); rustomize knows enable-helm, load-restrictor, build-options".into())),
            (&[("ARGOCD_APP_PARAMETERS", r#"[{"name":"build-options","map":{"a":"b"}}]"#)], Err("parameter 'build-options' must be a string or an array, not a map".into())),
            (&[("ARGOCD_APP_PARAMETERS", r#"[{"name":"enable-helm","array":["true"]}]"#)], Err("parameter 'enable-helm' must be a string, not an array".into())),
            (&[("ARGOCD_APP_PARAMETERS", r#"[{"name":"build-options","array":[1]}]"#)], Err("parameter 'build-options': array items must be strings, not a number".into())),
            (&[("ARGOCD_APP_PARAMETERS", r#"[{"name":"enable-helm","string":"true","array":[]}]"#)], Err(r#"parameter 'enable-helm' must have one "string" or one "array" value"#.into())),
            (&[("ARGOCD_APP_PARAMETERS", r#"[{"name":"enable-helm","string":"true"},{"name":"enable-helm","string":"false"}]"#)], Err("parameter 'enable-helm' is given twice".into())),
        ];
        let failures: Vec<String> = rows
            .iter()
            .filter_map(|(vars, want)| {
                let got = flags(vars);
                (&got != want).then(|| format!("  {vars:?}\n    got  {got:?}\n    want {want:?}"))
            })
            .collect();
        assert!(
            failures.is_empty(),
            "{} rows failed:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }

    #[test]
    fn command_lines_are_shown_as_typed() {
        let argv: Vec<String> = [
            "rustomize",
            "build",
            ".",
            "--helm-command",
            "/opt/my helm",
            "it's",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            shell_words(&argv),
            r"rustomize build . --helm-command '/opt/my helm' 'it'\''s'"
        );
    }
}
