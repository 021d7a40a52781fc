//! An object printed as `rustomize build` prints it, each line with the
//! place of the value on it.

use rustomize_yaml::emit::{self, EmitError, Visit};
use rustomize_yaml::{Entry, Node, Pos};

/// One printed line of an object and where its value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlameLine {
    /// The line as `rustomize build` prints it, without the line break.
    pub text: String,
    /// The field the line shows (`spec.template.spec.containers[0].image`);
    /// empty for a line of the object itself.
    pub path: String,
    /// Where the value on the line was set (resolve it with the build's
    /// [`Table`](super::Table)): the value's for `key: value` and list
    /// items, the key's for a line that opens a mapping or a list.
    pub pos: Pos,
}

/// Prints `node` (an object of a build's output) and gives each line the
/// place of what it shows. A value printed on several lines (a literal
/// block, a folded string) gives all of them its place.
pub fn blame(node: &Node) -> Result<Vec<BlameLine>, EmitError> {
    let mut out = String::new();
    let mut marks = Marks::default();
    emit::write_document_visiting(&mut out, node, &mut marks)?;
    let mut lines = Vec::new();
    let mut start = 0;
    let mut m = 0;
    let mut current: Option<&Mark> = None;
    for text in out.split_inclusive('\n') {
        let end = start + text.len();
        while m < marks.marks.len() && marks.marks[m].offset < end {
            current = Some(&marks.marks[m]);
            m += 1;
        }
        lines.push(BlameLine {
            text: text.trim_end_matches('\n').to_string(),
            path: current.map(|c| c.path.clone()).unwrap_or_default(),
            pos: current.map_or_else(|| node.pos(), |c| c.pos),
        });
        start = end;
    }
    Ok(lines)
}

/// Where a printed entry or item starts, and what it shows.
#[derive(Debug)]
struct Mark {
    /// Byte offset in the output of the line's first character.
    offset: usize,
    path: String,
    pos: Pos,
}

#[derive(Debug, Default)]
struct Marks {
    marks: Vec<Mark>,
    /// The path of the entry or item being printed, one piece each.
    stack: Vec<String>,
}

impl Marks {
    fn push(&mut self, offset: usize, piece: String, pos: Pos) {
        self.stack.push(piece);
        // The emitter calls before writing the indentation (and the line
        // break) that starts the entry; one byte on, the mark falls on the
        // entry's own line.
        self.marks.push(Mark {
            offset: offset + 1,
            path: self.stack.concat(),
            pos,
        });
    }
}

impl Visit for Marks {
    fn enter_entry(&mut self, offset: usize, entry: &Entry) {
        let key = &entry.key.value;
        let piece = if key.contains(['.', '[', ']']) || key.is_empty() {
            format!("[{key}]")
        } else if self.stack.is_empty() {
            key.to_string()
        } else {
            format!(".{key}")
        };
        // A value on the key's line says where it came from; a mapping or
        // list below it, its key (where the field was written).
        let value = &entry.value;
        let inline = matches!(value, Node::Scalar(_)) || value.is_nil_or_empty();
        let pos = if (inline && value.src() != 0) || entry.key.src == 0 {
            value.pos()
        } else {
            entry.key.pos()
        };
        self.push(offset, piece, pos);
    }

    fn enter_item(&mut self, offset: usize, index: usize, item: &Node) {
        self.push(offset, format!("[{index}]"), item.pos());
    }

    fn leave(&mut self) {
        self.stack.pop();
    }
}
