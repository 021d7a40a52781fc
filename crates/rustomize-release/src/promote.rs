//! What a promotion (or rollback) moves, and the edit that moves it.
//!
//! A [`Target`] says where the pins go: the ref for every remote entry of
//! the app's repository, and a version (or, for a rollback, a whole former
//! entry) for each of the app's images. [`apply`] makes the edit on the
//! kustomization's text through `rustomize-edit`'s lossless pins and says
//! what moved from what to what ([`Change`]).

use crate::app::{App, Env, Tools, repo_of};
use crate::error::Error;
use crate::version::is_release;
use rustomize_edit::ops::pin::{ImagePin, ImageVersion, PinEdit, entry_ref, with_ref};

/// Where one image goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImageTarget {
    /// To this version; an entry is added when there is none.
    Pin(ImageVersion),
    /// Back to this entry (`None`: no entry), its `newTag` and `digest`.
    Restore(Option<ImagePin>),
}

/// Where the pins go.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Target {
    /// The ref of every remote entry of the app's repository (`None`:
    /// leave them; `Some("")`: no ref).
    pub git_ref: Option<String>,
    /// Per image name, where it goes.
    pub images: Vec<(String, ImageTarget)>,
}

/// One pin that moved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The repository URL or image name.
    pub what: String,
    /// What it was (`(none)` for no ref, no tag).
    pub from: String,
    /// What it is now.
    pub to: String,
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} -> {}", self.what, self.from, self.to)
    }
}

/// A promotion or rollback, computed: the new text and what it moves.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The kustomization's text after the change.
    pub text: String,
    /// What moved (empty: the environment is already there).
    pub changes: Vec<Change>,
    /// The version moved to, for messages (`v0.2.0`, `staging's versions`).
    pub label: String,
}

impl Plan {
    /// A commit message: `promote <env> to <label>` (or `rollback`), then
    /// `why` (`from staging`) and one line per change.
    pub fn message(&self, verb: &str, env: &str, why: Option<&str>) -> String {
        let mut m = format!("{verb} {env} to {}\n", self.label);
        if let Some(why) = why {
            m.push('\n');
            m.push_str(why);
            m.push('\n');
        }
        if !self.changes.is_empty() {
            m.push('\n');
            for c in &self.changes {
                m.push_str(&format!("- {c}\n"));
            }
        }
        m
    }
}

fn shown(v: &str) -> String {
    if v.is_empty() {
        "(none)".to_string()
    } else {
        v.to_string()
    }
}

/// The target of `promote ENV --to VERSION` (and `rollback --to`): every
/// image of the app to `version` (a digest when it is `sha256:...`), and
/// the remote entries too when `version` is a tag of the app's
/// repository. A version that is not one is accepted only as an image
/// build (`sha-3f2a1bc`, `edge`, a digest) of an environment that tracks a
/// branch, whose ref then stays; otherwise it is [`Error::NotATag`].
pub fn target_for_version(tools: Tools<'_>, app: &App, version: &str) -> Result<Target, Error> {
    if version.is_empty() || version.contains(char::is_whitespace) {
        return Err(Error::Invalid(format!(
            "'{version}' is not a version (a tag such as v1.2.3, or a digest sha256:...)"
        )));
    }
    let image_version = ImageVersion::parse(version);
    let mut git_ref = None;
    if let (Some(repo), Some(entry), ImageVersion::Tag(tag)) =
        (&app.repo, app.remote_entry(), &image_version)
    {
        let tags = tools.fetcher.remote_tags(entry)?;
        if tags.iter().any(|t| t == tag) {
            git_ref = Some(tag.clone());
        } else if !app.tracks_branch() || is_release(tag) {
            return Err(Error::NotATag {
                version: version.to_string(),
                repo: repo.clone(),
                tags,
            });
        }
    }
    Ok(Target {
        git_ref,
        images: app
            .images
            .iter()
            .map(|n| (n.clone(), ImageTarget::Pin(image_version.clone())))
            .collect(),
    })
}

