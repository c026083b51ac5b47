//! [`Catalog`] over [`Knowledge`] and the KQL analysis: the only place that knows the shapes
//! of the knowledge types; the features only see [`Entry`] and friends.

use qlint_knowledge::Knowledge;
use qlint_linter::Language;
use qlint_linter::analysis;

use super::catalog::{Catalog, ColumnEntry, Entry, FieldEntry, MacroEntry, TableEntry};
use super::kql::ScopeColumn;

fn table_entry(table: &qlint_knowledge::Table) -> TableEntry {
    let sources: Vec<&str> = table.sources.iter().map(|s| s.name()).collect();
    let mut doc =
        if sources.is_empty() { String::new() } else { format!("Source: {}", sources.join(", ")) };
    if let Some(file) = &table.file {
        doc = format!("Schema from `{}`", file.display());
    }
    TableEntry {
        name: table.name.clone(),
        doc,
        columns: table
            .columns
            .iter()
            .map(|c| ColumnEntry { name: c.name.clone(), ty: c.ty.to_string(), doc: String::new() })
            .collect(),
    }
}

fn kql_function_entry(f: &qlint_knowledge::Function) -> Entry {
    let detail = f.signatures.iter().map(|s| s.label.as_str()).collect::<Vec<_>>().join("\n");
    Entry::new(f.name.clone(), detail, f.doc.to_markdown())
}

fn spl_function_entry(f: &qlint_knowledge::SplFunction) -> Entry {
    let doc = f.doc.as_ref().map(|d| d.to_markdown()).unwrap_or_default();
    Entry::new(f.name.clone(), f.signatures.join("\n"), doc)
}

fn yaral_function_entry(f: &qlint_knowledge::yaral::YaralFunction) -> Entry {
    let arity = match f.max_args {
        Some(max) if max == f.min_args => format!("{max} argument(s)"),
        Some(max) => format!("{} to {max} arguments", f.min_args),
        None => format!("at least {} argument(s)", f.min_args),
    };
    Entry::new(f.name.clone(), arity, String::new())
}

fn operator_entry(op: &qlint_knowledge::Operator) -> Entry {
    Entry::new(op.name.clone(), op.syntax.join("\n"), op.doc.to_markdown())
}

fn command_entry(c: &qlint_knowledge::Command) -> Entry {
    let doc = c.doc.as_ref().map(|d| d.to_markdown()).unwrap_or_else(|| {
        if c.category.is_empty() { String::new() } else { format!("Category: `{}`", c.category) }
    });
    Entry::new(c.name.clone(), c.syntax.join("\n"), doc)
}

fn macro_entry(m: &qlint_knowledge::MacroDef) -> MacroEntry {
    MacroEntry {
        name: m.name.clone(),
        args: m.args.clone(),
        definition: m.definition.clone(),
        path: Some(m.file.clone()),
        span: m.span,
    }
}

impl Catalog for Knowledge {
    fn table_names(&self) -> Vec<String> {
        self.kql_tables().map(|t| t.name.clone()).collect()
    }

    fn table(&self, name: &str) -> Option<TableEntry> {
        self.kql_table(name).map(table_entry)
    }

    fn functions(&self, language: Language) -> Vec<Entry> {
        match language {
            Language::Kql => self.kql_functions().map(kql_function_entry).collect(),
            Language::Spl => self.spl_functions().map(spl_function_entry).collect(),
            Language::Yaral => qlint_knowledge::yaral::yaral()
                .functions()
                .iter()
                .map(yaral_function_entry)
                .collect(),
            Language::Sigma => Vec::new(),
        }
    }

    fn tabular_operators(&self) -> Vec<Entry> {
        self.kql_tabular_operators().map(operator_entry).collect()
    }

    fn spl_commands(&self) -> Vec<Entry> {
        self.spl_commands().map(command_entry).collect()
    }

    fn macros(&self) -> Vec<MacroEntry> {
        self.macros().map(macro_entry).collect()
    }

    /// Fields of root datasets, named the way `tstats` and `datamodel=` write them.
    fn datamodel_fields(&self) -> Vec<FieldEntry> {
        let mut out = Vec::new();
        for model in self.datamodels() {
            for dataset in model.datasets.iter().filter(|d| d.parent.is_none()) {
                for field in &dataset.fields {
                    out.push(FieldEntry {
                        model: model.name.clone(),
                        dataset: dataset.name.clone(),
                        field: field.name.clone(),
                        ty: field.ty.name().to_owned(),
                        doc: if field.multivalue {
                            "Multivalue field.".to_owned()
                        } else {
                            String::new()
                        },
                    });
                }
            }
        }
        out
    }

    fn spl_functions_of(&self, stats: bool, timechart: bool) -> Vec<Entry> {
        let kind = if stats {
            qlint_knowledge::SplFunctionKind::Stats
        } else {
            qlint_knowledge::SplFunctionKind::Eval
        };
        self.spl_functions()
            .filter(|f| f.kind == kind && (timechart || !f.timechart_only))
            .map(spl_function_entry)
            .collect()
    }

    fn spl_command_options(&self, command: &str) -> Vec<Entry> {
        let Some(c) = Knowledge::spl_command(self, command) else { return Vec::new() };
        c.options
            .iter()
            .map(|o| {
                let doc = format!("option of `{}`; value: `{}`", c.name, o.value);
                Entry::new(o.name.clone(), format!("{}={}", o.name, o.value), doc)
            })
            .collect()
    }

    fn function(&self, language: Language, name: &str) -> Option<Entry> {
        match language {
            Language::Kql => self.kql_function(name).map(kql_function_entry),
            Language::Spl => self
                .spl_eval_function(name)
                .or_else(|| self.spl_stats_function(name))
                .map(spl_function_entry),
            Language::Yaral => {
                qlint_knowledge::yaral::yaral().function(name).map(yaral_function_entry)
            }
            Language::Sigma => None,
        }
    }

    fn tabular_operator(&self, name: &str) -> Option<Entry> {
        self.kql_operator(name)
            .filter(|op| op.kind == qlint_knowledge::OperatorKind::Tabular)
            .map(operator_entry)
    }

    fn spl_command(&self, name: &str) -> Option<Entry> {
        Knowledge::spl_command(self, name).map(command_entry)
    }

    fn macro_named(&self, name: &str, arity: usize) -> Option<MacroEntry> {
        self.macro_def(name, arity).or_else(|| self.macros_named(name).next()).map(macro_entry)
    }

    fn scope_columns(&self, language: Language, text: &str, offset: u32) -> Vec<ScopeColumn> {
        if language != Language::Kql {
            return Vec::new();
        }
        analysis::kql::columns_at(text, offset as usize, self)
            .into_iter()
            .map(|c| ScopeColumn {
                name: c.name,
                ty: c.ty.map(|t| t.to_string()),
                origin: c.origin.unwrap_or_else(|| "computed in this query".to_owned()),
            })
            .collect()
    }
}
