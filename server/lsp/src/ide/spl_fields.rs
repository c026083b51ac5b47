//! SPL fields through the pipeline, from tokens: which fields exist before a command, and
//! where each came from (the base search, an `eval`, a `rex` group, a `stats` output, a
//! `rename`, a `lookup` output). Commands that replace the field set (`stats`, `chart`,
//! `timechart`, `tstats`, `table`, `fields`) replace it here too.

use super::catalog::Catalog;
use super::scan::{Token, TokenKind};
use super::spl::macro_call;

/// A field in scope and its origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplField {
    /// Name.
    pub name: String,
    /// Where it comes from, in a few words (`eval`, `rex group`, `stats output`, ...).
    pub origin: String,
}

/// One command of the pipeline: its token indices (the command word first, except for the
/// base search).
#[derive(Debug, Clone)]
pub struct Command {
    /// Significant token indices, pipe excluded.
    pub tokens: Vec<usize>,
    /// True for the first command when the search does not start with `|`.
    pub base_search: bool,
    /// Where it starts: just after its pipe (0 for the base search).
    pub start: u32,
}

impl Command {
    /// The command name, lower case (`search` for the base search).
    pub fn name(&self, text: &str, tokens: &[Token]) -> String {
        if self.base_search {
            return "search".to_owned();
        }
        self.tokens.first().map(|&i| tokens[i].text(text).to_ascii_lowercase()).unwrap_or_default()
    }
}

/// The top-level commands of a search (subsearches in `[...]` stay inside their command).
pub fn commands(tokens: &[Token]) -> Vec<Command> {
    let mut out = vec![Command { tokens: Vec::new(), base_search: true, start: 0 }];
    let mut depth = 0i32;
    for (i, t) in tokens.iter().enumerate() {
        match t.kind {
            TokenKind::Comment => continue,
            TokenKind::LBracket => depth += 1,
            TokenKind::RBracket => depth = (depth - 1).max(0),
            TokenKind::Pipe if depth == 0 => {
                // A search that starts with `|` has no base search.
                if out.len() == 1 && out[0].tokens.is_empty() {
                    out.clear();
                }
                out.push(Command { tokens: Vec::new(), base_search: false, start: t.span.end });
                continue;
            }
            _ => {}
        }
        if let Some(last) = out.last_mut() {
            last.tokens.push(i);
        }
    }
    out
}

/// Index of the command containing byte `offset`.
pub fn command_at(commands: &[Command], offset: u32) -> usize {
    commands.iter().rposition(|c| c.start <= offset).unwrap_or(0)
}

fn word<'a>(text: &'a str, tokens: &[Token], i: usize) -> &'a str {
    tokens[i].text(text)
}

fn add(fields: &mut Vec<SplField>, name: &str, origin: String) {
    let name = name.trim_matches('"');
    if name.is_empty() || name.contains('*') || name.starts_with('$') {
        return;
    }
    match fields.iter_mut().find(|f| f.name == name) {
        Some(f) => f.origin = origin,
        None => fields.push(SplField { name: name.to_owned(), origin }),
    }
}

/// Fields in scope at the start of command `upto` (exclusive), following every command before.
pub fn fields_before(
    text: &str,
    tokens: &[Token],
    commands: &[Command],
    upto: usize,
    catalog: &dyn Catalog,
) -> Vec<SplField> {
    let mut fields: Vec<SplField> = Vec::new();
    for c in commands.iter().take(upto) {
        apply(text, tokens, c, catalog, &mut fields);
    }
    fields
}

