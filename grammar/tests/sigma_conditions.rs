//! Every one-line `condition:` of the SigmaHQ corpus parses without a syntax error.
//! Reads `../shared/corpus/sigma/sigmahq.jsonl`; skipped with a message when it is absent.
//! (The YAML-aware corpus test, with multi-line and list conditions, is in the server crate.)

use qlint_grammar::sigma;

#[test]
fn sigmahq_conditions_parse_cleanly() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/sigma/sigmahq.jsonl");
    let Ok(text) = std::fs::read_to_string(path) else {
        eprintln!("skipped: {path} is absent");
        return;
    };
    let mut parsed = 0;
    for line in text.lines() {
        let Ok(record) = serde_json::from_str::<serde_json::Value>(line) else { continue };
        let rule = record["rule"].as_str().unwrap_or("");
        for l in rule.lines() {
            let Some(rest) = l.trim_start().strip_prefix("condition:") else { continue };
            let condition = rest.split(" #").next().unwrap_or("").trim();
            let condition = condition.trim_matches(|c| c == '\'' || c == '"');
            if condition.is_empty() || condition.starts_with(['|', '>']) {
                continue;
            }
            let p = sigma::parse(condition);
            assert!(p.errors.is_empty(), "{}: {condition:?}: {:?}", record["path"], p.errors);
            parsed += 1;
        }
    }
    assert!(parsed > 3000, "only {parsed} conditions found");
    eprintln!("{parsed} conditions parsed");
}
