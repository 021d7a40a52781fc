//! Remote bases fetched with the `git` program into a shared, persistent
//! cache.
//!
//! kustomize clones every remote base into a temporary directory on every
//! build. [`GitFetcher`] fetches the same way (a shallow fetch of one ref,
//! so users' credentials, SSH keys, proxies and `url.<x>.insteadOf` rules
//! apply) but keeps what it fetched, keyed by repository URL and commit:
//!
//! - a ref that is a full commit id, or that names a tag, is fetched once
//!   and then read from the cache without any network call;
//! - a branch (or no ref: the remote's `HEAD`) is resolved again with
//!   `git ls-remote` on each build (once per build, however many entries
//!   name it), and fetched only when it moved;
//! - in offline mode nothing touches the network: every ref is taken from
//!   the cache as it was last resolved, and a missing one is an error that
//!   says so;
//! - concurrent builds share the cache: a lock per repository and ref, and
//!   fetches land in a temporary directory renamed into place when
//!   complete, so a killed fetch leaves no broken entry;
//! - independent remotes are fetched in parallel (the engine loads
//!   `resources` entries on several threads).
//!
//! ```no_run
//! use rustomize_loader::remote::{FetchOptions, GitFetcher};
//! use std::sync::Arc;
//!
//! let fetcher = Arc::new(GitFetcher::new(FetchOptions {
//!     offline: false,
//!     ..FetchOptions::default()
//! }));
//! // BuildOptions { fetcher: Some(fetcher.clone()), .. } then build, then:
//! for r in fetcher.fetched() {
//!     println!("{} {} {}", r.target, r.commit, r.source);
//! }
//! ```

mod cache;
mod git;
mod http;
pub mod url;
mod verify;

use crate::error::LoadError;
pub use crate::error::{FetchError, GitError};
use crate::fetcher::{RemoteDir, RemoteFetcher};
use cache::{Cache, RefRecord, fetch_key};
use git::{Git, RemoteRef, is_full_oid};
use http::Curl;
use std::collections::{BTreeMap, HashMap};
use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
pub use url::{DEFAULT_TIMEOUT, RepoSpec, UrlError, is_remote_file, probe_as_file};

/// How a [`GitFetcher`] works.
#[derive(Clone, Debug)]
pub struct FetchOptions {
    /// Where fetched trees are kept across builds (see
    /// [`default_cache_dir`]). `None`: a temporary directory removed when
    /// the fetcher is dropped, as kustomize does. A directory that cannot
    /// be created or written (checked at the first fetch, unless offline)
    /// is replaced by such a temporary directory, with a warning: a build
    /// never fails for want of a cache, since kustomize needs none.
    pub cache_dir: Option<PathBuf>,
    /// Never use the network: build from what the cache holds, refs as they
    /// were last resolved; anything missing is an error.
    pub offline: bool,
    /// Resolve tags again too (normally a tag is trusted once fetched).
    pub refresh: bool,
    /// Timeout of each git command when the URL has no `?timeout=`.
    pub timeout: Duration,
    /// The git program.
    pub git_program: PathBuf,
    /// Variables added to the environment of git and curl (the rest is
    /// inherited), e.g. `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_0`/`GIT_CONFIG_VALUE_0`.
    pub env: Vec<(OsString, OsString)>,
    /// The curl program, for remote files (`http(s)://` URLs of YAML).
    pub curl_program: PathBuf,
    /// Called with each warning for the user, once each, when it arises
    /// (the binary prints them on stderr); they are also kept for
    /// [`GitFetcher::warnings`].
    pub on_warning: Option<fn(&str)>,
    /// Why `cache_dir` is `None` when a persistent cache was wanted but no
    /// directory could be determined (e.g. `HOME` is unset): the first
    /// fetch then warns that trees go to a temporary directory. Ignored
    /// when `cache_dir` is set.
    pub no_cache_dir: Option<String>,
}

impl Default for FetchOptions {
    /// Online, cached in [`default_cache_dir`], kustomize's 27 s timeout,
    /// `git` from `PATH`.
    fn default() -> Self {
        FetchOptions {
            cache_dir: default_cache_dir(),
            offline: false,
            refresh: false,
            timeout: DEFAULT_TIMEOUT,
            git_program: PathBuf::from("git"),
            env: Vec::new(),
            curl_program: PathBuf::from("curl"),
            on_warning: None,
            no_cache_dir: None,
        }
    }
}

