//! Field provenance: for every node of the output, the place that set it
//! last.
//!
//! Each node carries a [`Pos`] (source id, line, column; see
//! `rustomize_yaml::node`). The source id numbers a [`Source`] in the
//! build's [`Table`]: a file the node was read from (its line and column are
//! then in that file), or a kustomization entry that set it (line and
//! column are the entry's, in the kustomization file), a generator, a
//! replacement, the name-reference fix-up, or the build itself.
//!
//! How the build fills it in, when [`BuildOptions::provenance`] asks
//! (otherwise every source id stays 0 and nothing here runs):
//!
//! - a file is stamped once after it is parsed ([`stamp_file`]); inline
//!   patch text is mapped to its place in the kustomization file
//!   ([`Inline`]);
//! - a step leaves the nodes it makes (or whose text it changes in place)
//!   with source 0, and after each step one walk gives those the step's
//!   place ([`stamp_unset`]). Nodes copied from a patch keep the patch's
//!   place; a value rewritten with the same text keeps its own;
//! - a step that knows more (a replacement's source object, a generator's
//!   literal) stamps explicitly.
//!
//! [`BuildOptions::provenance`]: crate::BuildOptions::provenance

use rustomize_yaml::{Node, Pos};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Mutex;

/// A file that took part in a build, as the user would name it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FileRef {
    /// The path as the build shows paths (relative to
    /// [`BuildOptions::paths_relative_to`](crate::BuildOptions::paths_relative_to)
    /// when below it); for a file of a remote base, `repo@ref:path`.
    pub path: String,
    /// For a file of a remote base: the repository, the ref and the path
    /// inside the repository (never the cache directory).
    pub remote: Option<Remote>,
}

/// Where a file of a remote base lives.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Remote {
    /// The repository as the kustomization names it
    /// (`https://github.com/org/app`).
    pub repo: String,
    /// The ref (`v1.2.0`, `main`), empty for the default branch.
    pub git_ref: String,
    /// The path of the file inside the repository.
    pub path: String,
}

impl FileRef {
    /// A file of the local tree.
    pub fn local(path: impl Into<String>) -> FileRef {
        FileRef {
            path: path.into(),
            remote: None,
        }
    }

    /// A file of a remote base.
    pub fn remote(remote: Remote) -> FileRef {
        let path = remote.to_string();
        FileRef {
            path,
            remote: Some(remote),
        }
    }
}

impl fmt::Display for Remote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.git_ref.is_empty() {
            write!(f, "{}:{}", self.repo, self.path)
        } else {
            write!(f, "{}@{}:{}", self.repo, self.git_ref, self.path)
        }
    }
}

/// What set a node: the meaning of a [`Pos`]'s source id.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    /// Written in `file` (a resource, a patch, an env file, a
    /// kustomization's inline patch); the position is in that file.
    File {
        /// The file's index in the [`Table`].
        file: u32,
    },
    /// Set by a kustomization entry (`images[0]`, `namespace`,
    /// `commonLabels`, a patch's entry for what the patch made without
    /// writing it); the position is the entry's, in the kustomization.
    Entry {
        /// The kustomization file.
        file: u32,
        /// The step (`ImageTagTransformer`, `PatchTransformer`...).
        kind: String,
        /// The entry (`images[0]`, `namespace`).
        field: String,
    },
    /// Made by a generator entry (`configMapGenerator[0]`); the position is
    /// the entry's, or that of the literal or file line the value came
    /// from.
    Generated {
        /// The file the position is in: the kustomization, or the env
        /// file or data file a value came from.
        file: u32,
        /// `ConfigMapGenerator`, `SecretGenerator`...
        kind: String,
        /// The generator entry (`secretGenerator[1]`).
        field: String,
        /// What in the entry the value came from (`literals[0]`,
        /// `files: app.properties`, `envs: db.env`), when known.
        from: Option<String>,
    },
    /// Copied by a replacement; the position is the replacement entry's.
    Replacement {
        /// The kustomization file.
        file: u32,
        /// The entry (`replacements[0]`).
        field: String,
        /// The source object and field (`ConfigMap/app-config data.HOST`).
        from: String,
        /// Where the copied value was set.
        value: Pos,
    },
    /// Set by the build itself (the managed-by label, origin
    /// annotations, a hash suffix without a known generator).
    Build {
        /// What it is.
        what: String,
    },
}

