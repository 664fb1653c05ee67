//! The one JSON body extractor of every route that takes a body.
//!
//! It checks the content type (415) and size (413), reads the bytes, and decodes them strictly:
//! invalid JSON, trailing garbage, invalid UTF-8, a byte-order mark, a body that is not an object
//! and a key given twice in one object are 400s. Then the value is decoded into the route's type
//! with the path of any field that does not fit (`metadata.tier`, `roles[2]`), so the problem
//! names the field.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;

use actix_web::http::StatusCode;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use serde::de::{self, DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::extract::BODY_LIMIT;
use crate::{FieldError, Problem};

/// A required JSON object body, decoded into `T`.
pub struct Body<T>(pub T);

/// A body that may be left out entirely (no bytes): `None`. Anything sent is held to the same
/// rules as [`Body`], so a garbled body is never mistaken for an absent one.
pub struct OptionalBody<T>(pub Option<T>);

impl<T: DeserializeOwned + 'static> FromRequest for Body<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let read = read(req, payload);
        Box::pin(async move {
            let (req, bytes) = read.await?;
            Ok(Body(decode(&req, &bytes)?))
        })
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for OptionalBody<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let read = read(req, payload);
        Box::pin(async move {
            let (req, bytes) = read.await?;
            if bytes.is_empty() {
                return Ok(OptionalBody(None));
            }
            Ok(OptionalBody(Some(decode(&req, &bytes)?)))
        })
    }
}

/// A body taken as it is, for a route that reads other formats than JSON (a YAML document): the
/// size limit and its problems as for [`Body`], the rest up to the route.
pub struct Raw(pub web::Bytes);

impl FromRequest for Raw {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let read = read(req, payload);
        Box::pin(async move { Ok(Raw(read.await?.1)) })
    }
}

/// The whole body (within the app's `PayloadConfig` limit), with the request it came with.
fn read(
    req: &HttpRequest,
    payload: &mut actix_web::dev::Payload,
) -> impl Future<Output = Result<(HttpRequest, web::Bytes), actix_web::Error>> {
    let req = req.clone();
    let bytes = web::Bytes::from_request(&req, payload);
    async move {
        let bytes = bytes.await.map_err(payload_problem)?;
        Ok((req, bytes))
    }
}

/// Reading the body failed: too large (413) or cut off (400).
fn payload_problem(e: actix_web::Error) -> actix_web::Error {
    let problem = if e.as_response_error().status_code() == StatusCode::PAYLOAD_TOO_LARGE {
        Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            "Payload too large",
            format!("the body exceeds the limit of {BODY_LIMIT} bytes"),
        )
    } else {
        Problem::malformed(format!("could not read the body: {e}"))
    };
    problem.into()
}

fn is_json(req: &HttpRequest) -> bool {
    match req.mime_type() {
        Ok(Some(mime)) => {
            mime.type_() == "application"
                && (mime.subtype() == "json" || mime.suffix().is_some_and(|s| s == "json"))
        }
        _ => false,
    }
}

fn decode<T: DeserializeOwned>(req: &HttpRequest, bytes: &[u8]) -> Result<T, Problem> {
    if !is_json(req) {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Unsupported media type",
            "the body must be JSON with `content-type: application/json`",
        ));
    }
    let value = strict_value(bytes)?;
    if !value.is_object() {
        return Err(Problem::malformed("the body must be a JSON object"));
    }
    from_value(value, "")
}

/// Decodes `value` into `T`; a field that does not fit is a 400 naming its path below `at`
/// (`items[3].roles[0]`), a missing one is named at its parent.
pub fn from_value<T: DeserializeOwned>(value: Value, at: &str) -> Result<T, Problem> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let message = e.inner().to_string();
        let missing = message
            .strip_prefix("missing field `")
            .and_then(|m| m.split('`').next());
        let inner = match (path.as_str(), missing) {
            (".", Some(name)) => name.to_owned(),
            (p, Some(name)) => format!("{p}.{name}"),
            (".", None) => String::new(),
            (p, None) => p.to_owned(),
        };
        let field = match (at, inner.as_str()) {
            ("", "") => "body".to_owned(),
            ("", inner) => inner.to_owned(),
            (at, "") => at.to_owned(),
            (at, inner) => format!("{at}.{inner}"),
        };
        Problem::validation(vec![FieldError { field, message }])
    })
}

