//! One edit of a large kustomization file: parse, `set image` or `add
//! resource`, render (which verifies the result). The target is well under
//! 5 ms for 2,000 entries.
//!
//! The benches run with mimalloc, the allocator the `rustomize` binary
//! installs, so they measure an edit as the command makes it.

// These tests set up trees and read results on disk.
#![allow(clippy::disallowed_methods)]

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use rustomize_edit::kustomization::Kustomization;
use rustomize_edit::ops;

fn main() {
    divan::main();
}

fn big(entries: usize) -> String {
    let mut s = String::from(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n# the apps\nresources:\n",
    );
    for i in 0..entries / 2 {
        s.push_str(&format!("- apps/app-{i}.yaml # app {i}\n"));
    }
    s.push_str("images:\n");
    for i in 0..entries / 2 {
        s.push_str(&format!(
            "- name: registry.example.com/app-{i:04}\n  newTag: v1.{i}.0 # pinned\n"
        ));
    }
    s
}

#[divan::bench(args = [200, 2000])]
fn set_image(bencher: divan::Bencher, entries: usize) {
    let text = big(entries);
    let img = ops::parse_image("registry.example.com/app-0500=ghcr.io/org/app:sha-abc1234")
        .expect("image");
    bencher.bench(|| {
        let mut k = Kustomization::parse(divan::black_box(&text)).expect("valid");
        ops::set_images(&mut k, std::slice::from_ref(&img));
        k.render().expect("render")
    });
}

#[divan::bench(args = [200, 2000])]
fn add_resource(bencher: divan::Bencher, entries: usize) {
    let text = big(entries);
    bencher.bench(|| {
        let mut k = Kustomization::parse(divan::black_box(&text)).expect("valid");
        ops::add_paths(
            &mut k,
            ops::PathList::Resources,
            &["new.yaml".to_string()],
            "",
        );
        k.render().expect("render")
    });
}

#[divan::bench(args = [2000])]
fn parse_only(bencher: divan::Bencher, entries: usize) {
    let text = big(entries);
    bencher
        .bench(|| rustomize_edit::cst::Cst::parse(divan::black_box(text.as_str())).expect("valid"));
}

#[divan::bench(args = [2000])]
fn read_only(bencher: divan::Bencher, entries: usize) {
    let text = big(entries);
    bencher.bench(|| Kustomization::parse(divan::black_box(&text)).expect("valid"));
}
