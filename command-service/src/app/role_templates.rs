//! The organization template: roles defined once for the deployment (admin keys only), offered
//! by every organization besides its custom roles — and taking a deleted template role from its
//! holders in every organization, as the process manager carries it out.

use std::collections::BTreeSet;

use chrono::Utc;
use domain::organization::{CreateRole, UpdateRole};
use domain::role_template::{
    RoleTemplate, RoleTemplateCommand, RoleTemplateError, RoleTemplateEvent, TemplateRole,
};
use domain::values::{Permissions, RoleName, RoleSlug};
use domain::{claims, OrganizationId, RequestContext};
use store::{StoreError, UnitOfWork};

use super::error::explain;
use super::{commit, execute, with_retries, AppError, Try, Written};
use crate::bus::CommandError;
use crate::CommandState;

fn admin_only(ctx: &RequestContext) -> Result<(), AppError> {
    match ctx.limited_to {
        Some(_) => Err(AppError::Forbidden(
            "the organization template is the deployment's: only an admin key may change it".into(),
        )),
        None => Ok(()),
    }
}

fn carried(event: &RoleTemplateEvent) -> Option<&TemplateRole> {
    Some(event.role())
}

/// A new template role. No organization may have a custom role of its slug: the first found is
/// named; one created while this commits makes the commit fail (`role_slug/<slug>/` must stay
/// empty) and the check runs again.
pub async fn create(
    state: &CommandState,
    ctx: &RequestContext,
    input: CreateRole,
) -> Result<Written<TemplateRole>, AppError> {
    admin_only(ctx)?;
    let slug = input.slug.as_str().to_owned();
    let prefix = claims::role_slug_prefix(&slug);
    with_retries(|| async {
        if let Some((key, _)) = store::claims::with_prefix(&state.pool, &prefix)
            .await?
            .first()
        {
            let org = key.strip_prefix(&prefix).unwrap_or_default().to_owned();
            return Err(Try::Fail(AppError::Taken {
                field: "slug",
                message: format!("organization {org} has a custom role `{slug}`"),
                detail: format!(
                    "organization {org} has a custom role `{slug}`; a template role cannot take its slug"
                ),
            }));
        }
        let loaded = (state.role_templates.load_for_change(&slug).await)
            .map_err(explain(&slug))?;
        let mut unit = UnitOfWork::new();
        let decided = state
            .role_templates
            .decide(
                loaded,
                None,
                RoleTemplateCommand::Create(input.clone()),
                ctx,
                &mut unit,
            )
            .await
            .map_err(explain(&slug))?;
        unit.expect_no_claims_under(&prefix);
        let committed = commit(&state.pool, unit, |_| Try::Again).await?;
        let role = decided.state.role.ok_or_else(|| {
            Try::Fail(AppError::Internal("a created template role is missing".into()))
        })?;
        Ok(Written {
            object: role,
            position: committed.last().map_or(0, |c| c.position),
        })
    })
    .await
}

pub async fn update(
    state: &CommandState,
    ctx: &RequestContext,
    input: UpdateRole,
) -> Result<Written<TemplateRole>, AppError> {
    admin_only(ctx)?;
    let slug = input.slug.as_str().to_owned();
    execute(
        &state.role_templates,
        ctx,
        (&slug, ""),
        RoleTemplateCommand::Update(input),
        carried,
        |t: &RoleTemplate| t.role.clone(),
    )
    .await
}

/// The role leaves the template now (its claim released: no one can be given it through the
/// template any more); the process manager then takes it from its holders ([`take_from_holders`]).
pub async fn delete(
    state: &CommandState,
    ctx: &RequestContext,
    slug: &RoleSlug,
) -> Result<Written<TemplateRole>, AppError> {
    admin_only(ctx)?;
    let id = slug.as_str().to_owned();
    let command = RoleTemplateCommand::Delete {
        slug: slug.clone(),
        at: Utc::now(),
    };
    execute(
        &state.role_templates,
        ctx,
        (&id, ""),
        command,
        carried,
        |t: &RoleTemplate| t.role.clone(),
    )
    .await
}

