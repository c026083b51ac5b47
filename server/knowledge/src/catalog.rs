//! The built-in catalog: generated facts from `corpus/catalog/*.tsv` (see
//! `corpus/scripts/gen_catalog.py` for the format) merged with our docs from `corpus/docs/`.
//! Everything is compiled in and parsed once, on first use, in parts: the KQL functions and
//! operators when a KQL name is first looked up, the SPL commands, functions and lookups when
//! an SPL one is, the CIM data models on first use. A KQL run parses nothing of SPL and the
//! other way round. The tables (most of the text) are parsed one by one, when first asked
//! for: a run that names three tables parses three.

use std::collections::HashMap;
use std::sync::{LazyLock, OnceLock};

use super::docs;
use super::kql::{Column, Operator, ScalarType, SourceSet, Table};
use super::spl::{
    CimField, CimType, Command, CommandOption, DataModel, Dataset, Lookup, LookupOrigin,
    SplFunction, SplFunctionKind,
};

const KQL_TABLES: &str = corpus_file!("catalog/kql_tables.tsv");
/// Columns added to tables after that snapshot (hand-kept facts with their sources).
const KQL_COLUMNS_ADDED: &str = corpus_file!("catalog/kql_columns_added.tsv");
const CIM: &str = corpus_file!("catalog/cim.tsv");
/// Fields the CIM gained after the version of `cim.tsv` (hand-kept facts with their sources).
const CIM_UPDATES: &str = corpus_file!("catalog/cim_updates.tsv");
const SPL: &str = corpus_file!("catalog/spl.tsv");

/// The built-in catalog: the table index now, every other part on first use.
#[derive(Debug)]
pub(crate) struct Catalog {
    pub tables: BuiltinTables,
    /// The KQL functions and operators (from our docs and `kql_functions.tsv`).
    pub kql: LazyLock<Part>,
    /// The SPL commands, functions and lookups (`spl.tsv` and our docs).
    pub spl: LazyLock<Part>,
    /// The CIM data models, parsed on first use (KQL runs never ask).
    pub cim: LazyLock<Cim>,
}

/// One language's share of the catalog; the other language's lists stay empty.
#[derive(Debug, Default)]
pub(crate) struct Part {
    /// The KQL functions, each parsed on first use.
    pub functions: Vec<docs::LazyFunction>,
    pub function_index: HashMap<String, usize>,
    pub operators: Vec<Operator>,
    pub operator_index: HashMap<String, usize>,
    pub commands: Vec<Command>,
    /// Lower-case name or alias to command.
    pub command_index: HashMap<String, usize>,
    pub spl_functions: Vec<SplFunction>,
    pub eval_index: HashMap<String, usize>,
    pub stats_index: HashMap<String, usize>,
    pub lookups: Vec<Lookup>,
    pub lookup_index: HashMap<String, usize>,
    /// Problems found in the SPL docs files (checked by tests; the KQL ones are found by
    /// `docs::kql_doc_problems`).
    pub doc_problems: Vec<docs::DocProblem>,
}

/// The built-in CIM data models.
#[derive(Debug, Default)]
pub(crate) struct Cim {
    pub datamodels: Vec<DataModel>,
    pub datamodel_index: HashMap<String, usize>,
}

impl Cim {
    fn load() -> Self {
        let mut datamodels = parse_cim(CIM);
        apply_cim_updates(&mut datamodels, CIM_UPDATES);
        let datamodel_index = index(datamodels.iter().map(|m| m.name.clone()));
        Cim { datamodels, datamodel_index }
    }
}

/// The built-in catalog, parsed on first use.
pub(crate) static BUILTIN: LazyLock<Catalog> = LazyLock::new(Catalog::load);

impl Catalog {
    pub(crate) fn load() -> Self {
        Catalog {
            tables: BuiltinTables::new(KQL_TABLES, KQL_COLUMNS_ADDED),
            kql: LazyLock::new(Part::load_kql),
            spl: LazyLock::new(Part::load_spl),
            cim: LazyLock::new(Cim::load),
        }
    }

    /// Problems found in our docs files (parses both languages' parts).
    #[cfg(test)]
    pub(crate) fn doc_problems(&self) -> Vec<docs::DocProblem> {
        let mut problems = docs::kql_doc_problems();
        problems.extend(self.spl.doc_problems.iter().cloned());
        problems
    }
}

impl Part {
    fn load_kql() -> Self {
        let mut part = Part::default();
        docs::load_kql(&mut part);
        part
    }

    fn load_spl() -> Self {
        let mut part = Part::default();
        parse_spl(SPL, &mut part);
        part.doc_problems = docs::apply_spl_docs(&mut part);
        part
    }

