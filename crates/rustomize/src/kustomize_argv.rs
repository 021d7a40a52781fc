//! The kustomize-compatible command line: what Argo CD's repo-server and
//! CI scripts run as `kustomize`.
//!
//! rustomize accepts kustomize v5.5's argv under either name (a symlink or
//! copy called `kustomize`, or `rustomize`): `build [DIR]`, `edit ...`,
//! `create`, `version [--short] [-o yaml|json]`, `completion SHELL`, the
//! root `--stack-trace`, Go-style `--flag=true|false` on booleans. What
//! differs by name: the program name in help and completion scripts, and
//! the `app.kubernetes.io/managed-by` value (`kustomize-v5.5.0` as the
//! standalone v5.5.0 binary writes it, `kustomize-(devel)` as
//! `kubectl kustomize` writes it).

use std::ffi::OsString;
use std::path::Path;

/// The kustomize version this binary is compatible with.
pub const KUSTOMIZE_VERSION: &str = "v5.5.0";

/// rustomize's own version.
pub const RUSTOMIZE_VERSION: &str = concat!("v", env!("CARGO_PKG_VERSION"));

/// The name the binary was run as (`kustomize` or `rustomize`).
pub fn program_name() -> &'static str {
    let is_kustomize = std::env::args_os()
        .next()
        .is_some_and(|a| Path::new(&a).file_name().is_some_and(|n| n == "kustomize"));
    if is_kustomize {
        "kustomize"
    } else {
        "rustomize"
    }
}

/// The command line to parse. Run as `kustomize`, the subcommand `init` is
/// kustomize's alias of `create` (`kustomize init --namespace x`, as
/// Argo CD and scripts may run it); run as `rustomize`, `init` is the app
/// scaffolder.
pub fn args() -> Vec<OsString> {
    let mut args: Vec<OsString> = std::env::args_os().collect();
    if as_kustomize() {
        init_as_create(&mut args);
    }
    args
}

/// Replaces a subcommand `init` with `create` (the subcommand is the first
/// argument after the program that is not the root `--stack-trace` flag).
fn init_as_create(args: &mut [OsString]) {
    for a in args.iter_mut().skip(1) {
        let s = a.to_string_lossy();
        if s == "--stack-trace" || s.starts_with("--stack-trace=") {
            continue;
        }
        if s == "init" {
            *a = OsString::from("create");
        }
        break;
    }
}

/// The command tree run as `kustomize`: the scaffolder `init` gives way to
/// kustomize's `init` (create's alias; [`args`] maps it to `create`), kept
/// hidden with create's flags so completion scripts offer them.
pub fn kustomize_tree(cmd: clap::Command) -> clap::Command {
    let Some(create) = cmd.find_subcommand("create").cloned() else {
        return cmd;
    };
    cmd.mut_subcommand("init", |_| create.name("init").hide(true))
}

/// Whether the binary runs as `kustomize`.
pub fn as_kustomize() -> bool {
    program_name() == "kustomize"
}

/// The `app.kubernetes.io/managed-by` value builds write.
pub fn managed_by_value() -> String {
    if as_kustomize() {
        format!("kustomize-{KUSTOMIZE_VERSION}")
    } else {
        "kustomize-(devel)".to_string()
    }
}

/// Whether `KUSTOMIZE_ENABLE_MANAGEDBY_LABEL=on` asks for the managed-by
/// label, as kustomize reads it.
pub fn managed_by_env() -> bool {
    std::env::var("KUSTOMIZE_ENABLE_MANAGEDBY_LABEL").is_ok_and(|v| v == "on")
}

/// Go's `strconv.ParseBool`, for `--flag=true|false`.
pub fn go_bool(s: &str) -> Result<bool, String> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(false),
        _ => Err(format!("strconv.ParseBool: parsing {s:?}: invalid syntax")),
    }
}

/// `version` (no flags): the kustomize version first, rustomize's after.
pub fn version_line() -> String {
    format!("{KUSTOMIZE_VERSION} (rustomize {RUSTOMIZE_VERSION})")
}

