//! `embed`: prints the build of the in-memory tree of
//! `rustomize_example_embed::TREE`, or `embed --write DIR` writes that tree
//! to `DIR` (to compare with `rustomize build DIR/overlays/production`).

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [] => match rustomize_example_embed::render() {
            Ok((yaml, warnings)) => {
                for w in warnings {
                    eprintln!("{w}");
                }
                print!("{yaml}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                // The chain joined with ": ", as kustomize words it.
                eprintln!("Error: {}", e.report());
                ExitCode::FAILURE
            }
        },
        [flag, dir] if flag == "--write" => {
            for (path, text) in rustomize_example_embed::TREE {
                let path = std::path::Path::new(dir).join(path);
                // Writing the example tree where the user asked is the point.
                #[allow(clippy::disallowed_methods)]
                let written = path
                    .parent()
                    .map_or(Ok(()), std::fs::create_dir_all)
                    .and_then(|()| std::fs::write(&path, text));
                if let Err(e) = written {
                    eprintln!("Error: writing {}: {e}", path.display());
                    return ExitCode::FAILURE;
                }
            }
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("usage: embed [--write DIR]");
            ExitCode::from(2)
        }
    }
}
