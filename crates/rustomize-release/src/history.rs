//! The versions an environment had before its latest promotion, read from
//! the Git history of its kustomization file.
//!
//! Only the pins count: the ref of the app's remote entries and the tag or
//! digest of its images' entries. Walking back from the working tree, the
//! first revision whose pins differ holds the versions before the latest
//! promotion; commits that changed something else in the file (a label, a
//! patch) are passed over, and a rollback restores only the pins, so those
//! changes stay.

use crate::app::{App, Env, is_git_remote, repo_of};
use crate::error::Error;
use crate::git::{Commit, Repo};
use crate::promote::{ImageTarget, Target};
use rustomize_edit::ops::pin::{ImagePin, ImageVersion, PinEdit, PinError, entry_ref};
use std::collections::BTreeMap;

/// An environment's pins in one version of its kustomization file.
#[derive(Clone, Debug)]
pub struct Pins {
    /// The ref of the app's remote entries (`None` without any; empty:
    /// no ref).
    pub git_ref: Option<String>,
    /// Each app image's `images:` entry (`None`: no entry).
    pub images: BTreeMap<String, Option<ImagePin>>,
}

impl Pins {
    /// Reads the pins of `app` in a kustomization's `text`.
    pub fn of(text: &str, app: &App) -> Result<Pins, PinError> {
        let pins = PinEdit::parse(text)?;
        let git_ref = app.repo.as_ref().and_then(|repo| {
            pins.list_items()
                .into_iter()
                .find(|i| {
                    is_git_remote(&i.value) && repo_of(&i.value).as_deref() == Some(repo.as_str())
                })
                .map(|i| entry_ref(&i.value).map_or("", |(_, v)| v).to_string())
        });
        let entries = pins.images();
        let images = app
            .images
            .iter()
            .map(|n| (n.clone(), entries.iter().find(|e| &e.name == n).cloned()))
            .collect();
        Ok(Pins { git_ref, images })
    }

    /// What the pins mean: the ref and each image's version.
    fn key(&self) -> (Option<&str>, Vec<(&str, Option<ImageVersion>)>) {
        (
            self.git_ref.as_deref(),
            self.images
                .iter()
                .map(|(n, e)| (n.as_str(), e.as_ref().and_then(ImagePin::version)))
                .collect(),
        )
    }

    /// Whether two sets of pins name the same versions.
    pub fn same(&self, other: &Pins) -> bool {
        self.key() == other.key()
    }

    /// The version these pins name, for messages: the ref, else the first
    /// image's tag or digest.
    pub fn label(&self) -> String {
        if let Some(r) = self.git_ref.as_ref().filter(|r| !r.is_empty()) {
            return r.clone();
        }
        self.images
            .values()
            .flatten()
            .find_map(ImagePin::version)
            .map_or_else(|| "no pinned version".to_string(), |v| v.to_string())
    }

    /// The rollback target that restores these pins.
    pub fn target(&self) -> Target {
        Target {
            git_ref: self.git_ref.clone(),
            images: self
                .images
                .iter()
                .map(|(n, e)| (n.clone(), ImageTarget::Restore(e.clone())))
                .collect(),
        }
    }
}

/// Where a rollback goes.
#[derive(Clone, Debug)]
pub struct Previous {
    /// The pins to restore.
    pub pins: Pins,
    /// The revision they are from.
    pub at: Commit,
    /// The commit that moved away from them (the latest promotion), or
    /// `None` when the move is not committed yet.
    pub promotion: Option<Commit>,
}

/// The pins `env` had before its latest promotion (see the module docs).
pub fn previous(repo: &Repo, env: &Env, app: &App) -> Result<Previous, Error> {
    let pin_err = |path: &std::path::Path| {
        let path = path.to_path_buf();
        move |source| Error::Pin { path, source }
    };
    let current = Pins::of(&env.text, app).map_err(pin_err(&env.file))?;
    let rel = repo.relative(&env.file)?;
    let log = repo.log(&rel)?;
    let mut newer: Option<Commit> = None;
    for commit in log {
        let Some(text) = repo.show(&commit.id, &rel)? else {
            break;
        };
        // A revision that is not a valid kustomization has no pins to go
        // back to; an older one may.
        let Ok(pins) = Pins::of(&text, app) else {
            newer = Some(commit);
            continue;
        };
        if !pins.same(&current) {
            return Ok(Previous {
                pins,
                at: commit,
                promotion: newer,
            });
        }
        newer = Some(commit);
    }
    Err(Error::NoHistory {
        path: env.file.clone(),
        why: format!(
            "the Git history of this file has no earlier version of the app's pins (now {}); roll back with --to VERSION",
            current.label()
        ),
    })
}
