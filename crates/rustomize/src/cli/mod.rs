//! Command-line types.

pub mod edit;
pub mod release;

use crate::kustomize_argv::go_bool;
use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// A fast, Kustomize-compatible Kubernetes configuration engine.
///
/// `rustomize build DIR` prints exactly what `kustomize build DIR` (v5.5)
/// and `kubectl kustomize DIR` print, byte for byte.
#[derive(Debug, Parser)]
#[command(name = "rustomize", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Print a stack trace on error (accepted for kustomize compatibility;
    /// errors always carry their full context)
    #[arg(long, global = true, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_name = "BOOL", hide_default_value = true,
          default_value = "false", value_parser = go_bool, action = ArgAction::Set)]
    pub stack_trace: bool,
}

/// A subcommand's arguments, defined only when that subcommand runs
/// (clap's [`clap::Command::defer`]): building every subcommand's flags up
/// front was a sixth of the instructions of a small `rustomize build`.
/// What reads the whole tree (usage tips, completion scripts, man pages)
/// asks for it whole first ([`define_every_subcommand`]).
#[derive(Debug)]
pub struct Lazy<T>(pub T);

/// Whether command trees made from now on define every subcommand's
/// arguments up front.
static EAGER: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Makes the command trees built after this call whole: every
/// subcommand's arguments defined when the tree is made, as completion
/// scripts, man pages and usage tips need them.
pub fn define_every_subcommand() {
    EAGER.store(true, std::sync::atomic::Ordering::Relaxed);
}

impl<T> std::ops::Deref for Lazy<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: clap::Args> clap::Args for Lazy<T> {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        if EAGER.load(std::sync::atomic::Ordering::Relaxed) {
            return keeping_texts(cmd, T::augment_args);
        }
        cmd.defer(|cmd| keeping_texts(cmd, T::augment_args))
    }
    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        if EAGER.load(std::sync::atomic::Ordering::Relaxed) {
            return keeping_texts(cmd, T::augment_args_for_update);
        }
        cmd.defer(|cmd| keeping_texts(cmd, T::augment_args_for_update))
    }
}

/// `augment(cmd)`, keeping the texts `cmd` already has: the subcommand's
/// own (its variant's doc comment and attributes), which clap's derive
/// applies after the arguments' and which the arguments' struct, run
/// later, would otherwise replace with its doc comment.
fn keeping_texts(cmd: clap::Command, augment: fn(clap::Command) -> clap::Command) -> clap::Command {
    let about = cmd.get_about().cloned();
    let long_about = cmd.get_long_about().cloned();
    let after_help = cmd.get_after_help().cloned();
    let after_long_help = cmd.get_after_long_help().cloned();
    let mut cmd = augment(cmd);
    if let Some(text) = about {
        cmd = cmd.about(text);
    }
    if let Some(text) = long_about {
        cmd = cmd.long_about(text);
    }
    if let Some(text) = after_help {
        cmd = cmd.after_help(text);
    }
    if let Some(text) = after_long_help {
        cmd = cmd.after_long_help(text);
    }
    cmd
}

