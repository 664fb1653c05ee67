//! Carrying a plan out, exactly: each organization's changes as one unit of work — all of them
//! commit or none — decided by the aggregates as they are now. An organization that changed after
//! the plan's position is refused, naming what moved (the plan would no longer be what was
//! shown); so is one whose unit meets a concurrent change at commit. The other organizations go
//! on. Every event records the document (its SHA-256) and its source (`managed_by`).
//!
//! A saved plan is a file from outside: every value in it is parsed again into the domain's
//! types, and a bad one refuses its organization, naming the change and field.

use std::collections::BTreeSet;

use chrono::{Duration, Utc};
use domain::group::GroupCommand;
use domain::invitation::InvitationCommand;
use domain::membership::{MembershipCommand, MembershipSource, Subject};
use domain::organization::{
    CreateOrganization, CreateRole, DomainPolicy, OrganizationCommand, UpdateDomain,
    UpdateOrganization, UpdateRole,
};
use domain::values::{
    Attributes, Description, DomainName, Email, ExternalId, GroupName, MaxMembers, Metadata,
    OrganizationName, Permissions, RoleName, RoleSlug, SubjectId, TemplateRoleSet,
};
use domain::{
    claims, DocumentRef, GroupId, InvitationId, MembershipId, OrganizationId, RequestContext,
};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use store::UnitOfWork;

use super::plan::{Action, Change, Object, OrganizationPlan};
use super::Plan;
use crate::app::error::explain;
use crate::app::role_assignment::Refusal;
use crate::app::{reach, AppError, Kind};
use crate::CommandState;

/// What became of one organization's part.
#[derive(Debug)]
pub struct Outcome {
    pub external_id: String,
    /// The organization's id (a new one when the plan created it and it committed).
    pub id: Option<String>,
    pub result: Result<Done, AppError>,
}

/// A committed part: how many events it appended, the last one's position, and the one-time
/// accept tokens of the invitations it created (shown this once).
#[derive(Debug, Default)]
pub struct Done {
    pub events: usize,
    pub position: Option<i64>,
    pub tokens: Vec<(String, String)>,
}

/// What an apply did, as `roster apply --output json` prints it and `POST /v1/apply` answers.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Applied {
    /// `apply`.
    pub object: String,
    /// The position the plan was computed at.
    pub plan_position: i64,
    pub source: String,
    pub document_sha256: String,
    /// Whether every organization's part was applied (else see each one's `status`).
    pub complete: bool,
    /// Events appended, in all.
    pub events: usize,
    /// The last event's position: pass it as `min_position` to read what was applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<i64>,
    /// The organization template's part, when the plan changes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_templates: Option<TemplatePart>,
    pub organizations: Vec<Part>,
}

/// The organization template's part of an apply.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "AppliedRoleTemplates")]
pub struct TemplatePart {
    pub status: PartStatus,
    pub events: usize,
    /// The changes carried out (refused: those before the refused one were).
    pub changes: Vec<Change>,
    /// Why it was refused.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Refusal>,
}

/// One organization's part of an apply.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "AppliedOrganization")]
pub struct Part {
    pub external_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub status: PartStatus,
    pub events: usize,
    /// The changes carried out (refused: none of them was).
    pub changes: Vec<Change>,
    /// Why it was refused.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Refusal>,
    /// The invitations it created, each with its accept token (shown this once).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub invitations: Vec<NewInvitation>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(rename = "AppliedStatus")]
pub enum PartStatus {
    /// Every change committed, as one unit.
    Applied,
    /// Nothing to change.
    Unchanged,
    /// Nothing of it was applied.
    Refused,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "AppliedInvitation")]
pub struct NewInvitation {
    pub email: String,
    pub accept_token: String,
}

