//! The fast line reader against the event parser: whenever the fast
//! reader takes a text, the event parser builds the very same tree
//! (values, types, styles, lines); when it refuses one as too deep, so
//! does the event parser.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rustomize_yaml::fuzzing::{events, fast};

fuzz_target!(|data: &[u8]| {
    let text = rustomize_fuzz::text(data);
    let src = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let Some(fast) = fast(src) else {
        return;
    };
    match (fast, events(src)) {
        (Ok(a), Ok(b)) => assert_eq!(format!("{a:?}"), format!("{b:?}"), "trees differ"),
        (Err(_), Err(_)) => {}
        (Ok(_), Err(e)) => panic!("the fast reader took what the parser refuses: {e}"),
        (Err(e), Ok(_)) => panic!("the fast reader refused what the parser takes: {e}"),
    }
});
