//! Lookup definitions from the workspace: `transforms.conf` stanzas, security-content
//! `lookups/*.yml`, and CSV files inside a `lookups` directory.

use std::path::Path;

use serde::Deserialize;

use super::KnowledgeError;
use super::macros::{joined_value, logical_lines};
use super::spl::{Lookup, LookupOrigin};

/// Lookups defined in a `transforms.conf`: stanzas with `filename` or `collection`.
/// Stanzas without either are field transforms, not lookups, and are skipped.
pub fn parse_transforms_conf(text: &str, path: &Path) -> Vec<Lookup> {
    let mut out = Vec::new();
    let mut current: Option<Lookup> = None;
    let flush = |current: &mut Option<Lookup>, out: &mut Vec<Lookup>| {
        if let Some(l) = current.take()
            && !l.target.is_empty()
        {
            out.push(l);
        }
    };
    for line in logical_lines(text) {
        let content = line.text.trim();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        if let Some(rest) = content.strip_prefix('[') {
            flush(&mut current, &mut out);
            let name = rest.split(']').next().unwrap_or_default().trim();
            if !name.is_empty() && name != "default" {
                current = Some(Lookup {
                    name: name.to_owned(),
                    kind: String::new(),
                    target: String::new(),
                    match_type: String::new(),
                    fields: Vec::new(),
                    origin: LookupOrigin::File { path: path.to_owned(), line: line.number as u32 },
                });
            }
            continue;
        }
        let (Some(l), Some((key, value))) = (current.as_mut(), content.split_once('=')) else {
            continue;
        };
        let value = joined_value(value.trim());
        match key.trim() {
            "filename" => {
                l.kind = if value.ends_with(".mlmodel") { "mlmodel" } else { "csv" }.to_owned();
                l.target = value;
            }
            "collection" => {
                l.kind = "kvstore".to_owned();
                l.target = value;
            }
            "match_type" => l.match_type = value,
            "fields_list" => {
                l.fields = value
                    .split(',')
                    .map(|f| f.trim().to_owned())
                    .filter(|f| !f.is_empty())
                    .collect();
            }
            _ => {}
        }
    }
    flush(&mut current, &mut out);
    out
}

#[derive(Deserialize)]
struct LookupYaml {
    name: serde_saphyr::Spanned<String>,
    #[serde(default)]
    filename: Option<String>,
    #[serde(default)]
    collection: Option<String>,
    #[serde(default)]
    match_type: Option<String>,
    #[serde(default)]
    fields_list: Option<String>,
}

/// A security-content lookup definition (`name`, `filename` or `collection`, ...).
pub fn parse_lookup_yaml(text: &str, path: &Path) -> Result<Lookup, KnowledgeError> {
    let parsed: LookupYaml = serde_saphyr::from_str(text).map_err(|e| {
        let (line, column) =
            e.location().map_or((1, 1), |l| (l.line().max(1) as usize, l.column().max(1) as usize));
        let message = e.to_string();
        KnowledgeError::invalid(
            path,
            line,
            column,
            message.lines().next().unwrap_or("invalid YAML"),
        )
    })?;
    let (kind, target) = match (&parsed.filename, &parsed.collection) {
        (Some(f), _) if f.ends_with(".mlmodel") => ("mlmodel", f.clone()),
        (Some(f), _) => ("csv", f.clone()),
        (None, Some(c)) => ("kvstore", c.clone()),
        (None, None) => ("", String::new()),
    };
    Ok(Lookup {
        name: parsed.name.value.trim().to_owned(),
        kind: kind.to_owned(),
        target,
        match_type: parsed.match_type.unwrap_or_default(),
        fields: parsed
            .fields_list
            .map(|f| f.split(',').map(|x| x.trim().to_owned()).filter(|x| !x.is_empty()).collect())
            .unwrap_or_default(),
        origin: LookupOrigin::File {
            path: path.to_owned(),
            line: parsed.name.referenced.line() as u32,
        },
    })
}

/// A CSV file in a `lookups` directory is usable by file name (`| inputlookup users.csv`);
/// its header row gives the fields.
pub fn lookup_from_csv(text: &str, path: &Path) -> Option<Lookup> {
    let name = path.file_name()?.to_string_lossy().into_owned();
    let header = text.lines().next().unwrap_or_default().trim_start_matches('\u{feff}');
    let fields = header
        .split(',')
        .map(|f| f.trim().trim_matches('"').to_owned())
        .filter(|f| !f.is_empty())
        .collect();
    Some(Lookup {
        name: name.clone(),
        kind: "csv".to_owned(),
        target: name,
        match_type: String::new(),
        fields,
        origin: LookupOrigin::File { path: path.to_owned(), line: 1 },
    })
}
