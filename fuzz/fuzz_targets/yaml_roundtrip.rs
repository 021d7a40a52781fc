//! The YAML reader and emitter: what is printed reads back to a tree that
//! prints the same bytes (printing normalises, as kustomize's JSON round
//! trip does, so the property is print(parse(print(parse(x)))) ==
//! print(parse(x))); nothing panics, nothing overflows.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rustomize_yaml::{emit, parse_documents, parse_one};

fuzz_target!(|data: &[u8]| {
    let text = rustomize_fuzz::text(data);
    rustomize_engine::run_on_large_stack(|| {
        let Ok(docs) = parse_documents(&text) else {
            return;
        };
        for doc in &docs {
            let Ok(printed) = emit::to_string(doc) else {
                continue;
            };
            let again = parse_one(&printed)
                .unwrap_or_else(|e| panic!("printed YAML does not parse ({e}):\n{printed}"));
            let reprinted = emit::to_string(&again)
                .unwrap_or_else(|e| panic!("reread YAML does not print ({e}):\n{printed}"));
            assert_eq!(printed, reprinted, "printing is not stable");
        }
    });
});
