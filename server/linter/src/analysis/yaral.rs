//! The semantic model of a YARA-L file: per rule, which variables are event, placeholder,
//! match and outcome variables and where the condition refers to them, and what a UDM path
//! resolves to in the built-in catalog.

use std::collections::BTreeMap;

use qlint_grammar::Span;
use qlint_grammar::yaral::ast::{
    Expr, FieldPath, Ident, Rule, RuleFile, SectionBody, SectionKind, Segment,
};
use qlint_knowledge::yaral::{UdmType, yaral};

use super::logic::LogicModel;

/// The analysis of a YARA-L file: its tree and, per rule, its variables.
#[derive(Debug, Clone)]
pub struct YaralAnalysis {
    /// The (possibly partial) tree.
    pub tree: RuleFile,
    /// The variables of each rule, in the order of `tree.rules`.
    pub rules: Vec<RuleVars>,
    /// Empty: the detection-logic model is not built for YARA-L yet.
    pub logic: LogicModel,
}

impl YaralAnalysis {
    /// Analyses a parsed file.
    pub fn new(tree: RuleFile) -> Self {
        let rules = tree.rules.iter().map(RuleVars::of).collect();
        Self { tree, rules, logic: LogicModel::default() }
    }

    /// Every rule with its variables.
    pub fn rules(&self) -> impl Iterator<Item = (&Rule, &RuleVars)> {
        self.tree.rules.iter().zip(&self.rules)
    }

    /// Every expression of every rule, with the section it is in, parents first.
    pub fn exprs(&self) -> Vec<(SectionKind, &Expr)> {
        let mut out = Vec::new();
        for rule in &self.tree.rules {
            for (kind, top) in top_level(rule) {
                top.walk(&mut |e| out.push((kind, e)));
            }
        }
        out
    }
}

/// The top-level expressions of a rule's sections (events statements, outcome values, the
/// condition, meta and options values).
pub fn top_level(rule: &Rule) -> Vec<(SectionKind, &Expr)> {
    let mut out = Vec::new();
    for section in &rule.sections {
        match &section.body {
            SectionBody::Events(stmts) => out.extend(stmts.iter().map(|e| (section.kind, e))),
            SectionBody::Outcome(a) | SectionBody::Meta(a) | SectionBody::Options(a) => {
                out.extend(a.iter().map(|a| (section.kind, &a.value)))
            }
            SectionBody::Condition(Some(e)) => out.push((section.kind, e)),
            _ => {}
        }
    }
    out
}

/// The variables of one rule, each at its first occurrence, in source order.
#[derive(Debug, Clone, Default)]
pub struct RuleVars {
    /// `$e` in `$e.principal.hostname` in `events`.
    pub events: Vec<Ident>,
    /// `$host` standing alone in `events` (`$host = $e.principal.hostname`).
    pub placeholders: Vec<Ident>,
    /// The variables of `match`.
    pub matches: Vec<Ident>,
    /// The targets of `outcome`.
    pub outcomes: Vec<Ident>,
    /// `$x` and `#x` in the condition (every occurrence).
    pub condition_refs: Vec<Ident>,
    /// (event variable, placeholder) pairs that appear in the same `events` statement: the
    /// placeholder takes its value from that event (`$e.target.user.userid = $user`).
    pub links: Vec<(String, String)>,
    /// Whether the rule has a `match` section.
    pub has_match: bool,
    /// Whether the rule has a parsed condition.
    pub has_condition: bool,
}

