//! Rule fixtures with inline expectations, rust-analyzer style.
//!
//! Each file in `tests/fixtures/rules/` holds queries separated by a line `// ----`. Under a
//! query line, a line of carets marks the span of an expected diagnostic, then its code and
//! (optionally) a fragment of its message:
//!
//! ```text
//! DeviceEvents | where FileName != "shutdown.exe"
//! //                            ^^ KQL401 case-sensitive
//! ```
//!
//! In YAML fixtures (`.yml`, Sigma rules) caret lines are `#` comments and queries are
//! separated by `# ----`; a caret line starting `#^` counts the `#` as the first caret, so
//! that a key in column 0 can be marked.
//!
//! Caret lines are removed before linting. Every expectation must be met, and every
//! diagnostic of the codes a file is about must be expected: a query without carets must
//! produce none of them. A file is about the rule its name starts with (`kql401_...`), the
//! codes its caret lines name anywhere in the file, and the syntax errors (`KQL001`,
//! `SPL001`). As in ruff, other rules are left to their own files, so that a new rule does
//! not turn every other rule's fixtures red (a KQL401 fixture may well lack an exclusion
//! that KQL403 would ask for).
//! Rules outside the default set are only held to this in their own file (`kql111_*.kql`
//! for KQL111).
//!
//! A second test lints the *Example* and *Use instead* blocks of every rule's docs: the
//! example must fire the rule, the alternative must not.

use std::path::Path;

use qlint_knowledge::Knowledge;
use qlint_linter::{Language, lint_query};

#[derive(Debug, PartialEq, Eq)]
struct Expected {
    start: usize,
    end: usize,
    code: String,
    fragment: String,
}

/// Splits a fixture query into the text to lint and its expectations.
fn parse_fixture(raw: &str) -> (String, Vec<Expected>) {
    let mut text = String::new();
    let mut expected = Vec::new();
    let mut last_line_start: Option<usize> = None;
    for line in raw.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let body = trimmed.strip_prefix("//").or_else(|| trimmed.strip_prefix('#'));
        let is_caret = body.is_some_and(|b| b.trim_start().starts_with('^'));
        if is_caret && let Some(start_of_line) = last_line_start {
            let mut caret_col = line.find('^').unwrap_or(0);
            let carets = line[caret_col..].chars().take_while(|&c| c == '^').count();
            let rest = line[caret_col + carets..].trim();
            // YAML fixtures: `#^^^` with the `#` in column 0 marks from column 0, so that
            // top-level keys can be marked too (the `#` stands for the first caret).
            let (caret_col, carets) = if line.starts_with("#^") {
                caret_col = 0;
                (caret_col, carets + 1)
            } else {
                (caret_col, carets)
            };
            let (code, fragment) = rest.split_once(' ').unwrap_or((rest, ""));
            expected.push(Expected {
                start: start_of_line + caret_col,
                end: start_of_line + caret_col + carets,
                code: code.to_owned(),
                fragment: fragment.trim().to_owned(),
            });
            continue;
        }
        last_line_start = Some(text.len());
        text.push_str(line);
    }
    (text, expected)
}

fn language_of(path: &Path) -> Language {
    match path.extension().and_then(|e| e.to_str()) {
        Some("spl") => Language::Spl,
        Some("yaral") => Language::Yaral,
        Some("yml") => Language::Sigma,
        _ => Language::Kql,
    }
}

/// The codes a fixture file is about: its rule (from the file name), every code its caret
/// lines name, and the syntax errors.
fn codes_checked(path: &Path, content: &str) -> Vec<String> {
    let stem = path.file_stem().unwrap().to_string_lossy();
    let own = stem.split('_').next().unwrap_or("").to_ascii_uppercase();
    let mut codes = vec![
        own,
        "KQL001".to_owned(),
        "SPL001".to_owned(),
        "SIG001".to_owned(),
        "YL001".to_owned(),
    ];
    let (_, expected) = parse_fixture(content);
    codes.extend(expected.into_iter().map(|e| e.code));
    codes.sort();
    codes.dedup();
    codes
}

