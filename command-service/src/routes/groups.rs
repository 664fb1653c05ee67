//! Groups: `POST /v1/organizations/{org_id}/groups`, `PATCH|DELETE /v1/groups/{id}`,
//! `POST /v1/groups/{id}/members`, `DELETE /v1/groups/{id}/members/{membership_id}`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use domain::group::{Group, GroupCommand, GroupData, GroupError, GroupMember};
use domain::membership::{Membership, MembershipStatus};
use domain::values::{Description, GroupName};
use domain::{GroupId, MembershipId};
use serde::{Deserialize, Serialize};
use store::CommandError;

use crate::problem::Body;
use crate::problem::{method_not_allowed, Problem};
use crate::request::{
    context, event_data, infrastructure, nullable, org_id, rejected, respond, Fields,
};
use crate::CommandState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/v1/organizations/{org_id}/groups")
            .post(create)
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/v1/groups/{id}")
            .patch(update)
            .delete(delete)
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/v1/groups/{id}/members")
            .post(add_member)
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/v1/groups/{id}/members/{membership_id}")
            .delete(remove_member)
            .default_service(web::to(method_not_allowed)),
    );
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    name: String,
    description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateBody {
    #[serde(default, deserialize_with = "crate::request::present")]
    name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    description: Option<Option<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MemberBody {
    membership_id: String,
}

#[derive(Serialize)]
struct GroupBody<'a> {
    object: &'static str,
    #[serde(flatten)]
    group: &'a GroupData,
}

#[derive(Serialize)]
struct MemberResponse<'a> {
    object: &'static str,
    #[serde(flatten)]
    member: &'a GroupMember,
}

/// Maps a group command's failure; a taken name claim names the group that has it.
pub(crate) fn group_problem(id: &str) -> impl FnOnce(CommandError<GroupError>) -> Problem + '_ {
    move |e| match e {
        CommandError::ClaimTaken { owner_id, .. } => Problem::conflict(format!(
            "the organization already has a group with this name: {owner_id}"
        ))
        .with_field("name", format!("already used by {owner_id}")),
        CommandError::RequirementFailed { key } if key.ends_with("/alive") => {
            Problem::not_found("the group's organization does not exist")
        }
        CommandError::RequirementFailed { .. } => Problem::unprocessable(
            "membership-not-active",
            "Membership not active",
            "membership_id",
            "the membership is not active".into(),
        ),
        other => infrastructure(other, |e| match e {
            GroupError::NotFound => Problem::not_found(format!("group {id} does not exist")),
            GroupError::AlreadyExists => Problem::conflict(format!("group {id} already exists")),
            GroupError::NotMember(m) => {
                Problem::not_found(format!("{m} is not a member of group {id}"))
            }
        }),
    }
}

async fn load(state: &CommandState, raw: &str) -> Result<GroupData, Problem> {
    let id = GroupId::parse(raw)
        .map_err(|e| Problem::field("id", e.to_string()))?
        .to_string();
    let group: Group = state.groups.load(&id).await.map_err(group_problem(&id))?;
    group
        .current()
        .cloned()
        .ok_or_else(|| Problem::not_found(format!("group {id} does not exist")))
}

async fn create(
    state: web::Data<CommandState>,
    req: HttpRequest,
    path: web::Path<String>,
    Body(input): Body<CreateBody>,
) -> Result<HttpResponse, Problem> {
    let org = org_id(&path.into_inner())?;
    let mut fields = Fields::default();
    let name = fields.check("name", GroupName::parse(&input.name));
    let description = input
        .description
        .as_deref()
        .and_then(|d| fields.check("description", Description::parse(d)));
    fields.finish()?;
    let Some(name) = name else {
        return Err(Problem::internal());
    };
    let org_str = org.to_string();
    let organization = state
        .organizations
        .load(&org_str)
        .await
        .map_err(|e| infrastructure(e, rejected(&org_str)))?;
    if organization.current().is_none() {
        return Err(Problem::not_found(format!(
            "organization {org_str} does not exist"
        )));
    }
    let id = GroupId::new();
    let command = GroupCommand::Create {
        id,
        organization_id: org,
        name,
        description,
        at: Utc::now(),
    };
    run(
        &state,
        &req,
        &id.to_string(),
        &org_str,
        command,
        StatusCode::CREATED,
    )
    .await
}

async fn update(
    state: web::Data<CommandState>,
    req: HttpRequest,
    path: web::Path<String>,
    Body(input): Body<UpdateBody>,
) -> Result<HttpResponse, Problem> {
    let group = load(&state, &path.into_inner()).await?;
    let mut fields = Fields::default();
    let name = input
        .name
        .as_deref()
        .and_then(|n| fields.check("name", GroupName::parse(n)));
    let description = fields.check_nullable("description", input.description, Description::parse);
    fields.finish()?;
    let command = GroupCommand::Update {
        name,
        description,
        at: Utc::now(),
    };
    let org = group.organization_id.to_string();
    run(
        &state,
        &req,
        &group.id.to_string(),
        &org,
        command,
        StatusCode::OK,
    )
    .await
}

