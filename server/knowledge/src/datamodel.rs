//! Splunk data models from the JSON files an app ships (`default/data/models/*.json`, e.g.
//! `Splunk_SA_CIM`): a user's own CIM version or custom models.
//!
//! Shape read (other keys ignored): `{"modelName", "displayName", "objects": [{"objectName",
//! "parentName", "fields": [{"fieldName", "type", "multivalue"}], "calculations":
//! [{"outputFields": [...]}], "constraints": [{"search"}], "comment": {"tags": [...]}}]}`.
//! An object whose parent is not another object of the file (`BaseEvent`, `BaseSearch`) is a
//! root dataset; a child inherits its parent's fields.

use std::path::Path;

use serde::Deserialize;

use super::KnowledgeError;
use super::spl::{CimField, CimType, DataModel, Dataset};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ModelJson {
    model_name: String,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    objects: Vec<ObjectJson>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ObjectJson {
    object_name: String,
    #[serde(default)]
    parent_name: Option<String>,
    #[serde(default)]
    fields: Vec<FieldJson>,
    #[serde(default)]
    calculations: Vec<CalculationJson>,
    #[serde(default)]
    constraints: Vec<ConstraintJson>,
    #[serde(default)]
    comment: Option<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CalculationJson {
    #[serde(default)]
    output_fields: Vec<FieldJson>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FieldJson {
    field_name: String,
    #[serde(default, rename = "type")]
    ty: Option<String>,
    #[serde(default)]
    multivalue: bool,
}

#[derive(Deserialize)]
struct ConstraintJson {
    #[serde(default)]
    search: String,
}

/// Parses one data model file; `path` is used in errors only.
pub fn parse_datamodel_json(text: &str, path: &Path) -> Result<DataModel, KnowledgeError> {
    let model: ModelJson = serde_json::from_str(text).map_err(|e| KnowledgeError::Invalid {
        path: path.to_owned(),
        line: e.line(),
        column: e.column(),
        message: format!("not a Splunk data model: {e}"),
    })?;
    let mut datasets: Vec<Dataset> = Vec::with_capacity(model.objects.len());
    // Parents come before children in Splunk's files, but do not rely on it.
    let mut pending: Vec<&ObjectJson> = model.objects.iter().collect();
    while !pending.is_empty() {
        let before = pending.len();
        pending.retain(|object| !add_dataset(object, &model.objects, &mut datasets));
        if pending.len() == before {
            let cyclic = &pending[0].object_name;
            return Err(KnowledgeError::Invalid {
                path: path.to_owned(),
                line: 1,
                column: 1,
                message: format!("dataset `{cyclic}` has a parent cycle"),
            });
        }
    }
    Ok(DataModel {
        display_name: model.display_name.unwrap_or_else(|| model.model_name.clone()),
        name: model.model_name,
        datasets,
        file: Some(path.to_owned()),
    })
}

/// Adds `object` once its parent (if it is an object of the file) is in `datasets`; false
/// when the parent is still missing.
fn add_dataset(object: &ObjectJson, all: &[ObjectJson], datasets: &mut Vec<Dataset>) -> bool {
    let parent_name = object
        .parent_name
        .as_deref()
        .filter(|p| all.iter().any(|o| o.object_name == *p && o.object_name != object.object_name));
    let parent = match parent_name {
        Some(name) => match datasets.iter().find(|d| d.name == name) {
            Some(parent) => Some(parent),
            None => return false,
        },
        None => None,
    };
    let mut fields: Vec<CimField> = parent
        .map(|p| p.fields.iter().map(|f| CimField { inherited: true, ..f.clone() }).collect())
        .unwrap_or_default();
    let own = object.fields.iter().chain(object.calculations.iter().flat_map(|c| &c.output_fields));
    for field in own {
        if fields.iter().any(|f| f.name == field.field_name) {
            continue;
        }
        fields.push(CimField {
            name: field.field_name.clone(),
            ty: field.ty.as_deref().and_then(CimType::parse).unwrap_or(CimType::String),
            multivalue: field.multivalue,
            inherited: false,
        });
    }
    let lineage = match parent {
        Some(p) => format!("{}.{}", p.lineage, object.object_name),
        None => object.object_name.clone(),
    };
    let tags = object
        .comment
        .as_ref()
        .and_then(|c| c.get("tags"))
        .and_then(|t| t.as_array())
        .map(|t| t.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    let constraint =
        object.constraints.iter().map(|c| c.search.as_str()).collect::<Vec<_>>().join(" ");
    datasets.push(Dataset {
        name: object.object_name.clone(),
        lineage,
        parent: parent_name.map(str::to_owned),
        tags,
        constraint,
        fields,
    });
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODEL: &str = r#"{
      "modelName": "Endpoint", "displayName": "Endpoint",
      "objects": [
        {"objectName": "Registry", "parentName": "BaseEvent",
         "comment": {"tags": ["endpoint", "registry"]},
         "constraints": [{"search": "tag=endpoint tag=registry"}],
         "fields": [{"fieldName": "registry_path", "type": "string"},
                    {"fieldName": "process_path", "type": "string"},
                    {"fieldName": "process_id", "type": "number"}],
         "calculations": [{"outputFields": [{"fieldName": "vendor_product", "type": "string"}]}]},
        {"objectName": "Registry_Deletes", "parentName": "Registry",
         "fields": [{"fieldName": "deleted_by", "type": "string", "multivalue": true}]}
      ]}"#;

    #[test]
    fn reads_datasets_fields_and_inheritance() {
        let model = parse_datamodel_json(MODEL, Path::new("Endpoint.json")).unwrap();
        assert_eq!(model.name, "Endpoint");
        let registry = model.dataset("Registry").unwrap();
        assert_eq!(registry.tags, ["endpoint", "registry"]);
        assert_eq!(registry.constraint, "tag=endpoint tag=registry");
        assert_eq!(registry.field("process_id").unwrap().ty, CimType::Number);
        assert!(registry.field("vendor_product").is_some(), "calculated fields count");
        let child = model.dataset("Registry.Registry_Deletes").unwrap();
        assert_eq!(child.parent.as_deref(), Some("Registry"));
        assert!(child.field("process_path").unwrap().inherited);
        assert!(child.field("deleted_by").unwrap().multivalue);
        assert!(model.resolve_field("Registry.process_path").is_some());
    }

    #[test]
    fn bad_json_names_the_place() {
        let err = parse_datamodel_json("{\"modelName\": 3}", Path::new("m.json")).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("m.json:1:"), "{text}");
        assert!(text.contains("not a Splunk data model"), "{text}");
    }

    #[test]
    fn parent_cycles_are_errors() {
        let text = r#"{"modelName": "M", "objects": [
            {"objectName": "A", "parentName": "B"}, {"objectName": "B", "parentName": "A"}]}"#;
        let err = parse_datamodel_json(text, Path::new("m.json")).unwrap_err();
        assert!(err.to_string().contains("parent cycle"), "{err}");
    }
}
