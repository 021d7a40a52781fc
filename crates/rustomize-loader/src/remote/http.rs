//! Downloading single files named by `http(s)://` URLs in `resources`, as
//! kustomize does, by driving the `curl` program (so users' proxies and
//! `.netrc` apply, as git's settings do for repositories).

use crate::error::LoadError;
use rustomize_process::{Input, Limits, RunError};
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

/// The most a remote file may weigh (a resource file; kustomize has no
/// limit, but a download without end must not fill the memory).
const MAX_DOWNLOAD: usize = 256 << 20;

/// Runs curl.
#[derive(Clone, Debug)]
pub(crate) struct Curl {
    program: PathBuf,
    env: Vec<(OsString, OsString)>,
}

impl Curl {
    /// A runner for `program`, with `env` added to its environment.
    pub(crate) fn new(program: PathBuf, env: Vec<(OsString, OsString)>) -> Self {
        Curl { program, env }
    }

    /// GETs `url`, following redirects (at most 10, http and https only,
    /// as Go's client does). A status outside 2xx is [`LoadError::Http`].
    /// The body comes through curl's stdout, followed by a line with the
    /// status code (`--write-out`), which curl prints after the transfer.
    pub(crate) fn get(&self, url: &str, timeout: Duration) -> Result<Vec<u8>, LoadError> {
        let fail = |reason: String| LoadError::Download {
            url: url.to_string(),
            reason,
        };
        let lower = url.get(..8).unwrap_or("").to_ascii_lowercase();
        if !(lower.starts_with("http://") || lower.starts_with("https://"))
            || url.chars().any(|c| c.is_control() || c.is_whitespace())
        {
            return Err(fail("not an http(s) URL".into()));
        }
        let mut cmd = Command::new(&self.program);
        cmd.args([
            "--silent",
            "--show-error",
            "--location",
            "--max-redirs",
            "10",
            "--proto",
            "=http,https",
            "--proto-redir",
            "=http,https",
            "--compressed",
            "--write-out",
            "\\n%{http_code}",
        ])
        .arg("--max-time")
        .arg(timeout.as_secs().max(1).to_string())
        .arg("--")
        .arg(url)
        .envs(self.env.iter().map(|(k, v)| (k, v)));
        // curl's own --max-time stops it; the deadline is a backstop.
        let limits = Limits {
            timeout: Some(timeout + Duration::from_secs(2)),
            max_output: MAX_DOWNLOAD,
        };
        let done = match rustomize_process::run(cmd, Input::None, &limits) {
            Ok(done) => done,
            Err(RunError::NotFound) => {
                return Err(fail(format!(
                    "no '{}' program found; remote files need curl installed",
                    self.program.display()
                )));
            }
            Err(RunError::TimedOut { .. }) => {
                return Err(fail(format!("no answer within {timeout:?}")));
            }
            Err(e) => return Err(fail(e.to_string())),
        };
        if !done.status.success() {
            return Err(fail(
                String::from_utf8_lossy(&done.stderr).trim_end().to_string(),
            ));
        }
        let mut body = done.stdout;
        let split = body.iter().rposition(|&b| b == b'\n');
        let code = match split {
            Some(i) => String::from_utf8_lossy(&body[i + 1..]).into_owned(),
            None => String::from_utf8_lossy(&body).into_owned(),
        };
        let status: u16 = code
            .trim()
            .parse()
            .map_err(|_| fail(format!("curl reported status '{code}'")))?;
        if !(200..=299).contains(&status) {
            return Err(LoadError::Http {
                url: url.to_string(),
                status,
            });
        }
        body.truncate(split.unwrap_or(0));
        Ok(body)
    }
}