/// The template a deployment starts with: the built-in `admin` and `member` (no permissions),
/// written once, when `member` never was — at the start of every process that serves commands
/// or runs a CLI tool, the first to commit winning and the others finding it done. So a store
/// from before the template gets it without a manual step; its organizations keep the `admin`
/// and `member` they were created with, which take precedence in them over the template's.
pub async fn seed_built_ins(state: &CommandState) -> Result<(), StoreError> {
    let ctx = RequestContext::system("role-template-seed");
    // A refusal here means the store holds what the template's own rules forbid.
    let stored = |e: CommandError<RoleTemplateError>| match e {
        CommandError::Store(e) => e,
        CommandError::Rejected(e) => StoreError::Corrupt(format!("built-in template roles: {e}")),
    };
    let taken = |e: &StoreError| matches!(e, StoreError::Conflict | StoreError::ClaimTaken { .. });
    store::retry_conflicts(taken, || async {
        let mut unit = UnitOfWork::new();
        for (slug, name) in [(RoleSlug::admin(), "Admin"), (RoleSlug::member(), "Member")] {
            let loaded =
                (state.role_templates.load_for_change(slug.as_str()).await).map_err(stored)?;
            if !loaded.is_new() {
                if slug == RoleSlug::member() {
                    return Ok(());
                }
                continue; // `admin` made through the API before the seed: kept as it is
            }
            let name = RoleName::parse(name).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let create = RoleTemplateCommand::Create(CreateRole {
                slug,
                name,
                description: None,
                permissions: Permissions::default(),
                at: Utc::now(),
            });
            (state.role_templates)
                .decide(loaded, None, create, &ctx, &mut unit)
                .await
                .map_err(stored)?;
        }
        unit.commit(&state.pool).await.map(|_| ())
    })
    .await
}

/// Whether the built-ins were written ([`seed_built_ins`]; `member` cannot be deleted, so its
/// claim stays).
pub async fn seeded(pool: &sqlx::PgPool) -> Result<bool, StoreError> {
    let member = claims::role_template(RoleSlug::member().as_str());
    Ok(store::claims::owner(pool, &member).await?.is_some())
}

/// The template's roles now (their claims: one index range).
pub async fn slugs(state: &CommandState) -> Result<BTreeSet<RoleSlug>, AppError> {
    let rows = store::claims::with_prefix(&state.pool, claims::ROLE_TEMPLATES_PREFIX).await?;
    Ok(rows
        .iter()
        .filter_map(|(key, _)| key.strip_prefix(claims::ROLE_TEMPLATES_PREFIX))
        .filter_map(|slug| RoleSlug::parse(slug).ok())
        .collect())
}

/// Takes a deleted template role from its holders in every organization that has no custom role
/// of that slug (there the holders hold the organization's own role), organization by
/// organization, as a role deleted from one catalogue is taken ([`super::roles::take_from_holders`]).
/// The template's claim was released with `role_template.deleted`, so the holders only shrink.
pub async fn take_from_holders(
    state: &CommandState,
    ctx: &RequestContext,
    slug: &RoleSlug,
) -> Result<(), AppError> {
    let mut organizations = BTreeSet::new();
    for part in claims::role_holder_parts(slug.as_str()) {
        let rows = store::claims::with_parts(&state.pool, "organization/", &part).await?;
        organizations.extend(
            rows.iter()
                .filter_map(|(key, _)| claims::organization_of(key)),
        );
    }
    for org in organizations {
        let own = claims::organization_role(&org, slug.as_str());
        if store::claims::owner(&state.pool, &own).await?.is_some() {
            continue;
        }
        super::roles::take_from_holders(state, ctx, &org, slug).await?;
    }
    Ok(())
}

/// Takes the template roles an organization no longer offers (it offers only `after`, where it
/// offered `before`, `None` for all) from their holders there. Its claims for them went with
/// `organization.updated`, so no one can be given them any more; a role offered again since is
/// kept ([`super::roles::take_from_holders`] asks the claims first).
pub async fn take_withdrawn(
    state: &CommandState,
    ctx: &RequestContext,
    org: &OrganizationId,
    before: &Option<BTreeSet<RoleSlug>>,
    after: &BTreeSet<RoleSlug>,
) -> Result<(), AppError> {
    let mut candidates = slugs(state).await?;
    candidates.extend(before.iter().flatten().cloned());
    for slug in candidates.difference(after) {
        super::roles::take_from_holders(state, ctx, org, slug).await?;
    }
    Ok(())
}