impl Source {
    /// The file a position of this source is in, if any.
    pub fn file(&self) -> Option<u32> {
        match self {
            Source::File { file }
            | Source::Entry { file, .. }
            | Source::Generated { file, .. }
            | Source::Replacement { file, .. } => Some(*file),
            Source::Build { .. } => None,
        }
    }
}

/// The files and sources of one build's provenance.
#[derive(Clone, Debug, Default)]
pub struct Table {
    files: Vec<FileRef>,
    sources: Vec<Source>,
}

/// A [`Pos`] resolved through a [`Table`].
#[derive(Clone, Copy, Debug)]
pub struct Place<'a> {
    /// The file the line and column are in (none for [`Source::Build`]).
    pub file: Option<&'a FileRef>,
    /// 1-based line, 0 when unknown.
    pub line: u32,
    /// 1-based column, 0 when unknown.
    pub col: u32,
    /// What set the node.
    pub source: &'a Source,
}

impl Place<'_> {
    /// `file:line` (`repo@ref:path:line` for a remote base), or the
    /// build's description for what the build set itself.
    pub fn location(&self) -> String {
        match (self.file, self.source) {
            (Some(f), _) if self.line > 0 => format!("{}:{}", f.path, self.line),
            (Some(f), _) => f.path.clone(),
            (None, Source::Build { what }) => format!("({what})"),
            (None, _) => String::from("(unknown)"),
        }
    }
}

impl Table {
    /// The source a position names (`None` for source 0 or an unknown id).
    pub fn source(&self, pos: Pos) -> Option<&Source> {
        self.sources.get((pos.src as usize).checked_sub(1)?)
    }

    /// A file by its index.
    pub fn file(&self, id: u32) -> Option<&FileRef> {
        self.files.get(id as usize)
    }

    /// The files, by index.
    pub fn files(&self) -> &[FileRef] {
        &self.files
    }

    /// Resolves a position: its file, line, column and source.
    pub fn place(&self, pos: Pos) -> Option<Place<'_>> {
        let source = self.source(pos)?;
        Some(Place {
            file: source.file().and_then(|f| self.file(f)),
            line: pos.line,
            col: pos.col,
            source,
        })
    }

    /// Everything about what set a value, resolved and owned (for reports:
    /// `explain`, `check`).
    pub fn set_by(&self, pos: Pos) -> Option<SetBy> {
        let place = self.place(pos)?;
        let (what, step, entry) = match place.source {
            Source::File { .. } => (What::File, None, None),
            Source::Entry { kind, field, .. } => {
                (What::Entry, Some(kind.clone()), Some(field.clone()))
            }
            Source::Generated { kind, field, .. } => {
                (What::Generated, Some(kind.clone()), Some(field.clone()))
            }
            Source::Replacement { field, .. } => (
                What::Replacement,
                Some("ReplacementTransformer".to_string()),
                Some(field.clone()),
            ),
            Source::Build { .. } => (What::Build, None, None),
        };
        Some(SetBy {
            location: place.location(),
            file: place.file.map(|f| f.path.clone()),
            remote: place.file.and_then(|f| f.remote.clone()),
            line: place.line,
            column: place.col,
            what,
            step,
            entry,
            detail: self.detail(pos),
        })
    }

    /// A short text for what set a value beyond its place: `images[0]`,
    /// `replacements[0] from ConfigMap/cfg data.HOST (base/cm.yaml:4)`,
    /// or nothing for a value written where it is.
    pub fn detail(&self, pos: Pos) -> String {
        match self.source(pos) {
            None | Some(Source::File { .. }) => String::new(),
            Some(Source::Entry { field, .. }) => field.clone(),
            Some(Source::Generated { field, from, .. }) => match from {
                Some(from) => format!("{field} {from}"),
                None => field.clone(),
            },
            Some(Source::Replacement {
                field, from, value, ..
            }) => match self.place(*value) {
                Some(p) => format!("{field} from {from} ({})", p.location()),
                None => format!("{field} from {from}"),
            },
            Some(Source::Build { what }) => what.clone(),
        }
    }
}

/// What kind of place set a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum What {
    /// Written in a file of the tree.
    File,
    /// Set by a kustomization entry (`images:`, `namespace:`, a patch's
    /// entry...).
    Entry,
    /// Made by a generator entry.
    Generated,
    /// Copied by a replacement.
    Replacement,
    /// Set by the build itself.
    Build,
}