impl Applied {
    /// The outcomes of carrying `plan` out, as one answer.
    pub fn of(plan: &Plan, executed: Executed) -> Self {
        let outcomes = executed.organizations;
        let mut organizations = Vec::with_capacity(outcomes.len());
        let (mut events, mut position) = (0, None);
        let role_templates = executed.role_templates.map(|result| {
            let (status, done, problems) = match result {
                Ok(done) => (PartStatus::Applied, done, Vec::new()),
                Err(AppError::Refused(refusals)) => {
                    (PartStatus::Refused, Done::default(), refusals)
                }
                Err(other) => {
                    let refusal = Refusal {
                        field: "role_templates".into(),
                        reason: other.to_string(),
                    };
                    (PartStatus::Refused, Done::default(), vec![refusal])
                }
            };
            events += done.events;
            position = position.max(done.position);
            TemplatePart {
                status,
                events: done.events,
                changes: match status {
                    PartStatus::Refused => Vec::new(),
                    _ => plan.role_templates.clone(),
                },
                problems,
            }
        });
        for (i, (outcome, part)) in outcomes.into_iter().zip(&plan.organizations).enumerate() {
            let (status, done, problems) = match outcome.result {
                Ok(done) if part.changes.is_empty() => (PartStatus::Unchanged, done, Vec::new()),
                Ok(done) => (PartStatus::Applied, done, Vec::new()),
                Err(AppError::Refused(refusals)) => {
                    (PartStatus::Refused, Done::default(), refusals)
                }
                Err(other) => {
                    let refusal = Refusal {
                        field: format!("organizations[{i}]"),
                        reason: other.to_string(),
                    };
                    (PartStatus::Refused, Done::default(), vec![refusal])
                }
            };
            events += done.events;
            position = position.max(done.position);
            organizations.push(Part {
                external_id: outcome.external_id,
                id: outcome.id,
                status,
                events: done.events,
                changes: match status {
                    PartStatus::Refused => Vec::new(),
                    _ => part.changes.clone(),
                },
                problems,
                invitations: (done.tokens.into_iter())
                    .map(|(email, accept_token)| NewInvitation {
                        email,
                        accept_token,
                    })
                    .collect(),
            });
        }
        Applied {
            object: "apply".into(),
            plan_position: plan.position,
            source: plan.source.clone(),
            document_sha256: plan.document_sha256.clone(),
            complete: organizations
                .iter()
                .map(|o| o.status)
                .chain(role_templates.as_ref().map(|t| t.status))
                .all(|s| s != PartStatus::Refused),
            events,
            position,
            role_templates,
            organizations,
        }
    }
}

/// What carrying a plan out did: to the organization template (when the plan changes it), then
/// to each organization.
#[derive(Debug)]
pub struct Executed {
    pub role_templates: Option<Result<Done, AppError>>,
    pub organizations: Vec<Outcome>,
}

/// Carries `plan` out — the template's roles first (organizations may name them), then
/// organization by organization — as `ctx` (marked with the plan's document).
pub async fn apply(state: &CommandState, ctx: &RequestContext, plan: &Plan) -> Executed {
    apply_reporting(state, ctx, plan, |_| {}).await
}

/// `apply`, telling `done` about each organization's outcome as it comes (a progress bar).
pub async fn apply_reporting(
    state: &CommandState,
    ctx: &RequestContext,
    plan: &Plan,
    mut done: impl FnMut(&Outcome),
) -> Executed {
    let ctx = RequestContext {
        document: Some(DocumentRef {
            sha256: plan.document_sha256.clone(),
            source: plan.source.clone(),
        }),
        ..ctx.clone()
    };
    let role_templates = match plan.role_templates.is_empty() {
        true => None,
        false => Some(templates(state, &ctx, &plan.role_templates).await),
    };
    let mut outcomes = Vec::with_capacity(plan.organizations.len());
    for (i, org) in plan.organizations.iter().enumerate() {
        let (id, result) = if org.changes.is_empty() {
            (org.id.clone(), Ok(Done::default()))
        } else {
            match organization(state, &ctx, plan.position, org, i).await {
                Ok((id, done)) => (Some(id), Ok(done)),
                Err(e) => (org.id.clone(), Err(e)),
            }
        };
        let outcome = Outcome {
            external_id: org.external_id.clone(),
            id,
            result,
        };
        done(&outcome);
        outcomes.push(outcome);
    }
    Executed {
        role_templates,
        organizations: outcomes,
    }
}

