#![allow(missing_docs, clippy::disallowed_methods)]
use rustomize_engine::{BuildOptions, build};
use rustomize_loader::DiskFs;
use std::path::Path;
use std::sync::Arc;

#[test]
fn debug_dump() {
    let dir = std::env::var("PROV_DIR")
        .unwrap_or_else(|_| "../../examples/dojo/deploy/k8s/overlays/production".into());
    let opts = BuildOptions {
        provenance: true,
        paths_relative_to: std::env::current_dir().ok(),
        ..BuildOptions::default()
    };
    let out = build(Arc::new(DiskFs), Path::new(&dir), &opts).unwrap();
    let table = out.provenance.as_ref().unwrap();
    for r in out.resources.resources() {
        println!(
            "=== {} {:?}",
            r.cur_id(),
            r.meta
                .kustomizations
                .iter()
                .map(|f| table.file(*f).unwrap().path.clone())
                .collect::<Vec<_>>()
        );
        for l in rustomize_engine::provenance::blame(&r.node).unwrap() {
            let place = table
                .place(l.pos)
                .map(|p| format!("{}:{} {}", p.location(), p.col, table.detail(l.pos)))
                .unwrap_or("?".into());
            println!("{:<70} | {}", place, l.text);
        }
    }
    println!("unmatched: {:?}", out.unmatched);
}