impl What {
    /// `file`, `entry`, `generator`, `replacement` or `build`.
    pub fn as_str(self) -> &'static str {
        match self {
            What::File => "file",
            What::Entry => "entry",
            What::Generated => "generator",
            What::Replacement => "replacement",
            What::Build => "build",
        }
    }
}

/// A value's place, resolved (see [`Table::set_by`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetBy {
    /// `file:line` as an editor opens it (`repo@ref:path:line` for a
    /// remote base).
    pub location: String,
    /// The file (`None` for what the build set itself).
    pub file: Option<String>,
    /// For a file of a remote base: its repository, ref and path.
    pub remote: Option<Remote>,
    /// 1-based line, 0 when unknown.
    pub line: u32,
    /// 1-based column, 0 when unknown.
    pub column: u32,
    /// What kind of place it is.
    pub what: What,
    /// The step (`ImageTagTransformer`), for entries, generators and
    /// replacements.
    pub step: Option<String>,
    /// The kustomization entry (`images[0]`).
    pub entry: Option<String>,
    /// [`Table::detail`]'s text.
    pub detail: String,
}

/// The provenance being recorded during a build (shared by the
/// kustomizations built in parallel).
#[derive(Debug, Default)]
pub(crate) struct Registry {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    table: Table,
    file_ids: HashMap<FileRef, u32>,
    /// The id of each file's [`Source::File`].
    file_sources: HashMap<u32, u32>,
}

impl Registry {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The index of a file, registered on first use.
    pub(crate) fn file(&self, f: FileRef) -> u32 {
        let mut inner = self.lock();
        if let Some(&id) = inner.file_ids.get(&f) {
            return id;
        }
        let id = inner.table.files.len() as u32;
        inner.table.files.push(f.clone());
        inner.file_ids.insert(f, id);
        id
    }

    /// A new source id (1-based). Sources are not looked up: a base built
    /// for two overlays registers its entries twice, which costs less than
    /// hashing every source.
    pub(crate) fn source(&self, s: Source) -> u32 {
        let mut inner = self.lock();
        if let Source::File { file } = s
            && let Some(&id) = inner.file_sources.get(&file)
        {
            return id;
        }
        inner.table.sources.push(s.clone());
        let id = inner.table.sources.len() as u32;
        if let Source::File { file } = s {
            inner.file_sources.insert(file, id);
        }
        id
    }

    /// The source id of values written in a file.
    pub(crate) fn file_source(&self, f: FileRef) -> u32 {
        let file = self.file(f);
        self.source(Source::File { file })
    }

    /// The finished table.
    pub(crate) fn into_table(self) -> Table {
        self.inner
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())
            .table
    }
}

/// Gives every node of a freshly parsed file the file's source id (their
/// lines and columns are already the file's).
pub(crate) fn stamp_file(node: &mut Node, src: u32) {
    walk_positions(node, &mut |p| p.src = src);
}

/// Where inline text (a kustomization's `patch: |` value) starts in the
/// kustomization file: positions read from the text are moved there.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Inline {
    /// The kustomization file's source id.
    pub(crate) src: u32,
    /// The file line of the text's first line.
    pub(crate) line: u32,
    /// The file column of the text's first character.
    pub(crate) col: u32,
    /// The file column (1-based) at which the text's other lines start.
    pub(crate) indent: u32,
    /// Lines dropped from the start of the text (it is trimmed).
    pub(crate) skipped: u32,
}

impl Inline {
    /// Where the inline value `scalar` (as parsed from the kustomization
    /// file, whose source is `src`) puts its text, once trimmed.
    pub(crate) fn of(scalar: &rustomize_yaml::Scalar, src: u32) -> Inline {
        use rustomize_yaml::Style;
        let text = &scalar.value;
        let trimmed = text.trim_start();
        let skipped = text[..text.len() - trimmed.len()].matches('\n').count() as u32;
        let (col, indent) = match scalar.style {
            Style::SingleQuoted | Style::DoubleQuoted => (scalar.col + 1, scalar.col + 1),
            _ => (scalar.col, scalar.col),
        };
        Inline {
            src,
            line: scalar.line,
            col,
            indent,
            skipped,
        }
    }

    /// Moves a position read from the (trimmed) text to the file.
    fn map(&self, p: &mut Pos) {
        p.src = self.src;
        if p.line == 0 {
            p.line = self.line;
            p.col = 0;
            return;
        }
        let text_line = p.line + self.skipped;
        p.col = match p.col {
            0 => 0,
            c if text_line == 1 => self.col + c - 1,
            c => self.indent + c - 1,
        };
        p.line = self.line + text_line - 1;
    }
}

