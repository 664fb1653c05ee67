//! A submitted form, as the browser sends it (`application/x-www-form-urlencoded`): every pair in
//! order, names repeated for lists. Blank fields are left out, as an API client would.

use actix_web::web::Bytes;

use crate::page::ConsoleError;

/// The largest form accepted (the API's body limit is the same).
pub const LIMIT: usize = 1024 * 1024;

#[derive(Debug, Default)]
pub struct Form {
    pairs: Vec<(String, String)>,
}

impl Form {
    pub fn parse(body: &Bytes) -> Result<Self, ConsoleError> {
        if body.len() > LIMIT {
            return Err(http_edge::Problem::malformed("the form is too large").into());
        }
        let pairs = serde_urlencoded::from_bytes(body)
            .map_err(|_| http_edge::Problem::malformed("the form cannot be decoded"))?;
        Ok(Self { pairs })
    }

    /// The field's value as typed, if not blank.
    pub fn text(&self, name: &str) -> Option<String> {
        (self.pairs.iter())
            .find(|(n, v)| n == name && !v.trim().is_empty())
            .map(|(_, v)| v.clone())
    }

    /// The field's value as typed (blank: empty), to show a form again.
    pub fn typed(&self, name: &str) -> String {
        (self.pairs.iter())
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// Every non-blank value of a repeated field, in order.
    pub fn all(&self, name: &str) -> Vec<String> {
        (self.pairs.iter())
            .filter(|(n, v)| n == name && !v.trim().is_empty())
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The words of a field, separated by line breaks, spaces or commas (permissions, event
    /// types).
    pub fn words(&self, name: &str) -> Vec<String> {
        self.typed(name)
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// `key=value` lines (metadata, attributes) as pairs; a line without `=` is reported by the
    /// number it has (1-based).
    pub fn lines(&self, name: &str) -> Result<Vec<(String, String)>, usize> {
        let text = self.typed(name);
        let mut out = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let (k, v) = line.split_once('=').ok_or(i + 1)?;
            out.push((k.trim().to_owned(), v.trim().to_owned()));
        }
        Ok(out)
    }
}

/// Rows a console list shows unless the URL says otherwise (more than the API's default: a page
/// is read by a person, not a program).
pub const PAGE_ROWS: u32 = 50;

/// The query string with blank parameters left out (a filter form sends every field), the
/// console's own `attribute=key=value` filters written as the API's `attr.key=value`, and a
/// `limit` of [`PAGE_ROWS`] unless one is given.
pub fn api_query(query: &str) -> String {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
    let mut kept: Vec<(String, String)> = pairs
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(n, v)| match (n.as_str(), v.split_once('=')) {
            ("attribute", Some((k, value))) => {
                (format!("attr.{}", k.trim()), value.trim().to_owned())
            }
            _ => (n, v),
        })
        .collect();
    if !kept.iter().any(|(n, _)| n == "limit") {
        kept.push(("limit".to_owned(), PAGE_ROWS.to_string()));
    }
    serde_urlencoded::to_string(kept).unwrap_or_default()
}

/// `query` without the parameters named in `names`.
pub fn without(query: &str, names: &[&str]) -> String {
    let kept: Vec<(String, String)> = serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .unwrap_or_default()
        .into_iter()
        .filter(|(n, _)| !names.contains(&n.as_str()))
        .collect();
    serde_urlencoded::to_string(kept).unwrap_or_default()
}

/// `query` with only the parameters named in `names` that are not blank.
pub fn only(query: &str, names: &[&str]) -> String {
    let kept: Vec<(String, String)> = serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .unwrap_or_default()
        .into_iter()
        .filter(|(n, v)| names.contains(&n.as_str()) && !v.trim().is_empty())
        .collect();
    serde_urlencoded::to_string(kept).unwrap_or_default()
}

/// `query` with `name` set to `value` (replacing any `name` it had).
pub fn with(query: &str, name: &str, value: &str) -> String {
    let mut pairs: Vec<(String, String)> =
        serde_urlencoded::from_str::<Vec<(String, String)>>(query)
            .unwrap_or_default()
            .into_iter()
            .filter(|(n, _)| n != name)
            .collect();
    pairs.push((name.to_owned(), value.to_owned()));
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

/// A `datetime-local` value (`2026-12-31T12:00`, seconds optional; read as UTC) as the RFC 3339
/// time the API takes; anything else as typed (the API names what is wrong with it).
pub fn utc_time(typed: &str) -> String {
    let typed = typed.trim();
    match typed.len() {
        16 => format!("{typed}:00Z"),
        19 => format!("{typed}Z"),
        _ => typed.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_fields_are_left_out_and_lists_keep_their_order() {
        let form = Form::parse(&Bytes::from_static(b"name=+&roles=b&roles=&roles=a&x=1")).unwrap();
        assert_eq!(form.text("name"), None);
        assert_eq!(form.typed("name"), " ");
        assert_eq!(form.all("roles"), ["b", "a"]);
        assert_eq!(form.text("x").as_deref(), Some("1"));
    }

    #[test]
    fn lines_are_pairs_and_a_line_without_equals_is_named() {
        let form = Form::parse(&Bytes::from_static(b"m=a%3D1%0A%0Ab+%3D+2+")).unwrap();
        assert_eq!(
            form.lines("m").unwrap(),
            [("a".into(), "1".into()), ("b".into(), "2".into())]
        );
        let form = Form::parse(&Bytes::from_static(b"m=a%3D1%0Ab")).unwrap();
        assert_eq!(form.lines("m"), Err(2));
    }

    #[test]
    fn filter_queries_become_api_queries() {
        assert_eq!(
            api_query("status=&role=admin&attribute=plan%3Dpro&group_id="),
            "role=admin&attr.plan=pro&limit=50"
        );
    }

    #[test]
    fn times_and_replaced_parameters() {
        assert_eq!(utc_time(" 2026-12-31T12:00 "), "2026-12-31T12:00:00Z");
        assert_eq!(utc_time("2026-12-31T12:00:05"), "2026-12-31T12:00:05Z");
        assert_eq!(
            utc_time("2026-12-31T12:00:05+01:00"),
            "2026-12-31T12:00:05+01:00"
        );
        assert_eq!(with("a=1&org=x&b=2", "org", "y"), "a=1&b=2&org=y");
        assert_eq!(
            only("status=+&role=admin&x=1", &["status", "role"]),
            "role=admin"
        );
    }
}
