//! Memberships: `POST /v1/organizations/{org_id}/memberships` (and `/bulk`),
//! `PATCH|DELETE /v1/memberships/{id}`, `POST /v1/memberships/{id}/deactivate|reactivate`.

use http_edge::path::Id;
use std::collections::BTreeSet;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use domain::membership::Subject;
use domain::values::{Attributes, RoleSlug, SubjectId, ValueError};
use domain::{MembershipId, OrganizationId};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::app::memberships::{self as app, Joined, Leave, NewMembership};
use crate::app::role_assignment::{self, Members, RoleChange};
use crate::request::{context, respond, roles, shown, with_position, Shown};
use crate::CommandState;
use domain::membership::MembershipData;
use http_edge::endpoints::{self as e, Endpoint};
use http_edge::{present, Body, Fields, Problem};

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        e::post("/v1/organizations/{org_id}/memberships", create)
            .summary("Add a user or application to the organization")
            .describe(
                "Give exactly one of `user_id` or `application_id`. Roles default to `member`. \
                 An inactive membership of the same subject is reactivated (200).",
            )
            .body::<CreateBody>()
            .answers::<Shown<MembershipData>>(201, "Created")
            .answers::<Shown<MembershipData>>(200, "Reactivated"),
        e::post("/v1/organizations/{org_id}/memberships/bulk", bulk)
            .summary("Import up to 1,000 memberships")
            .describe(
                "Each item succeeds or fails on its own; the answer lists every item's result in \
                 request order.",
            )
            .body::<BulkBody>()
            .answers::<BulkResult>(200, "Every item's result"),
        e::post("/v1/organizations/{org_id}/memberships/roles", assign_roles)
            .summary("Change the roles of up to 1,000 members at once, all or nothing")
            .describe(
                "Name the members by exactly one of `user_ids`, `application_ids` or \
                 `membership_ids`; give `add` and/or `remove`, or `set` to replace each member's \
                 roles. Every named membership takes the change in one unit of work, or none \
                 does: a 422 names every member (unknown, inactive, named twice) and every role \
                 (not in the catalogue) that cannot take it. Each membership whose roles change \
                 gets its own `membership.updated`; the others get nothing.",
            )
            .body::<RolesBody>()
            .answers::<RolesResult>(200, "Every named membership after the change"),
        e::patch("/v1/memberships/{id}", update)
            .summary("Change a membership's roles or attributes")
            .body::<UpdateBody>()
            .answers::<Shown<MembershipData>>(200, "Updated"),
        e::delete("/v1/memberships/{id}", delete)
            .summary("Delete a membership (and take it out of its groups, atomically)")
            .answers::<Shown<MembershipData>>(200, "Deleted"),
        e::post("/v1/memberships/{id}/deactivate", deactivate)
            .summary("Deactivate a membership (and take it out of its groups, atomically)")
            .answers::<Shown<MembershipData>>(200, "Deactivated"),
        e::post("/v1/memberships/{id}/reactivate", reactivate)
            .summary("Reactivate a membership")
            .answers::<Shown<MembershipData>>(200, "Reactivated"),
    ]
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(rename = "MembershipCreate", transform = one_subject)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    #[schemars(with = "domain::values::SubjectId")]
    #[serde(default, deserialize_with = "present")]
    user_id: Option<String>,
    #[schemars(with = "domain::values::SubjectId")]
    #[serde(default, deserialize_with = "present")]
    application_id: Option<String>,
    #[schemars(with = "Option<std::collections::BTreeSet<domain::values::RoleSlug>>")]
    roles: Option<Vec<String>>,
    #[schemars(with = "Option<domain::values::Attributes>")]
    attributes: Option<serde_json::Map<String, Value>>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(rename = "MembershipBulk")]
#[serde(deny_unknown_fields)]
struct BulkBody {
    /// 1–1,000 memberships, each as the body of a single create.
    #[schemars(with = "Vec<CreateBody>", length(min = 1, max = 1000))]
    items: Vec<Value>,
}

fn one_subject(schema: &mut schemars::Schema) {
    http_edge::schema::exactly_one(schema, &["user_id", "application_id"]);
}

