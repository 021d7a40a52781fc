//! `helmCharts`: kustomize's HelmChartInflationGenerator, which renders a
//! chart by running the `helm` program.
//!
//! For each chart, as kustomize v5.5.0 does it:
//!
//! 1. configuration: helm must be enabled (`--enable-helm`, or
//!    `--enable-alpha-plugins`); `--helm-kube-version`,
//!    `--helm-api-versions` and `--helm-debug` fill in what the chart does
//!    not set; the chart home defaults to `charts` under the kustomization
//!    root, the values file to `<chartHome>/<name>/values.yaml`; each
//!    `additionalValuesFiles` entry must be loadable;
//! 2. `helm version -c --short` must report version 3;
//! 3. a chart missing from the chart home is fetched with `helm pull
//!    --untar --untardir <chartHome> ...` when `repo` is set (with
//!    `version` and `repo`, the chart home is `<chartHome>/<name>-<version>`);
//! 4. the values file is copied, or with `valuesInline` merged with it (see
//!    [`values`]), into a temporary directory;
//! 5. `helm template` runs with the arguments of [`helm_template_args`], and
//!    its output is read as a resource file.
//!
//! helm runs in the current directory, with `HELM_CONFIG_HOME`,
//! `HELM_CACHE_HOME` and `HELM_DATA_HOME` pointing into the config home (a
//! temporary directory unless `helmGlobals.configHome` says otherwise).

#[cfg(test)]
mod tests;
pub(crate) mod values;

use crate::error::Error;
use crate::model::kustomization::{HelmChart, HelmGlobals};
use crate::model::resource::Resource;
use crate::steps::Generator;
use crate::steps::host::{Scratch, is_dir};
use crate::steps::options::PluginOptions;
use rustomize_loader::Loader;
use rustomize_process::{self as subprocess, Input, Limits, RunError};
use rustomize_yaml::{Map, Node, Style, Tag};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
use values::ValuesMerge;

/// The chart home when `helmGlobals.chartHome` is not set.
pub(crate) const DEFAULT_CHART_HOME: &str = "charts";

/// Inflates one helm chart (kustomize's HelmChartInflationGenerator).
#[derive(Debug, Clone)]
pub(crate) struct HelmChartInflationGenerator {
    /// The chart, with the defaults and command-line values filled in.
    chart: HelmChart,
    /// Chart home as written (or the default).
    chart_home: String,
    /// `helmGlobals.configHome` as written; empty for a temporary one.
    config_home: String,
    /// How inline values combine with the values file.
    values_merge: ValuesMerge,
    /// The values file, relative to the kustomization root or absolute.
    values_file: String,
    /// `additionalValuesFiles`, as absolute paths.
    additional_values_files: Vec<PathBuf>,
    /// The helm program.
    command: String,
    /// Limit for each helm run.
    timeout: Option<Duration>,
}

impl HelmChartInflationGenerator {
    /// Configures the generator for a `helmCharts` entry of the
    /// kustomization whose files `ldr` reads, as kustomize configures its
    /// builtin: errors come wrapped as kustomize wraps them ("trouble
    /// configuring builtin HelmChartInflationGenerator with config: ...").
    pub(crate) fn from_kustomization(
        globals: Option<&HelmGlobals>,
        chart: &HelmChart,
        ldr: &Loader,
        opts: &PluginOptions,
    ) -> Result<Self, Error> {
        let globals = globals.cloned().unwrap_or_default();
        Self::configure(&globals, chart, ldr, opts).map_err(|e| Error::Configure {
            builtin: "HelmChartInflationGenerator".into(),
            config: config_yaml(&globals, chart),
            source: Box::new(e),
        })
    }

    /// Configures the generator from a builtin plugin config object
    /// (`apiVersion: builtin`, `kind: HelmChartInflationGenerator`, with the
    /// chart and global fields at the top level, as kustomize reads it:
    /// unknown fields are ignored, string fields take any scalar). The
    /// caller adds kustomize's `plugin <id> fails configuration` context.
    pub(crate) fn from_config(
        config: &Node,
        ldr: &Loader,
        opts: &PluginOptions,
    ) -> Result<Self, Error> {
        let (globals, chart) = parse_config(config)?;
        Self::configure(&globals, &chart, ldr, opts)
    }