/// Parses a whole JSON document, refusing a key that appears twice in one object (400 naming it).
pub fn strict_value(bytes: &[u8]) -> Result<Value, Problem> {
    let duplicate = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let parsed = StrictSeed {
        path: String::new(),
        duplicate: &duplicate,
    }
    .deserialize(&mut de)
    .and_then(|v| de.end().map(|()| v));
    match (parsed, duplicate.into_inner()) {
        (Ok(v), _) => Ok(v),
        (Err(_), Some(path)) => Err(Problem::field(
            &path,
            "given more than once in the same object",
        )),
        (Err(e), None) => Err(Problem::malformed(format!(
            "the body is not valid JSON: {e}"
        ))),
    }
}

/// Builds a `serde_json::Value` like its own `Deserialize` does, but keeps the path of where it is
/// and stops at the first duplicate key.
struct StrictSeed<'a> {
    path: String,
    duplicate: &'a RefCell<Option<String>>,
}

impl StrictSeed<'_> {
    fn child(&self, step: String) -> Self {
        StrictSeed {
            path: step,
            duplicate: self.duplicate,
        }
    }
}

impl<'de> DeserializeSeed<'de> for StrictSeed<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(v.into())
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(v.into())
    }

    /// A number without a fractional part is an integer however it is written (`1.0`, `1e3`):
    /// JSON Schema counts it as one, and some clients write numbers that way. Fractional ones
    /// stay as they are (and a field that takes an integer refuses them, naming the field).
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        // i64's range, exactly: -2^63 ≤ v < 2^63.
        const LIMIT: f64 = 9_223_372_036_854_775_808.0;
        if v.fract() == 0.0 && (-LIMIT..LIMIT).contains(&v) {
            return Ok((v as i64).into());
        }
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(v) =
            seq.next_element_seed(self.child(format!("{}[{}]", self.path, items.len())))?
        {
            items.push(v);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = if self.path.is_empty() {
                key.clone()
            } else {
                format!("{}.{key}", self.path)
            };
            if object.contains_key(&key) {
                *self.duplicate.borrow_mut() = Some(path);
                return Err(de::Error::custom("duplicate key"));
            }
            let value = map.next_value_seed(self.child(path))?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_keys_are_named_with_their_path() {
        let p = strict_value(br#"{"name": "a", "name": "b"}"#).unwrap_err();
        assert_eq!(p.errors[0].field, "name");
        let p =
            strict_value(br#"{"metadata": {"tier": "a", "x": [ {"k": 1, "k": 2} ], "tier": "b"}}"#)
                .unwrap_err();
        assert_eq!(p.errors[0].field, "metadata.x[0].k");
    }

    #[test]
    fn strict_parsing_keeps_values_and_refuses_garbage() {
        let v = strict_value(br#"{"a": [1, -2, 2.5, true, null, "s"], "b": {}}"#).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"a": [1, -2, 2.5, true, null, "s"], "b": {}})
        );
        for bad in [
            &b"{\"a\": 1} x"[..],
            b"{\"a\": ",
            b"\xef\xbb\xbf{}",
            b"{\"a\": \"\xff\"}",
            b"\xff\xfe{\x00}\x00",
        ] {
            let p = strict_value(bad).unwrap_err();
            assert_eq!(p.status, 400, "{bad:?}");
            assert!(p.errors.is_empty(), "{bad:?}");
        }
    }

    #[test]
    fn integral_numbers_are_integers_however_written_and_fractions_stay_fractions() {
        let v =
            strict_value(br#"{"n": 1.0, "e": 1e3, "neg": -2.0, "big": 1e19, "f": 1.5}"#).unwrap();
        assert!(
            v["n"].is_i64() && v["e"].is_i64() && v["neg"].is_i64(),
            "{v}"
        );
        assert_eq!(
            (v["n"].as_i64(), v["e"].as_i64(), v["neg"].as_i64()),
            (Some(1), Some(1000), Some(-2))
        );
        assert!(v["big"].is_f64(), "past i64: left as written");
        assert!(v["f"].is_f64());
        #[derive(Debug, serde::Deserialize)]
        struct Days {
            days: u32,
        }
        let days: Days = from_value(strict_value(br#"{"days": 7.0}"#).unwrap(), "").unwrap();
        assert_eq!(days.days, 7);
        let p = from_value::<Days>(strict_value(br#"{"days": 7.5}"#).unwrap(), "").unwrap_err();
        assert_eq!(p.errors[0].field, "days");
    }
}