fn apply(
    text: &str,
    tokens: &[Token],
    c: &Command,
    catalog: &dyn Catalog,
    fields: &mut Vec<SplField>,
) {
    let name = c.name(text, tokens);
    let args: &[usize] = if c.base_search { &c.tokens } else { c.tokens.get(1..).unwrap_or(&[]) };
    match name.as_str() {
        "search" if c.base_search => base_search(text, tokens, args, catalog, fields),
        "eval" => {
            for item in split_commas(tokens, args) {
                if let [n, eq, ..] = item[..]
                    && tokens[eq].kind == TokenKind::Eq
                {
                    let expr = span_text(text, tokens, &item);
                    add(fields, word(text, tokens, n), format!("`eval {}`", short(expr)));
                }
            }
        }
        "rex" => {
            for &i in args.iter().filter(|&&i| tokens[i].kind == TokenKind::Str) {
                for group in rex_groups(word(text, tokens, i)) {
                    add(
                        fields,
                        &group,
                        format!("a `rex` group in `{}`", short(word(text, tokens, i))),
                    );
                }
            }
        }
        "rename" => rename(text, tokens, args, fields),
        "stats" | "chart" | "timechart" | "tstats" | "eventstats" | "streamstats" | "top"
        | "rare" => stats(text, tokens, &name, args, fields),
        "table" | "fields" => keep(text, tokens, &name, args, fields),
        "lookup" => {
            let out = args.iter().position(|&i| {
                let w = word(text, tokens, i);
                w.eq_ignore_ascii_case("output") || w.eq_ignore_ascii_case("outputnew")
            });
            if let Some(p) = out {
                let table = args.first().map_or("", |&i| word(text, tokens, i)).to_owned();
                for (_, f) in renamed_list(text, tokens, &args[p + 1..]) {
                    add(fields, &f, format!("output of `lookup {table}`"));
                }
            }
        }
        "spath" | "iplocation" | "extract" | "kv" => {
            for item in split_commas(tokens, args) {
                if let [k, eq, v, ..] = item[..]
                    && tokens[eq].kind == TokenKind::Eq
                    && word(text, tokens, k).eq_ignore_ascii_case("output")
                {
                    add(fields, word(text, tokens, v), format!("output of `{name}`"));
                }
            }
        }
        _ => {}
    }
}

fn short(s: &str) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() > 48 {
        format!("{}…", s.chars().take(47).collect::<String>())
    } else {
        s
    }
}

fn span_text<'a>(text: &'a str, tokens: &[Token], item: &[usize]) -> &'a str {
    match (item.first(), item.last()) {
        (Some(&a), Some(&b)) => {
            text.get(tokens[a].span.start as usize..tokens[b].span.end as usize).unwrap_or("")
        }
        _ => "",
    }
}

/// `field=value` (and `field!=`, `field>`) terms of a base search, and of the macros it calls.
fn base_search(
    text: &str,
    tokens: &[Token],
    args: &[usize],
    catalog: &dyn Catalog,
    fields: &mut Vec<SplField>,
) {
    for (n, &i) in args.iter().enumerate() {
        let next = args.get(n + 1).map(|&j| tokens[j]);
        match tokens[i].kind {
            TokenKind::Word
                if next.is_some_and(|t| {
                    matches!(t.kind, TokenKind::Eq | TokenKind::Op)
                        && t.span.start == tokens[i].span.end
                }) =>
            {
                let w = word(text, tokens, i);
                let origin = format!("the base search (`{}`)", short(term(text, tokens, args, n)));
                if !is_search_keyword(w) && !DEFAULT_FIELDS.contains(&w) {
                    add(fields, w, origin);
                }
            }
            TokenKind::Macro => {
                let (name, arity) = macro_call(word(text, tokens, i));
                if let Some(m) = catalog.macro_named(&name, arity) {
                    let inner = super::scan::scan(qlint_linter::Language::Spl, &m.definition);
                    let all: Vec<usize> =
                        (0..inner.len()).filter(|&k| !inner[k].is_trivia()).collect();
                    let mut found = Vec::new();
                    base_search(
                        &m.definition,
                        &inner,
                        &all,
                        &super::catalog::EmptyCatalog,
                        &mut found,
                    );
                    for f in found {
                        add(fields, &f.name, format!("the macro `{name}` in the base search"));
                    }
                }
            }
            _ => {}
        }
    }
    for default in DEFAULT_FIELDS {
        if !fields.iter().any(|f| f.name == default) {
            fields.push(SplField { name: default.to_owned(), origin: "every event".to_owned() });
        }
    }
}

/// Fields every event has.
const DEFAULT_FIELDS: [&str; 6] = ["_time", "_raw", "host", "source", "sourcetype", "index"];

fn term<'a>(text: &'a str, tokens: &[Token], args: &[usize], n: usize) -> &'a str {
    let end = args.get(n + 2).copied().unwrap_or(args[n]);
    span_text(text, tokens, &[args[n], end])
}

fn is_search_keyword(w: &str) -> bool {
    ["AND", "OR", "NOT", "earliest", "latest"].iter().any(|k| k.eq_ignore_ascii_case(w))
}