impl<T: clap::FromArgMatches> clap::FromArgMatches for Lazy<T> {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches(matches).map(Lazy)
    }
    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches(matches)
    }
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build a kustomization directory and print the resources as YAML.
    #[command(
        long_about = "Build a set of Kubernetes resources from a directory holding a \
'kustomization.yaml' (or 'kustomization.yml', 'Kustomization') and print them as a YAML \
stream, exactly as `kustomize build` would.\n\nIf DIR is omitted, '.' is assumed.",
        after_help = "Examples:\n  rustomize build\n  rustomize build deploy/k8s/overlays/production\n  \
rustomize build overlays/staging -o rendered.yaml\n  rustomize build overlays/staging | kubectl apply -f -\n  \
rustomize build --flux clusters/staging/apps.yaml --var CLUSTER=staging"
    )]
    Build(Lazy<BuildArgs>),
    /// List the remote bases a tree uses, with the commit each resolved to.
    #[command(
        long_about = "Build a kustomization directory and list every remote base and remote file it \
uses (`github.com/org/app//deploy?ref=v0.1.0`, ...), with the kind of ref, the commit it resolved \
to and whether it came from the network or the cache: the list a reviewer wants when promoting."
    )]
    Remotes(Lazy<RemotesArgs>),
    /// Check built trees or rendered YAML: schemas and deployment-safety rules.
    #[command(
        long_about = "Build each kustomization directory (or read rendered YAML with -f) and check \
every object against the Kubernetes schema of the chosen version and the deployment-safety rules \
(see docs/check.md). Each finding names the object, the field and the file in the tree it came \
from.\n\nExit status: 0 no findings at the --fail-on severity (error by default) or above, 1 such \
findings, 2 usage or build errors.",
        after_help = "Examples:\n  rustomize check overlays/staging overlays/production\n  \
rustomize check --env production overlays/production\n  rustomize build . | rustomize check -f -\n  \
rustomize check --format sarif overlays/* > check.sarif\n  \
rustomize check --format github --fail-on warning overlays/*"
    )]
    Check(Lazy<CheckArgs>),
    /// Show where each line of a built object came from (blame for the output).
    #[command(
        long_about = "Build a kustomization directory and print an object as `rustomize build` \
prints it, each line beside the place that set its value last: the file and line it was read \
from, or the kustomization entry (images:, replicas:, namespace:, labels:, a prefix, a patch, a \
replacement, a generator) that set it, `repo@ref:path:line` for a remote base. Without KIND/NAME, \
every object; with FIELD.PATH, that field's lines (see docs/explain.md).",
        after_help = "Examples:\n  rustomize explain overlays/production Deployment/dojo\n  \
rustomize explain overlays/production Deployment/dojo spec.template.spec.containers[api].image\n  \
rustomize explain overlays/production app-production/Service/dojo --format json"
    )]
    Explain(Lazy<ExplainArgs>),
    /// Show what a change does to the rendered objects (two trees, or two Git revisions)
    #[command(
        long_about = "Compare the objects two builds render, as a review shows them: a summary \
(objects added, removed, changed, per kind), then per object a unified diff of its YAML or, with \
--paths, the changed field paths. Objects are matched by group, kind, namespace and name (a \
ConfigMap or Secret whose hash suffix changed is the same object, renamed); lists by their merge \
keys, so reordering is no change. Secret values are never printed (--show-secrets to print them).\n\n\
With two SIDEs: LEFT and RIGHT, each a kustomization directory, a remote target or rendered YAML \
(a file, -f FILE, or - for stdin).\n\n\
With --base, --head or --default-base (or a single SIDE): each SIDE is a directory of a Git \
repository, compared with the same directory at revision --base (default: the merge base of HEAD \
and the remote's default branch, else main), read straight from Git's objects, against the working \
tree or revision --head. A directory missing on one side makes that side empty.\n\n\
Exit status: 0 no differences, 1 differences, 2 an error (nothing is printed on stdout then).",
        after_help = "Examples:\n  rustomize diff overlays/staging overlays/production\n  \
rustomize diff deploy/k8s/overlays/production                # against the default base\n  \
rustomize diff --base main overlays/staging overlays/production\n  \
rustomize diff --base v0.1.0 --head v0.2.0 --paths overlays/production\n  \
rustomize diff --format markdown --base origin/main overlays/* > comment.md\n  \
rustomize build . | rustomize diff -f deployed.yaml -"
    )]
    Diff(Lazy<DiffArgs>),
    /// Move an environment's pinned versions (remote ?ref= and image tags) to a release
    #[command(
        long_about = "Set every remote base of the app (the ?ref= of each entry naming its \
repository) and every images: entry of its images in ENV_DIR's kustomization to VERSION (a tag of \
the app's repository; sha256:... sets the digest), keeping the file's comments and layout; where an \
image has no images: entry, one is added. With FROM_ENV_DIR TO_ENV_DIR, TO gets FROM's versions. \
The app's repository and images are found from the tree (the remote bases and the images their \
output runs); --image names the images. The change is built before anything is written, and the \
diff of the rendered objects is printed.\n\nExit status: 0 done (or nothing to do), 1 an error \
(nothing written: a version that is not a tag of the repository, a result that does not build, \
uncommitted changes with --commit).",
        after_help = "Examples:\n  rustomize promote hosts/lab/apps/dojo/production --to v0.2.0\n  \
rustomize promote deploy/k8s/overlays/staging --to sha-3f2a1bc\n  \
rustomize promote --dry-run --format markdown apps/dojo/staging apps/dojo/production\n  \
rustomize promote --commit apps/dojo/production --to v0.2.0"
    )]
    Promote(Lazy<release::PromoteArgs>),
    /// Return an environment to the versions it had before its latest promotion
    #[command(
        long_about = "Without --to, find in the Git history of ENV_DIR's kustomization file the \
versions (remote ?ref= and image tags) it had before its latest promotion, and set them back, \
changing only those fields (an unrelated edit made since stays). With --to, go to that version as \
promote --to does. Prints the diff of the rendered objects and a note when the rollback crosses a \
change to a PersistentVolumeClaim, a StatefulSet's volumeClaimTemplates or a Job or CronJob the \
release added: data and migrations do not roll back.",
        after_help = "Examples:\n  rustomize rollback hosts/lab/apps/dojo/production\n  \
rustomize rollback --to v0.1.0 --commit hosts/lab/apps/dojo/production"
    )]
    Rollback(Lazy<release::RollbackArgs>),
    /// Write a new app's base and overlays, or an infra repository's environment folder
    #[command(
        long_about = "Write base/ (Deployment, Service, a PersistentVolumeClaim when the state is \
single-writer, a ConfigMap of the app's settings), overlays/dev, staging and production and \
.rustomize-check.yaml, with safe defaults (probes, requests and limits, UID 1000, read-only root, \
one replica and Recreate for a single-writer state), every file commented; optionally a GitHub \
Actions workflow and Argo CD Applications. With --infra ENV, write an infra repository's folder \
for one environment instead: namespace.yaml, volumes.yaml, ingress.yaml and a kustomization that \
pulls the app's overlay at a ref (and binds its claim to the volume), added to the parent folder's \
kustomization when there is one. Never overwrites a file without --force.",
        after_help = "Examples:\n  rustomize init dojo --image ghcr.io/example/dojo --port 8000 --state single-writer:/data/dojo.duckdb\n  \
rustomize init web --image ghcr.io/example/web --replicas 2 --host web.example.com --github-actions\n  \
rustomize init --infra production --app dojo \\\n    --remote 'github.com/example/dojo//deploy/k8s/overlays/production?ref=v0.1.0' \\\n    --volume hostPath:/srv/dojo --host dojo.lab.example.com"
    )]
    Init(Lazy<release::InitArgs>),
    /// Print the kustomize version (and rustomize's).
    Version(Lazy<VersionArgs>),
    /// Edit a kustomization file, keeping its comments and layout.
    Edit(Lazy<edit::EditArgs>),
    // Run as `kustomize`, `init` is this command's alias, as in kustomize
    // (`crate::kustomize_argv::args`); run as `rustomize`, `init` is the
    // scaffolder above.
    /// Create a new kustomization in the current directory.
    Create(Lazy<CreateArgs>),
    /// Generate a shell completion script.
    Completion(Lazy<CompletionArgs>),
    /// The Argo CD config management plugin's commands (contrib/argocd).
    #[command(
        long_about = "The commands of the Argo CD config management plugin (contrib/argocd/plugin.yaml): \
argocd-cmp-server runs them in the application's directory. `generate` builds it as `rustomize build .` \
with flags taken from the Application: the parameters enable-helm, load-restrictor and build-options \
(ARGOCD_APP_PARAMETERS), else ARGOCD_ENV_ENABLE_HELM, ARGOCD_ENV_LOAD_RESTRICTOR and \
ARGOCD_ENV_BUILD_OPTIONS; KUBE_VERSION and KUBE_API_VERSIONS become --helm-kube-version and \
--helm-api-versions. See docs/argocd.md."
    )]
    Argocd(Lazy<ArgocdArgs>),
    /// Print the man page, or write all of them to a directory.
    #[command(
        hide = true,
        long_about = "Print the rustomize(1) man page on stdout, or with --install-dir write it and \
one page per subcommand (rustomize-build.1, ...) into a directory, e.g. \
`rustomize man --install-dir ~/.local/share/man/man1`, after which `man rustomize` works."
    )]
    Man(Lazy<ManArgs>),
}

