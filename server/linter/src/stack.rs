//! Deep trees need deep stacks: parsing and analysing a long query may recurse as deep as its
//! longest operator chain.

/// Texts up to this size are analysed on the caller's stack.
const INLINE_TEXT: usize = 4 << 10;
/// The stack of the helper thread for longer texts.
const DEEP_STACK: usize = 256 << 20;

/// Runs `work` (parsing and analysing `text`) where the stack is big enough for it.
///
/// Trees are as deep as their longest operator chain (`a or b or c ...` nests to the left),
/// the parser allows 20,000 operators in a statement, and the walkers over the tree (and its
/// drop) recurse. A short text cannot hold a deep chain, so it runs inline; a longer one runs
/// on a scoped helper thread with a large stack, so that callers on small stacks (the
/// language server's blocking pool, rayon workers, test threads) never overflow.
pub fn with_stack_for<T: Send>(text: &str, work: impl FnOnce() -> T + Send) -> T {
    if text.len() <= INLINE_TEXT {
        return work();
    }
    let mut work = Some(work);
    let outcome = std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .name("qlint-deep-query".into())
            .stack_size(DEEP_STACK)
            .spawn_scoped(scope, || work.take().map(|work| work()));
        spawned.ok().map(|handle| handle.join())
    });
    match (outcome, work.take()) {
        (Some(Ok(Some(result))), _) => result,
        // A panic in the work is the caller's, as if it had run inline.
        (Some(Err(panic)), _) => std::panic::resume_unwind(panic),
        // The thread could not start: run here rather than not at all.
        (_, Some(work)) => work(),
        (Some(Ok(None)), None) | (None, None) => {
            unreachable!("the work either ran on the helper thread or is still here")
        }
    }
}
