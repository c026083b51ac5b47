//! Grammars built once per thread and reused for every text.
//!
//! A chumsky parser names the lifetime of the input it reads (`'src`) in its type, so to
//! the type checker a parser built for one text cannot read another, and building the
//! grammar again for every text cost more than parsing most queries. The grammars of this
//! crate are therefore built by functions generic over `'src` that take no argument: the
//! text being parsed reaches them as parse state (`SimpleState<&'src str>`), never as a
//! captured reference. Such a parser holds no data that lives for `'src`, and its code is
//! the same for every `'src` (lifetimes are erased before code generation), so the build for
//! `'static` that a thread keeps may be lent out at the lifetime of any text. This is the
//! argument of the `cache` module of chumsky's 1.0 pre-releases, which 0.13 does not ship.
//!
//! The parsers are reference-counted (`Rc`), hence one build per thread (`thread_local!`).

/// A parser type as a function of the input lifetime.
pub(crate) trait Family {
    /// The parser type for inputs that live for `'src`.
    type Of<'src>;
}

/// Lends a parser built for `'static` at the input lifetime `'src`.
///
/// # Safety
///
/// `parser` must have been built by a function generic over `'src` that captures no data
/// of that lifetime (see the module documentation).
pub(crate) unsafe fn relend<'l, 'src, F: Family>(parser: &'l F::Of<'static>) -> &'l F::Of<'src>
where
    F::Of<'src>: 'l,
{
    // SAFETY: the caller guarantees `parser` holds nothing of the input lifetime, so the
    // two types differ only in a lifetime no value of the parser depends on.
    unsafe { &*std::ptr::from_ref(parser).cast::<F::Of<'src>>() }
}
