//! SPL analysis: macros expanded, commands and data models checked, regexes collected, and
//! the condition model built.

use qlint_grammar::Span;
use qlint_grammar::spl::ast::{
    Argument, Assignment, BinaryOp, Command, CommandKind, CompareOp, Expr, MacroCall, Name,
    RegexCommand, Search, SearchExpr, TstatsCommand, UnaryOp, Value,
};

pub use crate::analysis::logic::{CaseFold, FoldMismatch};
use crate::analysis::logic::{
    Comparison, Condition, Field, Filter, FilterOrigin, Literal, LiteralKind, LogicModel, OpKind,
    Operator,
};
use crate::analysis::{ArityProblem, RegexUse, Unresolved};
use qlint_knowledge::{Knowledge, suggest};

/// Data models that Splunk Enterprise Security adds to the CIM's ("Data models used by
/// ES", dev.splunk.com): Assets and Identities, Domain Analysis, Incident Management, Threat
/// Intelligence and User and Entity Behavior Analytics. Their datasets are not in the
/// catalog, so a search on them is not checked (Risk is in the catalog).
const ENTERPRISE_SECURITY_DATAMODELS: &[&str] = &[
    "Identity_Management",
    "Domain_Analysis",
    "Incident_Management",
    "Threat_Intelligence",
    "UEBA",
];

/// A `tstats` command over a data model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TstatsUse {
    /// The `tstats` name token.
    pub name_span: Span,
}

/// What the analysis of an SPL search found.
#[derive(Debug, Clone, Default)]
pub struct SplAnalysis {
    /// The condition model for the detection-logic rules.
    pub logic: LogicModel,
    /// Regex literals with their users.
    pub regexes: Vec<RegexUse>,
    /// Macros that no configured source defines (empty when no source is configured).
    pub undefined_macros: Vec<Unresolved>,
    /// Macro calls whose argument count matches no definition.
    pub macro_arity_problems: Vec<ArityProblem>,
    /// Command names that are not known (with a suggestion when one is close).
    pub unknown_commands: Vec<Unresolved>,
    /// Unknown data models or datasets.
    pub unknown_datamodels: Vec<Unresolved>,
    /// Unknown data-model fields.
    pub unknown_datamodel_fields: Vec<Unresolved>,
    /// `tstats` over a data model with no `summariesonly` and no macro that may set it.
    pub tstats_without_summariesonly: Vec<TstatsUse>,
    /// True when some part of the search sets `earliest`/`latest` or tests `_time`.
    pub time_modifier_somewhere: bool,
    /// Event searches (main or subsearch) with no time modifier: `(first term, span)`.
    pub unbounded_event_searches: Vec<(String, Span)>,
    /// Conditions written inside `eval` expressions (`if()`, `case()`, a boolean assignment)
    /// and stats `eval()` arguments. They do not filter events, so they are not in
    /// `logic.filters`, but they compare strings the way `where` does (case-sensitively).
    pub eval_conditions: Vec<Condition>,
    /// Comparisons of a case-folded value with a literal of the other case, which never match.
    pub fold_mismatches: Vec<FoldMismatch>,
    /// String literals holding `*` compared in `where` / `eval`, where `*` is no wildcard.
    pub literal_asterisks: Vec<LiteralAsterisk>,
    /// The expanded bodies of the macros the search calls, each analysed on its own, so that
    /// rules can see a `where` or `eval` written inside a macro. Empty when the search is itself
    /// the definition of a loaded macro (its findings are reported there already).
    pub macro_bodies: Vec<MacroBody>,
}

/// A macro call whose definition was expanded (arguments substituted, nested macros
/// expanded) and analysed as SPL of its own.
#[derive(Debug, Clone)]
pub struct MacroBody {
    /// The macro name as called.
    pub name: String,
    /// The whole call in the search, backticks included: where findings inside are reported.
    pub call_span: Span,
    /// The text that was analysed; spans of [`analysis`](Self::analysis) index into it.
    pub text: String,
    /// The analysis of the body, with the case folding in force at the call.
    pub analysis: SplAnalysis,
}

impl MacroBody {
    /// True when the body has something that the where / eval rules read.
    fn has_eval_findings(&self) -> bool {
        let a = &self.analysis;
        !a.eval_comparisons().is_empty()
            || !a.literal_asterisks.is_empty()
            || !a.fold_mismatches.is_empty()
    }
}

/// Where a macro is called, which decides how its body is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MacroPosition {
    /// Among search terms (`` `sysmon` EventCode=1 ``): the body is search terms, or a
    /// pipeline when it starts with a command.
    Search,
    /// As a command of its own (`` | `my_filter` ``): the body is a pipeline.
    Command,
    /// Inside an eval expression (`` where `is_admin(user)` ``): the body is an expression.
    Expr,
}

/// How a string with `*` is compared in an eval expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsteriskComparison {
    /// `x="a*"`, `x=="a*"`, `x!="a*"` (`negated`).
    Equal {
        /// `!=`.
        negated: bool,
    },
    /// `like(x, "a*")` or `x LIKE "a*"`: the pattern wildcards are `%` and `_`.
    Like,
    /// `x IN ("a*", ...)` or `in(x, "a*", ...)`.
    In,
}

/// `where process_name="*.exe"`: in an eval expression `*` is a literal asterisk, so the test
/// only matches values that contain the asterisk itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiteralAsterisk {
    /// The string literal holding `*`.
    pub literal: Literal,
    /// The compared expression (`process_name`, `lower(Image)`).
    pub subject: Span,
    /// How the literal is compared.
    pub comparison: AsteriskComparison,
    /// The whole comparison (`process_name="*.exe"`, the `like(...)` call).
    pub span: Span,
}

impl SplAnalysis {
    /// Every comparison that minds case — the `where` and `regex` filters and
    /// [`eval_conditions`](Self::eval_conditions) — with its polarity (`false` under an odd
    /// number of `NOT`s). Search-command comparisons (the base search, `| search`, `tstats
    /// where`) are not included: they ignore case.
    pub fn eval_comparisons(&self) -> Vec<(&Comparison, bool)> {
        let mut out = Vec::new();
        let wheres = self
            .logic
            .filters
            .iter()
            .filter(|f| matches!(f.origin, FilterOrigin::SplWhere | FilterOrigin::SplRegex));
        for condition in wheres.map(|f| &f.condition).chain(&self.eval_conditions) {
            condition.for_each_comparison(true, &mut |c, positive| out.push((c, positive)));
        }
        out
    }
}

/// Analyses an SPL search.
pub fn analyze(text: &str, knowledge: &Knowledge) -> SplAnalysis {
    let parse = qlint_grammar::spl::parse(text);
    analyze_tree(&parse.tree, text, knowledge)
}

