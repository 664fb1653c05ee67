//! An organization's role catalogue: create, update, delete — and taking a deleted role from its
//! holders, as the process manager carries it out.

use std::collections::BTreeSet;

use chrono::Utc;
use cqrs_es::Aggregate;
use domain::group::{GroupCommand, GroupError};
use domain::membership::{MembershipCommand, MembershipError};
use domain::organization::{
    CreateRole, Organization, OrganizationCommand, OrganizationEvent, RoleData, UpdateRole,
};
use domain::values::RoleSlug;
use domain::RequestContext;
use domain::{claims, OrganizationId};
use store::StoreError;

use crate::bus::{CommandError, Commands};

use super::error::{explain, Rejection};
use super::{execute, holders, reach, AppError, Kind, Written};
use crate::CommandState;

/// Runs a catalogue command; the role from its event, or (no change) from the catalogue.
async fn run(
    state: &CommandState,
    ctx: &RequestContext,
    org: &OrganizationId,
    slug: &RoleSlug,
    command: OrganizationCommand,
) -> Result<Written<RoleData>, AppError> {
    reach(ctx, org, Kind::Organization, &org.to_string())?;
    let org = org.to_string();
    let written = execute(
        &state.organizations,
        ctx,
        (&org, &org),
        command,
        OrganizationEvent::role,
        |o: &Organization| o.roles.get(slug).cloned(),
    )
    .await;
    // Not the organization's own role, but the template's: say where it is changed.
    if let Err(AppError::NotFound(Kind::Role, _)) = &written {
        let key = claims::role_template(slug.as_str());
        if store::claims::owner(&state.pool, &key).await?.is_some() {
            return Err(AppError::TemplateRole(slug.as_str().to_owned()));
        }
    }
    written
}

pub async fn create(
    state: &CommandState,
    ctx: &RequestContext,
    org: &OrganizationId,
    input: CreateRole,
) -> Result<Written<RoleData>, AppError> {
    let slug = input.slug.clone();
    run(
        state,
        ctx,
        org,
        &slug,
        OrganizationCommand::CreateRole(input),
    )
    .await
}

pub async fn update(
    state: &CommandState,
    ctx: &RequestContext,
    org: &OrganizationId,
    input: UpdateRole,
) -> Result<Written<RoleData>, AppError> {
    let slug = input.slug.clone();
    run(
        state,
        ctx,
        org,
        &slug,
        OrganizationCommand::UpdateRole(input),
    )
    .await
}

/// The role leaves the catalogue now (its claim released: no one can be given it any more); the
/// process manager then takes it from every membership holding it ([`take_from_holders`]).
pub async fn delete(
    state: &CommandState,
    ctx: &RequestContext,
    org: &OrganizationId,
    slug: &RoleSlug,
) -> Result<Written<RoleData>, AppError> {
    let command = OrganizationCommand::DeleteRole {
        slug: slug.clone(),
        at: Utc::now(),
    };
    run(state, ctx, org, slug, command).await
}

/// The organization's catalogue or the template it offers must have every role — asked of the
/// claims (one primary-key look-up for all of them), not of the streams: an organization is
/// alive, and has a role, exactly while it holds the claim (the template and what the
/// organization offers of it likewise), and the commit requires the same claims, so this only
/// gives the early, clear answer.
pub async fn check(
    state: &CommandState,
    org: &OrganizationId,
    roles: &BTreeSet<RoleSlug>,
) -> Result<(), AppError> {
    let offered = offered(state, org, roles).await?;
    if !offered.alive {
        return Err(AppError::NotFound(Kind::Organization, org.to_string()));
    }
    match roles.iter().find(|r| !offered.roles.contains(*r)) {
        Some(unknown) => Err(AppError::UnknownRole {
            org: org.to_string(),
            role: unknown.as_str().to_owned(),
        }),
        None => Ok(()),
    }
}

/// What the claims say now of an organization and some roles.
struct Offered {
    alive: bool,
    /// Those of the roles asked about it offers: its own, and the template's it offers.
    roles: BTreeSet<RoleSlug>,
}

