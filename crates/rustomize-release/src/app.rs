//! Which repository and images are the app's, found from the tree: the
//! environment's remote bases, and the images their output runs.

use crate::error::Error;
use crate::image::{ImageRef, images_of};
use crate::overlay::Overlay;
use crate::version::{BRANCH_NAMES, is_release, same_release};
use rustomize_edit::kustomization::Kustomization;
use rustomize_edit::ops::pin::{ImagePin, ListItem, PinEdit, entry_ref};
use rustomize_engine::{BuildOptions, Resource};
use rustomize_loader::remote::url::{RepoSpec, probe_as_file};
use rustomize_loader::remote::{GitFetcher, RefKind};
use rustomize_loader::{DiskFs, FileSystem};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One environment: a kustomization directory and its file as read.
#[derive(Clone, Debug)]
pub struct Env {
    /// The directory, as given.
    pub dir: PathBuf,
    /// Its kustomization file (`dir/kustomization.yaml`, ...).
    pub file: PathBuf,
    /// The file's text when it was read.
    pub text: String,
}

impl Env {
    /// Finds and reads the kustomization file of `dir` (kustomize's file
    /// names), checking that it is a valid kustomization.
    pub fn open(dir: &Path) -> Result<Env, Error> {
        let file = rustomize_edit::file::find(dir).map_err(|source| Error::Edit {
            dir: dir.to_path_buf(),
            source,
        })?;
        let bytes = DiskFs.read(&file).map_err(|source| Error::Io {
            path: file.clone(),
            source,
        })?;
        let text = String::from_utf8(bytes).map_err(|_| Error::Io {
            path: file.clone(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, "not valid UTF-8"),
        })?;
        PinEdit::parse(text.as_str()).map_err(|source| Error::Pin {
            path: file.clone(),
            source,
        })?;
        Ok(Env {
            dir: dir.to_path_buf(),
            file,
            text,
        })
    }

    /// The file with its text replaced by `text`, as a file system over
    /// the disk (for building the environment as it would be).
    pub fn overlay(&self, text: &str) -> Result<Arc<dyn FileSystem>, Error> {
        let abs = absolute(&self.file)?;
        Ok(Arc::new(
            Overlay::new(Arc::new(DiskFs)).with_file(&abs, text.as_bytes()),
        ))
    }

    /// Builds the environment with its kustomization file holding `text`.
    pub fn build(
        &self,
        text: &str,
        opts: &BuildOptions,
        when: &'static str,
    ) -> Result<rustomize_engine::BuildOutput, Error> {
        let fs = self.overlay(text)?;
        let dir = absolute(&self.dir)?;
        rustomize_engine::build(fs, &dir, opts).map_err(|e| Error::Build {
            dir: self.dir.clone(),
            when,
            message: e.report().to_string(),
        })
    }
}

/// `path` made absolute against the working directory.
pub(crate) fn absolute(path: &Path) -> Result<PathBuf, Error> {
    if path.is_absolute() {
        return Ok(rustomize_loader::fs::clean(path));
    }
    let cwd = std::env::current_dir().map_err(|source| Error::Io {
        path: PathBuf::from("."),
        source,
    })?;
    Ok(rustomize_loader::fs::clean(&cwd.join(path)))
}

/// What the release steps build and fetch with.
#[derive(Clone, Copy, Debug)]
pub struct Tools<'a> {
    /// Build options (their `fetcher` should be `fetcher`).
    pub build: &'a BuildOptions,
    /// The fetcher remote bases (and their tags) come through.
    pub fetcher: &'a GitFetcher,
}

/// The app an environment deploys: the repository its remote bases come
/// from (none when the environment is in the app's own repository) and
/// the images that are the app's.
#[derive(Clone, Debug, Default)]
pub struct App {
    /// The repository URL (as handed to git), when the app comes from
    /// remote bases.
    pub repo: Option<String>,
    /// The environment's `resources:`/`components:` entries naming it.
    pub remotes: Vec<ListItem>,
    /// The ref the entries name (the first entry's; empty: none, the
    /// remote's default branch).
    pub git_ref: String,
    /// What kind of ref it resolved to when the environment was built.
    pub ref_kind: Option<RefKind>,
    /// The app's image names, as `images:` entries name them.
    pub images: Vec<String>,
    /// What each image runs as the environment is now: the tag or digest
    /// of its `images:` entry, else what the output has (empty: no tag).
    pub running: BTreeMap<String, String>,
    /// Each image's `images:` entry, when it has one.
    pub entries: BTreeMap<String, ImagePin>,
    /// Every image the output runs, with what it runs (for messages).
    pub used: Vec<ImageRef>,
}

