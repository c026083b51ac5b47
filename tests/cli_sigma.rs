//! What a user sees when `qlint check` meets hand-broken Sigma rules: each mistake rendered at
//! the YAML line and column that holds it. Runs the real binary on files in a temp folder.

#[path = "support/cli.rs"]
mod cli;

use cli::write;

/// A Sigma rule with seven mistakes: a misspelt category, a condition naming a selection that
/// does not exist (so the real one is unused), `|cased` on a Windows path, a glob inside
/// `|re`, a filter on `Image|contains` that a folder name satisfies, and a filter that can
/// never match.
const OFFICE_CHILD: &str = r#"title: Shell spawned by Word
id: 0d1b7a44-8a6e-4b0b-9c33-2f6a4b0c5e11
status: experimental
logsource:
    product: windows
    category: process_creaton
detection:
    selection_parent:
        ParentImage|endswith: '\WINWORD.EXE'
    selection_child:
        Image|endswith|cased:
            - '\cmd.exe'
            - '\powershell.exe'
        CommandLine|re: 'C:\\Users\\*\\AppData'
    filter_teams:
        Image|contains: '\Teams.exe'
    filter_splwow:
        Image: 'splwow64.exe'
    condition: selection_parent and selection_chld and not 1 of filter_*
level: high
"#;

#[test]
fn a_broken_sigma_rule_is_reported_line_by_line() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "rules/office_child.yml", OFFICE_CHILD);
    let (code, stdout, stderr) =
        cli::run(dir.path(), &["check", "--select", "SIG", "rules/"], None, true);
    assert_eq!(code, 1, "an error fails the run; stderr: {stderr}");
    assert!(stderr.contains("1 error, 6 warnings"), "{stderr}");
    insta::assert_snapshot!(stdout, @r#"
SIG202

  ⚠ `category: process_creaton` is not a category of `product: windows` in Sigma's taxonomy: did you mean `process_creation`?
   ╭─[rules/office_child.yml:6:15]
 5 │     product: windows
 6 │     category: process_creaton
   ·               ───────┬───────
   ·                      ╰── SIG202
 7 │ detection:
   ╰────

SIG103

  ⚠ `selection_child` is never used in the condition
    ╭─[rules/office_child.yml:10:5]
  9 │         ParentImage|endswith: '\WINWORD.EXE'
 10 │     selection_child:
    ·     ───────┬───────
    ·            ╰── SIG103
 11 │         Image|endswith|cased:
    ╰────

SIG116

  ⚠ `Image` holds a Windows path or key, which Windows treats case-insensitively: `|cased` misses other spellings
    ╭─[rules/office_child.yml:11:24]
 10 │     selection_child:
 11 │         Image|endswith|cased:
    ·                        ──┬──
    ·                          ╰── SIG116
 12 │             - '\cmd.exe'
    ╰────

SIG115

  ⚠ `*` in a regular expression repeats `\\`; for any text write `.*`
    ╭─[rules/office_child.yml:14:37]
 13 │             - '\powershell.exe'
 14 │         CommandLine|re: 'C:\\Users\\*\\AppData'
    ·                                     ┬
    ·                                     ╰── SIG115
 15 │     filter_teams:
    ╰────

SIG402

  ⚠ `Image|contains` in a filter also excludes any path through a folder named `Teams.exe`: use `|endswith`
    ╭─[rules/office_child.yml:16:25]
 15 │     filter_teams:
 16 │         Image|contains: '\Teams.exe'
    ·                         ──────┬─────
    ·                               ╰── SIG402
 17 │     filter_splwow:
    ╰────

SIG403

  ⚠ `Image` holds a full path, so it never equals the bare name `splwow64.exe` (use `|endswith: '\splwow64.exe'`): the filter never applies
    ╭─[rules/office_child.yml:18:16]
 17 │     filter_splwow:
 18 │         Image: 'splwow64.exe'
    ·                ───────┬──────
    ·                       ╰── SIG403
 19 │     condition: selection_parent and selection_chld and not 1 of filter_*
    ╰────

SIG101

  × `selection_chld` is not defined under `detection`: did you mean `selection_child`?
    ╭─[rules/office_child.yml:19:37]
 18 │         Image: 'splwow64.exe'
 19 │     condition: selection_parent and selection_chld and not 1 of filter_*
    ·                                     ───────┬──────
    ·                                            ╰── SIG101
 20 │ level: high
    ╰────

"#);
}

#[test]
fn yaml_that_does_not_parse_points_at_the_bracket() {
    let dir = tempfile::tempdir().unwrap();
    let text = "title: A\nlogsource:\n    product: windows\n    category: process_creation\ndetection:\n    selection:\n        Image|endswith: [\n    condition: selection\n";
    write(dir.path(), "broken.yml", text);
    let (code, stdout, _) =
        cli::run(dir.path(), &["check", "--format", "concise", "broken.yml"], None, true);
    assert_eq!(code, 1);
    assert_eq!(stdout.trim_end(), "broken.yml:7:25: QL002 malformed YAML: unclosed bracket '['");
}

#[test]
fn each_rule_of_a_collection_reports_at_its_own_lines() {
    let dir = tempfile::tempdir().unwrap();
    let rule = |title: &str, modifier: &str| {
        format!(
            "title: {title}\nlogsource:\n    product: windows\n    category: process_creation\ndetection:\n    selection:\n        Image|{modifier}: '\\x.exe'\n    condition: selection\n"
        )
    };
    let text = format!("{}---\n{}", rule("A", "endswith"), rule("B", "endswiht"));
    write(dir.path(), "two.yml", &text);
    let (_, stdout, _) =
        cli::run(dir.path(), &["check", "--format", "concise", "two.yml"], None, true);
    assert_eq!(
        stdout.trim_end(),
        "two.yml:16:15: SIG104 `endswiht` is not a Sigma modifier: did you mean `endswith`?"
    );
}