/// `rustomize man` arguments.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write every page into this directory (created if needed) instead of
    /// printing the top one.
    #[arg(long, value_name = "DIR")]
    pub install_dir: Option<PathBuf>,
}

/// `rustomize argocd` arguments.
#[derive(Debug, Args)]
pub struct ArgocdArgs {
    /// Which plugin command.
    #[command(subcommand)]
    pub command: ArgocdCommand,
}

/// The plugin's commands.
#[derive(Debug, Clone, Copy, Subcommand)]
pub enum ArgocdCommand {
    /// Print the name of the kustomization file in the current directory,
    /// if it has one (the plugin's discovery command).
    Discover,
    /// Build the current directory with the Application's settings and
    /// print the YAML (the plugin's generate command).
    Generate,
}

/// `rustomize build` arguments, named as `kustomize build` names them.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The directory holding the kustomization file, or a remote target
    /// (`github.com/org/app//deploy/overlays/prod?ref=v1.0.0`).
    #[arg(default_value = ".", conflicts_with_all = ["flux", "flux_root", "flux_name", "substitute_from", "vars", "strict_substitute"])]
    pub dir: PathBuf,
    /// Render what Flux's kustomize-controller would apply for the Flux
    /// `Kustomization` object (kustomize.toolkit.fluxcd.io/v1) in this file
    /// instead of building a directory (see docs/flux.md).
    #[arg(long, value_name = "KUSTOMIZATION_FILE")]
    pub flux: Option<PathBuf>,
    /// Flux options.
    #[command(flatten)]
    pub flux_opts: FluxArgs,
    /// Write the output to this file, or one file per resource when it is an
    /// existing directory, instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Which files kustomizations may read: only files under their own
    /// directory (the default), or any file.
    #[arg(long = "load-restrictor", value_enum, default_value_t = LoadRestrictorArg::LoadRestrictionsRootOnly)]
    pub load_restrictor: LoadRestrictorArg,
    /// Output order when the kustomization sets no `sortOptions`: legacy
    /// or none (deprecated in kustomize; use `sortOptions`).
    #[arg(long = "reorder", hide = true, value_name = "ORDER")]
    pub reorder: Option<String>,
    /// Remote bases and the cache.
    #[command(flatten)]
    pub remote: RemoteArgs,
    /// Helm charts and KRM functions.
    #[command(flatten)]
    pub plugins: PluginArgs,
    /// Add `app.kubernetes.io/managed-by` to every resource (deprecated in
    /// kustomize; use `buildMetadata: [managedByLabel]`).
    #[arg(long = "enable-managedby-label", hide = true, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_name = "BOOL", hide_default_value = true, default_value = "false", value_parser = go_bool, action = ArgAction::Set)]
    pub enable_managedby_label: bool,
    /// Record field provenance while building (what `explain` and `check`
    /// do); the output is the same. For benchmarks and tests.
    #[arg(long, hide = true)]
    pub provenance: bool,
}

