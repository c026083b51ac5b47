//! The layout: which gaps between tokens become line breaks, and how deep lines are indented.
//!
//! Two passes. The first cuts the token stream into logical lines: a pipeline stage starts a
//! line, a statement ends one, and a bracket that holds a pipeline (a subquery, a subsearch)
//! opens an indented block. The second breaks a logical line that is wider than the limit:
//! before each top-level `and`/`or`, then after commas, then at spaces, continuation lines one
//! level deeper. Neither pass looks at the original whitespace except through the facts kept
//! in [`Tok`] (touching or not, comment on its own line or not, blank line after a statement),
//! and the output keeps those facts, so formatting is idempotent.

use crate::Dialect;
use crate::tokens::{Class, Tok};

/// Layout settings (`[format]` in `qlint.toml`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Lines longer than this many characters are broken where the syntax allows.
    pub line_width: usize,
    /// Spaces per indentation level.
    pub indent: usize,
    /// How SPL command names are written.
    pub spl_command_case: CommandCase,
}

/// How SPL command names (the word after each `|`) are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CommandCase {
    /// As the author wrote them (`| STATS` stays).
    #[default]
    AsWritten,
    /// Lowercase, as Splunk's documentation and its published content write them
    /// (`| STATS` becomes `| stats`). Command names are matched without regard to case.
    Lower,
}

impl Default for Options {
    fn default() -> Self {
        Self { line_width: 120, indent: 4, spl_command_case: CommandCase::AsWritten }
    }
}

/// A logical line: tokens that stay together unless the line is too wide.
#[derive(Debug, Default)]
struct Line {
    level: usize,
    toks: Vec<usize>,
    blank_before: bool,
}

/// A bracket or the whole query: where statements and pipelines live.
#[derive(Debug)]
struct Frame {
    /// The closing character expected, `None` for the whole query.
    close: Option<u8>,
    /// Whether the bracket holds a pipeline and so opens an indented block.
    block: bool,
    /// The level of lines inside the block.
    level: usize,
    /// The level of `|` lines of the current statement, once its first pipe is seen.
    pipe_level: Option<usize>,
    /// Whether the current statement starts with `let` (its pipeline source is mid-line).
    starts_with_let: bool,
}

impl Frame {
    fn new(close: Option<u8>, block: bool, level: usize) -> Self {
        Self { close, block, level, pipe_level: None, starts_with_let: false }
    }

    fn pipe_level(&mut self) -> usize {
        let level = self.level + usize::from(self.starts_with_let);
        *self.pipe_level.get_or_insert(level)
    }
}

/// Brackets whose own contents (not nested ones) hold a `|`.
fn blocks(toks: &[Tok]) -> Vec<bool> {
    let mut block = vec![false; toks.len()];
    let mut open: Vec<(usize, u8)> = Vec::new();
    for (i, tok) in toks.iter().enumerate() {
        match tok.class {
            Class::Open(close) => open.push((i, close)),
            Class::Close(close) if open.last().is_some_and(|&(_, c)| c == close) => {
                open.pop();
            }
            Class::Pipe => {
                if let Some(&(at, _)) = open.last() {
                    block[at] = true;
                }
            }
            _ => {}
        }
    }
    block
}

struct Lines<'t> {
    toks: &'t [Tok],
    lines: Vec<Line>,
    current: Line,
    frames: Vec<Frame>,
    /// A line break owed after a statement or a block opening, taken at the next token
    /// unless that token is a comment on the same line.
    pending: Option<usize>,
    /// Whether a blank line may follow the pending break (after a statement).
    pending_blank: bool,
}