impl App {
    /// Whether the environment tracks a branch (or the remote's default
    /// branch) rather than a tag or commit.
    pub fn tracks_branch(&self) -> bool {
        match self.ref_kind {
            Some(k) => k.is_mutable(),
            None => self.git_ref.is_empty() || BRANCH_NAMES.contains(&self.git_ref.as_str()),
        }
    }

    /// The remote entry to ask the repository through (the first one).
    pub fn remote_entry(&self) -> Option<&str> {
        self.remotes.first().map(|i| i.value.as_str())
    }
}

/// Whether a `resources:` entry names a git repository (not a local path
/// nor a remote file).
pub fn is_git_remote(entry: &str) -> bool {
    rustomize_loader::remote::url::is_remote(entry)
        && RepoSpec::parse(entry).is_ok()
        && !probe_as_file(entry)
}

/// The repository URL of a remote entry.
pub fn repo_of(entry: &str) -> Option<String> {
    RepoSpec::parse(entry).ok().map(|s| s.clone_url())
}

/// The last segment of a repository URL, without `.git` (`app` for
/// `https://github.com/org/app.git`).
fn repo_short_name(url: &str) -> &str {
    let last = url
        .trim_end_matches('/')
        .rsplit(['/', ':'])
        .next()
        .unwrap_or(url);
    last.strip_suffix(".git").unwrap_or(last)
}

/// Finds the app of `env`: builds it with its `images:` entries left out
/// (so the output's image names are those entries match), then picks the
/// repository of its remote bases and the images of the app among those
/// the output runs. `only` (from `--image`) names the images instead.
pub fn discover(tools: Tools<'_>, env: &Env, only: &[String]) -> Result<App, Error> {
    let pin_err = |source| Error::Pin {
        path: env.file.clone(),
        source,
    };
    let pins = PinEdit::parse(env.text.as_str()).map_err(pin_err)?;
    let entries: BTreeMap<String, ImagePin> = pins
        .images()
        .into_iter()
        .map(|p| (p.name.clone(), p))
        .collect();
    let mut plain = Kustomization::parse_as_written(&env.text).map_err(|e| pin_err(e.into()))?;
    plain.set("images", None);
    let plain = plain.render().map_err(|e| pin_err(e.into()))?;
    let built = env.build(&plain, tools.build, "as it is")?;
    let resources = built.resources.resources();

    let remotes: Vec<ListItem> = pins
        .list_items()
        .into_iter()
        .filter(|i| is_git_remote(&i.value))
        .collect();
    let mut repos: Vec<String> = Vec::new();
    for r in &remotes {
        if let Some(url) = repo_of(&r.value)
            && !repos.contains(&url)
        {
            repos.push(url);
        }
    }
    fn from_repo(url: &str) -> impl Fn(&Resource) -> bool + '_ {
        move |r: &Resource| {
            r.meta
                .origin
                .as_ref()
                .is_some_and(|o| o.repo.as_deref() == Some(url))
        }
    }
    let repo = match repos.as_slice() {
        [] => None,
        [one] => Some(one.clone()),
        many => {
            let fits: Vec<&String> = many
                .iter()
                .filter(|url| {
                    images_of(resources, from_repo(url)).iter().any(|i| {
                        if only.is_empty() {
                            i.short_name() == repo_short_name(url)
                        } else {
                            only.contains(&i.name)
                        }
                    })
                })
                .collect();
            match fits.as_slice() {
                [one] => Some((*one).clone()),
                _ => {
                    return Err(Error::AmbiguousRepository {
                        path: env.file.clone(),
                        repos: many.to_vec(),
                    });
                }
            }
        }
    };
    let used = images_of(resources, |_| true);
    let candidates: Vec<ImageRef> = match &repo {
        Some(url) => images_of(resources, from_repo(url)),
        None => used.clone(),
    };
    let app_remotes: Vec<ListItem> = match &repo {
        Some(url) => remotes
            .into_iter()
            .filter(|i| repo_of(&i.value).as_deref() == Some(url.as_str()))
            .collect(),
        None => Vec::new(),
    };
    let git_ref = app_remotes
        .first()
        .and_then(|i| entry_ref(&i.value))
        .map(|(_, v)| v.to_string())
        .unwrap_or_default();
    let fetched = tools.fetcher.fetched();
    let ref_kind = app_remotes
        .first()
        .and_then(|i| fetched.iter().find(|f| f.target == i.value))
        .map(|f| f.kind);

    let names: Vec<String> = if only.is_empty() {
        pick_images(&repo, &git_ref, &candidates, &entries)
    } else {
        for name in only {
            if !entries.contains_key(name) && !used.iter().any(|i| &i.name == name) {
                return Err(Error::UnknownImage {
                    path: env.file.clone(),
                    image: name.clone(),
                    uses: used.iter().map(|i| i.name.clone()).collect(),
                });
            }
        }
        only.to_vec()
    };
    if repo.is_none() && names.is_empty() {
        let uses: Vec<String> = used.iter().map(|i| i.name.clone()).collect();
        return Err(Error::NoApp {
            path: env.file.clone(),
            why: format!(
                "no remote base and no images: entry of the app (the output uses: {}); nothing says what to promote: name the images with --image",
                if uses.is_empty() {
                    "no images".to_string()
                } else {
                    uses.join(", ")
                }
            ),
        });
    }
    let running = names
        .iter()
        .map(|n| {
            let v = match entries.get(n).and_then(ImagePin::version) {
                Some(v) => v.as_str().to_string(),
                None => used
                    .iter()
                    .find(|i| &i.name == n)
                    .map(|i| i.version().to_string())
                    .unwrap_or_default(),
            };
            (n.clone(), v)
        })
        .collect();
    let entries = entries
        .into_iter()
        .filter(|(n, _)| names.contains(n))
        .collect();
    Ok(App {
        repo,
        remotes: app_remotes,
        git_ref,
        ref_kind,
        images: names,
        running,
        entries,
        used,
    })
}

