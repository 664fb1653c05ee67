//! `POST|GET /v1/api-keys`, `GET|DELETE /v1/api-keys/{id}`: admin keys only.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use domain::api_key::ApiKeyData;
use domain::{ApiKeyId, OrganizationId};
use http_edge::endpoints::{self as e, Endpoint};
use http_edge::path::Id;
use http_edge::{Body, Fields, Problem};
use paging::{Cursors, Filter, List, Params, Spec};
use serde::{Deserialize, Serialize};

use crate::caller::Caller;
use crate::manage::{self, NewKey};

/// What the key routes share.
pub struct KeyRoutes {
    pub pool: sqlx::PgPool,
    cursors: Cursors,
}

impl KeyRoutes {
    pub fn new(pool: sqlx::PgPool) -> Self {
        Self {
            cursors: Cursors::new(pool.clone()),
            pool,
        }
    }
}

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        e::post("/v1/api-keys", create)
            .summary("Create an API key (its secret is shown this once)")
            .describe(
                "With `organization_id` the key reaches that organization only (404 for any \
                 other); `read_only` keys get 403 on every command.",
            )
            .admin()
            .body::<CreateBody>()
            .answers::<KeyShown>(201, "Created, with its secret"),
        e::get("/v1/api-keys", list)
            .summary("List API keys (never their secrets)")
            .admin()
            .query(LIST.params())
            .answers::<paging::List<KeyShown>>(200, "A page of keys"),
        e::get("/v1/api-keys/{id}", get)
            .summary("Get an API key")
            .admin()
            .answers::<KeyShown>(200, "The key"),
        e::delete("/v1/api-keys/{id}", revoke)
            .summary("Revoke an API key, at once in every process")
            .admin()
            .answers::<KeyShown>(200, "Revoked"),
    ]
}

pub const LIST: Spec = Spec::list(&[Filter::of::<OrganizationId>("organization_id")]);

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(rename = "ApiKeyCreate")]
#[serde(deny_unknown_fields)]
pub struct CreateBody {
    /// What the key is for.
    #[schemars(length(min = 1, max = domain::api_key::NAME_MAX_CHARS))]
    pub name: String,
    #[schemars(with = "Option<domain::OrganizationId>")]
    pub organization_id: Option<String>,
    #[serde(default)]
    pub read_only: bool,
    #[schemars(with = "Option<chrono::DateTime<chrono::Utc>>")]
    pub expires_at: Option<String>,
}

/// Managing keys takes an admin key: an organization key cannot widen its own reach.
fn admin(caller: &Caller) -> Result<(), Problem> {
    if caller.is_admin() {
        Ok(())
    } else {
        Err(Problem::new(
            StatusCode::FORBIDDEN,
            "admin-key-required",
            "Admin key required",
            "only an admin key may manage API keys",
        ))
    }
}

/// A key as the API shows it; `secret` only in the answer that created it.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(rename = "ApiKey")]
struct KeyShown {
    /// `api_key`.
    object: &'static str,
    #[serde(flatten)]
    key: ApiKeyData,
    /// `rk_live_…`: shown this once.
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
}

fn shown(key: ApiKeyData) -> KeyShown {
    KeyShown {
        object: "api_key",
        key,
        secret: None,
    }
}

/// 201 with the key and its `secret`, shown this once (never saved for an idempotent replay).
async fn create(
    state: web::Data<KeyRoutes>,
    caller: Caller,
    req: HttpRequest,
    Body(input): Body<CreateBody>,
) -> Result<HttpResponse, Problem> {
    let (key, secret) = create_key(&state, &caller, &crate::request_context(&req)?, input).await?;
    Ok(HttpResponse::Created().json(KeyShown {
        secret: Some(secret),
        ..shown(key)
    }))
}

/// Makes the key `input` asks for (admin keys only): the key and its secret, shown once.
pub async fn create_key(
    state: &KeyRoutes,
    caller: &Caller,
    ctx: &domain::RequestContext,
    input: CreateBody,
) -> Result<(ApiKeyData, String), Problem> {
    admin(caller)?;
    let mut fields = Fields::default();
    let organization_id = input
        .organization_id
        .and_then(|o| fields.check("organization_id", OrganizationId::parse(&o)));
    let expires_at = input.expires_at.and_then(|t| {
        fields.check(
            "expires_at",
            DateTime::parse_from_rfc3339(&t)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| "must be an RFC 3339 time"),
        )
    });
    fields.finish()?;
    let new = NewKey {
        name: input.name,
        organization_id,
        read_only: input.read_only,
        expires_at,
    };
    manage::create(&state.pool, new, ctx)
        .await
        .map_err(|e| match e.field() {
            Some(field) => {
                Problem::unprocessable("invalid-api-key", "Invalid API key", field, e.to_string())
            }
            None => match e {
                manage::Invalid::Store(e) => e.into(),
                _ => Problem::internal(),
            },
        })
}

async fn list(
    state: web::Data<KeyRoutes>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, Problem> {
    let params = Params::parse(&req, &LIST)?;
    let keys = keys_page(&state, &caller, &params).await?;
    Ok(HttpResponse::Ok().json(List {
        data: keys.data.into_iter().map(shown).collect(),
        list_metadata: keys.list_metadata,
    }))
}

/// A page of keys (`LIST`'s parameters: of one organization with `organization_id`), admin keys
/// only.
pub async fn keys_page(
    state: &KeyRoutes,
    caller: &Caller,
    params: &Params,
) -> Result<List<ApiKeyData>, Problem> {
    admin(caller)?;
    let organization = params.typed::<OrganizationId>("organization_id");
    let scope = match &organization {
        Some(org) => format!("api-keys:{org}"),
        None => "api-keys".to_owned(),
    };
    let page = state.cursors.page(params, &scope).await?;
    let rows = crate::persistence::list(&state.pool, organization.as_ref(), &page).await?;
    state.cursors.listed(rows, &scope).await
}

async fn get(
    state: web::Data<KeyRoutes>,
    caller: Caller,
    Id(id): Id<ApiKeyId>,
) -> Result<HttpResponse, Problem> {
    admin(&caller)?;
    let key = crate::persistence::get(&state.pool, &id)
        .await?
        .ok_or_else(|| Problem::not_found(format!("there is no API key {id}")))?;
    Ok(HttpResponse::Ok().json(shown(key)))
}

/// Revokes the key: from the answer on, no process accepts it. Revoking it again changes nothing.
async fn revoke(
    state: web::Data<KeyRoutes>,
    caller: Caller,
    req: HttpRequest,
    Id(id): Id<ApiKeyId>,
) -> Result<HttpResponse, Problem> {
    let key = revoke_key(&state, &caller, &crate::request_context(&req)?, &id).await?;
    Ok(HttpResponse::Ok().json(shown(key)))
}

/// Revokes key `id` (admin keys only).
pub async fn revoke_key(
    state: &KeyRoutes,
    caller: &Caller,
    ctx: &domain::RequestContext,
    id: &ApiKeyId,
) -> Result<ApiKeyData, Problem> {
    admin(caller)?;
    manage::revoke(&state.pool, id, ctx)
        .await?
        .ok_or_else(|| Problem::not_found(format!("there is no API key {id}")))
}