/// Moves every node of inline text parsed on its own to its place in the
/// kustomization file.
pub(crate) fn stamp_inline(node: &mut Node, at: &Inline) {
    walk_positions(node, &mut |p| at.map(p));
}

/// Calls `f` on the position of every node and map key.
fn walk_positions(node: &mut Node, f: &mut impl FnMut(&mut Pos)) {
    let mut pos = node.pos();
    f(&mut pos);
    node.set_pos(pos);
    match node {
        Node::Scalar(_) => {}
        Node::Seq(seq) => {
            for item in &mut seq.items {
                walk_positions(item, f);
            }
        }
        Node::Map(m) => {
            for e in &mut m.entries {
                let mut pos = e.key.pos();
                f(&mut pos);
                e.key.set_pos(pos);
                walk_positions(&mut e.value, f);
            }
        }
    }
}

/// How a step stamps what it set: one place, or (labels and annotations)
/// a place per key, for the map entries of those keys.
#[derive(Clone, Debug, Default)]
pub(crate) struct Stamp {
    /// The step's place.
    pub(crate) pos: Pos,
    /// Places of keys the step sets (`commonLabels: {app: x}`): an entry
    /// with one of these keys, and what is under it, gets the key's place.
    pub(crate) keys: BTreeMap<String, Pos>,
}

/// Gives the nodes that have no source (made or changed by the step that
/// just ran) the step's place. This walk runs after every step of a build
/// that records provenance, over every resource, so it is kept lean.
pub(crate) fn stamp_unset(node: &mut Node, stamp: &Stamp) {
    if stamp.keys.is_empty() {
        stamp_all_unset(node, stamp.pos);
    } else {
        stamp_keyed(node, stamp, stamp.pos);
    }
}

fn stamp_keyed(node: &mut Node, stamp: &Stamp, pos: Pos) {
    match node {
        Node::Scalar(s) => {
            if s.src == 0 {
                s.set_pos(pos);
            }
        }
        Node::Seq(seq) => {
            if seq.src == 0 {
                (seq.src, seq.line, seq.col) = (pos.src, pos.line, pos.col);
            }
            for item in &mut seq.items {
                stamp_keyed(item, stamp, pos);
            }
        }
        Node::Map(m) => {
            if m.src == 0 {
                (m.src, m.line, m.col) = (pos.src, pos.line, pos.col);
            }
            for e in &mut m.entries {
                // A key's own place is looked up only where the step set
                // something under it.
                let here = if e.key.src == 0 || e.value.src() == 0 {
                    stamp.keys.get(e.key.value.as_str()).copied().unwrap_or(pos)
                } else {
                    pos
                };
                if e.key.src == 0 {
                    e.key.set_pos(here);
                }
                stamp_keyed(&mut e.value, stamp, here);
            }
        }
    }
}

/// Gives every node without a source the place `pos`.
pub(crate) fn stamp_all_unset(node: &mut Node, pos: Pos) {
    match node {
        Node::Scalar(s) => {
            if s.src == 0 {
                s.set_pos(pos);
            }
        }
        Node::Seq(seq) => {
            if seq.src == 0 {
                (seq.src, seq.line, seq.col) = (pos.src, pos.line, pos.col);
            }
            for item in &mut seq.items {
                stamp_all_unset(item, pos);
            }
        }
        Node::Map(m) => {
            if m.src == 0 {
                (m.src, m.line, m.col) = (pos.src, pos.line, pos.col);
            }
            for e in &mut m.entries {
                if e.key.src == 0 {
                    e.key.set_pos(pos);
                }
                stamp_all_unset(&mut e.value, pos);
            }
        }
    }
}

/// Places `node` and everything under it at `pos` (a value a step copied
/// whole, as a replacement does).
pub(crate) fn stamp_subtree(node: &mut Node, pos: Pos) {
    walk_positions(node, &mut |p| *p = pos);
}

/// When `new` replaces `old` with the same text, `new` keeps `old`'s
/// place: rewriting a value is not setting it.
pub(crate) fn keep_if_same(old: &Node, new: &mut Node) {
    if let (Node::Scalar(a), Node::Scalar(b)) = (old, &mut *new)
        && a.value == b.value
        && a.src != 0
    {
        b.set_pos(a.pos());
    }
}