    fn configure(
        globals: &HelmGlobals,
        chart: &HelmChart,
        ldr: &Loader,
        opts: &PluginOptions,
    ) -> Result<Self, Error> {
        if !opts.helm_enabled() {
            return Err(Error::plugin(
                "must specify --enable-helm (helm charts are inflated by running the helm program, which only happens with --enable-helm)",
            ));
        }
        if opts.helm_command.is_empty() {
            return Err(Error::plugin("must specify --helm-command"));
        }
        let mut chart = chart.clone();
        // The command line fills in what the chart leaves unset (kustomize
        // sets these before reading the chart's own fields over them).
        if chart.kube_version.is_empty() {
            chart.kube_version = opts.helm_kube_version.clone();
        }
        if chart.api_versions.is_empty() {
            chart.api_versions = opts.helm_api_versions.clone();
        }
        chart.debug |= opts.helm_debug;

        if chart.name.is_empty() {
            return Err(Error::plugin("chart name cannot be empty"));
        }
        let chart_home = if globals.chart_home.is_empty() {
            DEFAULT_CHART_HOME.to_string()
        } else {
            globals.chart_home.clone()
        };
        let mut additional = Vec::with_capacity(chart.additional_values_files.len());
        for file in &chart.additional_values_files {
            load(ldr, file).map_err(|e| e.context("could not load additionalValuesFile"))?;
            additional.push(ldr.join(file));
        }
        let values_merge = ValuesMerge::parse(&chart.values_merge).map_err(Error::plugin)?;
        let mut generator = HelmChartInflationGenerator {
            chart,
            chart_home,
            config_home: globals.config_home.clone(),
            values_merge,
            values_file: String::new(),
            additional_values_files: additional,
            command: opts.helm_command.clone(),
            timeout: opts.helm_timeout,
        };
        generator.values_file = if generator.chart.values_file.is_empty() {
            generator
                .abs_chart_home(ldr)
                .join(&generator.chart.name)
                .join("values.yaml")
                .to_string_lossy()
                .into_owned()
        } else {
            generator.chart.values_file.clone()
        };
        Ok(generator)
    }

    /// The directory holding the chart's directory: the chart home under
    /// the kustomization root, and for a chart pulled at a version,
    /// `<chartHome>/<name>-<version>`.
    pub(crate) fn abs_chart_home(&self, ldr: &Loader) -> PathBuf {
        let home = ldr.join(&self.chart_home);
        if !self.chart.version.is_empty() && !self.chart.repo.is_empty() {
            home.join(format!("{}-{}", self.chart.name, self.chart.version))
        } else {
            home
        }
    }

    /// The `helm pull` arguments kustomize uses to fetch a missing chart.
    pub(crate) fn pull_args(&self, abs_chart_home: &Path) -> Vec<String> {
        let c = &self.chart;
        let mut args: Vec<String> = vec![
            "pull".into(),
            "--untar".into(),
            "--untardir".into(),
            abs_chart_home.to_string_lossy().into_owned(),
        ];
        if c.repo.starts_with("oci://") {
            args.push(format!("{}/{}", c.repo.trim_end_matches('/'), c.name));
        } else {
            if !c.repo.is_empty() {
                args.push("--repo".into());
                args.push(c.repo.clone());
            }
            args.push(c.name.clone());
        }
        if !c.version.is_empty() {
            args.push("--version".into());
            args.push(c.version.clone());
        }
        args
    }

    /// Runs one helm command with kustomize's environment.
    fn run_helm(&self, args: &[String], env: &HelmEnv) -> Result<Vec<u8>, Error> {
        let mut cmd = Command::new(&self.command);
        cmd.args(args);
        for (k, v) in &env.vars {
            cmd.env(k, v);
        }
        let fail = |cause: String, stderr: &[u8], stdout: &[u8]| {
            let mut m = format!(
                "unable to run: '{} {}' with env=[{}] (is '{}' installed?): {cause}",
                self.command,
                args.join(" "),
                env.vars
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(" "),
                self.command
            );
            let stderr = subprocess::stderr_excerpt(stderr);
            if self.chart.debug {
                m.push_str(&format!(
                    "\nHelm stack trace:\n{stderr}\nHelm template:\n{}",
                    String::from_utf8_lossy(stdout).trim_end()
                ));
            } else if !stderr.is_empty() {
                m.push_str(&format!("\nhelm's stderr:\n{stderr}"));
            }
            Error::plugin(m)
        };
        match subprocess::run(
            cmd,
            Input::None,
            &Limits {
                timeout: self.timeout,
                ..Limits::default()
            },
        ) {
            Ok(done) if done.status.success() => Ok(done.stdout),
            Ok(done) => Err(fail(
                subprocess::describe_status(done.status),
                &done.stderr,
                &done.stdout,
            )),
            Err(RunError::NotFound) => Err(fail(not_found(&self.command), &[], &[])),
            Err(RunError::TimedOut { after, stderr }) => Err(fail(
                RunError::TimedOut {
                    after,
                    stderr: Vec::new(),
                }
                .to_string(),
                &stderr,
                &[],
            )),
            Err(e) => Err(fail(e.to_string(), &[], &[])),
        }
    }

