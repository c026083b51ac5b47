//! Deep trees need deep stacks: parsing and analysing a long or deeply nested query may recurse
//! as deep as its longest operator chain or its deepest brackets.

use std::sync::OnceLock;

/// Texts up to this size are analysed on the caller's stack.
const INLINE_TEXT: usize = 4 << 10;
/// The stack of each deep-query thread.
const DEEP_STACK: usize = 256 << 20;

/// Runs `work` (parsing and analysing `text`) where the stack is big enough for it.
///
/// Trees are as deep as their longest operator chain (`a + b + c ...` nests to the left; long
/// `and`/`or` chains are built shallow), the parser allows chains of 20,000 other operators
/// (`MAX_OPERATORS`) inside 64 levels of brackets, and the walkers over the tree (and its
/// drop) recurse. A short text cannot hold a deep chain, so it runs inline; a longer one runs
/// on one of a few long-lived threads with large stacks, so that callers on small stacks (the
/// language server's blocking pool, rayon workers, test threads) never overflow.
///
/// The threads live as long as the process: each builds the grammars once (they are kept per
/// thread) and keeps them. A thread per call would build them again every time and leak them
/// when it ends, since chumsky's recursive parsers hold reference cycles.
pub fn with_stack_for<T: Send>(text: &str, work: impl FnOnce() -> T + Send) -> T {
    if text.len() <= INLINE_TEXT {
        return work();
    }
    on_deep_stack(work)
}

/// Runs `work` on one of the long-lived deep-stack threads, or right here when this already is
/// one of them (a parse inside an analysis that [`with_stack_for`] moved there).
///
/// The parsers call this for a short text whose brackets nest deeply: before, each such parse
/// started a thread of its own, built its grammars again and leaked them when it ended.
pub fn on_deep_stack<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    match deep_pool() {
        // `install` runs `work` inline when called from one of the pool's own threads; from
        // elsewhere it blocks until `work` is done and re-raises a panic in the caller.
        // `install` blocks until `work` is done and re-raises a panic in the caller.
        Some(pool) => pool.install(work),
        // The threads could not start: run here rather than not at all.
        None => work(),
    }
}

fn deep_pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    POOL.get_or_init(|| {
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).min(8);
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .stack_size(DEEP_STACK)
            .thread_name(|i| format!("qlint-deep-query-{i}"))
            .build()
            .ok()
    })
    .as_ref()
}

#[cfg(test)]
mod tests {
    use super::{on_deep_stack, with_stack_for};

    fn depth(n: u32) -> u32 {
        if n == 0 { 0 } else { 1 + std::hint::black_box(depth(n - 1)) }
    }

    #[test]
    fn long_texts_run_on_a_deep_stack_and_short_ones_inline() {
        let long = "x".repeat(8 << 10);
        let here = std::thread::current().id();
        let (ran_on, levels) =
            with_stack_for(&long, || (std::thread::current().id(), depth(200_000)));
        assert_ne!(ran_on, here);
        assert_eq!(levels, 200_000);
        assert_eq!(with_stack_for("short", || std::thread::current().id()), here);
    }

    #[test]
    fn the_same_threads_serve_every_long_text() {
        let long = "x".repeat(8 << 10);
        let names: std::collections::BTreeSet<String> = (0..20)
            .map(|_| {
                with_stack_for(&long, || std::thread::current().name().unwrap_or("").to_owned())
            })
            .collect();
        assert!(names.iter().all(|n| n.starts_with("qlint-deep-query-")), "{names:?}");
        assert!(names.len() <= 8);
    }

    #[test]
    fn deep_work_inside_deep_work_stays_on_the_same_thread() {
        let outer = on_deep_stack(|| {
            let here = std::thread::current().id();
            (here, on_deep_stack(|| std::thread::current().id()))
        });
        assert_eq!(outer.0, outer.1);
    }

    #[test]
    #[should_panic(expected = "inside the work")]
    fn a_panic_in_the_work_reaches_the_caller() {
        let long = "x".repeat(8 << 10);
        with_stack_for(&long, || panic!("inside the work"));
    }
}