/// Analyses an already parsed SPL search.
pub fn analyze_tree(search: &Search, text: &str, knowledge: &Knowledge) -> SplAnalysis {
    let mut analyzer = Analyzer::new(text, knowledge, true);
    analyzer.search(search, true);
    analyzer.out.logic.time_bounded = Some(analyzer.out.time_modifier_somewhere);
    let mut out = analyzer.out;
    // Linting a macros.conf lints each definition: a macro called there is a definition of the
    // same workspace, whose own findings are reported at that definition.
    if out.macro_bodies.iter().any(MacroBody::has_eval_findings)
        && is_macro_definition(text, knowledge)
    {
        out.macro_bodies.clear();
    }
    out
}

/// True when `text` is, up to whitespace, the definition of a loaded macro.
fn is_macro_definition(text: &str, knowledge: &Knowledge) -> bool {
    let words: Vec<&str> = text.split_whitespace().collect();
    knowledge.macros().any(|m| m.definition.split_whitespace().eq(words.iter().copied()))
}

/// Macro bodies analysed per search at most (each call is analysed once).
const MAX_MACRO_BODIES: usize = 64;
/// Expanded bodies longer than this are not analysed.
const MAX_MACRO_BODY_BYTES: usize = 64 * 1024;
/// Expansion stops replacing calls once its output is this long (a macro that calls itself
/// twice at each level would otherwise double at every level).
const MAX_EXPANSION_BYTES: usize = 1024 * 1024;

/// How deep macros may nest before expansion stops (Splunk's own limit is similar).
const MACRO_DEPTH: usize = 20;

/// The outcome of expanding the macros of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expansion {
    /// The text with every resolvable macro call replaced by its definition.
    pub text: String,
    /// Stanzas that could not be resolved (`name` or `name(2)`).
    pub unresolved: Vec<String>,
    /// True when expansion stopped at the depth limit (a recursive macro).
    pub truncated: bool,
}

/// Expands the macros of `text` with the knowledge's definitions: `$arg$` substitution, nested
/// calls, looked up by name and argument count like Splunk does. Unknown macros and the ESCU
/// `*_filter` macros are left in place.
pub fn expand_macros(text: &str, knowledge: &Knowledge) -> Expansion {
    let mut expansion = Expansion { text: String::new(), unresolved: Vec::new(), truncated: false };
    expansion.text =
        expand_into(text, knowledge, 0, &mut expansion.unresolved, &mut expansion.truncated);
    expansion
}

fn expand_into(
    text: &str,
    knowledge: &Knowledge,
    depth: usize,
    unresolved: &mut Vec<String>,
    truncated: &mut bool,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('`') {
        // ```comments``` are not macros.
        if rest[start..].starts_with("```") {
            let after = &rest[start + 3..];
            let end = after.find("```").map_or(rest.len(), |e| start + 3 + e + 3);
            out.push_str(&rest[..end]);
            rest = &rest[end..];
            continue;
        }
        let Some(len) = rest[start + 1..].find('`') else { break };
        let call_text = &rest[start + 1..start + 1 + len];
        out.push_str(&rest[..start]);
        let (name, args) = split_macro_call(call_text);
        let replacement = if depth >= MACRO_DEPTH || out.len() > MAX_EXPANSION_BYTES {
            *truncated = true;
            None
        } else if name.ends_with("_filter") {
            None
        } else {
            knowledge.macro_def(name, args.len()).map(|def| {
                let mut body = def.definition.clone();
                for (param, value) in def.args.iter().zip(&args) {
                    body = body.replace(&format!("${param}$"), value);
                }
                expand_into(&body, knowledge, depth + 1, unresolved, truncated)
            })
        };
        match replacement {
            Some(body) => out.push_str(&body),
            None => {
                if !name.ends_with("_filter") && !*truncated {
                    let stanza = if call_text.contains('(') {
                        format!("{name}({})", args.len())
                    } else {
                        name.to_owned()
                    };
                    if !unresolved.contains(&stanza) {
                        unresolved.push(stanza);
                    }
                }
                out.push('`');
                out.push_str(call_text);
                out.push('`');
            }
        }
        rest = &rest[start + 1 + len + 1..];
    }
    out.push_str(rest);
    out
}

/// `name(a, "b, c")` -> (`name`, [`a`, `"b, c"`]).
fn split_macro_call(call: &str) -> (&str, Vec<String>) {
    let Some(open) = call.find('(') else { return (call.trim(), Vec::new()) };
    let name = call[..open].trim();
    let inner = call[open + 1..].trim_end().strip_suffix(')').unwrap_or(&call[open + 1..]);
    let mut args = Vec::new();
    let (mut current, mut quoted, mut depth, mut escaped) = (String::new(), false, 0usize, false);
    for c in inner.chars() {
        if escaped {
            current.push(c);
            escaped = false;
            continue;
        }
        match c {
            '\\' => {
                escaped = true;
                current.push(c);
            }
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            '(' if !quoted => {
                depth += 1;
                current.push(c);
            }
            ')' if !quoted => {
                depth = depth.saturating_sub(1);
                current.push(c);
            }
            ',' if !quoted && depth == 0 => {
                args.push(std::mem::take(&mut current).trim().to_owned())
            }
            _ => current.push(c),
        }
    }
    if !current.trim().is_empty() || !args.is_empty() {
        args.push(current.trim().to_owned());
    }
    (name, args)
}

/// Fields every data-model dataset has (inherited from `BaseEvent`).
const BASE_FIELDS: &[&str] = &["_time", "host", "source", "sourcetype", "_raw", "_indextime"];

struct Analyzer<'a> {
    text: &'a str,
    knowledge: &'a Knowledge,
    out: SplAnalysis,
    /// Fields that an earlier `eval` of this pipeline set to `lower(...)` / `upper(...)`: a
    /// later comparison on them does not depend on the case of the event's value.
    case_folded: Vec<(String, CaseFold)>,
    /// True for the search itself; false for a macro body (already fully expanded).
    see_through_macros: bool,
}

impl<'a> Analyzer<'a> {
    fn new(text: &'a str, knowledge: &'a Knowledge, see_through_macros: bool) -> Self {
        Analyzer {
            text,
            knowledge,
            out: SplAnalysis::default(),
            case_folded: Vec::new(),
            see_through_macros,
        }
    }

    fn search(&mut self, search: &Search, top: bool) {
        // A subsearch is its own pipeline: its evals neither see nor change the outer ones.
        let outer_case_folded = std::mem::take(&mut self.case_folded);
        self.pipeline(search, top);
        self.case_folded = outer_case_folded;
    }

