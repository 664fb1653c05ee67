//! Groups: `POST /v1/organizations/{org_id}/groups`, `PATCH|DELETE /v1/groups/{id}`,
//! `PUT /v1/groups/{id}/roles`, `POST /v1/groups/{id}/members`, `DELETE /v1/groups/{id}/members/{membership_id}`.

use crate::input::groups::{GroupCreate, GroupMemberAdd, GroupRoles, GroupUpdate};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use domain::{GroupId, MembershipId, OrganizationId};
use http_edge::path::{Id, Ids};

use crate::app::groups as app;
use crate::request::{context, respond, Shown};
use crate::CommandState;
use domain::group::{GroupData, GroupMember};
use http_edge::endpoints::{self as e, Endpoint};
use http_edge::{Body, Problem};

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        e::post("/v1/organizations/{org_id}/groups", create)
            .summary("Create a group (names are unique per organization, in any case)")
            .body::<GroupCreate>()
            .answers::<Shown<GroupData>>(201, "Created"),
        e::patch("/v1/groups/{id}", update)
            .summary("Update a group")
            .body::<GroupUpdate>()
            .answers::<Shown<GroupData>>(200, "Updated"),
        e::put("/v1/groups/{id}/roles", set_roles)
            .summary("Set the roles the group grants its members")
            .describe(
                "Replaces the roles every member has through the group (`[]`: none); each must be \
                 in the organization's catalogue (422 naming `roles`). A member's effective roles \
                 (claims, `effective_roles`) are its own and its groups'. The same set again \
                 changes nothing.",
            )
            .body::<GroupRoles>()
            .answers::<Shown<GroupData>>(200, "Set"),
        e::delete("/v1/groups/{id}", delete)
            .summary("Delete a group")
            .answers::<Shown<GroupData>>(200, "Deleted"),
        e::post("/v1/groups/{id}/members", add_member)
            .summary("Add an active membership of the group's organization")
            .body::<GroupMemberAdd>()
            .answers::<Shown<GroupMember>>(201, "Added")
            .answers::<Shown<GroupMember>>(200, "It was a member already"),
        e::delete("/v1/groups/{id}/members/{membership_id}", remove_member)
            .summary("Remove a member from a group")
            .answers::<Shown<GroupMember>>(200, "Removed"),
    ]
}

const OBJECT: &str = "group";
const MEMBER: &str = "group_member";

async fn create(
    state: web::Data<CommandState>,
    req: HttpRequest,
    Id(org): Id<OrganizationId>,
    Body(input): Body<GroupCreate>,
) -> Result<HttpResponse, Problem> {
    let (name, description) = input.parse()?;
    let written = app::create(&state, &context(&req)?, &org, name, description).await?;
    respond(StatusCode::CREATED, OBJECT, &written)
}

async fn update(
    state: web::Data<CommandState>,
    req: HttpRequest,
    Id(id): Id<GroupId>,
    Body(input): Body<GroupUpdate>,
) -> Result<HttpResponse, Problem> {
    let (name, description) = input.parse()?;
    let written = app::update(&state, &context(&req)?, &id, name, description).await?;
    respond(StatusCode::OK, OBJECT, &written)
}

async fn set_roles(
    state: web::Data<CommandState>,
    req: HttpRequest,
    Id(id): Id<GroupId>,
    Body(input): Body<GroupRoles>,
) -> Result<HttpResponse, Problem> {
    let roles = input.parse()?;
    let written = app::set_roles(&state, &context(&req)?, &id, roles).await?;
    respond(StatusCode::OK, OBJECT, &written)
}

async fn delete(
    state: web::Data<CommandState>,
    req: HttpRequest,
    Id(id): Id<GroupId>,
) -> Result<HttpResponse, Problem> {
    let written = app::delete(&state, &context(&req)?, &id).await?;
    respond(StatusCode::OK, OBJECT, &written)
}

/// 201 when added now, 200 when it was a member already.
async fn add_member(
    state: web::Data<CommandState>,
    req: HttpRequest,
    Id(id): Id<GroupId>,
    Body(input): Body<GroupMemberAdd>,
) -> Result<HttpResponse, Problem> {
    let membership_id = input.parse()?;
    let added = app::add_member(&state, &context(&req)?, &id, &membership_id).await?;
    let status = if added.added {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    respond(status, MEMBER, &added.member)
}

async fn remove_member(
    state: web::Data<CommandState>,
    req: HttpRequest,
    Ids(id, membership_id): Ids<GroupId, MembershipId>,
) -> Result<HttpResponse, Problem> {
    let written = app::remove_member(&state, &context(&req)?, &id, &membership_id).await?;
    respond(StatusCode::OK, MEMBER, &written)
}
