//! Invitations: `POST /v1/organizations/{org_id}/invitations`,
//! `POST /v1/invitations/{id}/resend|revoke|accept`; and the sweeper that expires them.

use std::collections::BTreeSet;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use domain::invitation::{Invitation, InvitationCommand, InvitationData, InvitationError};
use domain::values::{Email, RoleSlug, SubjectId, ValueError};
use domain::{envelope, Actor, InvitationId};
use rand::RngCore;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use store::{CommandError, RequestContext};

use crate::app;
use crate::problem::Body;
use crate::problem::{method_not_allowed, Problem};
use crate::request::{context, event_data, infrastructure, org_id, respond, Fields};
use crate::routes::memberships::check_roles;
use crate::CommandState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/v1/organizations/{org_id}/invitations")
            .post(create)
            .default_service(web::to(method_not_allowed)),
    );
    for (path, handler) in [("resend", 0), ("revoke", 1), ("accept", 2)] {
        let resource = web::resource(format!("/v1/invitations/{{id}}/{path}"));
        let resource = match handler {
            0 => resource.post(resend),
            1 => resource.post(revoke),
            _ => resource.post(accept),
        };
        cfg.service(resource.default_service(web::to(method_not_allowed)));
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    email: String,
    roles: Option<Vec<String>>,
    expires_in_days: Option<i64>,
    inviter_user_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AcceptBody {
    user_id: String,
    accept_token: String,
}

const DEFAULT_DAYS: i64 = 7;

/// A fresh one-time token (256 random bits) and the hash that is all we keep of it.
fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = format!(
        "it_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    let hash = sha256_hex(&token);
    (token, hash)
}

fn sha256_hex(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub(crate) fn invitation_problem(
    id: &str,
) -> impl FnOnce(CommandError<InvitationError>) -> Problem + '_ {
    move |e| match e {
        CommandError::ClaimTaken { owner_id, .. } => Problem::conflict(format!(
            "this email already has a pending invitation to the organization: {owner_id}"
        ))
        .with_field("email", format!("pending invitation {owner_id}")),
        CommandError::RequirementFailed { .. } => {
            Problem::not_found("the organization does not exist")
        }
        other => infrastructure(other, |e| match e {
            InvitationError::NotFound => {
                Problem::not_found(format!("invitation {id} does not exist"))
            }
            InvitationError::AlreadyExists => {
                Problem::conflict(format!("invitation {id} already exists"))
            }
            InvitationError::NotPending(state) => Problem::unprocessable(
                "invitation-not-pending",
                "Invitation not pending",
                "state",
                format!(
                    "invitation {id} is {}, not pending",
                    serde_json::to_value(state)
                        .unwrap_or_default()
                        .as_str()
                        .unwrap_or("closed")
                ),
            ),
            InvitationError::Expired => Problem::unprocessable(
                "invitation-expired",
                "Invitation expired",
                "expires_at",
                format!("invitation {id} has expired"),
            ),
            InvitationError::InvalidToken => Problem::unprocessable(
                "invalid-accept-token",
                "Invalid accept token",
                "accept_token",
                "the accept token is not valid for this invitation".into(),
            ),
        }),
    }
}

/// The invitation as the API shows it (no token hash), optionally with a one-time token.
fn body(data: &InvitationData, token: Option<&str>) -> Result<serde_json::Value, Problem> {
    let mut value =
        envelope::public_data(serde_json::to_value(data).map_err(|_| Problem::internal())?);
    if let Some(map) = value.as_object_mut() {
        map.insert("object".into(), "invitation".into());
        if let Some(token) = token {
            map.insert("accept_token".into(), token.into());
        }
    }
    Ok(value)
}

async fn load(state: &CommandState, raw: &str) -> Result<InvitationData, Problem> {
    let id = InvitationId::parse(raw)
        .map_err(|e| Problem::field("id", e.to_string()))?
        .to_string();
    let invitation: Invitation = state
        .invitations
        .load(&id)
        .await
        .map_err(invitation_problem(&id))?;
    invitation
        .state
        .ok_or_else(|| Problem::not_found(format!("invitation {id} does not exist")))
}

async fn execute(
    state: &CommandState,
    ctx: &RequestContext,
    data_id: &str,
    org: &str,
    command: InvitationCommand,
) -> Result<(InvitationData, i64), Problem> {
    let executed = state
        .invitations
        .execute(data_id, Some(org), command, ctx)
        .await
        .map_err(invitation_problem(data_id))?;
    let event = executed.events.last().ok_or_else(Problem::internal)?;
    let data = event_data(event)?;
    Ok((data, event.position))
}

async fn create(
    state: web::Data<CommandState>,
    req: HttpRequest,
    path: web::Path<String>,
    Body(input): Body<CreateBody>,
) -> Result<HttpResponse, Problem> {
    let org = org_id(&path.into_inner())?;
    let mut fields = Fields::default();
    let email = fields.check("email", Email::parse(&input.email));
    let roles = match input.roles {
        Some(list) => fields.check(
            "roles",
            list.iter()
                .map(|r| RoleSlug::parse(r))
                .collect::<Result<BTreeSet<_>, _>>(),
        ),
        None => Some(BTreeSet::from([RoleSlug::member()])),
    };
    let days = input.expires_in_days.unwrap_or(DEFAULT_DAYS);
    fields.check(
        "expires_in_days",
        if (1..=30).contains(&days) {
            Ok(())
        } else {
            Err(ValueError("expires_in_days must be 1–30".into()))
        },
    );
    let inviter = input
        .inviter_user_id
        .as_deref()
        .and_then(|u| fields.check("inviter_user_id", SubjectId::parse(u)));
    fields.finish()?;
    let (Some(email), Some(roles)) = (email, roles) else {
        return Err(Problem::internal());
    };
    let org_str = org.to_string();
    check_roles(&state, &org_str, &roles).await?;

    let (token, hash) = new_token();
    let now = Utc::now();
    let id = InvitationId::new();
    let command = InvitationCommand::Create {
        id,
        organization_id: org,
        email,
        roles,
        expires_at: now + Duration::days(days),
        inviter_user_id: inviter,
        accept_token_sha256: hash,
        at: now,
    };
    let (data, position) =
        execute(&state, &context(&req), &id.to_string(), &org_str, command).await?;
    respond(StatusCode::CREATED, &body(&data, Some(&token))?, position)
}

async fn resend(
    state: web::Data<CommandState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let current = load(&state, &path.into_inner()).await?;
    let (token, hash) = new_token();
    let now = Utc::now();
    // The same lifetime as granted, counted from now (a pending invitation's `updated_at` is
    // when its expiry was last set).
    let lifetime = current.expires_at - current.updated_at;
    let command = InvitationCommand::Resend {
        accept_token_sha256: hash,
        expires_at: now + lifetime,
        at: now,
    };
    let org = current.organization_id.to_string();
    let (data, position) = execute(
        &state,
        &context(&req),
        &current.id.to_string(),
        &org,
        command,
    )
    .await?;
    respond(StatusCode::OK, &body(&data, Some(&token))?, position)
}

async fn revoke(
    state: web::Data<CommandState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let current = load(&state, &path.into_inner()).await?;
    let org = current.organization_id.to_string();
    let command = InvitationCommand::Revoke { at: Utc::now() };
    let (data, position) = execute(
        &state,
        &context(&req),
        &current.id.to_string(),
        &org,
        command,
    )
    .await?;
    respond(StatusCode::OK, &body(&data, None)?, position)
}

/// Accepting creates the membership with the invited roles (or reactivates the subject's
/// inactive one, or adds the roles to an active one): `invitation.accepted` and the membership's
/// own event, atomically (see `app::invitations::accept`).
async fn accept(
    state: web::Data<CommandState>,
    req: HttpRequest,
    path: web::Path<String>,
    Body(input): Body<AcceptBody>,
) -> Result<HttpResponse, Problem> {
    let id =
        InvitationId::parse(&path.into_inner()).map_err(|e| Problem::field("id", e.to_string()))?;
    let mut fields = Fields::default();
    let user_id = fields.check("user_id", SubjectId::parse(&input.user_id));
    if input.accept_token.is_empty() {
        fields.check::<()>(
            "accept_token",
            Err(ValueError("accept_token must not be empty".into())),
        );
    }
    fields.finish()?;
    let Some(user_id) = user_id else {
        return Err(Problem::internal());
    };
    let accepted = app::invitations::accept(
        &state,
        &context(&req),
        &id,
        &user_id,
        &sha256_hex(&input.accept_token),
    )
    .await?;
    let mut value = body(&accepted.invitation, None)?;
    if let Some(map) = value.as_object_mut() {
        map.insert(
            "membership".into(),
            serde_json::to_value(&accepted.membership).map_err(|_| Problem::internal())?,
        );
    }
    respond(StatusCode::OK, &value, accepted.position)
}

/// Emits `invitation.expired` for every pending invitation past its expiry at `now`; returns how
/// many. Pending invitations are exactly those holding a claim, so this reads no read model.
pub async fn sweep_expired(
    state: &CommandState,
    now: DateTime<Utc>,
) -> Result<usize, store::StoreError> {
    let ctx = RequestContext {
        actor: Actor::system(),
        request_id: format!("sweep_{}", ulid::Ulid::new()),
    };
    let mut expired = 0;
    for id in store::claims::holders_of_type(&state.pool, "invitation").await? {
        let Ok(invitation) = state.invitations.load(&id).await else {
            continue;
        };
        let Some(data) = invitation.state.filter(|d| d.expires_at <= now) else {
            continue;
        };
        let org = data.organization_id.to_string();
        match state
            .invitations
            .execute(&id, Some(&org), InvitationCommand::Expire { at: now }, &ctx)
            .await
        {
            Ok(executed) if !executed.events.is_empty() => expired += 1,
            Ok(_) | Err(CommandError::Rejected(_)) => {}
            Err(e) => tracing::warn!(error = %e, invitation = id, "could not expire invitation"),
        }
    }
    Ok(expired)
}
