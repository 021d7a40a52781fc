//! Pinned versions: the `?ref=` of remote `resources:` entries and the
//! `newTag`/`digest` of `images:` entries, as `rustomize promote` and
//! `rollback` change them.
//!
//! Each change touches only the value it moves: an entry's other query
//! parameters, an image entry's other keys and their order, and every
//! comment around them stay as written.

use crate::cst::{Cst, Kind, Node, Style};
use crate::doc::DocError;
use crate::kustomization::{Kustomization, ReadError, item_get, map_set};
use crate::reconcile::Splice;
use crate::value::Value;

/// The version an image is pinned to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ImageVersion {
    /// `newTag`.
    Tag(String),
    /// `digest` (`sha256:...`).
    Digest(String),
}

impl ImageVersion {
    /// A version as given on a command line: `sha256:...` (or any
    /// `algorithm:hex`) is a digest, anything else a tag.
    pub fn parse(s: &str) -> ImageVersion {
        match s.split_once(':') {
            Some((algo, hex))
                if !algo.is_empty()
                    && algo.bytes().all(|b| b.is_ascii_alphanumeric())
                    && hex.len() >= 32
                    && hex.bytes().all(|b| b.is_ascii_hexdigit()) =>
            {
                ImageVersion::Digest(s.to_string())
            }
            _ => ImageVersion::Tag(s.to_string()),
        }
    }

    /// The tag or digest as written.
    pub fn as_str(&self) -> &str {
        match self {
            ImageVersion::Tag(s) | ImageVersion::Digest(s) => s,
        }
    }
}

impl std::fmt::Display for ImageVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An `images:` entry's pin, as read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImagePin {
    /// `name`.
    pub name: String,
    /// `newName` (empty when absent).
    pub new_name: String,
    /// `newTag` (empty when absent).
    pub new_tag: String,
    /// `digest` (empty when absent).
    pub digest: String,
}

impl ImagePin {
    /// The version this entry pins: its digest when it has one (a digest
    /// wins over a tag when the image is pulled), else its tag.
    pub fn version(&self) -> Option<ImageVersion> {
        if !self.digest.is_empty() {
            Some(ImageVersion::Digest(self.digest.clone()))
        } else if !self.new_tag.is_empty() {
            Some(ImageVersion::Tag(self.new_tag.clone()))
        } else {
            None
        }
    }
}

fn str_of(entries: &[(String, Value)], key: &str) -> String {
    match item_get(entries, key) {
        Some(Value::Str(s)) => s.clone(),
        Some(Value::Int(i)) => i.to_string(),
        Some(Value::Float(f)) => f.to_string(),
        _ => String::new(),
    }
}

fn pin_of(e: &[(String, Value)]) -> ImagePin {
    ImagePin {
        name: str_of(e, "name"),
        new_name: str_of(e, "newName"),
        new_tag: str_of(e, "newTag"),
        digest: str_of(e, "digest"),
    }
}

/// Why a pin could not be changed; nothing was changed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PinError {
    /// The text is not a valid kustomization.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The change could not be made without changing something else (a
    /// bug: nothing is written).
    #[error(transparent)]
    Render(#[from] DocError),
}

/// A kustomization file whose pins are being changed: its text, changed
/// one pin at a time, each change verified by reading the result back.
#[derive(Clone, Debug)]
pub struct PinEdit {
    text: String,
}

/// A string item of `resources:` or `components:`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListItem {
    /// `resources` or `components`.
    pub field: &'static str,
    /// Its position in the list.
    pub index: usize,
    /// The entry as written.
    pub value: String,
}

/// One step of a path from the document's root.
#[derive(Clone, Copy, Debug)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

impl PinEdit {
    /// Reads a kustomization's text (validated as `kustomize edit` reads
    /// it, without its fixes: see [`Kustomization::parse_as_written`]).
    pub fn parse(text: impl Into<String>) -> Result<PinEdit, PinError> {
        let text = text.into();
        Kustomization::parse_as_written(&text)?;
        Ok(PinEdit { text })
    }

    /// The text now.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text, taken out.
    pub fn into_text(self) -> String {
        self.text
    }

    fn kustomization(&self) -> Result<Kustomization, PinError> {
        Ok(Kustomization::parse_as_written(&self.text)?)
    }

