//! The check rules and schemas over any objects: a report or an error,
//! never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(rm) = rustomize_engine::resources_from_bytes(data, "objects.yaml", None) else {
        return;
    };
    let target = rustomize_check::Target::rendered("objects.yaml");
    let _ = rustomize_check::check(rm.resources(), &target, &rustomize_check::Options::default());
});