    /// kustomize's `checkHelmVersion`: only helm 3 is supported.
    fn check_helm_version(&self, env: &HelmEnv) -> Result<(), Error> {
        let out = self.run_helm(&["version".into(), "-c".into(), "--short".into()], env)?;
        let text = String::from_utf8_lossy(&out);
        let re = regex::Regex::new(r"v?\d+(\.\d+)+")
            .map_err(|e| Error::plugin(format!("helm version pattern: {e}")))?;
        let Some(found) = re.find(&text) else {
            return Err(Error::plugin(format!(
                "cannot find version string in {text}"
            )));
        };
        let v = found.as_str().trim_start_matches('v');
        if v.split('.').next() != Some("3") {
            return Err(Error::plugin(format!(
                "this plugin requires helm V3 but got v{v}"
            )));
        }
        Ok(())
    }

    /// Writes the values file helm gets and returns its path.
    fn write_values(&self, ldr: &Loader, tmp: &Scratch) -> Result<PathBuf, Error> {
        let inline = self
            .chart
            .values_inline
            .as_ref()
            .filter(|v| v.as_map().is_some_and(|m| !m.is_empty()));
        let bytes = match inline {
            Some(inline) => {
                let merged = if self.values_merge == ValuesMerge::Replace {
                    inline.clone()
                } else {
                    let text = load(ldr, &self.values_file)?;
                    let text = String::from_utf8_lossy(&text);
                    let file = match rustomize_yaml::parse_documents(&text) {
                        Ok(docs) => docs.into_iter().next(),
                        Err(e) => {
                            return Err(Error::plugin(format!(
                                "could not parse values file into rnode: yaml: line {}: {}",
                                e.line, e.message
                            )));
                        }
                    };
                    let Some(file) = file else {
                        return Err(Error::plugin("could not parse values file into rnode: EOF"));
                    };
                    values::merge(&file, inline, self.values_merge)
                        .map_err(|m| Error::plugin(format!("could not merge values: {m}")))?
                };
                values::to_yaml(&merged)
                    .map_err(|m| Error::plugin(format!("could not write merged values: {m}")))?
                    .into_bytes()
            }
            None => load(ldr, &self.values_file)?,
        };
        let name = format!("{}-kustomize-values.yaml", self.chart.name);
        tmp.write(&name, &bytes).map_err(|e| {
            Error::plugin(format!(
                "failed to write values file '{}': {e}",
                tmp.path().join(&name).display()
            ))
        })
    }

    /// Inflates the chart: the resources `helm template` prints.
    pub(crate) fn inflate(&self, ldr: &Loader) -> Result<Vec<Resource>, Error> {
        let tmp = Scratch::new("kustomize-helm-").map_err(|e| {
            Error::plugin(format!(
                "unable to create tmp dir for HELM_CONFIG_HOME: {e}"
            ))
        })?;
        let env = HelmEnv::new(&self.config_home, tmp.path());
        self.check_helm_version(&env)?;
        let chart_home = self.abs_chart_home(ldr);
        let chart_dir = chart_home.join(&self.chart.name);
        if !is_dir(&chart_dir) {
            if self.chart.repo.is_empty() {
                return Err(Error::plugin(format!(
                    "no repo specified for pull, no chart found at '{}'",
                    chart_dir.display()
                )));
            }
            self.run_helm(&self.pull_args(&chart_home), &env)?;
        }
        let values = self.write_values(ldr, &tmp)?;
        let args = helm_template_args(
            &self.chart,
            &chart_home,
            &values,
            &self.additional_values_files,
        );
        let out = self.run_helm(&args, &env)?;
        let display = format!("output of 'helm template' for chart '{}'", self.chart.name);
        let rm = crate::model::read::resources_from_bytes(&out, &display, None)?;
        Ok(rm.into_resources())
    }
}

