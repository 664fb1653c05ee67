//! The one field-error accumulator, and the serde helpers for partial updates: every route that
//! parses input reports all of its bad fields at once, each named.

use serde::{Deserialize, Deserializer};

use crate::{FieldError, Problem};

/// Collects every field's problem, not just the first.
#[derive(Debug, Default)]
pub struct Fields(Vec<FieldError>);

impl Fields {
    /// Records `field`'s problem.
    pub fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_owned(),
            message: message.into(),
        });
    }

    /// The parsed value, or `None` with `field`'s problem recorded.
    pub fn check<T, E: std::fmt::Display>(&mut self, field: &str, r: Result<T, E>) -> Option<T> {
        r.map_err(|e| self.fail(field, e.to_string())).ok()
    }

    /// Every item of the list `field` parsed, each problem named `field[i]`; `None` if any failed.
    pub fn each<T, E: std::fmt::Display>(
        &mut self,
        field: &str,
        items: &[String],
        parse: impl Fn(&str) -> Result<T, E>,
    ) -> Option<Vec<T>> {
        let parsed: Vec<Option<T>> = (items.iter().enumerate())
            .map(|(i, item)| self.check(&format!("{field}[{i}]"), parse(item)))
            .collect();
        parsed.into_iter().collect()
    }

    /// A nullable field of a partial update: absent → `None` (leave alone), `null` →
    /// `Some(None)` (clear), a value → `Some(Some(parsed))`.
    pub fn check_nullable<I, T, E: std::fmt::Display>(
        &mut self,
        field: &str,
        input: Option<Option<I>>,
        parse: impl FnOnce(I) -> Result<T, E>,
    ) -> Option<Option<T>> {
        match input {
            Some(Some(v)) => self.check(field, parse(v)).map(Some),
            Some(None) => Some(None),
            None => None,
        }
    }

    /// 400 naming every recorded field, or `Ok` when there is none.
    pub fn finish(self) -> Result<(), Problem> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Problem::validation(self.0))
        }
    }

    /// Like [`finish`](Self::finish), handing back `value` (the parsed parts) when all is well:
    /// a field that failed left its part `None`, so `value` is only looked at on success.
    pub fn done<T>(self, value: Option<T>) -> Result<T, Problem> {
        self.finish()?;
        value.ok_or_else(|| Problem::field("body", "incomplete"))
    }
}

pub use domain::values::nullable;

/// A field that may be left out but not set to `null` (a partial update cannot clear it; of
/// fields given one at a time, the others are left out).
pub fn present<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    match Option::<T>::deserialize(d)? {
        Some(v) => Ok(Some(v)),
        None => Err(serde::de::Error::custom(
            "must not be null (leave the field out instead)",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_failed_field_is_named_once_in_order() {
        let mut fields = Fields::default();
        assert_eq!(fields.check::<u8, _>("a", "300".parse::<u8>()), None);
        assert_eq!(fields.check("b", "7".parse::<u8>()), Some(7));
        fields.fail("c", "no");
        let p = fields.finish().unwrap_err();
        assert_eq!(p.status, 400);
        let named: Vec<_> = p.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(named, ["a", "c"]);
    }

    #[test]
    fn nullable_distinguishes_absent_null_and_value() {
        let mut fields = Fields::default();
        let parse = |s: &str| s.parse::<u8>();
        assert_eq!(
            fields.check_nullable("x", None::<Option<&str>>, parse),
            None
        );
        assert_eq!(fields.check_nullable("x", Some(None), parse), Some(None));
        assert_eq!(
            fields.check_nullable("x", Some(Some("4")), parse),
            Some(Some(4))
        );
        assert!(fields.finish().is_ok());
    }
}