/// Named groups of a regular expression: `(?<name>` and `(?P<name>`.
pub fn rex_groups(pattern: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (at, _) in pattern.match_indices("(?") {
        let rest = &pattern[at + 2..];
        let rest = rest.strip_prefix('P').unwrap_or(rest);
        if let Some(body) = rest.strip_prefix('<')
            && let Some(end) = body.find('>')
        {
            let name = &body[..end];
            if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                out.push(name.to_owned());
            }
        }
    }
    out
}

fn split_commas(tokens: &[Token], args: &[usize]) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new()];
    let mut depth = 0i32;
    for &i in args {
        match tokens[i].kind {
            TokenKind::LParen | TokenKind::LBracket => depth += 1,
            TokenKind::RParen | TokenKind::RBracket => depth -= 1,
            TokenKind::Comma if depth == 0 => {
                out.push(Vec::new());
                continue;
            }
            _ => {}
        }
        if let Some(last) = out.last_mut() {
            last.push(i);
        }
    }
    out.retain(|v| !v.is_empty());
    out
}

/// `a AS b, c` → `[(a, b), (c, c)]`.
fn renamed_list(text: &str, tokens: &[Token], args: &[usize]) -> Vec<(String, String)> {
    let words: Vec<usize> =
        args.iter().copied().filter(|&i| tokens[i].kind != TokenKind::Comma).collect();
    let mut out = Vec::new();
    let mut k = 0;
    while k < words.len() {
        let from = word(text, tokens, words[k]).to_owned();
        if words.get(k + 1).is_some_and(|&i| word(text, tokens, i).eq_ignore_ascii_case("as"))
            && let Some(&to) = words.get(k + 2)
        {
            out.push((from, word(text, tokens, to).to_owned()));
            k += 3;
        } else {
            out.push((from.clone(), from));
            k += 1;
        }
    }
    out
}

fn rename(text: &str, tokens: &[Token], args: &[usize], fields: &mut Vec<SplField>) {
    for (from, to) in renamed_list(text, tokens, args) {
        if from == to {
            continue;
        }
        fields.retain(|f| f.name != from);
        add(fields, &to, format!("`rename {from} AS {to}`"));
    }
}

/// Aggregations (`count`, `dc(user) AS users`) and `by` fields of a stats-like command.
fn stats(text: &str, tokens: &[Token], command: &str, args: &[usize], fields: &mut Vec<SplField>) {
    let by = args.iter().position(|&i| word(text, tokens, i).eq_ignore_ascii_case("by"));
    let (aggs, keys) = match by {
        Some(p) => (&args[..p], &args[p + 1..]),
        None => (args, &args[..0]),
    };
    let mut outputs: Vec<SplField> = Vec::new();
    let origin = format!("`{command}` output");
    let mut k = 0;
    while k < aggs.len() {
        let i = aggs[k];
        let t = tokens[i];
        // Skip `name=value` options (`summariesonly=true`, `span=1h`, `from datamodel=...`).
        if aggs.get(k + 1).is_some_and(|&j| tokens[j].kind == TokenKind::Eq) {
            k += 3;
            continue;
        }
        if t.kind != TokenKind::Word
            || matches!(
                word(text, tokens, i).to_ascii_lowercase().as_str(),
                "from" | "where" | "as"
            )
        {
            k += 1;
            continue;
        }
        // `func(args)` or a bare `count`.
        let mut end = k;
        if aggs.get(k + 1).is_some_and(|&j| tokens[j].kind == TokenKind::LParen) {
            let mut depth = 0;
            for (m, &j) in aggs.iter().enumerate().skip(k + 1) {
                match tokens[j].kind {
                    TokenKind::LParen => depth += 1,
                    TokenKind::RParen => {
                        depth -= 1;
                        if depth == 0 {
                            end = m;
                            break;
                        }
                    }
                    _ => {}
                }
                end = m;
            }
        }
        let mut name = span_text(text, tokens, &[aggs[k], aggs[end]]).to_owned();
        k = end + 1;
        if aggs.get(k).is_some_and(|&j| word(text, tokens, j).eq_ignore_ascii_case("as"))
            && let Some(&alias) = aggs.get(k + 1)
        {
            name = word(text, tokens, alias).to_owned();
            k += 2;
        }
        outputs.push(SplField { name, origin: origin.clone() });
    }
    let keys: Vec<String> = keys
        .iter()
        .filter(|&&i| tokens[i].kind == TokenKind::Word)
        .map(|&i| word(text, tokens, i).to_owned())
        .collect();
    match command {
        "eventstats" | "streamstats" => {
            for f in outputs {
                add(fields, &f.name, f.origin);
            }
        }
        _ => {
            let before = std::mem::take(fields);
            if command == "timechart" {
                add(fields, "_time", "`timechart` buckets".to_owned());
            }
            if command == "top" || command == "rare" {
                for f in &outputs {
                    add(fields, &f.name, format!("`{command}` field"));
                }
                add(fields, "count", origin.clone());
                add(fields, "percent", origin.clone());
            } else {
                for f in outputs {
                    add(fields, &f.name, f.origin);
                }
            }
            for key in keys {
                let from = before.iter().find(|f| f.name == key).map(|f| f.origin.clone());
                let origin = match from {
                    Some(o) => format!("`{command}` group-by field (from {o})"),
                    None => format!("`{command}` group-by field"),
                };
                add(fields, &key, origin);
            }
        }
    }
}