/// The user's cache directory for rustomize: `$RUSTOMIZE_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/rustomize`, else `~/.cache/rustomize`; `None` when none
/// of these can be determined.
pub fn default_cache_dir() -> Option<PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(dir) = var("RUSTOMIZE_CACHE_DIR") {
        return Some(dir);
    }
    if let Some(dir) = var("XDG_CACHE_HOME").filter(|d| d.is_absolute()) {
        return Some(dir.join("rustomize"));
    }
    var("HOME")
        .filter(|d| d.is_absolute())
        .map(|home| home.join(".cache").join("rustomize"))
}

/// What kind of ref a remote entry names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RefKind {
    /// A full commit id: never changes.
    Commit,
    /// A tag: trusted not to move once fetched.
    Tag,
    /// A branch, or the remote's `HEAD`: resolved on each build.
    Branch,
    /// Anything else git could fetch (resolved on each build).
    Other,
}

impl RefKind {
    /// A lower-case name: `commit`, `tag`, `branch`, `other`.
    pub fn as_str(self) -> &'static str {
        match self {
            RefKind::Commit => "commit",
            RefKind::Tag => "tag",
            RefKind::Branch => "branch",
            RefKind::Other => "other",
        }
    }

    fn parse(s: &str) -> Option<RefKind> {
        Some(match s {
            "commit" => RefKind::Commit,
            "tag" => RefKind::Tag,
            "branch" => RefKind::Branch,
            "other" => RefKind::Other,
            _ => return None,
        })
    }

    /// Whether the commit it names can change.
    pub fn is_mutable(self) -> bool {
        matches!(self, RefKind::Branch | RefKind::Other)
    }
}

impl fmt::Display for RefKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a remote's tree came from in this build.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    /// Fetched from the remote now.
    Fetched,
    /// Already in the cache (for a branch: checked with `ls-remote` to be
    /// the latest commit).
    Cached,
    /// Taken from the cache in offline mode without checking the remote:
    /// a branch may have moved since.
    Offline,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Source::Fetched => "fetched",
            Source::Cached => "cached",
            Source::Offline => "offline",
        })
    }
}

/// One remote entry a build used, with the commit it resolved to: the list
/// a reviewer wants when promoting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchedRemote {
    /// The entry as written in the kustomization.
    pub target: String,
    /// The repository URL handed to git (before `insteadOf` rewriting).
    pub url: String,
    /// The directory in the repository (may be empty).
    pub path: String,
    /// The ref as written (`?ref=`/`?version=`); empty for `HEAD`.
    pub git_ref: String,
    /// What kind of ref it turned out to be.
    pub kind: RefKind,
    /// The commit built.
    pub commit: String,
    /// Whether it was fetched, cached or taken offline.
    pub source: Source,
    /// The local root of the cached tree (links resolved).
    pub clone_root: PathBuf,
    /// The local directory of `path` in the cached tree (not yet checked
    /// to exist; the loader does that, resolving links).
    pub dir: PathBuf,
}

/// A tree in the cache for one repository, ref and submodule setting.
#[derive(Clone, Debug)]
struct Checkout {
    tree: PathBuf,
    commit: String,
    kind: RefKind,
    source: Source,
    /// What the tree held when fetched (see [`verify`]).
    manifest: Arc<verify::Manifest>,
}

type MemoKey = (String, String, bool);
type MemoCell = Arc<OnceLock<Result<Checkout, FetchError>>>;

/// Fetches remote bases with git into a persistent cache; implements
/// [`RemoteFetcher`] for [`crate::Loader`].
pub struct GitFetcher {
    opts: FetchOptions,
    /// The configured cache (or the temporary one, without a cache
    /// directory).
    cache: Cache,
    /// Holds the cache when no cache directory is configured.
    _temp: Option<tempfile::TempDir>,
    /// The cache in use, settled at the first fetch: `cache`, or a private
    /// temporary one when `cache`'s directory cannot be created or written.
    in_use: OnceLock<Result<InUse, FetchError>>,
    git: Git,
    curl: Curl,
    /// One resolution per repository, ref and submodule setting per build.
    memo: Mutex<HashMap<MemoKey, MemoCell>>,
    fetched: Mutex<BTreeMap<String, FetchedRemote>>,
    /// Set when the temporary cache could not be created.
    setup_error: Option<FetchError>,
    /// Warnings given so far, each once.
    warnings: Mutex<Vec<String>>,
}

