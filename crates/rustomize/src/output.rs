//! Writing results: all at once, atomically for files, quietly on a
//! closed pipe, and nothing left behind when the process is interrupted.
//!
//! A file is written to a temporary file beside its destination, created
//! exclusively under an unpredictable name (`O_CREAT | O_EXCL`, so a link
//! planted at the name is never followed), then renamed over the
//! destination. A destination that is a symbolic link is written through
//! (the link's target is replaced, the link stays), as kustomize writes it.
//! The temporary files in flight are known to the SIGINT/SIGTERM handler
//! ([`handle_signals`]), which removes them, kills the helper programs still
//! running (git, helm, functions: they are in their own process groups, so
//! the terminal's Ctrl-C does not reach them) and exits. The handler (a
//! thread) is installed when first needed: before the first temporary file
//! and before the first helper program starts; a build printing to stdout
//! with no helper program needs none, and a signal ends it as it would end
//! any program.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Whether an error chain ends in a broken pipe (the reader went away):
/// a normal way for `rustomize build | head` to end.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Writes `text` to stdout in one go.
pub fn stdout(text: &str) -> io::Result<()> {
    stdout_pieces(&[text])
}

/// Writes `pieces` to stdout one after the other (what a build prints,
/// without joining a large output into one string first); a broken pipe
/// is the caller's to treat as a normal exit.
pub fn stdout_pieces(pieces: &[impl AsRef<str>]) -> io::Result<()> {
    let mut out = io::stdout().lock();
    for piece in pieces {
        out.write_all(piece.as_ref().as_bytes())?;
    }
    out.flush()
}

/// Temporary files being written, for the signal handler to remove.
static IN_FLIGHT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn in_flight() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    IN_FLIGHT.lock().unwrap_or_else(|e| e.into_inner())
}

/// Removes every temporary file being written (the signal handler's first
/// step).
// The binary's own temporary files, on the disk by design.
#[allow(clippy::disallowed_methods)]
pub fn remove_in_flight() {
    for path in in_flight().drain(..) {
        let _ = std::fs::remove_file(path);
    }
}

/// Installs the SIGINT/SIGTERM handler, once (later calls do nothing):
/// temporary files removed, helper programs killed, exit status 128 + the
/// signal (130, 143) as a shell reports it.
#[cfg(unix)]
pub fn handle_signals() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(install_signal_handler);
}

#[cfg(unix)]
fn install_signal_handler() {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            remove_in_flight();
            rustomize_process::kill_all_running();
            std::process::exit(128 + signal);
        }
    });
}

/// No signals to handle here.
#[cfg(not(unix))]
pub fn handle_signals() {}

/// Writes a file atomically: a temporary file beside it, then a rename, so
/// a failure never leaves a half-written file. Through a symbolic link,
/// the file it points to is written; an existing file keeps its mode.
// Output files are written here, on the disk, by design.
#[allow(clippy::disallowed_methods)]
pub fn write_atomic(path: &Path, content: &[u8]) -> io::Result<()> {
    let dest = through_links(path)?;
    let dir = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let existing_mode = std::fs::metadata(&dest).ok().map(|m| m.permissions());
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".rustomize.tmp");
    #[cfg(unix)]
    {
        // The mode a new file gets from `os.WriteFile` (kustomize): 0666
        // less the umask (which the kernel applies to this one).
        use std::os::unix::fs::PermissionsExt as _;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    handle_signals();
    let mut tmp = builder.tempfile_in(dir)?;
    let tmp_path = tmp.path().to_path_buf();
    in_flight().push(tmp_path.clone());
    let result = (|| {
        tmp.write_all(content)?;
        if let Some(mode) = existing_mode {
            tmp.as_file().set_permissions(mode)?;
        }
        tmp.as_file().sync_all()?;
        tmp.persist(&dest).map_err(|e| e.error)?;
        Ok(())
    })();
    // On an error the temporary file was removed when dropped.
    in_flight().retain(|p| p != &tmp_path);
    result
}

/// The file a path names once symbolic links at its end are followed (it
/// may not exist yet: a link to a new file is written through).
#[allow(clippy::disallowed_methods)]
fn through_links(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&current) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = std::fs::read_link(&current)?;
                current = match current.parent() {
                    Some(parent) if target.is_relative() => parent.join(target),
                    _ => target,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(io::Error::other(format!(
        "{}: too many levels of symbolic links",
        path.display()
    )))
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)]
mod tests {
    use super::*;

    /// The tests share the list of files in flight (one of them empties
    /// it as the signal handler does): one at a time.
    fn serial() -> std::sync::MutexGuard<'static, ()> {
        static SERIAL: Mutex<()> = Mutex::new(());
        SERIAL.lock().unwrap_or_else(|e| e.into_inner())
    }

    #[test]
    fn a_symlinked_destination_is_written_through() {
        let _serial = serial();
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.yaml");
        std::fs::write(&real, "old\n").unwrap();
        let link = dir.path().join("out.yaml");
        std::os::unix::fs::symlink("real.yaml", &link).unwrap();
        write_atomic(&link, b"new\n").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new\n");
        // A dangling link makes its target.
        let dangling = dir.path().join("dangling.yaml");
        std::os::unix::fs::symlink("made.yaml", &dangling).unwrap();
        write_atomic(&dangling, b"x\n").unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join("made.yaml")).unwrap(),
            "x\n"
        );
    }

    #[test]
    fn an_existing_file_keeps_its_mode_and_nothing_is_left_behind() {
        let _serial = serial();
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.yaml");
        std::fs::write(&out, "old\n").unwrap();
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&out, b"new\n").unwrap();
        assert_eq!(
            std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
            0o640
        );
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    /// Issue 14, "-o: temp files ... removed on error": the rename over a
    /// directory fails after the content was written, and the temporary
    /// file goes with the error.
    #[test]
    fn a_failed_write_removes_its_temporary_file() {
        let _serial = serial();
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.yaml");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("keep"), "x").unwrap();
        assert!(write_atomic(&out, b"new\n").is_err());
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, [std::ffi::OsString::from("out.yaml")]);
        assert!(in_flight().is_empty());
        assert_eq!(std::fs::read_to_string(out.join("keep")).unwrap(), "x");
    }

    #[test]
    fn the_signal_handler_removes_files_in_flight() {
        let _serial = serial();
        let dir = tempfile::tempdir().unwrap();
        let tmp = dir.path().join(".out.yaml.x.rustomize.tmp");
        std::fs::write(&tmp, "partial").unwrap();
        in_flight().push(tmp.clone());
        remove_in_flight();
        assert!(!tmp.exists());
    }
}