impl RuleVars {
    fn of(rule: &Rule) -> Self {
        let mut vars = RuleVars::default();
        let mut events = BTreeMap::new();
        let mut placeholders = BTreeMap::new();
        for section in &rule.sections {
            match &section.body {
                SectionBody::Events(stmts) => {
                    for stmt in stmts {
                        let (mut evs, mut phs) = (Vec::new(), Vec::new());
                        stmt.walk(&mut |e| match e {
                            Expr::Field(path) => {
                                first(&mut events, &path.var);
                                evs.push(path.var.text.clone());
                            }
                            Expr::Variable(v) => {
                                first(&mut placeholders, v);
                                phs.push(v.text.clone());
                            }
                            _ => {}
                        });
                        for ev in &evs {
                            vars.links.extend(phs.iter().map(|p| (ev.clone(), p.clone())));
                        }
                    }
                }
                SectionBody::Match(clause) => {
                    vars.has_match = true;
                    if let Some(c) = clause {
                        vars.matches.extend(c.vars.iter().cloned());
                    }
                }
                SectionBody::Outcome(assignments) => {
                    vars.outcomes.extend(assignments.iter().map(|a| a.target.clone()));
                }
                SectionBody::Condition(Some(cond)) => {
                    vars.has_condition = true;
                    cond.walk(&mut |e| {
                        if let Expr::Variable(v) | Expr::Count(v) = e {
                            vars.condition_refs.push(v.clone());
                        }
                    });
                }
                _ => {}
            }
        }
        vars.events = in_order(events);
        vars.placeholders = in_order(placeholders);
        vars
    }

    /// True when `name` is defined anywhere in the rule (events, match or outcome).
    pub fn defines(&self, name: &str) -> bool {
        [&self.events, &self.placeholders, &self.matches, &self.outcomes]
            .iter()
            .any(|list| list.iter().any(|v| v.text == name))
    }

    /// True when the condition refers to `name` (as `$name` or `#name`).
    pub fn condition_uses(&self, name: &str) -> bool {
        self.condition_refs.iter().any(|v| v.text == name)
    }

    /// True when the condition refers to the event variable `name` directly or through a
    /// placeholder that takes its value from it (`#user` for `$e.target.user.userid = $user`).
    pub fn condition_reaches(&self, name: &str) -> bool {
        self.condition_uses(name)
            || self.links.iter().any(|(ev, p)| ev == name && self.condition_uses(p))
    }
}

fn first(map: &mut BTreeMap<String, Ident>, ident: &Ident) {
    map.entry(ident.text.clone()).or_insert_with(|| ident.clone());
}

fn in_order(map: BTreeMap<String, Ident>) -> Vec<Ident> {
    let mut list: Vec<Ident> = map.into_values().collect();
    list.sort_by_key(|v| v.span.start);
    list
}

/// What a UDM path resolves to.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldCheck<'a> {
    /// A known field of this type.
    Known(&'static UdmType),
    /// A name the catalog does not have where it has a field list.
    Unknown {
        /// The offending segment.
        name: &'a Ident,
        /// Where it was looked up: `noun`, `process`, or the scalar it follows.
        parent: String,
        /// The closest field of `parent`.
        suggestion: Option<&'static str>,
    },
    /// Not checked: a map, the entity graph outside `graph.entity`, a message we do not
    /// describe.
    Unchecked,
}

/// Resolves a path such as `$e.principal.process.file.full_path` against the UDM catalog.
pub fn resolve_field(path: &FieldPath) -> FieldCheck<'_> {
    let catalog = yaral();
    let Some(mut message) = catalog.event() else { return FieldCheck::Unchecked };
    let mut current: Option<&'static UdmType> = None;
    let mut names = path.segments.iter().filter_map(|s| match s {
        Segment::Field(i) => Some(i),
        Segment::Index { .. } => None,
    });
    // Entity graph variables: `$g.graph.entity` is a noun; the rest of `graph` is not
    // described by the catalog.
    if path.segments.first().is_some_and(|s| matches!(s, Segment::Field(i) if i.text == "graph")) {
        names.next();
        match names.next() {
            Some(i) if i.text == "entity" => match catalog.message("noun") {
                Some(noun) => message = noun,
                None => return FieldCheck::Unchecked,
            },
            _ => return FieldCheck::Unchecked,
        }
    }
    for name in names {
        if let Some(ty) = current {
            match ty {
                UdmType::Message(m) => match catalog.message(m) {
                    Some(next) => message = next,
                    None => return FieldCheck::Unchecked,
                },
                UdmType::Any => return FieldCheck::Unchecked,
                scalar => {
                    return FieldCheck::Unknown {
                        name,
                        parent: scalar.describe(),
                        suggestion: None,
                    };
                }
            }
        }
        match message.field(&name.text) {
            Some(ty) => current = Some(ty),
            None => {
                return FieldCheck::Unknown {
                    name,
                    parent: message.name.clone(),
                    suggestion: message.suggest(&name.text),
                };
            }
        }
    }
    current.map_or(FieldCheck::Unchecked, FieldCheck::Known)
}