#[test]
fn fixtures() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/rules");
    let knowledge = Knowledge::builtin();
    let mut files: Vec<_> =
        std::fs::read_dir(&dir).expect("fixture folder").map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(!files.is_empty());
    let mut failures = Vec::new();
    let mut cases = 0;
    for file in files {
        let content = std::fs::read_to_string(&file).unwrap();
        let checked = codes_checked(&file, &content);
        let separator =
            if language_of(&file) == Language::Sigma { "# ----\n" } else { "// ----\n" };
        for (i, raw) in content.split(separator).enumerate() {
            if raw.trim().is_empty() {
                continue;
            }
            cases += 1;
            let (text, expected) = parse_fixture(raw);
            let found = lint_query(language_of(&file), &text, &knowledge);
            let name = format!("{}#{}", file.file_name().unwrap().to_string_lossy(), i + 1);
            for e in &expected {
                let hit = found.iter().any(|d| {
                    d.code == e.code
                        && d.span.start as usize == e.start
                        && d.span.end as usize == e.end
                        && d.message.contains(&e.fragment)
                });
                if !hit {
                    failures.push(format!(
                        "{name}: expected {e:?} in {:?}\n{text}",
                        &text.get(e.start..e.end)
                    ));
                }
            }
            let file_name = file.file_name().unwrap().to_string_lossy().to_string();
            for d in found.iter().filter(|d| checked.iter().any(|c| c == d.code)) {
                // A rule outside the default set is only checked in its own fixture file.
                let default_off =
                    qlint_linter::rules::find(d.code).is_some_and(|r| !r.default_enabled);
                if default_off && !file_name.starts_with(&d.code.to_ascii_lowercase()) {
                    continue;
                }
                let wanted = expected.iter().any(|e| {
                    d.code == e.code
                        && d.span.start as usize == e.start
                        && d.span.end as usize == e.end
                });
                if !wanted {
                    failures.push(format!(
                        "{name}: unexpected {} at {:?} ({:?}): {}\n{text}",
                        d.code,
                        d.span,
                        d.span.text(&text),
                        d.message
                    ));
                }
            }
        }
    }
    println!("{cases} fixture cases");
    assert!(
        failures.is_empty(),
        "{} fixture failures:\n{}",
        failures.len(),
        failures.join("\n---\n")
    );
}

/// The fenced block after a `## Section` heading of a rule's docs.
fn section_block<'a>(docs: &'a str, heading: &str) -> Option<&'a str> {
    let after = &docs[docs.find(heading)? + heading.len()..];
    let end_of_section = after.find("\n## ").unwrap_or(after.len());
    let section = &after[..end_of_section];
    let open = section.find("```")?;
    let body = &section[open..];
    let body = &body[body.find('\n')? + 1..];
    Some(&body[..body.find("```")?])
}

/// Rules that only fire with the facts of a rule file (tested in their own files).
const NEEDS_CONTAINER: &[&str] =
    &["KQL115", "KQL116", "KQL415", "KQL416", "KQL418", "SPL114", "SPL115"];