/// The cache a fetcher settled on.
#[derive(Debug)]
struct InUse {
    cache: Cache,
    /// Holds a fallback cache directory, removed with the fetcher.
    _temp: Option<tempfile::TempDir>,
}

impl fmt::Debug for GitFetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GitFetcher")
            .field("cache", &self.cache_root())
            .field("offline", &self.opts.offline)
            .finish_non_exhaustive()
    }
}

impl GitFetcher {
    /// A fetcher with these options. Nothing is touched on disk until the
    /// first fetch, except a temporary directory when no cache directory
    /// is configured.
    pub fn new(opts: FetchOptions) -> Self {
        let (root, temp, setup_error) = match &opts.cache_dir {
            Some(dir) => (dir.join("git"), None, None),
            None => match temp_cache() {
                Ok(t) => (t.path().join("git"), Some(t), None),
                Err(e) => (PathBuf::new(), None, Some(e)),
            },
        };
        GitFetcher {
            git: Git::new(opts.git_program.clone(), opts.env.clone()),
            curl: Curl::new(opts.curl_program.clone(), opts.env.clone()),
            opts,
            cache: Cache::new(root),
            _temp: temp,
            in_use: OnceLock::new(),
            memo: Mutex::new(HashMap::new()),
            fetched: Mutex::new(BTreeMap::new()),
            setup_error,
            warnings: Mutex::new(Vec::new()),
        }
    }

    /// The options in force.
    pub fn options(&self) -> &FetchOptions {
        &self.opts
    }

    /// Where the fetched trees are (`<cache dir>/git`): after the first
    /// fetch, the directory really used (a temporary one if the configured
    /// one could not be written).
    pub fn cache_root(&self) -> &Path {
        match self.in_use.get() {
            Some(Ok(u)) => u.cache.root(),
            _ => self.cache.root(),
        }
    }