    /// Rebuilds the indexes of functions, operators, commands and SPL functions
    /// (after docs were merged in).
    pub(crate) fn reindex(&mut self) {
        self.function_index.clear();
        for (i, f) in self.functions.iter().enumerate() {
            for name in std::iter::once(&f.name).chain(&f.aliases) {
                self.function_index.entry(name.clone()).or_insert(i);
            }
        }
        self.operator_index.clear();
        for (i, op) in self.operators.iter().enumerate() {
            for name in std::iter::once(&op.name).chain(&op.aliases) {
                self.operator_index.entry(name.clone()).or_insert(i);
            }
        }
        self.command_index.clear();
        for (i, c) in self.commands.iter().enumerate() {
            for name in std::iter::once(&c.name).chain(&c.aliases) {
                self.command_index.entry(name.to_ascii_lowercase()).or_insert(i);
            }
        }
        self.eval_index.clear();
        self.stats_index.clear();
        for (i, f) in self.spl_functions.iter().enumerate() {
            let idx = match f.kind {
                SplFunctionKind::Eval => &mut self.eval_index,
                SplFunctionKind::Stats => &mut self.stats_index,
            };
            idx.entry(f.name.clone()).or_insert(i);
        }
    }
}

fn index(names: impl Iterator<Item = String>) -> HashMap<String, usize> {
    let mut map = HashMap::new();
    for (i, name) in names.enumerate() {
        map.entry(name).or_insert(i);
    }
    map
}

fn records(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines().filter(|l| !l.is_empty() && !l.starts_with('#')).map(|l| l.split('\t').collect())
}

fn list(field: Option<&&str>) -> Vec<String> {
    match field {
        Some(text) if !text.is_empty() => text.split(',').map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

/// The built-in tables: each `T` record of `kql_tables.tsv` found by name at load, and parsed
/// (with its `kql_columns_added.tsv` columns) the first time it is asked for.
#[derive(Debug, Default)]
pub(crate) struct BuiltinTables {
    entries: Vec<LazyTable>,
    /// Name to the first entry of that name.
    index: HashMap<&'static str, usize>,
    /// `kql_columns_added.tsv`.
    added: &'static str,
}

#[derive(Debug)]
struct LazyTable {
    name: &'static str,
    /// The whole `T` record.
    record: &'static str,
    /// The first record of its name: the one the added columns go to.
    first: bool,
    table: OnceLock<Table>,
}

impl BuiltinTables {
    fn new(text: &'static str, added: &'static str) -> Self {
        let mut entries = Vec::with_capacity(1024);
        let mut index = HashMap::with_capacity(1024);
        for line in text.lines() {
            // `T <name> <sources> <columns>...`: the name is all that is read now.
            let mut fields = line.splitn(4, '\t');
            let (Some("T"), Some(name), Some(_)) = (fields.next(), fields.next(), fields.next())
            else {
                continue;
            };
            let first = !index.contains_key(name);
            if first {
                index.insert(name, entries.len());
            }
            entries.push(LazyTable { name, record: line, first, table: OnceLock::new() });
        }
        BuiltinTables { entries, index, added }
    }

    /// The table called exactly `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&Table> {
        self.index.get(name).map(|&i| self.table(i))
    }

    /// Every table, in catalog order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Table> {
        (0..self.entries.len()).map(|i| self.table(i))
    }

    /// Every table name, in catalog order, without parsing the tables.
    pub(crate) fn names(&self) -> impl Iterator<Item = &'static str> {
        self.entries.iter().map(|e| e.name)
    }

    fn table(&self, i: usize) -> &Table {
        let entry = &self.entries[i];
        entry.table.get_or_init(|| {
            let mut table = parse_table(entry.record);
            if entry.first {
                add_columns(&mut table, self.added);
            }
            table
        })
    }
}

/// One `T <name> <sources> <column:type>...` record.
fn parse_table(record: &str) -> Table {
    let mut fields = record.split('\t');
    let (_, name, sources) = (fields.next(), fields.next().unwrap_or(""), fields.next());
    let sources = SourceSet::from_letters(sources.unwrap_or(""));
    let columns = fields.filter_map(|token| parse_column(token, sources)).collect();
    Table { name: name.to_owned(), columns, sources, file: None }
}

/// `C <table> <column:type>...`: columns a built-in table lacks (existing names are kept).
fn add_columns(table: &mut Table, text: &str) {
    for rec in records(text) {
        let ["C", name, columns @ ..] = rec.as_slice() else { continue };
        if *name != table.name {
            continue;
        }
        for column in columns.iter().filter_map(|token| parse_column(token, table.sources)) {
            if table.column(&column.name).is_none() {
                table.columns.push(column);
            }
        }
    }
}

/// `name:type[/alt][@sources]`
fn parse_column(token: &str, table_sources: SourceSet) -> Option<Column> {
    let (name, rest) = token.split_once(':')?;
    let (rest, sources) = match rest.split_once('@') {
        Some((r, s)) => (r, SourceSet::from_letters(s)),
        None => (rest, table_sources),
    };
    let (ty, alt) = match rest.split_once('/') {
        Some((t, a)) => (t, ScalarType::parse(a)),
        None => (rest, None),
    };
    Some(Column { name: name.to_owned(), ty: ScalarType::parse(ty)?, alt_ty: alt, sources })
}