/// Options of `--flux`.
#[derive(Debug, Args, Clone)]
pub struct FluxArgs {
    /// The root of the Kustomization's source, which `spec.path` is
    /// relative to [default: the git top-level of the file's directory].
    #[arg(long, value_name = "DIR", requires = "flux")]
    pub flux_root: Option<PathBuf>,
    /// Which Kustomization, when the file holds several.
    #[arg(long, value_name = "NAME", requires = "flux")]
    pub flux_name: Option<String>,
    /// A ConfigMap or Secret manifest standing in for the cluster's
    /// `postBuild.substituteFrom` objects (repeatable; objects it lacks are
    /// looked for in the source's YAML files).
    #[arg(long, value_name = "FILE", requires = "flux")]
    pub substitute_from: Vec<PathBuf>,
    /// A variable, added to the Kustomization's `postBuild.substitute`
    /// (repeatable; overrides the same name there and in substituteFrom).
    #[arg(long = "var", value_name = "NAME=VALUE", requires = "flux")]
    pub vars: Vec<String>,
    /// Fail on a variable without a default that has no value, as
    /// kustomize-controller does by default (feature gate
    /// StrictPostBuildSubstitutions); `false` expands it to nothing.
    #[arg(long, value_name = "BOOL", default_value_t = true, action = ArgAction::Set, requires = "flux")]
    pub strict_substitute: bool,
}