    /// The warnings given so far (see [`FetchOptions::on_warning`]), in
    /// order.
    pub fn warnings(&self) -> Vec<String> {
        self.warnings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Gives a warning (once per text).
    fn warn(&self, text: String) {
        let mut w = self.warnings.lock().unwrap_or_else(|e| e.into_inner());
        if w.contains(&text) {
            return;
        }
        if let Some(f) = self.opts.on_warning {
            f(&text);
        }
        w.push(text);
    }

    /// The cache to use, settled once: the configured directory when it
    /// can be created and written (or, offline, whatever is there: offline
    /// builds only read), else a private temporary directory, with a
    /// warning.
    fn cache(&self) -> Result<&Cache, FetchError> {
        let in_use = self.in_use.get_or_init(|| {
            if let Some(e) = &self.setup_error {
                return Err(e.clone());
            }
            let configured = || InUse {
                cache: self.cache.clone(),
                _temp: None,
            };
            if self.opts.cache_dir.is_none() {
                if let Some(why) = &self.opts.no_cache_dir {
                    self.warn(format!(
                        "# Warning: no cache directory for remote bases ({why}); they are fetched into a temporary directory for this run only (set RUSTOMIZE_CACHE_DIR to keep them)"
                    ));
                }
                return Ok(configured());
            }
            if self.opts.offline {
                return Ok(configured());
            }
            let why = match cache::ensure_writable(self.cache.root()) {
                Ok(()) => return Ok(configured()),
                Err(e) => e,
            };
            let temp = temp_cache()?;
            self.warn(format!(
                "# Warning: cannot use the cache directory '{}' ({why}); remote bases are fetched into a temporary directory for this run only",
                self.cache.root().display()
            ));
            Ok(InUse {
                cache: Cache::new(temp.path().join("git")),
                _temp: Some(temp),
            })
        });
        match in_use {
            Ok(u) => Ok(&u.cache),
            Err(e) => Err(e.clone()),
        }
    }

    /// Every remote entry fetched so far, sorted by entry, each with the
    /// commit it resolved to.
    pub fn fetched(&self) -> Vec<FetchedRemote> {
        let map = self.fetched.lock().unwrap_or_else(|e| e.into_inner());
        map.values().cloned().collect()
    }

    /// Resolves `target` to a local directory, fetching if needed.
    pub fn fetch_remote(&self, target: &str) -> Result<FetchedRemote, LoadError> {
        self.fetch_verified(target).map(|(r, _)| r)
    }

    /// [`GitFetcher::fetch_remote`], with the manifest of the tree.
    fn fetch_verified(
        &self,
        target: &str,
    ) -> Result<(FetchedRemote, Arc<verify::Manifest>), LoadError> {
        let spec = parse_checked(target)?;
        let checkout = self.checkout(&spec).map_err(|error| LoadError::Fetch {
            target: target.to_string(),
            error,
        })?;
        let remote = FetchedRemote {
            target: target.to_string(),
            url: spec.clone_url(),
            path: spec.path.clone(),
            git_ref: spec.git_ref.clone(),
            kind: checkout.kind,
            commit: checkout.commit.clone(),
            source: checkout.source,
            dir: if spec.path.is_empty() {
                checkout.tree.clone()
            } else {
                checkout.tree.join(&spec.path)
            },
            clone_root: checkout.tree,
        };
        self.fetched
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(target.to_string())
            .or_insert_with(|| remote.clone());
        Ok((remote, checkout.manifest))
    }

    /// Fetches many remote entries at once, on up to `max_parallel`
    /// threads of their own (fetching waits on the network, not the CPU,
    /// so this goes wider than the build's thread pool). Later
    /// [`RemoteFetcher::fetch`] calls for the same repository and ref are
    /// then answered from memory. Results are in the order of `targets`.
    pub fn prefetch(
        &self,
        targets: &[&str],
        max_parallel: usize,
    ) -> Vec<Result<FetchedRemote, LoadError>> {
        let next = std::sync::atomic::AtomicUsize::new(0);
        let results: Vec<Mutex<Option<Result<FetchedRemote, LoadError>>>> =
            targets.iter().map(|_| Mutex::new(None)).collect();
        std::thread::scope(|s| {
            for _ in 0..max_parallel.clamp(1, targets.len().max(1)) {
                s.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(target) = targets.get(i) else { break };
                        let r = self.fetch_remote(target);
                        *results[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
                    }
                });
            }
        });
        results
            .into_iter()
            .zip(targets)
            .map(|(slot, target)| {
                slot.into_inner()
                    .unwrap_or_else(|e| e.into_inner())
                    .unwrap_or_else(|| {
                        Err(LoadError::Fetch {
                            target: target.to_string(),
                            error: FetchError::NotAttempted,
                        })
                    })
            })
            .collect()
    }

    /// The tree for the spec's repository and ref, resolved once per
    /// fetcher: concurrent callers for the same key wait for the first.
    fn checkout(&self, spec: &RepoSpec) -> Result<Checkout, FetchError> {
        let cache = self.cache()?;
        let key = (
            spec.clone_url(),
            spec.ref_or_head().to_string(),
            spec.submodules,
        );
        let cell = {
            let mut memo = self.memo.lock().unwrap_or_else(|e| e.into_inner());
            memo.entry(key).or_default().clone()
        };
        cell.get_or_init(|| self.resolve(cache, spec)).clone()
    }

    fn resolve(&self, cache: &Cache, spec: &RepoSpec) -> Result<Checkout, FetchError> {
        let url = spec.clone_url();
        let git_ref = spec.ref_or_head();
        let repo_dir = cache.repo_dir(&url);
        let timeout = spec.timeout(self.opts.timeout);
        let tree_of = |commit: &str| Cache::tree_dir(&repo_dir, commit, spec.submodules);
        // A cached tree is used only when it is what was fetched (with
        // `--refresh`, down to every file's hash); a damaged one is
        // fetched again.
        let damaged: std::cell::RefCell<Option<(PathBuf, verify::Damage)>> = Default::default();
        let intact = |commit: &str| -> Option<Arc<verify::Manifest>> {
            let tree = tree_of(commit);
            if !cache::is_dir(&tree) {
                return None;
            }
            match verify::check_tree(&tree, self.opts.refresh) {
                Ok(m) => Some(m),
                Err(d) => {
                    *damaged.borrow_mut() = Some((tree, d));
                    None
                }
            }
        };
        let found = |commit: String,
                     kind: RefKind,
                     source: Source,
                     manifest: Arc<verify::Manifest>|
         -> Result<Checkout, FetchError> {
            let tree = tree_of(&commit);
            let tree = cache::canonical(&tree).map_err(|e| FetchError::Cache {
                doing: "reading cached tree",
                dir: tree.clone(),
                error: e.to_string(),
            })?;
            Ok(Checkout {
                tree,
                commit,
                kind,
                source,
                manifest,
            })
        };

        // What we know without asking the remote.
        let known = if is_full_oid(git_ref) {
            Some(RefRecord {
                kind: RefKind::Commit,
                commit: git_ref.to_string(),
            })
        } else {
            Cache::read_ref(&repo_dir, git_ref)
                .filter(|r| self.opts.offline || (r.kind == RefKind::Tag && !self.opts.refresh))
        };
        if let Some(rec) = &known
            && let Some(manifest) = intact(&rec.commit)
        {
            let source = if self.opts.offline && rec.kind.is_mutable() {
                Source::Offline
            } else {
                Source::Cached
            };
            return found(rec.commit.clone(), rec.kind, source, manifest);
        }
        if self.opts.offline {
            if let Some((tree, damage)) = damaged.take() {
                return Err(FetchError::Damaged {
                    what: describe_ref(spec),
                    url,
                    tree,
                    damage: damage.to_string(),
                });
            }
            return Err(FetchError::NotCached {
                what: describe_ref(spec),
                url,
                cache: cache.root().to_path_buf(),
            });
        }

        // Ask the remote what the ref names now.
        let (expected, kind) = match &known {
            Some(rec) => (Some(rec.commit.clone()), rec.kind),
            None => {
                let cwd = existing_ancestor(cache.root());
                let refs = self.git.ls_remote(&cwd, &url, git_ref, timeout)?;
                match pick_ref(&refs, git_ref) {
                    Some((commit, kind)) => (Some(commit), kind),
                    None => (None, RefKind::Other),
                }
            }
        };
        // What a ref resolved to is only a shortcut for the next build: a
        // record that cannot be written costs a resolution then, not this
        // build.
        let record = |commit: &str| {
            let rec = RefRecord {
                kind,
                commit: commit.to_string(),
            };
            if let Err(e) = Cache::write_ref(&repo_dir, git_ref, &rec) {
                self.warn(format!(
                    "# Warning: cannot record in the cache what refs of '{url}' resolved to ({e}, in '{}'); they are resolved again next time",
                    repo_dir.display()
                ));
            }
        };
        if let Some(commit) = &expected
            && let Some(manifest) = intact(commit)
        {
            if kind != RefKind::Commit {
                record(commit);
            }
            return found(commit.clone(), kind, Source::Cached, manifest);
        }

        // Fetch, one process at a time for this ref.
        let key = fetch_key(git_ref, spec.submodules);
        let in_cache = |e: std::io::Error| FetchError::Cache {
            doing: "cache",
            dir: repo_dir.clone(),
            error: e.to_string(),
        };
        let _lock = Cache::lock(&repo_dir, &url, &key).map_err(in_cache)?;
        if let Some(commit) = &expected
            && let Some(manifest) = intact(commit)
        {
            return found(commit.clone(), kind, Source::Cached, manifest);
        }
        Cache::remove_stale_temps(&repo_dir, &key).map_err(in_cache)?;
        let tmp = Cache::temp_dir(&repo_dir, &key).map_err(in_cache)?;
        let commit = self
            .git
            .fetch_into(tmp.path(), &url, git_ref, spec.submodules, timeout)?;
        let tree = tree_of(&commit);
        if cache::is_dir(&tree) && intact(&commit).is_none() {
            // Damaged (or from before manifests): moved aside into a
            // temporary directory of this key, then removed, so a killed
            // build leaves it for the next fetch's clean-up.
            Cache::discard(&repo_dir, &key, &tree).map_err(in_cache)?;
        }
        let manifest = Cache::install(tmp, &tree).map_err(in_cache)?;
        if kind != RefKind::Commit {
            record(&commit);
        }
        found(commit, kind, Source::Fetched, manifest)
    }
}

