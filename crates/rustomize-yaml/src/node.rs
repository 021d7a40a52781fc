//! The node tree every resource is kept in.
//!
//! A [`Node`] is a scalar, a sequence or a mapping. Scalars keep the text they
//! were written with, the style they were written in and the type YAML resolves
//! them to ([`Tag`], defined beside the resolver), so a value that no transformer touches comes out exactly
//! as kustomize would print it. Mappings keep their entries in input order; the
//! emitter sorts keys the way kustomize does.

pub use crate::resolve::Tag;

/// The text of a scalar: a string that keeps up to 24 bytes inline, so most
/// keys and values (`name`, `app.kubernetes.io/name`, `80`) need no heap
/// allocation of their own. It derefs to `str`; `From<String>` keeps a long
/// string's buffer.
pub type Text = compact_str::CompactString;

mod deep;

/// How a scalar was written in its source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Style {
    /// Unquoted.
    Plain,
    /// `'single quoted'`.
    SingleQuoted,
    /// `"double quoted"`.
    DoubleQuoted,
    /// `|` block.
    Literal,
    /// `>` block.
    Folded,
}

/// Where a node was written, or which step of a build set it last (field
/// provenance): a source id the caller gives meaning to, and a 1-based line
/// and column in that source. Zero means unknown (a node made by the
/// program, or a build that does not record provenance).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Pos {
    /// The source: the YAML layer leaves it 0; a build that records
    /// provenance numbers its files and steps.
    pub src: u32,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub col: u32,
}

/// A scalar value: its text, resolved type, source style and position.
#[derive(Clone, Debug)]
pub struct Scalar {
    /// The scalar's content, after unescaping and folding.
    pub value: Text,
    /// The type the value resolves to.
    pub tag: Tag,
    /// How it was written.
    pub style: Style,
    /// 1-based source line, 0 when the node was made by the program.
    pub line: u32,
    /// 1-based source column (in characters), 0 when unknown.
    pub col: u32,
    /// The provenance source id (see [`Pos`]); 0 when none.
    pub src: u32,
}

impl Scalar {
    /// A scalar made by the program, with no position.
    pub fn new(value: impl Into<Text>, tag: Tag, style: Style) -> Self {
        Scalar {
            value: value.into(),
            tag,
            style,
            line: 0,
            col: 0,
            src: 0,
        }
    }

    /// A string scalar made by the program.
    pub fn string(value: impl Into<Text>) -> Self {
        Scalar::new(value, Tag::Str, Style::Plain)
    }

    /// A scalar whose type is resolved as if it had been written unquoted.
    pub fn plain(value: impl Into<Text>) -> Self {
        let value = value.into();
        let tag = crate::resolve::resolve_plain(&value);
        Scalar::new(value, tag, Style::Plain)
    }

    /// A null scalar.
    pub fn null() -> Self {
        Scalar::new(Text::const_new(""), Tag::Null, Style::Plain)
    }

    /// Where this scalar was written or set.
    pub fn pos(&self) -> Pos {
        Pos {
            src: self.src,
            line: self.line,
            col: self.col,
        }
    }

    /// Sets where this scalar was written or set.
    pub fn set_pos(&mut self, pos: Pos) {
        self.src = pos.src;
        self.line = pos.line;
        self.col = pos.col;
    }

    /// Whether this scalar is null.
    pub fn is_null(&self) -> bool {
        self.tag == Tag::Null
    }
}

impl PartialEq for Scalar {
    fn eq(&self, other: &Self) -> bool {
        self.tag == other.tag && self.value == other.value
    }
}

/// A sequence of nodes.
// Clone and Drop in `deep`: iterative past a depth.
#[derive(Debug, Default)]
pub struct Seq {
    /// The items, in order.
    pub items: Vec<Node>,
    /// 1-based source line, 0 when made by the program.
    pub line: u32,
    /// 1-based source column, 0 when unknown.
    pub col: u32,
    /// The provenance source id (see [`Pos`]); 0 when none.
    pub src: u32,
}

