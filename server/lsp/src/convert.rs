//! Conversions from qlint's protocol-free types to LSP types.

use ropey::Rope;
use tower_lsp_server::ls_types::{
    self as lsp, CodeAction, CodeActionKind, CompletionItem, CompletionItemKind, DocumentSymbol,
    Documentation, InsertTextFormat, MarkupContent, MarkupKind, NumberOrString, TextEdit, Uri,
    WorkspaceEdit,
};

use crate::ide::actions::{Refactor, RefactorKind};
use crate::ide::hints::{Hint, HintKind};
use crate::ide::{CompletionEntry, CompletionKind, Symbol, SymbolKind};
use qlint_linter::diagnostic::{Applicability, Diagnostic, Severity};

use super::document::{PositionEncoding, range_of_span};
use qlint_grammar::Span;

/// The LSP range of a file span.
pub fn range(rope: &Rope, span: Span, enc: PositionEncoding) -> lsp::Range {
    range_of_span(rope, span.start as usize, span.end as usize, enc)
}

/// An LSP diagnostic from a file-coordinate diagnostic.
pub fn diagnostic(rope: &Rope, d: &Diagnostic, enc: PositionEncoding) -> lsp::Diagnostic {
    with_range(d, range(rope, d.span, enc))
}

fn with_range(d: &Diagnostic, range: lsp::Range) -> lsp::Diagnostic {
    let severity = match d.severity {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
    };
    lsp::Diagnostic {
        range,
        severity: Some(severity),
        code: Some(NumberOrString::String(d.code.to_owned())),
        source: Some("qlint".to_owned()),
        message: d.message.clone(),
        ..Default::default()
    }
}

/// The lines of a document, to convert many offsets (a document's diagnostics) without
/// walking the rope for each: the rope's own line index finds the line (no pass over a 10 MB
/// text per lint), the text the column. Lines end as LSP says: `\n`, `\r\n` or a lone `\r`.
pub struct LineIndex<'a> {
    rope: &'a Rope,
}

impl<'a> LineIndex<'a> {
    /// The index of `rope`, whose text is the `text` given to [`LineIndex::position`].
    pub fn new(rope: &'a Rope) -> Self {
        Self { rope }
    }

    /// The client position of a byte offset of `text` (clamped to the text, floored to a
    /// char boundary), as [`super::document::position_of_offset`] gives it.
    pub fn position(&self, text: &str, offset: usize, enc: PositionEncoding) -> lsp::Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.rope.try_byte_to_line(offset).unwrap_or(0);
        let start = self.rope.try_line_to_byte(line).unwrap_or(0).min(offset);
        let before = &text[start..offset];
        let column = match enc {
            PositionEncoding::Utf8 => before.len(),
            PositionEncoding::Utf16 if before.is_ascii() => before.len(),
            PositionEncoding::Utf16 => before.encode_utf16().count(),
        };
        let clamp = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        lsp::Position::new(clamp(line), clamp(column))
    }
}

/// [`diagnostic`] with positions from a [`LineIndex`] of `text`, the document's text.
pub fn diagnostic_indexed(
    lines: &LineIndex<'_>,
    text: &str,
    d: &Diagnostic,
    enc: PositionEncoding,
) -> lsp::Diagnostic {
    let range = lsp::Range::new(
        lines.position(text, d.span.start as usize, enc),
        lines.position(text, d.span.end as usize, enc),
    );
    with_range(d, range)
}

/// A quick-fix code action for a diagnostic's fix, if it has one.
pub fn code_action(
    rope: &Rope,
    uri: &Uri,
    d: &Diagnostic,
    enc: PositionEncoding,
) -> Option<CodeAction> {
    let fix = d.fix.as_ref()?;
    let edits = fix
        .edits
        .iter()
        .map(|e| TextEdit { range: range(rope, e.span, enc), new_text: e.replacement.clone() })
        .collect();
    let safe = fix.applicability == Applicability::Safe;
    let title = if safe { fix.title.clone() } else { format!("{} (unsafe)", fix.title) };
    Some(CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic(rope, d, enc)]),
        edit: Some(WorkspaceEdit {
            changes: Some([(uri.clone(), edits)].into_iter().collect()),
            ..Default::default()
        }),
        is_preferred: Some(safe),
        ..Default::default()
    })
}

/// Markdown when the client renders it, plain text (the same words) otherwise.
pub fn markup_kind(markdown: bool) -> MarkupKind {
    if markdown { MarkupKind::Markdown } else { MarkupKind::PlainText }
}

