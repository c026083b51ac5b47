//! `qlint rule CODE` and `qlint rule --all`.

use qlint_linter::rules::{self, RuleMeta};

use super::{EXIT_CLEAN, EXIT_ERROR, RuleArgs};

fn severity_name(rule: &RuleMeta) -> &'static str {
    match rule.default_severity {
        qlint_linter::Severity::Error => "error",
        qlint_linter::Severity::Warning => "warning",
        qlint_linter::Severity::Info => "info",
    }
}

pub fn run(args: &RuleArgs) -> u8 {
    if args.all {
        let width = rules::all().iter().map(|r| r.slug.len()).max().unwrap_or(0);
        for rule in rules::all() {
            let fix = if rule.fixable { " (fix)" } else { "" };
            println!(
                "{:<7} {:<width$}  {:<7}  {}{fix}",
                rule.code,
                rule.slug,
                severity_name(rule),
                rule.summary,
            );
        }
        return EXIT_CLEAN;
    }
    let Some(code) = args.code.as_deref() else {
        eprintln!("qlint rule: give a rule code (e.g. `qlint rule KQL001`) or `--all`");
        return EXIT_ERROR;
    };
    let Some(rule) = rules::find(code) else {
        eprintln!("qlint rule: unknown rule code `{code}`; `qlint rule --all` lists them");
        return EXIT_ERROR;
    };
    println!("# {} ({})\n", rule.code, rule.slug);
    println!("{}\n", rule.summary);
    println!(
        "Default severity: {}. Fix: {}.\n",
        severity_name(rule),
        if rule.fixable { "available" } else { "none" }
    );
    print!("{}", rule.docs);
    if !rule.docs.ends_with('\n') {
        println!();
    }
    EXIT_CLEAN
}
