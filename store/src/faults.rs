//! Fault injection for tests (the `fail` crate, compiled in only with the `failpoints` feature;
//! without it every check is a no-op).
//!
//! A point configured as `return` fails every time; `return(<text>)` fails only when the
//! subject (e.g. the ids of a unit's aggregates) contains `<text>`, so tests running side by side
//! in one process can aim a fault at their own objects.

use crate::StoreError;

/// Fails with `StoreError::Injected` when the point `name` is armed for `subject`.
pub fn check(name: &str, subject: &str) -> Result<(), StoreError> {
    let _ = (name, subject);
    fail::fail_point!(name, |target: Option<String>| {
        match target {
            Some(t) if !subject.contains(t.as_str()) => Ok(()),
            _ => Err(StoreError::Injected(format!("{name} failed for a test"))),
        }
    });
    Ok(())
}
