//! Runs another program (helm, a KRM function) with its input on stdin,
//! capturing stdout and stderr, under a time limit.
//!
//! The program gets its own process group on Unix, so that on timeout the
//! whole tree it started (a shell script's children too) is killed, not
//! only the first process; otherwise a grandchild holding the output pipe
//! open would keep the build waiting.

use std::fmt;
use std::io::{self, Read, Write};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// What a program that ran to its end left behind.
#[derive(Debug)]
pub(crate) struct Finished {
    /// How it ended.
    pub status: ExitStatus,
    /// Everything it printed on stdout.
    pub stdout: Vec<u8>,
    /// Everything it printed on stderr.
    pub stderr: Vec<u8>,
}

/// Why a program did not run to its end.
#[derive(Debug)]
pub(crate) enum RunError {
    /// The program (or the interpreter its `#!` line names) does not exist.
    NotFound,
    /// The program exists but may not be executed.
    NotExecutable,
    /// Starting it failed otherwise.
    Spawn(io::Error),
    /// It ran longer than allowed and was killed.
    TimedOut {
        /// The limit.
        after: Duration,
        /// What it had printed on stderr by then.
        stderr: Vec<u8>,
    },
    /// Talking to it failed.
    Io(io::Error),
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::NotFound => f.write_str("no such file or directory"),
            RunError::NotExecutable => f.write_str("permission denied (is it executable?)"),
            RunError::Spawn(e) | RunError::Io(e) => write!(f, "{e}"),
            RunError::TimedOut { after, .. } => {
                write!(
                    f,
                    "timed out after {} and was killed",
                    show_duration(*after)
                )
            }
        }
    }
}

