//! `/v1/webhook-endpoints`: create, list, read, update, delete, secrets, enable/disable.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use paging::{failed, Params, Spec};
use problem::{Body, FieldError, OptionalBody, Problem};
use serde_json::{json, Map, Value};
use store::webhooks::{self, EndpointRow, EndpointSettings};

use super::{endpoint_id, object};
use crate::{filter, signing, ssrf, WebhookState};

const MAX_EVENT_TYPES: usize = 100;
const MAX_RATE: i64 = 10_000;

/// Collects field problems so a request hears about all of them at once.
#[derive(Default)]
struct Check(Vec<FieldError>);

impl Check {
    fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_owned(),
            message: message.into(),
        });
    }

    fn finish(self) -> Result<(), Problem> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Problem::validation(self.0))
        }
    }

    fn unknown_fields(&mut self, body: &Map<String, Value>, known: &[&str]) {
        for key in body.keys().filter(|k| !known.contains(&k.as_str())) {
            self.fail(key, "unknown field");
        }
    }

    fn url(&mut self, v: &Value) -> Option<String> {
        match v.as_str() {
            Some(s) if s.len() > 2048 => {
                self.fail("url", "at most 2048 characters");
                None
            }
            Some(s) if domain::values::has_control(s) => {
                self.fail("url", "must not contain control characters");
                None
            }
            Some(s) => Some(s.to_owned()),
            None => {
                self.fail("url", "must be a string");
                None
            }
        }
    }

    fn description(&mut self, v: &Value) -> Option<String> {
        match v {
            Value::Null => None,
            Value::String(s) if s.trim().is_empty() => None,
            Value::String(s) => match domain::values::Description::parse(s) {
                Ok(d) => Some(d.into()),
                Err(e) => {
                    self.fail("description", e.0);
                    None
                }
            },
            _ => {
                self.fail(
                    "description",
                    format!(
                        "must be a string of at most {} characters, or null",
                        domain::values::Description::MAX_CHARS
                    ),
                );
                None
            }
        }
    }

    fn event_types(&mut self, v: &Value) -> Vec<String> {
        let Some(items) = v.as_array() else {
            self.fail("event_types", "must be an array of event types");
            return Vec::new();
        };
        if items.len() > MAX_EVENT_TYPES {
            self.fail("event_types", format!("at most {MAX_EVENT_TYPES} entries"));
        }
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match item.as_str().map(|s| (s, filter::validate(s))) {
                Some((s, Ok(()))) => {
                    if !out.iter().any(|o| o == s) {
                        out.push(s.to_owned());
                    }
                }
                Some((_, Err(m))) => self.fail(&format!("event_types[{i}]"), m),
                None => self.fail(&format!("event_types[{i}]"), "must be a string"),
            }
        }
        out
    }

    fn organization_id(&mut self, v: &Value) -> Option<String> {
        match v {
            Value::Null => None,
            Value::String(s) => match domain::OrganizationId::parse(s) {
                Ok(id) => Some(id.to_string()),
                Err(e) => {
                    self.fail("organization_id", e.to_string());
                    None
                }
            },
            _ => {
                self.fail("organization_id", "must be an organization id or null");
                None
            }
        }
    }

    fn rate(&mut self, v: &Value) -> Option<i32> {
        match v {
            Value::Null => None,
            v => match v.as_i64() {
                Some(n) if (1..=MAX_RATE).contains(&n) => Some(n as i32),
                _ => {
                    self.fail(
                        "rate_limit_per_s",
                        format!("must be an integer from 1 to {MAX_RATE}, or null"),
                    );
                    None
                }
            },
        }
    }

    fn secret(&mut self, field: &str, v: &Value) -> Option<String> {
        match v.as_str().map(|s| (s, signing::key(s))) {
            Some((s, Ok(_))) => Some(s.to_owned()),
            Some((_, Err(m))) => {
                self.fail(field, m);
                None
            }
            None => {
                self.fail(field, "must be a `whsec_` secret string");
                None
            }
        }
    }
}