    fn pipeline(&mut self, search: &Search, top: bool) {
        let mut bounded = false;
        let mut event_source: Option<(String, Span)> = None;
        for (i, command) in search.commands.iter().enumerate() {
            self.command_name(command);
            match &command.kind {
                CommandKind::Search(s) => {
                    if let Some(clause) = &s.clause {
                        let first = i == 0;
                        if search_has_time_modifier(clause) {
                            bounded = true;
                            self.out.time_modifier_somewhere = true;
                        }
                        if first && event_source.is_none() {
                            event_source =
                                first_term(clause).map(|s| (s.text(self.text).to_owned(), s));
                        }
                        let origin = if first && top && !search.leading_pipe {
                            FilterOrigin::SplBaseSearch
                        } else {
                            FilterOrigin::SplSearch
                        };
                        let condition = self.lower_search(clause);
                        self.out.logic.filters.push(Filter { origin, condition });
                    }
                }
                CommandKind::Where(w) => {
                    self.expr(&w.expr);
                    if expr_mentions_time(&w.expr) {
                        bounded = true;
                        self.out.time_modifier_somewhere = true;
                    }
                    let condition = self.lower_expr(&w.expr);
                    self.out
                        .logic
                        .filters
                        .push(Filter { origin: FilterOrigin::SplWhere, condition });
                }
                CommandKind::Eval(e) => {
                    for assignment in &e.assignments {
                        self.expr(&assignment.expr);
                        self.collect_eval_conditions(&assignment.expr);
                        self.note_assignment(assignment);
                    }
                }
                CommandKind::Stats(s) => {
                    for m in &s.macros {
                        self.macro_call(m);
                    }
                    for agg in &s.aggregations {
                        agg.args.iter().for_each(|a| self.expr(a));
                        agg.args.iter().for_each(|a| self.collect_eval_conditions(a));
                    }
                }
                CommandKind::Tstats(t) => {
                    if i == 0 && event_source.is_none() {
                        event_source = Some(("tstats".to_owned(), command.name.span));
                    }
                    if t.where_clause.as_ref().is_some_and(search_has_time_modifier) {
                        bounded = true;
                        self.out.time_modifier_somewhere = true;
                    }
                    self.tstats(command, t);
                }
                CommandKind::Rex(rex) => {
                    if let Some(value) = &rex.regex {
                        let sed = rex.options.iter().any(|o| {
                            o.key.text.eq_ignore_ascii_case("mode")
                                && o.value.text.eq_ignore_ascii_case("sed")
                        });
                        let pattern =
                            if sed { sed_pattern(&value.text) } else { Some(value.text.clone()) };
                        if let Some(pattern) = pattern {
                            self.out.regexes.push(RegexUse {
                                pattern,
                                span: value.span,
                                user: "rex".to_owned(),
                            });
                        }
                    }
                }
                CommandKind::Regex(regex) => {
                    if let Some(value) = &regex.regex {
                        self.out.regexes.push(RegexUse {
                            pattern: value.text.clone(),
                            span: value.span,
                            user: "regex".to_owned(),
                        });
                        let condition = self.lower_regex_command(command, regex, value);
                        self.out
                            .logic
                            .filters
                            .push(Filter { origin: FilterOrigin::SplRegex, condition });
                    }
                }
                CommandKind::Macro(m) => {
                    let body = self.macro_call(m);
                    let excludes = match &body {
                        Some(body) => macro_body_excludes(body),
                        None => macro_name_excludes(&m.name),
                    };
                    self.out.logic.exclusion_elsewhere |= excludes;
                    self.see_through(m, body, MacroPosition::Command);
                }
                CommandKind::Fields(f) => f.macros.iter().for_each(|m| {
                    self.macro_call(m);
                }),
                CommandKind::Join(j) => {
                    if let Some(sub) = &j.subsearch {
                        self.search(&sub.search, false);
                    }
                }
                CommandKind::Foreach(f) => {
                    if let Some(sub) = &f.template {
                        self.search(&sub.search, false);
                    }
                }
                CommandKind::InputLookup(l) => {
                    if let Some(clause) = &l.where_clause {
                        self.lower_search(clause);
                    }
                }
                CommandKind::Head(h) => {
                    if let Some(condition) = &h.condition {
                        self.expr(condition);
                    }
                }
                CommandKind::Return(r) => r.items.iter().for_each(|a| self.argument(a)),
                CommandKind::Generic(g) => g.args.iter().for_each(|a| self.argument(a)),
                _ => {}
            }
        }
        if !bounded && let Some(source) = event_source {
            self.out.unbounded_event_searches.push(source);
        }
    }