impl Seq {
    /// A sequence of `items` made by the program, with no position.
    pub fn new(items: Vec<Node>) -> Self {
        Seq {
            items,
            ..Seq::default()
        }
    }
}

impl PartialEq for Seq {
    fn eq(&self, other: &Self) -> bool {
        self.items == other.items
    }
}

/// One key and its value in a [`Map`].
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The key; always a scalar.
    pub key: Scalar,
    /// The value.
    pub value: Node,
}

/// A mapping, entries in source order.
// Clone and Drop in `deep`: iterative past a depth.
#[derive(Debug, Default)]
pub struct Map {
    /// The entries.
    pub entries: Vec<Entry>,
    /// 1-based source line, 0 when made by the program.
    pub line: u32,
    /// 1-based source column, 0 when unknown.
    pub col: u32,
    /// The provenance source id (see [`Pos`]); 0 when none.
    pub src: u32,
}

impl PartialEq for Map {
    fn eq(&self, other: &Self) -> bool {
        self.entries.len() == other.entries.len()
            && self
                .entries
                .iter()
                .all(|e| other.get(&e.key.value) == Some(&e.value))
    }
}

impl Map {
    /// An empty mapping.
    pub fn new() -> Self {
        Map::default()
    }

    /// The value under `key`.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries
            .iter()
            .find(|e| e.key.value == key)
            .map(|e| &e.value)
    }

    /// The value under `key`, mutably.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.entries
            .iter_mut()
            .find(|e| e.key.value == key)
            .map(|e| &mut e.value)
    }

    /// The entry under `key`.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key.value == key)
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.entries.iter().any(|e| e.key.value == key)
    }

    /// Sets `key` to `value`, in place when the key exists, else appended.
    pub fn insert(&mut self, key: impl Into<Text>, value: Node) {
        let key = key.into();
        match self.get_mut(&key) {
            Some(slot) => *slot = value,
            None => self.push(Entry {
                key: Scalar::string(key),
                value,
            }),
        }
    }

    /// Appends `entry`, growing the entries by a quarter rather than
    /// doubling them: transformers add a label or two to mappings the
    /// reader sized exactly, and a doubled vector would keep up to half its
    /// room empty until the build ends (issue 15, peak memory).
    fn push(&mut self, entry: Entry) {
        if self.entries.len() == self.entries.capacity() {
            self.entries.reserve_exact((self.entries.len() / 4).max(1));
        }
        self.entries.push(entry);
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<Node> {
        let i = self.entries.iter().position(|e| e.key.value == key)?;
        Some(self.entries.remove(i).value)
    }

    /// The value under `key`, inserting `make()` first when it is absent.
    pub fn get_or_insert_with(&mut self, key: &str, make: impl FnOnce() -> Node) -> &mut Node {
        let i = match self.entries.iter().position(|e| e.key.value == key) {
            Some(i) => i,
            None => {
                self.push(Entry {
                    key: Scalar::string(key),
                    value: make(),
                });
                self.entries.len() - 1
            }
        };
        &mut self.entries[i].value
    }

    /// The keys, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.key.value.as_str())
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A YAML node.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// A scalar.
    Scalar(Scalar),
    /// A sequence.
    Seq(Seq),
    /// A mapping.
    Map(Map),
}

impl Default for Node {
    fn default() -> Self {
        Node::null()
    }
}

impl Node {
    /// A string scalar.
    pub fn string(value: impl Into<Text>) -> Node {
        Node::Scalar(Scalar::string(value))
    }

    /// A scalar typed as if written unquoted (`3` is an int, `true` a bool).
    pub fn plain(value: impl Into<Text>) -> Node {
        Node::Scalar(Scalar::plain(value))
    }

    /// An integer scalar.
    pub fn int(value: i64) -> Node {
        Node::Scalar(Scalar::new(value.to_string(), Tag::Int, Style::Plain))
    }

    /// A boolean scalar.
    pub fn bool(value: bool) -> Node {
        Node::Scalar(Scalar::new(value.to_string(), Tag::Bool, Style::Plain))
    }

    /// A null scalar.
    pub fn null() -> Node {
        Node::Scalar(Scalar::null())
    }

