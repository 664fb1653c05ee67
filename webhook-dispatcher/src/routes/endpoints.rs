//! `/v1/webhook-endpoints`: create, list, read, update, delete, secrets, enable/disable.

use crate::queue::{self as webhooks, EndpointRow, EndpointSettings};
use access::Caller;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use domain::WebhookEndpointId;
use http_edge::path::Id;
use http_edge::{nullable, present, Body, Fields, OptionalBody, Problem};
use paging::{List, Params, Spec};
use serde::{Deserialize, Serialize};

use crate::{filter, signing, ssrf, WebhookState};

pub const LIST: Spec = Spec::list(&[]);
const MAX_EVENT_TYPES: usize = 100;
const MAX_RATE: i64 = 10_000;
const MAX_URL: usize = 2048;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(rename = "WebhookEndpointCreate")]
#[serde(deny_unknown_fields)]
pub struct CreateBody {
    /// Required; optional here so that a request missing it hears about its other fields too.
    /// Required: where events are POSTed.
    #[schemars(required, schema_with = "url_schema")]
    pub url: Option<String>,
    #[schemars(with = "Option<domain::values::Description>")]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schemars(schema_with = "event_types_schema")]
    pub event_types: Option<Vec<String>>,
    #[schemars(with = "Option<domain::OrganizationId>")]
    pub organization_id: Option<String>,
    /// The signing secret (`whsec_` and base64 of 24–64 bytes); one is made when left out.
    #[schemars(schema_with = "secret_schema")]
    pub secret: Option<String>,
    /// At most this many deliveries per second.
    #[schemars(range(min = 1, max = 10_000))]
    pub rate_limit_per_s: Option<i64>,
}

/// Not `secret`: that changes through rotate-secret, which keeps the old one valid a while.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(rename = "WebhookEndpointUpdate")]
#[serde(deny_unknown_fields)]
pub struct UpdateBody {
    #[serde(default, deserialize_with = "present")]
    #[schemars(schema_with = "url_schema")]
    pub url: Option<String>,
    /// `null` removes it.
    #[serde(default, deserialize_with = "nullable")]
    #[schemars(with = "Option<domain::values::Description>")]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schemars(schema_with = "event_types_schema")]
    pub event_types: Option<Vec<String>>,
    #[schemars(with = "Option<Option<domain::OrganizationId>>")]
    #[serde(default, deserialize_with = "nullable")]
    pub organization_id: Option<Option<String>>,
    /// At most this many deliveries per second; `null` for no limit.
    #[serde(default, deserialize_with = "nullable")]
    #[schemars(range(min = 1, max = 10_000))]
    pub rate_limit_per_s: Option<Option<i64>>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(rename = "WebhookSecretRotate")]
#[serde(deny_unknown_fields)]
pub struct RotateBody {
    /// The new signing secret; one is made when left out.
    #[schemars(schema_with = "secret_schema")]
    pub key: Option<String>,
}

/// An http(s) URL (checked again, with its address, when the endpoint is saved).
fn url_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "string",
        "format": "uri",
        "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://[^/?#]",
        "maxLength": MAX_URL,
    })
}

/// Event types and `<prefix>.*` / `*` wildcards; duplicates are dropped.
fn event_types_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "array",
        "maxItems": MAX_EVENT_TYPES,
        "items": {
            "type": "string",
            "pattern": format!("^{}$", domain::catalogue::selector_pattern()),
        },
    })
}

fn secret_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({"type": "string", "pattern": signing::secret_pattern()})
}

fn url(s: String) -> Result<String, String> {
    if s.len() > MAX_URL {
        Err(format!("at most {MAX_URL} characters"))
    } else if domain::values::has_control(&s) {
        Err("must not contain control characters".into())
    } else {
        Ok(s)
    }
}

fn description(s: String) -> Result<String, String> {
    domain::values::Description::parse(&s)
        .map(Into::into)
        .map_err(|e| e.0)
}