    fn command_name(&mut self, command: &Command) {
        if command.implicit || matches!(command.kind, CommandKind::Macro(_) | CommandKind::Error) {
            return;
        }
        let name = &command.name.text;
        if name.is_empty()
            || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return;
        }
        if self.knowledge.spl_command(name).is_none() {
            let lower = name.to_ascii_lowercase();
            // A swapped pair of letters (`stast` for `stats`) is the likeliest slip: prefer it
            // over a plain one-letter edit (`stash`).
            let mut sorted: Vec<char> = lower.chars().collect();
            sorted.sort_unstable();
            let swapped = self.knowledge.spl_commands().map(|c| c.name.as_str()).find(|c| {
                let mut letters: Vec<char> = c.chars().collect();
                letters.sort_unstable();
                letters == sorted && crate::analysis::transposition_distance(&lower, c) == 1
            });
            let suggestion = swapped
                .map(str::to_owned)
                .or_else(|| self.knowledge.suggest_spl_command(name).map(str::to_owned));
            self.out.unknown_commands.push(Unresolved {
                name: name.clone(),
                span: command.name.span,
                suggestion,
                scope: None,
            });
        }
    }

    fn argument(&mut self, argument: &Argument) {
        match argument {
            Argument::Option { value, .. } => self.argument(value),
            Argument::Group { args, .. } => args.iter().for_each(|a| self.argument(a)),
            Argument::Macro(m) => {
                self.macro_call(m);
            }
            Argument::Subsearch(sub) => self.search(&sub.search, false),
            Argument::Value(_) | Argument::Punct(_) | Argument::Error(_) => {}
        }
    }

    /// Checks a macro call (defined, arity, nested macros defined); returns the expanded body
    /// of a defined macro.
    fn macro_call(&mut self, call: &MacroCall) -> Option<String> {
        if call.name.ends_with("_filter") {
            // An ESCU filter macro is where each site adds its exclusions.
            self.out.logic.exclusion_elsewhere = true;
            return None;
        }
        if call.name.is_empty() {
            return None;
        }
        let arity = call.args.len();
        if let Some(def) = self.knowledge.macro_def(&call.name, arity) {
            // Nested macros of the definition must resolve too.
            let mut body = def.definition.clone();
            for (param, value) in def.args.iter().zip(&call.args) {
                body = body.replace(&format!("${param}$"), &value.text);
            }
            let expansion = expand_macros(&body, self.knowledge);
            if self.knowledge.has_macro_sources()
                && let Some(missing) = expansion.unresolved.first()
            {
                self.out.undefined_macros.push(Unresolved {
                    name: missing.clone(),
                    span: call.span,
                    suggestion: None,
                    scope: Some(call.name.clone()),
                });
            }
            // An `iseval` definition computes the search string: its text is not SPL.
            return (!def.iseval).then_some(expansion.text);
        }
        let arities: Vec<usize> =
            self.knowledge.macros_named(&call.name).map(|m| m.arity()).collect();
        if !arities.is_empty() {
            let mut arities = arities;
            arities.sort_unstable();
            arities.dedup();
            let expected = arities.iter().map(ToString::to_string).collect::<Vec<_>>().join(" or ");
            self.out.macro_arity_problems.push(ArityProblem {
                name: call.name.clone(),
                span: call.span,
                given: arity,
                expected,
            });
        } else if self.knowledge.has_macro_sources() {
            let suggestion = self.knowledge.suggest_macro(&call.name).map(str::to_owned);
            self.out.undefined_macros.push(Unresolved {
                name: call.definition_name(),
                span: call.name_span,
                suggestion,
                scope: None,
            });
        }
        None
    }

    /// Expands a defined macro at its call and analyses the body as SPL of its own, with the
    /// case folding in force here; a body used as a command passes its folding on.
    fn see_through(&mut self, call: &MacroCall, body: Option<String>, position: MacroPosition) {
        if !self.see_through_macros || self.out.macro_bodies.len() >= MAX_MACRO_BODIES {
            return;
        }
        let Some(body) = body else { return };
        let body = body.trim();
        if body.is_empty() || body.len() > MAX_MACRO_BODY_BYTES {
            return;
        }
        // The where / eval rules only read what `where`, `eval` (also `count(eval(...))`) and
        // `regex` write: a pipeline without these words is not worth parsing.
        let lower = body.to_ascii_lowercase();
        if position != MacroPosition::Expr
            && !["where", "eval", "regex"].iter().any(|w| lower.contains(w))
        {
            return;
        }
        let text = match position {
            MacroPosition::Expr => format!("| where {body}"),
            _ if body.starts_with('|') => body.to_owned(),
            MacroPosition::Command => format!("| {body}"),
            MacroPosition::Search if self.starts_with_command(body) => format!("| {body}"),
            // Search terms alone (`index=x sourcetype=y`) ignore case and know no `where`: only
            // a later command or a subsearch could hold an eval expression.
            MacroPosition::Search if !body.contains(['|', '[']) => return,
            MacroPosition::Search => body.to_owned(),
        };
        let parse = qlint_grammar::spl::parse(&text);
        let mut inner = Analyzer::new(&text, self.knowledge, false);
        inner.case_folded = self.case_folded.clone();
        // The body continues the caller's pipeline: it sees the folding in force at the call.
        inner.pipeline(&parse.tree, false);
        if position == MacroPosition::Command {
            self.case_folded = std::mem::take(&mut inner.case_folded);
        }
        let analysis = inner.out;
        self.out.macro_bodies.push(MacroBody {
            name: call.name.clone(),
            call_span: call.span,
            text,
            analysis,
        });
    }

    /// True when `body` starts with an SPL command name (`where`, `eval`, `lookup`), not a
    /// search term such as `index=x` or a field called like a command.
    fn starts_with_command(&self, body: &str) -> bool {
        let word: String =
            body.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        let after = body[word.len()..].trim_start();
        !word.is_empty()
            && !after.starts_with(['=', '!', '<', '>'])
            && self.knowledge.spl_command(&word).is_some()
    }

    /// True when the macros of a `tstats` may set `summariesonly` (unknown or expanding to it).
    fn macros_may_set_summariesonly(&self, macros: &[MacroCall]) -> bool {
        macros.iter().any(|m| match self.knowledge.macro_def(&m.name, m.args.len()) {
            None => true,
            Some(def) => {
                let expansion = expand_macros(&def.definition, self.knowledge);
                !expansion.unresolved.is_empty()
                    || expansion.text.to_ascii_lowercase().contains("summariesonly")
            }
        })
    }

    fn tstats(&mut self, command: &Command, t: &TstatsCommand) {
        for m in &t.macros {
            self.macro_call(m);
        }
        for agg in &t.aggregations {
            agg.args.iter().for_each(|a| self.expr(a));
        }
        let datamodel = t.datamodel.as_ref();
        if datamodel.is_some()
            && t.option("summariesonly").is_none()
            && !self.macros_may_set_summariesonly(&t.macros)
        {
            self.out.tstats_without_summariesonly.push(TstatsUse { name_span: command.name.span });
        }
        let condition = t.where_clause.as_ref().map(|clause| self.lower_search(clause));
        if let Some(condition) = condition {
            self.out.logic.filters.push(Filter { origin: FilterOrigin::SplTstatsWhere, condition });
        }
        let Some(datamodel) = datamodel else { return };
        let Some(model_name) = self.check_datamodel(datamodel) else { return };
        // Field references: where clause, by clause, aggregation arguments.
        let mut fields: Vec<(String, Span)> = Vec::new();
        if let Some(clause) = &t.where_clause {
            collect_search_fields(clause, &mut fields);
        }
        for name in &t.by {
            fields.push((name.text.clone(), name.span));
        }
        for agg in &t.aggregations {
            for arg in &agg.args {
                collect_expr_fields(arg, &mut fields);
            }
        }
        for (name, span) in fields {
            self.check_dm_field(&model_name, &name, span);
        }
    }

    /// Checks `Model.Dataset`; returns the model name when the model exists.
    fn check_datamodel(&mut self, value: &Value) -> Option<String> {
        let path = value.text.trim();
        if path.is_empty() || path.contains('*') || path.contains('$') || path.contains('`') {
            return None;
        }
        let (model, dataset) = match path.split_once('.') {
            Some((m, d)) => (m, Some(d)),
            None => (path, None),
        };
        let Some(dm) = self.knowledge.datamodel(model) else {
            if ENTERPRISE_SECURITY_DATAMODELS.contains(&model) {
                // Real, but qlint does not hold its datasets: nothing to check.
                return None;
            }
            let suggestion = self.knowledge.suggest_datamodel(model).map(str::to_owned);
            self.out.unknown_datamodels.push(Unresolved {
                name: model.to_owned(),
                span: value.span,
                suggestion,
                scope: None,
            });
            return None;
        };
        if let Some(dataset) = dataset
            && dm.dataset(dataset).is_none()
        {
            let names: Vec<&str> =
                dm.datasets.iter().flat_map(|d| [d.name.as_str(), d.lineage.as_str()]).collect();
            let suggestion = suggest(dataset, names.iter().copied()).map(str::to_owned);
            self.out.unknown_datamodels.push(Unresolved {
                name: dataset.to_owned(),
                span: value.span,
                suggestion,
                scope: Some(dm.name.clone()),
            });
            return None;
        }
        Some(dm.name.clone())
    }

    fn check_dm_field(&mut self, model_name: &str, name: &str, span: Span) {
        if name.contains('*') || name.contains('$') || name.contains('`') || name.contains('{') {
            return;
        }
        let Some((prefix, field)) = name.rsplit_once('.') else { return };
        let Some(dm) = self.knowledge.datamodel(model_name) else { return };
        // `Model.Dataset.field` or `Dataset.field` (a dataset name or lineage of the model).
        let prefix = prefix.strip_prefix(&format!("{}.", dm.name)).unwrap_or(prefix);
        let Some(dataset) = dm.dataset(prefix) else { return };
        if dataset.field(field).is_some() || BASE_FIELDS.contains(&field) {
            return;
        }
        let suggestion = suggest(field, dataset.field_names()).map(|s| format!("{prefix}.{s}"));
        self.out.unknown_datamodel_fields.push(Unresolved {
            name: name.to_owned(),
            span,
            suggestion,
            scope: Some(format!("{}.{}", dm.name, dataset.lineage)),
        });
    }

    /// Walks an eval expression: regexes and macros.
    fn expr(&mut self, expr: &Expr) {
        match expr {
            Expr::Call { name, args, .. } => {
                let lower = name.text.to_ascii_lowercase();
                let index = match lower.as_str() {
                    "match" | "replace" | "mvfind" => Some(1),
                    _ => None,
                };
                if let Some(Expr::String(value)) = index.and_then(|i| args.get(i)) {
                    self.out.regexes.push(RegexUse {
                        pattern: value.text.clone(),
                        span: value.span,
                        user: format!("{lower}()"),
                    });
                }
                args.iter().for_each(|a| self.expr(a));
            }
            Expr::Unary { operand, .. } => self.expr(operand),
            Expr::Binary { lhs, rhs, .. } => {
                self.expr(lhs);
                self.expr(rhs);
            }
            Expr::In { lhs, list, .. } => {
                self.expr(lhs);
                list.iter().for_each(|a| self.expr(a));
            }
            Expr::Paren { inner, .. } => self.expr(inner),
            Expr::Macro(m) => {
                let body = self.macro_call(m);
                self.see_through(m, body, MacroPosition::Expr);
            }
            Expr::Field(_) | Expr::String(_) | Expr::Number(_) | Expr::Error(_) => {}
        }
    }

    // ---- the condition model --------------------------------------------------------------

    fn lower_search(&mut self, clause: &SearchExpr) -> Condition {
        match clause {
            SearchExpr::Term(term) => Condition::Compare(Comparison {
                field: None,
                op: implicit_op(OpKind::Term, false),
                values: vec![Literal {
                    value: term.text.clone(),
                    kind: LiteralKind::String,
                    span: term.span,
                }],
                values_complete: true,
                span: term.span,
            }),
            SearchExpr::Compare(c) => {
                if c.is_time_modifier() {
                    return Condition::Opaque(c.span);
                }
                let (kind, negated) = match c.op {
                    CompareOp::Eq | CompareOp::EqEq => (OpKind::Equal, false),
                    CompareOp::Ne => (OpKind::Equal, true),
                    _ => (OpKind::Order, false),
                };
                Condition::Compare(Comparison {
                    field: Some(Field { name: c.field.text.clone(), span: c.field.span }),
                    op: Operator {
                        kind,
                        negated,
                        case_sensitive: false,
                        wildcards: true,
                        text: c.op.as_str().to_owned(),
                        span: c.op_span,
                    },
                    values: vec![Literal {
                        value: c.value.text.clone(),
                        kind: LiteralKind::String,
                        span: c.value.span,
                    }],
                    values_complete: true,
                    span: c.span,
                })
            }
            SearchExpr::In(list) => Condition::Compare(Comparison {
                field: Some(Field { name: list.field.text.clone(), span: list.field.span }),
                op: implicit_op(OpKind::In, false),
                values: list
                    .values
                    .iter()
                    .map(|v| Literal {
                        value: v.text.clone(),
                        kind: LiteralKind::String,
                        span: v.span,
                    })
                    .collect(),
                values_complete: true,
                span: list.span,
            }),
            SearchExpr::And { operands, span } => {
                Condition::And(operands.iter().map(|o| self.lower_search(o)).collect(), *span)
            }
            SearchExpr::Or { operands, span } => {
                Condition::Or(operands.iter().map(|o| self.lower_search(o)).collect(), *span)
            }
            SearchExpr::Not { operand, span } => {
                Condition::Not(Box::new(self.lower_search(operand)), *span)
            }
            SearchExpr::Group { inner, .. } => self.lower_search(inner),
            SearchExpr::Macro(m) => {
                let body = self.macro_call(m);
                // A macro inside a condition excludes when its definition does; unknown, when
                // its name says so (`sysmon`, `process_net` only pick the data).
                let excludes = match &body {
                    Some(body) => macro_body_excludes(body),
                    None => macro_name_excludes(&m.name),
                };
                self.out.logic.exclusion_elsewhere |= excludes;
                self.see_through(m, body, MacroPosition::Search);
                Condition::Opaque(m.span)
            }
            SearchExpr::Subsearch(sub) => {
                self.search(&sub.search, false);
                Condition::Opaque(sub.span)
            }
            SearchExpr::Function { span, .. } | SearchExpr::Error(span) => Condition::Opaque(*span),
        }
    }

    fn lower_expr(&mut self, expr: &Expr) -> Condition {
        match expr {
            Expr::Paren { inner, .. } => self.lower_expr(inner),
            Expr::Binary { op: op @ (BinaryOp::And | BinaryOp::Or), span, .. } => {
                let mut items = Vec::new();
                self.flatten(expr, *op, &mut items);
                if *op == BinaryOp::And {
                    Condition::And(items, *span)
                } else {
                    Condition::Or(items, *span)
                }
            }
            Expr::Unary { op: UnaryOp::Not, operand, span, .. } => {
                Condition::Not(Box::new(self.lower_expr(operand)), *span)
            }
            Expr::Binary { op, op_span, lhs, rhs, span } => {
                let (kind, negated) = match op {
                    BinaryOp::Eq => (OpKind::Equal, false),
                    BinaryOp::Ne => (OpKind::Equal, true),
                    BinaryOp::Like => (OpKind::Like, false),
                    BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                        (OpKind::Order, false)
                    }
                    _ => return Condition::Opaque(*span),
                };
                if kind != OpKind::Order {
                    for (subject, other) in [(lhs, rhs), (rhs, lhs)] {
                        self.check_fold(subject, std::slice::from_ref(other.as_ref()));
                    }
                    let comparison = match kind {
                        OpKind::Like => AsteriskComparison::Like,
                        _ => AsteriskComparison::Equal { negated },
                    };
                    if matches!(lhs.as_ref(), Expr::String(_)) && kind != OpKind::Like {
                        self.check_asterisks(
                            rhs,
                            std::slice::from_ref(lhs.as_ref()),
                            comparison,
                            *span,
                        );
                    } else {
                        self.check_asterisks(
                            lhs,
                            std::slice::from_ref(rhs.as_ref()),
                            comparison,
                            *span,
                        );
                    }
                }
                let (field, value) = match (lhs.as_ref(), rhs.as_ref()) {
                    (Expr::Field(f), other) | (other, Expr::Field(f))
                        if eval_literal(other).is_some() =>
                    {
                        (Some(Field { name: f.text.clone(), span: f.span }), eval_literal(other))
                    }
                    _ => (None, None),
                };
                let case_sensitive = !self.is_case_folded(field.as_ref());
                Condition::Compare(Comparison {
                    field,
                    op: Operator {
                        kind,
                        negated,
                        case_sensitive,
                        wildcards: false,
                        text: op_span.text(self.text).to_owned(),
                        span: *op_span,
                    },
                    values_complete: value.is_some(),
                    values: value.into_iter().collect(),
                    span: *span,
                })
            }
            Expr::In { lhs, list, span } => {
                self.check_fold(lhs, list);
                self.check_asterisks(lhs, list, AsteriskComparison::In, *span);
                let values: Vec<Literal> = list.iter().filter_map(eval_literal).collect();
                let field = match lhs.as_ref() {
                    Expr::Field(f) => Some(Field { name: f.text.clone(), span: f.span }),
                    _ => None,
                };
                let case_sensitive = !self.is_case_folded(field.as_ref());
                Condition::Compare(Comparison {
                    field,
                    op: Operator {
                        case_sensitive,
                        wildcards: false,
                        ..implicit_op(OpKind::In, false)
                    },
                    values_complete: values.len() == list.len(),
                    values,
                    span: *span,
                })
            }
            Expr::Call { name, args, span } => self.lower_call(name, args, *span),
            other => Condition::Opaque(other.span()),
        }
    }

    /// `like(x, "p")`, `match(x, "re")`, `mvfind(x, "re")` (under `isnotnull()` / `isnull()`
    /// too) and `in(x, "a", ...)` as comparisons; any other call is opaque (`searchmatch()`
    /// uses search semantics, `isnull(x)` tests no value).
    fn lower_call(&mut self, name: &Name, args: &[Expr], span: Span) -> Condition {
        let function = name.text.to_ascii_lowercase();
        // `isnotnull(mvfind(x, "re"))`: some value of `x` matches; `isnull(...)`: none does.
        if let ("isnotnull" | "isnull", [Expr::Call { name: inner, args, span: inner_span }]) =
            (function.as_str(), args)
            && inner.text.eq_ignore_ascii_case("mvfind")
        {
            let found = self.lower_call(inner, args, *inner_span);
            return if function == "isnull" {
                Condition::Not(Box::new(found), span)
            } else {
                found
            };
        }
        let kind = match function.as_str() {
            "like" => OpKind::Like,
            "match" | "mvfind" => OpKind::Regex,
            "in" => OpKind::In,
            _ => return Condition::Opaque(span),
        };
        let Some((subject, rest)) = args.split_first() else { return Condition::Opaque(span) };
        if rest.is_empty() || (kind != OpKind::In && rest.len() != 1) {
            return Condition::Opaque(span);
        }
        if kind != OpKind::Regex {
            self.check_fold(subject, rest);
            let comparison = if kind == OpKind::Like {
                AsteriskComparison::Like
            } else {
                AsteriskComparison::In
            };
            self.check_asterisks(subject, rest, comparison, span);
        }
        let field = match subject {
            Expr::Field(f) => Some(Field { name: f.text.clone(), span: f.span }),
            _ => None,
        };
        let values: Vec<Literal> = rest.iter().filter_map(eval_literal).collect();
        let ignores_case =
            kind == OpKind::Regex && values.iter().any(|v| regex_ignores_case(&v.value));
        let case_sensitive = !ignores_case && !self.is_case_folded(field.as_ref());
        Condition::Compare(Comparison {
            field,
            op: Operator {
                kind,
                negated: false,
                case_sensitive,
                wildcards: false,
                text: name.text.clone(),
                span: name.span,
            },
            values_complete: values.len() == rest.len(),
            values,
            span,
        })
    }

    /// `| regex field!="re"` as a regex comparison (`_raw` when no field is named).
    fn lower_regex_command(
        &self,
        command: &Command,
        regex: &RegexCommand,
        value: &Value,
    ) -> Condition {
        let field = regex.field.as_ref().map(|f| Field { name: f.text.clone(), span: f.span });
        let case_sensitive =
            !regex_ignores_case(&value.text) && !self.is_case_folded(field.as_ref());
        Condition::Compare(Comparison {
            field,
            op: Operator {
                kind: OpKind::Regex,
                negated: regex.negated,
                case_sensitive,
                wildcards: false,
                text: command.name.text.clone(),
                span: command.name.span,
            },
            values: vec![Literal {
                value: value.text.clone(),
                kind: LiteralKind::String,
                span: value.span,
            }],
            values_complete: true,
            span: Span { start: command.name.span.start, end: value.span.end },
        })
    }

    fn is_case_folded(&self, field: Option<&Field>) -> bool {
        field.is_some_and(|f| self.case_folded.iter().any(|(name, _)| *name == f.name))
    }

    /// The fold of `lower(x)` / `upper(x)` or of a field an earlier `eval` folded.
    fn fold_of(&self, expr: &Expr) -> Option<CaseFold> {
        match expr {
            Expr::Paren { inner, .. } => self.fold_of(inner),
            Expr::Call { name, args, .. } if args.len() == 1 => case_fold(name),
            Expr::Field(f) => {
                self.case_folded.iter().find(|(name, _)| *name == f.text).map(|(_, fold)| *fold)
            }
            _ => None,
        }
    }

    /// Records the literals of `candidates` that a folded `subject` can never match.
    fn check_fold(&mut self, subject: &Expr, candidates: &[Expr]) {
        let Some(fold) = self.fold_of(subject) else { return };
        for candidate in candidates {
            if let Some(literal) = eval_literal(candidate)
                && literal.kind == LiteralKind::String
                && fold.excludes(&literal.value)
            {
                self.out.fold_mismatches.push(FoldMismatch {
                    subject: subject.span().text(self.text).to_owned(),
                    fold,
                    literal,
                });
            }
        }
    }

    /// Records the string literals of `candidates` that hold `*`, compared with `subject` in
    /// an eval expression (`where`, `eval`, stats `eval()`), where `*` matches only itself. A
    /// `like` pattern that also uses `%` shows that its author knows the syntax: its `*` is
    /// taken as meant.
    fn check_asterisks(
        &mut self,
        subject: &Expr,
        candidates: &[Expr],
        comparison: AsteriskComparison,
        span: Span,
    ) {
        if matches!(subject, Expr::String(_) | Expr::Number(_) | Expr::Error(_)) {
            return;
        }
        for candidate in candidates {
            let Expr::String(value) = candidate else { continue };
            if !value.text.contains('*')
                || (comparison == AsteriskComparison::Like && value.text.contains('%'))
            {
                continue;
            }
            self.out.literal_asterisks.push(LiteralAsterisk {
                literal: Literal {
                    value: value.text.clone(),
                    kind: LiteralKind::String,
                    span: value.span,
                },
                subject: subject.span(),
                comparison,
                span,
            });
        }
    }

    /// Records the conditions inside an eval expression (`if(cond, ...)`, `case(cond, ...)`,
    /// `eval ok=x="a"`, `count(eval(...))`) in [`SplAnalysis::eval_conditions`].
    fn collect_eval_conditions(&mut self, expr: &Expr) {
        if is_condition(expr) {
            let condition = self.lower_expr(expr);
            self.out.eval_conditions.push(condition);
            return;
        }
        match expr {
            Expr::Call { args, .. } => args.iter().for_each(|a| self.collect_eval_conditions(a)),
            Expr::Binary { lhs, rhs, .. } => {
                self.collect_eval_conditions(lhs);
                self.collect_eval_conditions(rhs);
            }
            Expr::Unary { operand, .. } => self.collect_eval_conditions(operand),
            Expr::Paren { inner, .. } => self.collect_eval_conditions(inner),
            _ => {}
        }
    }

    /// `eval f=lower(...)` makes `f` case-folded; any other assignment to `f` undoes it.
    fn note_assignment(&mut self, assignment: &Assignment) {
        let name = &assignment.field.text;
        self.case_folded.retain(|(f, _)| f != name);
        if let Some(fold) = top_case_fold(&assignment.expr) {
            self.case_folded.push((name.clone(), fold));
        }
    }

    fn flatten(&mut self, expr: &Expr, op: BinaryOp, items: &mut Vec<Condition>) {
        match expr {
            Expr::Binary { op: inner, lhs, rhs, .. } if *inner == op => {
                self.flatten(lhs, op, items);
                self.flatten(rhs, op, items);
            }
            other => items.push(self.lower_expr(other)),
        }
    }
}

