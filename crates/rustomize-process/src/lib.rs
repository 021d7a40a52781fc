//! Running a helper program (git, curl, helm, a KRM function) to its end,
//! with its input on stdin, its output captured through pipes, and a
//! deadline.
//!
//! - The program gets its own process group (Unix), so at the deadline the
//!   whole tree it started is killed (a shell script's children, the ssh
//!   that git runs), not only the first process; otherwise a grandchild
//!   holding an output pipe open would keep the caller waiting.
//! - Waiting takes no polling: a thread blocks in `waitid(WNOWAIT)` until
//!   the program exits, leaving it unreaped, so its process id (and group
//!   id) cannot be reused before the group is killed.
//! - Output is bounded ([`Limits::max_output`]): a program that prints
//!   without end is killed rather than filling the memory.
//!
//! ```
//! # #[cfg(unix)] {
//! use rustomize_process::{Input, Limits, run};
//! use std::process::Command;
//! use std::time::Duration;
//!
//! let mut cmd = Command::new("sh");
//! cmd.args(["-c", "tr a-z A-Z"]);
//! let limits = Limits { timeout: Some(Duration::from_secs(10)), ..Limits::default() };
//! let done = run(cmd, Input::Bytes(b"hello".to_vec()), &limits).unwrap();
//! assert!(done.status.success());
//! assert_eq!(done.stdout, b"HELLO");
//! # }
//! ```

#![warn(unreachable_pub)]
// Tests set up trees on disk; product code goes through a FileSystem
// (clippy.toml's disallowed-methods).
#![cfg_attr(test, allow(clippy::disallowed_methods))]

mod live;
mod wait;

use std::fmt;
use std::io::{self, Read, Write};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// What a program that ran to its end left behind.
#[derive(Debug)]
pub struct Output {
    /// How it ended.
    pub status: ExitStatus,
    /// Everything it printed on stdout.
    pub stdout: Vec<u8>,
    /// Everything it printed on stderr.
    pub stderr: Vec<u8>,
}

/// What the program reads on stdin.
#[derive(Debug)]
pub enum Input {
    /// Nothing: stdin is `/dev/null`.
    None,
    /// These bytes, then end of file.
    Bytes(Vec<u8>),
}

/// How long a program may run and how much it may print.
#[derive(Clone, Debug)]
pub struct Limits {
    /// The deadline, from the start; `None` waits forever.
    pub timeout: Option<Duration>,
    /// The most bytes kept of stdout, and of stderr; past it the program
    /// is killed and the run fails with [`RunError::OutputTooLarge`].
    pub max_output: usize,
}

impl Default for Limits {
    /// No deadline, 1 GiB of output per stream.
    fn default() -> Self {
        Limits {
            timeout: None,
            max_output: 1 << 30,
        }
    }
}

/// Why a program did not run to its end.
#[derive(Debug)]
pub enum RunError {
    /// The program (or the interpreter its `#!` line names) does not exist.
    NotFound,
    /// The program exists but may not be executed.
    NotExecutable,
    /// Starting it failed otherwise.
    Spawn(io::Error),
    /// It ran longer than allowed and was killed, with its process group.
    TimedOut {
        /// The limit.
        after: Duration,
        /// What it had printed on stderr by then.
        stderr: Vec<u8>,
    },
    /// It printed more than [`Limits::max_output`] on one stream and was
    /// killed.
    OutputTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// Waiting for it or reading its output failed.
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
            RunError::OutputTooLarge { limit } => {
                write!(f, "printed more than {limit} bytes and was killed")
            }
        }
    }
}

/// No `source()`: the one wrapped error (an IO error) is already this
/// error's whole text.
impl std::error::Error for RunError {}