fn named_members_and_change(schema: &mut schemars::Schema) {
    http_edge::schema::exactly_one(schema, &["user_ids", "application_ids", "membership_ids"]);
    http_edge::schema::one_or_some_of(schema, "set", &["add", "remove"]);
}

/// The answer to a bulk import.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(rename = "MembershipBulkResult")]
struct BulkResult {
    /// `bulk_result`.
    object: &'static str,
    succeeded: usize,
    failed: usize,
    data: Vec<BulkItem>,
    /// The position of the last event written.
    position: i64,
}

/// One item's result: `membership` when it succeeded, `error` when it failed.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(rename = "MembershipBulkItem")]
struct BulkItem {
    index: usize,
    status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Shown<MembershipData>>")]
    membership: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    position: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<Problem>,
}

/// At most this many items per bulk request.
const BULK_MAX: usize = 1000;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(rename = "MembershipRolesChange", transform = named_members_and_change)]
#[serde(deny_unknown_fields)]
struct RolesBody {
    /// 1–1,000 users (or give `application_ids` or `membership_ids`).
    #[schemars(with = "Vec<domain::values::SubjectId>", length(min = 1, max = 1000))]
    #[serde(default, deserialize_with = "present")]
    user_ids: Option<Vec<String>>,
    #[schemars(with = "Vec<domain::values::SubjectId>", length(min = 1, max = 1000))]
    #[serde(default, deserialize_with = "present")]
    application_ids: Option<Vec<String>>,
    #[schemars(with = "Vec<domain::MembershipId>", length(min = 1, max = 1000))]
    #[serde(default, deserialize_with = "present")]
    membership_ids: Option<Vec<String>>,
    /// Roles to give each member.
    #[schemars(with = "Vec<domain::values::RoleSlug>")]
    #[serde(default, deserialize_with = "present")]
    add: Option<Vec<String>>,
    /// Roles to take from each member.
    #[schemars(with = "Vec<domain::values::RoleSlug>")]
    #[serde(default, deserialize_with = "present")]
    remove: Option<Vec<String>>,
    /// Each member's roles, replacing what it had (instead of `add` and `remove`).
    #[schemars(with = "Vec<domain::values::RoleSlug>")]
    #[serde(default, deserialize_with = "present")]
    set: Option<Vec<String>>,
}

/// The answer to a bulk role change.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(rename = "MembershipRolesResult")]
struct RolesResult<'a> {
    /// `membership_roles_result`.
    object: &'static str,
    /// How many memberships changed (each got a `membership.updated`).
    changed: usize,
    /// Every named membership after the change, in request order.
    data: Vec<RolesItem<'a>>,
    /// The position of the last event written (or, nothing changed, of the members' last).
    position: i64,
}

#[derive(Serialize, schemars::JsonSchema)]
#[schemars(rename = "MembershipRolesItem")]
struct RolesItem<'a> {
    object: &'static str,
    #[serde(flatten)]
    membership: &'a MembershipData,
    /// Whether this membership's roles changed.
    changed: bool,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(rename = "MembershipUpdate")]
#[serde(deny_unknown_fields)]
struct UpdateBody {
    #[schemars(with = "std::collections::BTreeSet<domain::values::RoleSlug>")]
    #[serde(default, deserialize_with = "present")]
    roles: Option<Vec<String>>,
    #[schemars(with = "domain::values::Attributes")]
    #[serde(default, deserialize_with = "present")]
    attributes: Option<serde_json::Map<String, Value>>,
}

const OBJECT: &str = "organization_membership";

