//! [`Catalog`] over [`Knowledge`].
//!
//! The knowledge API is still a placeholder on main (issue 5), so this adapter answers from
//! what it exposes today: nothing. It is the only place to change when the API lands.

use crate::knowledge::Knowledge;
use crate::lint::Language;

use super::catalog::{Catalog, Entry, FieldEntry, MacroEntry, TableEntry};

impl Catalog for Knowledge {
    fn table_names(&self) -> Vec<String> {
        Vec::new()
    }
    fn table(&self, _: &str) -> Option<TableEntry> {
        None
    }
    fn functions(&self, _: Language) -> Vec<Entry> {
        Vec::new()
    }
    fn tabular_operators(&self) -> Vec<Entry> {
        Vec::new()
    }
    fn spl_commands(&self) -> Vec<Entry> {
        Vec::new()
    }
    fn macros(&self) -> Vec<MacroEntry> {
        Vec::new()
    }
    fn datamodel_fields(&self) -> Vec<FieldEntry> {
        Vec::new()
    }
}
