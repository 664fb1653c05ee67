//! The query string of a read: the parameters every read shares (`min_position`, and for lists
//! `limit`, `order`, `before`, `after`) plus the route's own filters. Anything else is refused
//! with a 400 naming the parameter, so a typo never silently returns an unfiltered list.

use actix_web::HttpRequest;
use http_edge::endpoints::{ParamKind, QueryParam};
use http_edge::path::FromParam;
use http_edge::{FieldError, Problem};
use schemars::JsonSchema;
use store::page::{Bound, Order, PageRequest};

use crate::cursor;

pub const DEFAULT_LIMIT: u32 = 10;
/// The largest log position a parameter takes: 2⁵³ − 1, exact in every JSON number (JavaScript's
/// largest safe integer). A log growing by a million events a second reaches it in 285 years.
pub const MAX_POSITION: i64 = (1 << 53) - 1;
/// A log position, as a parameter.
pub const POSITION: ParamKind = ParamKind::Integer {
    min: 0,
    max: Some(MAX_POSITION),
};
pub const MAX_LIMIT: u32 = 100;
/// The largest page of the event log (its entries are small and audits read many).
pub const LOG_MAX_LIMIT: u32 = 1000;
const ATTRIBUTE_PREFIX: &str = "attr.";

/// A filter a route takes: its name and what it holds (documented and checked by the kind).
#[derive(Clone, Copy)]
pub struct Filter {
    pub name: &'static str,
    pub kind: ParamKind,
}

impl Filter {
    /// A filter holding a `T`, parsed by `T`'s own parser.
    pub const fn of<T: JsonSchema + FromParam>(name: &'static str) -> Self {
        Self {
            name,
            kind: ParamKind::of::<T>(),
        }
    }

    /// A filter holding any text.
    pub const fn text(name: &'static str) -> Self {
        Self {
            name,
            kind: ParamKind::Text,
        }
    }

    pub const fn one_of(name: &'static str, values: &'static [&'static str]) -> Self {
        Self {
            name,
            kind: ParamKind::OneOf(values),
        }
    }

    /// A position in the log.
    pub const fn position(name: &'static str) -> Self {
        Self {
            name,
            kind: POSITION,
        }
    }
}

/// What a route accepts besides `min_position`.
pub struct Spec {
    /// Whether it is a list (takes `limit`, `order`, `before`, `after`).
    pub list: bool,
    /// Filters given at most once.
    pub filters: &'static [Filter],
    /// Filters that may repeat (each must hold).
    pub repeatable: &'static [Filter],
    /// Whether `attr.<key>=<value>` filters are accepted.
    pub attributes: bool,
    /// The largest `limit`.
    pub max_limit: u32,
    /// Whether its cursors are log positions (else tokens the list issued).
    pub positions: bool,
}

impl Spec {
    pub const fn single() -> Self {
        Self {
            list: false,
            filters: &[],
            repeatable: &[],
            attributes: false,
            max_limit: MAX_LIMIT,
            positions: false,
        }
    }

    pub const fn list(filters: &'static [Filter]) -> Self {
        Self {
            list: true,
            ..Self::single()
        }
        .with(filters)
    }

    const fn with(self, filters: &'static [Filter]) -> Self {
        Self { filters, ..self }
    }

    /// A single object that also takes `filters` (e.g. `as_of`).
    pub const fn single_with(filters: &'static [Filter]) -> Self {
        Self::single().with(filters)
    }

    /// A list of the event log: pages of up to 1,000, cursors are positions.
    pub const fn log(filters: &'static [Filter]) -> Self {
        Self {
            max_limit: LOG_MAX_LIMIT,
            positions: true,
            ..Self::list(filters)
        }
    }

    /// The query parameters this route takes, for the OpenAPI document and for checking a
    /// request's values.
    pub fn params(&self) -> Vec<QueryParam> {
        let param = |name, description, kind| QueryParam {
            name,
            description,
            kind,
            required: false,
        };
        let mut params = vec![param(
            "min_position",
            "Read your writes: wait (bounded) until the read side has passed this position, \
             a `position` a command returned.",
            POSITION,
        )];
        if self.list {
            let cursor = if self.positions {
                POSITION
            } else {
                ParamKind::Text
            };
            params.extend([
                param(
                    "limit",
                    "Page size (default 10).",
                    ParamKind::Integer {
                        min: 1,
                        max: Some(self.max_limit.into()),
                    },
                ),
                param(
                    "order",
                    "Newest first (`desc`, the default) or oldest first.",
                    ParamKind::OneOf(&["asc", "desc"]),
                ),
                param(
                    "before",
                    "The `list_metadata.before` cursor of a page of this list: the page before \
                     it. Cannot be combined with `after` (400 naming both).",
                    cursor,
                ),
                param(
                    "after",
                    "The `list_metadata.after` cursor of a page of this list: the page after it. \
                     Cannot be combined with `before` (400 naming both).",
                    cursor,
                ),
            ]);
        }
        for filter in self.filters {
            params.push(param(filter.name, described(filter.name), filter.kind));
        }
        for filter in self.repeatable {
            params.push(param(
                filter.name,
                "Only objects with this value; may repeat (each must hold).",
                filter.kind,
            ));
        }
        params
    }