impl Lines<'_> {
    fn frame(&mut self) -> &mut Frame {
        self.frames.last_mut().expect("the query frame is never popped")
    }

    /// Ends the current line (if it has tokens) and starts one at `level`.
    fn break_to(&mut self, level: usize) {
        if !self.current.toks.is_empty() {
            let done = std::mem::take(&mut self.current);
            self.lines.push(done);
        }
        self.current.level = level;
    }

    fn push(&mut self, i: usize) {
        self.current.toks.push(i);
    }

    /// The level of the line a statement-level token starts: the block's, or the pipeline's.
    fn line_level(&mut self) -> usize {
        let frame = self.frame();
        match frame.pipe_level {
            Some(level) => level,
            None => frame.level,
        }
    }

    fn next_starts_line(&self, i: usize) -> bool {
        match self.toks.get(i + 1).map(|t| t.class) {
            None | Some(Class::Pipe) => true,
            Some(Class::Close(c)) => {
                self.frames.last().is_some_and(|f| f.block && f.close == Some(c))
            }
            _ => false,
        }
    }

    fn token(&mut self, i: usize, block: &[bool]) {
        let tok = self.toks[i];
        let trailing_comment =
            matches!(tok.class, Class::LineComment | Class::BlockComment) && tok.breaks == 0;
        if let Some(level) = self.pending.filter(|_| !trailing_comment) {
            self.pending = None;
            self.break_to(level);
            self.current.blank_before = self.pending_blank && tok.breaks >= 2;
        }
        match tok.class {
            Class::Pipe => {
                let level = self.frame().pipe_level();
                self.break_to(level);
                self.push(i);
            }
            Class::Open(close) => {
                let level = self.current.level + 1;
                self.push(i);
                self.frames.push(Frame::new(Some(close), block[i], level));
                if block[i] {
                    self.pending = Some(level);
                    self.pending_blank = false;
                }
            }
            Class::Close(close) if self.frame().close == Some(close) => {
                let frame = self.frames.pop().expect("matched above");
                if frame.block {
                    self.break_to(frame.level - 1);
                }
                self.push(i);
            }
            Class::Semi => {
                self.push(i);
                self.frame().pipe_level = None;
                self.pending = Some(self.frame().level);
                self.pending_blank = true;
            }
            Class::LineComment | Class::BlockComment
                if tok.breaks > 0 || self.current.toks.is_empty() =>
            {
                // A comment on its own line stays on its own line; when it comes before a
                // line of its own (a pipeline stage, a closing bracket), it goes with that line.
                if self.current.toks.is_empty() || self.next_starts_line(i) {
                    let level = match self.toks.get(i + 1).map(|t| t.class) {
                        _ if self.current.toks.is_empty() => self.current.level,
                        Some(Class::Pipe) => self.frame().pipe_level(),
                        _ => self.line_level(),
                    };
                    self.break_to(level);
                    self.push(i);
                    self.break_to(level);
                } else {
                    self.push(i);
                }
            }
            _ => self.push(i),
        }
    }
}

fn logical_lines(text: &str, toks: &[Tok]) -> Vec<Line> {
    let block = blocks(toks);
    let mut state = Lines {
        toks,
        lines: Vec::new(),
        current: Line::default(),
        frames: vec![Frame::new(None, true, 0)],
        pending: None,
        pending_blank: false,
    };
    let mut statement_start = true;
    for i in 0..toks.len() {
        let is_comment = matches!(toks[i].class, Class::LineComment | Class::BlockComment);
        if statement_start && !is_comment {
            state.frame().starts_with_let = &text[toks[i].start..toks[i].end] == "let";
            statement_start = false;
        }
        state.token(i, &block);
        if matches!(toks[i].class, Class::Semi)
            || (matches!(toks[i].class, Class::Open(_)) && block[i])
        {
            statement_start = true;
        }
    }
    state.break_to(0);
    state.lines
}

/// Where a logical line may be broken, from the most to the least preferred.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Breaks {
    /// Before a top-level `by`.
    By,
    /// Before every `and`/`or` at this bracket depth, all at once.
    Logical(usize),
    /// After commas at this bracket depth, filling lines.
    Comma(usize),
    /// At spaces at the top level, filling lines.
    TopSpace,
    /// At any space, filling lines.
    AnySpace,
}

