//! Options for the steps that run other programs: helm chart inflation and
//! KRM functions. They mirror `kustomize build`'s flags; the defaults are
//! kustomize's (everything off, `helm` as the helm command).

use std::time::Duration;

/// How long a KRM function may run before it is killed, by default.
/// kustomize waits forever; a build that hangs helps nobody.
pub const DEFAULT_FUNCTION_TIMEOUT: Duration = Duration::from_secs(120);

/// How long one `helm` run may take before it is killed, by default. It
/// covers `helm pull`, which downloads.
pub const DEFAULT_HELM_TIMEOUT: Duration = Duration::from_secs(300);

/// Options of helm and KRM function support (`kustomize build` flags).
#[derive(Clone, Debug)]
pub struct PluginOptions {
    /// `--enable-alpha-plugins`: allow non-builtin plugin configs in
    /// `generators:`, `transformers:` and `validators:` (KRM functions).
    /// As in kustomize, it also enables helm.
    pub enable_alpha_plugins: bool,
    /// `--enable-exec`: allow KRM functions that run a local executable.
    /// Without it such functions are skipped, as kustomize skips them.
    pub enable_exec: bool,
    /// `--enable-helm`: allow `helmCharts` (and HelmChartInflationGenerator
    /// configs).
    pub enable_helm: bool,
    /// `--helm-command`: the helm program (a name looked up in `PATH`, or a
    /// path). kustomize's default is `helm`.
    pub helm_command: String,
    /// `--helm-api-versions` (repeatable): `--api-versions` for charts that
    /// set none.
    pub helm_api_versions: Vec<String>,
    /// `--helm-kube-version`: `--kube-version` for charts that set none.
    pub helm_kube_version: String,
    /// `--helm-debug`: pass `--debug` to `helm template`.
    pub helm_debug: bool,
    /// Longest run of one KRM function; `None` waits forever (kustomize).
    pub function_timeout: Option<Duration>,
    /// Longest run of one helm command; `None` waits forever (kustomize).
    pub helm_timeout: Option<Duration>,
}

impl Default for PluginOptions {
    fn default() -> Self {
        PluginOptions {
            enable_alpha_plugins: false,
            enable_exec: false,
            enable_helm: false,
            helm_command: "helm".into(),
            helm_api_versions: Vec::new(),
            helm_kube_version: String::new(),
            helm_debug: false,
            function_timeout: Some(DEFAULT_FUNCTION_TIMEOUT),
            helm_timeout: Some(DEFAULT_HELM_TIMEOUT),
        }
    }
}

impl PluginOptions {
    /// Whether helm charts may be inflated: `--enable-helm`, or
    /// `--enable-alpha-plugins` (kustomize turns helm on with every plugin).
    pub fn helm_enabled(&self) -> bool {
        self.enable_helm || self.enable_alpha_plugins
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alpha_plugins_enable_helm_as_in_kustomize() {
        let mut o = PluginOptions::default();
        assert!(!o.helm_enabled());
        assert_eq!(o.helm_command, "helm");
        o.enable_alpha_plugins = true;
        assert!(o.helm_enabled());
    }
}
