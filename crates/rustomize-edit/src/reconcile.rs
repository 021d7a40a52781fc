//! "This node should now mean that value", as the fewest byte splices.
//!
//! [`reconcile`] walks a node of the [`Cst`] and the value it should hold:
//! what already means the same is left alone, scalars are rewritten in
//! place (in their own quoting style unless the file writes kustomize's
//! canonical style), mapping entries and sequence items are added, removed
//! or moved as whole lines with their comments, and only what has no
//! counterpart is rendered anew ([`render`]).

use crate::cst::{Cst, Kind, Node, Style};
use crate::render::{self, Layout};
use crate::value::{self, FastMap, Value};
use rustomize_yaml::emit::compare_keys;
use std::collections::HashMap;

/// Replace `start..end` of the text with `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Splice {
    /// First byte replaced.
    pub start: usize,
    /// One past the last byte replaced.
    pub end: usize,
    /// The replacement.
    pub text: String,
}

/// Applies non-overlapping splices to `text`.
pub fn apply(text: &str, splices: &[Splice]) -> String {
    let mut sorted: Vec<&Splice> = splices.iter().collect();
    sorted.sort_by_key(|s| (s.start, s.end));
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for s in sorted {
        let start = s.start.max(at);
        out.push_str(&text[at..start]);
        out.push_str(&s.text);
        at = s.end.max(start);
    }
    out.push_str(&text[at..]);
    out
}

/// Where a node sits, which decides how a replacement is written.
#[derive(Clone, Copy, Debug)]
pub enum Slot {
    /// The value of a block mapping entry.
    MapValue {
        /// Column of the key.
        key_col: usize,
        /// One past the entry's `:`.
        colon_end: usize,
    },
    /// An item of a block sequence.
    SeqItem {
        /// Byte offset of its `-`.
        dash: usize,
    },
    /// Inside a flow collection.
    Flow,
    /// The document's root.
    Root,
}

/// What a reconcile needs to know about the file.
pub struct Ctx<'a> {
    /// The file.
    pub cst: &'a Cst,
    /// How it lays out blocks, found when first asked.
    layout: std::cell::OnceCell<Layout>,
    /// Anchored values, for reading aliases.
    pub anchors: HashMap<usize, Value>,
}

impl<'a> Ctx<'a> {
    /// A context for `cst`, with its anchors read.
    pub fn new(cst: &'a Cst) -> Ctx<'a> {
        let mut anchors = HashMap::new();
        if let Some(root) = cst.root.as_ref().filter(|_| cst.aliases) {
            let _ = value::decode(cst, root, &mut anchors);
        }
        Ctx {
            cst,
            layout: std::cell::OnceCell::new(),
            anchors,
        }
    }

    /// How the file lays out blocks.
    pub fn layout(&self) -> Layout {
        *self.layout.get_or_init(|| detect_layout(self.cst))
    }

    fn nl(&self) -> &'static str {
        self.cst.newline()
    }

    /// What `node` means.
    pub fn read(&mut self, node: &Node) -> Value {
        value::decode(self.cst, node, &mut self.anchors).unwrap_or(Value::Null)
    }

