//! User KQL table schemas from JSON.
//!
//! Accepted shapes (keys match as `name` or `Name`, `type` or `Type`):
//! - ours and the KQL oracle's: `{"tables": [{"name": "T", "columns": [{"name", "type"}]}]}`
//!   (the shared `catalog/kql/tables.json` has this shape too; extra keys are ignored);
//! - Sentinel's KQL validation custom tables: `{"Name": "T", "Properties": [{"Name", "Type"}]}`;
//! - a JSON array of either table object.

use std::path::Path;

use serde::Deserialize;
use serde::de::{self, Deserializer};

use super::KnowledgeError;
use super::kql::{Column, ScalarType, SourceSet, Table};

#[derive(Deserialize)]
struct Catalog {
    #[serde(default)]
    tables: Vec<TableJson>,
    #[serde(default)]
    functions: Vec<FunctionJson>,
}

#[derive(Deserialize)]
struct FunctionJson {
    name: String,
    #[serde(default)]
    parameters: String,
    #[serde(default)]
    body: String,
}

/// A stored KQL function declared in a schema file (e.g. a Sentinel parser such as
/// `_GetWatchlist` or `imAuthentication`): called like a table or a function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFunction {
    /// Name, case-sensitive.
    pub name: String,
    /// Parameter list as declared, e.g. `(watchlistAlias:string)`; `()` when none.
    pub parameters: String,
    /// Body as declared, e.g. `{ datatable(SearchKey:string)[] }`.
    pub body: String,
    /// The schema file.
    pub file: std::path::PathBuf,
}

/// What a schema file declares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schema {
    /// Tables with their columns.
    pub tables: Vec<Table>,
    /// Stored functions.
    pub functions: Vec<StoredFunction>,
}

#[derive(Deserialize)]
struct TableJson {
    #[serde(alias = "Name")]
    name: String,
    #[serde(alias = "Columns", alias = "Properties", alias = "properties")]
    columns: Vec<ColumnJson>,
}

#[derive(Deserialize)]
struct ColumnJson {
    #[serde(alias = "Name")]
    name: String,
    #[serde(alias = "Type")]
    r#type: TypeJson,
}

struct TypeJson(ScalarType);

impl<'de> Deserialize<'de> for TypeJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        ScalarType::parse(&text).map(TypeJson).ok_or_else(|| {
            de::Error::custom(format!(
                "unknown column type `{text}` (expected string, long, int, real, bool, datetime, timespan, guid, dynamic or decimal)"
            ))
        })
    }
}

/// Parses a schema file's text; `path` is used for the tables' origin and error messages.
pub fn parse_schema_json(text: &str, path: &Path) -> Result<Schema, KnowledgeError> {
    let located = |e: serde_json::Error| {
        KnowledgeError::invalid(path, e.line().max(1), e.column().max(1), strip_position(&e))
    };
    // First pass: syntax, with the exact position of the problem.
    let value: serde_json::Value = serde_json::from_str(text).map_err(located)?;
    // Second pass, typed, for the shape we recognise, so type errors carry a position too.
    let mut functions = Vec::new();
    let tables = if value.get("tables").is_some() || value.get("functions").is_some() {
        let catalog = serde_json::from_str::<Catalog>(text).map_err(located)?;
        functions = catalog
            .functions
            .into_iter()
            .map(|f| StoredFunction {
                name: f.name,
                parameters: if f.parameters.trim().is_empty() { "()".into() } else { f.parameters },
                body: f.body,
                file: path.to_owned(),
            })
            .collect();
        catalog.tables
    } else if value.is_array() {
        serde_json::from_str::<Vec<TableJson>>(text).map_err(located)?
    } else if value.is_object() {
        vec![serde_json::from_str::<TableJson>(text).map_err(located)?]
    } else {
        return Err(KnowledgeError::invalid(
            path,
            1,
            1,
            "expected a table object, an array of tables, or {\"tables\": [...]}",
        ));
    };
    let mut out: Vec<Table> = Vec::with_capacity(tables.len());
    for t in tables {
        let columns = t
            .columns
            .into_iter()
            .map(|c| Column {
                name: c.name,
                ty: c.r#type.0,
                alt_ty: None,
                sources: SourceSet::EMPTY,
            })
            .collect::<Vec<_>>();
        // A name listed twice (e.g. once per source in the shared catalog) merges its columns.
        if let Some(existing) = out.iter_mut().find(|x| x.name == t.name) {
            for c in columns {
                if existing.column(&c.name).is_none() {
                    existing.columns.push(c);
                }
            }
            continue;
        }
        out.push(Table {
            name: t.name,
            columns,
            sources: SourceSet::EMPTY,
            file: Some(path.to_owned()),
        });
    }
    Ok(Schema { tables: out, functions })
}

/// serde_json appends " at line L column C"; we report those separately.
fn strip_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}
