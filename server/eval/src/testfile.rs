//! `*.test.yaml` files: one query (a rule file or inline) and its test cases.
//!
//! Parsed with serde-saphyr; every part a message may point at keeps its line and column
//! ([`Located`]), and a malformed file gives a [`TestFileError`] with the position.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::Value as Json;
use serde_saphyr::Spanned;

/// A value with the position (1-based line and column, byte offset) where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// Byte offset into the test file, when known.
    pub offset: Option<usize>,
}

impl<T> Located<T> {
    fn from_spanned(spanned: Spanned<T>) -> Self {
        let at = spanned.referenced;
        Located {
            value: spanned.value,
            line: at.line() as u32,
            column: at.column() as u32,
            offset: at.span().byte_offset().map(|o| o as usize),
        }
    }
}

/// A parsed test file.
#[derive(Debug, Clone, PartialEq)]
pub struct TestFile {
    /// `rule:`: a path (relative to the test file) to a file holding the query.
    pub rule: Option<Located<String>>,
    /// `language:` of an inline query (`kql`, `spl`).
    pub language: Option<Located<String>>,
    /// `query:`: the inline query text.
    pub query: Option<Located<String>>,
    /// `now:`: what `now()` means (ISO-8601 text).
    pub now: Option<Located<String>>,
    /// The cases, in file order.
    pub tests: Vec<TestCase>,
}

/// One test case.
#[derive(Debug, Clone, PartialEq)]
pub struct TestCase {
    /// `name:`.
    pub name: Located<String>,
    /// `tables:` (KQL): table name to rows, in file order.
    pub tables: Vec<(String, Vec<RawRow>)>,
    /// `events:` (SPL): one map of fields per event.
    pub events: Vec<RawRow>,
    /// `datamodels:` (SPL tstats): `Model.Dataset` to rows of the dataset's fields.
    pub datamodels: Vec<(String, Vec<RawRow>)>,
    /// `lookups:` (SPL): lookup name to a CSV file (relative to the test file) or rows.
    pub lookups: Vec<(String, LookupSource)>,
    /// `expect:`.
    pub expect: Expect,
    /// Where the case starts.
    pub line: u32,
}

/// A row as written in the test file: field names in order with their YAML values.
#[derive(Debug, Clone, PartialEq)]
pub struct RawRow {
    /// The fields in order.
    pub fields: Vec<(String, Json)>,
    /// 1-based line of the row.
    pub line: u32,
}

/// Where a lookup's rows come from.
#[derive(Debug, Clone, PartialEq)]
pub enum LookupSource {
    /// A CSV file, relative to the test file.
    File(String),
    /// Rows written inline.
    Rows(Vec<RawRow>),
}

/// `expect:`: the row count and rows that must be in the result.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Expect {
    /// `count:`.
    pub count: Option<Located<u64>>,
    /// `rows:`: each must match some result row on the fields it lists.
    pub rows: Vec<RawRow>,
    /// Line of `expect:` (0 when absent).
    pub line: u32,
}

/// A test file that could not be read as one.
#[derive(Debug, Clone, PartialEq)]
pub struct TestFileError {
    /// What is wrong.
    pub message: String,
    /// 1-based line (0 when unknown).
    pub line: u32,
    /// 1-based column (0 when unknown).
    pub column: u32,
}

impl fmt::Display for TestFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            f.write_str(&self.message)
        } else {
            write!(f, "{}:{}: {}", self.line, self.column, self.message)
        }
    }
}

/// True for the file names `qlint test` picks up (`*.test.yaml`, `*.test.yml`).
pub fn is_test_file_name(name: &str) -> bool {
    name.ends_with(".test.yaml") || name.ends_with(".test.yml")
}

