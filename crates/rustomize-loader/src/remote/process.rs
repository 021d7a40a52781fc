//! Running a helper program (git, curl) with captured output and a
//! deadline after which it is killed.
//!
//! Output goes to anonymous temporary files rather than pipes, so nothing
//! can block on a full pipe, and a grandchild that outlives a killed
//! program (an ssh started by git) cannot keep us waiting for end-of-file.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// A program that ran to its end.
#[derive(Debug)]
pub(crate) struct Finished {
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

/// Why a program did not run to its end.
#[derive(Debug)]
pub(crate) enum RunError {
    /// The program is not installed.
    NotFound,
    /// It ran past its deadline and was killed.
    TimedOut,
    /// Starting it or collecting its output failed.
    Io(io::Error),
}

/// Runs `cmd` (standard input closed) until it exits or `timeout` passes.
pub(crate) fn run(mut cmd: Command, timeout: Duration) -> Result<Finished, RunError> {
    let mut out = tempfile::tempfile().map_err(RunError::Io)?;
    let mut err = tempfile::tempfile().map_err(RunError::Io)?;
    cmd.stdin(Stdio::null())
        .stdout(Stdio::from(out.try_clone().map_err(RunError::Io)?))
        .stderr(Stdio::from(err.try_clone().map_err(RunError::Io)?));
    let mut child = cmd.spawn().map_err(|e| {
        if e.kind() == io::ErrorKind::NotFound {
            RunError::NotFound
        } else {
            RunError::Io(e)
        }
    })?;
    let status = wait_with_deadline(&mut child, timeout)
        .map_err(RunError::Io)?
        .ok_or(RunError::TimedOut)?;
    Ok(Finished {
        status,
        stdout: read_all(&mut out).map_err(RunError::Io)?,
        stderr: String::from_utf8_lossy(&read_all(&mut err).map_err(RunError::Io)?).into_owned(),
    })
}

/// Waits for `child` until `timeout`; `None` if it had to be killed.
fn wait_with_deadline(child: &mut Child, timeout: Duration) -> io::Result<Option<ExitStatus>> {
    let deadline = Instant::now() + timeout;
    // Most calls on a cached or local repository take a few milliseconds:
    // poll quickly at first, then back off.
    let mut pause = Duration::from_millis(1);
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        let now = Instant::now();
        if now >= deadline {
            // A kill error only means it exited meanwhile.
            let _ = child.kill();
            child.wait()?;
            return Ok(None);
        }
        std::thread::sleep(pause.min(deadline - now));
        pause = (pause * 2).min(Duration::from_millis(50));
    }
}

fn read_all(f: &mut File) -> io::Result<Vec<u8>> {
    f.seek(SeekFrom::Start(0))?;
    let mut bytes = Vec::new();
    f.read_to_end(&mut bytes)?;
    Ok(bytes)
}