    fn text(&self, a: usize, b: usize) -> &'a str {
        &self.cst.text[a..b]
    }

    fn join(&self, lines: &[String]) -> String {
        lines.join(self.nl())
    }

    /// `lines` as whole lines to insert at `pos`, which is the start of a
    /// line (or the end of a text without a final line break).
    fn lines_at(&self, pos: usize, lines: &[String]) -> String {
        let nl = self.nl();
        let text = &self.cst.text;
        if pos == text.len() && !text.is_empty() && !text.ends_with('\n') {
            format!("{nl}{}", lines.join(nl))
        } else {
            let mut s = lines.join(nl);
            s.push_str(nl);
            s
        }
    }

    /// A splice deleting the whole lines `start..end` (line-aligned) but
    /// keeping the comment lines among them, outside block scalars.
    fn delete_lines(&self, start: usize, end: usize, keep_out: &[(usize, usize)]) -> Splice {
        let mut kept = String::new();
        let mut pos = start;
        while pos < end {
            let next = self.cst.line_end(pos).min(end);
            let line = self.text(pos, next);
            let inside = keep_out.iter().any(|&(a, b)| pos > a && pos < b);
            if line.trim_start().starts_with('#') && !inside {
                kept.push_str(line);
                if !line.ends_with('\n') {
                    kept.push_str(self.nl());
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
}

/// Guesses the file's block layout from its first nested collections.
pub fn detect_layout(cst: &Cst) -> Layout {
    let mut layout = Layout::default();
    let Some(root) = &cst.root else {
        return layout;
    };
    let mut seq_found = false;
    let mut map_found = false;
    fn walk(cst: &Cst, n: &Node, l: &mut Layout, seq_found: &mut bool, map_found: &mut bool) {
        if *seq_found && *map_found {
            return;
        }
        if let Kind::Map {
            flow: false,
            entries,
        } = &n.kind
        {
            for e in entries {
                let key_col = cst.column(e.key.start);
                match &e.value.kind {
                    Kind::Seq {
                        flow: false,
                        dashes,
                        ..
                    } if !*seq_found => {
                        if let Some(&d) = dashes.first()
                            && cst.starts_line(d)
                        {
                            l.seq_indent = cst.column(d).saturating_sub(key_col);
                            *seq_found = true;
                        }
                    }
                    Kind::Map {
                        flow: false,
                        entries: inner,
                    } if !*map_found => {
                        if let Some(first) = inner.first()
                            && cst.starts_line(first.key.start)
                        {
                            let d = cst.column(first.key.start).saturating_sub(key_col);
                            if d > 0 {
                                l.map_indent = d;
                                *map_found = true;
                            }
                        }
                    }
                    _ => {}
                }
                walk(cst, &e.value, l, seq_found, map_found);
            }
        } else if let Kind::Seq { items, .. } = &n.kind {
            for i in items {
                walk(cst, i, l, seq_found, map_found);
            }
        }
    }
    walk(cst, root, &mut layout, &mut seq_found, &mut map_found);
    if let Some(entries) = root.entries()
        && entries.len() >= 2
        && !root.is_flow()
    {
        layout.blank_between_top = entries.windows(2).all(|w| {
            let gap = &cst.text[cst.line_end(w[0].value.end).min(w[1].key.start)..w[1].key.start];
            gap.split('\n')
                .any(|l| l.trim().is_empty() && !l.is_empty() || l == "\r")
                || gap.contains("\n\n")
                || gap.starts_with('\n')
                || gap.starts_with("\r\n")
        });
    }
    layout
}

/// Adds the splices that make `node` (sitting in `slot`) mean `want`.
pub fn reconcile(ctx: &mut Ctx<'_>, node: &Node, slot: Slot, want: &Value, out: &mut Vec<Splice>) {
    reconcile_known(ctx, node, slot, None, want, out);
}

/// [`reconcile`], told what `node` reads as (`have`), when the caller
/// knows it already.
pub fn reconcile_known(
    ctx: &mut Ctx<'_>,
    node: &Node,
    slot: Slot,
    have: Option<&Value>,
    want: &Value,
    out: &mut Vec<Splice>,
) {
    if matches!(node.kind, Kind::Alias(_)) {
        return replace_whole(ctx, node, slot, want, out);
    }
    if let (Kind::Seq { flow, items, .. }, Value::Seq(w)) = (&node.kind, want)
        && node.anchor.is_none()
        && !w.is_empty()
    {
        // Each item is read once, for the comparison and the matching.
        let read;
        let have: &[Value] = match have {
            Some(Value::Seq(known)) if known.len() == items.len() => known,
            _ => {
                read = items.iter().map(|i| ctx.read(i)).collect::<Vec<_>>();
                &read
            }
        };
        if have.len() == w.len() && have.iter().zip(w).all(|(a, b)| a.same(b)) {
            return;
        }
        return if *flow {
            rebuild_flow_seq(ctx, node, have, w, out)
        } else {
            reconcile_block_seq(ctx, node, slot, have, w, out)
        };
    }
    let unchanged = match have {
        Some(h) => h.same(want),
        None => ctx.read(node).same(want),
    };
    if unchanged {
        return;
    }
    if node.anchor.is_some() {
        return replace_whole(ctx, node, slot, want, out);
    }
    match (&node.kind, want) {
        (Kind::Scalar { .. }, v) if !matches!(v, Value::Map(_) | Value::Seq(_)) => {
            replace_scalar(ctx, node, slot, v, out)
        }
        (Kind::Map { flow, entries }, Value::Map(w)) if !w.is_empty() => {
            if *flow {
                rebuild_flow_map(ctx, node, entries, w, out)
            } else {
                reconcile_block_map(ctx, node, slot, w, out)
            }
        }
        _ => replace_whole(ctx, node, slot, want, out),
    }
}

/// The text a changed scalar is written with: the file's own style for
/// the old value when it was not kustomize's canonical one.
fn scalar_text(ctx: &mut Ctx<'_>, node: &Node, want: &Value, flow: bool) -> String {
    let canonical = render::scalar(want);
    let old_text = ctx.text(node.body, node.end);
    let old = ctx.read(node);
    let Kind::Scalar { style, .. } = node.kind else {
        return canonical;
    };
    let old_is_canonical = render::scalar(&old) == old_text;
    let chosen = match (want, style) {
        _ if old_is_canonical || node.start == node.end => canonical,
        (Value::Str(s), Style::Double) => render::double_quoted(s),
        (Value::Str(s), Style::Single) => render::single_quoted(s).unwrap_or(canonical),
        _ => canonical,
    };
    if flow
        && (chosen.contains('\n')
            || chosen.contains([',', '[', ']', '{', '}']) && !chosen.starts_with(['"', '\'']))
    {
        match want {
            Value::Str(s) => render::double_quoted(s),
            _ => chosen,
        }
    } else {
        chosen
    }
}

/// Indents the continuation lines of a multi-line scalar text under
/// column `col`.
fn indent_continuation(ctx: &Ctx<'_>, text: &str, col: usize) -> String {
    let mut lines = text.split('\n');
    let mut out = String::from(lines.next().unwrap_or_default());
    for l in lines {
        out.push_str(ctx.nl());
        if !l.is_empty() {
            out.push_str(&" ".repeat(col));
            out.push_str(l);
        }
    }
    out
}

fn slot_col(ctx: &Ctx<'_>, slot: Slot, node: &Node) -> usize {
    match slot {
        Slot::MapValue { key_col, .. } => key_col,
        Slot::SeqItem { dash } => ctx.cst.column(dash),
        Slot::Flow | Slot::Root => ctx.cst.column(node.start),
    }
}

fn replace_scalar(ctx: &mut Ctx<'_>, node: &Node, slot: Slot, want: &Value, out: &mut Vec<Splice>) {
    let flow = matches!(slot, Slot::Flow);
    let text = scalar_text(ctx, node, want, flow);
    let col = slot_col(ctx, slot, node);
    let text = indent_continuation(ctx, &text, col);
    if node.start == node.end {
        // Nothing was written: `key:` becomes `key: value`.
        let pad = if ctx.text(node.start.saturating_sub(1), node.start) == " " {
            ""
        } else {
            " "
        };
        out.push(Splice {
            start: node.start,
            end: node.end,
            text: format!("{pad}{text}"),
        });
        return;
    }
    let tagged = matches!(&node.kind, Kind::Scalar { tag: Some(_), .. });
    out.push(Splice {
        start: if tagged { node.start } else { node.body },
        end: node.end,
        text,
    });
}

/// Writes `want` in place of `node` altogether.
fn replace_whole(ctx: &mut Ctx<'_>, node: &Node, slot: Slot, want: &Value, out: &mut Vec<Splice>) {
    let layout = ctx.layout();
    let empty = match want {
        Value::Map(e) if e.is_empty() => Some("{}"),
        Value::Seq(i) if i.is_empty() => Some("[]"),
        _ => None,
    };
    let scalar_like = empty.is_some() || !matches!(want, Value::Map(_) | Value::Seq(_));
    match slot {
        Slot::MapValue { key_col, colon_end } => {
            let text = if let Some(e) = empty {
                format!(" {e}")
            } else if scalar_like {
                let t = render::scalar(want);
                format!(" {}", indent_continuation(ctx, &t, key_col))
            } else {
                let col = match want {
                    Value::Map(_) => key_col + layout.map_indent,
                    _ => key_col + layout.seq_indent,
                };
                let lines = render::block_lines(want, col, &layout);
                format!("{}{}", ctx.nl(), ctx.join(&lines))
            };
            // Keep a comment written after the colon.
            let rest = ctx.text(colon_end, node.start.max(colon_end));
            let start = match rest.find('#') {
                Some(_) if !scalar_like => {
                    let le = ctx.cst.line_end(colon_end);
                    le - usize::from(ctx.text(colon_end, le).ends_with('\n'))
                        - usize::from(ctx.text(colon_end, le).ends_with("\r\n"))
                }
                _ => colon_end,
            };
            out.push(Splice {
                start,
                end: node.end.max(start),
                text,
            });
        }
        Slot::SeqItem { dash } => {
            let col = ctx.cst.column(dash);
            let text = if let Some(e) = empty {
                e.to_string()
            } else {
                let mut lines = Vec::new();
                render::item_lines(want, col, &layout, &mut lines);
                let first = lines
                    .first()
                    .map(|l| l[(col + 2).min(l.len())..].to_string())
                    .unwrap_or_default();
                let mut all = vec![first];
                all.extend(lines.into_iter().skip(1));
                ctx.join(&all)
            };
            out.push(Splice {
                start: dash + 2.min(ctx.cst.text.len() - dash),
                end: node.end.max(dash + 1),
                text,
            });
        }
        Slot::Flow => out.push(Splice {
            start: node.start,
            end: node.end,
            text: render::flow(want),
        }),
        Slot::Root => {
            let lines = render::block_lines(want, 0, &layout);
            out.push(Splice {
                start: node.start,
                end: node.end,
                text: ctx.join(&lines),
            });
        }
    }
}

fn rebuild_flow_map(
    ctx: &mut Ctx<'_>,
    node: &Node,
    entries: &[crate::cst::Entry],
    want: &[(String, Value)],
    out: &mut Vec<Splice>,
) {
    let mut parts = Vec::new();
    let mut seen = Vec::new();
    for e in entries {
        let Some(key) = e.key.scalar().map(str::to_string) else {
            continue;
        };
        if seen.contains(&key) {
            continue;
        }
        let Some(w) = want.iter().rev().find(|(k, _)| *k == key).map(|(_, v)| v) else {
            continue;
        };
        seen.push(key.clone());
        let have = ctx.read(&e.value);
        if have.same(w) {
            parts.push(
                ctx.text(e.key.start, e.value.end.max(e.key.end))
                    .to_string(),
            );
        } else {
            parts.push(format!(
                "{}: {}",
                ctx.text(e.key.start, e.key.end),
                render::flow(w)
            ));
        }
    }
    let mut new: Vec<&(String, Value)> = want.iter().filter(|(k, _)| !seen.contains(k)).collect();
    new.sort_by(|a, b| compare_keys(&a.0, &b.0));
    for (k, v) in new {
        if seen.contains(k) {
            continue;
        }
        seen.push(k.clone());
        parts.push(format!("{}: {}", render::key(k), render::flow(v)));
    }
    out.push(Splice {
        start: node.body,
        end: node.end,
        text: format!("{{{}}}", parts.join(", ")),
    });
}

fn rebuild_flow_seq(
    ctx: &mut Ctx<'_>,
    node: &Node,
    have: &[Value],
    want: &[Value],
    out: &mut Vec<Splice>,
) {
    let items = node.items().unwrap_or_default();
    let matching = match_items(have, want);
    let parts: Vec<String> = want
        .iter()
        .zip(&matching)
        .map(|(w, m)| match m {
            Some((i, true)) => ctx.text(items[*i].start, items[*i].end).to_string(),
            _ => render::flow(w),
        })
        .collect();
    out.push(Splice {
        start: node.body,
        end: node.end,
        text: format!("[{}]", parts.join(", ")),
    });
}

/// For each wanted item, the old item (of those that read as `have`) it
/// continues and whether it is unchanged: equal items first, then items
/// with the same `name`.
fn match_items(have: &[Value], want: &[Value]) -> Vec<Option<(usize, bool)>> {
    let mut used = vec![false; have.len()];
    let mut out = vec![None; want.len()];
    // Identical items by hash first (linear for long lists), then by
    // meaning for what is left.
    let mut by_hash: FastMap<u64, Vec<usize>> = FastMap::default();
    for (i, h) in have.iter().enumerate().rev() {
        by_hash.entry(h.fingerprint()).or_default().push(i);
    }
    for (j, w) in want.iter().enumerate() {
        let Some(candidates) = by_hash.get_mut(&w.fingerprint()) else {
            continue;
        };
        if let Some(at) = candidates.iter().rposition(|&i| have[i] == *w) {
            let i = candidates.remove(at);
            used[i] = true;
            out[j] = Some((i, true));
        }
    }
    for (j, w) in want.iter().enumerate() {
        if out[j].is_some() {
            continue;
        }
        if let Some(i) = (0..have.len()).find(|&i| !used[i] && have[i].same(w)) {
            used[i] = true;
            out[j] = Some((i, true));
        }
    }
    let key = |v: &Value| -> Option<String> {
        match v.get("name")? {
            Value::Str(s) => Some(s.clone()),
            _ => None,
        }
    };
    for (j, w) in want.iter().enumerate() {
        if out[j].is_some() {
            continue;
        }
        let Some(k) = key(w) else { continue };
        if let Some(i) = (0..have.len()).find(|&i| !used[i] && key(&have[i]).as_deref() == Some(&k))
        {
            used[i] = true;
            out[j] = Some((i, false));
        }
    }
    out
}

fn reconcile_block_map(
    ctx: &mut Ctx<'_>,
    node: &Node,
    slot: Slot,
    want: &[(String, Value)],
    out: &mut Vec<Splice>,
) {
    let entries = node.entries().unwrap_or_default();
    let Some(first) = entries.first() else {
        return replace_whole(ctx, node, slot, &Value::Map(want.to_vec()), out);
    };
    let key_col = ctx.cst.column(first.key.start);
    let want_of = |k: &str| want.iter().rev().find(|(wk, _)| wk == k).map(|(_, v)| v);
    // The last entry of a repeated key is the one that counts.
    let keys: Vec<Option<String>> = entries
        .iter()
        .map(|e| e.key.scalar().map(str::to_string))
        .collect();
    let live: Vec<bool> = (0..entries.len())
        .map(|i| match &keys[i] {
            Some(k) => {
                !keys[i + 1..].iter().any(|k2| k2.as_deref() == Some(k)) && want_of(k).is_some()
            }
            None => false,
        })
        .collect();
    if !live.iter().any(|&l| l) {
        return replace_whole(ctx, node, slot, &Value::Map(want.to_vec()), out);
    }
    let first_on_dash = !ctx.cst.starts_line(first.key.start);
    for (i, e) in entries.iter().enumerate() {
        if live[i] {
            let colon_end = colon_after(ctx.cst, e.key.end);
            let w = want_of(keys[i].as_deref().unwrap_or_default())
                .cloned()
                .unwrap_or(Value::Null);
            reconcile(
                ctx,
                &e.value,
                Slot::MapValue { key_col, colon_end },
                &w,
                out,
            );
            continue;
        }
        if i == 0 && first_on_dash {
            // The entry shares the `-` line: the next kept entry moves up.
            let next = (0..entries.len()).find(|&j| live[j]).unwrap_or(0);
            out.push(Splice {
                start: e.key.start,
                end: entries[next].key.start,
                text: String::new(),
            });
            continue;
        }
        if first_on_dash && !(0..i).any(|j| live[j]) {
            // Already removed with the first entry's splice.
            continue;
        }
        let start = ctx.cst.line_start(e.key.start);
        let end = ctx.cst.line_end(e.value.end);
        let scalars = block_scalars(&e.value);
        out.push(ctx.delete_lines(start, end, &scalars));
    }
    // New keys go in sorted position when the mapping is sorted, else last.
    let present: Vec<&str> = keys.iter().flatten().map(String::as_str).collect();
    let mut new: Vec<&(String, Value)> = Vec::new();
    for w in want.iter().rev() {
        if !present.contains(&w.0.as_str()) && !new.iter().any(|n| n.0 == w.0) {
            new.push(w);
        }
    }
    new.sort_by(|a, b| compare_keys(&a.0, &b.0));
    let sorted = present.windows(2).all(|w| compare_keys(w[0], w[1]).is_le());
    let layout = ctx.layout();
    let mut groups: Vec<(Option<usize>, Vec<String>)> = Vec::new();
    for (k, v) in new {
        let before = if sorted {
            (0..entries.len()).find(|&i| {
                live[i] && compare_keys(keys[i].as_deref().unwrap_or_default(), k).is_gt()
            })
        } else {
            None
        };
        let mut lines = Vec::new();
        render::entry_lines(k, v, key_col, &layout, &mut lines);
        match groups.last_mut() {
            Some((b, l)) if *b == before => l.extend(lines),
            _ => groups.push((before, lines)),
        }
    }
    for (before, lines) in groups {
        match before {
            Some(i) if i == (0..entries.len()).find(|&j| live[j]).unwrap_or(0) && first_on_dash => {
                let e = &entries[i];
                let mut text = lines[0][key_col.min(lines[0].len())..].to_string();
                for l in &lines[1..] {
                    text.push_str(ctx.nl());
                    text.push_str(l);
                }
                text.push_str(ctx.nl());
                text.push_str(&" ".repeat(key_col));
                out.push(Splice {
                    start: e.key.start,
                    end: e.key.start,
                    text,
                });
            }
            Some(i) => {
                let at = ctx.cst.line_start(entries[i].key.start);
                out.push(Splice {
                    start: at,
                    end: at,
                    text: ctx.lines_at(at, &lines),
                });
            }
            None => {
                let last = (0..entries.len())
                    .rev()
                    .find(|&j| live[j])
                    .unwrap_or(entries.len() - 1);
                let at = ctx.cst.line_end(entries[last].value.end);
                out.push(Splice {
                    start: at,
                    end: at,
                    text: ctx.lines_at(at, &lines),
                });
            }
        }
    }
}

/// One past the `:` that follows a key ending at `key_end`.
pub fn colon_after(cst: &Cst, key_end: usize) -> usize {
    let b = cst.text.as_bytes();
    let mut at = key_end;
    while at < b.len() && matches!(b[at], b' ' | b'\t') {
        at += 1;
    }
    if b.get(at) == Some(&b':') {
        at + 1
    } else {
        key_end
    }
}

/// The byte ranges of the block scalars under `n` (their lines are
/// content, not comments).
fn block_scalars(n: &Node) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    fn walk(n: &Node, out: &mut Vec<(usize, usize)>) {
        match &n.kind {
            Kind::Scalar {
                style: Style::Literal | Style::Folded,
                ..
            } => out.push((n.body, n.end)),
            Kind::Seq { items, .. } => items.iter().for_each(|i| walk(i, out)),
            Kind::Map { entries, .. } => entries.iter().for_each(|e| walk(&e.value, out)),
            _ => {}
        }
    }
    walk(n, &mut out);
    out
}

fn reconcile_block_seq(
    ctx: &mut Ctx<'_>,
    node: &Node,
    slot: Slot,
    have: &[Value],
    want: &[Value],
    out: &mut Vec<Splice>,
) {
    let Kind::Seq { items, dashes, .. } = &node.kind else {
        return;
    };
    let matching = match_items(have, want);
    let dashes_start_lines = dashes.iter().all(|&d| ctx.cst.starts_line(d));
    if matching.iter().all(Option::is_none) || !dashes_start_lines || dashes.len() != items.len() {
        return replace_whole(ctx, node, slot, &Value::Seq(want.to_vec()), out);
    }
    let dash_col = ctx.cst.column(dashes[0]);
    let layout = ctx.layout();
    let order: Vec<usize> = matching.iter().flatten().map(|(i, _)| *i).collect();
    let in_order = order.windows(2).all(|w| w[0] < w[1]);
    let chunk_start = |ctx: &Ctx<'_>, i: usize| -> usize {
        let mut start = ctx.cst.line_start(dashes[i]);
        if i == 0 {
            return start;
        }
        let floor = ctx.cst.line_end(items[i - 1].end);
        while start > floor {
            let prev = ctx.cst.line_start(start - 1);
            if prev < floor || !ctx.text(prev, start).trim_start().starts_with('#') {
                break;
            }
            start = prev;
        }
        start
    };
    let new_lines = |w: &Value| {
        let mut lines = Vec::new();
        render::item_lines(w, dash_col, &layout, &mut lines);
        lines
    };
    if in_order {
        let mut used = vec![false; items.len()];
        for &i in &order {
            used[i] = true;
        }
        for (j, m) in matching.iter().enumerate() {
            if let Some((i, false)) = m {
                reconcile(
                    ctx,
                    &items[*i],
                    Slot::SeqItem { dash: dashes[*i] },
                    &want[j],
                    out,
                );
            }
        }
        for i in 0..items.len() {
            if !used[i] {
                let start = ctx.cst.line_start(dashes[i]);
                let end = ctx.cst.line_end(items[i].end);
                let scalars = block_scalars(&items[i]);
                out.push(ctx.delete_lines(start, end, &scalars));
            }
        }
        // Insertions: after the previous kept item, else before the next.
        let mut pending: Vec<(usize, bool, Vec<String>)> = Vec::new();
        for (j, m) in matching.iter().enumerate() {
            if m.is_some() {
                continue;
            }
            let prev = matching[..j].iter().rev().flatten().next().map(|(i, _)| *i);
            let (at, after) = match prev {
                Some(i) => (ctx.cst.line_end(items[i].end), true),
                None => {
                    let next = matching[j..].iter().flatten().next().map_or(0, |(i, _)| *i);
                    (chunk_start(ctx, next), false)
                }
            };
            let lines = new_lines(&want[j]);
            match pending.last_mut() {
                Some((p, a, l)) if *p == at && *a == after => l.extend(lines),
                _ => pending.push((at, after, lines)),
            }
        }
        for (at, _, lines) in pending {
            out.push(Splice {
                start: at,
                end: at,
                text: ctx.lines_at(at, &lines),
            });
        }
        return;
    }
    // Items move: rebuild the run of items from their chunks.
    let region_start = chunk_start(ctx, 0);
    let region_end = ctx.cst.line_end(items[items.len() - 1].end);
    let nl = ctx.nl();
    let mut text = String::new();
    let push_chunk = |text: &mut String, chunk: String| {
        text.push_str(&chunk);
        if !chunk.ends_with('\n') {
            text.push_str(nl);
        }
    };
    for (j, m) in matching.iter().enumerate() {
        match m {
            Some((i, same)) => {
                let i = *i;
                let cs = chunk_start(ctx, i);
                let ce = ctx.cst.line_end(items[i].end);
                let mut inner = Vec::new();
                if !same {
                    reconcile(
                        ctx,
                        &items[i],
                        Slot::SeqItem { dash: dashes[i] },
                        &want[j],
                        &mut inner,
                    );
                }
                let shifted: Vec<Splice> = inner
                    .into_iter()
                    .filter(|s| s.start >= cs && s.end <= ce)
                    .map(|s| Splice {
                        start: s.start - cs,
                        end: s.end - cs,
                        text: s.text,
                    })
                    .collect();
                push_chunk(&mut text, apply(ctx.text(cs, ce), &shifted));
            }
            None => push_chunk(&mut text, new_lines(&want[j]).join(nl)),
        }
    }
    for (i, item) in items.iter().enumerate() {
        if !order.contains(&i) {
            let cs = chunk_start(ctx, i);
            let ce = ctx.cst.line_end(item.end);
            let kept = ctx.delete_lines(cs, ce, &block_scalars(item)).text;
            text.push_str(&kept);
        }
    }
    if region_end == ctx.cst.text.len() && !ctx.cst.text.ends_with('\n') {
        while text.ends_with('\n') {
            text.pop();
            if text.ends_with('\r') {
                text.pop();
            }
        }
    }
    out.push(Splice {
        start: region_start,
        end: region_end,
        text,
    });
}
