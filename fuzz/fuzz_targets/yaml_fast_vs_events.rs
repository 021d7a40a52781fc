//! The fast line reader against the event parser: whenever the fast
//! reader takes a text, the event parser builds the very same tree
//! (values, types, styles, lines); when it refuses one as too deep, so
//! does the event parser. Two columns are left out, as the unit tests in
//! `fast.rs` leave them out: a sequence's (the event parser places a block
//! sequence at its first item, the fast reader at its first `-`) and an
//! empty value's (an empty document, `key:` with nothing after it); nothing
//! reports either.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rustomize_yaml::Node;
use rustomize_yaml::fuzzing::{events, fast};

/// Every sequence's and empty value's column set to 0, at any depth.
fn without_seq_columns(nodes: &mut [Node]) {
    let mut stack: Vec<&mut Node> = nodes.iter_mut().collect();
    while let Some(node) = stack.pop() {
        match node {
            Node::Scalar(s) if s.is_null() => s.col = 0,
            Node::Scalar(_) => {}
            Node::Seq(seq) => {
                seq.col = 0;
                stack.extend(seq.items.iter_mut());
            }
            Node::Map(map) => stack.extend(map.entries.iter_mut().map(|e| &mut e.value)),
        }
    }
}

/// Refusals of the event parser that yaml.v3 does not share.
const SAPHYR_ONLY: &[&str] = &[
    // `[a=b  -]`: a `-` after spaces inside a flow plain scalar.
    "plain scalar cannot start with '-' followed by ,[]{}",
];

fuzz_target!(|data: &[u8]| {
    let text = rustomize_fuzz::text(data);
    let src = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let Some(fast) = fast(src) else {
        return;
    };
    match (fast, events(src)) {
        (Ok(mut a), Ok(mut b)) => {
            without_seq_columns(&mut a);
            without_seq_columns(&mut b);
            assert_eq!(format!("{a:?}"), format!("{b:?}"), "trees differ");
        }
        (Err(_), Err(_)) => {}
        // The event parser (saphyr) refuses a few texts yaml.v3 reads,
        // which the fast reader reads as yaml.v3 does (checked against
        // kubectl kustomize; see docs/hardening.md).
        (Ok(_), Err(e)) if SAPHYR_ONLY.contains(&e.message.as_str()) => {}
        (Ok(_), Err(e)) => panic!("the fast reader took what the parser refuses: {e}"),
        (Err(e), Ok(_)) => panic!("the fast reader refused what the parser takes: {e}"),
    }
});