/// The target of `promote FROM TO`: TO's remote entries to FROM's ref (when
/// both pull the app's repository) and each of TO's images to what it runs
/// in FROM. A branch is not promoted over a pinned release: when TO pins a
/// tag, FROM's ref must be one of the repository's tags.
pub fn target_from(
    tools: Tools<'_>,
    from_env: &Env,
    from: &App,
    to_env: &Env,
    to: &App,
) -> Result<Target, Error> {
    let mut git_ref = None;
    if let Some(repo) = &to.repo {
        if from.repo.as_deref() != Some(repo) {
            return Err(Error::Mismatch(format!(
                "{} pulls the app from {repo}, but {} {}: promote with --to VERSION instead",
                to_env.dir.display(),
                from_env.dir.display(),
                match &from.repo {
                    Some(other) => format!("pulls it from {other}"),
                    None => "has no remote base".to_string(),
                }
            )));
        }
        if !to.tracks_branch()
            && let Some(entry) = to.remote_entry()
        {
            let tags = tools.fetcher.remote_tags(entry)?;
            if !tags.contains(&from.git_ref) {
                return Err(Error::Mismatch(format!(
                    "{} tracks {}, which is not a tag of {repo}, and {} pins releases (ref {}): promote a release with --to VERSION",
                    from_env.dir.display(),
                    if from.git_ref.is_empty() {
                        "the default branch".to_string()
                    } else {
                        format!("'{}'", from.git_ref)
                    },
                    to_env.dir.display(),
                    shown(&to.git_ref),
                )));
            }
        }
        git_ref = Some(from.git_ref.clone());
    }
    let mut images = Vec::new();
    for name in &to.images {
        let Some(v) = from.running.get(name).filter(|v| !v.is_empty()) else {
            return Err(Error::Mismatch(format!(
                "{} does not run image {name} with a tag or digest, so there is nothing to promote to {}",
                from_env.dir.display(),
                to_env.dir.display()
            )));
        };
        // A moving tag (`edge`) does not go where a pinned version was.
        let pinned = |t: &str| {
            crate::version::is_release(t)
                || crate::version::is_commit_build(t)
                || crate::version::is_digest(t)
        };
        if let Some(now) = to.running.get(name)
            && pinned(now)
            && !pinned(v)
        {
            return Err(Error::Mismatch(format!(
                "{} runs image {name} at '{v}', a tag that moves, and {} pins it ({now}): promote a release with --to VERSION",
                from_env.dir.display(),
                to_env.dir.display(),
            )));
        }
        images.push((name.clone(), ImageTarget::Pin(ImageVersion::parse(v))));
    }
    Ok(Target { git_ref, images })
}

/// Makes `target`'s edit on `env`'s text for `app`.
pub fn apply(env: &Env, app: &App, target: &Target, label: &str) -> Result<Plan, Error> {
    let pin_err = |source| Error::Pin {
        path: env.file.clone(),
        source,
    };
    let mut pins = PinEdit::parse(env.text.as_str()).map_err(pin_err)?;
    let mut changes = Vec::new();
    if let (Some(want), Some(repo)) = (&target.git_ref, &app.repo) {
        let mut moved_from: Vec<String> = Vec::new();
        for item in pins.list_items() {
            if repo_of(&item.value).as_deref() != Some(repo.as_str())
                || !crate::app::is_git_remote(&item.value)
            {
                continue;
            }
            let have = entry_ref(&item.value).map_or("", |(_, v)| v).to_string();
            if have == *want {
                continue;
            }
            let new = if want.is_empty() {
                without_ref(&item.value)
            } else {
                with_ref(&item.value, want)
            };
            pins.set_list_item(item.field, item.index, &new)
                .map_err(pin_err)?;
            if !moved_from.contains(&have) {
                moved_from.push(have);
            }
        }
        for from in moved_from {
            changes.push(Change {
                what: repo.clone(),
                from: shown(&from),
                to: shown(want),
            });
        }
    }
    for (name, to) in &target.images {
        let from = app.running.get(name).cloned().unwrap_or_default();
        match to {
            ImageTarget::Pin(v) => {
                if pins.pin_image(name, v).map_err(pin_err)? {
                    changes.push(Change {
                        what: name.clone(),
                        from: shown(&from),
                        to: v.to_string(),
                    });
                }
            }
            ImageTarget::Restore(pin) => {
                if pins.restore_image(name, pin.as_ref()).map_err(pin_err)? {
                    let to = pin.as_ref().and_then(ImagePin::version).map_or_else(
                        || "(no images: entry)".to_string(),
                        |v| v.as_str().to_string(),
                    );
                    if to != from {
                        changes.push(Change {
                            what: name.clone(),
                            from: shown(&from),
                            to,
                        });
                    }
                }
            }
        }
    }
    Ok(Plan {
        text: pins.into_text(),
        changes,
        label: label.to_string(),
    })
}

/// `entry` without its `ref=`/`version=` parameters.
fn without_ref(entry: &str) -> String {
    let Some((head, query)) = entry.split_once('?') else {
        return entry.to_string();
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| !matches!(p.split_once('='), Some(("ref" | "version", _))))
        .collect();
    if kept.is_empty() {
        head.to_string()
    } else {
        format!("{head}?{}", kept.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_can_be_taken_off() {
        assert_eq!(without_ref("a//b?ref=v1"), "a//b");
        assert_eq!(without_ref("a//b?timeout=9s&ref=v1"), "a//b?timeout=9s");
        assert_eq!(without_ref("a//b"), "a//b");
    }

    #[test]
    fn messages_say_what_moved() {
        let plan = Plan {
            text: String::new(),
            changes: vec![
                Change {
                    what: "https://github.com/org/app".into(),
                    from: "v0.1.0".into(),
                    to: "v0.2.0".into(),
                },
                Change {
                    what: "ghcr.io/org/app".into(),
                    from: "v0.1.0".into(),
                    to: "v0.2.0".into(),
                },
            ],
            label: "v0.2.0".into(),
        };
        assert_eq!(
            plan.message("promote", "infra/production", None),
            "promote infra/production to v0.2.0\n\n- https://github.com/org/app: v0.1.0 -> v0.2.0\n- ghcr.io/org/app: v0.1.0 -> v0.2.0\n"
        );
    }
}