impl Generator for HelmChartInflationGenerator {
    fn generate(&self, ldr: &Loader) -> Result<Vec<Resource>, Error> {
        self.inflate(ldr)
    }
}

/// The arguments of `helm template` for `chart`, in kustomize's order
/// (kustomize's `HelmChart.AsHelmArgs`): the release name (or
/// `--generate-name`), the chart directory, `--namespace`,
/// `--name-template`, `-f` with the values file then each additional one,
/// `--api-versions` for each, `--kube-version`, `--include-crds`,
/// `--skip-tests`, `--no-hooks`, `--debug`.
pub(crate) fn helm_template_args(
    chart: &HelmChart,
    abs_chart_home: &Path,
    values_file: &Path,
    additional_values_files: &[PathBuf],
) -> Vec<String> {
    let mut args: Vec<String> = vec!["template".into()];
    if chart.release_name.is_empty() {
        args.push("--generate-name".into());
    } else {
        args.push(chart.release_name.clone());
    }
    if !chart.name.is_empty() {
        args.push(
            abs_chart_home
                .join(&chart.name)
                .to_string_lossy()
                .into_owned(),
        );
    }
    if !chart.namespace.is_empty() {
        args.push("--namespace".into());
        args.push(chart.namespace.clone());
    }
    if !chart.name_template.is_empty() {
        args.push("--name-template".into());
        args.push(chart.name_template.clone());
    }
    args.push("-f".into());
    args.push(values_file.to_string_lossy().into_owned());
    for f in additional_values_files {
        args.push("-f".into());
        args.push(f.to_string_lossy().into_owned());
    }
    for v in &chart.api_versions {
        args.push("--api-versions".into());
        args.push(v.clone());
    }
    if !chart.kube_version.is_empty() {
        args.push("--kube-version".into());
        args.push(chart.kube_version.clone());
    }
    if chart.include_crds {
        args.push("--include-crds".into());
    }
    if chart.skip_tests {
        args.push("--skip-tests".into());
    }
    if chart.skip_hooks {
        args.push("--no-hooks".into());
    }
    if chart.debug {
        args.push("--debug".into());
    }
    args
}

/// The environment kustomize gives helm.
struct HelmEnv {
    vars: Vec<(String, String)>,
}

impl HelmEnv {
    fn new(config_home: &str, tmp: &Path) -> Self {
        let home = if config_home.is_empty() {
            tmp.join("helm").to_string_lossy().into_owned()
        } else {
            config_home.to_string()
        };
        HelmEnv {
            vars: vec![
                ("HELM_CONFIG_HOME".into(), home.clone()),
                ("HELM_CACHE_HOME".into(), format!("{home}/.cache")),
                ("HELM_DATA_HOME".into(), format!("{home}/.data")),
            ],
        }
    }
}

/// Go's wording for a program that cannot be found.
fn not_found(command: &str) -> String {
    if command.contains('/') {
        format!("fork/exec {command}: no such file or directory")
    } else {
        format!("exec: \"{command}\": executable file not found in $PATH")
    }
}

/// Reads a file through the loader (an `http(s)` URL through its fetcher),
/// as kustomize's loader reads values files.
fn load(ldr: &Loader, path: &str) -> Result<Vec<u8>, Error> {
    if path.starts_with("https://") || path.starts_with("http://") {
        return ldr.load_url(path).map_err(Error::from);
    }
    ldr.load(path).map_err(Error::from)
}

/// The YAML kustomize shows for a chart's configuration in its errors:
/// the globals and the chart's fields that are set, sorted.
fn config_yaml(globals: &HelmGlobals, chart: &HelmChart) -> String {
    let mut m = Map::new();
    let mut s = |k: &str, v: &str| {
        if !v.is_empty() {
            m.insert(k, Node::string(v));
        }
    };
    s("chartHome", &globals.chart_home);
    s("configHome", &globals.config_home);
    s("name", &chart.name);
    s("version", &chart.version);
    s("repo", &chart.repo);
    s("releaseName", &chart.release_name);
    s("namespace", &chart.namespace);
    s("valuesFile", &chart.values_file);
    s("valuesMerge", &chart.values_merge);
    s("kubeVersion", &chart.kube_version);
    s("nameTemplate", &chart.name_template);
    let list = |v: &[String]| Node::seq(v.iter().map(|s| Node::string(s.as_str())).collect());
    if !chart.additional_values_files.is_empty() {
        m.insert(
            "additionalValuesFiles",
            list(&chart.additional_values_files),
        );
    }
    if !chart.api_versions.is_empty() {
        m.insert("apiVersions", list(&chart.api_versions));
    }
    if let Some(v) = chart.values_inline.as_ref().filter(|v| !v.is_null()) {
        m.insert("valuesInline", v.clone());
    }
    for (k, on) in [
        ("includeCRDs", chart.include_crds),
        ("skipHooks", chart.skip_hooks),
        ("skipTests", chart.skip_tests),
        ("debug", chart.debug),
    ] {
        if on {
            m.insert(k, Node::bool(true));
        }
    }
    rustomize_yaml::emit::to_string(&Node::Map(m)).unwrap_or_default()
}