impl RemoteFetcher for GitFetcher {
    fn is_remote(&self, target: &str) -> bool {
        url::is_remote(target)
    }

    fn fetch(&self, target: &str) -> Result<RemoteDir, LoadError> {
        let (r, manifest) = self.fetch_verified(target)?;
        Ok(RemoteDir {
            // A clone on disk, each file checked against what was fetched
            // as it is read.
            fs: Arc::new(verify::VerifiedFs::new(r.clone_root.clone(), manifest)),
            clone_root: r.clone_root,
            dir: r.dir,
            repo: r.url,
            git_ref: r.git_ref,
            commit: r.commit,
        })
    }

    fn load_url(&self, url: &str) -> Result<Vec<u8>, LoadError> {
        if self.opts.offline {
            return Err(LoadError::Offline(url.to_string()));
        }
        self.curl.get(url, self.opts.timeout)
    }
}

/// Parses and checks a remote entry, with messages for the forms rustomize
/// refuses.
fn parse_checked(target: &str) -> Result<RepoSpec, LoadError> {
    let refuse = |reason: String| {
        LoadError::Refused(UrlError {
            raw: target.to_string(),
            reason,
        })
    };
    // kustomize drops a leading `git::`; what follows may name another
    // transport, which git itself would honour.
    let unforced = target
        .get(..5)
        .filter(|p| p.eq_ignore_ascii_case("git::"))
        .map_or(target, |_| &target[5..]);
    let transport = url::transport_prefix(unforced).map(str::to_ascii_lowercase);
    let spec = RepoSpec::parse(target);
    let supported = matches!(
        transport.as_deref(),
        None | Some("https" | "http" | "ssh" | "file")
    );
    if let (false, Some(t)) = (supported, &transport) {
        return Err(refuse(format!(
            "the '{t}' transport is not supported; use an https://, http://, ssh://, file:// or scp-like (user@host:org/repo) git URL"
        )));
    }
    let spec = spec?;
    spec.validate()?;
    Ok(spec)
}

