//! Invitations: `POST /v1/organizations/{org_id}/invitations`,
//! `POST /v1/invitations/{id}/resend|revoke|accept`.

use http_edge::path::Id;
use std::collections::BTreeSet;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Duration;
use domain::invitation::InvitationData;
use domain::membership::MembershipData;
use domain::values::{Email, RoleSlug, SubjectId, ValueError};
use domain::{envelope, InvitationId, OrganizationId};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::app::invitations::{self as app, Issued, NewInvitation};
use crate::app::Written;
use crate::request::{context, roles, with_position};
use crate::CommandState;
use http_edge::endpoints::{self as e, Endpoint};
use http_edge::{Body, Fields, Problem};

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        e::post("/v1/organizations/{org_id}/invitations", create)
            .summary("Invite an email address (one pending invitation per email)")
            .describe("The answer carries the one-time `accept_token`: it is shown this once.")
            .body::<CreateBody>()
            .answers::<InvitationShown>(201, "Created, with its accept token"),
        e::post("/v1/invitations/{id}/resend", resend)
            .summary("Issue a new accept token (the old one stops working)")
            .answers::<InvitationShown>(200, "Resent, with its new accept token"),
        e::post("/v1/invitations/{id}/revoke", revoke)
            .summary("Revoke a pending invitation")
            .answers::<InvitationShown>(200, "Revoked"),
        e::post("/v1/invitations/{id}/accept", accept)
            .summary("Accept an invitation with its token")
            .describe(
                "Creates the membership with the invited roles (or reactivates the subject's \
                 inactive one, or adds the roles to an active one), atomically with the \
                 acceptance.",
            )
            .body::<AcceptBody>()
            .answers::<InvitationShown>(200, "Accepted, with the membership"),
    ]
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(rename = "InvitationCreate")]
#[serde(deny_unknown_fields)]
struct CreateBody {
    #[schemars(with = "domain::values::Email")]
    email: String,
    #[schemars(with = "Option<std::collections::BTreeSet<domain::values::RoleSlug>>")]
    roles: Option<Vec<String>>,
    /// Days until it expires (default 7).
    #[schemars(range(min = 1, max = 30))]
    expires_in_days: Option<i64>,
    #[schemars(with = "Option<domain::values::SubjectId>")]
    inviter_user_id: Option<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(rename = "InvitationAccept")]
#[serde(deny_unknown_fields)]
struct AcceptBody {
    #[schemars(with = "domain::values::SubjectId")]
    user_id: String,
    /// The token the invitation was issued with.
    #[schemars(length(min = 1))]
    accept_token: String,
}

const DEFAULT_DAYS: i64 = 7;

fn lifetime(days: i64) -> Result<Duration, ValueError> {
    if (1..=30).contains(&days) {
        Ok(Duration::days(days))
    } else {
        Err(ValueError("expires_in_days must be 1–30".into()))
    }
}

/// The invitation as the API shows it (never the token's hash), with the one-time token when one
/// was just issued, and the position.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(rename = "InvitationChange")]
struct InvitationShown<'a> {
    /// `invitation`.
    object: &'static str,
    #[serde(flatten)]
    #[schemars(with = "InvitationData")]
    invitation: Value,
    /// The one-time accept token, when one was just issued: shown this once.
    #[serde(skip_serializing_if = "Option::is_none")]
    accept_token: Option<&'a str>,
    /// The membership the acceptance created or changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    membership: Option<&'a MembershipData>,
    /// The position of the change's last event.
    position: i64,
}

fn respond(
    status: StatusCode,
    written: &Written<InvitationData>,
    accept_token: Option<&str>,
    membership: Option<&MembershipData>,
) -> Result<HttpResponse, Problem> {
    let data = serde_json::to_value(&written.object).map_err(|_| Problem::internal())?;
    Ok(
        with_position(status, written.position).json(InvitationShown {
            object: "invitation",
            invitation: envelope::public_data(data),
            accept_token,
            membership,
            position: written.position,
        }),
    )
}

fn issued(status: StatusCode, issued: &Issued) -> Result<HttpResponse, Problem> {
    respond(status, &issued.invitation, Some(&issued.token), None)
}

async fn create(
    state: web::Data<CommandState>,
    req: HttpRequest,
    Id(org): Id<OrganizationId>,
    Body(input): Body<CreateBody>,
) -> Result<HttpResponse, Problem> {
    let mut fields = Fields::default();
    let email = fields.check("email", Email::parse(&input.email));
    let roles = match input.roles {
        Some(list) => fields.check("roles", roles(list)),
        None => Some(BTreeSet::from([RoleSlug::member()])),
    };
    let lifetime = fields.check(
        "expires_in_days",
        lifetime(input.expires_in_days.unwrap_or(DEFAULT_DAYS)),
    );
    let inviter_user_id = input
        .inviter_user_id
        .and_then(|u| fields.check("inviter_user_id", SubjectId::parse(&u)));
    let ((email, roles), lifetime) = fields.done(email.zip(roles).zip(lifetime))?;
    let input = NewInvitation {
        email,
        roles,
        lifetime,
        inviter_user_id,
    };
    let written = app::create(&state, &context(&req)?, &org, input).await?;
    issued(StatusCode::CREATED, &written)
}

async fn resend(
    state: web::Data<CommandState>,
    req: HttpRequest,
    Id(id): Id<InvitationId>,
) -> Result<HttpResponse, Problem> {
    issued(
        StatusCode::OK,
        &app::resend(&state, &context(&req)?, &id).await?,
    )
}

async fn revoke(
    state: web::Data<CommandState>,
    req: HttpRequest,
    Id(id): Id<InvitationId>,
) -> Result<HttpResponse, Problem> {
    let written = app::revoke(&state, &context(&req)?, &id).await?;
    respond(StatusCode::OK, &written, None, None)
}

/// Accepting creates the membership with the invited roles (or reactivates the subject's
/// inactive one, or adds the roles to an active one): `invitation.accepted` and the membership's
/// own event, atomically (see `app::invitations::accept`).
async fn accept(
    state: web::Data<CommandState>,
    req: HttpRequest,
    Id(id): Id<InvitationId>,
    Body(input): Body<AcceptBody>,
) -> Result<HttpResponse, Problem> {
    let mut fields = Fields::default();
    let user_id = fields.check("user_id", SubjectId::parse(&input.user_id));
    if input.accept_token.is_empty() {
        fields.fail("accept_token", "accept_token must not be empty");
    }
    let user_id = fields.done(user_id)?;
    let accepted = app::accept(&state, &context(&req)?, &id, &user_id, &input.accept_token).await?;
    let written = Written {
        object: accepted.invitation,
        position: accepted.position,
    };
    respond(StatusCode::OK, &written, None, Some(&accepted.membership))
}