/// String fields of the plugin config form.
const STRING_FIELDS: [&str; 11] = [
    "chartHome",
    "configHome",
    "name",
    "version",
    "repo",
    "releaseName",
    "namespace",
    "valuesFile",
    "valuesMerge",
    "kubeVersion",
    "nameTemplate",
];

/// The fields of [`HelmGlobals`] and [`HelmChart`] that a plugin config
/// may carry at its top level.
const CONFIG_FIELDS: [&str; 18] = [
    "chartHome",
    "configHome",
    "name",
    "version",
    "repo",
    "releaseName",
    "namespace",
    "additionalValuesFiles",
    "valuesFile",
    "valuesInline",
    "valuesMerge",
    "includeCRDs",
    "skipHooks",
    "apiVersions",
    "kubeVersion",
    "nameTemplate",
    "skipTests",
    "debug",
];

/// Reads a HelmChartInflationGenerator plugin config: the known fields of
/// the object (others, such as `apiVersion`, `kind` and `metadata`, are
/// ignored as kustomize ignores them), scalars of string fields read as
/// strings.
fn parse_config(config: &Node) -> Result<(HelmGlobals, HelmChart), Error> {
    let Some(top) = config.as_map() else {
        return Err(Error::plugin("the plugin config must be a mapping"));
    };
    let mut fields = Map::new();
    for e in &top.entries {
        let Some(name) = CONFIG_FIELDS
            .iter()
            .find(|f| f.eq_ignore_ascii_case(&e.key.value))
        else {
            continue;
        };
        if *name == "valuesInline" {
            // Read after deserializing, with its own rules.
            continue;
        }
        let mut value = e.value.clone();
        if STRING_FIELDS.contains(name)
            && let Node::Scalar(s) = &mut value
            && !s.is_null()
        {
            s.tag = Tag::Str;
        }
        quote_strings(&mut value);
        fields.insert(*name, value);
    }
    let fields = Node::Map(fields);
    let globals: HelmGlobals = rustomize_yaml::de::from_node(&strip_chart_fields(&fields, true))
        .map_err(|e| Error::plugin(e.to_string()))?;
    let mut chart: HelmChart = rustomize_yaml::de::from_node(&strip_chart_fields(&fields, false))
        .map_err(|e| Error::plugin(e.to_string()))?;
    let inline = top
        .entries
        .iter()
        .find(|e| e.key.value.eq_ignore_ascii_case("valuesInline"))
        .map(|e| &e.value);
    chart.values_inline = crate::model::go_yaml::config_values(inline).map_err(Error::plugin)?;
    Ok((globals, chart))
}

/// Marks every string as quoted: the config object was read with yaml.v3
/// types (`n` and `yes` are strings), which its JSON form keeps.
fn quote_strings(node: &mut Node) {
    match node {
        Node::Scalar(s) if s.tag == Tag::Str => s.style = Style::DoubleQuoted,
        Node::Scalar(_) => {}
        Node::Seq(seq) => seq.items.iter_mut().for_each(quote_strings),
        Node::Map(m) => m
            .entries
            .iter_mut()
            .for_each(|e| quote_strings(&mut e.value)),
    }
}

/// The global fields (`globals`) or the chart fields of a config.
fn strip_chart_fields(fields: &Node, globals: bool) -> Node {
    let mut out = Map::new();
    if let Some(m) = fields.as_map() {
        for e in &m.entries {
            let is_global = e.key.value == "chartHome" || e.key.value == "configHome";
            if is_global == globals {
                out.entries.push(e.clone());
            }
        }
    }
    Node::Map(out)
}