fn object_body(body: &Value) -> Result<&Map<String, Value>, Problem> {
    body.as_object()
        .ok_or_else(|| Problem::malformed("the body must be a JSON object"))
}

/// Refuses URLs that are malformed (400) or lead to addresses we do not deliver to (422).
async fn check_url(state: &WebhookState, url: &str) -> Result<(), Problem> {
    match state.config.addresses.check_url_resolving(url).await {
        Ok(_) => Ok(()),
        Err(ssrf::UrlProblem::Invalid(m)) => Err(Problem::field("url", m)),
        Err(ssrf::UrlProblem::Disallowed(m)) => Err(Problem::unprocessable(
            "address-not-allowed",
            "Address not allowed",
            "url",
            m,
        )),
    }
}

const CREATE_FIELDS: [&str; 6] = [
    "url",
    "description",
    "event_types",
    "organization_id",
    "secret",
    "rate_limit_per_s",
];

pub async fn create(
    state: web::Data<WebhookState>,
    Body(body): Body<Value>,
) -> Result<HttpResponse, Problem> {
    let body = object_body(&body)?;
    let mut check = Check::default();
    check.unknown_fields(body, &CREATE_FIELDS);
    let url = match body.get("url") {
        Some(v) => check.url(v),
        None => {
            check.fail("url", "required");
            None
        }
    };
    let settings = EndpointSettings {
        url: url.unwrap_or_default(),
        description: body.get("description").and_then(|v| check.description(v)),
        event_types: body
            .get("event_types")
            .map(|v| check.event_types(v))
            .unwrap_or_default(),
        organization_id: body
            .get("organization_id")
            .and_then(|v| check.organization_id(v)),
        rate_limit_per_s: body.get("rate_limit_per_s").and_then(|v| check.rate(v)),
    };
    let secret = match body.get("secret") {
        None | Some(Value::Null) => Some(signing::generate()),
        Some(v) => check.secret("secret", v),
    };
    check.finish()?;
    check_url(&state, &settings.url).await?;
    let id = domain::WebhookEndpointId::new().to_string();
    let row = webhooks::insert_endpoint(&state.pool, &id, &settings, &secret.unwrap_or_default())
        .await
        .map_err(failed)?;
    Ok(HttpResponse::Created().json(row))
}

pub async fn list(
    state: web::Data<WebhookState>,
    req: HttpRequest,
) -> Result<HttpResponse, Problem> {
    let params = Params::parse(&req, &Spec::list(&[]))?;
    let scope = "webhook-endpoints";
    let page = state.cursors.page(&params, scope).await?;
    let rows = webhooks::list_endpoints(&state.pool, &page)
        .await
        .map_err(failed)?;
    state.cursors.list(rows, scope).await
}

pub(crate) async fn load(state: &WebhookState, id: &str) -> Result<EndpointRow, Problem> {
    webhooks::get_endpoint(&state.pool, id)
        .await
        .map_err(failed)?
        .ok_or_else(|| Problem::not_found(format!("there is no webhook endpoint {id}")))
}

pub async fn get(
    state: web::Data<WebhookState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let id = endpoint_id(&path)?;
    Ok(HttpResponse::Ok().json(load(&state, &id).await?))
}

