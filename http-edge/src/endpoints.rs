//! Every route is declared once, as an [`Endpoint`] (method, path, handler, and what it takes and
//! answers), and mounted from that declaration: so the routes the router serves can be read back
//! (for the OpenAPI document, and for tests that must cover every route) without a second list.

use actix_web::dev::Handler;
use actix_web::http::Method;
use actix_web::{web, FromRequest, Responder, Route};
use schemars::{JsonSchema, Schema, SchemaGenerator};

use crate::path::FromParam;

pub struct Endpoint {
    pub method: Method,
    pub path: &'static str,
    route: Route,
    pub doc: Doc,
}

/// The JSON Schema of a body, registered with the generator (so it is a `$ref` to a named schema).
pub type SchemaOf = fn(&mut SchemaGenerator) -> Schema;

/// `T`'s schema, registered with the generator under its name.
pub fn schema_of<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<T>()
}

/// What an endpoint takes and answers, for the OpenAPI document. The error answers follow from
/// the route (see [`Doc::errors`]), so they cannot be forgotten.
#[derive(Default)]
pub struct Doc {
    pub summary: &'static str,
    pub description: Option<&'static str>,
    /// The JSON request body, when the route takes one.
    pub body: Option<SchemaOf>,
    /// Whether the body may be left out.
    pub body_optional: bool,
    pub answers: Vec<Answer>,
    pub query: Vec<QueryParam>,
    /// Only an admin key may call it.
    pub admin: bool,
    /// Statuses the route's own rules add to the ones every route of its kind has.
    pub extra_errors: Vec<u16>,
}

/// A successful answer.
pub struct Answer {
    pub status: u16,
    pub description: &'static str,
    /// Its JSON body (none for bodiless answers and non-JSON ones).
    pub schema: Option<SchemaOf>,
    /// Its media type, when not `application/json`.
    pub content_type: Option<&'static str>,
}

/// A query-string parameter.
pub struct QueryParam {
    pub name: &'static str,
    pub description: &'static str,
    pub kind: ParamKind,
    pub required: bool,
}

/// What a query parameter holds: how it is documented and how its value is checked.
#[derive(Clone, Copy)]
pub enum ParamKind {
    /// Any text (without control characters, which no parameter takes).
    Text,
    /// An integer in `min..=max`.
    Integer {
        min: i64,
        max: Option<i64>,
    },
    OneOf(&'static [&'static str]),
    /// A value of a type with its own schema and parser (an id, a slug, a time): documented by
    /// the one, checked by the other, so the document states what the route accepts.
    Typed {
        schema: SchemaOf,
        check: fn(&str) -> Result<(), String>,
    },
}

impl ParamKind {
    /// A parameter holding a `T`.
    pub const fn of<T: JsonSchema + FromParam>() -> Self {
        Self::Typed {
            schema: schema_of::<T>,
            check: checks::<T>,
        }
    }

    /// Whether `raw` is a value of this kind; the problem otherwise.
    pub fn check(&self, raw: &str) -> Result<(), String> {
        match self {
            Self::Text if raw.chars().any(char::is_control) => {
                Err("must not contain control characters".into())
            }
            Self::Text => Ok(()),
            Self::Integer { min, max } => match raw.parse::<i64>() {
                Ok(n) if n >= *min && max.is_none_or(|m| n <= m) => Ok(()),
                _ => Err(match max {
                    Some(max) => format!("must be an integer from {min} to {max}"),
                    None => format!("must be an integer of at least {min}"),
                }),
            },
            Self::OneOf(values) if values.contains(&raw) => Ok(()),
            Self::OneOf(values) => Err(format!("must be one of: {}", values.join(", "))),
            Self::Typed { check, .. } => check(raw),
        }
    }
}

fn checks<T: FromParam>(raw: &str) -> Result<(), String> {
    T::from_param(raw).map(drop)
}

