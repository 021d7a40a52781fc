//! What `init` writes besides the manifests: a GitHub Actions workflow and
//! Argo CD Applications.

/// Where the GitHub Actions workflow points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Workflow {
    /// The folder `init` writes into, relative to the repository's top
    /// (where the workflow goes), with `/` separators.
    pub dir: String,
}

/// What the Argo CD Applications read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArgoCd {
    /// The repository URL.
    pub repo_url: String,
    /// The folder `init` writes into, relative to the repository's top.
    pub dir: String,
}

/// `.github/workflows/rustomize.yaml`: build and check every overlay on
/// push; on pull requests, the markdown diff as a comment (the action in
/// this repository's `action.yml`).
pub(super) fn workflow(name: &str, w: &Workflow) -> String {
    format!(
        "# Build and check {name}'s overlays on every push; on a pull request, post
# what the change does to the rendered objects (rustomize diff --format
# markdown against the base branch) as one comment, updated on each push.
name: rustomize

on:
  push:
  pull_request:

permissions:
  contents: read
  pull-requests: write   # the diff comment

jobs:
  overlays:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0   # diff reads the base branch from git
      - uses: rustomize/rustomize@v0.1.0
        with:
          overlays: {dir}/overlays/*
",
        dir = w.dir
    )
}

/// `argocd/ENV.yaml`: an Application syncing one overlay into its
/// namespace; production is synced by hand.
pub(super) fn application(name: &str, env: &str, suffix: &str, a: &ArgoCd) -> String {
    let sync = if env == "production" {
        "  # Production syncs when someone presses Sync (after rustomize promote\n  # has moved its pins and the diff was reviewed).\n  syncPolicy:\n    syncOptions:\n      - CreateNamespace=true\n"
    } else {
        "  # Follows the branch: every commit is applied, and drift is undone.\n  syncPolicy:\n    automated:\n      prune: true\n      selfHeal: true\n    syncOptions:\n      - CreateNamespace=true\n"
    };
    format!(
        "# Argo CD deploys {name}'s {env} overlay (kubectl apply -n argocd -f this file).
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: {name}-{env}
  namespace: argocd
spec:
  project: default
  source:
    repoURL: {url}
    targetRevision: HEAD
    path: {dir}/overlays/{env}
  destination:
    server: https://kubernetes.default.svc
    namespace: {name}-{suffix}
{sync}",
        url = a.repo_url,
        dir = a.dir
    )
}
