//! What the fuzz targets share: input split into files, an in-memory build.
//!
//! A tree input is files separated by NUL bytes, each `name` SOH
//! `content` (a piece without SOH is the content of `kustomization.yaml`
//! for the first piece, `r.yaml` for the others in turn). Names are kept
//! under `/app`; the build runs with the default options (no plugins, no
//! remote fetcher, so no process and no network).

use rustomize_engine::{BuildOptions, build};
use rustomize_loader::MemFs;
use std::path::Path;
use std::sync::Arc;

/// The input as text (invalid UTF-8 replaced).
pub fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// The files of a tree input: (path under `/app`, content).
pub fn files(data: &[u8]) -> Vec<(String, String)> {
    let text = text(data);
    let mut out = Vec::new();
    for (i, piece) in text.split('\0').enumerate() {
        let (name, content) = match piece.split_once('\u{1}') {
            Some((n, c)) => (sanitize(n), c),
            None if i == 0 => ("kustomization.yaml".to_string(), piece),
            None => (format!("r{i}.yaml"), piece),
        };
        if !name.is_empty() {
            out.push((name, content.to_string()));
        }
    }
    out
}

/// A relative path without `..` escaping `/app` or odd characters.
fn sanitize(name: &str) -> String {
    name.split('/')
        .filter(|c| !c.is_empty() && *c != "." && *c != "..")
        .map(|c| c.chars().filter(|ch| !ch.is_control()).collect::<String>())
        .filter(|c| !c.is_empty())
        .collect::<Vec<_>>()
        .join("/")
}

/// Builds the tree of `files` rooted at `/app`: the printed YAML, or the
/// error's message.
pub fn build_files(files: &[(String, String)]) -> Result<String, String> {
    let fs = MemFs::new();
    for (name, content) in files {
        fs.write(format!("/app/{name}"), content.as_str());
    }
    let out = build(Arc::new(fs), Path::new("/app"), &BuildOptions::default())
        .map_err(|e| e.report().to_string())?;
    out.to_yaml().map_err(|e| e.report().to_string())
}

/// Encodes a tree as a tree input (for seeds).
pub fn encode(files: &[(String, String)]) -> Vec<u8> {
    files
        .iter()
        .map(|(n, c)| format!("{n}\u{1}{c}"))
        .collect::<Vec<_>>()
        .join("\0")
        .into_bytes()
}