/// A duration as a person writes it: `90s`, `1.5s`, `250ms`.
pub(crate) fn show_duration(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else if d.as_secs() == 0 {
        format!("{}ms", d.as_millis())
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

/// How a finished program ended, worded as Go's `exec` package words it
/// (`exit status 3`, `signal: killed`).
pub(crate) fn describe_status(status: ExitStatus) -> String {
    if let Some(code) = status.code() {
        return format!("exit status {code}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return match sig {
                9 => "signal: killed".into(),
                15 => "signal: terminated".into(),
                2 => "signal: interrupt".into(),
                11 => "signal: segmentation fault".into(),
                6 => "signal: aborted".into(),
                n => format!("signal {n}"),
            };
        }
    }
    status.to_string()
}

/// The last lines of a program's stderr, trimmed, for an error message;
/// empty when it printed nothing.
pub(crate) fn stderr_excerpt(stderr: &[u8]) -> String {
    const LIMIT: usize = 4000;
    let text = String::from_utf8_lossy(stderr);
    let text = text.trim();
    if text.len() <= LIMIT {
        return text.to_string();
    }
    let mut start = text.len() - LIMIT;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    format!("...{}", &text[start..])
}

/// Runs `cmd` with `input` on its stdin and waits at most `timeout` for it
/// to end and close its output.
pub(crate) fn run(
    mut cmd: Command,
    input: Vec<u8>,
    timeout: Option<Duration>,
) -> Result<Finished, RunError> {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    let mut child = cmd.spawn().map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => RunError::NotFound,
        io::ErrorKind::PermissionDenied => RunError::NotExecutable,
        _ => RunError::Spawn(e),
    })?;
    let deadline = timeout.map(|t| Instant::now() + t);

    // The writer is never joined: a program that does not read its input
    // (or leaves a child holding stdin) must not block the build. Writing
    // to a program that has gone fails with a broken pipe, which ends the
    // thread.
    if let Some(mut stdin) = child.stdin.take() {
        thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
    }
    let (tx, rx) = mpsc::channel::<(Stream, io::Result<Vec<u8>>)>();
    for (stream, pipe) in [
        (
            Stream::Out,
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        ),
        (
            Stream::Err,
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        ),
    ] {
        let tx = tx.clone();
        thread::spawn(move || {
            let mut buf = Vec::new();
            let res = match pipe {
                Some(mut p) => p.read_to_end(&mut buf).map(|_| buf),
                None => Ok(buf),
            };
            let _ = tx.send((stream, res));
        });
    }
    drop(tx);

    let status = match wait_until(&mut child, deadline) {
        Ok(Some(status)) => status,
        Ok(None) => {
            kill_tree(&mut child);
            return Err(timed_out(timeout, &rx));
        }
        Err(e) => {
            kill_tree(&mut child);
            return Err(RunError::Io(e));
        }
    };

    let (mut stdout, mut stderr) = (None, None);
    while stdout.is_none() || stderr.is_none() {
        let received = match deadline {
            Some(d) => rx.recv_timeout(d.saturating_duration_since(Instant::now())),
            None => rx.recv().map_err(|_| mpsc::RecvTimeoutError::Disconnected),
        };
        match received {
            Ok((Stream::Out, res)) => stdout = Some(res.map_err(RunError::Io)?),
            Ok((Stream::Err, res)) => stderr = Some(res.map_err(RunError::Io)?),
            Err(mpsc::RecvTimeoutError::Timeout) => {
                // The program ended but something it started still holds
                // its output open.
                kill_tree(&mut child);
                return Err(timed_out(timeout, &rx));
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    Ok(Finished {
        status,
        stdout: stdout.unwrap_or_default(),
        stderr: stderr.unwrap_or_default(),
    })
}

#[derive(Clone, Copy)]
enum Stream {
    Out,
    Err,
}

/// Waits for the child to exit; `None` when the deadline passed first.
fn wait_until(child: &mut Child, deadline: Option<Instant>) -> io::Result<Option<ExitStatus>> {
    let Some(deadline) = deadline else {
        return child.wait().map(Some);
    };
    let mut pause = Duration::from_millis(1);
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        let now = Instant::now();
        if now >= deadline {
            return Ok(None);
        }
        thread::sleep(pause.min(deadline - now));
        pause = (pause * 2).min(Duration::from_millis(20));
    }
}

fn timed_out(
    timeout: Option<Duration>,
    rx: &mpsc::Receiver<(Stream, io::Result<Vec<u8>>)>,
) -> RunError {
    // Give the killed program's stderr a moment to arrive, for the message.
    let grace = Instant::now() + Duration::from_millis(300);
    let mut stderr = Vec::new();
    while let Ok((stream, res)) = rx.recv_timeout(grace.saturating_duration_since(Instant::now())) {
        if let (Stream::Err, Ok(bytes)) = (stream, res) {
            stderr = bytes;
            break;
        }
    }
    RunError::TimedOut {
        after: timeout.unwrap_or_default(),
        stderr,
    }
}

/// Kills the child and, on Unix, every process in its process group.
fn kill_tree(child: &mut Child) {
    #[cfg(unix)]
    {
        let pid = rustix::process::Pid::from_child(child);
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn sh(script: &str) -> Command {
        let mut c = Command::new("/bin/sh");
        c.arg("-c").arg(script);
        c
    }

    #[test]
    fn captures_output_and_feeds_input() {
        let done = run(sh("cat; echo err >&2"), b"hello\n".to_vec(), None).unwrap();
        assert!(done.status.success());
        assert_eq!(done.stdout, b"hello\n");
        assert_eq!(done.stderr, b"err\n");
    }

    #[test]
    fn reports_exit_status_like_go() {
        let done = run(sh("exit 3"), Vec::new(), Some(Duration::from_secs(10))).unwrap();
        assert_eq!(describe_status(done.status), "exit status 3");
    }

    #[test]
    fn a_program_that_ignores_a_large_input_does_not_block() {
        let done = run(
            sh("echo ok"),
            vec![b'x'; 1 << 20],
            Some(Duration::from_secs(10)),
        )
        .unwrap();
        assert_eq!(done.stdout, b"ok\n");
    }

    #[test]
    fn kills_the_whole_tree_on_timeout() {
        let start = Instant::now();
        let err = run(
            sh("echo started >&2; sleep 30; echo never"),
            Vec::new(),
            Some(Duration::from_millis(200)),
        )
        .unwrap_err();
        assert!(start.elapsed() < Duration::from_secs(5));
        match err {
            RunError::TimedOut { after, stderr } => {
                assert_eq!(after, Duration::from_millis(200));
                assert_eq!(stderr, b"started\n");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_background_child_holding_the_output_open_times_out() {
        let err = run(
            sh("(sleep 30) & echo done"),
            Vec::new(),
            Some(Duration::from_millis(300)),
        )
        .unwrap_err();
        assert!(matches!(err, RunError::TimedOut { .. }), "{err:?}");
    }

    #[test]
    fn missing_and_non_executable_programs() {
        let missing = run(Command::new("/nonexistent/prog"), Vec::new(), None).unwrap_err();
        assert!(matches!(missing, RunError::NotFound));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("prog");
        std::fs::write(&path, "#!/bin/sh\necho hi\n").unwrap();
        let denied = run(Command::new(&path), Vec::new(), None).unwrap_err();
        assert!(matches!(denied, RunError::NotExecutable));
        assert_eq!(show_duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(show_duration(Duration::from_secs(120)), "120s");
    }
}