/// The template roles' changes, each a command of its own (one stream per role), in the plan's
/// order; the first refused stops the rest, and applying the plan again (planned anew) finishes.
async fn templates(
    state: &CommandState,
    ctx: &RequestContext,
    changes: &[Change],
) -> Result<Done, AppError> {
    use crate::app::role_templates;
    let mut done = Done::default();
    for (j, change) in changes.iter().enumerate() {
        let path = format!("role_templates[{j}]");
        let get = Values {
            change,
            path: &path,
        };
        let slug: RoleSlug = get.key()?;
        let written = match change.action {
            Action::Create => {
                let input = CreateRole {
                    slug,
                    name: get.required("name")?,
                    description: get.value("description")?,
                    permissions: get.value("permissions")?.unwrap_or_default(),
                    at: Utc::now(),
                };
                role_templates::create(state, ctx, input).await
            }
            Action::Update => {
                let input = UpdateRole {
                    slug,
                    name: get.value("name")?,
                    description: get.value::<Description>("description")?.map(Some),
                    permissions: get.value("permissions")?,
                    at: Utc::now(),
                };
                role_templates::update(state, ctx, input).await
            }
            Action::Remove => {
                return Err(refused(&path, "a document does not remove template roles"));
            }
        };
        let written = written.map_err(|e| match e {
            AppError::Refused(r) => AppError::Refused(r),
            other => AppError::Refused(vec![Refusal {
                field: path.clone(),
                reason: other.to_string(),
            }]),
        })?;
        done.events += 1;
        done.position = done.position.max(Some(written.position));
    }
    Ok(done)
}

/// The commands of one organization's unit, gathered per aggregate in the plan's order.
#[derive(Default)]
struct Work {
    organization: Vec<OrganizationCommand>,
    memberships: Vec<(String, MembershipCommand)>,
    /// Per group (its id), its commands.
    groups: Vec<(String, Vec<GroupCommand>)>,
    invitations: Vec<(String, InvitationCommand)>,
    tokens: Vec<(String, String)>,
    /// Claim prefixes nothing may hold when the unit commits (the groups of a removed member).
    absent: Vec<String>,
}

impl Work {
    fn group(&mut self, id: &str) -> &mut Vec<GroupCommand> {
        let at = match self.groups.iter().position(|(g, _)| g == id) {
            Some(at) => at,
            None => {
                self.groups.push((id.to_owned(), Vec::new()));
                self.groups.len() - 1
            }
        };
        &mut self.groups[at].1
    }

    /// Takes `membership` out of `group` (once, and not when the group is deleted, which takes
    /// every member out itself).
    fn leave_group(&mut self, group: &str, membership: MembershipId, at: chrono::DateTime<Utc>) {
        let commands = self.group(group);
        let redundant = commands.iter().any(|c| match c {
            GroupCommand::Delete { .. } => true,
            GroupCommand::RemoveMember { membership_id, .. } => *membership_id == membership,
            _ => false,
        });
        if !redundant {
            commands.push(GroupCommand::RemoveMember {
                membership_id: membership,
                at,
            });
        }
    }
}

