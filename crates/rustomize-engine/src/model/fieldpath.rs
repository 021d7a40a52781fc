//! Dotted field paths, as kyaml reads them for vars and replacements:
//! `spec.template.spec.containers.[name=app].image`, `ports[0]`,
//! `metadata.annotations.[a.b/c]`.

use rustomize_yaml::Node;

/// Splits a dotted path; a bracketed part may contain dots
/// (`[name=a.b]`), and `\.` is a literal dot (kyaml's
/// `SmarterPathSplitter`).
pub(crate) fn split(path: &str) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    // A leading dot is ignored (kyaml's `PathSplitter`).
    let path = if path.len() > 1 {
        path.strip_prefix('.').unwrap_or(path)
    } else {
        path
    };
    for p in path.split('.') {
        match parts.last_mut() {
            Some(last) if last.ends_with('\\') => {
                last.pop();
                last.push('.');
                last.push_str(p);
            }
            _ => parts.push(p.to_string()),
        }
    }
    let mut out = Vec::with_capacity(parts.len());
    let mut i = 0;
    while i < parts.len() {
        let elem = &parts[i];
        if elem.starts_with('[') && !elem.ends_with(']') {
            let mut joined = elem.clone();
            while i + 1 < parts.len() {
                i += 1;
                joined.push('.');
                joined.push_str(&parts[i]);
                if parts[i].ends_with(']') {
                    break;
                }
            }
            if joined.contains('=') {
                out.push(joined);
            } else {
                out.push(joined.trim_matches(|c| c == '[' || c == ']').to_string());
            }
        } else {
            out.push(elem.clone());
        }
        i += 1;
    }
    out
}

/// Also turns `ports[0]` into `ports`, `0` (kyaml's `convertSliceIndex`).
pub(crate) fn split_with_indexes(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    for s in split(path) {
        if let Some(open) = s.rfind('[').filter(|_| s.ends_with(']')) {
            let digits = &s[open + 1..s.len() - 1];
            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                if open > 0 {
                    out.push(s[..open].to_string());
                }
                out.push(digits.to_string());
                continue;
            }
        }
        out.push(s);
    }
    out
}

/// `[name=value]` split into (name, value); `None` when the part is not a
/// list selector.
pub(crate) fn list_selector(part: &str) -> Option<(&str, &str)> {
    let inner = part.strip_prefix('[')?.strip_suffix(']')?;
    inner.split_once('=')
}

/// kyaml's `PathGetter` without creation: fields by name, `[k=v]` list
/// elements whose field `k` is exactly `v` (`[=v]` for primitives), numeric
/// indexes and `-` for the last element.
pub(crate) fn lookup<'a>(node: &'a Node, parts: &[String]) -> Option<&'a Node> {
    let mut cur = node;
    for part in parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        cur = step(cur, part)?;
    }
    Some(cur)
}

fn step<'a>(node: &'a Node, part: &str) -> Option<&'a Node> {
    if let Ok(i) = part.parse::<usize>() {
        return node.as_seq()?.get(i);
    }
    if part == "-" {
        return node.as_seq()?.last();
    }
    if let Some((k, v)) = list_selector(part) {
        return node.as_seq()?.iter().find(|e| element_matches(e, k, v));
    }
    node.as_map()?.get(part)
}

/// Whether a list element matches `[k=v]` exactly.
pub(crate) fn element_matches(elem: &Node, k: &str, v: &str) -> bool {
    if k.is_empty() {
        return elem.as_scalar().is_some_and(|s| s.value == v);
    }
    elem.get(k)
        .and_then(Node::as_scalar)
        .is_some_and(|s| s.value == v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustomize_yaml::parse_one;

    #[test]
    fn splits_like_kyaml() {
        assert_eq!(
            split("spec.containers.[name=a.b].image"),
            ["spec", "containers", "[name=a.b]", "image"]
        );
        assert_eq!(
            split("metadata.annotations.[a.b/c]"),
            ["metadata", "annotations", "a.b/c"]
        );
        assert_eq!(split("a\\.b.c"), ["a.b", "c"]);
        assert_eq!(split(".metadata.name"), ["metadata", "name"]);
        assert_eq!(
            split_with_indexes("spec.ports[0].port"),
            ["spec", "ports", "0", "port"]
        );
    }

    #[test]
    fn looks_up_fields_indexes_and_elements() {
        let n = parse_one(
            "spec:\n  ports:\n  - {name: http, port: 80}\n  - {name: https, port: 443}\n",
        )
        .unwrap();
        let get = |p: &str| {
            lookup(&n, &split_with_indexes(p))
                .and_then(Node::as_str)
                .map(str::to_string)
        };
        assert_eq!(get("spec.ports[1].port").as_deref(), Some("443"));
        assert_eq!(get("spec.ports.[name=http].port").as_deref(), Some("80"));
        assert_eq!(get("spec.ports.-.name").as_deref(), Some("https"));
        assert_eq!(get("spec.ports.[name=ftp].port"), None);
    }
}
