//! The kustomization file decoder: any text gives a kustomization or an
//! error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = rustomize_fuzz::text(data);
    rustomize_engine::run_on_large_stack(|| {
        let _ = rustomize_engine::kustomization::parse(&text, "kustomization.yaml");
    });
});