/// How remote bases are fetched.
#[derive(Debug, Args, Clone)]
pub struct RemoteArgs {
    /// Build remote bases only from the cache; fail if one is missing
    /// instead of touching the network.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_name = "BOOL", hide_default_value = true, default_value = "false", value_parser = go_bool, action = ArgAction::Set)]
    pub offline: bool,
    /// Re-resolve tags too (branches are always re-resolved unless
    /// offline).
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_name = "BOOL", hide_default_value = true, default_value = "false", value_parser = go_bool, action = ArgAction::Set)]
    pub refresh: bool,
    /// Cache directory for remote bases [default: $RUSTOMIZE_CACHE_DIR,
    /// else $XDG_CACHE_HOME/rustomize, else ~/.cache/rustomize].
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
}

/// Helm and KRM function flags, named as `kustomize build` names them.
#[derive(Debug, Args, Clone, Default)]
pub struct PluginArgs {
    /// Allow KRM functions (non-builtin configs in `transformers:`,
    /// `generators:`, `validators:`); also enables helm.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_name = "BOOL", hide_default_value = true, default_value = "false", value_parser = go_bool, action = ArgAction::Set)]
    pub enable_alpha_plugins: bool,
    /// Allow KRM functions that run a local executable
    /// (`config.kubernetes.io/function: {exec: {path: ...}}`).
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_name = "BOOL", hide_default_value = true, default_value = "false", value_parser = go_bool, action = ArgAction::Set)]
    pub enable_exec: bool,
    /// Inflate `helmCharts` by running the helm program.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_name = "BOOL", hide_default_value = true, default_value = "false", value_parser = go_bool, action = ArgAction::Set)]
    pub enable_helm: bool,
    /// The helm program.
    #[arg(long, value_name = "PROGRAM", default_value = "helm")]
    pub helm_command: String,
    /// `--api-versions` for `helm template` (repeatable).
    #[arg(long, value_name = "VERSION")]
    pub helm_api_versions: Vec<String>,
    /// `--kube-version` for `helm template`.
    #[arg(
        long,
        value_name = "VERSION",
        default_value = "",
        hide_default_value = true
    )]
    pub helm_kube_version: String,
    /// Pass `--debug` to helm.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_name = "BOOL", hide_default_value = true, default_value = "false", value_parser = go_bool, action = ArgAction::Set)]
    pub helm_debug: bool,
    /// Container function options; accepted for compatibility and unused,
    /// since rustomize never runs containers.
    #[arg(long, hide = true, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_name = "BOOL", hide_default_value = true, default_value = "false", value_parser = go_bool, action = ArgAction::Set)]
    pub network: bool,
    /// Unused (container functions).
    #[arg(long, hide = true, value_name = "NAME")]
    pub network_name: Option<String>,
    /// Unused (container functions).
    #[arg(long, hide = true, value_name = "MOUNT")]
    pub mount: Vec<String>,
    /// Unused (container functions).
    #[arg(short = 'e', long = "env", hide = true, value_name = "VAR")]
    pub env: Vec<String>,
    /// Unused (container functions).
    #[arg(long, hide = true, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_name = "BOOL", hide_default_value = true, default_value = "false", value_parser = go_bool, action = ArgAction::Set)]
    pub as_current_user: bool,
}

impl PluginArgs {
    /// The engine's options for these flags.
    pub fn options(&self) -> rustomize_engine::PluginOptions {
        rustomize_engine::PluginOptions {
            enable_alpha_plugins: self.enable_alpha_plugins,
            enable_exec: self.enable_exec,
            enable_helm: self.enable_helm,
            helm_command: self.helm_command.clone(),
            helm_api_versions: self.helm_api_versions.clone(),
            helm_kube_version: self.helm_kube_version.clone(),
            helm_debug: self.helm_debug,
            ..rustomize_engine::PluginOptions::default()
        }
    }
}

/// `rustomize remotes` arguments.
#[derive(Debug, Args)]
pub struct RemotesArgs {
    /// The directory holding the kustomization file.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Which files kustomizations may read.
    #[arg(long = "load-restrictor", value_enum, default_value_t = LoadRestrictorArg::LoadRestrictionsRootOnly)]
    pub load_restrictor: LoadRestrictorArg,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Remote bases and the cache.
    #[command(flatten)]
    pub remote: RemoteArgs,
}