/// `table a b` and `fields a b` keep only the named fields; `fields - a` drops them.
fn keep(text: &str, tokens: &[Token], command: &str, args: &[usize], fields: &mut Vec<SplField>) {
    let names: Vec<&str> = args
        .iter()
        .filter(|&&i| tokens[i].kind == TokenKind::Word)
        .map(|&i| word(text, tokens, i))
        .collect();
    if names.first() == Some(&"-") {
        fields.retain(|f| !names.contains(&f.name.as_str()));
        return;
    }
    let names: Vec<&str> = names.into_iter().filter(|n| *n != "+").collect();
    let before = std::mem::take(fields);
    for name in names {
        if let Some(pattern) = name.strip_suffix('*') {
            for f in before.iter().filter(|f| f.name.starts_with(pattern)) {
                add(fields, &f.name, f.origin.clone());
            }
            continue;
        }
        let origin = before
            .iter()
            .find(|f| f.name == name)
            .map_or_else(|| format!("named in `{command}`"), |f| f.origin.clone());
        add(fields, name, origin);
    }
}

#[cfg(test)]
mod tests {
    use super::super::catalog::EmptyCatalog;
    use super::super::scan::scan;
    use super::*;
    use qlint_linter::Language;

    fn at_end(text: &str) -> Vec<SplField> {
        let tokens = scan(Language::Spl, text);
        let cmds = commands(&tokens);
        let n = command_at(&cmds, text.len() as u32);
        fields_before(text, &tokens, &cmds, n, &EmptyCatalog)
    }

    fn names(fields: &[SplField]) -> Vec<&str> {
        fields.iter().map(|f| f.name.as_str()).collect()
    }

    #[test]
    fn fields_flow_through_the_pipeline() {
        let text = "index=win EventCode=4625 | rex field=_raw \"user=(?<user>\\w+) src=(?P<src_ip>\\S+)\" | eval u=lower(user), n=1 | rename src_ip AS src | stats count AS failures, dc(u) by src, user | where ";
        let fields = at_end(text);
        assert_eq!(names(&fields), ["failures", "dc(u)", "src", "user"]);
        let src = fields.iter().find(|f| f.name == "src").unwrap();
        assert!(src.origin.contains("rename src_ip AS src"), "{}", src.origin);
        let user = fields.iter().find(|f| f.name == "user").unwrap();
        assert!(user.origin.contains("rex"), "{}", user.origin);
        let text = "index=win EventCode=4625 | eval u=lower(user) | ";
        let fields = at_end(text);
        assert!(names(&fields).contains(&"EventCode") && names(&fields).contains(&"u"));
        assert!(fields[0].origin.contains("base search"), "{}", fields[0].origin);
    }

    #[test]
    fn table_fields_and_timechart() {
        assert_eq!(
            names(&at_end("index=a x=1 y=2 | fields - y | table x, _time | ")),
            ["x", "_time"]
        );
        assert_eq!(
            names(&at_end("index=a | timechart span=1h count by host | ")),
            ["_time", "count", "host"]
        );
        assert_eq!(
            names(&at_end("| tstats count from datamodel=Endpoint.Processes by Processes.dest | ")),
            ["count", "Processes.dest"]
        );
    }
}
