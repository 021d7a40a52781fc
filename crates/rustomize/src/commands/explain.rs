//! `rustomize explain`: an object of the build as `rustomize build` prints
//! it, each line beside the place that set its value (the blame itself is
//! `rustomize_engine::provenance`).

use crate::cli::{ExplainArgs, ExplainFormat, LoadRestrictorArg};
use crate::output;
use rustomize_engine::BuildOptions;
use rustomize_engine::provenance::{self, Explanation, SelectError, SetBy};
use rustomize_loader::{DiskFs, LoadRestrictor};
use serde_json::{Value, json};
use std::process::ExitCode;
use std::sync::Arc;

/// Exit status for a malformed object name.
const USAGE: u8 = 2;

/// Builds with provenance and prints the explanation.
pub fn run(args: &ExplainArgs) -> anyhow::Result<ExitCode> {
    let opts = BuildOptions {
        load_restrictor: match args.load_restrictor {
            LoadRestrictorArg::LoadRestrictionsRootOnly => LoadRestrictor::RootOnly,
            LoadRestrictorArg::LoadRestrictionsNone => LoadRestrictor::None,
        },
        fetcher: Some(super::fetcher(&args.remote)),
        plugins: args.plugins.options(),
        paths_relative_to: std::env::current_dir().ok(),
        provenance: true,
        ..BuildOptions::default()
    };
    let built = rustomize_engine::build(Arc::new(DiskFs), &args.dir, &opts)?;
    for w in &built.warnings {
        eprintln!("{w}");
    }
    let Some(table) = built.provenance.as_ref() else {
        anyhow::bail!("the build recorded no provenance");
    };
    let resources = built.resources.resources();
    let chosen = match &args.object {
        None => resources.iter().collect::<Vec<_>>(),
        Some(spec) => match provenance::select(resources, spec) {
            Ok(r) => vec![r],
            Err(e @ SelectError::Syntax(_)) => {
                eprintln!("Error: {e}");
                return Ok(ExitCode::from(USAGE));
            }
            Err(e) => {
                eprintln!("Error: {e}");
                return Ok(ExitCode::from(1));
            }
        },
    };
    let mut explained = Vec::with_capacity(chosen.len());
    for r in chosen {
        explained.push(provenance::explain(r, table, args.field.as_deref())?);
    }
    let doc = match args.format {
        ExplainFormat::Text => text(&explained),
        ExplainFormat::Json => {
            let objects: Vec<Value> = explained.iter().map(object_json).collect();
            let mut s = serde_json::to_string_pretty(&json!({ "objects": objects }))?;
            s.push('\n');
            s
        }
    };
    if let Err(e) = output::stdout(&doc)
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        return Err(e.into());
    }
    Ok(ExitCode::SUCCESS)
}

/// The widest location column worth aligning to; longer ones stick out.
const MAX_WIDTH: usize = 64;

/// Each object: a heading (the object, the kustomizations it passed
/// through, the field asked for), then its lines, each after the place
/// that set it.
fn text(explained: &[Explanation]) -> String {
    let mut out = String::new();
    for (i, e) in explained.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!("# {}\n", e.object));
        if !e.kustomizations.is_empty() {
            let chain: Vec<&str> = e.kustomizations.iter().map(|k| k.path.as_str()).collect();
            out.push_str(&format!("# through {}\n", chain.join(" -> ")));
        }
        if let Some(f) = &e.field {
            let at = f
                .set_by
                .as_ref()
                .map_or("an unknown place".to_string(), describe);
            if f.missing {
                out.push_str(&format!(
                    "# {}: not set; it would go under {}, set at {at}\n",
                    f.path, f.nearest
                ));
            } else {
                out.push_str(&format!("# {}: set at {at}\n", f.path));
            }
        }
        let places: Vec<String> = e
            .lines
            .iter()
            .map(|l| l.set_by.as_ref().map_or("?".to_string(), column))
            .collect();
        let width = places
            .iter()
            .map(|p| p.chars().count())
            .filter(|&w| w <= MAX_WIDTH)
            .max()
            .unwrap_or(0);
        for (line, place) in e.lines.iter().zip(&places) {
            out.push_str(&format!("{place:<width$}  {}\n", line.text));
        }
    }
    out
}

/// The location column: `file:line`, then what set it when that is not
/// the file itself (`images[0]`).
fn column(s: &SetBy) -> String {
    if s.detail.is_empty() {
        s.location.clone()
    } else {
        format!("{} {}", s.location, s.detail)
    }
}

/// `file:line:column (entry, Step)` for a heading.
fn describe(s: &SetBy) -> String {
    let mut at = s.location.clone();
    if s.column > 0 && s.line > 0 {
        at.push_str(&format!(":{}", s.column));
    }
    let mut what = Vec::new();
    if !s.detail.is_empty() {
        what.push(s.detail.clone());
    }
    if let Some(step) = &s.step {
        what.push(step.clone());
    }
    if what.is_empty() {
        at
    } else {
        format!("{at} ({})", what.join(", "))
    }
}

fn set_by_json(s: &SetBy) -> Value {
    let mut v = json!({
        "location": s.location,
        "file": s.file,
        "line": s.line,
        "column": s.column,
        "what": s.what.as_str(),
        "step": s.step,
        "entry": s.entry,
        "detail": s.detail,
    });
    if let Some(r) = &s.remote {
        v["repo"] = json!(r.repo);
        v["ref"] = json!(r.git_ref);
        v["pathInRepo"] = json!(r.path);
    }
    v
}

fn object_json(e: &Explanation) -> Value {
    let kustomizations: Vec<Value> = e
        .kustomizations
        .iter()
        .map(|k| match &k.remote {
            Some(r) => {
                json!({"path": k.path, "repo": r.repo, "ref": r.git_ref, "pathInRepo": r.path})
            }
            None => json!({"path": k.path}),
        })
        .collect();
    let lines: Vec<Value> = e
        .lines
        .iter()
        .map(|l| {
            json!({
                "line": l.number,
                "text": l.text,
                "path": l.path,
                "setBy": l.set_by.as_ref().map(set_by_json),
            })
        })
        .collect();
    let mut v = json!({
        "object": e.object,
        "apiVersion": e.api_version,
        "kind": e.kind,
        "namespace": e.namespace,
        "name": e.name,
        "kustomizations": kustomizations,
        "lines": lines,
    });
    if let Some(f) = &e.field {
        v["field"] = json!({
            "path": f.path,
            "missing": f.missing,
            "nearest": f.nearest,
            "setBy": f.set_by.as_ref().map(set_by_json),
        });
    }
    v
}