    /// An empty mapping.
    pub fn map() -> Node {
        Node::Map(Map::new())
    }

    /// A sequence of `items`.
    pub fn seq(items: Vec<Node>) -> Node {
        Node::Seq(Seq::new(items))
    }

    /// The 1-based line this node starts on (0 when made by the program).
    pub fn line(&self) -> u32 {
        match self {
            Node::Scalar(s) => s.line,
            Node::Seq(s) => s.line,
            Node::Map(m) => m.line,
        }
    }

    /// Where this node was written or set (see [`Pos`]).
    pub fn pos(&self) -> Pos {
        match self {
            Node::Scalar(s) => s.pos(),
            Node::Seq(s) => Pos {
                src: s.src,
                line: s.line,
                col: s.col,
            },
            Node::Map(m) => Pos {
                src: m.src,
                line: m.line,
                col: m.col,
            },
        }
    }

    /// Sets where this node (not its children) was written or set.
    pub fn set_pos(&mut self, pos: Pos) {
        let (src, line, col) = match self {
            Node::Scalar(s) => (&mut s.src, &mut s.line, &mut s.col),
            Node::Seq(s) => (&mut s.src, &mut s.line, &mut s.col),
            Node::Map(m) => (&mut m.src, &mut m.line, &mut m.col),
        };
        *src = pos.src;
        *line = pos.line;
        *col = pos.col;
    }

    /// The provenance source id of this node (not its children).
    pub fn src(&self) -> u32 {
        match self {
            Node::Scalar(s) => s.src,
            Node::Seq(s) => s.src,
            Node::Map(m) => m.src,
        }
    }

    /// Whether this is a null scalar.
    pub fn is_null(&self) -> bool {
        matches!(self, Node::Scalar(s) if s.tag == Tag::Null)
    }

    /// kyaml's `IsNilOrEmpty`: a null scalar, or an empty mapping or
    /// sequence.
    pub fn is_nil_or_empty(&self) -> bool {
        match self {
            Node::Scalar(s) => s.is_null(),
            Node::Seq(s) => s.items.is_empty(),
            Node::Map(m) => m.is_empty(),
        }
    }

    /// The scalar, if this is one.
    pub fn as_scalar(&self) -> Option<&Scalar> {
        match self {
            Node::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The text of a non-null scalar.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::Scalar(s) if s.tag != Tag::Null => Some(&s.value),
            _ => None,
        }
    }

    /// The mapping, if this is one.
    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Node::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The mapping, mutably.
    pub fn as_map_mut(&mut self) -> Option<&mut Map> {
        match self {
            Node::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The sequence items, if this is a sequence.
    pub fn as_seq(&self) -> Option<&Vec<Node>> {
        match self {
            Node::Seq(s) => Some(&s.items),
            _ => None,
        }
    }

    /// The sequence items, mutably.
    pub fn as_seq_mut(&mut self) -> Option<&mut Vec<Node>> {
        match self {
            Node::Seq(s) => Some(&mut s.items),
            _ => None,
        }
    }

    /// The value under `key` when this is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?.get(key)
    }

    /// The value under `key` when this is a mapping, mutably.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.as_map_mut()?.get_mut(key)
    }

    /// Follows `path` through nested mappings.
    pub fn get_path(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |n, k| n.get(k))
    }

    /// Follows `path` through nested mappings, mutably.
    pub fn get_path_mut(&mut self, path: &[&str]) -> Option<&mut Node> {
        path.iter().try_fold(self, |n, k| n.get_mut(k))
    }

    /// The string at `path`, when it is a non-null scalar.
    pub fn str_at(&self, path: &[&str]) -> Option<&str> {
        self.get_path(path)?.as_str()
    }

    /// A short name for the node's kind, for error messages.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Node::Scalar(s) if s.tag == Tag::Null => "null",
            Node::Scalar(_) => "scalar",
            Node::Seq(_) => "sequence",
            Node::Map(_) => "mapping",
        }
    }
}

impl From<Map> for Node {
    fn from(m: Map) -> Self {
        Node::Map(m)
    }
}
