//! The SigmaHQ corpus (`../shared/corpus/sigma/sigmahq.jsonl`, 3,780 rules that pySigma
//! accepts) through the per-file pipeline, as `qlint check rule.yml` sees each file: every
//! file must hold one Sigma rule, no rule may get an error, and the warning counts per code
//! are printed. Skipped with a message when the shared folder is absent.

#[path = "support/shared.rs"]
mod shared;

use std::collections::BTreeMap;
use std::path::Path;

use qlint_files::check::check_text;
use qlint_files::config::Config;
use qlint_knowledge::Knowledge;
use qlint_linter::Severity;
use serde_json::Value;

#[test]
fn sigmahq_rules_have_no_errors() {
    let Some(shared) = shared::shared_dir() else {
        eprintln!("skipped: no shared folder with corpus/ next to the workspace");
        return;
    };
    let path = shared.join("corpus/sigma/sigmahq.jsonl");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("skipped: {} is absent", path.display());
        return;
    };
    let knowledge = Knowledge::builtin();
    let config = Config::default();
    let mut counts: BTreeMap<(&'static str, Severity), usize> = BTreeMap::new();
    let mut rules_with: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut errors = Vec::new();
    let mut files = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let record: Value = serde_json::from_str(line).expect("a JSON record");
        let rule = record["rule"].as_str().unwrap_or_default();
        let name = record["path"].as_str().unwrap_or("rule.yml");
        let report = check_text(Path::new(name), rule, &knowledge, &config);
        files += 1;
        assert_eq!(report.queries, 1, "{name}: expected one Sigma rule");
        let mut seen = Vec::new();
        for d in &report.diagnostics {
            *counts.entry((d.code, d.severity)).or_default() += 1;
            if !seen.contains(&d.code) {
                seen.push(d.code);
                *rules_with.entry(d.code).or_default() += 1;
            }
            if d.severity == Severity::Error {
                let at = d.span.start as usize;
                let line = rule[..at.min(rule.len())].matches('\n').count() + 1;
                errors.push(format!("{name}:{line}: {} {}", d.code, d.message));
            }
        }
    }
    println!("{files} SigmaHQ rule files");
    for ((code, severity), n) in &counts {
        println!("{code} {severity:?}: {n} findings in {} rules", rules_with[code]);
    }
    assert!(files >= 3000, "only {files} records");
    assert!(errors.is_empty(), "{} errors:\n{}", errors.len(), errors.join("\n"));
}

/// One hand-made mistake in a corpus rule: the text with it, the code qlint must report and
/// the 1-based line it must report it on.
struct Broken {
    kind: &'static str,
    text: String,
    code: &'static str,
    line: usize,
}

/// A misspelt modifier (`|endswith` → `|endswiht`) on its line: SIG104 there. The first
/// modifier of `detection:` outside a comment is changed.
fn misspelt_modifier(rule: &str) -> Option<Broken> {
    const TYPOS: [(&str, &str); 3] =
        [("|endswith", "|endswiht"), ("|contains", "|contians"), ("|startswith", "|startwith")];
    let detection = rule.find("\ndetection:")?;
    let mut start = detection + 1;
    for line in rule[start..].split_inclusive('\n') {
        let code = line.split(" #").next().unwrap_or(line);
        if !line.trim_start().starts_with('#')
            && let Some((at, good, bad)) =
                TYPOS.iter().filter_map(|(g, b)| Some((code.find(g)?, *g, *b))).min()
        {
            let at = start + at;
            let text = format!("{}{bad}{}", &rule[..at], &rule[at + good.len()..]);
            return Some(Broken {
                kind: "modifier",
                code: "SIG104",
                line: line_of(rule, at),
                text,
            });
        }
        start += line.len();
    }
    None
}

/// A misspelt category of a Windows, Linux or macOS rule without a `service`: SIG202 there.
fn misspelt_category(rule: &str) -> Option<Broken> {
    let logsource = rule.find("logsource:")?;
    let block_end = rule[logsource..].find("\ndetection:").map_or(rule.len(), |i| logsource + i);
    let block = &rule[logsource..block_end];
    if block.contains("service:")
        || !["windows", "linux", "macos"].iter().any(|p| block.contains(&format!("product: {p}")))
    {
        return None;
    }
    let at = logsource + block.find("category: ")? + "category: ".len();
    let name_end = rule[at..]
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .map_or(rule.len(), |i| at + i);
    let name = &rule[at..name_end];
    if name.len() < 4 {
        return None;
    }
    // Swap the second and third letters: `process_creation` → `pocress_creation`.
    let mut typo: Vec<char> = name.chars().collect();
    typo.swap(1, 2);
    let typo: String = typo.into_iter().collect();
    if typo == name {
        return None;
    }
    let text = format!("{}{typo}{}", &rule[..at], &rule[name_end..]);
    Some(Broken { kind: "category", code: "SIG202", line: line_of(rule, at), text })
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}

/// Every corpus rule broken by hand in two ways: qlint must report each mistake on the line
/// that holds it (the recall of the position, measured; failures are printed).
#[test]
fn hand_broken_corpus_rules_are_reported_on_the_right_line() {
    let Some(shared) = shared::shared_dir() else {
        eprintln!("skipped: no shared folder with corpus/ next to the workspace");
        return;
    };
    let Ok(text) = std::fs::read_to_string(shared.join("corpus/sigma/sigmahq.jsonl")) else {
        eprintln!("skipped: the Sigma corpus is absent");
        return;
    };
    let knowledge = Knowledge::builtin();
    let config = Config::default();
    let mut tried: BTreeMap<&str, usize> = BTreeMap::new();
    let mut missed: Vec<String> = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let record: Value = serde_json::from_str(line).expect("a JSON record");
        let rule = record["rule"].as_str().unwrap_or_default();
        let name = record["path"].as_str().unwrap_or("rule.yml");
        for broken in [misspelt_modifier(rule), misspelt_category(rule)].into_iter().flatten() {
            *tried.entry(broken.kind).or_default() += 1;
            let report = check_text(Path::new(name), &broken.text, &knowledge, &config);
            let hit = report.diagnostics.iter().any(|d| {
                d.code == broken.code && line_of(&broken.text, d.span.start as usize) == broken.line
            });
            if !hit {
                missed
                    .push(format!("{name}:{}: no {} ({})", broken.line, broken.code, broken.kind));
            }
        }
    }
    println!("hand-broken variants: {tried:?}; missed: {}", missed.len());
    for m in missed.iter().take(20) {
        println!("  {m}");
    }
    assert!(tried.values().sum::<usize>() > 3000, "too few variants: {tried:?}");
    assert!(missed.is_empty(), "{} variants without their finding", missed.len());
}