#[test]
fn docs_examples_fire_and_alternatives_do_not() {
    let knowledge = Knowledge::builtin();
    let mut failures = Vec::new();
    for rule in qlint_linter::rules::all() {
        for heading in ["## What it does", "## Why is this bad?", "## Example", "## References"] {
            if !rule.docs.contains(heading) && !rule.code.starts_with("QL") {
                failures.push(format!("{}: docs lack `{heading}`", rule.code));
            }
        }
        let language = if rule.code.starts_with("KQL") {
            Language::Kql
        } else if rule.code.starts_with("SPL") {
            Language::Spl
        } else if rule.code.starts_with("YL") {
            Language::Yaral
        } else if rule.code.starts_with("SIG") {
            Language::Sigma
        } else {
            continue;
        };
        // Rules that need a workspace macro source or the facts of a rule file (its
        // schedule) are covered by their own tests.
        if matches!(rule.code, "SPL102" | "SPL103") || NEEDS_CONTAINER.contains(&rule.code) {
            continue;
        }
        let Some(bad) = section_block(rule.docs, "## Example") else {
            failures.push(format!("{}: no example", rule.code));
            continue;
        };
        let Some(good) = section_block(rule.docs, "## Use instead") else {
            failures.push(format!("{}: no alternative", rule.code));
            continue;
        };
        if !lint_query(language, bad, &knowledge).iter().any(|d| d.code == rule.code) {
            failures.push(format!("{}: the example does not fire:\n{bad}", rule.code));
        }
        let on_good: Vec<_> = lint_query(language, good, &knowledge)
            .into_iter()
            .filter(|d| d.code == rule.code)
            .collect();
        if !on_good.is_empty() {
            failures.push(format!("{}: the alternative fires: {:?}\n{good}", rule.code, on_good));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn registry_codes_match_file_names_and_ranges() {
    for rule in qlint_linter::rules::all() {
        assert!(!rule.summary.is_empty() && !rule.slug.is_empty(), "{}", rule.code);
        let digits = &rule.code[rule.code.len() - 3..];
        let expected = match &digits[..1] {
            "0" => [qlint_linter::Category::Syntax, qlint_linter::Category::Meta]
                .contains(&rule.category),
            "1" => rule.category == qlint_linter::Category::Correctness,
            "2" => rule.category == qlint_linter::Category::Schema,
            "3" => rule.category == qlint_linter::Category::Performance,
            "4" => rule.category == qlint_linter::Category::Detection,
            _ => false,
        };
        assert!(expected, "{} has category {:?}", rule.code, rule.category);
    }
}

/// Macro rules need a macro source: a `macros.conf` in a temporary folder.
#[test]
fn macros_from_a_configured_source() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("macros.conf");
    std::fs::write(
        &conf,
        "[sysmon]\ndefinition = index=windows sourcetype=sysmon\n\n\
         [drop_dm_object_name(1)]\nargs = object\ndefinition = rename $object$.* as *\n\n\
         [wrapper]\ndefinition = `sysmon` `missing_inner`\n\n\
         [summaries]\ndefinition = summariesonly=true\n",
    )
    .unwrap();
    let mut knowledge = Knowledge::builtin();
    knowledge.load_macro_file(&conf).unwrap();
    let codes = |text: &str| -> Vec<(&'static str, String)> {
        lint_query(Language::Spl, text, &knowledge)
            .into_iter()
            .map(|d| (d.code, d.message))
            .collect()
    };
    // Defined, right arity, ESCU filter macro: nothing.
    assert_eq!(
        codes("`sysmon` EventCode=1 | `drop_dm_object_name(Processes)` | `x_filter`"),
        vec![]
    );
    // Misspelt: undefined, with a suggestion.
    let found = codes("`sysmn` EventCode=1");
    assert!(found.iter().any(|(c, m)| *c == "SPL102" && m.contains("`sysmon`")), "{found:?}");
    // Wrong arity.
    let found = codes("`sysmon` | `drop_dm_object_name(Processes, extra)`");
    assert!(found.iter().any(|(c, m)| *c == "SPL103" && m.contains("1")), "{found:?}");
    // A nested macro that is missing is reported at the outer call.
    let found = codes("`wrapper` EventCode=1");
    assert!(found.iter().any(|(c, m)| *c == "SPL102" && m.contains("missing_inner")), "{found:?}");
    // A macro that expands to summariesonly satisfies SPL301; one that does not, does not.
    assert!(
        codes("| tstats `summaries` count from datamodel=Endpoint.Processes by Processes.dest")
            .is_empty()
    );
    let found =
        codes("| tstats `sysmon` count from datamodel=Endpoint.Processes by Processes.dest");
    assert!(found.iter().any(|(c, _)| *c == "SPL301"), "{found:?}");

    // Expansion itself: `$arg$` substitution and nesting.
    let expansion = qlint_linter::analysis::spl::expand_macros(
        "`wrapper` | `drop_dm_object_name(Processes)`",
        &knowledge,
    );
    assert_eq!(
        expansion.text,
        "index=windows sourcetype=sysmon `missing_inner` | rename Processes.* as *"
    );
    assert_eq!(expansion.unresolved, vec!["missing_inner".to_owned()]);
}

/// SPL401 / SPL402 / SPL105 see a `where` or `eval` inside a macro body at the call site:
/// reported on the backquoted call, prefixed with the macro name, without a fix.
#[test]
fn eval_rules_see_through_macros() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("macros.conf");
    std::fs::write(
        &conf,
        "[drop_onedrive]\ndefinition = where process_name!=\"OneDrive.exe\"\n\n\
         [is_proc(1)]\nargs = name\ndefinition = process_name==\"$name$\"\n\n\
         [exe_only]\ndefinition = where process_name=\"*.exe\"\n\n\
         [tag_teams]\ndefinition = eval teams=if(process_name==\"Teams.exe\", 1, 0)\n\n\
         [nested]\ndefinition = `sysmon` | `drop_onedrive`\n\n\
         [sysmon]\ndefinition = index=windows sourcetype=sysmon process_name=\"OneDrive.exe\"\n\n\
         [allow_list]\ndefinition = lookup allow process OUTPUT ok | where ok=\"True\"\n\n\
         [clean]\ndefinition = where lower(process_name)!=\"onedrive.exe\" AND like(process_name, \"%.exe\")\n\n\
         [folded_name]\ndefinition = eval process_name=lower(process_name)\n\n\
         [x_filter]\ndefinition = where process_name!=\"OneDrive.exe\"\n",
    )
    .unwrap();
    let mut knowledge = Knowledge::builtin();
    knowledge.load_macro_file(&conf).unwrap();
    let lint = |text: &str| -> Vec<(&'static str, String, String, bool)> {
        lint_query(Language::Spl, text, &knowledge)
            .into_iter()
            .filter(|d| ["SPL401", "SPL402", "SPL105"].contains(&d.code))
            .map(|d| {
                let at = text[d.span.start as usize..d.span.end as usize].to_owned();
                (d.code, at, d.message, d.fix.is_some())
            })
            .collect()
    };

    // A `where` exclusion in a macro used as a command.
    let found = lint("index=edr earliest=-1d | `drop_onedrive`");
    assert_eq!(found.len(), 1, "{found:?}");
    let (code, at, message, fixed) = &found[0];
    assert_eq!((*code, at.as_str(), *fixed), ("SPL401", "`drop_onedrive`", false));
    assert!(
        message.starts_with("in macro `drop_onedrive`: `!=` compares `process_name`"),
        "{message}"
    );

    // Arguments are substituted; a macro inside an eval expression reads as an expression.
    let found = lint("index=edr | where `is_proc(PowerShell.exe)`");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].0, found[0].1.as_str()), ("SPL402", "`is_proc(PowerShell.exe)`"));
    assert!(found[0].2.contains("`PowerShell.exe`"), "{found:?}");
    assert!(lint("index=edr | where `is_proc(powershell.exe)`").is_empty());

    // `*` in a macro's `where` is literal; an `eval` condition in a macro is read too.
    let found = lint("index=edr | `exe_only` | `tag_teams`");
    let codes: Vec<(&str, &str)> = found.iter().map(|f| (f.0, f.1.as_str())).collect();
    assert_eq!(codes, vec![("SPL105", "`exe_only`"), ("SPL402", "`tag_teams`")], "{found:?}");
    assert!(found.iter().all(|f| f.2.starts_with("in macro `") && !f.3), "{found:?}");

    // Nested macros are expanded; a body starting with a command is a pipeline even among
    // search terms; search terms in a body ignore case.
    let found = lint("`nested` earliest=-1d");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].0, found[0].1.as_str()), ("SPL401", "`nested`"));
    assert!(lint("`sysmon` earliest=-1d | stats count by process_name").is_empty());
    assert!(lint("`allow_list` earliest=-1d").is_empty(), "an enum, not a name");

    // Clean bodies, ESCU filter macros and undefined macros: nothing.
    assert!(lint("index=edr | `clean` | `x_filter` | `undefined_one`").is_empty());
    // Folding in force at the call holds in the body, and a body's folding holds after it:
    // the exclusion is no longer case-sensitive, it can never match (SPL402's other half).
    for text in [
        "index=edr | eval process_name=lower(process_name) | `drop_onedrive`",
        "index=edr | `folded_name` | `drop_onedrive`",
    ] {
        let found = lint(text);
        assert_eq!(found.len(), 1, "{text}: {found:?}");
        assert_eq!(found[0].0, "SPL402", "{found:?}");
        assert!(found[0].2.contains("can never match"), "{found:?}");
    }
    let found = lint("index=edr | `drop_onedrive` | `folded_name`");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "SPL401", "{found:?}");

    // A finding in the query itself keeps its span and fix; each call is reported.
    let found = lint(
        "index=edr | where process_name!=\"OneDrive.exe\" | `drop_onedrive` | `drop_onedrive`",
    );
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(found[0].3 && !found[1].3 && !found[2].3, "{found:?}");

    // Linting the macros.conf itself: `nested` calls `drop_onedrive`, whose own definition
    // carries the finding; it is not reported a second time at the call.
    assert!(lint("`sysmon` | `drop_onedrive`").is_empty());
    assert_eq!(lint("where process_name!=\"OneDrive.exe\"").len(), 1);
}