/// A boolean-valued eval expression that the condition model can lower.
fn is_condition(expr: &Expr) -> bool {
    match expr {
        Expr::Binary { op, .. } => matches!(
            op,
            BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Like | BinaryOp::And | BinaryOp::Or
        ),
        Expr::Unary { op: UnaryOp::Not, .. } | Expr::In { .. } => true,
        Expr::Call { name, args, .. } => {
            ["like", "match", "in", "mvfind"].iter().any(|f| name.text.eq_ignore_ascii_case(f))
                || (["isnull", "isnotnull"].iter().any(|f| name.text.eq_ignore_ascii_case(f))
                    && matches!(args.as_slice(), [Expr::Call { name, .. }]
                        if name.text.eq_ignore_ascii_case("mvfind")))
        }
        Expr::Paren { inner, .. } => is_condition(inner),
        _ => false,
    }
}

/// The fold of `lower(x)` / `upper(x)`, possibly in parentheses.
fn top_case_fold(expr: &Expr) -> Option<CaseFold> {
    match expr {
        Expr::Paren { inner, .. } => top_case_fold(inner),
        Expr::Call { name, .. } => case_fold(name),
        _ => None,
    }
}

/// `lower` / `upper` as a fold.
fn case_fold(function: &Name) -> Option<CaseFold> {
    if function.text.eq_ignore_ascii_case("lower") {
        Some(CaseFold::Lower)
    } else if function.text.eq_ignore_ascii_case("upper") {
        Some(CaseFold::Upper)
    } else {
        None
    }
}