async fn offered(
    state: &CommandState,
    org: &OrganizationId,
    roles: &BTreeSet<RoleSlug>,
) -> Result<Offered, AppError> {
    let alive = claims::organization_alive(org);
    let all = claims::template_offered_all(org);
    let keys: Vec<String> = [alive.clone(), all.clone()]
        .into_iter()
        .chain(roles.iter().flat_map(|r| {
            [
                claims::organization_role(org, r.as_str()),
                claims::role_template(r.as_str()),
                claims::template_offered(org, r.as_str()),
            ]
        }))
        .collect();
    let held = store::claims::owners(&state.pool, &keys).await?;
    let has = |k: &String| held.contains_key(k);
    Ok(Offered {
        alive: has(&alive),
        roles: (roles.iter())
            .filter(|r| {
                let s = r.as_str();
                has(&claims::organization_role(org, s))
                    || (has(&claims::role_template(s))
                        && (has(&all) || has(&claims::template_offered(org, s))))
            })
            .cloned()
            .collect(),
    })
}

/// Every role `organization` offers now: its own and the template's it offers.
pub async fn catalogue(
    state: &CommandState,
    organization: &Organization,
) -> Result<BTreeSet<RoleSlug>, AppError> {
    let template = super::role_templates::slugs(state).await?;
    Ok(template
        .iter()
        .chain(organization.roles.keys())
        .filter(|r| organization.offers(r, &template))
        .cloned()
        .collect())
}

/// Takes a role the organization no longer offers (deleted from its catalogue or the template,
/// or withdrawn from what it offers of the template) from every membership holding it and every
/// group granting it (`membership.updated`, `group.roles_updated` each). The claims that let
/// anyone be given it are gone, so the set of holders only shrinks. A change requires every role
/// the holder keeps, so when another of its roles was deleted meanwhile, that one is taken too.
pub async fn take_from_holders(
    state: &CommandState,
    ctx: &RequestContext,
    org: &OrganizationId,
    slug: &RoleSlug,
) -> Result<(), AppError> {
    // An organization's own role of a template role's slug (one from before the template) only
    // took precedence over the template's: where the organization offers that, its holders keep
    // the role, now the template's. A role offered again after it was withdrawn is kept too.
    let slugs = BTreeSet::from([slug.clone()]);
    if offered(state, org, &slugs).await?.roles.contains(slug) {
        return Ok(());
    }
    for id in holders(state, &claims::role_members_prefix(org, slug.as_str())).await? {
        let command = |slugs| MembershipCommand::RemoveRoles {
            slugs,
            at: Utc::now(),
        };
        let gone = |e: &MembershipError| matches!(e, MembershipError::NotFound);
        take(&state.memberships, ctx, org, slug, &id, command, gone).await?;
    }
    for id in holders(state, &claims::role_groups_prefix(org, slug.as_str())).await? {
        let command = |slugs| GroupCommand::RemoveRoles {
            slugs,
            at: Utc::now(),
        };
        let gone = |e: &GroupError| matches!(e, GroupError::NotFound);
        take(&state.groups, ctx, org, slug, &id, command, gone).await?;
    }
    Ok(())
}

/// Takes `slug` (and any other role of the holder found deleted meanwhile) from holder `id`; a
/// holder that is `gone` has nothing left to take.
async fn take<A>(
    commands: &Commands<A>,
    ctx: &RequestContext,
    org: &OrganizationId,
    slug: &RoleSlug,
    id: &str,
    command: impl Fn(BTreeSet<RoleSlug>) -> A::Command,
    gone: impl Fn(&A::Error) -> bool,
) -> Result<(), AppError>
where
    A: Aggregate + 'static,
    A::Command: Clone + domain::Named,
    A::Event: domain::Claims,
    A::Error: Rejection,
{
    let org_str = org.to_string();
    let mut slugs = BTreeSet::from([slug.clone()]);
    loop {
        match commands
            .execute(id, Some(&org_str), command(slugs.clone()), ctx)
            .await
        {
            Ok(_) => return Ok(()),
            Err(CommandError::Rejected(e)) if gone(&e) => return Ok(()),
            Err(CommandError::Store(StoreError::RequirementFailed { key })) => {
                match claims::role_of(org, &key) {
                    Some(other) if slugs.insert(other.clone()) => {}
                    _ => {
                        return Err(explain::<A::Error>(id)(
                            StoreError::RequirementFailed { key }.into(),
                        ))
                    }
                }
            }
            Err(e) => return Err(explain::<A::Error>(id)(e)),
        }
    }
}