/// The app's images among those the app's objects run (`candidates`):
/// with a remote base, those pinned to the same release as its ref (by an
/// `images:` entry or in the output), those named after the repository,
/// else the only one there is; without, those the environment pins with an
/// `images:` entry.
fn pick_images(
    repo: &Option<String>,
    git_ref: &str,
    candidates: &[ImageRef],
    entries: &BTreeMap<String, ImagePin>,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    fn push(out: &mut Vec<String>, n: &str) {
        if !out.iter().any(|o| o == n) {
            out.push(n.to_string());
        }
    }
    match repo {
        Some(url) => {
            let released = is_release(git_ref);
            for c in candidates {
                let entry_tag = entries.get(&c.name).map(|e| e.new_tag.as_str());
                let same = released
                    && (same_release(&c.tag, git_ref)
                        || entry_tag.is_some_and(|t| same_release(t, git_ref)));
                if same || c.short_name() == repo_short_name(url) {
                    push(&mut out, &c.name);
                }
            }
            if out.is_empty()
                && let [only] = candidates
            {
                push(&mut out, &only.name);
            }
        }
        None => {
            for c in candidates {
                if entries.contains_key(&c.name) {
                    push(&mut out, &c.name);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_names() {
        assert_eq!(repo_short_name("https://github.com/org/app"), "app");
        assert_eq!(repo_short_name("https://github.com/org/app.git"), "app");
        assert_eq!(repo_short_name("git@github.com:org/app.git"), "app");
        assert!(is_git_remote("github.com/org/app//deploy?ref=v1"));
        assert!(!is_git_remote("../base"));
        assert!(!is_git_remote("https://example.com/app.yaml"));
    }

    #[test]
    fn the_apps_images_among_what_its_objects_run() {
        let repo = Some("https://github.com/org/shop".to_string());
        let c = |s: &str| ImageRef::parse(s);
        let none = BTreeMap::new();
        // Pinned to the ref's release, not named after the repository.
        let got = pick_images(
            &repo,
            "v0.2.0",
            &[c("ghcr.io/org/api:v0.2.0"), c("postgres:16")],
            &none,
        );
        assert_eq!(got, ["ghcr.io/org/api"]);
        // Named after the repository, on a branch.
        let got = pick_images(
            &repo,
            "master",
            &[c("ghcr.io/org/shop:edge"), c("postgres:16")],
            &none,
        );
        assert_eq!(got, ["ghcr.io/org/shop"]);
        // The only image.
        let got = pick_images(&repo, "master", &[c("ghcr.io/org/web:edge")], &none);
        assert_eq!(got, ["ghcr.io/org/web"]);
        // Two unrelated images and no hint: none.
        let got = pick_images(&repo, "master", &[c("a:1"), c("b:2")], &none);
        assert!(got.is_empty());
        // Local: the pinned ones.
        let mut entries = BTreeMap::new();
        entries.insert(
            "a".to_string(),
            ImagePin {
                name: "a".into(),
                new_tag: "edge".into(),
                ..ImagePin::default()
            },
        );
        let got = pick_images(&None, "", &[c("a:1"), c("b:2")], &entries);
        assert_eq!(got, ["a"]);
    }
}
