//! Strategic merge: a resource (before the first NUL) patched by a
//! strategic merge patch (after it), through a build.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = rustomize_fuzz::text(data);
    let (resource, patch) = text.split_once('\0').unwrap_or((&text, ""));
    let files = [
        (
            "kustomization.yaml".to_string(),
            "resources:\n- r.yaml\npatches:\n- path: p.yaml\n".to_string(),
        ),
        ("r.yaml".to_string(), resource.to_string()),
        ("p.yaml".to_string(), patch.to_string()),
    ];
    let _ = rustomize_fuzz::build_files(&files);
});