/// KQL: conditions and lists before plain spaces (a space in KQL sits beside an operator).
const KQL_STRATEGIES: [Breaks; 8] = [
    Breaks::By,
    Breaks::Logical(0),
    Breaks::Comma(0),
    Breaks::Logical(1),
    Breaks::Comma(1),
    Breaks::Logical(2),
    Breaks::TopSpace,
    Breaks::AnySpace,
];

/// SPL: a space between search terms is an `AND`, so top-level terms fill lines before a
/// bracketed group is opened up.
const SPL_STRATEGIES: [Breaks; 7] = [
    Breaks::By,
    Breaks::Logical(0),
    Breaks::Comma(0),
    Breaks::TopSpace,
    Breaks::Logical(1),
    Breaks::Comma(1),
    Breaks::AnySpace,
];

struct Render<'a> {
    strategies: &'static [Breaks],
    /// Lowercase SPL command names.
    lower_commands: bool,
    text: &'a str,
    toks: &'a [Tok],
    options: &'a Options,
}

impl Render<'_> {
    fn tok(&self, i: usize) -> &str {
        &self.text[self.toks[i].start..self.toks[i].end]
    }

    fn is_comment(&self, i: usize) -> bool {
        matches!(self.toks[i].class, Class::LineComment | Class::BlockComment)
    }

    /// Characters of `piece` laid out on one line at `level`.
    fn width(&self, piece: &[usize], level: usize) -> usize {
        let mut width = level * self.options.indent;
        for (k, &i) in piece.iter().enumerate() {
            if k > 0 && !self.toks[i].touches {
                width += 1;
            }
            width += self.tok(i).chars().count();
        }
        width
    }

    /// Whether a break before `piece[k]` is forced: after a comment, or before a comment that
    /// stood on its own line.
    fn hard_break(&self, piece: &[usize], k: usize) -> bool {
        self.is_comment(piece[k - 1])
            || (self.is_comment(piece[k]) && self.toks[piece[k]].breaks > 0)
    }

    /// Positions `k` (break before `piece[k]`) that `strategy` may use.
    fn candidates(&self, piece: &[usize], depth: &[usize], strategy: Breaks) -> Vec<usize> {
        (1..piece.len())
            .filter(|&k| !self.toks[piece[k]].touches && !self.is_comment(piece[k]))
            .filter(|&k| match strategy {
                Breaks::By => self.toks[piece[k]].class == Class::By && depth[k] == 0,
                Breaks::Logical(d) => self.toks[piece[k]].class == Class::Logical && depth[k] == d,
                Breaks::Comma(d) => self.toks[piece[k - 1]].class == Class::Comma && depth[k] == d,
                Breaks::TopSpace => depth[k] == 0,
                Breaks::AnySpace => true,
            })
            .collect()
    }

    /// Splits one logical line into physical lines: `(level, tokens)`.
    fn split(&self, line: &Line) -> Vec<(usize, Vec<usize>)> {
        let piece = &line.toks;
        let mut parts = Vec::new();
        let mut start = 0;
        for k in 1..piece.len() {
            if self.hard_break(piece, k) {
                parts.push(piece[start..k].to_vec());
                start = k;
            }
        }
        parts.push(piece[start..].to_vec());
        let mut out = Vec::new();
        for (n, part) in parts.into_iter().enumerate() {
            let first = out.is_empty() && n == 0;
            self.fit(part, line.level, first, 0, &mut out);
        }
        out
    }

    /// Breaks `piece` until each line fits, trying strategies from `from` on.
    fn fit(
        &self,
        piece: Vec<usize>,
        level: usize,
        first: bool,
        from: usize,
        out: &mut Vec<(usize, Vec<usize>)>,
    ) {
        let at = if first { level } else { level + 1 };
        if self.width(&piece, at) <= self.options.line_width || from >= self.strategies.len() {
            out.push((at, piece));
            return;
        }
        let depth = self.depths(&piece);
        let strategy = self.strategies[from];
        let cuts = self.candidates(&piece, &depth, strategy);
        if cuts.is_empty() {
            return self.fit(piece, level, first, from + 1, out);
        }
        let chunks = chunks(&piece, &cuts);
        let lines = match strategy {
            Breaks::By | Breaks::Logical(_) => chunks,
            _ => self.fill(chunks, level, first),
        };
        for (n, line) in lines.into_iter().enumerate() {
            self.fit(line, level, first && n == 0, from + 1, out);
        }
    }

    /// Packs chunks into as few lines as fit.
    fn fill(&self, chunks: Vec<Vec<usize>>, level: usize, first: bool) -> Vec<Vec<usize>> {
        let mut lines: Vec<Vec<usize>> = Vec::new();
        for chunk in chunks {
            let at = if first && lines.len() <= 1 { level } else { level + 1 };
            match lines.last_mut() {
                Some(last) => {
                    let mut joined = last.clone();
                    joined.extend_from_slice(&chunk);
                    if self.width(&joined, at) <= self.options.line_width {
                        *last = joined;
                    } else {
                        lines.push(chunk);
                    }
                }
                None => lines.push(chunk),
            }
        }
        lines
    }

    /// The bracket depth of each token of `piece`, relative to its start.
    fn depths(&self, piece: &[usize]) -> Vec<usize> {
        let mut depth = 0usize;
        piece
            .iter()
            .map(|&i| match self.toks[i].class {
                Class::Open(_) => {
                    depth += 1;
                    depth - 1
                }
                Class::Close(_) => {
                    depth = depth.saturating_sub(1);
                    depth
                }
                _ => depth,
            })
            .collect()
    }

    fn write_line(&self, level: usize, piece: &[usize], out: &mut String) {
        out.extend(std::iter::repeat_n(' ', level * self.options.indent));
        for (k, &i) in piece.iter().enumerate() {
            if k > 0 && !self.toks[i].touches {
                out.push(' ');
            }
            let tok = self.tok(i);
            if self.lower_commands && self.is_command_name(i) {
                out.push_str(&tok.to_ascii_lowercase());
            } else {
                out.push_str(tok);
            }
        }
    }

    /// An SPL command name: a plain word right after a `|` (not a macro, not a quoted text).
    fn is_command_name(&self, i: usize) -> bool {
        i > 0
            && self.toks[i - 1].class == Class::Pipe
            && self.tok(i).bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    }
}

