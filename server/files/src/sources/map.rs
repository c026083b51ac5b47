//! Maps byte offsets in a decoded query back to byte offsets in its containing file.

use qlint_grammar::Span;

/// One run of decoded bytes and the file bytes it came from.
///
/// When both lengths are equal the run is a verbatim copy and offsets map one to one;
/// otherwise (an escape such as `\"`, a folded line break) the run is atomic: any offset
/// inside it maps to its start, its end maps to the end of the file bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Segment {
    query_start: u32,
    query_len: u32,
    file_start: u32,
    file_len: u32,
}

/// A piecewise map from query offsets to file offsets, built while decoding a container.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OffsetMap {
    segments: Vec<Segment>,
    /// File offset used for the end of the query (after the last segment).
    file_end: u32,
}

impl OffsetMap {
    /// The identity map for a whole-file query.
    pub fn identity(len: usize) -> Self {
        let mut map = Self::default();
        map.push(0, len, 0, len);
        map
    }

    /// A map that sends every query offset to `file_offset`: used when the decoded text
    /// cannot be related to the file character by character.
    pub fn coarse(query_len: usize, file_span: Span) -> Self {
        Self {
            segments: vec![Segment {
                query_start: 0,
                query_len: query_len as u32,
                file_start: file_span.start,
                file_len: file_span.len(),
            }],
            file_end: file_span.end,
        }
    }

    /// Appends a run: `query_len` decoded bytes at `query_start` came from `file_len` file
    /// bytes at `file_start`. Runs must be appended in query order.
    pub fn push(
        &mut self,
        query_start: usize,
        query_len: usize,
        file_start: usize,
        file_len: usize,
    ) {
        if query_len == 0 && file_len == 0 {
            return;
        }
        // Merge verbatim runs that continue each other.
        if let Some(last) = self.segments.last_mut()
            && last.query_len == last.file_len
            && query_len == file_len
            && (last.query_start + last.query_len) as usize == query_start
            && (last.file_start + last.file_len) as usize == file_start
        {
            last.query_len += query_len as u32;
            last.file_len += file_len as u32;
        } else {
            self.segments.push(Segment {
                query_start: query_start as u32,
                query_len: query_len as u32,
                file_start: file_start as u32,
                file_len: file_len as u32,
            });
        }
        self.file_end = (file_start + file_len) as u32;
    }

    /// Sets the file offset that the end of the query maps to.
    pub fn set_file_end(&mut self, file_end: usize) {
        self.file_end = file_end as u32;
    }

    /// The file offset of the decoded byte at `offset` (the start of a span).
    pub fn to_file_start(&self, offset: u32) -> u32 {
        let index = self.segments.partition_point(|s| s.query_start <= offset);
        let Some(segment) = index.checked_sub(1).map(|i| self.segments[i]) else {
            return self.segments.first().map_or(self.file_end, |s| s.file_start);
        };
        let inside = offset - segment.query_start;
        if inside >= segment.query_len {
            // Past the end of the last run (or in a gap): the end of that run.
            return if index == self.segments.len() {
                self.file_end
            } else {
                segment.file_start + segment.file_len
            };
        }
        if segment.query_len == segment.file_len {
            segment.file_start + inside
        } else {
            segment.file_start
        }
    }

    /// The file offset just after the decoded byte before `offset` (the end of a span).
    pub fn to_file_end(&self, offset: u32) -> u32 {
        if offset == 0 {
            return self.to_file_start(0);
        }
        let last = offset - 1;
        let index = self.segments.partition_point(|s| s.query_start <= last);
        let Some(segment) = index.checked_sub(1).map(|i| self.segments[i]) else {
            return self.to_file_start(offset);
        };
        let inside = last - segment.query_start;
        if inside >= segment.query_len {
            return self.to_file_start(offset);
        }
        if segment.query_len == segment.file_len {
            segment.file_start + inside + 1
        } else {
            segment.file_start + segment.file_len
        }
    }

    /// The query offset of a file offset: the last char boundary of `query` that maps at or
    /// before `file_offset` (the map is monotone). The inverse of [`Self::to_file_start`] on
    /// char boundaries; an offset inside an escape (`\u00e9` for `é`) gives the character's start.
    pub fn to_query_offset(&self, file_offset: u32, query: &str) -> u32 {
        let (mut lo, mut hi) = (0u32, query.len() as u32);
        while lo < hi {
            let mid = lo + (hi - lo).div_ceil(2);
            if self.to_file_start(mid) <= file_offset {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        while !query.is_char_boundary(lo as usize) {
            lo -= 1;
        }
        lo
    }

    /// Maps a query span to a file span; empty spans stay empty.
    pub fn to_file_span(&self, span: Span) -> Span {
        let start = self.to_file_start(span.start);
        if span.is_empty() {
            return Span::empty(start);
        }
        let end = self.to_file_end(span.end).max(start);
        Span::new(start, end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An offset inside an escape maps back to the start of the character it decodes to,
    /// never into the middle of it (found by the container property test).
    #[test]
    fn file_offsets_inside_an_escape_map_to_the_character_start() {
        // `"\u0080x"` at file offset 10: the escape (6 bytes) decodes to 2 bytes.
        let query = "\u{80}x";
        let mut map = OffsetMap::default();
        map.push(0, 2, 11, 6);
        map.push(2, 1, 17, 1);
        map.set_file_end(18);
        for file_offset in 11..17 {
            assert_eq!(map.to_query_offset(file_offset, query), 0, "{file_offset}");
        }
        assert_eq!(map.to_query_offset(17, query), 2);
        assert_eq!(map.to_query_offset(18, query), 3);
    }

    #[test]
    fn verbatim_runs_map_one_to_one() {
        let mut map = OffsetMap::default();
        // "ab\n" at file 10, "cd" at file 20 (indentation skipped).
        map.push(0, 3, 10, 3);
        map.push(3, 2, 20, 2);
        assert_eq!(map.to_file_start(0), 10);
        assert_eq!(map.to_file_start(3), 20);
        assert_eq!(map.to_file_end(3), 13);
        assert_eq!(map.to_file_span(Span::new(1, 5)), Span::new(11, 22));
        assert_eq!(map.to_file_start(5), 22);
    }

    #[test]
    fn escapes_are_atomic() {
        let mut map = OffsetMap::default();
        // a\"b : decoded a"b
        map.push(0, 1, 0, 1);
        map.push(1, 1, 1, 2);
        map.push(2, 1, 3, 1);
        assert_eq!(map.to_file_span(Span::new(1, 2)), Span::new(1, 3));
        assert_eq!(map.to_file_span(Span::new(2, 3)), Span::new(3, 4));
    }
}
