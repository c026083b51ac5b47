//! An open document: a rope, its version, and conversions between LSP positions and bytes.
//!
//! Client positions are never trusted: every conversion goes through ropey's `try_` methods and
//! clamps out-of-range lines and columns to the nearest valid place instead of failing.

use ropey::{Rope, RopeSlice};
use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent};

/// How the client counts columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PositionEncoding {
    /// UTF-16 code units (the LSP default).
    #[default]
    Utf16,
    /// Bytes of UTF-8 (when the client offers `utf-8`).
    Utf8,
}

/// The text of an open document and the version the client gave it.
#[derive(Debug, Clone)]
pub struct Document {
    /// Current text.
    pub rope: Rope,
    /// Version from the last `didOpen`/`didChange`.
    pub version: i32,
    /// The client's language id (`kql`, `spl`, `markdown`, `yaml`, ...).
    pub language_id: String,
}

impl Document {
    /// A document opened with `text`.
    pub fn new(text: &str, version: i32, language_id: String) -> Self {
        Self { rope: Rope::from_str(text), version, language_id }
    }

    /// Applies one change from `didChange`: a full replacement when it has no range,
    /// otherwise a replacement of the (clamped) range. Gives the bytes `start..end` of the
    /// previous text that the change replaced and how many bytes it inserted.
    pub fn apply_change(
        &mut self,
        change: &TextDocumentContentChangeEvent,
        enc: PositionEncoding,
    ) -> TextEdit {
        let Some(range) = change.range else {
            let removed = self.rope.len_bytes();
            self.rope = Rope::from_str(&change.text);
            return TextEdit { start: 0, end: removed, inserted: change.text.len() };
        };
        let mut start = char_of_position(&self.rope, range.start, enc);
        let mut end = char_of_position(&self.rope, range.end, enc);
        if end < start {
            std::mem::swap(&mut start, &mut end);
        }
        let byte = |rope: &Rope, c: usize| rope.try_char_to_byte(c).unwrap_or(rope.len_bytes());
        let (start_byte, end_byte) = (byte(&self.rope, start), byte(&self.rope, end));
        // Both indices are clamped to the rope, so these cannot fail; a failure would leave the
        // rope untouched rather than panic.
        if self.rope.try_remove(start..end).is_err() {
            return TextEdit { start: start_byte, end: start_byte, inserted: 0 };
        }
        let inserted =
            if self.rope.try_insert(start, &change.text).is_ok() { change.text.len() } else { 0 };
        TextEdit { start: start_byte, end: end_byte, inserted }
    }
}

/// The text of `rope` as one `String`, copied chunk by chunk into a buffer of the right size
/// (`to_string` goes through the formatter and grows its buffer as it goes, which showed in
/// keystroke profiles of a 10 MB document).
pub fn text_of(rope: &RopeSlice<'_>) -> String {
    let mut text = String::with_capacity(rope.len_bytes());
    for chunk in rope.chunks() {
        text.push_str(chunk);
    }
    text
}

/// What one change did to a document's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextEdit {
    /// Where the replaced bytes of the previous text start.
    pub start: usize,
    /// Where they end.
    pub end: usize,
    /// How many bytes replaced them.
    pub inserted: usize,
}

/// The content of `line` without its line break, or `None` past the last line.
fn line_content(rope: &Rope, line: usize) -> Option<RopeSlice<'_>> {
    let slice = rope.get_line(line)?;
    let mut chars = slice.len_chars();
    if chars > 0 && slice.char(chars - 1) == '\n' {
        chars -= 1;
    }
    if chars > 0 && slice.char(chars - 1) == '\r' {
        chars -= 1;
    }
    slice.get_slice(..chars)
}

/// The char index of a client position, clamped: a line past the end means the end of the
/// text, a column past the end of its line means the end of that line, and a column inside a
/// UTF-16 surrogate pair or a UTF-8 sequence lands on the start of that character.
pub fn char_of_position(rope: &Rope, position: Position, enc: PositionEncoding) -> usize {
    let line = position.line as usize;
    let (Ok(line_start), Some(content)) = (rope.try_line_to_char(line), line_content(rope, line))
    else {
        return rope.len_chars();
    };
    let column = position.character as usize;
    let in_line = match enc {
        PositionEncoding::Utf16 => {
            let units = content.len_utf16_cu();
            content.try_utf16_cu_to_char(column.min(units)).unwrap_or(content.len_chars())
        }
        PositionEncoding::Utf8 => {
            let bytes = content.len_bytes();
            content.try_byte_to_char(column.min(bytes)).unwrap_or(content.len_chars())
        }
    };
    line_start + in_line.min(content.len_chars())
}