fn chunks(piece: &[usize], cuts: &[usize]) -> Vec<Vec<usize>> {
    let mut out = Vec::with_capacity(cuts.len() + 1);
    let mut start = 0;
    for &cut in cuts {
        out.push(piece[start..cut].to_vec());
        start = cut;
    }
    out.push(piece[start..].to_vec());
    out
}

/// Lays out the tokens of `text` (which parsed without errors) from the first token to the
/// last; the caller keeps what surrounds them.
pub fn render(dialect: Dialect, text: &str, toks: &[Tok], options: &Options) -> String {
    let strategies: &'static [Breaks] = match dialect {
        Dialect::Kql => &KQL_STRATEGIES,
        // YARA-L has its own layout (`crate::yaral`) and never comes here.
        Dialect::Spl | Dialect::Yaral => &SPL_STRATEGIES,
    };
    let lower_commands = dialect == Dialect::Spl && options.spl_command_case == CommandCase::Lower;
    let render = Render { strategies, lower_commands, text, toks, options };
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for (n, line) in logical_lines(text, toks).iter().enumerate() {
        for (k, (level, piece)) in render.split(line).into_iter().enumerate() {
            if n > 0 || k > 0 {
                out.push_str(newline);
            }
            if k == 0 && line.blank_before && n > 0 {
                out.push_str(newline);
            }
            render.write_line(level, &piece, &mut out);
        }
    }
    out
}
