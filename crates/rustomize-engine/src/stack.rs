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

thread_local! {
    /// Whether this thread's stack is [`STACK_SIZE`] (a thread made by
    /// [`run_on_large_stack`] or one of the pool's).
    static LARGE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The pool of threads with a large stack, started on first use.
fn pool() -> Option<&'static rayon::ThreadPool> {
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .stack_size(STACK_SIZE)
            .thread_name(|i| format!("rustomize-{i}"))
            .start_handler(|_| LARGE.with(|l| l.set(true)))
            .build()
            .ok()
    })
    .as_ref()
}

/// Runs `f` on a thread whose stack is [`STACK_SIZE`] (the caller waits):
/// the calling thread when it is one already, else one thread made for
/// the call. No thread pool is started: a small build stays on one thread;
/// the parallel parts of a build run through [`parallel`]. When the system
/// refuses a thread that large, `f` runs on the caller's thread.
pub fn run_on_large_stack<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    if LARGE.with(|l| l.get()) {
        return f();
    }
    let mut f = Some(f);
    let spawned = std::thread::scope(|s| {
        let f = &mut f;
        let handle = std::thread::Builder::new()
            .name("rustomize-main".into())
            .stack_size(STACK_SIZE)
            .spawn_scoped(s, move || {
                LARGE.with(|l| l.set(true));
                // `f` is taken exactly once, here.
                f.take().map(|f| f())
            });
        handle.map(|h| h.join())
    });
    match spawned {
        Ok(Ok(Some(r))) => r,
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        // The thread could not be made (`f` was not taken): run here.
        _ => match f.take() {
            Some(f) => f(),
            None => unreachable!("the thread ran `f` and returned its result"),
        },
    }
}

/// `resources:` entries that look like directories (a few bases or
/// overlays side by side) from which loading them, and counting the visits
/// of shared bases, is worth the thread pool: below it, with only a few
/// files, a small tree never starts the pool (starting it costs more than
/// such a tree's build).
pub(crate) const PARALLEL_DIRS: usize = 2;

/// Runs `f`, whose `rayon` parallel iterators and joins then run on a pool
/// of threads with a [`STACK_SIZE`] stack (started on the first call), the
/// caller waiting. Every parallel part of a build, check or diff goes
/// through here, so that no recursion runs on a small stack. When the
/// system refuses such threads, `f` runs on the caller's thread (rayon's
/// default pool then).
pub fn parallel<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    match pool() {
        Some(pool) => pool.install(f),
        None => f(),
    }
}