/// Where a test file's `rule:` points: `rule: ../x.md#2` in `dir/t.test.yaml` is
/// `(dir/../x.md, Some(2))`, the path joined to the test file's folder and the 1-based query
/// number (`None` when the rule names no number).
pub fn rule_target(test_path: &Path, rule: &str) -> (PathBuf, Option<usize>) {
    let (file, index) = match rule.rsplit_once('#') {
        Some((file, n)) if n.parse::<usize>().is_ok() => (file, n.parse().ok()),
        _ => (rule, None),
    };
    (test_path.parent().unwrap_or(Path::new(".")).join(file), index)
}

/// Parses the text of a test file.
pub fn parse_test_file(text: &str) -> Result<TestFile, TestFileError> {
    let file: FileYaml = serde_saphyr::from_str(text).map_err(yaml_error)?;
    let file = file.into_test_file();
    check_shape(&file)?;
    Ok(file)
}

fn yaml_error(error: serde_saphyr::Error) -> TestFileError {
    let (line, column) = error.location().map_or((0, 0), |l| (l.line() as u32, l.column() as u32));
    let message = error.to_string();
    let message = message.lines().next().unwrap_or("malformed test file").to_string();
    TestFileError { message, line, column }
}

fn check_shape(file: &TestFile) -> Result<(), TestFileError> {
    let at = |l: &Located<String>, message: &str| TestFileError {
        message: message.to_string(),
        line: l.line,
        column: l.column,
    };
    match (&file.rule, &file.query) {
        (Some(rule), Some(_)) => Err(at(rule, "give either `rule:` or `query:`, not both")),
        (None, None) => Err(TestFileError {
            message: "the test file names no query: add `rule:` or `language:` and `query:`".into(),
            line: 1,
            column: 1,
        }),
        (None, Some(query)) if file.language.is_none() => {
            Err(at(query, "an inline `query:` needs `language:` (kql or spl)"))
        }
        _ => Ok(()),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileYaml {
    rule: Option<Spanned<String>>,
    language: Option<Spanned<String>>,
    query: Option<Spanned<String>>,
    now: Option<Spanned<String>>,
    #[serde(default)]
    tests: Vec<Spanned<CaseYaml>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseYaml {
    name: Spanned<String>,
    #[serde(default)]
    tables: Ordered<Vec<Spanned<Ordered<Json>>>>,
    #[serde(default)]
    events: Vec<Spanned<Ordered<Json>>>,
    #[serde(default)]
    datamodels: Ordered<Vec<Spanned<Ordered<Json>>>>,
    #[serde(default)]
    lookups: Ordered<LookupYaml>,
    #[serde(default)]
    expect: Option<Spanned<ExpectYaml>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum LookupYaml {
    File(String),
    Rows(Vec<Ordered<Json>>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectYaml {
    count: Option<Spanned<u64>>,
    #[serde(default)]
    rows: Vec<Spanned<Ordered<Json>>>,
}

impl FileYaml {
    fn into_test_file(self) -> TestFile {
        TestFile {
            rule: self.rule.map(Located::from_spanned),
            language: self.language.map(Located::from_spanned),
            query: self.query.map(Located::from_spanned),
            now: self.now.map(Located::from_spanned),
            tests: self.tests.into_iter().map(into_case).collect(),
        }
    }
}

fn into_case(spanned: Spanned<CaseYaml>) -> TestCase {
    let line = spanned.referenced.line() as u32;
    let case = spanned.value;
    TestCase {
        name: Located::from_spanned(case.name),
        tables: into_named_rows(case.tables),
        events: case.events.into_iter().map(into_row).collect(),
        datamodels: into_named_rows(case.datamodels),
        lookups: case.lookups.0.into_iter().map(|(n, l)| (n, into_lookup(l, line))).collect(),
        expect: case.expect.map(into_expect).unwrap_or_default(),
        line,
    }
}

fn into_named_rows(map: Ordered<Vec<Spanned<Ordered<Json>>>>) -> Vec<(String, Vec<RawRow>)> {
    map.0.into_iter().map(|(name, rows)| (name, rows.into_iter().map(into_row).collect())).collect()
}

fn into_row(spanned: Spanned<Ordered<Json>>) -> RawRow {
    RawRow { fields: spanned.value.0, line: spanned.referenced.line() as u32 }
}

fn into_lookup(lookup: LookupYaml, line: u32) -> LookupSource {
    match lookup {
        LookupYaml::File(path) => LookupSource::File(path),
        LookupYaml::Rows(rows) => {
            LookupSource::Rows(rows.into_iter().map(|r| RawRow { fields: r.0, line }).collect())
        }
    }
}

fn into_expect(spanned: Spanned<ExpectYaml>) -> Expect {
    let line = spanned.referenced.line() as u32;
    let expect = spanned.value;
    Expect {
        count: expect.count.map(Located::from_spanned),
        rows: expect.rows.into_iter().map(into_row).collect(),
        line,
    }
}

/// A YAML mapping read in file order (serde_json's map would sort the keys).
struct Ordered<V>(Vec<(String, V)>);

impl<V> Default for Ordered<V> {
    fn default() -> Self {
        Ordered(Vec::new())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Ordered<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(OrderedVisitor(std::marker::PhantomData))
    }
}

struct OrderedVisitor<V>(std::marker::PhantomData<V>);

impl<'de, V: Deserialize<'de>> Visitor<'de> for OrderedVisitor<V> {
    type Value = Ordered<V>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries: Vec<(String, V)> = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, V>()? {
            if entries.iter().any(|(k, _)| *k == key) {
                return Err(de::Error::custom(format!("duplicate key `{}`", key)));
            }
            entries.push((key, value));
        }
        Ok(Ordered(entries))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Ordered(Vec::new()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"rule: ../rules/asr.yaml
now: 2024-07-15T12:00:00Z
tests:
  - name: fires
    tables:
      DeviceEvents:
        - {Timestamp: 2024-07-15T11:00:00Z, FileName: evil.exe, ActionType: X}
    expect:
      count: 1
      rows:
        - {FileName: evil.exe}
  - name: quiet
    events:
      - {index: windows, EventCode: 1, Image: 'C:\Tools\psexec.exe'}
    lookups:
      allow: allow.csv
    expect: {count: 0}
"#;

    #[test]
    fn a_test_file_keeps_field_order_and_lines() {
        let file = parse_test_file(EXAMPLE).unwrap();
        assert_eq!(file.rule.as_ref().unwrap().value, "../rules/asr.yaml");
        assert_eq!(file.now.as_ref().unwrap().value, "2024-07-15T12:00:00Z");
        let first = &file.tests[0];
        assert_eq!(first.name.value, "fires");
        assert_eq!(first.name.line, 4);
        let (table, rows) = &first.tables[0];
        assert_eq!(table, "DeviceEvents");
        let names: Vec<&str> = rows[0].fields.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["Timestamp", "FileName", "ActionType"]);
        assert_eq!(rows[0].line, 7);
        assert_eq!(first.expect.count.as_ref().unwrap().value, 1);
        assert_eq!(first.expect.rows[0].line, 11);
        let second = &file.tests[1];
        assert_eq!(second.events[0].fields[1], ("EventCode".to_string(), Json::from(1)));
        assert_eq!(second.events[0].fields[2].1, Json::from(r"C:\Tools\psexec.exe"));
        assert_eq!(second.lookups[0].1, LookupSource::File("allow.csv".into()));
    }

    #[test]
    fn malformed_files_report_a_position() {
        let err = parse_test_file("rule: a.kql\ntests:\n  - name: x\n    expct: {}\n").unwrap_err();
        assert_eq!(err.line, 4, "{err}");
        assert!(err.message.contains("expct"), "{err}");
        let err = parse_test_file("tests: []\n").unwrap_err();
        assert!(err.message.contains("names no query"), "{err}");
        let err = parse_test_file("query: T\ntests: []\n").unwrap_err();
        assert!(err.message.contains("language"), "{err}");
    }
}
