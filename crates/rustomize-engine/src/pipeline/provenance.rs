//! Recording field provenance during a build (see
//! [`crate::model::provenance`]): the places of files, of kustomization
//! entries and of what generators read, as each kustomization is loaded.
//! Nothing here runs unless [`BuildOptions::provenance`](super::BuildOptions::provenance)
//! is set.

use super::UnmatchedTarget;
use super::target::Target;
use crate::model::kustomization::GeneratorArgs;
use crate::model::provenance::{
    self, FileRef, Inline, Registry, Remote, Source, Stamp, stamp_all_unset,
};
use crate::model::resmap::ResMap;
use crate::model::resource::Resource;
use crate::steps::Miss;
use crate::steps::generate::kv;
use crate::steps::transform::replacements::Placer;
use rustomize_yaml::{Node, Pos};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Gives the nodes of a patch their places.
pub(super) type NodeStamper<'a> = Box<dyn Fn(&mut Node) + 'a>;

/// The clone a remote build target was read from.
#[derive(Clone, Debug)]
pub(super) struct TopRemote {
    pub(super) clone_root: PathBuf,
    pub(super) repo: String,
    pub(super) git_ref: String,
}

impl Target<'_> {
    /// The provenance registry, when the build records provenance.
    pub(super) fn registry(&self) -> Option<&Registry> {
        self.ctx.provenance.as_deref()
    }

    /// How the user names the file at `path` (read through this
    /// kustomization's loader): by repository, ref and path for a remote
    /// base, else as messages show paths.
    pub(super) fn file_ref(&self, path: &Path) -> FileRef {
        let remote = match self.ldr.repo() {
            Some(r) => Some((r.clone_root.as_path(), r.repo.as_str(), r.git_ref.as_str())),
            None => self
                .ctx
                .top_remote
                .as_ref()
                .map(|r| (r.clone_root.as_path(), r.repo.as_str(), r.git_ref.as_str())),
        };
        if let Some((root, repo, git_ref)) = remote
            && let Ok(rel) = path.strip_prefix(root)
        {
            return FileRef::remote(Remote {
                repo: repo.to_string(),
                git_ref: git_ref.to_string(),
                path: rel.display().to_string(),
            });
        }
        FileRef::local(self.ctx.display(path))
    }

    /// The source id of values written in `rel`, a file of this
    /// kustomization (0 when provenance is off).
    pub(super) fn file_src(&self, rel: &str) -> u32 {
        match self.registry() {
            Some(reg) => reg.file_source(self.file_ref(&self.ldr.join(rel))),
            None => 0,
        }
    }

    /// The node of a kustomization field (`images`), matched as kustomize
    /// matches field names (exactly, else ignoring case).
    fn field_node(&self, field: &str) -> Option<&rustomize_yaml::Entry> {
        let top = self.places.as_ref()?.node.as_map()?;
        top.entry(field).or_else(|| {
            top.entries
                .iter()
                .find(|e| e.key.value.eq_ignore_ascii_case(field))
        })
    }

    /// The place of an entry of this kustomization: a list field's item
    /// (`images[0]`), or a field's value (`namespace: prod`); for a map
    /// field (`commonLabels`), its key. Falls back to the field's key, then
    /// to the file's start.
    pub(super) fn entry_place(&self, field: &str, index: Option<usize>) -> (u32, u32) {
        let Some(e) = self.field_node(field) else {
            return (0, 0);
        };
        let node = match (index, &e.value) {
            (Some(i), Node::Seq(s)) => s.items.get(i),
            (None, n @ Node::Scalar(_)) => Some(n),
            _ => None,
        };
        match node {
            Some(n) if n.line() > 0 => (n.line(), n.pos().col),
            _ => (e.key.line, e.key.col),
        }
    }

    /// The entry node `field[index]` (or the field's value).
    pub(super) fn entry_node(&self, field: &str, index: Option<usize>) -> Option<&Node> {
        let e = self.field_node(field)?;
        match index {
            Some(i) => e.value.as_seq()?.get(i),
            None => Some(&e.value),
        }
    }

    /// How a builtin step of this kustomization stamps what it sets:
    /// the entry's place, and for labels and annotations the place of
    /// each key.
    pub(super) fn step_stamp(
        &self,
        kind: &str,
        field: &str,
        index: Option<usize>,
    ) -> Option<Stamp> {
        let reg = self.registry()?;
        let places = self.places.as_ref()?;
        // `commonLabels` runs (with no labels) whenever `labels` has
        // entries: with nothing to set, nothing to walk for.
        if field == "commonLabels"
            && self
                .kust
                .common_labels
                .as_ref()
                .is_none_or(|l| l.is_empty())
        {
            return None;
        }
        let name = match index {
            Some(i) => format!("{field}[{i}]"),
            None => field.to_string(),
        };
        let src = reg.source(Source::Entry {
            file: places.file,
            kind: kind.to_string(),
            field: name,
        });
        let (line, col) = self.entry_place(field, index);
        let mut keys = BTreeMap::new();
        let pairs = match (field, self.entry_node(field, index)) {
            ("labels", Some(entry)) => entry.get("pairs"),
            ("commonLabels" | "commonAnnotations", value) => value,
            _ => None,
        };
        if let Some(Node::Map(m)) = pairs {
            for e in &m.entries {
                keys.insert(
                    e.key.value.to_string(),
                    Pos {
                        src,
                        line: e.key.line,
                        col: e.key.col,
                    },
                );
            }
        }
        Some(Stamp {
            pos: Pos { src, line, col },
            keys,
        })
    }

    /// Stamps the nodes of a patch (or other text) an entry names:
    /// `path` (a file of this kustomization) or the inline text written at
    /// `field[index].patch` (or `.jsonOp`, or the field's value itself).
    pub(super) fn patch_positions(
        &self,
        path: &str,
        field: &str,
        index: Option<usize>,
        inline_key: &str,
    ) -> Option<NodeStamper<'_>> {
        let places = self.places.as_ref()?;
        if !path.is_empty() {
            let src = self.file_src(path);
            return Some(Box::new(move |n: &mut Node| provenance::stamp_file(n, src)));
        }
        let entry = self.entry_node(field, index)?;
        let scalar = match entry {
            Node::Scalar(s) => s,
            other => other.get(inline_key)?.as_scalar()?,
        };
        let at = Inline::of(scalar, places.src);
        Some(Box::new(move |n: &mut Node| {
            provenance::stamp_inline(n, &at)
        }))
    }

    /// Stamps what a generator entry made (`configMapGenerator[1]`): each
    /// data key by the literal, file or env file line it came from, the
    /// rest by the entry.
    pub(super) fn stamp_generated(
        &self,
        made: &mut [Resource],
        kind: &str,
        field: &str,
        index: usize,
        args: Option<&GeneratorArgs>,
    ) -> Option<Pos> {
        let reg = self.registry()?;
        let places = self.places.as_ref()?;
        let name = format!("{field}[{index}]");
        let whole = |from: Option<String>, file: u32| {
            reg.source(Source::Generated {
                file,
                kind: kind.to_string(),
                field: name.clone(),
                from,
            })
        };
        let (line, col) = self.entry_place(field, Some(index));
        let entry_pos = Pos {
            src: whole(None, places.file),
            line,
            col,
        };
        let keys = match args {
            Some(args) => self.generated_keys(args, field, index, &whole),
            None => HashMap::new(),
        };
        for r in made.iter_mut() {
            for data in ["data", "binaryData", "stringData"] {
                if let Some(Node::Map(m)) = r.node.get_mut(data) {
                    for e in &mut m.entries {
                        if let Some(pos) = keys.get(e.key.value.as_str()) {
                            e.key.set_pos(*pos);
                            e.value.set_pos(*pos);
                        }
                    }
                }
            }
            stamp_all_unset(&mut r.node, entry_pos);
        }
        Some(entry_pos)
    }

    /// The place of each key a generator entry reads.
    fn generated_keys(
        &self,
        args: &GeneratorArgs,
        field: &str,
        index: usize,
        source: &dyn Fn(Option<String>, u32) -> u32,
    ) -> HashMap<String, Pos> {
        let mut out = HashMap::new();
        let Some(places) = self.places.as_ref() else {
            return out;
        };
        let entry = self.entry_node(field, Some(index));
        let item = |list: &str, j: usize| {
            entry
                .and_then(|e| e.get(list))
                .and_then(|l| l.as_seq())
                .and_then(|l| l.get(j))
                .map_or((0, 0), |n| (n.line(), n.pos().col))
        };
        let mut envs: Vec<&String> = args.envs.iter().collect();
        if !args.env.is_empty() {
            envs.push(&args.env);
        }
        for path in envs {
            let Some(reg) = self.registry() else { break };
            let Ok(bytes) = self.ldr.load(path) else {
                continue;
            };
            let file = reg.file(self.file_ref(&self.ldr.join(path)));
            let src = source(Some(format!("envs: {path}")), file);
            for (n, line) in String::from_utf8_lossy(&bytes).lines().enumerate() {
                let trimmed = line.trim_start();
                if trimmed.is_empty() || trimmed.starts_with('#') {
                    continue;
                }
                let key = trimmed.split_once('=').map_or(trimmed, |(k, _)| k);
                out.insert(
                    key.to_string(),
                    Pos {
                        src,
                        line: n as u32 + 1,
                        col: (line.len() - trimmed.len()) as u32 + 1,
                    },
                );
            }
        }
        for (j, literal) in args.literals.iter().enumerate() {
            let key = literal.split_once('=').map_or(literal.as_str(), |(k, _)| k);
            let (line, col) = item("literals", j);
            let src = source(Some(format!("literals[{j}]")), places.file);
            out.insert(key.to_string(), Pos { src, line, col });
        }
        for (j, file_source) in args.files.iter().enumerate() {
            let Ok((key, path)) = kv::parse_file_source(file_source) else {
                continue;
            };
            let (line, col) = item("files", j);
            let src = source(Some(format!("files: {path}")), places.file);
            out.insert(key, Pos { src, line, col });
        }
        out
    }
}