fn parse_cim(text: &str) -> Vec<DataModel> {
    let mut models: Vec<DataModel> = Vec::new();
    for rec in records(text) {
        match rec.as_slice() {
            ["M", name, display, ..] => models.push(DataModel {
                name: (*name).to_owned(),
                display_name: (*display).to_owned(),
                datasets: Vec::new(),
                file: None,
            }),
            ["D", lineage, parent, tags, constraint, fields @ ..] => {
                let Some(model) = models.last_mut() else { continue };
                let parent_lineage = lineage.rsplit_once('.').map(|(p, _)| p);
                let mut all: Vec<CimField> = parent_lineage
                    .and_then(|p| model.datasets.iter().find(|d| d.lineage == p))
                    .map(|d| {
                        d.fields.iter().map(|f| CimField { inherited: true, ..f.clone() }).collect()
                    })
                    .unwrap_or_default();
                for token in fields.iter() {
                    let mut parts = token.split(':');
                    let (Some(name), Some(ty)) = (parts.next(), parts.next()) else { continue };
                    let multivalue = parts.next() == Some("m");
                    if all.iter().any(|f| f.name == name) {
                        continue;
                    }
                    all.push(CimField {
                        name: name.to_owned(),
                        ty: CimType::parse(ty).unwrap_or(CimType::String),
                        multivalue,
                        inherited: false,
                    });
                }
                let name = lineage.rsplit('.').next().unwrap_or(lineage);
                model.datasets.push(Dataset {
                    name: name.to_owned(),
                    lineage: (*lineage).to_owned(),
                    parent: (!parent.is_empty()).then(|| (*parent).to_owned()),
                    tags: list(Some(tags)),
                    constraint: (*constraint).to_owned(),
                    fields: all,
                });
            }
            _ => {}
        }
    }
    models
}

/// `A <model> <dataset lineage> <field:type[:m]>...`: adds the fields to the dataset and, as
/// inherited fields, to the datasets below it.
fn apply_cim_updates(models: &mut [DataModel], text: &str) {
    for rec in records(text) {
        let ["A", model, lineage, fields @ ..] = rec.as_slice() else { continue };
        let Some(model) = models.iter_mut().find(|m| m.name == *model) else { continue };
        let below = format!("{lineage}.");
        for dataset in &mut model.datasets {
            let inherited = dataset.lineage.starts_with(&below);
            if dataset.lineage != *lineage && !inherited {
                continue;
            }
            for token in fields {
                let mut parts = token.split(':');
                let (Some(name), Some(ty)) = (parts.next(), parts.next()) else { continue };
                if dataset.fields.iter().any(|f| f.name == name) {
                    continue;
                }
                dataset.fields.push(CimField {
                    name: name.to_owned(),
                    ty: CimType::parse(ty).unwrap_or(CimType::String),
                    multivalue: parts.next() == Some("m"),
                    inherited,
                });
            }
        }
    }
}

fn parse_spl(text: &str, catalog: &mut Part) {
    let mut timechart_only = Vec::new();
    for rec in records(text) {
        match rec.first().copied() {
            Some("C") if rec.len() >= 2 => {
                let options = list(rec.get(4))
                    .into_iter()
                    .map(|o| match o.split_once('=') {
                        Some((n, v)) => CommandOption { name: n.to_owned(), value: v.to_owned() },
                        None => CommandOption { name: o, value: String::new() },
                    })
                    .collect();
                catalog.commands.push(Command {
                    name: rec[1].to_owned(),
                    aliases: list(rec.get(2)),
                    category: rec.get(3).copied().unwrap_or_default().to_owned(),
                    options,
                    keywords: list(rec.get(5)),
                    related: list(rec.get(6)),
                    in_grammar: true,
                    syntax: Vec::new(),
                    doc: None,
                });
            }
            Some("X") if rec.len() >= 2 => catalog.commands.push(Command {
                name: rec[1].to_owned(),
                aliases: Vec::new(),
                category: String::new(),
                options: Vec::new(),
                keywords: Vec::new(),
                related: Vec::new(),
                in_grammar: false,
                syntax: Vec::new(),
                doc: None,
            }),
            Some(kind @ ("E" | "S" | "T")) if rec.len() >= 2 => {
                let name = rec[1].to_owned();
                if kind == "T" {
                    timechart_only.push(name.clone());
                }
                let kind = if kind == "E" { SplFunctionKind::Eval } else { SplFunctionKind::Stats };
                catalog.spl_functions.push(SplFunction {
                    name,
                    kind,
                    signatures: Vec::new(),
                    min_args: 0,
                    max_args: None,
                    timechart_only: false,
                    doc: None,
                });
            }
            Some("L") if rec.len() >= 2 => catalog.lookups.push(Lookup {
                name: rec[1].to_owned(),
                kind: rec.get(2).copied().unwrap_or_default().to_owned(),
                target: rec.get(3).copied().unwrap_or_default().to_owned(),
                match_type: rec.get(4).copied().unwrap_or_default().to_owned(),
                fields: list(rec.get(5)),
                origin: LookupOrigin::SecurityContent,
            }),
            _ => {}
        }
    }
    for f in &mut catalog.spl_functions {
        f.timechart_only = timechart_only.contains(&f.name);
    }
    catalog.lookup_index = index(catalog.lookups.iter().map(|l| l.name.clone()));
    catalog.reindex();
}
