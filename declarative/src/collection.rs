//! A list of the document — roles, members, groups, invitations — written as a plain list (the
//! default, `merge`: what it lists is created or updated, the rest left alone) or as
//! `{mode: replace, items: […]}` (the list is the whole truth: with `--prune`, what this
//! document's source manages and the list no longer names is removed).

use std::fmt;
use std::marker::PhantomData;

use schemars::JsonSchema;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    #[default]
    Merge,
    Replace,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Collection<T> {
    pub mode: Mode,
    pub items: Vec<T>,
}

impl<T> Default for Collection<T> {
    fn default() -> Self {
        Self {
            mode: Mode::Merge,
            items: Vec::new(),
        }
    }
}

impl<T> Collection<T> {
    /// A plain list (`merge`).
    pub fn merge(items: Vec<T>) -> Self {
        Self {
            mode: Mode::Merge,
            items,
        }
    }

    /// Says nothing: no items, and not the whole truth either.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty() && self.mode == Mode::Merge
    }
}

impl<T: Serialize> Serialize for Collection<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.mode {
            Mode::Merge => self.items.serialize(s),
            Mode::Replace => {
                let mut full = s.serialize_struct("Collection", 2)?;
                full.serialize_field("mode", &self.mode)?;
                full.serialize_field("items", &self.items)?;
                full.end()
            }
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Collection<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(CollectionVisitor(PhantomData))
    }
}

struct CollectionVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for CollectionVisitor<T> {
    type Value = Collection<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list, or {mode: merge|replace, items: [...]}")
    }

    /// `null` (in YAML, a key with nothing after it) is an empty list.
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Collection::merge(Vec::new()))
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.visit_unit()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        let items = Vec::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
        Ok(Collection::merge(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut mode, mut items) = (None, None);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "mode" if mode.is_none() => mode = Some(map.next_value()?),
                "items" if items.is_none() => items = Some(map.next_value()?),
                "mode" | "items" => return Err(de::Error::custom(format!("`{key}` given twice"))),
                other => return Err(de::Error::unknown_field(other, &["mode", "items"])),
            }
        }
        Ok(Collection {
            mode: mode.unwrap_or_default(),
            items: items.ok_or_else(|| de::Error::missing_field("items"))?,
        })
    }
}

impl<T: JsonSchema> JsonSchema for Collection<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("Collection_of_{}", T::schema_name()).into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let list = generator.subschema_for::<Vec<T>>();
        let mode = generator.subschema_for::<Mode>();
        schemars::json_schema!({
            "oneOf": [
                list,
                {"type": "null"},
                {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["items"],
                    "properties": {"mode": mode, "items": list}
                }
            ]
        })
    }
}
