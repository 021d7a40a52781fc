//! The threads a build runs on: a pool with a known, large stack.
//!
//! Much of a build recurses over trees (printing, strategic merge, JSON,
//! the serde reader, cloning) and over the kustomizations it includes. The
//! depth of both is bounded: YAML documents by
//! [`rustomize_yaml::limits::MAX_DEPTH`], kustomizations by
//! [`MAX_NESTING`]. [`STACK_SIZE`] is chosen so that the deepest of either
//! fits with room to spare, measured on release and debug builds (see
//! `tests/deep.rs`). The stack is reserved address space; only what a build
//! touches is ever backed by memory.

use std::sync::OnceLock;

/// How deep kustomizations may include one another (a base of a base ...):
/// kustomize sets no limit and builds a chain of 1,000 in 1.8 s; 10,000
/// build here.
pub const MAX_NESTING: usize = 15_000;

/// The stack of each thread of the build's pool.
pub const STACK_SIZE: usize = 1 << 30;

static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();

/// Runs `f` on a thread of the build's pool (the caller waits), where the
/// stack is [`STACK_SIZE`] and `rayon`'s parallel iterators run on the same
/// pool. Called from a thread of the pool, it runs `f` there. When the
/// system refuses threads that large, `f` runs on the caller's thread.
pub fn run_on_large_stack<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    let pool = POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .stack_size(STACK_SIZE)
            .thread_name(|i| format!("rustomize-{i}"))
            .build()
            .ok()
    });
    match pool {
        Some(pool) => pool.install(f),
        None => f(),
    }
}