    /// The string items of `resources:` and `components:` (a remote base
    /// may be either), in that order.
    pub fn list_items(&self) -> Vec<ListItem> {
        let Ok(k) = self.kustomization() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for field in ["resources", "components"] {
            if let Some(Value::Seq(items)) = k.get(field) {
                for (index, item) in items.iter().enumerate() {
                    if let Value::Str(value) = item {
                        out.push(ListItem {
                            field,
                            index,
                            value: value.clone(),
                        });
                    }
                }
            }
        }
        out
    }

    /// The `images:` entries, in order.
    pub fn images(&self) -> Vec<ImagePin> {
        let Ok(k) = self.kustomization() else {
            return Vec::new();
        };
        k.items("images")
            .iter()
            .filter_map(|v| match v {
                Value::Map(e) => Some(pin_of(e)),
                _ => None,
            })
            .collect()
    }

    /// Replaces item `index` of `field` (`resources`, `components`) with
    /// `value`, in place: its comments and quoting stay. Returns whether
    /// it changed.
    pub fn set_list_item(
        &mut self,
        field: &str,
        index: usize,
        value: &str,
    ) -> Result<bool, PinError> {
        self.set_scalar(&[Step::Key(field), Step::Index(index)], None, value)
    }

    /// Pins the `images:` entries named `name` to `version` (a tag
    /// replaces the entry's tag and drops its digest, which would win over
    /// it; a digest replaces the digest and drops the tag), keeping their
    /// other keys; adds `{name, newTag|digest}` at the end of the list
    /// (in the list's own style) when there is no such entry. Returns
    /// whether anything changed.
    pub fn pin_image(&mut self, name: &str, version: &ImageVersion) -> Result<bool, PinError> {
        let mut want = ImagePin {
            name: name.to_string(),
            ..ImagePin::default()
        };
        match version {
            ImageVersion::Tag(t) => want.new_tag = t.clone(),
            ImageVersion::Digest(d) => want.digest = d.clone(),
        }
        self.put_image(name, &want, false)
    }

    /// Restores the `images:` entries named `name` to `pin` (`None`: no
    /// entry), changing only their `newTag` and `digest` when an entry is
    /// there; adds the entry as `pin` has it otherwise. Returns whether
    /// anything changed.
    pub fn restore_image(&mut self, name: &str, pin: Option<&ImagePin>) -> Result<bool, PinError> {
        let Some(pin) = pin else {
            let mut k = self.kustomization()?;
            let mut items = k.items("images");
            let before = items.len();
            items.retain(|v| !matches!(v, Value::Map(e) if str_of(e, "name") == name));
            if items.len() == before {
                return Ok(false);
            }
            k.set_items("images", items);
            self.text = k.render()?;
            return Ok(true);
        };
        self.put_image(name, pin, true)
    }

    /// Makes the entries named `name` hold `want`'s tag and digest; a new
    /// entry gets `want`'s `newName` too when `with_new_name`.
    fn put_image(
        &mut self,
        name: &str,
        want: &ImagePin,
        with_new_name: bool,
    ) -> Result<bool, PinError> {
        let items = self.kustomization()?.items("images");
        let found: Vec<(usize, ImagePin)> = items
            .iter()
            .enumerate()
            .filter_map(|(i, v)| match v {
                Value::Map(e) if str_of(e, "name") == name => Some((i, pin_of(e))),
                _ => None,
            })
            .collect();
        if found.is_empty() {
            let mut e = vec![("name".to_string(), Value::str(name))];
            let new_name = if with_new_name { &want.new_name } else { "" };
            for (key, v) in [
                ("newName", new_name),
                ("newTag", want.new_tag.as_str()),
                ("digest", want.digest.as_str()),
            ] {
                if !v.is_empty() {
                    e.push((key.to_string(), Value::str(v)));
                }
            }
            let mut k = self.kustomization()?;
            let mut items = items;
            items.push(Value::Map(e));
            k.set_items("images", items);
            self.text = k.render()?;
            return Ok(true);
        }
        let mut changed = false;
        for (i, have) in found {
            let path = |key| [Step::Key("images"), Step::Index(i), Step::Key(key)];
            let pairs = [
                ("newTag", &have.new_tag, &want.new_tag),
                ("digest", &have.digest, &want.digest),
            ];
            // A tag for a digest (or back): the key and value change in
            // place, where the old one was.
            let only = |p: &ImagePin| match (p.new_tag.is_empty(), p.digest.is_empty()) {
                (false, true) => Some("newTag"),
                (true, false) => Some("digest"),
                _ => None,
            };
            if let (Some(from), Some(to)) = (only(&have), only(want))
                && from != to
            {
                let value = if to == "newTag" {
                    &want.new_tag
                } else {
                    &want.digest
                };
                changed |= self.set_scalar(&path(from), Some(to), value)?;
                continue;
            }
            for (key, have_v, want_v) in pairs {
                if have_v == want_v {
                    continue;
                }
                if !have_v.is_empty() && !want_v.is_empty() {
                    changed |= self.set_scalar(&path(key), None, want_v)?;
                    continue;
                }
                // A key added or removed: through the editor's reconcile.
                let mut k = self.kustomization()?;
                let mut items = k.items("images");
                if let Some(Value::Map(e)) = items.get_mut(i) {
                    if want_v.is_empty() {
                        e.retain(|(k2, _)| k2 != key);
                    } else {
                        map_set(e, key, Value::str(want_v.as_str()));
                    }
                }
                k.set_items("images", items);
                self.text = k.render()?;
                changed = true;
            }
        }
        Ok(changed)
    }

