//! Invitations: `POST /v1/organizations/{org_id}/invitations`,
//! `POST /v1/invitations/{id}/resend|revoke|accept`.

use http_edge::path::Id;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use domain::invitation::InvitationData;
use domain::membership::MembershipData;
use domain::{envelope, InvitationId, OrganizationId};
use serde::Serialize;
use serde_json::Value;

use crate::app::invitations::{self as app, Issued};
use crate::app::Written;
use crate::input::invitations::{InvitationAccept, InvitationCreate};
use crate::request::{context, with_position};
use crate::CommandState;
use http_edge::endpoints::{self as e, Endpoint};
use http_edge::{Body, Problem};

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        e::post("/v1/organizations/{org_id}/invitations", create)
            .summary("Invite an email address (one pending invitation per email)")
            .describe("The answer carries the one-time `accept_token`: it is shown this once.")
            .body::<InvitationCreate>()
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
            .body::<InvitationAccept>()
            .answers::<InvitationShown>(200, "Accepted, with the membership"),
    ]
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
    Body(input): Body<InvitationCreate>,
) -> Result<HttpResponse, Problem> {
    let written = app::create(&state, &context(&req)?, &org, input.parse()?).await?;
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
    Body(input): Body<InvitationAccept>,
) -> Result<HttpResponse, Problem> {
    let (user_id, token) = input.parse()?;
    let accepted = app::accept(&state, &context(&req)?, &id, &user_id, &token).await?;
    let written = Written {
        object: accepted.invitation,
        position: accepted.position,
    };
    respond(StatusCode::OK, &written, None, Some(&accepted.membership))
}
