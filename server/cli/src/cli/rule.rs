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

/// `on` for a rule of the default set, `off` for one that runs only when selected.
fn default_mark(rule: &RuleMeta) -> &'static str {
    if rule.default_enabled { "on" } else { "off" }
}

pub fn run(args: &RuleArgs) -> u8 {
    if args.all {
        let width = rules::all().iter().map(|r| r.slug.len()).max().unwrap_or(0);
        println!("{:<7} {:<width$}  {:<7}  {:<7}  SUMMARY", "CODE", "NAME", "DEFAULT", "LEVEL");
        for rule in rules::all() {
            let fix = if rule.fixable { " (fix)" } else { "" };
            println!(
                "{:<7} {:<width$}  {:<7}  {:<7}  {}{fix}",
                rule.code,
                rule.slug,
                default_mark(rule),
                severity_name(rule),
                rule.summary,
            );
        }
        println!(
            "\n`off` rules run only when selected: `extend-select = [\"KQL404\"]` in qlint.toml, `--extend-select KQL404`, or `select = [\"ALL\"]`."
        );
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
        "Default severity: {}. Fix: {}. Default set: {}.\n",
        severity_name(rule),
        if rule.fixable { "available" } else { "none" },
        if rule.default_enabled { "yes" } else { "no (select it to turn it on)" }
    );
    print!("{}", rule.docs);
    if !rule.docs.ends_with('\n') {
        println!();
    }
    EXIT_CLEAN
}
