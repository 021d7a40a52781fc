//! Lexical path helpers: no file system access.

use std::path::{Component, Path, PathBuf};

/// An absolute, lexically normalized path (`..` folded), without touching
/// the filesystem.
pub(crate) fn absolute(p: &Path) -> PathBuf {
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|c| c.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    };
    normalize(&joined)
}

/// Folds `.` and `..` segments lexically.
pub(crate) fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(".."),
            },
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::rows;

    #[test]
    fn normalizes() {
        rows(
            &[
                ("overlays/prod/../../base/d.yaml", "base/d.yaml"),
                ("./../../x", "../../x"),
                ("a/../../x", "../x"),
                ("/a/../../x", "/x"),
            ],
            |&(p, want)| {
                let got = normalize(Path::new(p));
                (got == Path::new(want))
                    .then_some(())
                    .ok_or(got.display().to_string())
            },
        );
    }
}
