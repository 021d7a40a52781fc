//! JSON 6902: a resource (before the first NUL) patched by operations
//! (after it, YAML or JSON), through a build.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = rustomize_fuzz::text(data);
    let (resource, ops) = text.split_once('\0').unwrap_or((&text, ""));
    let files = [
        (
            "kustomization.yaml".to_string(),
            "resources:\n- r.yaml\npatches:\n- path: ops.yaml\n  target:\n    name: .*\n"
                .to_string(),
        ),
        ("r.yaml".to_string(), resource.to_string()),
        ("ops.yaml".to_string(), ops.to_string()),
    ];
    let _ = rustomize_fuzz::build_files(&files);
});