/// Macros that call themselves, or double at each level, are expanded within bounds.
#[test]
fn runaway_macros_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("macros.conf");
    let mut text = String::from("[self]\ndefinition = where process_name!=\"A.exe\" | `self`\n\n");
    for level in 0..30 {
        text.push_str(&format!(
            "[double{level}]\ndefinition = `double{}` `double{}`\n\n",
            level + 1,
            level + 1
        ));
    }
    text.push_str("[double30]\ndefinition = where process_name!=\"Teams.exe\"\n");
    std::fs::write(&conf, text).unwrap();
    let mut knowledge = Knowledge::builtin();
    knowledge.load_macro_file(&conf).unwrap();
    let expansion = qlint_linter::analysis::spl::expand_macros("`double0`", &knowledge);
    assert!(expansion.truncated);
    assert!(expansion.text.len() < 8 * 1024 * 1024, "{}", expansion.text.len());
    let found = lint_query(Language::Spl, "index=edr | `self`", &knowledge);
    assert!(
        found.iter().any(|d| d.code == "SPL401" && d.message.starts_with("in macro `self`")),
        "{found:?}"
    );
    // Too large to analyse: nothing, and no panic.
    let found = lint_query(Language::Spl, "index=edr | `double0`", &knowledge);
    assert!(found.iter().all(|d| d.code != "SPL401"), "{found:?}");
}