    /// What the parameter `name` holds, if the route takes it (`params`: its [`Spec::params`]).
    fn kind_of(&self, params: &[QueryParam], name: &str) -> Option<ParamKind> {
        if self.attributes && name.starts_with(ATTRIBUTE_PREFIX) {
            return Some(ParamKind::Text);
        }
        params.iter().find(|p| p.name == name).map(|p| p.kind)
    }

    fn repeats(&self, name: &str) -> bool {
        self.repeatable.iter().any(|f| f.name == name)
    }

    fn known(&self) -> String {
        let mut names: Vec<&str> = vec!["min_position"];
        if self.list {
            names.extend(Self::PAGING);
        }
        names.extend(self.filters.iter().map(|f| f.name));
        names.extend(self.repeatable.iter().map(|f| f.name));
        if self.attributes {
            names.push("attr.<key>");
        }
        names.join(", ")
    }

    const PAGING: [&'static str; 4] = ["limit", "order", "before", "after"];
}

/// What a filter means, for the OpenAPI document.
fn described(name: &str) -> &'static str {
    match name {
        "as_of" => {
            "The object as it was then: an RFC 3339 time or a log position. Rebuilt from its \
             events, so deleted objects are found too; 404 before it was created."
        }
        "types" => {
            "Comma-separated event types: exact names (`group.member_added`), `<prefix>.*` \
             wildcards (`group.*`) or `*`."
        }
        "aggregate_id" => "Only events of this object (`org_…`, `om_…`, `grp_…`, `inv_…` …).",
        "actor_id" => "Only events caused by this actor (an API key id, `key_…`).",
        "range_start" => "Only events that occurred at or after this RFC 3339 time.",
        "range_end" => "Only events that occurred before this RFC 3339 time (after `range_start`).",
        "format" => "The format of the answer.",
        "name" => "Only groups whose name starts with this, in any case.",
        "email" => "Only invitations to this address, in any case.",
        "after" => "Only events after this position.",
        _ => "Only objects with this value.",
    }
}

#[derive(Debug)]
pub struct Params {
    pairs: Vec<(String, String)>,
    pub min_position: Option<i64>,
}

impl Params {
    /// Parses and checks the request's query string against `spec`, reporting every bad
    /// parameter at once.
    pub fn parse(req: &HttpRequest, spec: &Spec) -> Result<Self, Problem> {
        Self::from_query(req.query_string(), spec)
    }

    /// Parses and checks a query string against `spec` (see [`parse`](Self::parse)).
    pub fn from_query(query: &str, spec: &Spec) -> Result<Self, Problem> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
            .map_err(|e| Problem::malformed(format!("the query string cannot be decoded: {e}")))?;
        let mut errors = Vec::new();
        let mut error = |field: &str, message: String| {
            errors.push(FieldError {
                field: field.to_owned(),
                message,
            })
        };
        let params = spec.params();
        for (i, (name, value)) in pairs.iter().enumerate() {
            // No name has a control character, and a NUL cannot even be compared with stored
            // text: refuse it here, for every route.
            if name.chars().any(char::is_control) {
                error(name, "must not contain control characters".into());
                continue;
            }
            let Some(kind) = spec.kind_of(&params, name) else {
                error(
                    name,
                    format!("unknown query parameter; this route takes {}", spec.known()),
                );
                continue;
            };
            if !spec.repeats(name) && pairs[..i].iter().any(|(n, _)| n == name) {
                error(name, "given more than once".into());
            }
            if let Some(key) = name.strip_prefix(ATTRIBUTE_PREFIX) {
                if key.is_empty() || key.chars().count() > 40 {
                    error(name, "attribute keys are 1–40 characters".into());
                }
            }
            if value.is_empty() {
                error(name, "must not be empty".into());
            } else if let Err(message) = kind.check(value) {
                error(name, message);
            }
        }
        let value = |name: &str| pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v);
        let min_position = value("min_position").and_then(|raw| raw.parse().ok());
        if value("before").is_some() && value("after").is_some() {
            error("before", "cannot be combined with `after`".into());
            error("after", "cannot be combined with `before`".into());
        }
        if !errors.is_empty() {
            errors.dedup();
            return Err(Problem::validation(errors));
        }
        Ok(Self {
            pairs,
            min_position,
        })
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// `(key, value)` of every `attr.<key>=<value>` filter.
    pub fn attributes(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs
            .iter()
            .filter_map(|(n, v)| n.strip_prefix(ATTRIBUTE_PREFIX).map(|k| (k, v.as_str())))
    }

