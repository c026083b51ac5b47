//! Macro expansion before evaluation, keeping a map back to the query as written.
//!
//! Each top-level `` `call` `` is expanded with the linter's expansion (the workspace's
//! macros.conf / macros YAML, `$arg$` substitution, nesting). A position inside an expanded
//! body maps back to the whole call, so an error there points at the macro the user wrote.
//! ESCU's generated `*_filter` macros are `search *` in Splunk; a missing one is read so.

use qlint_grammar::Span;
use qlint_knowledge::Knowledge;
use qlint_linter::analysis::spl::expand_macros;

/// The query with its macros expanded.
#[derive(Debug, Clone)]
pub struct Expanded {
    /// The text the evaluator parses.
    pub text: String,
    /// One entry per replaced call: its range in `text` and its span in the original.
    replaced: Vec<(usize, usize, Span)>,
}

impl Expanded {
    /// Maps a span of the expanded text to the original query.
    pub fn to_original(&self, span: Span) -> Span {
        Span::new(self.position(span.start as usize, false), self.position(span.end as usize, true))
    }

    fn position(&self, at: usize, is_end: bool) -> u32 {
        let mut shift: i64 = 0;
        for &(start, end, original) in &self.replaced {
            if at < start || (at == start && is_end) {
                break;
            }
            if at < end || (at == end && is_end) {
                return if is_end { original.end } else { original.start };
            }
            shift += i64::from(original.end - original.start) - (end - start) as i64;
        }
        (at as i64 + shift).max(0) as u32
    }
}

/// Expands every macro call of `text` that the knowledge defines.
pub fn expand(text: &str, knowledge: &Knowledge) -> Expanded {
    let mut out = String::with_capacity(text.len());
    let mut replaced = Vec::new();
    let mut rest_start = 0;
    while let Some(found) = text[rest_start..].find('`') {
        let start = rest_start + found;
        if text[start..].starts_with("```") {
            let end = text[start + 3..].find("```").map_or(text.len(), |e| start + 3 + e + 3);
            out.push_str(&text[rest_start..end]);
            rest_start = end;
            continue;
        }
        let Some(len) = text[start + 1..].find('`') else { break };
        let end = start + 1 + len + 1;
        out.push_str(&text[rest_start..start]);
        let call = &text[start..end];
        let body = expand_call(call, knowledge, out.trim_end().ends_with('|'));
        if body != call {
            replaced.push((out.len(), out.len() + body.len(), Span::new(start as u32, end as u32)));
        }
        out.push_str(&body);
        rest_start = end;
    }
    out.push_str(&text[rest_start..]);
    Expanded { text: out, replaced }
}

/// The body of one call (itself when unknown); a missing `*_filter` macro passes all.
fn expand_call(call: &str, knowledge: &Knowledge, as_command: bool) -> String {
    let expansion = expand_macros(&unquote_simple_args(call), knowledge);
    let name = call.trim_matches('`').split('(').next().unwrap_or("").trim();
    if expansion.text == call && name.ends_with("_filter") {
        return if as_command { "search *".to_owned() } else { "*".to_owned() };
    }
    expansion.text
}

/// `` `m("Processes")` `` as `` `m(Processes)` ``: Splunk joins adjacent quoted and bare
/// pieces of an argument, so `rename "$object$.*"` with `"Processes"` reads `Processes.*`;
/// a quoted word without spaces or quotes means the same bare.
fn unquote_simple_args(call: &str) -> String {
    let inner = call.trim_matches('`');
    let (Some(open), true) = (inner.find('('), inner.ends_with(')')) else {
        return call.to_owned();
    };
    let args = &inner[open + 1..inner.len() - 1];
    let simple = |a: &str| {
        let a = a.trim();
        a.len() >= 2
            && a.starts_with('"')
            && a.ends_with('"')
            && a[1..a.len() - 1].chars().all(|c| c.is_alphanumeric() || "_.-:".contains(c))
    };
    let parts: Vec<&str> = args.split(',').collect();
    if !parts.iter().any(|p| simple(p))
        || args.matches('"').count() != 2 * parts.iter().filter(|p| simple(p)).count()
    {
        return call.to_owned();
    }
    let unquoted: Vec<String> = parts
        .iter()
        .map(
            |p| if simple(p) { p.trim().trim_matches('"').to_owned() } else { p.trim().to_owned() },
        )
        .collect();
    format!("`{}({})`", &inner[..open], unquoted.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn knowledge() -> Knowledge {
        let mut k = Knowledge::builtin();
        let conf = "[sysmon]\ndefinition = index=endpoint sourcetype=sysmon\n\n\
                    [image_is(1)]\nargs = name\ndefinition = Image=\"*\\\\$name$\"\n";
        for def in qlint_knowledge::parse_macros_conf(conf, std::path::Path::new("m.conf"))
            .expect("macros parse")
        {
            k.add_macro(def);
        }
        k
    }

    #[test]
    fn expands_with_arguments_and_maps_back() {
        let k = knowledge();
        let text = "`sysmon` `image_is(cmd.exe)` | head 1";
        let e = expand(text, &k);
        assert_eq!(e.text, "index=endpoint sourcetype=sysmon Image=\"*\\\\cmd.exe\" | head 1");
        let head = e.text.find("head").unwrap() as u32;
        assert_eq!(e.to_original(Span::new(head, head + 4)), Span::new(31, 35));
        let inside = e.text.find("Image").unwrap() as u32;
        assert_eq!(e.to_original(Span::new(inside, inside + 5)), Span::new(9, 28));
    }

    #[test]
    fn simple_quoted_arguments_lose_their_quotes() {
        assert_eq!(unquote_simple_args("`drop(\"Processes\")`"), "`drop(Processes)`");
        assert_eq!(unquote_simple_args("`m(\"a b\", c)`"), "`m(\"a b\", c)`");
        assert_eq!(unquote_simple_args("`m(\"a,b\")`"), "`m(\"a,b\")`");
        assert_eq!(unquote_simple_args("`plain`"), "`plain`");
    }

    #[test]
    fn missing_filter_macro_passes_everything() {
        let k = knowledge();
        let e = expand("index=a | `my_detection_filter`", &k);
        assert_eq!(e.text, "index=a | search *");
        let e = expand("index=a | `undefined_thing`", &k);
        assert_eq!(e.text, "index=a | `undefined_thing`");
    }
}