async fn delete(
    state: web::Data<CommandState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let group = load(&state, &path.into_inner()).await?;
    let org = group.organization_id.to_string();
    let command = GroupCommand::Delete { at: Utc::now() };
    run(
        &state,
        &req,
        &group.id.to_string(),
        &org,
        command,
        StatusCode::OK,
    )
    .await
}

/// Runs a group command and answers with the group (from its last group event, or the state).
async fn run(
    state: &CommandState,
    req: &HttpRequest,
    id: &str,
    org: &str,
    command: GroupCommand,
    status: StatusCode,
) -> Result<HttpResponse, Problem> {
    let executed = state
        .groups
        .execute(id, Some(org), command, &context(req))
        .await
        .map_err(group_problem(id))?;
    let group_event = executed
        .events
        .iter()
        .rev()
        .find(|e| !e.event_type.starts_with("group.member_"));
    if let (Some(event), Some(position)) = (group_event, executed.last_position()) {
        let data: GroupData = event_data(event)?;
        return respond(
            status,
            &GroupBody {
                object: "group",
                group: &data,
            },
            position,
        );
    }
    let data = load(state, id).await?;
    let position = state
        .groups
        .last_position(id)
        .await
        .map_err(group_problem(id))?
        .unwrap_or(0);
    respond(
        status,
        &GroupBody {
            object: "group",
            group: &data,
        },
        position,
    )
}

async fn add_member(
    state: web::Data<CommandState>,
    req: HttpRequest,
    path: web::Path<String>,
    Body(input): Body<MemberBody>,
) -> Result<HttpResponse, Problem> {
    let group = load(&state, &path.into_inner()).await?;
    let membership_id = MembershipId::parse(&input.membership_id)
        .map_err(|e| Problem::field("membership_id", e.to_string()))?;
    let m_str = membership_id.to_string();
    let membership: Membership = state.memberships.load(&m_str).await.map_err(|e| {
        infrastructure(e, |_| {
            Problem::not_found(format!("membership {m_str} does not exist"))
        })
    })?;
    let Some(m) = membership.current() else {
        return Err(Problem::not_found(format!(
            "membership {m_str} does not exist"
        )));
    };
    if m.organization_id != group.organization_id {
        return Err(Problem::unprocessable(
            "wrong-organization",
            "Wrong organization",
            "membership_id",
            format!("membership {m_str} belongs to another organization"),
        ));
    }
    if m.status != MembershipStatus::Active {
        return Err(Problem::unprocessable(
            "membership-not-active",
            "Membership not active",
            "membership_id",
            format!("membership {m_str} is not active"),
        ));
    }
    let id = group.id.to_string();
    let org = group.organization_id.to_string();
    let command = GroupCommand::AddMember {
        membership_id,
        at: Utc::now(),
    };
    let executed = state
        .groups
        .execute(&id, Some(&org), command, &context(&req))
        .await
        .map_err(group_problem(&id))?;
    match executed.events.last() {
        Some(event) => {
            let member: GroupMember = event_data(event)?;
            respond(
                StatusCode::CREATED,
                &MemberResponse {
                    object: "group_member",
                    member: &member,
                },
                event.position,
            )
        }
        // Already a member: nothing appended.
        None => {
            let position = state
                .groups
                .last_position(&id)
                .await
                .map_err(group_problem(&id))?
                .unwrap_or(0);
            let member = GroupMember {
                group_id: group.id,
                organization_id: group.organization_id,
                membership_id,
                at: Utc::now(),
            };
            respond(
                StatusCode::OK,
                &MemberResponse {
                    object: "group_member",
                    member: &member,
                },
                position,
            )
        }
    }
}

async fn remove_member(
    state: web::Data<CommandState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, Problem> {
    let (raw_group, raw_membership) = path.into_inner();
    let group = load(&state, &raw_group).await?;
    let membership_id = MembershipId::parse(&raw_membership)
        .map_err(|e| Problem::field("membership_id", e.to_string()))?;
    let id = group.id.to_string();
    let org = group.organization_id.to_string();
    let command = GroupCommand::RemoveMember {
        membership_id,
        at: Utc::now(),
    };
    let executed = state
        .groups
        .execute(&id, Some(&org), command, &context(&req))
        .await
        .map_err(group_problem(&id))?;
    let event = executed.events.last().ok_or_else(Problem::internal)?;
    let member: GroupMember = event_data(event)?;
    respond(
        StatusCode::OK,
        &MemberResponse {
            object: "group_member",
            member: &member,
        },
        event.position,
    )
}