/// A completion item.
pub fn completion(
    rope: &Rope,
    c: &CompletionEntry,
    enc: PositionEncoding,
    markdown: bool,
    snippets: bool,
) -> CompletionItem {
    let kind = match c.kind {
        CompletionKind::Table => CompletionItemKind::CLASS,
        CompletionKind::Column => CompletionItemKind::FIELD,
        CompletionKind::Operator => CompletionItemKind::KEYWORD,
        CompletionKind::Command => CompletionItemKind::KEYWORD,
        CompletionKind::Function => CompletionItemKind::FUNCTION,
        CompletionKind::Macro => CompletionItemKind::SNIPPET,
        CompletionKind::Variable => CompletionItemKind::VARIABLE,
        CompletionKind::Field => CompletionItemKind::FIELD,
        CompletionKind::Value => CompletionItemKind::ENUM_MEMBER,
        CompletionKind::Keyword => CompletionItemKind::PROPERTY,
    };
    let snippet = c.snippet.as_ref().filter(|_| snippets);
    CompletionItem {
        label: c.label.clone(),
        kind: Some(kind),
        detail: (!c.detail.is_empty()).then(|| c.detail.clone()),
        documentation: (!c.doc.is_empty()).then(|| {
            Documentation::MarkupContent(MarkupContent {
                kind: markup_kind(markdown),
                value: c.doc.clone(),
            })
        }),
        // The client sorts by this; the rank keeps what fits the position on top.
        sort_text: Some(format!("{:02}{}", c.rank, c.label)),
        filter_text: Some(c.label.clone()),
        insert_text_format: Some(if snippet.is_some() {
            InsertTextFormat::SNIPPET
        } else {
            InsertTextFormat::PLAIN_TEXT
        }),
        text_edit: Some(lsp::CompletionTextEdit::Edit(TextEdit {
            range: range(rope, c.replace, enc),
            new_text: snippet.cloned().unwrap_or_else(|| c.label.clone()),
        })),
        ..Default::default()
    }
}

/// A document symbol tree.
#[allow(deprecated)] // `DocumentSymbol::deprecated` must still be written.
pub fn symbol(rope: &Rope, s: &Symbol, enc: PositionEncoding) -> DocumentSymbol {
    let kind = match s.kind {
        SymbolKind::Query => lsp::SymbolKind::NAMESPACE,
        SymbolKind::Variable => lsp::SymbolKind::VARIABLE,
        SymbolKind::Function => lsp::SymbolKind::FUNCTION,
    };
    let children: Vec<DocumentSymbol> = s.children.iter().map(|c| symbol(rope, c, enc)).collect();
    DocumentSymbol {
        name: if s.name.is_empty() { "(unnamed)".to_owned() } else { s.name.clone() },
        detail: s.detail.clone(),
        kind,
        tags: None,
        deprecated: None,
        range: range(rope, s.span, enc),
        selection_range: range(rope, s.selection, enc),
        children: (!children.is_empty()).then_some(children),
    }
}

/// A refactoring as a code action.
pub fn refactor(rope: &Rope, uri: &Uri, r: &Refactor, enc: PositionEncoding) -> CodeAction {
    let edits = r
        .edits
        .iter()
        .map(|(span, new_text)| TextEdit {
            range: range(rope, *span, enc),
            new_text: new_text.clone(),
        })
        .collect();
    CodeAction {
        title: r.title.clone(),
        kind: Some(match r.kind {
            RefactorKind::Inline => CodeActionKind::REFACTOR_INLINE,
            RefactorKind::Extract => CodeActionKind::REFACTOR_EXTRACT,
        }),
        edit: Some(WorkspaceEdit {
            changes: Some([(uri.clone(), edits)].into_iter().collect()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// An inlay hint.
pub fn inlay_hint(rope: &Rope, h: &Hint, enc: PositionEncoding) -> lsp::InlayHint {
    let at = range(rope, Span::new(h.offset, h.offset), enc).start;
    lsp::InlayHint {
        position: at,
        label: lsp::InlayHintLabel::String(h.label.clone()),
        kind: Some(match h.kind {
            HintKind::Type => lsp::InlayHintKind::TYPE,
            HintKind::Expansion => lsp::InlayHintKind::PARAMETER,
        }),
        text_edits: None,
        tooltip: h.tooltip.clone().map(lsp::InlayHintTooltip::String),
        padding_left: Some(h.kind == HintKind::Expansion),
        padding_right: None,
        data: None,
    }
}

/// One edit that turns `old` into `new`: the part between their common prefix and suffix
/// (`None` when they are equal).
pub fn whole_text_edit(
    rope: &Rope,
    old: &str,
    new: &str,
    enc: PositionEncoding,
) -> Option<TextEdit> {
    if old == new {
        return None;
    }
    let mut prefix = old.bytes().zip(new.bytes()).take_while(|(a, b)| a == b).count();
    while !old.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let max_suffix = old.len().min(new.len()) - prefix;
    let mut suffix = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(old.len() - suffix) || !new.is_char_boundary(new.len() - suffix) {
        suffix -= 1;
    }
    let span = Span::new(prefix as u32, (old.len() - suffix) as u32);
    Some(TextEdit {
        range: range(rope, span, enc),
        new_text: new[prefix..new.len() - suffix].to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::position_of_offset;

    #[test]
    fn the_line_index_agrees_with_the_rope() {
        for text in ["a\r\nb😀c\rd\n\né\u{2028}f\r\n\r\n😀", "a\nb😀c\n\né\u{2028}f\n", ""]
        {
            let rope = Rope::from_str(text);
            let lines = LineIndex::new(&rope);
            for enc in [PositionEncoding::Utf16, PositionEncoding::Utf8] {
                for offset in 0..=text.len() + 2 {
                    assert_eq!(
                        lines.position(text, offset, enc),
                        position_of_offset(&rope, offset, enc),
                        "{offset} {enc:?} {text:?}"
                    );
                }
            }
        }
    }
}
