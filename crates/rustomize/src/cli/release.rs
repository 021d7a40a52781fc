//! Arguments of the release commands: `promote`, `rollback`, `init`.

use super::{LoadRestrictorArg, PluginArgs, RemoteArgs};
use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// `rustomize promote` arguments.
#[derive(Debug, Args)]
pub struct PromoteArgs {
    /// ENV_DIR (with --to), or FROM_ENV_DIR TO_ENV_DIR: TO gets FROM's
    /// versions.
    #[arg(value_name = "ENV_DIR", num_args = 1..=2, required = true)]
    pub dirs: Vec<PathBuf>,
    /// The version: a tag of the app's repository (v0.2.0), an image build
    /// of a branch (sha-3f2a1bc) or a digest (sha256:...).
    #[arg(long, value_name = "VERSION")]
    pub to: Option<String>,
    /// Only these images of the app (repeatable; default: found from the
    /// tree).
    #[arg(long = "image", value_name = "NAME")]
    pub images: Vec<String>,
    /// What promote and rollback share.
    #[command(flatten)]
    pub change: ChangeArgs,
}

/// `rustomize rollback` arguments.
#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// The environment's kustomization directory.
    #[arg(value_name = "ENV_DIR")]
    pub dir: PathBuf,
    /// Go to this version instead of the one before the latest promotion
    /// (read from the Git history of the kustomization file).
    #[arg(long, value_name = "VERSION")]
    pub to: Option<String>,
    /// Only these images of the app (repeatable; default: found from the
    /// tree).
    #[arg(long = "image", value_name = "NAME")]
    pub images: Vec<String>,
    /// What promote and rollback share.
    #[command(flatten)]
    pub change: ChangeArgs,
}

/// Options of `promote` and `rollback`.
#[derive(Debug, Args)]
pub struct ChangeArgs {
    /// Print the diff, write nothing.
    #[arg(long, conflicts_with = "commit")]
    pub dry_run: bool,
    /// Commit the kustomization file (alone) with a message saying what
    /// moved; refused when the file has uncommitted changes. Never pushes.
    #[arg(long)]
    pub commit: bool,
    /// Format of the printed diff.
    #[arg(long, value_enum, default_value_t = ChangeFormat::Text)]
    pub format: ChangeFormat,
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

/// `--format` of `promote` and `rollback`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChangeFormat {
    /// The text of `rustomize diff`.
    Text,
    /// The markdown of `rustomize diff --format markdown`.
    Markdown,
}

/// `rustomize init` arguments.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The app's name (lowercase letters, digits and '-'): object names,
    /// labels, namespaces NAME-dev, NAME-staging and NAME-prod.
    #[arg(
        value_name = "NAME",
        required_unless_present = "infra",
        conflicts_with = "infra"
    )]
    pub name: Option<String>,
    /// The app's image, without a tag or with the tag production starts at
    /// (ghcr.io/org/app or ghcr.io/org/app:v0.1.0; default tag v0.1.0).
    #[arg(long, value_name = "IMAGE", required_unless_present = "infra")]
    pub image: Option<String>,
    /// The port the app listens on.
    #[arg(long, value_name = "N", default_value_t = 8080)]
    pub port: u16,
    /// The path of the readiness and liveness probes.
    #[arg(long, value_name = "PATH", default_value = "/healthz")]
    pub health_path: String,
    /// The app's state: `single-writer:PATH` (a file only one process may
    /// write, such as SQLite or DuckDB, on a ReadWriteOnce volume mounted at
    /// its directory: one replica, Recreate) or `none`.
    #[arg(long, value_name = "single-writer:PATH|none", default_value = "none")]
    pub state: String,
    /// Size of the volume for the state.
    #[arg(long, value_name = "SIZE", default_value = "1Gi")]
    pub storage: String,
    /// Replicas (1 for a single-writer state; default 1, or 2 without state).
    #[arg(long, value_name = "N")]
    pub replicas: Option<u32>,
    /// The host production serves (an Ingress in overlays/production); for
    /// --infra, the host this environment serves.
    #[arg(long, value_name = "HOST")]
    pub host: Option<String>,
    /// Where to write [default: deploy/k8s; with --infra, ENV].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Also write a GitHub Actions workflow (.github/workflows/rustomize.yaml
    /// at the top of the repository): build and check every overlay on
    /// push, post the diff on pull requests.
    #[arg(long)]
    pub github_actions: bool,
    /// Also write an Argo CD Application per environment (argocd/ beside
    /// base/ and overlays/).
    #[arg(long)]
    pub argocd: bool,
    /// The repository URL the Argo CD Applications read [default: the
    /// `origin` remote's URL].
    #[arg(long, value_name = "URL", requires = "argocd")]
    pub repo_url: Option<String>,
    /// Write even into a folder that is not empty, replacing the files init
    /// writes.
    #[arg(long)]
    pub force: bool,
    /// Write an infra repository's folder for environment ENV instead of an
    /// app (needs --remote and --app).
    #[arg(long, value_name = "ENV", requires_all = ["remote", "app"])]
    pub infra: Option<String>,
    /// The app's overlay for --infra: URL//PATH?ref=REF.
    #[arg(long, value_name = "URL//PATH?ref=REF", requires = "infra")]
    pub remote: Option<String>,
    /// The app's name, for --infra.
    #[arg(long, value_name = "NAME", requires = "infra")]
    pub app: Option<String>,
    /// For --infra: a hostPath PersistentVolume the app's claim is bound to
    /// (hostPath:PATH), for clusters without a volume provisioner.
    #[arg(long, value_name = "hostPath:PATH", requires = "infra")]
    pub volume: Option<String>,
    /// The size of the --volume [default: what the claim requests].
    #[arg(long, value_name = "SIZE", requires = "volume")]
    pub size: Option<String>,
    /// Remote bases and the cache (for --infra).
    #[command(flatten)]
    pub remote_opts: RemoteArgs,
}