/// `version --short`: the shape of kustomize's `{kustomize/v5.5.0  date   }`,
/// which Argo CD reads with a semver regex after trimming the braces and
/// `kustomize/` (the first version it finds is 5.5.0).
pub fn version_short() -> String {
    format!("{{kustomize/{KUSTOMIZE_VERSION} rustomize/{RUSTOMIZE_VERSION}}}")
}

fn go_os_arch() -> (&'static str, &'static str) {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    };
    (std::env::consts::OS, arch)
}

/// The provenance fields `version -o yaml|json` prints.
pub fn provenance() -> Vec<(&'static str, String)> {
    let (os, arch) = go_os_arch();
    vec![
        ("version", format!("kustomize/{KUSTOMIZE_VERSION}")),
        ("rustomizeVersion", RUSTOMIZE_VERSION.to_string()),
        ("gitCommit", "unknown".into()),
        ("buildDate", "unknown".into()),
        ("goOs", os.into()),
        ("goArch", arch.into()),
    ]
}

/// A line as Go's `log.Printf` prints it (`2006/01/02 15:04:05 msg`, UTC).
pub fn log_line(msg: &str) -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}/{m:02}/{d:02} {:02}:{:02}:{:02} {msg}",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// The warning pflag prints for a deprecated flag.
pub fn deprecated_flag(flag: &str, message: &str) -> String {
    format!("Flag --{flag} has been deprecated, {message}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Argo CD's `util/kustomize` parsing of `version --short`.
    fn argocd_semver(out: &str) -> Option<String> {
        let v = out.trim();
        let v = v.strip_prefix('{').unwrap_or(v);
        let v = v.strip_suffix('}').unwrap_or(v).trim().replace("  ", " ");
        let v = v.strip_prefix("kustomize/").unwrap_or(&v).to_string();
        let re = regex_lite_semver(&v);
        re.map(|s| s.trim_start_matches('v').to_string())
    }

    fn regex_lite_semver(s: &str) -> Option<String> {
        // v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?... : the first run of digits and dots.
        let start = s.find(|c: char| c.is_ascii_digit())?;
        let rest = &s[start..];
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        Some(rest[..end].to_string())
    }

    #[test]
    fn argocd_reads_the_kustomize_version_first() {
        assert_eq!(argocd_semver(&version_short()).as_deref(), Some("5.5.0"));
        assert!(version_line().starts_with("v5.5.0"));
    }

    #[test]
    fn init_is_create_after_root_flags_only() {
        let rows: [(&[&str], &[&str]); 4] = [
            (
                &["kustomize", "init", "--namespace", "x"],
                &["kustomize", "create", "--namespace", "x"],
            ),
            (
                &["kustomize", "--stack-trace", "init"],
                &["kustomize", "--stack-trace", "create"],
            ),
            (
                &["kustomize", "build", "init"],
                &["kustomize", "build", "init"],
            ),
            (
                &["kustomize", "edit", "add", "resource", "init"],
                &["kustomize", "edit", "add", "resource", "init"],
            ),
        ];
        let mut bad = Vec::new();
        for (input, want) in rows {
            let mut args: Vec<OsString> = input.iter().map(OsString::from).collect();
            init_as_create(&mut args);
            let got: Vec<String> = args
                .iter()
                .map(|a| a.to_string_lossy().into_owned())
                .collect();
            if got != want {
                bad.push(format!("{input:?}: {got:?}"));
            }
        }
        assert!(bad.is_empty(), "{bad:#?}");
    }

    #[test]
    fn go_bools() {
        assert_eq!(go_bool("True"), Ok(true));
        assert_eq!(go_bool("0"), Ok(false));
        assert!(go_bool("yes").is_err());
    }

    #[test]
    fn log_lines_have_go_timestamps() {
        let l = log_line("x");
        assert_eq!(l.len(), "2006/01/02 15:04:05 x".len());
        assert!(l.ends_with(" x"));
    }
}
