//! Parses a YAML stream and prints it back as kustomize would: a quick way
//! to check the emitter against kustomize output, which is a fixed point.

// An example program: it reads the file named on its command line and
// writes its output file itself.
#![allow(clippy::disallowed_methods)]
use std::io::Write;

fn main() {
    let mut failed = false;
    for path in std::env::args().skip(1) {
        let src = std::fs::read_to_string(&path).expect("read");
        let docs = match rustomize_yaml::parse_documents(&src) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("{path}: {e}");
                failed = true;
                continue;
            }
        };
        let mut out = String::new();
        for (i, d) in docs.iter().enumerate() {
            if i > 0 {
                out.push_str("---\n");
            }
            rustomize_yaml::emit::write_document(&mut out, d).expect("emit");
        }
        if out != src {
            failed = true;
            let tmp = format!("/tmp/reemit-{}", path.replace('/', "_"));
            std::fs::File::create(&tmp)
                .and_then(|mut f| f.write_all(out.as_bytes()))
                .expect("write");
            println!("DIFF {path} -> {tmp}");
        }
    }
    std::process::exit(i32::from(failed));
}