pub async fn update(
    state: web::Data<WebhookState>,
    path: web::Path<String>,
    Body(body): Body<Value>,
) -> Result<HttpResponse, Problem> {
    let id = endpoint_id(&path)?;
    let body = object_body(&body)?;
    let mut check = Check::default();
    // Not `secret`: that changes through rotate-secret, which keeps the old one valid a while.
    check.unknown_fields(
        body,
        &[
            "url",
            "description",
            "event_types",
            "organization_id",
            "rate_limit_per_s",
        ],
    );
    let current = load(&state, &id).await?;
    let mut settings = EndpointSettings {
        url: current.url,
        description: current.description,
        event_types: current.event_types,
        organization_id: current.organization_id,
        rate_limit_per_s: current.rate_limit_per_s,
    };
    if let Some(v) = body.get("url") {
        settings.url = check.url(v).unwrap_or_default();
    }
    if let Some(v) = body.get("description") {
        settings.description = check.description(v);
    }
    if let Some(v) = body.get("event_types") {
        settings.event_types = check.event_types(v);
    }
    if let Some(v) = body.get("organization_id") {
        settings.organization_id = check.organization_id(v);
    }
    if let Some(v) = body.get("rate_limit_per_s") {
        settings.rate_limit_per_s = check.rate(v);
    }
    check.finish()?;
    if body.contains_key("url") {
        check_url(&state, &settings.url).await?;
    }
    let row = webhooks::update_endpoint(&state.pool, &id, &settings)
        .await
        .map_err(failed)?
        .ok_or_else(|| Problem::not_found(format!("there is no webhook endpoint {id}")))?;
    Ok(HttpResponse::Ok().json(row))
}

pub async fn delete(
    state: web::Data<WebhookState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let id = endpoint_id(&path)?;
    let row = load(&state, &id).await?;
    webhooks::delete_endpoint(&state.pool, &id)
        .await
        .map_err(failed)?;
    Ok(HttpResponse::Ok().json(row))
}

fn secret_view(s: webhooks::Secrets) -> Value {
    json!({
        "object": "webhook_endpoint_secret",
        "key": s.secret,
        "previous_key": s.previous_secret,
        "previous_expires_at": s.previous_expires_at,
    })
}

pub async fn secret(
    state: web::Data<WebhookState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let id = endpoint_id(&path)?;
    let secrets = webhooks::secrets(&state.pool, &id)
        .await
        .map_err(failed)?
        .ok_or_else(|| Problem::not_found(format!("there is no webhook endpoint {id}")))?;
    Ok(HttpResponse::Ok().json(secret_view(secrets)))
}

/// New secret (given as `key`, or generated); the old one keeps signing for the grace period.
pub async fn rotate_secret(
    state: web::Data<WebhookState>,
    path: web::Path<String>,
    OptionalBody(body): OptionalBody<Value>,
) -> Result<HttpResponse, Problem> {
    let id = endpoint_id(&path)?;
    let body = body.unwrap_or(json!({}));
    let body = object_body(&body)?;
    let mut check = Check::default();
    check.unknown_fields(body, &["key"]);
    let key = match body.get("key") {
        None | Some(Value::Null) => Some(signing::generate()),
        Some(v) => check.secret("key", v),
    };
    check.finish()?;
    let grace = chrono::Duration::from_std(state.config.secret_grace).unwrap_or_default();
    let rotated = webhooks::rotate_secret(
        &state.pool,
        &id,
        &key.unwrap_or_default(),
        Utc::now() + grace,
    )
    .await
    .map_err(failed)?;
    if !rotated {
        return Err(Problem::not_found(format!(
            "there is no webhook endpoint {id}"
        )));
    }
    secret(state, web::Path::from(id)).await
}

async fn set_enabled(
    state: &WebhookState,
    raw: &str,
    enabled: bool,
) -> Result<HttpResponse, Problem> {
    let id = endpoint_id(raw)?;
    let row = webhooks::set_enabled(
        &state.pool,
        &id,
        enabled,
        (!enabled).then_some("disabled by request"),
    )
    .await
    .map_err(failed)?
    .ok_or_else(|| Problem::not_found(format!("there is no webhook endpoint {id}")))?;
    Ok(HttpResponse::Ok().json(row))
}

pub async fn enable(
    state: web::Data<WebhookState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    set_enabled(&state, &path, true).await
}

pub async fn disable(
    state: web::Data<WebhookState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    set_enabled(&state, &path, false).await
}

/// 202 with a count, for the bulk re-send routes.
pub(crate) fn accepted(what: &str, n: u64) -> HttpResponse {
    HttpResponse::build(StatusCode::ACCEPTED).json(object(what, json!({ "count": n })))
}