/// A duration as a person writes it: `90s`, `1.5s`, `250ms`.
pub fn show_duration(d: Duration) -> String {
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
pub fn describe_status(status: ExitStatus) -> String {
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

/// The last 4000 bytes of a program's stderr, trimmed, for an error
/// message; empty when it printed nothing.
pub fn stderr_excerpt(stderr: &[u8]) -> String {
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

/// What the helper threads report.
enum Event {
    /// The program exited (not yet reaped).
    Exited(io::Result<()>),
    /// A stream reached its end, or its limit.
    Stream(Stream, Result<Vec<u8>, StreamError>),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Stream {
    Out,
    Err,
}

enum StreamError {
    TooLarge,
    Io(io::Error),
}

/// Runs `cmd` with `input` on its stdin until it exits and closes its
/// output, or until the deadline, when it is killed with its process group.
pub fn run(mut cmd: Command, input: Input, limits: &Limits) -> Result<Output, RunError> {
    let started = Instant::now();
    let deadline = limits.timeout.map(|t| started + t);
    cmd.stdin(match input {
        Input::None => Stdio::null(),
        Input::Bytes(_) => Stdio::piped(),
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    let (mut child, _live) = live::Running::spawn(&mut cmd).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => RunError::NotFound,
        io::ErrorKind::PermissionDenied => RunError::NotExecutable,
        _ => RunError::Spawn(e),
    })?;

    // The writer is never joined: a program that does not read its input
    // (or leaves a child holding stdin) must not block the caller. Writing
    // to a program that has gone fails with a broken pipe, which ends the
    // thread.
    if let (Input::Bytes(bytes), Some(mut stdin)) = (input, child.stdin.take()) {
        thread::spawn(move || {
            let _ = stdin.write_all(&bytes);
        });
    }
    let (tx, rx) = mpsc::channel::<Event>();
    let pipes: [(Stream, Option<Box<dyn Read + Send>>); 2] = [
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
    ];
    for (stream, pipe) in pipes {
        let tx = tx.clone();
        let limit = limits.max_output;
        thread::spawn(move || {
            let res = match pipe {
                Some(p) => read_bounded(p, limit),
                None => Ok(Vec::new()),
            };
            let _ = tx.send(Event::Stream(stream, res));
        });
    }
    wait::notify_exit(&child, tx);

    let (mut exited, mut stdout, mut stderr) = (false, None, None);
    while !exited || stdout.is_none() || stderr.is_none() {
        let event = match deadline {
            Some(d) => match rx.recv_timeout(d.saturating_duration_since(Instant::now())) {
                Ok(e) => Some(e),
                Err(mpsc::RecvTimeoutError::Timeout) => None,
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            },
            None => match rx.recv() {
                Ok(e) => Some(e),
                Err(_) => break,
            },
        };
        match event {
            None => {
                // Past the deadline (the program, or something it started
                // that still holds its output).
                kill_group(&mut child);
                let stderr = stderr.unwrap_or_else(|| stderr_after_kill(&rx));
                return Err(RunError::TimedOut {
                    after: limits.timeout.unwrap_or_default(),
                    stderr,
                });
            }
            Some(Event::Exited(Ok(()))) => exited = true,
            Some(Event::Exited(Err(e))) => {
                kill_group(&mut child);
                return Err(RunError::Io(e));
            }
            Some(Event::Stream(stream, Ok(bytes))) => match stream {
                Stream::Out => stdout = Some(bytes),
                Stream::Err => stderr = Some(bytes),
            },
            Some(Event::Stream(_, Err(e))) => {
                kill_group(&mut child);
                return Err(match e {
                    StreamError::TooLarge => RunError::OutputTooLarge {
                        limit: limits.max_output,
                    },
                    StreamError::Io(e) => RunError::Io(e),
                });
            }
        }
    }
    // The program has exited (or every helper has gone): reaping it does
    // not block.
    live::forget(&child);
    let status = child.wait().map_err(RunError::Io)?;
    Ok(Output {
        status,
        stdout: stdout.unwrap_or_default(),
        stderr: stderr.unwrap_or_default(),
    })
}

/// Reads `pipe` to its end, failing past `limit` bytes (and then dropping
/// the pipe, so the writer gets a broken pipe rather than blocking).
fn read_bounded(mut pipe: impl Read, limit: usize) -> Result<Vec<u8>, StreamError> {
    let mut buf = Vec::new();
    let mut taken = (&mut pipe).take(limit as u64 + 1);
    taken.read_to_end(&mut buf).map_err(StreamError::Io)?;
    if buf.len() > limit {
        return Err(StreamError::TooLarge);
    }
    Ok(buf)
}

/// After a kill: the stderr the program printed, for the message. Its
/// reader sends it as soon as the killed group's pipe closes; a process
/// outside the group may still hold it, so the wait is bounded.
fn stderr_after_kill(rx: &mpsc::Receiver<Event>) -> Vec<u8> {
    let until = Instant::now() + Duration::from_secs(1);
    while let Ok(event) = rx.recv_timeout(until.saturating_duration_since(Instant::now())) {
        if let Event::Stream(Stream::Err, Ok(bytes)) = event {
            return bytes;
        }
    }
    Vec::new()
}

/// Kills the child and, on Unix, every process in its process group, then
/// reaps it. The child is not reaped before the kill (see [`wait`]), so
/// its id still names its group.
fn kill_group(child: &mut Child) {
    #[cfg(unix)]
    {
        let pid = rustix::process::Pid::from_child(child);
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
    let _ = child.kill();
    live::forget(child);
    let _ = child.wait();
}

/// Kills every program this process is running through [`run`], with its
/// process group: what a signal handler calls before the process exits
/// (the programs are in their own groups, so a Ctrl-C at the terminal does
/// not reach them).
pub fn kill_all_running() {
    live::kill_all();
}

/// Registers `hook` to run once, before the first program [`run`] starts
/// (the first registration wins). The binary installs its signal handler
/// this way, so that a build that runs no program starts no thread for it.
pub fn on_first_spawn(hook: fn()) {
    live::set_first_spawn_hook(hook);
}

#[cfg(all(test, unix))]
mod tests;
