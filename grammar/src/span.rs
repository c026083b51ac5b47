use std::ops::Range;

/// A byte range `start..end` into the text that was parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// Creates a span from byte offsets.
    pub const fn new(start: u32, end: u32) -> Self {
        Self { start, end }
    }

    /// The empty span at `offset`.
    pub const fn empty(offset: u32) -> Self {
        Self { start: offset, end: offset }
    }

    /// Length in bytes.
    pub const fn len(self) -> u32 {
        self.end - self.start
    }

    /// True when the span covers no byte.
    pub const fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// True when `offset` lies inside the span (end inclusive, for cursors).
    pub fn contains_offset(self, offset: u32) -> bool {
        self.start <= offset && offset <= self.end
    }

    /// The slice of `text` this span covers.
    pub fn text(self, text: &str) -> &str {
        &text[self.start as usize..self.end as usize]
    }

    /// Widens an empty span to cover one character of `text` (or the character before it at
    /// the end of the text) so that editors can underline it.
    pub fn widen_empty(self, text: &str) -> Span {
        if !self.is_empty() {
            return self;
        }
        let at = self.start as usize;
        if let Some(c) = text.get(at..).and_then(|rest| rest.chars().next()) {
            Span::new(self.start, self.start + c.len_utf8() as u32)
        } else if let Some(c) = text.get(..at).and_then(|head| head.chars().next_back()) {
            Span::new(self.start - c.len_utf8() as u32, self.start)
        } else {
            self
        }
    }
}

impl From<Range<usize>> for Span {
    fn from(range: Range<usize>) -> Self {
        Span::new(range.start as u32, range.end as u32)
    }
}

impl From<Span> for Range<usize> {
    fn from(span: Span) -> Self {
        span.start as usize..span.end as usize
    }
}
