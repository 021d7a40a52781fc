use super::*;
use crate::{Options, compare};

fn deployment(i: usize, image: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: app-{i:04}, namespace: team-{}}}\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n      - name: app\n        image: registry.example.com/app-{i:04}:{image}\n        env:\n        - {{name: A, value: x}}\n",
        i % 7
    )
}

fn big_report(n: usize) -> Report {
    let left: Vec<_> = (0..n)
        .map(|i| rustomize_yaml::parse_one(&deployment(i, "v1")).unwrap())
        .collect();
    let right: Vec<_> = (0..n)
        .map(|i| rustomize_yaml::parse_one(&deployment(i, "v2")).unwrap())
        .collect();
    Report {
        left: "main".into(),
        right: "the working tree".into(),
        targets: vec![Target {
            name: "all".into(),
            comparison: compare(&left, &right, &Options::default()).unwrap(),
            ..Target::default()
        }],
    }
}

#[test]
fn markdown_for_3000_objects_fits_and_says_what_it_cut() {
    let report = big_report(3000);
    for paths in [false, true] {
        let opts = RenderOptions {
            paths,
            rerun: Some("rustomize diff --base main all".into()),
            ..RenderOptions::default()
        };
        let md = render(&report, Format::Markdown, &opts);
        assert!(md.len() < 65_536, "{} bytes", md.len());
        assert!(md.chars().count() < 65_536);
        assert!(md.contains("**Cut to fit 65,536 characters.**"), "{md}");
        assert!(md.contains("Deployment"), "{md}");
        assert!(md.contains("The whole report: `rustomize diff --base main all`"));
        // Every fence and section that was opened is closed.
        assert_eq!(
            md.matches("<details>").count(),
            md.matches("</details>").count()
        );
        assert_eq!(md.matches("```").count() % 2, 0);
        let shown = md.matches("#### ~").count();
        let listed = md.matches("\n- `~`").count();
        let note = md.lines().find(|l| l.contains("Cut to fit")).unwrap();
        let diffs_cut = 3000 - shown;
        assert!(
            note.contains(&format!(
                "the diffs of {} objects",
                super::markdown::thousands(diffs_cut)
            )) || note.contains("the end of the diff of"),
            "{note} (shown {shown})"
        );
        assert!(
            note.contains(&format!(
                "{} lines of the object lists",
                super::markdown::thousands(3000 - listed)
            )),
            "{note} (listed {listed})"
        );
    }
}

#[test]
fn small_reports_in_every_format() {
    let report = big_report(2);
    let mut failed = Vec::new();
    for (name, format, paths) in [
        ("text", Format::Text, false),
        ("text-paths", Format::Text, true),
        ("markdown", Format::Markdown, false),
        ("json", Format::Json, false),
    ] {
        let opts = RenderOptions {
            paths,
            ..RenderOptions::default()
        };
        let out = render(&report, format, &opts);
        if let Err(e) = std::panic::catch_unwind(|| {
            insta::assert_snapshot!(name, out);
        }) {
            failed.push(format!("{name}: {e:?}"));
        }
    }
    assert!(failed.is_empty(), "{failed:#?}");
}

#[test]
fn colour_only_when_asked() {
    let report = big_report(1);
    let plain = render(&report, Format::Text, &RenderOptions::default());
    assert!(!plain.contains('\x1b'));
    let coloured = render(
        &report,
        Format::Text,
        &RenderOptions {
            color: true,
            ..RenderOptions::default()
        },
    );
    assert!(
        coloured.contains("\x1b[31m-        image: registry.example.com/app-0000:v1\x1b[0m"),
        "{coloured}"
    );
}