/// Each entry an exact event type or a `family.*` pattern, duplicates dropped.
fn event_types(fields: &mut Fields, items: Vec<String>) -> Vec<String> {
    if items.len() > MAX_EVENT_TYPES {
        fields.fail("event_types", format!("at most {MAX_EVENT_TYPES} entries"));
    }
    let mut out: Vec<String> = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        match filter::validate(&item) {
            Ok(()) if out.contains(&item) => {}
            Ok(()) => out.push(item),
            Err(m) => fields.fail(&format!("event_types[{i}]"), m),
        }
    }
    out
}

fn organization_id(s: String) -> Result<String, domain::IdError> {
    domain::OrganizationId::parse(&s).map(|id| id.to_string())
}

fn rate(n: i64) -> Result<i32, String> {
    if (1..=MAX_RATE).contains(&n) {
        Ok(n as i32)
    } else {
        Err(format!("must be an integer from 1 to {MAX_RATE}, or null"))
    }
}

fn signing_secret(s: String) -> Result<String, String> {
    signing::key(&s).map(|_| s)
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

fn not_found(id: &WebhookEndpointId) -> Problem {
    Problem::not_found(format!("there is no webhook endpoint {id}"))
}

/// An organization key's endpoints receive its own organization's events: another organization
/// is not there (404), and an endpoint for every organization is not its to make (422).
fn own_organization(caller: &Caller, org: Option<String>) -> Result<Option<String>, Problem> {
    match (&caller.organization, org) {
        (None, org) => Ok(org),
        (Some(own), Some(org)) if org == own.to_string() => Ok(Some(org)),
        (Some(_), Some(org)) => Err(Problem::not_found(format!(
            "there is no organization {org}"
        ))),
        (Some(_), None) => Err(Problem::unprocessable(
            "organization-key-scope",
            "Organization key scope",
            "organization_id",
            "an organization key's endpoints receive its own organization's events only".into(),
        )),
    }
}

pub async fn create(
    state: web::Data<WebhookState>,
    caller: Caller,
    Body(input): Body<CreateBody>,
) -> Result<HttpResponse, Problem> {
    Ok(HttpResponse::Created().json(create_endpoint(&state, &caller, input).await?))
}

/// Makes the endpoint `input` asks for (its URL checked, with its address).
pub async fn create_endpoint(
    state: &WebhookState,
    caller: &Caller,
    input: CreateBody,
) -> Result<EndpointRow, Problem> {
    let mut fields = Fields::default();
    let url = match input.url {
        Some(u) => fields.check("url", url(u)),
        None => fields.check("url", Err("required")),
    };
    let description = input
        .description
        .and_then(|d| fields.check("description", description(d)));
    let event_types = event_types(&mut fields, input.event_types.unwrap_or_default());
    let organization_id = input
        .organization_id
        .and_then(|o| fields.check("organization_id", organization_id(o)));
    let rate_limit_per_s = input
        .rate_limit_per_s
        .and_then(|r| fields.check("rate_limit_per_s", rate(r)));
    let secret = match input.secret {
        None => Some(signing::generate()),
        Some(s) => fields.check("secret", signing_secret(s)),
    };
    let (url, secret) = fields.done(url.zip(secret))?;
    // An organization key's endpoint is for its organization, named or not.
    let organization_id = own_organization(
        caller,
        organization_id.or(caller.organization.map(|o| o.to_string())),
    )?;
    let settings = EndpointSettings {
        url,
        description,
        event_types,
        organization_id,
        rate_limit_per_s,
    };
    check_url(state, &settings.url).await?;
    let id = WebhookEndpointId::new().to_string();
    let sealed = state.config.keyring.seal(&id, &secret);
    Ok(webhooks::insert_endpoint(&state.pool, &id, &settings, &sealed).await?)
}

/// Every endpoint; for an organization key, its organization's.
pub async fn list(
    state: web::Data<WebhookState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, Problem> {
    let params = Params::parse(&req, &LIST)?;
    Ok(HttpResponse::Ok().json(endpoints_page(&state, &caller, &params).await?))
}

/// A page of endpoints (`LIST`'s parameters); for an organization key, its organization's.
pub async fn endpoints_page(
    state: &WebhookState,
    caller: &Caller,
    params: &Params,
) -> Result<List<EndpointRow>, Problem> {
    let scope = "webhook-endpoints";
    let page = state.cursors.page(params, scope).await?;
    let only = caller.organization.map(|o| o.to_string());
    let rows = webhooks::list_endpoints(&state.pool, only.as_deref(), &page).await?;
    state.cursors.listed(rows, scope).await
}

/// The endpoint, if the caller reaches it (else 404, as if there were none).
pub async fn load(
    state: &WebhookState,
    caller: &Caller,
    id: &WebhookEndpointId,
) -> Result<EndpointRow, Problem> {
    webhooks::get_endpoint(&state.pool, &id.to_string())
        .await?
        .filter(|e| caller.reaches_text(e.organization_id.as_deref()))
        .ok_or_else(|| not_found(id))
}

pub async fn get(
    state: web::Data<WebhookState>,
    caller: Caller,
    Id(id): Id<domain::WebhookEndpointId>,
) -> Result<HttpResponse, Problem> {
    Ok(HttpResponse::Ok().json(load(&state, &caller, &id).await?))
}

pub async fn update(
    state: web::Data<WebhookState>,
    caller: Caller,
    Id(id): Id<domain::WebhookEndpointId>,
    Body(input): Body<UpdateBody>,
) -> Result<HttpResponse, Problem> {
    Ok(HttpResponse::Ok().json(update_endpoint(&state, &caller, &id, input).await?))
}

/// Changes what `input` gives of the endpoint's settings.
pub async fn update_endpoint(
    state: &WebhookState,
    caller: &Caller,
    id: &WebhookEndpointId,
    input: UpdateBody,
) -> Result<EndpointRow, Problem> {
    let mut fields = Fields::default();
    let new_url = input.url.and_then(|u| fields.check("url", url(u)));
    let new_description = fields.check_nullable("description", input.description, description);
    let new_types = input.event_types.map(|t| event_types(&mut fields, t));
    let new_org = fields.check_nullable("organization_id", input.organization_id, organization_id);
    let new_rate = fields.check_nullable("rate_limit_per_s", input.rate_limit_per_s, rate);
    fields.finish()?;
    let current = load(state, caller, id).await?;
    let new_org = new_org
        .map(|org| own_organization(caller, org))
        .transpose()?;
    if let Some(url) = &new_url {
        check_url(state, url).await?;
    }
    let settings = EndpointSettings {
        url: new_url.unwrap_or(current.url),
        description: new_description.unwrap_or(current.description),
        event_types: new_types.unwrap_or(current.event_types),
        organization_id: new_org.unwrap_or(current.organization_id),
        rate_limit_per_s: new_rate.unwrap_or(current.rate_limit_per_s),
    };
    webhooks::update_endpoint(&state.pool, &id.to_string(), &settings)
        .await?
        .ok_or_else(|| not_found(id))
}

pub async fn delete(
    state: web::Data<WebhookState>,
    caller: Caller,
    Id(id): Id<domain::WebhookEndpointId>,
) -> Result<HttpResponse, Problem> {
    Ok(HttpResponse::Ok().json(delete_endpoint(&state, &caller, &id).await?))
}

/// Deletes the endpoint and its queue.
pub async fn delete_endpoint(
    state: &WebhookState,
    caller: &Caller,
    id: &WebhookEndpointId,
) -> Result<EndpointRow, Problem> {
    let row = load(state, caller, id).await?;
    webhooks::delete_endpoint(&state.pool, &id.to_string()).await?;
    Ok(row)
}

/// An endpoint's signing secret, and during a rotation's grace period the previous one.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(rename = "WebhookEndpointSecret")]
pub struct SecretView {
    /// `webhook_endpoint_secret`.
    pub object: &'static str,
    /// `whsec_…`: verify signatures with it.
    pub key: String,
    /// The secret before the last rotation, still signing until `previous_expires_at`.
    pub previous_key: Option<String>,
    pub previous_expires_at: Option<DateTime<Utc>>,
}

/// The endpoint's signing secret(s), if the caller reaches it.
pub async fn secret_of(
    state: &WebhookState,
    caller: &Caller,
    id: &WebhookEndpointId,
) -> Result<SecretView, Problem> {
    load(state, caller, id).await?;
    secrets(state, id).await
}

async fn secrets(state: &WebhookState, id: &WebhookEndpointId) -> Result<SecretView, Problem> {
    let id_str = id.to_string();
    let stored = webhooks::secrets(&state.pool, &id_str)
        .await?
        .ok_or_else(|| not_found(id))?;
    let open = |sealed: &str| {
        state.config.keyring.open(&id_str, sealed).map_err(|e| {
            tracing::error!(endpoint = %id_str, error = %e, "cannot open a signing secret");
            Problem::internal()
        })
    };
    Ok(SecretView {
        object: "webhook_endpoint_secret",
        key: open(&stored.secret)?,
        previous_key: stored.previous_secret.as_deref().map(open).transpose()?,
        previous_expires_at: stored.previous_expires_at,
    })
}

pub async fn secret(
    state: web::Data<WebhookState>,
    caller: Caller,
    Id(id): Id<domain::WebhookEndpointId>,
) -> Result<HttpResponse, Problem> {
    Ok(HttpResponse::Ok().json(secret_of(&state, &caller, &id).await?))
}

/// New secret (given as `key`, or generated); the old one keeps signing for the grace period.
pub async fn rotate_secret(
    state: web::Data<WebhookState>,
    caller: Caller,
    Id(id): Id<domain::WebhookEndpointId>,
    OptionalBody(body): OptionalBody<RotateBody>,
) -> Result<HttpResponse, Problem> {
    let key = body.and_then(|b| b.key);
    Ok(HttpResponse::Ok().json(rotate(&state, &caller, &id, key).await?))
}

/// A new signing secret (`key`, or one made); the old one keeps signing for the grace period.
pub async fn rotate(
    state: &WebhookState,
    caller: &Caller,
    id: &WebhookEndpointId,
    key: Option<String>,
) -> Result<SecretView, Problem> {
    load(state, caller, id).await?;
    let mut fields = Fields::default();
    let key = match key {
        None => Some(signing::generate()),
        Some(k) => fields.check("key", signing_secret(k)),
    };
    let key = fields.done(key)?;
    let grace = chrono::Duration::from_std(state.config.secret_grace).unwrap_or_default();
    let id_str = id.to_string();
    let sealed = state.config.keyring.seal(&id_str, &key);
    let rotated =
        webhooks::rotate_secret(&state.pool, &id_str, &sealed, Utc::now() + grace).await?;
    if !rotated {
        return Err(not_found(id));
    }
    secrets(state, id).await
}

/// Enables or disables the endpoint (a disabled one's deliveries wait).
pub async fn set_enabled(
    state: &WebhookState,
    caller: &Caller,
    id: &domain::WebhookEndpointId,
    enabled: bool,
) -> Result<EndpointRow, Problem> {
    load(state, caller, id).await?;
    webhooks::set_enabled(
        &state.pool,
        &id.to_string(),
        enabled,
        (!enabled).then_some("disabled by request"),
    )
    .await?
    .ok_or_else(|| not_found(id))
}
pub async fn enable(
    state: web::Data<WebhookState>,
    caller: Caller,
    Id(id): Id<domain::WebhookEndpointId>,
) -> Result<HttpResponse, Problem> {
    Ok(HttpResponse::Ok().json(set_enabled(&state, &caller, &id, true).await?))
}

pub async fn disable(
    state: web::Data<WebhookState>,
    caller: Caller,
    Id(id): Id<domain::WebhookEndpointId>,
) -> Result<HttpResponse, Problem> {
    Ok(HttpResponse::Ok().json(set_enabled(&state, &caller, &id, false).await?))
}

/// What a bulk re-send queued.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(rename = "WebhookQueued")]
pub(crate) struct Queued {
    /// `webhook_recovery` or `webhook_replay`.
    object: &'static str,
    /// How many deliveries were queued.
    count: u64,
}

/// 202 with a count, for the bulk re-send routes.
pub(crate) fn accepted(what: &'static str, n: u64) -> HttpResponse {
    HttpResponse::build(StatusCode::ACCEPTED).json(Queued {
        object: what,
        count: n,
    })
}
