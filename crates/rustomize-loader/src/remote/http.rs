//! Downloading single files named by `http(s)://` URLs in `resources`, as
//! kustomize does, by driving the `curl` program (so users' proxies and
//! `.netrc` apply, as git's settings do for repositories).

use super::process::{self, RunError};
use crate::loader::LoadError;
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

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
    pub(crate) fn get(&self, url: &str, timeout: Duration) -> Result<Vec<u8>, LoadError> {
        let fail = |why: String| LoadError::Remote(format!("downloading '{url}': {why}"));
        let lower = url.get(..8).unwrap_or("").to_ascii_lowercase();
        if !(lower.starts_with("http://") || lower.starts_with("https://"))
            || url.chars().any(|c| c.is_control() || c.is_whitespace())
        {
            return Err(fail("not an http(s) URL".into()));
        }
        let body = tempfile::NamedTempFile::new()
            .map_err(|e| fail(format!("creating a temporary file: {e}")))?;
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
            "%{http_code}",
        ])
        .arg("--max-time")
        .arg(timeout.as_secs().max(1).to_string())
        .arg("--output")
        .arg(body.path())
        .arg("--")
        .arg(url)
        .envs(self.env.iter().map(|(k, v)| (k, v)));
        // curl's own --max-time stops it; the deadline is a backstop.
        let done = match process::run(cmd, timeout + Duration::from_secs(2)) {
            Ok(done) => done,
            Err(RunError::NotFound) => {
                return Err(fail(format!(
                    "no '{}' program found; remote files need curl installed",
                    self.program.display()
                )));
            }
            Err(RunError::TimedOut) => {
                return Err(fail(format!("no answer within {timeout:?}")));
            }
            Err(RunError::Io(e)) => return Err(fail(e.to_string())),
        };
        if !done.status.success() {
            return Err(fail(done.stderr.trim_end().to_string()));
        }
        let code = String::from_utf8_lossy(&done.stdout);
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
        std::fs::read(body.path()).map_err(|e| fail(format!("reading the download: {e}")))
    }
}