/// The literal compared with a field in `field = "x"` / `"x" != field`: the path, the
/// literal's decoded text and span.
pub fn field_and_string<'a>(
    lhs: &'a Expr,
    rhs: &'a Expr,
) -> Option<(&'a FieldPath, &'a str, Span)> {
    match (lhs, rhs) {
        (Expr::Field(p), Expr::String(l)) | (Expr::String(l), Expr::Field(p)) => {
            Some((p, l.value.as_str(), l.span))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use qlint_grammar::yaral::parse;

    use super::*;

    fn first_path(text: &str) -> FieldPath {
        let tree = parse(text).tree;
        let mut found = None;
        for (_, e) in YaralAnalysis::new(tree).exprs() {
            if let (None, Expr::Field(p)) = (&found, e) {
                found = Some(p.clone());
            }
        }
        found.expect("a field path")
    }

    fn wrap(stmt: &str) -> String {
        format!("rule r {{\n events:\n  {stmt}\n condition:\n  $e\n}}\n")
    }

    #[test]
    fn paths_resolve_through_nouns_and_sub_messages() {
        let p = first_path(&wrap("$e.principal.process.file.full_path = \"a\""));
        assert_eq!(resolve_field(&p), FieldCheck::Known(&UdmType::String));
        let p = first_path(&wrap("$e.metadata.event_timestamp.seconds > 1"));
        assert_eq!(resolve_field(&p), FieldCheck::Known(&UdmType::Int));
        let p = first_path(&wrap("$e.additional.fields[\"k\"] = \"a\""));
        assert_eq!(resolve_field(&p), FieldCheck::Unchecked);
        let p = first_path(&wrap("$g.graph.entity.hostname = \"a\""));
        assert_eq!(resolve_field(&p), FieldCheck::Known(&UdmType::String));
        let p = first_path(&wrap("$g.graph.metadata.entity_type = \"a\""));
        assert_eq!(resolve_field(&p), FieldCheck::Unchecked);
    }

    #[test]
    fn unknown_segments_come_with_the_closest_field() {
        let p = first_path(&wrap("$e.principal.hostnme = \"a\""));
        let FieldCheck::Unknown { name, parent, suggestion } = resolve_field(&p) else {
            panic!("unknown")
        };
        assert_eq!(
            (name.text.as_str(), parent.as_str(), suggestion),
            ("hostnme", "noun", Some("hostname"))
        );
        let p = first_path(&wrap("$e.principal.hostname.x = \"a\""));
        assert!(
            matches!(resolve_field(&p), FieldCheck::Unknown { parent, .. } if parent == "string")
        );
    }

    #[test]
    fn variables_are_classified_per_rule() {
        let text = "rule r {\n events:\n  $e.principal.hostname = $host\n  $f.target.ip = \"1\"\n \
                    match:\n  $host over 5m\n outcome:\n  $n = count($e.metadata.id)\n \
                    condition:\n  $e and #f > 1 and $n > 2\n}\n";
        let a = YaralAnalysis::new(parse(text).tree);
        let vars = &a.rules[0];
        let names = |l: &[Ident]| l.iter().map(|v| v.text.clone()).collect::<Vec<_>>();
        assert_eq!(names(&vars.events), ["e", "f"]);
        assert_eq!(names(&vars.placeholders), ["host"]);
        assert_eq!(names(&vars.matches), ["host"]);
        assert_eq!(names(&vars.outcomes), ["n"]);
        assert_eq!(names(&vars.condition_refs), ["e", "f", "n"]);
    }
}