/// The subject (exactly one of `user_id`, `application_id`), roles (default `member`) and
/// attributes of a new membership.
fn new_membership(input: CreateBody) -> Result<NewMembership, Problem> {
    let mut fields = Fields::default();
    let subject = match (input.user_id, input.application_id) {
        (Some(u), None) => fields
            .check("user_id", SubjectId::parse(&u))
            .map(Subject::User),
        (None, Some(a)) => fields
            .check("application_id", SubjectId::parse(&a))
            .map(Subject::Application),
        _ => fields.check::<Subject, _>(
            "user_id",
            Err(ValueError(
                "give exactly one of user_id or application_id".into(),
            )),
        ),
    };
    let roles = match input.roles {
        Some(list) => fields.check("roles", roles(list)),
        None => Some(BTreeSet::from([RoleSlug::member()])),
    };
    let attributes = match input.attributes {
        Some(a) => fields.check("attributes", Attributes::parse(a)),
        None => Some(Attributes::default()),
    };
    let ((subject, roles), attributes) = fields.done(subject.zip(roles).zip(attributes))?;
    Ok(NewMembership {
        subject,
        roles,
        attributes,
    })
}

fn joined(j: &Joined) -> StatusCode {
    if j.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    }
}

async fn create(
    state: web::Data<CommandState>,
    req: HttpRequest,
    Id(org): Id<OrganizationId>,
    Body(input): Body<CreateBody>,
) -> Result<HttpResponse, Problem> {
    let input = new_membership(input)?;
    let j = app::join(&state, &context(&req)?, &org, input).await?;
    respond(joined(&j), OBJECT, &j.membership)
}

/// Imports up to 1,000 memberships; each item succeeds or fails on its own, and the answer lists
/// every item's result in request order: `{index, status, membership | error}`.
async fn bulk(
    state: web::Data<CommandState>,
    req: HttpRequest,
    Id(org): Id<OrganizationId>,
    Body(input): Body<BulkBody>,
) -> Result<HttpResponse, Problem> {
    if input.items.is_empty() || input.items.len() > BULK_MAX {
        return Err(Problem::field("items", format!("give 1–{BULK_MAX} items")));
    }
    let parsed: Vec<Result<NewMembership, Problem>> = input
        .items
        .into_iter()
        .enumerate()
        .map(|(index, item)| {
            http_edge::body::from_value(item, &format!("items[{index}]")).and_then(new_membership)
        })
        .collect();
    let valid = parsed
        .iter()
        .filter_map(|p| p.as_ref().ok().cloned())
        .collect();
    let mut imported = app::import(&state, &context(&req)?, &org, valid)
        .await?
        .into_iter();
    let mut results = Vec::with_capacity(parsed.len());
    let (mut succeeded, mut position) = (0, 0);
    for (index, item) in parsed.into_iter().enumerate() {
        let outcome = match item {
            Ok(_) => imported.next().map(|r| r.map_err(Problem::from)),
            Err(problem) => Some(Err(problem)),
        };
        results.push(match outcome {
            Some(Ok(j)) => {
                succeeded += 1;
                position = position.max(j.membership.position);
                let membership = serde_json::to_value(shown(OBJECT, &j.membership))
                    .map_err(|_| Problem::internal())?;
                BulkItem {
                    index,
                    status: joined(&j).as_u16(),
                    membership: Some(membership),
                    position: Some(j.membership.position),
                    error: None,
                }
            }
            Some(Err(problem)) => BulkItem {
                index,
                status: problem.status,
                membership: None,
                position: None,
                error: Some(problem),
            },
            None => return Err(Problem::internal()),
        });
    }
    Ok(with_position(StatusCode::OK, position).json(BulkResult {
        object: "bulk_result",
        succeeded,
        failed: results.len() - succeeded,
        data: results,
        position,
    }))
}

