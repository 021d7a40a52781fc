//! Finding a field of an object by path: `spec.template.spec.containers[0].image`,
//! `containers[web]` (the item whose `name` is `web`), `labels[app.kubernetes.io/name]`.

use rustomize_yaml::{Node, Pos, Scalar};

/// Where a path led in an object.
#[derive(Clone, Copy, Debug)]
pub struct Located<'a> {
    /// The deepest node the path reached.
    pub node: &'a Node,
    /// The key of that node's entry, when it is a mapping value.
    pub key: Option<&'a Scalar>,
    /// Whether the whole path was found (else `node` is the deepest
    /// existing field on the way, where the missing one would go).
    pub complete: bool,
}

impl Located<'_> {
    /// The place to name for the field: a value's own; for a mapping or a
    /// list, its key's (where the field was written) unless a step changed
    /// the mapping itself since (a patch that removed a field from it); for
    /// a missing field, the place of the deepest field found.
    pub fn pos(&self) -> Pos {
        let own = self.node.pos();
        let Some(key) = self.key else {
            return own;
        };
        let collection = !matches!(self.node, Node::Scalar(_));
        if !collection {
            return if own.src != 0 || key.src == 0 {
                own
            } else {
                key.pos()
            };
        }
        if own.src != 0 && key.src != 0 && own.src != key.src && !self.complete {
            return own;
        }
        if key.src != 0 { key.pos() } else { own }
    }
}

/// One step of a field path.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    /// A mapping key (possibly holding dots: tried whole, then split).
    Key(String),
    /// `[n]`: a list index; `[text]`: the list item whose merge key (`name`,
    /// ...) is `text`, or a mapping key; `[k=v]`: the item whose `k` is `v`.
    Bracket(String),
}

/// Splits a path into steps: dots separate keys, brackets select.
fn split(path: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut cur = String::new();
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '.' => {
                if !cur.is_empty() {
                    steps.push(Step::Key(std::mem::take(&mut cur)));
                }
            }
            '[' => {
                if !cur.is_empty() {
                    steps.push(Step::Key(std::mem::take(&mut cur)));
                }
                let mut inner = String::new();
                let mut depth = 1;
                for c in chars.by_ref() {
                    match c {
                        '[' => depth += 1,
                        ']' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    inner.push(c);
                }
                steps.push(Step::Bracket(inner));
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        steps.push(Step::Key(cur));
    }
    steps
}

/// Keys that identify a list item, in the order they are tried for
/// `[text]`.
const ITEM_KEYS: [&str; 8] = [
    "name",
    "containerPort",
    "mountPath",
    "key",
    "ip",
    "port",
    "devicePath",
    "type",
];

/// Follows `path` in `node`. `None` only when the path is empty or the
/// very first step does not exist.
pub fn locate<'a>(node: &'a Node, path: &str) -> Option<Located<'a>> {
    let steps = split(path);
    if steps.is_empty() {
        return None;
    }
    let mut here = Located {
        node,
        key: None,
        complete: true,
    };
    let mut i = 0;
    while i < steps.len() {
        let next = match (&steps[i], here.node) {
            (Step::Key(_), Node::Map(m)) => {
                // A key may hold dots (`app.kubernetes.io/name`): the
                // longest run of steps that names a key wins.
                let mut found = None;
                let mut j = steps.len();
                while j > i {
                    let joined = join_keys(&steps[i..j]);
                    if let Some(k) = joined.as_deref()
                        && let Some(e) = m.entry(k)
                    {
                        found = Some((e, j));
                        break;
                    }
                    j -= 1;
                }
                found.map(|(e, j)| {
                    i = j;
                    (&e.value, Some(&e.key))
                })
            }
            (Step::Bracket(b), Node::Map(m)) => {
                i += 1;
                m.entry(b).map(|e| (&e.value, Some(&e.key)))
            }
            (Step::Bracket(b), Node::Seq(s)) => {
                i += 1;
                item(&s.items, b).map(|n| (n, None))
            }
            _ => None,
        };
        match next {
            Some((node, key)) => {
                here = Located {
                    node,
                    key,
                    complete: true,
                };
            }
            None if i == 0 => return None,
            None => {
                here.complete = false;
                return Some(here);
            }
        }
    }
    Some(here)
}

/// Keys joined by dots, when every step is a key.
fn join_keys(steps: &[Step]) -> Option<String> {
    let mut out = String::new();
    for (n, s) in steps.iter().enumerate() {
        let Step::Key(k) = s else { return None };
        if n > 0 {
            out.push('.');
        }
        out.push_str(k);
    }
    Some(out)
}

/// The list item `[b]` selects: by index, by `k=v`, or by merge-key value.
fn item<'a>(items: &'a [Node], b: &str) -> Option<&'a Node> {
    if let Ok(i) = b.parse::<usize>() {
        return items.get(i);
    }
    if let Some((k, v)) = b.split_once('=') {
        return items
            .iter()
            .find(|n| n.get(k).and_then(Node::as_str) == Some(v));
    }
    for key in ITEM_KEYS {
        if let Some(n) = items
            .iter()
            .find(|n| n.get(key).and_then(Node::as_str) == Some(b))
        {
            return Some(n);
        }
    }
    items.iter().find(|n| n.as_str() == Some(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_find_fields() {
        let node = rustomize_yaml::parse_one(
            "metadata:\n  labels:\n    app.kubernetes.io/name: web\nspec:\n  containers:\n  - name: a\n    image: x\n  - name: b\n    image: y\n",
        )
        .unwrap();
        let at =
            |p: &str| locate(&node, p).map(|l| (l.node.as_str().map(str::to_string), l.complete));
        assert_eq!(
            at("spec.containers[1].image"),
            Some((Some("y".into()), true))
        );
        assert_eq!(
            at("spec.containers[b].image"),
            Some((Some("y".into()), true))
        );
        assert_eq!(
            at("spec.containers[name=a].image"),
            Some((Some("x".into()), true))
        );
        assert_eq!(
            at("metadata.labels.app.kubernetes.io/name"),
            Some((Some("web".into()), true))
        );
        assert_eq!(
            at("metadata.labels[app.kubernetes.io/name]"),
            Some((Some("web".into()), true))
        );
        assert_eq!(at("spec.containers[0].readinessProbe"), Some((None, false)));
        assert_eq!(at("nothing"), None);
    }
}