/// Without any macro source, unknown macros are not reported.
#[test]
fn no_macro_source_no_undefined_macro() {
    let knowledge = Knowledge::builtin();
    let found = lint_query(Language::Spl, "`sysmn` EventCode=1 | `whatever(a, b)`", &knowledge);
    assert!(found.iter().all(|d| d.code != "SPL102" && d.code != "SPL103"), "{found:?}");
}

/// The analysis API the language server uses.
#[test]
fn columns_and_symbols_at_an_offset() {
    use qlint_linter::analysis::kql::{SymbolKind, columns_at, symbol_at};
    let knowledge = Knowledge::builtin();
    let text = "let Threshold = 5;\nDeviceProcessEvents\n| where Timestamp > ago(1d)\n| summarize Count = count() by DeviceName\n| where Count > Threshold\n| ";
    // After `summarize`: exactly its output columns.
    let cols = columns_at(text, text.len(), &knowledge);
    let names: Vec<&str> = cols.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, vec!["DeviceName", "Count"]);
    assert_eq!(cols[0].origin.as_deref(), Some("DeviceProcessEvents"));
    // Inside the first `where`: the table's columns, with types.
    let at = text.find("Timestamp >").unwrap();
    let cols = columns_at(text, at, &knowledge);
    let ts = cols.iter().find(|c| c.name == "Timestamp").expect("Timestamp in scope");
    assert_eq!(ts.ty, Some(qlint_knowledge::ScalarType::Datetime));
    assert!(cols.iter().any(|c| c.name == "ProcessCommandLine"));
    // Go-to-definition of a `let` name.
    let use_at = text.rfind("Threshold").unwrap() + 2;
    let symbol = symbol_at(text, use_at, &knowledge).expect("symbol");
    assert_eq!(symbol.kind, SymbolKind::Let { definition: qlint_grammar::Span::new(4, 13) });
    // Hover on a table and a column.
    let table = symbol_at(text, text.find("DeviceProcessEvents").unwrap(), &knowledge).unwrap();
    assert_eq!(table.kind, SymbolKind::Table);
    let column = symbol_at(text, text.find("DeviceName").unwrap() + 1, &knowledge).unwrap();
    assert!(
        matches!(column.kind, SymbolKind::Column { ref origin, .. } if origin.as_deref() == Some("DeviceProcessEvents"))
    );
}