    /// Replaces the scalar at `path` with `value` (and its key with
    /// `new_key`, when given), in the scalar's own quoting style, then
    /// checks the document reads back as intended.
    fn set_scalar(
        &mut self,
        path: &[Step<'_>],
        new_key: Option<&str>,
        value: &str,
    ) -> Result<bool, PinError> {
        let cst = Cst::parse(self.text.as_str()).map_err(DocError::from)?;
        let Some((key, node)) = find(&cst, path) else {
            return Ok(false);
        };
        if node.scalar() == Some(value) && new_key.is_none() {
            return Ok(false);
        }
        let flow = in_flow(&cst, path);
        let mut splices = vec![Splice {
            start: node.body,
            end: node.end,
            text: scalar_like(node, value, flow),
        }];
        if let (Some(k), Some(key)) = (new_key, key) {
            splices.push(Splice {
                start: key.body,
                end: key.end,
                text: crate::render::key(k),
            });
        }
        let text = crate::reconcile::apply(&self.text, &splices);
        // Read back: every field as before, except the one changed value.
        let before = crate::doc::Doc::parse(self.text.as_str())?.fields();
        let after_doc = crate::doc::Doc::parse(text.as_str())?;
        let mut want = before;
        set_in(&mut want, path, new_key, value);
        let after = after_doc.fields();
        let same = want.len() == after.len()
            && want
                .iter()
                .zip(&after)
                .all(|((k1, v1), (k2, v2))| k1 == k2 && v1.same(v2));
        if !same {
            let field = match path.first() {
                Some(Step::Key(k)) => k.to_string(),
                _ => String::new(),
            };
            return Err(DocError::Verify { field }.into());
        }
        Kustomization::parse_as_written(&text)?;
        self.text = text;
        Ok(true)
    }
}

/// The node at `path` (and, when the last step is a key, its key node).
fn find<'c>(cst: &'c Cst, path: &[Step<'_>]) -> Option<(Option<&'c Node>, &'c Node)> {
    let mut node = cst.root.as_ref()?;
    let mut key = None;
    for step in path {
        match step {
            Step::Key(k) => {
                let e = node.entry(k)?;
                key = Some(&e.key);
                node = &e.value;
            }
            Step::Index(i) => {
                node = node.items()?.get(*i)?;
                key = None;
            }
        }
    }
    matches!(node.kind, Kind::Scalar { .. }).then_some((key, node))
}

/// Whether the node at `path` sits inside a flow collection.
fn in_flow(cst: &Cst, path: &[Step<'_>]) -> bool {
    let Some(mut node) = cst.root.as_ref() else {
        return false;
    };
    for step in &path[..path.len().saturating_sub(1)] {
        if node.is_flow() {
            return true;
        }
        let next = match step {
            Step::Key(k) => node.entry(k).map(|e| &e.value),
            Step::Index(i) => node.items().and_then(|items| items.get(*i)),
        };
        match next {
            Some(n) => node = n,
            None => return false,
        }
    }
    node.is_flow()
}

/// `value` written as a scalar in `old`'s style: plain stays plain when the
/// value reads back as the same string, quotes stay quotes.
fn scalar_like(old: &Node, value: &str, flow: bool) -> String {
    let style = match &old.kind {
        Kind::Scalar { style, .. } => *style,
        _ => Style::Plain,
    };
    let flow_safe = |s: &str| !flow || !s.contains([',', '[', ']', '{', '}']);
    match style {
        Style::Single => crate::render::single_quoted(value)
            .unwrap_or_else(|| crate::render::double_quoted(value)),
        Style::Double => crate::render::double_quoted(value),
        _ if crate::render::plain_ok(value) && flow_safe(value) => value.to_string(),
        _ => crate::render::double_quoted(value),
    }
}

/// Sets the value at `path` in decoded top-level fields (renaming the last
/// key when `new_key` is given).
fn set_in(fields: &mut [(String, Value)], path: &[Step<'_>], new_key: Option<&str>, value: &str) {
    let Some((Step::Key(first), rest)) = path.split_first() else {
        return;
    };
    let Some(slot) = fields.iter_mut().rev().find(|(k, _)| k == first) else {
        return;
    };
    let mut v = &mut slot.1;
    for (n, step) in rest.iter().enumerate() {
        let last = n + 1 == rest.len();
        match step {
            Step::Index(i) => match v {
                Value::Seq(items) if *i < items.len() => v = &mut items[*i],
                _ => return,
            },
            Step::Key(k) => {
                let Value::Map(entries) = v else { return };
                let Some(pos) = entries.iter().rposition(|(k2, _)| k2 == k) else {
                    return;
                };
                if last && let Some(nk) = new_key {
                    entries[pos].0 = nk.to_string();
                }
                v = &mut entries[pos].1;
            }
        }
    }
    *v = Value::str(value);
}

/// The query key and value of a remote entry's ref (`ref` or `version`,
/// the last one given, as kustomize reads it), if it has one.
pub fn entry_ref(entry: &str) -> Option<(&str, &str)> {
    let (_, query) = entry.split_once('?')?;
    query
        .split('&')
        .filter_map(|p| p.split_once('='))
        .rfind(|(k, _)| matches!(*k, "ref" | "version"))
}

/// `entry` with its ref set to `git_ref`: the value of its `ref=` (or
/// `version=`) parameter replaced, every other byte kept; `?ref=...` (or
/// `&ref=...`) appended when it has none.
pub fn with_ref(entry: &str, git_ref: &str) -> String {
    let Some(q) = entry.find('?') else {
        return format!("{entry}?ref={git_ref}");
    };
    let (head, query) = entry.split_at(q + 1);
    let params: Vec<&str> = query.split('&').collect();
    let last = params
        .iter()
        .rposition(|p| matches!(p.split_once('='), Some(("ref" | "version", _))));
    match last {
        Some(i) => {
            let parts: Vec<String> = params
                .iter()
                .enumerate()
                .map(|(j, p)| match (j == i, p.split_once('=')) {
                    (true, Some((key, _))) => format!("{key}={git_ref}"),
                    _ => p.to_string(),
                })
                .collect();
            format!("{head}{}", parts.join("&"))
        }
        None if query.is_empty() => format!("{entry}ref={git_ref}"),
        None => format!("{entry}&ref={git_ref}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use indoc::indoc;

    fn edited(text: &str, f: impl FnOnce(&mut PinEdit)) -> String {
        let mut p = PinEdit::parse(text).expect("parse");
        f(&mut p);
        p.into_text()
    }

    #[test]
    fn refs_are_replaced_in_place() {
        let rows = [
            ("github.com/o/a//d?ref=v1", "v2", "github.com/o/a//d?ref=v2"),
            (
                "github.com/o/a//d?timeout=90s&ref=v1&submodules=false",
                "v2",
                "github.com/o/a//d?timeout=90s&ref=v2&submodules=false",
            ),
            (
                "github.com/o/a//d?version=v1",
                "v2",
                "github.com/o/a//d?version=v2",
            ),
            ("github.com/o/a//d", "v2", "github.com/o/a//d?ref=v2"),
            ("github.com/o/a//d?", "v2", "github.com/o/a//d?ref=v2"),
            (
                "github.com/o/a//d?timeout=9s",
                "v2",
                "github.com/o/a//d?timeout=9s&ref=v2",
            ),
        ];
        let bad: Vec<String> = rows
            .iter()
            .filter(|(e, r, want)| with_ref(e, r) != *want)
            .map(|(e, r, want)| format!("{e} {r}: {} != {want}", with_ref(e, r)))
            .collect();
        assert!(bad.is_empty(), "{bad:#?}");
        assert_eq!(entry_ref("x?ref=a&version=b"), Some(("version", "b")));
        assert_eq!(entry_ref("x"), None);
    }

    #[test]
    fn a_promotion_keeps_every_comment() {
        let text = indoc! {"
            # production: pinned
            resources:
              - namespace.yaml   # ours
              # the app, at one release
              - github.com/org/app//deploy/k8s/overlays/production?ref=v0.1.0 # pinned
            images:
              # the app's image moves with the ref
              - {name: ghcr.io/org/app, newTag: v0.1.0}   # keep me
              - name: other
                newTag: 'v0.1.0' # quoted
            patches: []
        "};
        let out = edited(text, |p| {
            let items = p.list_items();
            assert_eq!(items[1].index, 1);
            let moved = with_ref(&items[1].value, "v0.2.0");
            assert!(p.set_list_item("resources", 1, &moved).expect("ref"));
            for name in ["ghcr.io/org/app", "other"] {
                assert!(
                    p.pin_image(name, &ImageVersion::Tag("v0.2.0".into()))
                        .expect("pin")
                );
            }
            assert!(
                !p.pin_image("other", &ImageVersion::parse("v0.2.0"))
                    .expect("again")
            );
        });
        assert_eq!(out, text.replace("v0.1.0", "v0.2.0"));
    }

    #[test]
    fn digests_replace_tags_and_tags_replace_digests() {
        let text = "images:\n- name: app\n  newName: reg/app # moved\n  newTag: v1 # pin\n";
        let digest = "sha256:".to_string() + &"a".repeat(64);
        let v = ImageVersion::parse(&digest);
        assert!(matches!(v, ImageVersion::Digest(_)));
        let out = edited(text, |p| {
            assert!(p.pin_image("app", &v).expect("pin"));
        });
        assert_eq!(
            out,
            format!("images:\n- name: app\n  newName: reg/app # moved\n  digest: {digest} # pin\n")
        );
        let back = edited(&out, |p| {
            p.pin_image("app", &ImageVersion::parse("v2")).expect("pin");
        });
        assert_eq!(back, text.replace("v1", "v2"));
        let flow = "images: [{name: app, newTag: v1, digest: 'sha256:00'}]\n";
        let out = edited(flow, |p| {
            p.pin_image("app", &ImageVersion::parse("v2")).expect("pin");
        });
        assert_eq!(out, "images: [{name: app, newTag: v2}]\n");
    }

    #[test]
    fn a_missing_entry_is_added_in_the_lists_style() {
        let block = "resources:\n  - a.yaml\nimages:\n  - name: other\n    newTag: v1\n";
        let out = edited(block, |p| {
            p.pin_image("app", &ImageVersion::parse("v2")).expect("pin");
        });
        assert_eq!(
            out,
            "resources:\n  - a.yaml\nimages:\n  - name: other\n    newTag: v1\n  - name: app\n    newTag: v2\n"
        );
        let none = "resources:\n  - a.yaml # keep\n";
        let out = edited(none, |p| {
            p.pin_image("app", &ImageVersion::parse("v2")).expect("pin");
        });
        assert_eq!(
            out,
            "resources:\n  - a.yaml # keep\nimages:\n  - name: app\n    newTag: v2\n"
        );
    }

    #[test]
    fn restoring_changes_only_the_pinned_keys() {
        let text = "images:\n- name: app # the api\n  newName: reg/app\n  newTag: v2\n";
        let old = ImagePin {
            name: "app".into(),
            new_name: "elsewhere/app".into(),
            new_tag: "v1".into(),
            digest: String::new(),
        };
        let out = edited(text, |p| {
            assert!(p.restore_image("app", Some(&old)).expect("restore"));
        });
        assert_eq!(out, text.replace("v2", "v1"));
        let out = edited(text, |p| {
            assert!(p.restore_image("app", None).expect("restore"));
        });
        assert_eq!(out, "{}\n");
        let pins = PinEdit::parse(text).expect("parse").images();
        assert_eq!(pins[0].version(), Some(ImageVersion::Tag("v2".into())));
    }

    #[test]
    fn scalars_keep_their_quotes() {
        let text = "resources:\n- \"github.com/o/a?ref=v1\"\n- 'github.com/o/b?ref=v1'\n";
        let out = edited(text, |p| {
            p.set_list_item("resources", 0, "github.com/o/a?ref=v2")
                .expect("set");
            p.set_list_item("resources", 1, "github.com/o/b?ref=v2")
                .expect("set");
        });
        assert_eq!(out, text.replace("v1", "v2"));
    }
}
