//! A kustomization file being edited: its text, and top-level fields set
//! or removed one at a time, each change checked by reading the result
//! back.

use crate::cst::{Cst, Entry, Kind, Node, Style, SyntaxError};
use crate::reconcile::{self, Ctx, Slot, Splice};
use crate::render;
use crate::value::Value;

/// Why a document could not be changed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DocError {
    /// The text is not YAML.
    #[error(transparent)]
    Syntax(#[from] SyntaxError),
    /// The document is not a mapping.
    #[error("the document is a {0}, not a mapping")]
    NotAMapping(&'static str),
    /// An edit did not read back as intended (a bug: nothing is written).
    #[error("internal error: after the edit, field '{field}' would not read back as intended")]
    Verify {
        /// The field.
        field: String,
    },
}

/// A document and the edits made to it so far.
#[derive(Clone, Debug)]
pub struct Doc {
    cst: Cst,
}

impl Doc {
    /// Parses `text`.
    pub fn parse(text: impl Into<String>) -> Result<Doc, DocError> {
        let cst = Cst::parse(text)?;
        if let Some(root) = &cst.root {
            match &root.kind {
                crate::cst::Kind::Map { .. } => {}
                crate::cst::Kind::Scalar { .. }
                    if root
                        .scalar()
                        .is_some_and(|s| matches!(s, "" | "~" | "null" | "Null" | "NULL")) => {}
                crate::cst::Kind::Seq { .. } => return Err(DocError::NotAMapping("sequence")),
                _ => return Err(DocError::NotAMapping("scalar")),
            }
        }
        Ok(Doc { cst })
    }

    /// The current text.
    pub fn text(&self) -> &str {
        &self.cst.text
    }

    /// The syntax tree of the current text.
    pub fn cst(&self) -> &Cst {
        &self.cst
    }

    /// The top-level keys, in written order.
    pub fn keys(&self) -> Vec<String> {
        self.cst
            .root
            .as_ref()
            .and_then(|r| r.entries())
            .map(|es| {
                es.iter()
                    .filter_map(|e| e.key.scalar().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Every top-level field and what it holds, decoded in one pass.
    pub fn fields(&self) -> Vec<(String, Value)> {
        let Some(root) = &self.cst.root else {
            return Vec::new();
        };
        let mut ctx = Ctx::new(&self.cst);
        match ctx.read(root) {
            Value::Map(m) => m,
            _ => Vec::new(),
        }
    }

    /// What the top-level field `field` holds (the last entry of a
    /// repeated key), if it is present.
    pub fn get(&self, field: &str) -> Option<Value> {
        let root = self.cst.root.as_ref()?;
        let entry = root.entry(field)?;
        let mut ctx = Ctx::new(&self.cst);
        Some(ctx.read(&entry.value))
    }

    /// Sets the top-level field `field` to `want`, or removes it when
    /// `want` is `None`. A new field goes at the end of the document, as
    /// kustomize puts fields the file did not have.
    pub fn set(&mut self, field: &str, want: Option<&Value>) -> Result<(), DocError> {
        if let Some(next) = self.with(field, want)? {
            *self = next;
        }
        Ok(())
    }

    /// The document with `field` set to `want` (removed when `None`), as
    /// [`Doc::set`] makes it; `None` when nothing changes.
    pub fn with(&self, field: &str, want: Option<&Value>) -> Result<Option<Doc>, DocError> {
        self.with_known(field, None, want)
    }

    /// [`Doc::with`], told what `field` holds now (`have`, as it reads in
    /// this document), which saves reading it again. The result is
    /// verified all the same.
    pub fn with_known(
        &self,
        field: &str,
        have: Option<&Value>,
        want: Option<&Value>,
    ) -> Result<Option<Doc>, DocError> {
        let splices = self.splices(field, have, want);
        if splices.is_empty() {
            return Ok(None);
        }
        let verify = || DocError::Verify {
            field: field.to_string(),
        };
        let text = reconcile::apply(&self.cst.text, &splices);
        let next = Doc::parse(text).map_err(|_| verify())?;
        if !self.reads_back(&next, field, want) {
            return Err(verify());
        }
        Ok(Some(next))
    }

    /// The text, taken out of the document.
    pub fn into_text(self) -> String {
        self.cst.text
    }

    /// Whether `next` means what this document means, except that `field`
    /// now holds `want` (or is gone).
    fn reads_back(&self, next: &Doc, field: &str, want: Option<&Value>) -> bool {
        let (Some(old), Some(new)) = (top_entries(&self.cst), top_entries(&next.cst)) else {
            return self.reads_back_by_value(next, field, want);
        };
        let field_ok = match (get(&new, field), want) {
            (None, None) => true,
            (Some(e), Some(w)) => Ctx::new(&next.cst).read(&e.value).same(w),
            _ => false,
        };
        if !field_ok
            || new
                .iter()
                .any(|(k, _)| *k != field && get(&old, k).is_none())
        {
            return false;
        }
        // Every other field: the same text at the same column means the
        // same (the documents have no anchors, and kept-chomping blocks,
        // whose meaning reaches past their text, are compared by value).
        let (mut old_ctx, mut new_ctx) = (Ctx::new(&self.cst), Ctx::new(&next.cst));
        old.iter().filter(|(k, _)| *k != field).all(|(k, a)| {
            let Some(b) = get(&new, k) else {
                return false;
            };
            let same_text = self.cst.column(a.key.start) == next.cst.column(b.key.start)
                && self.cst.text[a.key.start..a.value.end]
                    == next.cst.text[b.key.start..b.value.end]
                && !kept_block(&self.cst, &a.value);
            same_text || old_ctx.read(&a.value).same(&new_ctx.read(&b.value))
        })
    }

    /// [`Doc::reads_back`] by decoding every field of both documents (for
    /// documents with anchors or keys that are not scalars).
    fn reads_back_by_value(&self, next: &Doc, field: &str, want: Option<&Value>) -> bool {
        let before: Vec<(String, Value)> = self
            .fields()
            .into_iter()
            .filter(|(k, _)| k != field)
            .collect();
        let after = next.fields();
        let get = |k: &str| after.iter().rev().find(|(k2, _)| k2 == k).map(|(_, v)| v);
        let field_ok = match want {
            None => get(field).is_none(),
            Some(w) => get(field).is_some_and(|v| v.same(w)),
        };
        field_ok
            && after
                .iter()
                .all(|(k, _)| k == field || before.iter().any(|(k2, _)| k2 == k))
            && before
                .iter()
                .all(|(k, v)| get(k).is_some_and(|v2| v2.same(v)))
    }

    fn splices(&self, field: &str, have: Option<&Value>, want: Option<&Value>) -> Vec<Splice> {
        let cst = &self.cst;
        let mut ctx = Ctx::new(cst);
        let mut out = Vec::new();
        let root = cst.root.as_ref();
        let entry = root.and_then(|r| r.entry(field));
        match (entry, want) {
            (None, None) => {}
            (Some(e), Some(w)) => {
                let key_col = cst.column(e.key.start);
                let colon_end = reconcile::colon_after(cst, e.key.end);
                let slot = if root.is_some_and(|r| r.is_flow()) {
                    Slot::Flow
                } else {
                    Slot::MapValue { key_col, colon_end }
                };
                reconcile::reconcile_known(&mut ctx, &e.value, slot, have, w, &mut out);
            }
            (Some(_), None) | (None, Some(_)) => {
                let Some(root) = root.filter(|r| r.entries().is_some()) else {
                    // An empty document (or `~`): the field becomes its
                    // first content.
                    if let Some(w) = want {
                        out.push(self.append_top(&mut ctx, field, w, true));
                    }
                    return out;
                };
                let mut map: Vec<(String, Value)> = match ctx.read(root) {
                    Value::Map(m) => m,
                    _ => Vec::new(),
                };
                map.retain(|(k, _)| k != field);
                if let Some(w) = want {
                    if !root.is_flow() {
                        out.push(self.append_top(&mut ctx, field, w, false));
                        return out;
                    }
                    map.push((field.to_string(), w.clone()));
                }
                if root.is_flow() || map.is_empty() {
                    reconcile::reconcile(&mut ctx, root, Slot::Root, &Value::Map(map), &mut out);
                } else {
                    self.delete_top(&ctx, field, &mut out);
                }
            }
        }
        out
    }

    /// The splice adding `field: want` at the end of the document.
    fn append_top(
        &self,
        ctx: &mut Ctx<'_>,
        field: &str,
        want: &Value,
        replace_root: bool,
    ) -> Splice {
        let cst = &self.cst;
        let nl = cst.newline();
        let mut lines = Vec::new();
        render::entry_lines(field, want, 0, &ctx.layout(), &mut lines);
        let body = lines.join(nl);
        if replace_root
            && let Some(root) = &cst.root
            && root.end > root.start
        {
            // `~` or `null` as the whole document.
            return Splice {
                start: root.start,
                end: root.end,
                text: body,
            };
        }
        let at = cst.doc_end;
        let before = &cst.text[..at];
        let mut text = String::new();
        if !before.is_empty() && !before.ends_with('\n') {
            text.push_str(nl);
        }
        if ctx.layout().blank_between_top && cst.root.is_some() {
            text.push_str(nl);
        }
        text.push_str(&body);
        if at < cst.text.len() || before.ends_with('\n') || before.is_empty() {
            text.push_str(nl);
        }
        Splice {
            start: at,
            end: at,
            text,
        }
    }

    fn delete_top(&self, ctx: &Ctx<'_>, field: &str, out: &mut Vec<Splice>) {
        let cst = &self.cst;
        let Some(root) = &cst.root else { return };
        let Some(entries) = root.entries() else {
            return;
        };
        for e in entries.iter().filter(|e| e.key.scalar() == Some(field)) {
            let start = cst.line_start(e.key.start);
            let mut end = cst.line_end(e.value.end);
            // Fields kept apart by blank lines: take one blank line along.
            if ctx.layout().blank_between_top {
                let next = cst.line_end(end);
                if end < cst.text.len() && cst.text[end..next].trim().is_empty() {
                    end = next;
                }
            }
            let _ = field;
            let splice = delete_keeping_comments(cst, start, end);
            out.push(splice);
        }
    }
}

/// The top-level entries by key, the last of a repeated key winning;
/// `None` when keys and values cannot be compared by their text (anchors,
/// keys that are not scalars).
fn top_entries(cst: &Cst) -> Option<Vec<(&str, &Entry)>> {
    if cst.aliases {
        return None;
    }
    let Some(root) = &cst.root else {
        return Some(Vec::new());
    };
    let entries = match &root.kind {
        Kind::Map { entries, .. } => entries,
        _ => return Some(Vec::new()),
    };
    let mut out: Vec<(&str, &Entry)> = Vec::with_capacity(entries.len());
    for e in entries {
        let k = e.key.scalar()?;
        out.retain(|(k2, _)| *k2 != k);
        out.push((k, e));
    }
    Some(out)
}

/// The entry of `k` among `top_entries`.
fn get<'a>(entries: &[(&str, &'a Entry)], k: &str) -> Option<&'a Entry> {
    entries.iter().find(|(k2, _)| *k2 == k).map(|(_, e)| *e)
}

/// Whether a block scalar with `+` (keep) chomping is under `n`: its
/// meaning includes blank lines after its text.
fn kept_block(cst: &Cst, n: &Node) -> bool {
    match &n.kind {
        Kind::Scalar {
            style: Style::Literal | Style::Folded,
            ..
        } => {
            let header = &cst.text[n.body..cst.line_end(n.body)];
            header
                .split([' ', '#', '\n'])
                .next()
                .is_some_and(|h| h.contains('+'))
        }
        Kind::Scalar { .. } | Kind::Alias(_) => false,
        Kind::Seq { items, .. } => items.iter().any(|i| kept_block(cst, i)),
        Kind::Map { entries, .. } => entries.iter().any(|e| kept_block(cst, &e.value)),
    }
}

fn delete_keeping_comments(cst: &Cst, start: usize, end: usize) -> Splice {
    let mut kept = String::new();
    let mut pos = start;
    let scalars: Vec<(usize, usize)> = Vec::new();
    while pos < end {
        let next = cst.line_end(pos).min(end);
        let line = &cst.text[pos..next];
        if line.trim_start().starts_with('#') && !scalars.iter().any(|&(a, b)| pos > a && pos < b) {
            kept.push_str(line);
            if !line.ends_with('\n') {
                kept.push_str(cst.newline());
            }
        }
        pos = next;
    }
    Splice {
        start,
        end,
        text: kept,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use indoc::indoc;

    fn v(yaml: &str) -> Value {
        let c = Cst::parse(yaml).expect("yaml");
        crate::value::decode(&c, c.root.as_ref().expect("root"), &mut Default::default())
            .expect("value")
    }

    fn set(text: &str, field: &str, want: Option<&str>) -> String {
        let mut d = Doc::parse(text).expect("parse");
        let want = want.map(v);
        d.set(field, want.as_ref()).expect("set");
        d.text().to_string()
    }

    #[test]
    fn scalar_in_place_keeps_comments_and_quotes() {
        let t = "# top\nnamespace: \"old\" # why\nresources:\n- a\n";
        assert_eq!(
            set(t, "namespace", Some("new")),
            "# top\nnamespace: \"new\" # why\nresources:\n- a\n"
        );
        let t = "namespace: old # why\n";
        assert_eq!(
            set(t, "namespace", Some("'1.0'")),
            "namespace: \"1.0\" # why\n"
        );
    }

    #[test]
    fn new_field_goes_last_in_the_file_style() {
        let t = "resources:\n  - a\n\nnamespace: x\n";
        assert_eq!(
            set(t, "components", Some("[c1, c2]")),
            "resources:\n  - a\n\nnamespace: x\n\ncomponents:\n  - c1\n  - c2\n"
        );
        let t = "resources:\r\n- a";
        assert_eq!(
            set(t, "namespace", Some("nn")),
            "resources:\r\n- a\r\nnamespace: nn"
        );
    }

    #[test]
    fn sequence_append_and_remove() {
        let t = indoc! {"
            resources:
              - a.yaml # first
              # about b
              - b.yaml
            namespace: x
        "};
        assert_eq!(
            set(t, "resources", Some("[a.yaml, b.yaml, c.yaml]")),
            "resources:\n  - a.yaml # first\n  # about b\n  - b.yaml\n  - c.yaml\nnamespace: x\n"
        );
        assert_eq!(
            set(t, "resources", Some("[b.yaml]")),
            "resources:\n  # about b\n  - b.yaml\nnamespace: x\n"
        );
        assert_eq!(
            set("resources: [a, b]\n", "resources", Some("[a, c]")),
            "resources: [a, c]\n"
        );
    }

    #[test]
    fn mapping_items_edited_and_sorted() {
        let t = indoc! {"
            images:
            - name: b # the b app
              newTag: v1 # pinned
            - name: d
        "};
        let want = "[{name: a, newTag: x}, {name: b, newTag: v2, digest: 'sha256:1'}, {name: d}]";
        assert_eq!(
            set(t, "images", Some(want)),
            "images:\n- name: a\n  newTag: x\n- digest: sha256:1\n  name: b # the b app\n  newTag: v2 # pinned\n- name: d\n"
        );
        let moved = set(t, "images", Some("[{name: d}, {name: b, newTag: v1}]"));
        assert_eq!(
            moved,
            "images:\n- name: d\n- name: b # the b app\n  newTag: v1 # pinned\n"
        );
    }

    #[test]
    fn remove_field_keeps_its_comments() {
        let t = "# about resources\nresources:\n- a\n# about ns\nnamespace: x\n";
        assert_eq!(
            set(t, "resources", None),
            "# about resources\n# about ns\nnamespace: x\n"
        );
    }

    #[test]
    fn empty_documents() {
        assert_eq!(set("", "namespace", Some("x")), "namespace: x\n");
        assert_eq!(
            set("# only a comment\n", "namespace", Some("x")),
            "# only a comment\nnamespace: x\n"
        );
        assert_eq!(set("---\n", "namespace", Some("x")), "---\nnamespace: x\n");
        assert_eq!(
            set("a: 1\n---\nb: 2\n", "namespace", Some("x")),
            "a: 1\nnamespace: x\n---\nb: 2\n"
        );
    }

    #[test]
    fn block_scalar_values() {
        let t = "patches:\n- patch: |-\n    - op: add\n  target:\n    kind: X\n";
        let want = "[{patch: \"- op: add\", target: {kind: X}}, {path: p.yaml}]";
        assert_eq!(
            set(t, "patches", Some(want)),
            "patches:\n- patch: |-\n    - op: add\n  target:\n    kind: X\n- path: p.yaml\n"
        );
    }

    #[test]
    fn reading_back_catches_other_fields_changing() {
        let check = |old: &str, new: &str, field: &str, want: Option<&str>| {
            let (old, new) = (Doc::parse(old).expect("old"), Doc::parse(new).expect("new"));
            old.reads_back(&new, field, want.map(v).as_ref())
        };
        let base = "a: 1\nb: 2 # c\n";
        // The edit itself, and only it.
        assert!(check(base, "a: 5\nb: 2 # c\n", "a", Some("5")));
        assert!(!check(base, "a: 5\nb: 2 # c\n", "a", Some("6")));
        assert!(!check(base, "a: 5\nb: 3 # c\n", "a", Some("5")));
        assert!(!check(base, "a: 5\nb: 2\nc: 3\n", "a", Some("5")));
        assert!(!check(base, "a: 5\n", "a", Some("5")));
        assert!(check(base, "b: 2 # c\n", "a", None));
        // Other text that means the same is accepted (read by value).
        assert!(!check(base, "a: 5\nb: '2'\n", "a", Some("5")));
        assert!(check(base, "a: 5\nb: 0x2\n", "a", Some("5")));
        // A kept block's meaning reaches past its text.
        let kept = "a: |+\n  x\n\nb: 1\n";
        assert!(!check(kept, "a: |+\n  x\nb: 2\n", "b", Some("2")));
        assert!(check(kept, "a: |+\n  x\n\nb: 2\n", "b", Some("2")));
        // With anchors, every field is compared by value.
        let anchored = "a: &x [1]\nb: *x\nc: 1\n";
        assert!(check(anchored, "a: &x [1]\nb: *x\nc: 2\n", "c", Some("2")));
        assert!(!check(anchored, "a: &x [2]\nb: *x\nc: 2\n", "c", Some("2")));
    }

    #[test]
    fn map_keys_insert_sorted() {
        let t = "commonLabels:\n  app: web # the app\n  tier: fe\n";
        assert_eq!(
            set(t, "commonLabels", Some("{app: web, tier: fe, env: prod}")),
            "commonLabels:\n  app: web # the app\n  env: prod\n  tier: fe\n"
        );
        let t = "commonLabels: {app: web}\n";
        assert_eq!(
            set(t, "commonLabels", Some("{app: web, b: 'on'}")),
            "commonLabels: {app: web, b: \"on\"}\n"
        );
    }
}