impl Doc {
    /// The error statuses of a route: what the edge answers for any `/v1` route (bad input, no
    /// key, rate limit, storage down), plus 404 for routes naming an object, and for commands the
    /// read-only refusal, conflicts, rule breaks and body errors.
    pub fn errors(&self, method: &Method, path: &str) -> Vec<u16> {
        let mut statuses = Vec::new();
        if path.starts_with("/v1/") {
            statuses.extend([400, 401, 429, 503]);
            if path.contains('{') {
                statuses.push(404);
            }
            if *method != Method::GET {
                statuses.extend([403, 409, 422]);
            }
            if self.admin {
                statuses.push(403);
            }
            if self.body.is_some() {
                statuses.extend([413, 415]);
            }
        }
        statuses.extend(&self.extra_errors);
        statuses.sort_unstable();
        statuses.dedup();
        statuses
    }
}

impl Endpoint {
    pub fn summary(mut self, summary: &'static str) -> Self {
        self.doc.summary = summary;
        self
    }

    pub fn describe(mut self, description: &'static str) -> Self {
        self.doc.description = Some(description);
        self
    }

    /// Takes a JSON body of type `T`.
    pub fn body<T: JsonSchema>(mut self) -> Self {
        self.doc.body = Some(schema_of::<T>);
        self
    }

    /// Takes a JSON body of type `T`, which may be left out.
    pub fn optional_body<T: JsonSchema>(mut self) -> Self {
        self.doc.body = Some(schema_of::<T>);
        self.doc.body_optional = true;
        self
    }

    /// Answers `status` with a JSON `T`.
    pub fn answers<T: JsonSchema>(mut self, status: u16, description: &'static str) -> Self {
        self.doc.answers.push(Answer {
            status,
            description,
            schema: Some(schema_of::<T>),
            content_type: None,
        });
        self
    }

    /// Answers `status` with a body that is not JSON (`content_type`), or with none.
    pub fn answers_other(
        mut self,
        status: u16,
        description: &'static str,
        content_type: Option<&'static str>,
    ) -> Self {
        self.doc.answers.push(Answer {
            status,
            description,
            schema: None,
            content_type,
        });
        self
    }

    pub fn query(mut self, params: Vec<QueryParam>) -> Self {
        self.doc.query.extend(params);
        self
    }

    /// Only an admin key may call it (403 for others).
    pub fn admin(mut self) -> Self {
        self.doc.admin = true;
        self
    }

    /// Statuses this route's own rules add (see [`Doc::errors`]).
    pub fn errors(mut self, statuses: &[u16]) -> Self {
        self.doc.extra_errors.extend(statuses);
        self
    }
}

macro_rules! verb {
    ($name:ident, $method:expr) => {
        pub fn $name<F, Args>(path: &'static str, handler: F) -> Endpoint
        where
            F: Handler<Args>,
            Args: FromRequest + 'static,
            F::Output: Responder + 'static,
        {
            Endpoint {
                method: $method,
                path,
                route: web::to(handler),
                doc: Doc::default(),
            }
        }
    };
}

verb!(get, Method::GET);
verb!(post, Method::POST);
verb!(patch, Method::PATCH);
verb!(put, Method::PUT);
verb!(delete, Method::DELETE);

impl Endpoint {
    /// Its path, and its route (for the method).
    pub fn into_route(self) -> (&'static str, Route) {
        (self.path, self.route.method(self.method))
    }
}

/// Mounts `endpoints`, one resource per path (other methods on it answer 405 as a problem).
pub fn mount(cfg: &mut web::ServiceConfig, endpoints: Vec<Endpoint>) {
    let mut paths: Vec<&'static str> = Vec::new();
    for e in &endpoints {
        if !paths.contains(&e.path) {
            paths.push(e.path);
        }
    }
    let mut endpoints: Vec<Option<Endpoint>> = endpoints.into_iter().map(Some).collect();
    for path in paths {
        let mut resource = crate::resource(path);
        for slot in endpoints.iter_mut() {
            if slot.as_ref().is_some_and(|e| e.path == path) {
                if let Some(e) = slot.take() {
                    resource = resource.route(e.route.method(e.method));
                }
            }
        }
        cfg.service(resource);
    }
}

/// `(method, path)` of each endpoint: what `mount` serves.
pub fn table(endpoints: &[Endpoint]) -> Vec<(Method, &'static str)> {
    endpoints
        .iter()
        .map(|e| (e.method.clone(), e.path))
        .collect()
}