async fn organization(
    state: &CommandState,
    ctx: &RequestContext,
    position: i64,
    plan: &OrganizationPlan,
    at: usize,
) -> Result<(String, Done), AppError> {
    let here = format!("organizations[{at}]");
    let org = match &plan.id {
        Some(id) => {
            let org = OrganizationId::parse(id).map_err(|e| refused(&format!("{here}.id"), e))?;
            reach(ctx, &org, Kind::Organization, id)?;
            let moved = store::log::changed_since(&state.pool, id, position).await?;
            if !moved.is_empty() {
                return Err(AppError::Refused(
                    moved
                        .into_iter()
                        .map(|(kind, id)| Refusal {
                            field: here.clone(),
                            reason: format!("{kind} {id} changed after the plan's position {position}: plan again"),
                        })
                        .collect(),
                ));
            }
            org
        }
        None => {
            if ctx.limited_to.is_some() {
                return Err(AppError::Forbidden(
                    "only an admin key creates organizations".into(),
                ));
            }
            OrganizationId::new()
        }
    };
    let org_str = org.to_string();
    let now = Utc::now();
    let mut work = Work::default();
    // Domains' default roles may name the organization template's roles.
    let template_roles = super::super::role_templates::slugs(state).await?;
    for (j, change) in plan.changes.iter().enumerate() {
        let path = format!("{here}.changes[{j}]");
        let get = Values {
            change,
            path: &path,
        };
        match (change.object, change.action) {
            (Object::Organization, Action::Create) => {
                work.organization
                    .push(OrganizationCommand::Create(CreateOrganization {
                        id: org,
                        name: get.required("name")?,
                        description: get.value("description")?,
                        external_id: Some(
                            ExternalId::parse(&plan.external_id).map_err(|e| refused(&path, e))?,
                        ),
                        metadata: get.value::<Metadata>("metadata")?.unwrap_or_default(),
                        max_members: get.value("max_members")?,
                        template_roles: get.value("template_roles")?,
                        at: now,
                    }))
            }
            (Object::Organization, Action::Update) => {
                work.organization
                    .push(OrganizationCommand::Update(UpdateOrganization {
                        name: get.value::<OrganizationName>("name")?,
                        description: get.value::<Description>("description")?.map(Some),
                        external_id: None,
                        metadata: get.value("metadata")?,
                        max_members: get.value::<MaxMembers>("max_members")?.map(Some),
                        template_roles: get.value::<TemplateRoleSet>("template_roles")?.map(Some),
                        at: now,
                    }))
            }
            (Object::Role, Action::Create) => {
                work.organization
                    .push(OrganizationCommand::CreateRole(CreateRole {
                        slug: get.key::<RoleSlug>()?,
                        name: get.required::<RoleName>("name")?,
                        description: get.value("description")?,
                        permissions: get.value::<Permissions>("permissions")?.unwrap_or_default(),
                        at: now,
                    }))
            }
            (Object::Role, Action::Update) => {
                work.organization
                    .push(OrganizationCommand::UpdateRole(UpdateRole {
                        slug: get.key::<RoleSlug>()?,
                        name: get.value("name")?,
                        description: get.value::<Description>("description")?.map(Some),
                        permissions: get.value("permissions")?,
                        at: now,
                    }))
            }
            (Object::Member, Action::Create) => {
                let id = MembershipId::new();
                let command = MembershipCommand::Create {
                    id,
                    organization_id: org,
                    subject: subject(&change.key).map_err(|e| refused(&path, e))?,
                    roles: get.required::<BTreeSet<RoleSlug>>("roles")?,
                    attributes: get.value::<Attributes>("attributes")?.unwrap_or_default(),
                    source: MembershipSource::Apply,
                    at: now,
                };
                work.memberships.push((id.to_string(), command));
            }
            (Object::Member, Action::Update) => {
                let id = get.id::<MembershipId>()?;
                let roles = get.value::<BTreeSet<RoleSlug>>("roles")?;
                let attributes = get.value::<Attributes>("attributes")?;
                let command = if change.fields.iter().any(|f| f.field == "status") {
                    MembershipCommand::Reactivate {
                        roles,
                        attributes,
                        source: MembershipSource::Apply,
                        at: now,
                    }
                } else {
                    MembershipCommand::Update {
                        roles,
                        attributes,
                        at: now,
                    }
                };
                work.memberships.push((id.to_string(), command));
            }
            (Object::Group, Action::Create) => {
                let id = GroupId::new();
                let command = GroupCommand::Create {
                    id,
                    organization_id: org,
                    name: get.required("name")?,
                    description: get.value("description")?,
                    at: now,
                };
                let roles = get.value::<BTreeSet<RoleSlug>>("roles")?;
                let group = work.group(&id.to_string());
                group.push(command);
                group.extend(roles.map(|roles| GroupCommand::SetRoles { roles, at: now }));
            }
            (Object::Group, Action::Update) => {
                let id = get.id::<GroupId>()?;
                let command = GroupCommand::Update {
                    name: get.value::<GroupName>("name")?,
                    description: get.value::<Description>("description")?.map(Some),
                    at: now,
                };
                let roles = get.value::<BTreeSet<RoleSlug>>("roles")?;
                let group = work.group(&id.to_string());
                group.push(command);
                group.extend(roles.map(|roles| GroupCommand::SetRoles { roles, at: now }));
            }
            (Object::GroupMember, Action::Create) => {
                let group: GroupName = get.required("group")?;
                let member: String = get.required("member")?;
                let member = subject(&member).map_err(|e| refused(&path, e))?;
                let group_id = group_of(state, &work, &org, group.as_str()).await?;
                let membership = membership_of(state, &work, &org, &member).await?;
                let Some((group_id, membership)) = group_id.zip(membership) else {
                    return Err(AppError::Refused(vec![Refusal {
                        field: path,
                        reason: format!(
                            "no group {} or no member {} to add",
                            group.as_str(),
                            member.id().as_str()
                        ),
                    }]));
                };
                let command = GroupCommand::AddMember {
                    membership_id: MembershipId::parse(&membership)
                        .map_err(|e| refused(&path, e))?,
                    at: now,
                };
                work.group(&group_id).push(command);
            }
            (Object::Organization, Action::Remove) => {
                work.organization
                    .push(OrganizationCommand::Delete { at: now });
            }
            (Object::Role, Action::Remove) => {
                work.organization.push(OrganizationCommand::DeleteRole {
                    slug: get.key::<RoleSlug>()?,
                    at: now,
                });
            }
            (Object::Member, Action::Remove) => {
                // It leaves every group it is in, in the same unit (as `leave` does).
                let id = get.id::<MembershipId>()?;
                let prefix = claims::membership_groups_prefix(&id);
                for (_, group) in store::claims::with_prefix(&state.pool, &prefix).await? {
                    work.leave_group(&group, id, now);
                }
                work.absent.push(prefix);
                work.memberships
                    .push((id.to_string(), MembershipCommand::Delete { at: now }));
            }
            (Object::Group, Action::Remove) => {
                let id = get.id::<GroupId>()?;
                work.group(&id.to_string())
                    .push(GroupCommand::Delete { at: now });
            }
            (Object::GroupMember, Action::Remove) => {
                let group = get.id::<GroupId>()?.to_string();
                let member: String = get.old("member")?;
                let member = subject(&member).map_err(|e| refused(&path, e))?;
                let Some(membership) = membership_of(state, &work, &org, &member).await? else {
                    return Err(refused(
                        &path,
                        format!("no member {}", member.id().as_str()),
                    ));
                };
                let membership = MembershipId::parse(&membership).map_err(|e| refused(&path, e))?;
                work.leave_group(&group, membership, now);
            }
            (Object::Invitation, Action::Remove) => {
                let id = get.id::<InvitationId>()?;
                work.invitations
                    .push((id.to_string(), InvitationCommand::Revoke { at: now }));
            }
            (Object::Invitation, action) => {
                if action == Action::Update {
                    let old = get.id::<InvitationId>()?;
                    work.invitations
                        .push((old.to_string(), InvitationCommand::Revoke { at: now }));
                }
                let email = Email::parse(&change.key).map_err(|e| refused(&path, e))?;
                let days: i64 = get.value("expires_in_days")?.unwrap_or(7);
                let (token, hash) = super::super::invitations::new_token();
                let id = InvitationId::new();
                work.tokens.push((email.as_str().to_owned(), token));
                let command = InvitationCommand::Create {
                    id,
                    organization_id: org,
                    email,
                    roles: get.required("roles")?,
                    expires_at: now + Duration::days(days.clamp(1, 30)),
                    inviter_user_id: None,
                    accept_token_sha256: hash,
                    at: now,
                };
                work.invitations.push((id.to_string(), command));
            }
            (Object::Domain, Action::Create) => {
                let domain: DomainName = get.key()?;
                let added = super::super::domains::new_domain(state, domain.clone(), now)?;
                work.organization
                    .push(OrganizationCommand::AddDomain(added));
                let policy: Option<DomainPolicy> = get.value("policy")?;
                let default_roles: Option<BTreeSet<RoleSlug>> = get.value("default_roles")?;
                if policy.is_some() || default_roles.is_some() {
                    work.organization
                        .push(OrganizationCommand::UpdateDomain(UpdateDomain {
                            template_roles: template_roles.clone(),
                            domain,
                            policy,
                            default_roles,
                            at: now,
                        }));
                }
            }
            (Object::Domain, Action::Update) => {
                work.organization
                    .push(OrganizationCommand::UpdateDomain(UpdateDomain {
                        template_roles: template_roles.clone(),
                        domain: get.key()?,
                        policy: get.value("policy")?,
                        default_roles: get.value("default_roles")?,
                        at: now,
                    }));
            }
            (Object::Domain, Action::Remove) => {
                work.organization.push(OrganizationCommand::RemoveDomain {
                    domain: get.key()?,
                    at: now,
                });
            }
            (Object::GroupMember, Action::Update) => {
                return Err(refused(&path, "a change roster does not make"));
            }
            (Object::RoleTemplate, _) => {
                return Err(refused(
                    &path,
                    "the template's roles are not an organization's",
                ));
            }
        }
    }

    // Everything decided on the aggregates as they are now, into one unit.
    let mut unit = UnitOfWork::new();
    if !work.organization.is_empty() {
        let loaded = state
            .organizations
            .load_for_change(&org_str)
            .await
            .map_err(explain(&org_str))?;
        (state.organizations)
            .decide_all(loaded, Some(&org_str), work.organization, ctx, &mut unit)
            .await
            .map_err(explain(&org_str))?;
    }
    for (id, command) in work.memberships {
        let loaded = state
            .memberships
            .load_for_change(&id)
            .await
            .map_err(explain(&id))?;
        (state.memberships)
            .decide(loaded, Some(&org_str), command, ctx, &mut unit)
            .await
            .map_err(explain(&id))?;
    }
    for (id, mut commands) in work.groups {
        // A deleted group takes its members out itself: a removal of one of them would find it
        // gone.
        if commands
            .iter()
            .any(|c| matches!(c, GroupCommand::Delete { .. }))
        {
            commands.retain(|c| !matches!(c, GroupCommand::RemoveMember { .. }));
        }
        let loaded = state
            .groups
            .load_for_change(&id)
            .await
            .map_err(explain(&id))?;
        (state.groups)
            .decide_all(loaded, Some(&org_str), commands, ctx, &mut unit)
            .await
            .map_err(explain(&id))?;
    }
    for (id, command) in work.invitations {
        let loaded = state
            .invitations
            .load_for_change(&id)
            .await
            .map_err(explain(&id))?;
        (state.invitations)
            .decide(loaded, Some(&org_str), command, ctx, &mut unit)
            .await
            .map_err(explain(&id))?;
    }
    for prefix in &work.absent {
        unit.expect_no_claims_under(prefix);
    }
    // Exactly as planned, so not decided again: a conflict at commit refuses the part.
    let committed = unit.commit(&state.pool).await.map_err(|e| match e {
        store::StoreError::Conflict => AppError::Concurrent,
        other => AppError::from(other),
    })?;
    Ok((
        org_str,
        Done {
            events: committed.len(),
            position: committed.last().map(|c| c.position),
            tokens: work.tokens,
        },
    ))
}

