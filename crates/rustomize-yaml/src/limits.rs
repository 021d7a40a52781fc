//! Limits on what one document may hold, as kustomize's YAML readers set
//! them, and iterative measures of a tree (no recursion: a tree may be as
//! deep as [`MAX_DEPTH`]).
//!
//! - Nesting: yaml.v2 and yaml.v3 refuse more than 10,000 nested flow
//!   collections or block indentation levels ("exceeded max depth of
//!   10000"), and kustomize prints each resource through yaml.v2 again,
//!   which refuses a tree more than 10,000 collections deep. The readers
//!   here refuse a document whose tree (aliases expanded) is deeper than
//!   [`MAX_DEPTH`] collections.
//! - Aliases: yaml.v2 and yaml.v3 count the nodes they decode and those that
//!   come from alias expansion, and refuse a document where the share of
//!   the latter passes a ratio that falls from 99% to 10% as the document
//!   grows ("document contains excessive aliasing"; `allowedAliasRatio` in
//!   their `decode.go`). kustomize applies that to kustomization files (read
//!   through yaml.v2); its resources are read into yaml.v3 nodes, which
//!   skips the count, and a billion-laughs resource exhausts its memory.
//!   The readers here apply the count to every document.

use crate::node::Node;

/// The deepest nesting of collections a document may have: the root
/// collection is level 1.
pub const MAX_DEPTH: usize = 10_000;

/// The message kustomize's YAML readers give past [`MAX_DEPTH`].
pub const DEPTH_MESSAGE: &str = "exceeded max depth of 10000";

/// The message kustomize's YAML readers give for an alias bomb.
pub const ALIAS_MESSAGE: &str = "document contains excessive aliasing";

// yaml.v3's decode.go: below 400,000 decoded nodes, 99% may come from
// aliases; above 4,000,000, 10%; linearly between.
const ALIAS_RATIO_RANGE_LOW: u64 = 400_000;
const ALIAS_RATIO_RANGE_HIGH: u64 = 4_000_000;

fn allowed_alias_ratio(decoded: u64) -> f64 {
    if decoded <= ALIAS_RATIO_RANGE_LOW {
        0.99
    } else if decoded >= ALIAS_RATIO_RANGE_HIGH {
        0.10
    } else {
        let range = (ALIAS_RATIO_RANGE_HIGH - ALIAS_RATIO_RANGE_LOW) as f64;
        0.99 - 0.89 * ((decoded - ALIAS_RATIO_RANGE_LOW) as f64 / range)
    }
}

/// yaml.v3's count of decoded nodes for one document.
///
/// yaml.v3 visits every node once, and every alias as one node plus the
/// whole tree of its anchor (aliases inside it expanded again); the nodes
/// of those trees also count as aliased. It checks the ratio at each node.
/// Within one alias expansion both counts grow by one per node, so the
/// check's outcome is monotonic there and checking after the whole
/// expansion decides the same.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AliasBudget {
    decoded: u64,
    aliased: u64,
}

impl Default for AliasBudget {
    fn default() -> Self {
        AliasBudget::new()
    }
}

impl AliasBudget {
    /// The count at the start of a document (the document node itself
    /// counts once).
    pub(crate) fn new() -> Self {
        AliasBudget {
            decoded: 1,
            aliased: 0,
        }
    }

    /// One node read from the text; `false` when the document is refused.
    pub(crate) fn node(&mut self) -> bool {
        self.decoded += 1;
        !self.excessive()
    }

    /// An alias whose anchor's tree decodes to `expanded` nodes; `false`
    /// when the document is refused.
    pub(crate) fn alias(&mut self, expanded: u64) -> bool {
        self.decoded = self.decoded.saturating_add(1).saturating_add(expanded);
        self.aliased = self.aliased.saturating_add(expanded);
        !self.excessive()
    }

    fn excessive(&self) -> bool {
        self.aliased > 100
            && self.decoded > 1000
            && (self.aliased as f64 / self.decoded as f64) > allowed_alias_ratio(self.decoded)
    }
}

/// How many collections deep `node` is: 0 for a scalar, 1 for a collection
/// of scalars. Iterative.
pub fn height(node: &Node) -> usize {
    let mut max = 0;
    let mut stack: Vec<(&Node, usize)> = vec![(node, 0)];
    while let Some((n, above)) = stack.pop() {
        match n {
            Node::Scalar(_) => max = max.max(above),
            Node::Seq(s) => {
                max = max.max(above + 1);
                stack.extend(s.items.iter().map(|c| (c, above + 1)));
            }
            Node::Map(m) => {
                max = max.max(above + 1);
                stack.extend(m.entries.iter().map(|e| (&e.value, above + 1)));
            }
        }
    }
    max
}

/// How many nodes `node` holds, itself, mapping keys and values included.
/// Iterative.
pub fn count(node: &Node) -> usize {
    let mut total = 0;
    let mut stack: Vec<&Node> = vec![node];
    while let Some(n) = stack.pop() {
        total += 1;
        match n {
            Node::Scalar(_) => {}
            Node::Seq(s) => stack.extend(s.items.iter()),
            Node::Map(m) => {
                total += m.entries.len();
                stack.extend(m.entries.iter().map(|e| &e.value));
            }
        }
    }
    total
}

/// Whether `nodes` hold at least `n` nodes between them (counted as
/// [`count`] counts); stops counting there, so a large tree costs no more
/// than `n` steps. Iterative.
pub fn holds_at_least<'a>(nodes: impl IntoIterator<Item = &'a Node>, n: usize) -> bool {
    let mut total = 0;
    let mut stack: Vec<&Node> = nodes.into_iter().collect();
    while let Some(node) = stack.pop() {
        total += 1;
        match node {
            Node::Scalar(_) => {}
            Node::Seq(s) => stack.extend(s.items.iter()),
            Node::Map(m) => {
                total += m.entries.len();
                stack.extend(m.entries.iter().map(|e| &e.value));
            }
        }
        if total >= n {
            return true;
        }
    }
    total >= n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ratio_falls_from_99_to_10_percent() {
        assert_eq!(allowed_alias_ratio(1000), 0.99);
        assert_eq!(allowed_alias_ratio(4_000_000), 0.10);
        let mid = allowed_alias_ratio(2_200_000);
        assert!((mid - 0.545).abs() < 1e-9, "{mid}");
    }

    #[test]
    fn small_documents_may_alias_freely() {
        let mut b = AliasBudget::new();
        for _ in 0..10 {
            assert!(b.node());
        }
        // 100 aliased nodes are never too many.
        assert!(b.alias(99));
        let mut b = AliasBudget::new();
        for _ in 0..5 {
            assert!(b.node());
        }
        // 2,000 nodes, 99.5% aliased.
        assert!(!b.alias(1_994));
    }

    #[test]
    fn height_and_count() {
        let n = crate::parse::parse_one("a: [1, {b: c}]\nd: e\n").unwrap();
        assert_eq!(height(&n), 3);
        // map, a, seq, 1, map, b, c, d, e
        assert_eq!(count(&n), 9);
        assert_eq!(height(&Node::string("x")), 0);
        for k in 0..=9 {
            assert!(holds_at_least([&n], k), "{k}");
        }
        assert!(!holds_at_least([&n], 10));
        assert!(holds_at_least([&n, &n], 18));
        assert!(!holds_at_least([&n, &n], 19));
        assert!(!holds_at_least([], 1));
    }
}
