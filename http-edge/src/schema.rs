//! Rules between a body's fields that a handler checks and a client generator or fuzzer should
//! know, added to the body's JSON Schema (schemars `transform`s): "exactly one of these fields",
//! "this one, or some of those".

use schemars::Schema;
use serde_json::{json, Value};

/// Adds `rule` to `schema` (beside any it has: all must hold).
fn require(schema: &mut Schema, rule: Value) {
    let object = schema.ensure_object();
    let all = object.entry("allOf").or_insert_with(|| json!([]));
    if let Some(list) = all.as_array_mut() {
        list.push(rule);
    }
}

/// Exactly one of `fields` is given.
pub fn exactly_one(schema: &mut Schema, fields: &[&str]) {
    let one: Vec<Value> = fields.iter().map(|f| json!({"required": [f]})).collect();
    require(schema, json!({ "oneOf": one }));
}

/// Either `alone` is given (and none of `together`), or at least one of `together` (and not
/// `alone`).
pub fn one_or_some_of(schema: &mut Schema, alone: &str, together: &[&str]) {
    let some: Vec<Value> = together.iter().map(|f| json!({"required": [f]})).collect();
    require(
        schema,
        json!({"oneOf": [{"required": [alone]}, {"anyOf": some}]}),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_added_beside_the_schema_s_own() {
        let mut schema = schemars::json_schema!({"type": "object"});
        exactly_one(&mut schema, &["user_id", "application_id"]);
        one_or_some_of(&mut schema, "set", &["add", "remove"]);
        assert_eq!(
            schema.to_value(),
            json!({"type": "object", "allOf": [
                {"oneOf": [{"required": ["user_id"]}, {"required": ["application_id"]}]},
                {"oneOf": [{"required": ["set"]}, {"anyOf": [{"required": ["add"]}, {"required": ["remove"]}]}]},
            ]})
        );
    }
}
