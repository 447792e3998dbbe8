//! The JSON Schema of case files, generated from the serde types in `case`
//! so the two cannot drift apart. Draft 7, the version taplo (and so Even
//! Better TOML) understands; case files point at the committed copy with a
//! `#:schema` header.

use serde_json::Value;

use crate::types::Case;

/// Where the schema is committed, relative to the project root.
pub const PATH: &str = "schema/case.schema.json";

/// The schema as committed: pretty-printed JSON with a final newline.
pub fn case_schema() -> String {
    let schema = schemars::generate::SchemaSettings::draft07().into_generator().into_root_schema_for::<Case>();
    let mut value = schema.to_value();
    drop_null(&mut value);
    sort_keys(&mut value);
    let mut text = serde_json::to_string_pretty(&value).expect("a schema is plain JSON");
    text.push('\n');
    text
}

/// TOML has no null: an optional key is left out, never set to null. So
/// `"type": ["string", "null"]` becomes `"type": "string"`, `"anyOf": [X,
/// {"type": "null"}]` becomes `"allOf": [X]` (not X itself: draft 7 ignores
/// the siblings of a `$ref`, such as the description), and `"default": null`
/// goes, or an editor would offer a value no case can hold.
fn drop_null(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.get("default") == Some(&Value::Null) {
                map.remove("default");
            }
            if let Some(Value::Array(alternatives)) = map.get_mut("anyOf") {
                alternatives.retain(|a| a.get("type").is_none_or(|t| t != "null"));
                if alternatives.len() == 1 {
                    let only = map.remove("anyOf").expect("just matched");
                    map.insert("allOf".into(), only);
                }
            }
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if let [only] = types.as_slice() {
                    let only = only.clone();
                    map.insert("type".into(), only);
                }
            }
            map.values_mut().for_each(drop_null);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_null),
        _ => {}
    }
}

/// Keys in sorted order, whether or not some crate in the build turns on
/// serde_json's `preserve_order`: the committed file must not depend on the
/// dependency graph.
fn sort_keys(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = std::mem::take(map).into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            for (key, mut v) in entries {
                sort_keys(&mut v);
                map.insert(key, v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(sort_keys),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optional_keys_have_no_null() {
        let schema = case_schema();
        assert!(!schema.contains("\"null\""), "{schema}");
        let value: Value = serde_json::from_str(&schema).unwrap();
        let result = &value["definitions"]["Expect"]["properties"]["result"];
        assert_eq!(result["type"], "string");
        assert!(result.get("default").is_none());
        let http = &value["properties"]["http"];
        assert_eq!(http["allOf"][0]["$ref"], "#/definitions/HttpRequest");
        assert!(http.get("anyOf").is_none());
    }
}
