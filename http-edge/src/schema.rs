//! Rules between a body's fields that a handler checks and a client generator or fuzzer should
//! know, added to the body's JSON Schema (schemars `transform`s): "exactly one of these fields",
//! "this one, or some of those".

use schemars::Schema;
use serde_json::{json, Value};

/// Adds `rule` to `schema` (beside any it has: all must hold). Inside `allOf`, generators keep
/// the body one type (openapi-python-client one class; openapi-typescript the object with a union
/// of what each branch requires); a `oneOf` beside `properties` would make it a union of types.
fn require(schema: &mut Schema, rule: Value) {
    let object = schema.ensure_object();
    let all = object.entry("allOf").or_insert_with(|| json!([]));
    if let Some(list) = all.as_array_mut() {
        list.push(rule);
    }
}

/// "`field` is given, with a value": an object schema requiring it, its property's schema
/// without `null` (a branch must say what the field holds for a generator to type it).
fn given(schema: &Schema, field: &str) -> Value {
    let property = schema
        .get("properties")
        .and_then(|p| p.get(field))
        .cloned()
        .unwrap_or_else(|| json!({}));
    json!({"type": "object", "required": [field], "properties": {field: non_null(property)}})
}

/// A property's schema without its `null` alternative.
fn non_null(mut property: Value) -> Value {
    let is_null = |v: &Value| v.get("type") == Some(&json!("null"));
    if let Some(any) = property.get("anyOf").and_then(Value::as_array) {
        let rest: Vec<&Value> = any.iter().filter(|v| !is_null(v)).collect();
        if let [only] = rest.as_slice() {
            return (*only).clone();
        }
    }
    if let Some(types) = property.get_mut("type").and_then(Value::as_array_mut) {
        types.retain(|t| t != "null");
    }
    if let Some(map) = property.as_object_mut() {
        map.remove("default");
    }
    property
}

/// Exactly one of `fields` is given a value.
pub fn exactly_one(schema: &mut Schema, fields: &[&str]) {
    let one: Vec<Value> = fields.iter().map(|f| given(schema, f)).collect();
    require(schema, json!({ "oneOf": one }));
}

/// Either `alone` is given (and none of `together`), or at least one of `together` (and not
/// `alone`).
pub fn one_or_some_of(schema: &mut Schema, alone: &str, together: &[&str]) {
    let some: Vec<Value> = together.iter().map(|f| given(schema, f)).collect();
    let alone = given(schema, alone);
    require(schema, json!({"oneOf": [alone, {"anyOf": some}]}));
}

/// `synonym` is another name for `field` (serde's `alias`, which schemars does not see): it takes
/// what `field` takes, exactly one of them and `others` is given a value, and never both names.
pub fn synonym(schema: &mut Schema, field: &str, synonym: &str, others: &[&str]) {
    let object = schema.ensure_object();
    if let Some(properties) = object.get_mut("properties").and_then(|p| p.as_object_mut()) {
        if let Some(taken) = properties.get(field).cloned() {
            properties.insert(synonym.to_owned(), taken);
        }
    }
    if let Some(required) = object.get_mut("required").and_then(|r| r.as_array_mut()) {
        required.retain(|r| r != field);
    }
    let mut fields = vec![field, synonym];
    fields.extend(others);
    exactly_one(schema, &fields);
    require(schema, json!({"not": {"required": [field, synonym]}}));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_added_beside_the_schema_s_own_naming_what_each_branch_holds() {
        let mut schema = schemars::json_schema!({"type": "object", "properties": {
            "user_id": {"anyOf": [{"$ref": "#/$defs/SubjectId"}, {"type": "null"}], "default": null},
            "application_id": {"$ref": "#/$defs/SubjectId"},
            "set": {"type": ["array", "null"]},
            "add": {"type": "array"},
            "remove": {"type": "array"},
        }});
        exactly_one(&mut schema, &["user_id", "application_id"]);
        one_or_some_of(&mut schema, "set", &["add", "remove"]);
        let branch =
            |f: &str, s: Value| json!({"type": "object", "required": [f], "properties": {f: s}});
        let subject = json!({"$ref": "#/$defs/SubjectId"});
        let list = json!({"type": ["array"]});
        assert_eq!(
            schema.get("allOf").unwrap(),
            &json!([
                {"oneOf": [branch("user_id", subject.clone()), branch("application_id", subject)]},
                {"oneOf": [branch("set", list), {"anyOf": [
                    branch("add", json!({"type": "array"})),
                    branch("remove", json!({"type": "array"})),
                ]}]},
            ])
        );
    }

    #[test]
    fn a_synonym_takes_the_field_s_schema_and_never_comes_with_it() {
        let mut schema = schemars::json_schema!({"type": "object", "required": ["external_id"],
            "properties": {"external_id": {"type": "string"}}});
        synonym(&mut schema, "external_id", "alias", &[]);
        assert_eq!(schema.get("required").unwrap(), &json!([]));
        assert_eq!(
            schema.get("properties").unwrap()["alias"],
            json!({"type": "string"})
        );
        assert_eq!(
            schema.get("allOf").unwrap()[1],
            json!({"not": {"required": ["external_id", "alias"]}})
        );
    }
}