/// True when a regex turns on case-insensitive matching with an inline flag group (`(?i)`,
/// `(?si)`, `(?i:...)`) anywhere: the author thought about case.
pub fn regex_ignores_case(pattern: &str) -> bool {
    let mut rest = pattern;
    while let Some(at) = rest.find("(?") {
        let flags: String =
            rest[at + 2..].chars().take_while(|c| c.is_ascii_alphabetic() || *c == '-').collect();
        let on = flags.split('-').next().unwrap_or("");
        if on.contains('i') {
            return true;
        }
        rest = &rest[at + 2..];
    }
    false
}

/// The characters of a regex that must appear literally: escapes (`\S`, `\x41`, `\.`) and
/// group names (`(?<Name>`, `(?P<Name>`) dropped, for deciding whether case matters.
pub fn regex_literal_chars(pattern: &str) -> String {
    let mut out = String::new();
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let escaped = chars.next();
                // `\.` and `\\` stand for the character itself.
                if let Some(c) = escaped.filter(|c| !c.is_alphanumeric()) {
                    out.push(c);
                }
                // `\p{Lu}`, `\x{41}`: skip the braced argument too.
                if matches!(escaped, Some('p' | 'P' | 'x')) && chars.peek() == Some(&'{') {
                    for c in chars.by_ref() {
                        if c == '}' {
                            break;
                        }
                    }
                } else if escaped == Some('x') {
                    // `\xAF`: two hex digits.
                    for _ in 0..2 {
                        if chars.peek().is_some_and(char::is_ascii_hexdigit) {
                            chars.next();
                        }
                    }
                }
            }
            '(' if chars.peek() == Some(&'?') => {
                chars.next();
                if chars.peek() == Some(&'P') {
                    chars.next();
                }
                if matches!(chars.peek(), Some('<' | '\'')) {
                    let close = if chars.next() == Some('<') { '>' } else { '\'' };
                    // `(?<=` / `(?<!` are lookbehinds, not names.
                    if !matches!(chars.peek(), Some('=' | '!')) {
                        for c in chars.by_ref() {
                            if c == close {
                                break;
                            }
                        }
                    }
                } else {
                    // Inline flags such as `(?i)` or `(?s:`.
                    while chars.peek().is_some_and(|c| c.is_ascii_alphabetic() || *c == '-') {
                        chars.next();
                    }
                }
            }
            '[' => {
                // A character class lists alternatives (`[0-9a-fA-F]`, `[Pp]`, `[[:upper:]]`):
                // none of its letters has to appear.
                let mut first = true;
                let mut escaped = false;
                while let Some(c) = chars.next() {
                    if escaped {
                        escaped = false;
                    } else if c == '\\' {
                        escaped = true;
                    } else if c == '^' && first {
                        continue;
                    } else if c == '[' && chars.peek() == Some(&':') {
                        for c in chars.by_ref() {
                            if c == ']' {
                                break;
                            }
                        }
                    } else if c == ']' && !first {
                        break;
                    }
                    first = false;
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// A macro definition that excludes something: `NOT`, `!=`, a filter macro, `isnull()`.
fn macro_body_excludes(body: &str) -> bool {
    let lower = body.to_ascii_lowercase();
    ["not ", "not(", "!=", "_filter", "isnull("].iter().any(|w| lower.contains(w))
}

/// A macro name that says it holds exclusions: `..._filter`, `..._exclusions`, `allowlist`.
fn macro_name_excludes(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["filter", "exclu", "allow", "whitelist", "benign", "ignore", "suppress", "tuning"]
        .iter()
        .any(|w| lower.contains(w))
}

fn implicit_op(kind: OpKind, negated: bool) -> Operator {
    Operator {
        kind,
        negated,
        case_sensitive: false,
        wildcards: true,
        text: String::new(),
        span: Span::default(),
    }
}

fn eval_literal(expr: &Expr) -> Option<Literal> {
    match expr {
        Expr::String(v) => {
            Some(Literal { value: v.text.clone(), kind: LiteralKind::String, span: v.span })
        }
        Expr::Number(v) => {
            Some(Literal { value: v.text.clone(), kind: LiteralKind::Other, span: v.span })
        }
        _ => None,
    }
}

/// The pattern of a `rex mode=sed` expression `s/<pattern>/<replacement>/<flags>`.
fn sed_pattern(expr: &str) -> Option<String> {
    let mut chars = expr.trim_start().chars();
    if chars.next() != Some('s') {
        return None;
    }
    let delimiter = chars.next()?;
    let mut pattern = String::new();
    let mut escaped = false;
    for c in chars {
        if escaped {
            if c != delimiter {
                pattern.push('\\');
            }
            pattern.push(c);
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == delimiter {
            return Some(pattern);
        } else {
            pattern.push(c);
        }
    }
    None
}

fn search_has_time_modifier(clause: &SearchExpr) -> bool {
    match clause {
        SearchExpr::Compare(c) => c.is_time_modifier() || c.field.text == "_time",
        SearchExpr::And { operands, .. } | SearchExpr::Or { operands, .. } => {
            operands.iter().any(search_has_time_modifier)
        }
        SearchExpr::Not { operand, .. } => search_has_time_modifier(operand),
        SearchExpr::Group { inner, .. } => search_has_time_modifier(inner),
        _ => false,
    }
}

fn expr_mentions_time(expr: &Expr) -> bool {
    match expr {
        Expr::Field(f) => f.text == "_time",
        Expr::Call { args, .. } => args.iter().any(expr_mentions_time),
        Expr::Unary { operand, .. } => expr_mentions_time(operand),
        Expr::Binary { lhs, rhs, .. } => expr_mentions_time(lhs) || expr_mentions_time(rhs),
        Expr::In { lhs, .. } => expr_mentions_time(lhs),
        Expr::Paren { inner, .. } => expr_mentions_time(inner),
        _ => false,
    }
}

/// The first term of an event search (`index=main`, a macro), for messages.
fn first_term(clause: &SearchExpr) -> Option<Span> {
    match clause {
        SearchExpr::And { operands, .. } => operands.first().and_then(first_term),
        SearchExpr::Compare(c) => {
            let field = c.field.text.to_ascii_lowercase();
            matches!(field.as_str(), "index" | "sourcetype" | "source" | "eventtype" | "tag")
                .then_some(c.span)
        }
        _ => None,
    }
}

fn collect_search_fields(clause: &SearchExpr, out: &mut Vec<(String, Span)>) {
    match clause {
        SearchExpr::Compare(c) => out.push((c.field.text.clone(), c.field.span)),
        SearchExpr::In(list) => out.push((list.field.text.clone(), list.field.span)),
        SearchExpr::And { operands, .. } | SearchExpr::Or { operands, .. } => {
            operands.iter().for_each(|o| collect_search_fields(o, out))
        }
        SearchExpr::Not { operand, .. } => collect_search_fields(operand, out),
        SearchExpr::Group { inner, .. } => collect_search_fields(inner, out),
        _ => {}
    }
}

fn collect_expr_fields(expr: &Expr, out: &mut Vec<(String, Span)>) {
    match expr {
        Expr::Field(f) => out.push((f.text.clone(), f.span)),
        Expr::Call { args, .. } => args.iter().for_each(|a| collect_expr_fields(a, out)),
        Expr::Unary { operand, .. } => collect_expr_fields(operand, out),
        Expr::Binary { lhs, rhs, .. } => {
            collect_expr_fields(lhs, out);
            collect_expr_fields(rhs, out);
        }
        Expr::Paren { inner, .. } => collect_expr_fields(inner, out),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_macro_calls() {
        assert_eq!(split_macro_call("sysmon"), ("sysmon", vec![]));
        assert_eq!(
            split_macro_call(r#"drop_dm_object_name("Processes")"#),
            ("drop_dm_object_name", vec![r#""Processes""#.to_owned()])
        );
        assert_eq!(split_macro_call(r#"m(a, "b, c", f(x,y))"#).1.len(), 3);
    }

    #[test]
    fn regex_case_flags() {
        assert!(regex_ignores_case("(?i)powershell"));
        assert!(regex_ignores_case("^(?si)a.b"));
        assert!(regex_ignores_case("x(?i:abc)"));
        assert!(!regex_ignores_case("(?-i)abc"));
        assert!(!regex_ignores_case("(?<name>abc)"));
        assert!(!regex_ignores_case("PowerShell"));
    }

    #[test]
    fn regex_literal_characters() {
        assert_eq!(regex_literal_chars(r"^PowerShell\.exe$"), "^PowerShell.exe$");
        assert_eq!(regex_literal_chars(r"^[0-9a-fA-F]{32}$"), "^{32}$");
        assert_eq!(regex_literal_chars(r"[[:upper:]]x"), "x");
        assert_eq!(regex_literal_chars(r"[]A]b"), "b");
        assert_eq!(regex_literal_chars(r"\S+\x41\p{Lu}\D"), "+");
        assert_eq!(regex_literal_chars(r"(?<User>\w+)@(?P<Dom>.+)"), "+)@.+)");
        assert_eq!(regex_literal_chars(r"C:\\Windows"), r"C:\Windows");
        assert_eq!(regex_literal_chars(r"(?<=A)b"), "=A)b");
        // Broken patterns do not panic.
        for broken in ["[", "\\", "(?", "(?<", "[[:", "\\x", "\\p{"] {
            regex_literal_chars(broken);
            regex_ignores_case(broken);
        }
    }

    #[test]
    fn eval_comparisons_cover_where_eval_and_stats() {
        let text = r#"index=a process_name="X.exe" | eval p=lower(process_name), ok=if(Image=="A.exe", 1, 0) | where p="b.exe" AND NOT match(dest, "(?i)h") AND like(path, "C:%") | stats count(eval(user="Bob")) as n"#;
        let analysis = analyze(text, &Knowledge::builtin());
        let found: Vec<(String, bool, bool)> = analysis
            .eval_comparisons()
            .into_iter()
            .map(|(c, positive)| {
                (c.field.as_ref().unwrap().name.clone(), positive, c.op.case_sensitive)
            })
            .collect();
        let expected = [
            // `p` was set to lower(...): case no longer matters; `(?i)` neither.
            ("p", true, false),
            ("dest", false, false),
            ("path", true, true),
            ("Image", true, true),
            ("user", true, true),
        ];
        let expected: Vec<(String, bool, bool)> =
            expected.iter().map(|(f, p, c)| (f.to_string(), *p, *c)).collect();
        assert_eq!(found, expected);
    }

    #[test]
    fn a_later_assignment_undoes_case_folding() {
        let text = r#"index=a | eval p=lower(x) | eval p=x | where p="A""#;
        let analysis = analyze(text, &Knowledge::builtin());
        let found = analysis.eval_comparisons();
        assert_eq!(found.len(), 1);
        assert!(found[0].0.op.case_sensitive);
    }

    #[test]
    fn sed_patterns() {
        assert_eq!(sed_pattern("s/(\\d+)/X/g").as_deref(), Some("(\\d+)"));
        assert_eq!(sed_pattern("s|a\\|b|c|").as_deref(), Some("a|b"));
        assert_eq!(sed_pattern("y/abc/xyz/"), None);
    }
}