/// The members (one list of 1–1,000) and the change (`add`/`remove`, or `set`) of a bulk role
/// change; every bad item named.
fn role_change(input: RolesBody) -> Result<(Members, RoleChange), Problem> {
    let mut fields = Fields::default();
    let lists = (input.user_ids, input.application_ids, input.membership_ids);
    let listed = match lists {
        (Some(ids), None, None) => Some(("user_ids", ids)),
        (None, Some(ids), None) => Some(("application_ids", ids)),
        (None, None, Some(ids)) => Some(("membership_ids", ids)),
        _ => {
            let one = "give exactly one of user_ids, application_ids or membership_ids";
            fields.fail("user_ids", one);
            None
        }
    };
    let members = match listed {
        Some((field, ids)) if !(1..=BULK_MAX).contains(&ids.len()) => {
            fields.fail(field, format!("give 1–{BULK_MAX} members"));
            None
        }
        Some(("user_ids", ids)) => fields
            .each("user_ids", &ids, SubjectId::parse)
            .map(Members::Users),
        Some(("application_ids", ids)) => {
            (fields.each("application_ids", &ids, SubjectId::parse)).map(Members::Applications)
        }
        Some((field, ids)) => fields
            .each(field, &ids, MembershipId::parse)
            .map(Members::Memberships),
        None => None,
    };
    let change = match (input.add, input.remove, input.set) {
        (None, None, Some(set)) => fields
            .each("set", &set, RoleSlug::parse)
            .map(RoleChange::Set),
        (None, None, None) => {
            fields.fail("add", "give add and/or remove, or set");
            None
        }
        (add, remove, None) => {
            let add = fields.each("add", &add.unwrap_or_default(), RoleSlug::parse);
            let remove = fields.each("remove", &remove.unwrap_or_default(), RoleSlug::parse);
            add.zip(remove).and_then(|(add, remove)| {
                let both = remove.iter().position(|r| add.contains(r));
                match both {
                    Some(i) => {
                        fields.fail(&format!("remove[{i}]"), "also in add");
                        None
                    }
                    None => Some(RoleChange::Adjust { add, remove }),
                }
            })
        }
        (_, _, Some(_)) => {
            fields.fail("set", "give either set, or add and remove, not both");
            None
        }
    };
    fields.done(members.zip(change))
}

/// Changes the roles of up to 1,000 members at once, all or nothing.
async fn assign_roles(
    state: web::Data<CommandState>,
    req: HttpRequest,
    Id(org): Id<OrganizationId>,
    Body(input): Body<RolesBody>,
) -> Result<HttpResponse, Problem> {
    let (members, change) = role_change(input)?;
    let assigned =
        role_assignment::assign(&state, &context(&req)?, &org, &members, &change).await?;
    let data: Vec<RolesItem> = (assigned.memberships.iter())
        .map(|(membership, changed)| RolesItem {
            object: OBJECT,
            membership,
            changed: *changed,
        })
        .collect();
    Ok(
        with_position(StatusCode::OK, assigned.position).json(RolesResult {
            object: "membership_roles_result",
            changed: data.iter().filter(|m| m.changed).count(),
            data,
            position: assigned.position,
        }),
    )
}

async fn update(
    state: web::Data<CommandState>,
    req: HttpRequest,
    Id(id): Id<MembershipId>,
    Body(input): Body<UpdateBody>,
) -> Result<HttpResponse, Problem> {
    let mut fields = Fields::default();
    let roles = input.roles.and_then(|r| fields.check("roles", roles(r)));
    let attributes = input
        .attributes
        .and_then(|a| fields.check("attributes", Attributes::parse(a)));
    fields.finish()?;
    let written = app::update(&state, &context(&req)?, &id, roles, attributes).await?;
    respond(StatusCode::OK, OBJECT, &written)
}

/// Deactivates or deletes the membership and takes it out of its groups, atomically.
async fn leave(
    state: &CommandState,
    req: &HttpRequest,
    id: MembershipId,
    how: Leave,
) -> Result<HttpResponse, Problem> {
    let written = app::leave(state, &context(req)?, &id, how).await?;
    respond(StatusCode::OK, OBJECT, &written)
}

async fn deactivate(
    state: web::Data<CommandState>,
    req: HttpRequest,
    Id(id): Id<MembershipId>,
) -> Result<HttpResponse, Problem> {
    leave(&state, &req, id, Leave::Deactivate).await
}

async fn delete(
    state: web::Data<CommandState>,
    req: HttpRequest,
    Id(id): Id<MembershipId>,
) -> Result<HttpResponse, Problem> {
    leave(&state, &req, id, Leave::Delete).await
}

async fn reactivate(
    state: web::Data<CommandState>,
    req: HttpRequest,
    Id(id): Id<MembershipId>,
) -> Result<HttpResponse, Problem> {
    let written = app::reactivate(&state, &context(&req)?, &id).await?;
    respond(StatusCode::OK, OBJECT, &written)
}