/// The group's id: made by this unit, or an existing one found by its name.
async fn group_of(
    state: &CommandState,
    work: &Work,
    org: &OrganizationId,
    name: &str,
) -> Result<Option<String>, AppError> {
    for (id, commands) in &work.groups {
        let named = commands.iter().any(|c| match c {
            GroupCommand::Create { name: n, .. } => n.as_str().eq_ignore_ascii_case(name),
            GroupCommand::Update { name: Some(n), .. } => n.as_str().eq_ignore_ascii_case(name),
            _ => false,
        });
        if named {
            return Ok(Some(id.clone()));
        }
    }
    Ok(
        store::claims::owner(&state.pool, &claims::group_name(org, name))
            .await?
            .map(|(_, id)| id),
    )
}

/// The membership id of `member`: made by this unit, or its existing one.
async fn membership_of(
    state: &CommandState,
    work: &Work,
    org: &OrganizationId,
    member: &Subject,
) -> Result<Option<String>, AppError> {
    for (id, command) in &work.memberships {
        if let MembershipCommand::Create { subject, .. } = command {
            if subject == member {
                return Ok(Some(id.clone()));
            }
        }
    }
    let key = claims::membership_subject(org, member);
    Ok(store::claims::owner(&state.pool, &key)
        .await?
        .map(|(_, id)| id))
}

