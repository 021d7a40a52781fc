//! Cloning and dropping trees without recursing once per level.
//!
//! A tree may be 10,000 collections deep (`limits::MAX_DEPTH`), deeper when
//! a program builds it, and derived `Clone` and drop glue recurse once per
//! level: on a thread with a small stack (a test's, a caller's) that
//! overflows. Cloning recurses as usual for the first [`RECURSE`] levels
//! (the fast path: Kubernetes objects are a few dozen deep) and clones
//! anything deeper with a stack on the heap; dropping moves nested
//! collections onto a heap stack so the glue never goes more than one
//! level down. (Code moves items out of a `Seq` or `Map` with
//! `std::mem::take`: a type with `Drop` cannot be destructured.)

use super::{Entry, Map, Node, Scalar, Seq};
use std::cell::Cell;

/// Levels cloned by plain recursion before switching to the heap stack.
const RECURSE: u32 = 128;

thread_local! {
    /// How many collections the clones on this thread are inside.
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// Runs `f` one level deeper, or returns `None` when too deep to recurse.
fn nested<T>(f: impl FnOnce() -> T) -> Option<T> {
    let depth = DEPTH.with(Cell::get);
    if depth >= RECURSE {
        return None;
    }
    DEPTH.with(|d| d.set(depth + 1));
    let out = f();
    DEPTH.with(|d| d.set(depth));
    Some(out)
}

impl Clone for Seq {
    fn clone(&self) -> Self {
        nested(|| Seq {
            items: self.items.clone(),
            line: self.line,
            col: self.col,
            src: self.src,
        })
        .unwrap_or_else(|| match clone_iteratively(self.into()) {
            Node::Seq(s) => s,
            // `clone_iteratively` returns the kind it is given.
            _ => Seq::default(),
        })
    }
}

impl Clone for Map {
    fn clone(&self) -> Self {
        nested(|| Map {
            entries: self.entries.clone(),
            line: self.line,
            col: self.col,
            src: self.src,
        })
        .unwrap_or_else(|| match clone_iteratively(self.into()) {
            Node::Map(m) => m,
            _ => Map::default(),
        })
    }
}

/// A collection to clone.
#[derive(Clone, Copy)]
enum Source<'a> {
    Seq(&'a Seq),
    Map(&'a Map),
}

impl<'a> From<&'a Seq> for Source<'a> {
    fn from(s: &'a Seq) -> Self {
        Source::Seq(s)
    }
}

impl<'a> From<&'a Map> for Source<'a> {
    fn from(m: &'a Map) -> Self {
        Source::Map(m)
    }
}

/// A collection being copied: how far, and what is built so far.
enum Frame<'a> {
    Seq(&'a Seq, Seq),
    Map(&'a Map, Map),
}

/// Starts copying a collection.
fn open(s: Source<'_>) -> Frame<'_> {
    match s {
        Source::Seq(s) => Frame::Seq(
            s,
            Seq {
                items: Vec::with_capacity(s.items.len()),
                line: s.line,
                col: s.col,
                src: s.src,
            },
        ),
        Source::Map(m) => Frame::Map(
            m,
            Map {
                entries: Vec::with_capacity(m.entries.len()),
                line: m.line,
                col: m.col,
                src: m.src,
            },
        ),
    }
}

/// Clones a collection with its open collections on a heap stack.
fn clone_iteratively(root: Source<'_>) -> Node {
    let mut stack = vec![open(root)];
    loop {
        // The next child of the innermost open collection.
        let child = match stack.last() {
            Some(Frame::Seq(src, built)) => {
                let src: &Seq = src;
                src.items.get(built.items.len())
            }
            Some(Frame::Map(src, built)) => {
                let src: &Map = src;
                src.entries.get(built.entries.len()).map(|e| &e.value)
            }
            None => return Node::null(),
        };
        let done = match child {
            Some(Node::Seq(s)) if !s.items.is_empty() => {
                stack.push(open(Source::Seq(s)));
                continue;
            }
            Some(Node::Map(m)) if !m.entries.is_empty() => {
                stack.push(open(Source::Map(m)));
                continue;
            }
            // A scalar or an empty collection: no recursion.
            Some(leaf) => leaf.clone(),
            // The innermost collection is complete.
            None => {
                let node = match stack.pop() {
                    Some(Frame::Seq(_, s)) => Node::Seq(s),
                    Some(Frame::Map(_, m)) => Node::Map(m),
                    None => Node::null(),
                };
                if stack.is_empty() {
                    return node;
                }
                node
            }
        };
        push_child(stack.last_mut(), done);
    }
}

/// Adds a finished child to the collection being built.
fn push_child(frame: Option<&mut Frame<'_>>, child: Node) {
    match frame {
        Some(Frame::Seq(_, built)) => built.items.push(child),
        Some(Frame::Map(src, built)) => {
            let key: Scalar = src.entries[built.entries.len()].key.clone();
            built.entries.push(Entry { key, value: child });
        }
        None => {}
    }
}

impl Drop for Seq {
    fn drop(&mut self) {
        if self.items.iter().any(has_children) {
            drop_iteratively(std::mem::take(&mut self.items));
        }
    }
}

impl Drop for Map {
    fn drop(&mut self) {
        if self.entries.iter().any(|e| has_children(&e.value)) {
            drop_iteratively(
                std::mem::take(&mut self.entries)
                    .into_iter()
                    .map(|e| e.value)
                    .collect(),
            );
        }
    }
}

fn has_children(node: &Node) -> bool {
    match node {
        Node::Scalar(_) => false,
        Node::Seq(s) => !s.items.is_empty(),
        Node::Map(m) => !m.entries.is_empty(),
    }
}

/// Drops `pending` and everything below it, one collection at a time.
fn drop_iteratively(mut pending: Vec<Node>) {
    while let Some(mut node) = pending.pop() {
        match &mut node {
            Node::Scalar(_) => {}
            Node::Seq(s) => pending.extend(s.items.drain(..).filter(has_children)),
            Node::Map(m) => {
                pending.extend(m.entries.drain(..).map(|e| e.value).filter(has_children))
            }
        }
        // `node` is dropped here with no children left.
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deep(n: usize) -> Node {
        let mut node = Node::string("leaf");
        for i in 0..n {
            node = if i % 2 == 0 {
                Node::seq(vec![Node::int(1), node, Node::map()])
            } else {
                let mut m = Map::new();
                m.insert("a", node);
                m.insert("b", Node::string("x"));
                Node::Map(m)
            };
        }
        node
    }

    #[test]
    fn deep_trees_clone_and_drop_on_a_small_stack() {
        // 512 KiB of stack: a quarter of what a test thread has.
        std::thread::Builder::new()
            .stack_size(512 << 10)
            .spawn(|| {
                let tree = deep(100_000);
                let copy = tree.clone();
                // The innermost empty mapping is one more level.
                assert_eq!(crate::limits::height(&copy), 100_001);
                assert_eq!(crate::limits::count(&copy), crate::limits::count(&tree));
                drop(tree);
                drop(copy);
            })
            .unwrap()
            .join()
            .unwrap();
    }

    #[test]
    fn clones_are_equal_past_the_recursion_depth() {
        let tree = deep(300);
        let copy = tree.clone();
        assert_eq!(
            crate::emit::to_string(&copy).unwrap(),
            crate::emit::to_string(&tree).unwrap()
        );
    }
}