/// `ref 'v1'`, or `the default branch (HEAD)`.
fn describe_ref(spec: &RepoSpec) -> String {
    if spec.git_ref.is_empty() {
        "the default branch (HEAD)".to_string()
    } else {
        format!("ref '{}'", spec.git_ref)
    }
}

/// The commit `git fetch <url> <git_ref>` would fetch, by git's rules for
/// short ref names (`<ref>`, `refs/<ref>`, `refs/tags/<ref>`,
/// `refs/heads/<ref>`, `refs/remotes/<ref>`, `refs/remotes/<ref>/HEAD`),
/// with annotated tags peeled to their commit.
fn pick_ref(refs: &[RemoteRef], git_ref: &str) -> Option<(String, RefKind)> {
    let candidates = [
        git_ref.to_string(),
        format!("refs/{git_ref}"),
        format!("refs/tags/{git_ref}"),
        format!("refs/heads/{git_ref}"),
        format!("refs/remotes/{git_ref}"),
        format!("refs/remotes/{git_ref}/HEAD"),
    ];
    let name = candidates
        .iter()
        .find(|c| refs.iter().any(|r| &r.name == *c))?;
    let oid = |n: &str| refs.iter().find(|r| r.name == n).map(|r| r.oid.clone());
    let commit = oid(&format!("{name}^{{}}")).or_else(|| oid(name))?;
    let kind = if name.starts_with("refs/tags/") {
        RefKind::Tag
    } else if name.starts_with("refs/heads/") || name == "HEAD" {
        RefKind::Branch
    } else {
        RefKind::Other
    };
    is_full_oid(&commit).then_some((commit, kind))
}

/// A private (mode 0700) temporary directory for a cache that lives as
/// long as its fetcher.
fn temp_cache() -> Result<tempfile::TempDir, FetchError> {
    tempfile::Builder::new()
        .prefix("rustomize-")
        .tempdir()
        .map_err(|e| FetchError::Setup(e.to_string()))
}

/// The nearest existing directory at or above `p` (for running commands
/// that need no repository), falling back to the temporary directory.
fn existing_ancestor(p: &Path) -> PathBuf {
    p.ancestors()
        .find(|a| cache::is_dir(a))
        .map(Path::to_path_buf)
        .unwrap_or_else(std::env::temp_dir)
}

#[cfg(test)]
mod tests;
