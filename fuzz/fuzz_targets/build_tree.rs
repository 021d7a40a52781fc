//! A whole build over an in-memory tree assembled from the input (see the
//! crate's docs for the format): output or an error, never a panic, a
//! hang or an overflow.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let files = rustomize_fuzz::files(data);
    let _ = rustomize_fuzz::build_files(&files);
});