/// The byte offset of a client position, clamped like [`char_of_position`].
pub fn offset_of_position(rope: &Rope, position: Position, enc: PositionEncoding) -> usize {
    let char_idx = char_of_position(rope, position, enc);
    rope.try_char_to_byte(char_idx).unwrap_or(rope.len_bytes())
}

/// The client position of a byte offset (clamped to the text, floored to a char boundary).
pub fn position_of_offset(rope: &Rope, offset: usize, enc: PositionEncoding) -> Position {
    let offset = offset.min(rope.len_bytes());
    let char_idx = rope.try_byte_to_char(offset).unwrap_or(rope.len_chars());
    let line = rope.try_char_to_line(char_idx).unwrap_or(0);
    let line_start = rope.try_line_to_char(line).unwrap_or(0);
    let column = match enc {
        PositionEncoding::Utf16 => {
            let at = rope.try_char_to_utf16_cu(char_idx).unwrap_or(0);
            let start = rope.try_char_to_utf16_cu(line_start).unwrap_or(0);
            at.saturating_sub(start)
        }
        PositionEncoding::Utf8 => {
            let at = rope.try_char_to_byte(char_idx).unwrap_or(0);
            let start = rope.try_char_to_byte(line_start).unwrap_or(0);
            at.saturating_sub(start)
        }
    };
    Position::new(clamp_u32(line), clamp_u32(column))
}

/// The client range of a byte range.
pub fn range_of_span(rope: &Rope, start: usize, end: usize, enc: PositionEncoding) -> Range {
    Range::new(position_of_offset(rope, start, enc), position_of_offset(rope, end, enc))
}

fn clamp_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(
        range: Option<((u32, u32), (u32, u32))>,
        text: &str,
    ) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: range
                .map(|((a, b), (c, d))| Range::new(Position::new(a, b), Position::new(c, d))),
            range_length: None,
            text: text.to_owned(),
        }
    }

    #[test]
    fn utf16_columns_count_surrogate_pairs_twice() {
        let rope = Rope::from_str("x = \"😀\" | y\nnext");
        // `|` is after `x = "` (5 units), the emoji (2 units) and `" ` (2 units).
        let offset = offset_of_position(&rope, Position::new(0, 9), PositionEncoding::Utf16);
        assert_eq!(&rope.to_string()[offset..offset + 1], "|");
        assert_eq!(position_of_offset(&rope, offset, PositionEncoding::Utf16), Position::new(0, 9));
        // In UTF-8 the emoji is four bytes.
        assert_eq!(position_of_offset(&rope, offset, PositionEncoding::Utf8), Position::new(0, 11));
        let offset8 = offset_of_position(&rope, Position::new(0, 11), PositionEncoding::Utf8);
        assert_eq!(offset8, offset);
    }

    #[test]
    fn out_of_range_positions_clamp() {
        let rope = Rope::from_str("ab\r\ncd");
        let enc = PositionEncoding::Utf16;
        assert_eq!(offset_of_position(&rope, Position::new(0, 99), enc), 2);
        assert_eq!(offset_of_position(&rope, Position::new(7, 0), enc), 6);
        assert_eq!(offset_of_position(&rope, Position::new(u32::MAX, u32::MAX), enc), 6);
        // Inside a surrogate pair: lands on the character start.
        let emoji = Rope::from_str("😀z");
        assert_eq!(offset_of_position(&emoji, Position::new(0, 1), enc), 0);
        assert_eq!(position_of_offset(&rope, 999, enc), Position::new(1, 2));
        // Inside a UTF-8 sequence.
        assert_eq!(offset_of_position(&emoji, Position::new(0, 2), PositionEncoding::Utf8), 0);
    }

    #[test]
    fn incremental_changes_edit_the_rope() {
        let mut doc = Document::new("DeviceEvents\n| take 10\n", 1, "kql".into());
        let enc = PositionEncoding::Utf16;
        doc.apply_change(&change(Some(((1, 7), (1, 9))), "5"), enc);
        assert_eq!(doc.rope.to_string(), "DeviceEvents\n| take 5\n");
        // Reversed and out-of-range ranges do not panic.
        doc.apply_change(&change(Some(((9, 9), (0, 6))), "!"), enc);
        assert_eq!(doc.rope.to_string(), "Device!");
        doc.apply_change(&change(None, "new"), enc);
        assert_eq!(doc.rope.to_string(), "new");
    }

    #[test]
    fn lone_carriage_returns_are_line_breaks() {
        let rope = Rope::from_str("a\rb\u{2028}c");
        assert_eq!(position_of_offset(&rope, 2, PositionEncoding::Utf16), Position::new(1, 0));
        // U+2028 is not a line break for LSP.
        assert_eq!(position_of_offset(&rope, 6, PositionEncoding::Utf16), Position::new(1, 2));
    }
}