/// `rustomize explain` arguments.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The directory holding the kustomization file (or a remote target).
    pub dir: PathBuf,
    /// The object: `Kind/name` or `namespace/Kind/name` [default: every object].
    #[arg(value_name = "KIND/NAME")]
    pub object: Option<String>,
    /// A field of the object (`spec.template.spec.containers[api].image`,
    /// `spec.ports[0]`); only its lines are shown.
    #[arg(value_name = "FIELD.PATH", requires = "object")]
    pub field: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
    pub format: ExplainFormat,
    /// Which files kustomizations may read.
    #[arg(long = "load-restrictor", value_enum, default_value_t = LoadRestrictorArg::LoadRestrictionsRootOnly)]
    pub load_restrictor: LoadRestrictorArg,
    /// Remote bases and the cache.
    #[command(flatten)]
    pub remote: RemoteArgs,
    /// Helm charts and KRM functions.
    #[command(flatten)]
    pub plugins: PluginArgs,
}

/// `rustomize explain --format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExplainFormat {
    /// Each line of the object beside where it came from.
    Text,
    /// A JSON document.
    Json,
}

/// `--load-restrictor` values.
#[derive(Debug, Clone, Copy, ValueEnum)]
#[value(rename_all = "verbatim")]
pub enum LoadRestrictorArg {
    /// Only files under the kustomization's directory.
    LoadRestrictionsRootOnly,
    /// Any file.
    LoadRestrictionsNone,
}

/// `--reorder` values.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ReorderArg {
    /// kustomize's kind order.
    Legacy,
    /// Input order.
    None,
}

/// `rustomize check` arguments.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Kustomization directories to build and check ('.' when neither a
    /// directory nor -f is given).
    #[arg(value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Check rendered YAML read from this file ('-' for stdin) instead of
    /// building; may be repeated.
    #[arg(short = 'f', long = "filename", value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Kubernetes version whose schemas to check against (1.29 to 1.37;
    /// default: the configuration's, else the newest).
    #[arg(long = "kubernetes-version", value_name = "VERSION")]
    pub kubernetes_version: Option<String>,
    /// Environment the objects are deployed to (`production` turns on
    /// mutable-image-tag and makes a missing readiness probe an error);
    /// overrides the configuration's environments. Without it or configured
    /// environments, a path segment `prod`/`production` or a namespace
    /// ending in `-prod`/`-production` means production.
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
    /// Configuration file (default: .rustomize-check.yaml in the checked
    /// directory or a parent).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
    /// The lowest severity that fails the check (exit status 1).
    #[arg(long, value_enum, value_name = "SEVERITY", default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// Which files kustomizations may read, as for `build`.
    #[arg(long = "load-restrictor", value_enum, default_value_t = LoadRestrictorArg::LoadRestrictionsRootOnly)]
    pub load_restrictor: LoadRestrictorArg,
    /// Remote bases and the cache.
    #[command(flatten)]
    pub remote: RemoteArgs,
    /// Render the Flux Kustomization in this file as `build --flux` does
    /// and check that (repeatable).
    #[arg(long, value_name = "KUSTOMIZATION_FILE")]
    pub flux: Vec<PathBuf>,
    /// Flux options.
    #[command(flatten)]
    pub flux_opts: FluxArgs,
    /// Print the rules (id, default severity, summary) and exit.
    #[arg(long)]
    pub list_rules: bool,
}

/// `rustomize check --format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// One line per finding and a summary per target.
    Text,
    /// A JSON document.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub workflow annotations (`::error file=...,line=...::...`).
    Github,
}

/// `rustomize check --fail-on` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Error-level findings fail the check.
    Error,
    /// Warnings fail it too.
    Warning,
}

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

