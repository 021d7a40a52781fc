//! The floor of a build: a program that reads exactly the files a build
//! reads and writes as many bytes as the build prints, and does nothing
//! else. `bench/compare.sh` compiles it with `rustc -O` (the standard
//! library only) and times it beside `rustomize build`: the ratio of the
//! two is what the build costs beyond moving its bytes.
//!
//! Usage: `floor FILE_LIST OUTPUT_BYTES`, where FILE_LIST names one file per
//! line (what `strace -e trace=openat` saw the build open). Each file is
//! read whole into memory and kept, as a build keeps its inputs; then
//! OUTPUT_BYTES bytes, made by repeating the inputs' bytes, are written to
//! stdout in one `write_all`.

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let [_, list, bytes] = args.as_slice() else {
        eprintln!("usage: floor FILE_LIST OUTPUT_BYTES");
        return ExitCode::from(2);
    };
    let Ok(out_len) = bytes.parse::<usize>() else {
        eprintln!("floor: not a byte count: {bytes}");
        return ExitCode::from(2);
    };
    let list = match std::fs::read_to_string(list) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("floor: {list}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut inputs = Vec::new();
    for path in list.lines().filter(|l| !l.is_empty()) {
        match std::fs::read(path) {
            Ok(b) => inputs.push(b),
            Err(e) => {
                eprintln!("floor: {path}: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let mut out = Vec::with_capacity(out_len);
    'fill: while out.len() < out_len {
        let before = out.len();
        for b in &inputs {
            let take = b.len().min(out_len - out.len());
            out.extend_from_slice(&b[..take]);
            if out.len() == out_len {
                break 'fill;
            }
        }
        if out.len() == before {
            // No input bytes to repeat: pad with newlines.
            out.resize(out_len, b'\n');
        }
    }
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    if let Err(e) = lock.write_all(&out).and_then(|()| lock.flush()) {
        eprintln!("floor: writing: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
