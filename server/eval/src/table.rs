//! Rows and tables: what the evaluators read and produce.

use qlint_knowledge::ScalarType;

use crate::value::Value;

/// One row: column names with their values, in column order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Row {
    fields: Vec<(String, Value)>,
}

impl Row {
    /// An empty row.
    pub fn new() -> Self {
        Self::default()
    }

    /// The value of `name` (exact, case-sensitive), if the row has it.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// Sets `name` to `value`, keeping its place when it exists, appending it otherwise.
    pub fn set(&mut self, name: impl Into<String>, value: Value) {
        let name = name.into();
        match self.fields.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.fields.push((name, value)),
        }
    }

    /// Removes `name`, returning its value.
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        let at = self.fields.iter().position(|(n, _)| n == name)?;
        Some(self.fields.remove(at).1)
    }

    /// The fields in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.fields.iter().map(|(n, v)| (n.as_str(), v))
    }

    /// The column names in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|(n, _)| n.as_str())
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// True when the row has no field.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }
}

impl FromIterator<(String, Value)> for Row {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Self {
        let mut row = Row::new();
        for (name, value) in iter {
            row.set(name, value);
        }
        row
    }
}

/// A column of a table: its name and, for KQL, its type (`None` when untyped, as in SPL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Name.
    pub name: String,
    /// Type, when known.
    pub ty: Option<ScalarType>,
}

impl Column {
    /// A typed column.
    pub fn typed(name: impl Into<String>, ty: ScalarType) -> Self {
        Self { name: name.into(), ty: Some(ty) }
    }

    /// An untyped column.
    pub fn untyped(name: impl Into<String>) -> Self {
        Self { name: name.into(), ty: None }
    }
}

/// A table: its columns in order and its rows. A row may lack a column (read as null).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// The columns in output order.
    pub columns: Vec<Column>,
    /// The rows.
    pub rows: Vec<Row>,
}

impl Table {
    /// An empty table with untyped columns.
    pub fn with_columns<S: Into<String>>(names: impl IntoIterator<Item = S>) -> Self {
        let columns = names.into_iter().map(Column::untyped).collect();
        Self { columns, rows: Vec::new() }
    }

    /// The column called `name`.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Adds a column at the end unless one of that name exists.
    pub fn add_column(&mut self, column: Column) {
        if self.column(&column.name).is_none() {
            self.columns.push(column);
        }
    }

    /// The column names in order.
    pub fn column_names(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().map(|c| c.name.as_str())
    }

    /// A row's value of `name`, null when the row lacks it.
    pub fn cell<'a>(&self, row: &'a Row, name: &str) -> &'a Value {
        row.get(name).unwrap_or(&Value::Null)
    }

    /// The table as plain text: a header, a rule and one line per row, columns padded.
    pub fn render(&self) -> String {
        render_text(&self.column_names().collect::<Vec<_>>(), &self.rows)
    }
}

/// Renders `rows` under `columns` as a padded text table (at most 60 characters per cell;
/// line breaks are shown as `⏎`).
pub fn render_text(columns: &[&str], rows: &[Row]) -> String {
    let cells: Vec<Vec<String>> =
        rows.iter().map(|row| columns.iter().map(|c| cell_text(row.get(c))).collect()).collect();
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| cells.iter().map(|r| width(&r[i])).chain([width(c)]).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    push_line(&mut out, columns.iter().map(|c| c.to_string()), &widths);
    push_line(&mut out, widths.iter().map(|w| "-".repeat(*w)), &widths);
    for row in cells {
        push_line(&mut out, row.into_iter(), &widths);
    }
    out
}

fn cell_text(value: Option<&Value>) -> String {
    let text = value.map(Value::to_string).unwrap_or_default().replace('\n', "⏎");
    if width(&text) > 60 {
        let cut: String = text.chars().take(59).collect();
        format!("{cut}…")
    } else {
        text
    }
}

fn width(text: &str) -> usize {
    text.chars().count()
}

fn push_line(out: &mut String, cells: impl Iterator<Item = String>, widths: &[usize]) {
    let padded: Vec<String> =
        cells.zip(widths).map(|(c, w)| format!("{c}{}", " ".repeat(w - width(&c)))).collect();
    out.push_str(padded.join(" | ").trim_end());
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_keep_their_order_and_replace_in_place() {
        let mut row = Row::new();
        row.set("b", Value::Long(1));
        row.set("a", Value::Long(2));
        row.set("b", Value::Long(3));
        assert_eq!(row.names().collect::<Vec<_>>(), ["b", "a"]);
        assert_eq!(row.get("b"), Some(&Value::Long(3)));
        assert_eq!(row.remove("b"), Some(Value::Long(3)));
        assert_eq!(row.len(), 1);
    }

    #[test]
    fn tables_render_as_padded_text() {
        let mut table = Table::with_columns(["Name", "N"]);
        table.rows.push([("Name".to_string(), Value::str("evil.exe"))].into_iter().collect());
        table.rows.push([("N".to_string(), Value::Long(12))].into_iter().collect());
        let expected = "Name     | N\n-------- | --\nevil.exe |\n         | 12\n";
        assert_eq!(table.render(), expected);
    }
}