/// `create` arguments, named as kustomize names them.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Name of a file containing a file to add to the kustomization file.
    #[arg(
        long,
        default_value = "",
        hide_default_value = true,
        allow_hyphen_values = true
    )]
    pub resources: String,
    /// Set the value of the namespace field in the kustomization file.
    #[arg(
        long,
        default_value = "",
        hide_default_value = true,
        allow_hyphen_values = true
    )]
    pub namespace: String,
    /// Add one or more common annotations.
    #[arg(
        long,
        default_value = "",
        hide_default_value = true,
        allow_hyphen_values = true
    )]
    pub annotations: String,
    /// Add one or more common labels.
    #[arg(
        long,
        default_value = "",
        hide_default_value = true,
        allow_hyphen_values = true
    )]
    pub labels: String,
    /// Sets the value of the namePrefix field in the kustomization file.
    #[arg(
        long,
        default_value = "",
        hide_default_value = true,
        allow_hyphen_values = true
    )]
    pub nameprefix: String,
    /// Sets the value of the nameSuffix field in the kustomization file.
    #[arg(
        long,
        default_value = "",
        hide_default_value = true,
        allow_hyphen_values = true
    )]
    pub namesuffix: String,
    /// Search for kubernetes resources in the current directory to be added to the kustomization file.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_name = "BOOL", hide_default_value = true,
          default_value = "false", value_parser = go_bool, action = ArgAction::Set)]
    pub autodetect: bool,
    /// Enable recursive directory searching for resource auto-detection.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_name = "BOOL", hide_default_value = true,
          default_value = "false", value_parser = go_bool, action = ArgAction::Set)]
    pub recursive: bool,
}

/// `completion` arguments.
#[derive(Debug, Args)]
pub struct CompletionArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: CompletionShell,
}

/// The shells kustomize generates completion for.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CompletionShell {
    /// Bash.
    Bash,
    /// Zsh.
    Zsh,
    /// Fish.
    Fish,
    /// PowerShell.
    Powershell,
}

/// `rustomize diff` arguments.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// LEFT and RIGHT (directories, remote targets, rendered YAML files or
    /// '-'); with --base, --head or --default-base, the directories to
    /// compare at two revisions.
    #[arg(value_name = "SIDE")]
    pub sides: Vec<String>,
    /// A side of rendered YAML ('-' for stdin); it takes its place among
    /// the SIDEs in command-line order.
    #[arg(short = 'f', long = "filename", value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Compare each directory with itself at this Git revision (a branch,
    /// tag or commit).
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// Compare with this revision instead of the working tree.
    #[arg(long, value_name = "REV")]
    pub head: Option<String>,
    /// Compare each directory with the default base (the merge base of
    /// HEAD and the remote's default branch, else main): what a single
    /// SIDE does, for several.
    #[arg(long, conflicts_with = "base")]
    pub default_base: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Colours in the text format: on a terminal only (and not when
    /// NO_COLOR is set), always or never.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
    /// Show the changed field paths of each object instead of a line diff.
    #[arg(long)]
    pub paths: bool,
    /// Print only the summary.
    #[arg(long)]
    pub summary: bool,
    /// Lines of context around each change.
    #[arg(short = 'U', long, value_name = "N", default_value_t = 3)]
    pub context: usize,
    /// Leave labels out of the comparison (every metadata.labels,
    /// templates' too; selectors are kept).
    #[arg(long)]
    pub ignore_labels: bool,
    /// Leave these annotations out (repeatable or comma-separated; `prefix*`
    /// matches a prefix, `*` every annotation).
    #[arg(long, value_name = "KEY", value_delimiter = ',')]
    pub ignore_annotations: Vec<String>,
    /// Compare only objects of this kind (repeatable or comma-separated).
    #[arg(long, value_name = "KIND", value_delimiter = ',')]
    pub kind: Vec<String>,
    /// Print Secret values instead of redacting them.
    #[arg(long)]
    pub show_secrets: bool,
    /// Size limit of the markdown format, in characters (GitHub's comment
    /// limit by default).
    #[arg(long, value_name = "N", default_value_t = 65_536)]
    pub max_chars: usize,
    /// Which files kustomizations may read, as for `build`.
    #[arg(long = "load-restrictor", value_enum, default_value_t = LoadRestrictorArg::LoadRestrictionsRootOnly)]
    pub load_restrictor: LoadRestrictorArg,
    /// Remote bases and the cache.
    #[command(flatten)]
    pub remote: RemoteArgs,
    /// Helm charts and KRM functions.
    #[command(flatten)]
    pub plugins: PluginArgs,
}

/// `rustomize diff --format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// A summary, then each object's diff.
    Text,
    /// A pull request comment: summary table, one collapsible section per
    /// target, cut to fit --max-chars.
    Markdown,
    /// A JSON document.
    Json,
}

/// `--color` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}