    /// The filter `name` as the `T` its kind holds (its value was checked by [`Params::parse`]).
    pub fn typed<T: FromParam>(&self, name: &str) -> Option<T> {
        self.get(name).and_then(|raw| T::from_param(raw).ok())
    }

    /// The page asked for in a list of the event log, whose cursors are positions: `after=N`
    /// continues past position N in list order (`order` defaults to `default`).
    pub fn log_page(&self, default: Order) -> Result<PageRequest, Problem> {
        self.request(default, |name, raw| match raw.parse::<i64>() {
            Ok(n) if n >= 0 => Ok(n.to_string()),
            _ => Err(Problem::field(
                name,
                "must be a position (a non-negative integer, e.g. `list_metadata.after`)",
            )),
        })
    }

    /// The page asked for; a cursor must have been issued for this very list (`scope`).
    pub fn page(&self, secret: &[u8], scope: &str) -> Result<PageRequest, Problem> {
        self.request(Order::Desc, |name, raw| {
            cursor::decode(secret, scope, raw).ok_or_else(|| {
                Problem::field(
                    name,
                    "is not a cursor this list issued (malformed, altered or from another list)",
                )
            })
        })
    }

    /// `limit`, `order` (or `default`) and the bound, its key read from the cursor by `key`.
    fn request(
        &self,
        default: Order,
        key: impl Fn(&str, &str) -> Result<String, Problem>,
    ) -> Result<PageRequest, Problem> {
        let limit = self
            .get("limit")
            .and_then(|l| l.parse().ok())
            .unwrap_or(DEFAULT_LIMIT);
        let order = match self.get("order") {
            Some("asc") => Order::Asc,
            Some("desc") => Order::Desc,
            _ => default,
        };
        let bound = match (self.get("after"), self.get("before")) {
            (Some(raw), _) => Bound::After(key("after", raw)?),
            (_, Some(raw)) => Bound::Before(key("before", raw)?),
            _ => Bound::Start,
        };
        Ok(PageRequest {
            limit,
            order,
            bound,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;
    use domain::values::RoleSlug;

    const SPEC: Spec = Spec {
        repeatable: &[Filter::of::<RoleSlug>("role")],
        attributes: true,
        ..Spec::list(&[
            Filter::one_of("status", &["active", "inactive"]),
            Filter::position("after_position"),
            Filter::text("actor_id"),
        ])
    };

    fn refused(query: &str) -> Vec<(String, String)> {
        let req = TestRequest::with_uri(&format!("/x?{query}")).to_http_request();
        let problem = Params::parse(&req, &SPEC).expect_err(query);
        (problem.errors.into_iter())
            .map(|e| (e.field, e.message))
            .collect()
    }

    #[test]
    fn every_value_is_checked_by_its_kind_and_every_bad_one_named() {
        let fields: Vec<String> = refused(
            "role=admin&role=Not%20A%20Slug&status=maybe&after_position=9007199254740992\
             &min_position=-1&limit=101&actor_id=a%07b&nope=1",
        )
        .into_iter()
        .map(|(field, _)| field)
        .collect();
        assert_eq!(
            fields,
            [
                "role",
                "status",
                "after_position",
                "min_position",
                "limit",
                "actor_id",
                "nope"
            ]
        );
    }

    #[test]
    fn typed_values_are_parsed_by_their_own_parser() {
        let req =
            TestRequest::with_uri("/x?role=admin&role=billing-reader&status=active&min_position=7")
                .to_http_request();
        let params = Params::parse(&req, &SPEC).unwrap();
        assert_eq!(params.min_position, Some(7));
        assert_eq!(params.all("role"), ["admin", "billing-reader"]);
        assert_eq!(
            params
                .typed::<RoleSlug>("role")
                .map(|r| r.as_str().to_owned()),
            Some("admin".to_owned())
        );
        assert_eq!(refused("before=a&after=b").len(), 2);
    }
}