/// Gives what the build set itself (the managed-by label, build metadata
/// annotations) a place saying so.
pub(super) fn stamp_build(rm: &mut ResMap, reg: &Registry, what: &str) {
    let src = reg.source(Source::Build {
        what: what.to_string(),
    });
    let pos = Pos {
        src,
        line: 0,
        col: 0,
    };
    for r in rm.resources_mut_keeping_ids() {
        stamp_all_unset(&mut r.node, pos);
    }
}

impl Target<'_> {
    /// Records a target that selected nothing, placed at its entry (for a
    /// replacement, at the target's `select`).
    pub(super) fn note_unmatched(&self, field: &str, index: Option<usize>, miss: Miss) {
        let index = index.or(miss.entry);
        let mut name = match index {
            Some(i) => format!("{field}[{i}]"),
            None => field.to_string(),
        };
        let (mut line, mut col) = self.entry_place_any(field, index);
        if let Some(j) = miss.target {
            name.push_str(&format!(".targets[{j}]"));
            let entry = self.entry_node_any(field, index);
            let at = entry
                .as_ref()
                .and_then(|e| e.get("targets"))
                .and_then(|t| t.as_seq())
                .and_then(|t| t.get(j));
            if let Some(n) = at.filter(|n| n.line() > 0) {
                (line, col) = (n.line(), n.pos().col);
            }
        }
        let kust = self.ldr.root().join(
            Path::new(&self.file)
                .file_name()
                .unwrap_or(std::ffi::OsStr::new("kustomization.yaml")),
        );
        let file = self.file_ref(&kust);
        self.ctx
            .unmatched
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(UnmatchedTarget {
                file: self.file.clone(),
                remote: file.remote,
                field: name,
                line,
                col,
                selector: miss.selector,
            });
    }

    /// [`Target::entry_place`], also when the build does not record
    /// provenance (the file is parsed again then: only for reports).
    fn entry_place_any(&self, field: &str, index: Option<usize>) -> (u32, u32) {
        if self.places.is_some() {
            return self.entry_place(field, index);
        }
        let Some(node) = self.reparsed() else {
            return (0, 0);
        };
        let Some(e) = node.as_map().and_then(|m| m.entry(field)) else {
            return (0, 0);
        };
        match (index, &e.value) {
            (Some(i), Node::Seq(s)) => s
                .items
                .get(i)
                .map_or((e.key.line, e.key.col), |n| (n.line(), n.pos().col)),
            _ => (e.key.line, e.key.col),
        }
    }

    fn entry_node_any(&self, field: &str, index: Option<usize>) -> Option<Node> {
        let node = match &self.places {
            Some(p) => p.node.clone(),
            None => self.reparsed()?,
        };
        let value = node.as_map()?.get(field)?;
        match index {
            Some(i) => value.as_seq()?.get(i).cloned(),
            None => Some(value.clone()),
        }
    }

    /// The kustomization file's tree, read again.
    fn reparsed(&self) -> Option<Node> {
        let name = Path::new(&self.file).file_name()?.to_str()?;
        let bytes = self.ldr.load(name).ok()?;
        rustomize_yaml::parse::parse_one_last_key_wins(std::str::from_utf8(&bytes).ok()?).ok()
    }

    /// Field provenance of replacements: places a copied value at its
    /// `replacements` entry, saying which object and field it came from.
    pub(super) fn replacement_placer(&self) -> Option<Placer> {
        let reg = self.ctx.provenance.clone()?;
        let places = self.places.as_ref()?;
        let file = places.file;
        let entries: Vec<(u32, u32)> = (0..self.kust.replacements.len())
            .map(|i| self.entry_place("replacements", Some(i)))
            .collect();
        Some(std::sync::Arc::new(
            move |entry: usize, from: &str, value: Pos| {
                let src = reg.source(Source::Replacement {
                    file,
                    field: format!("replacements[{entry}]"),
                    from: from.to_string(),
                    value,
                });
                let (line, col) = entries.get(entry).copied().unwrap_or((0, 0));
                Pos { src, line, col }
            },
        ))
    }
}