/// `user:<id>` or `application:<id>`.
fn subject(key: &str) -> Result<Subject, String> {
    let parsed = match key.split_once(':') {
        Some(("user", id)) => SubjectId::parse(id).map(Subject::User),
        Some(("application", id)) => SubjectId::parse(id).map(Subject::Application),
        _ => return Err(format!("`{key}` is not `user:<id>` or `application:<id>`")),
    };
    parsed.map_err(|e| e.to_string())
}

fn refused(path: &str, reason: impl std::fmt::Display) -> AppError {
    AppError::Refused(vec![Refusal {
        field: path.to_owned(),
        reason: reason.to_string(),
    }])
}

/// A change's values, parsed into the domain's types.
struct Values<'a> {
    change: &'a Change,
    path: &'a str,
}

impl Values<'_> {
    /// The new value of `field`, if the change sets it (not `null`).
    fn value<T: DeserializeOwned>(&self, field: &str) -> Result<Option<T>, AppError> {
        self.parsed(field, false)
    }

    /// The old value of `field` (what a removal takes away).
    fn old<T: DeserializeOwned>(&self, field: &str) -> Result<T, AppError> {
        self.parsed(field, true)?.ok_or_else(|| self.missing(field))
    }

    fn required<T: DeserializeOwned>(&self, field: &str) -> Result<T, AppError> {
        self.value(field)?.ok_or_else(|| self.missing(field))
    }

    /// `field`'s old or new value, parsed; `None` when the change has none (or `null`).
    fn parsed<T: DeserializeOwned>(&self, field: &str, old: bool) -> Result<Option<T>, AppError> {
        let found = (self.change.fields.iter().enumerate()).find(|(_, f)| f.field == field);
        let Some((k, f)) = found else {
            return Ok(None);
        };
        let (value, side) = if old {
            (&f.old, "old")
        } else {
            (&f.new, "new")
        };
        if value.is_null() {
            return Ok(None);
        }
        serde_json::from_value(value.clone())
            .map(Some)
            .map_err(|e| refused(&format!("{}.fields[{k}].{side}", self.path), e))
    }

    fn missing(&self, field: &str) -> AppError {
        refused(
            &format!("{}.fields", self.path),
            format!("`{field}` is required"),
        )
    }

    fn key<T: DeserializeOwned>(&self) -> Result<T, AppError> {
        serde_json::from_value(serde_json::Value::String(self.change.key.clone()))
            .map_err(|e| refused(&format!("{}.key", self.path), e))
    }

    fn id<T: std::str::FromStr>(&self) -> Result<T, AppError>
    where
        T::Err: std::fmt::Display,
    {
        let id = self.change.id.as_deref().unwrap_or_default();
        id.parse()
            .map_err(|e| refused(&format!("{}.id", self.path), e))
    }
}
