//! Memberships: create-or-reactivate (one per subject and organization), bulk import, update,
//! reactivation, and leaving (deactivate or delete), which reaches into groups.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use domain::group::{GroupCommand, GroupError};
use domain::membership::{
    Membership, MembershipCommand, MembershipData, MembershipEvent, MembershipSource,
    MembershipStatus, Subject,
};
use domain::values::{Attributes, RoleSlug};
use domain::RequestContext;
use domain::{claims, MembershipId, OrganizationId};
use futures::StreamExt;
use store::UnitOfWork;

use crate::bus::CommandError;

use super::error::explain;
use super::{
    commit, execute, execute_requiring, load, reach, roles, with_retries, AppError, Kind, Try,
    Written,
};
use crate::CommandState;

/// A subject to make a member, with its roles and attributes.
#[derive(Debug, Clone)]
pub struct NewMembership {
    pub subject: Subject,
    pub roles: BTreeSet<RoleSlug>,
    pub attributes: Attributes,
}

/// The membership a subject has after joining, and whether it is new (else reactivated).
#[derive(Debug)]
pub struct Joined {
    pub membership: Written<MembershipData>,
    pub created: bool,
}

/// Items of a bulk import decided at once; results keep the input's order.
const IMPORT_CONCURRENCY: usize = 8;

fn carried(event: &MembershipEvent) -> Option<&MembershipData> {
    Some(event.membership())
}

fn current(m: &Membership) -> Option<MembershipData> {
    m.current().cloned()
}

/// Makes the subject a member of `org` with the given roles: a new membership, or the subject's
/// inactive one reactivated; `source` records how it joined. An active one is a conflict naming
/// it.
pub async fn join(
    state: &CommandState,
    ctx: &RequestContext,
    org: &OrganizationId,
    input: NewMembership,
    source: MembershipSource,
) -> Result<Joined, AppError> {
    join_requiring(state, ctx, org, input, source, &[]).await
}

/// [`join`], committing only while every key of `requires` is held (what allowed the join, when
/// a change racing it could take that away: a domain's `auto_join`).
pub(crate) async fn join_requiring(
    state: &CommandState,
    ctx: &RequestContext,
    org: &OrganizationId,
    input: NewMembership,
    source: MembershipSource,
    requires: &[String],
) -> Result<Joined, AppError> {
    reach(ctx, org, Kind::Organization, &org.to_string())?;
    roles::check(state, org, &input.roles).await?;
    let key = claims::membership_subject(org, &input.subject);
    let existing = match store::claims::owner(&state.pool, &key).await? {
        Some((_, id)) => Some((load(&state.memberships, &id).await?, id)),
        None => None,
    };
    let existing = existing.as_ref().map(|(m, id)| (id.as_str(), m));
    let (id, command) = joining(org, existing, input, source, Utc::now())?;
    let created = matches!(command, MembershipCommand::Create { .. });
    let org = org.to_string();
    let membership = execute_requiring(
        &state.memberships,
        ctx,
        (&id, &org),
        command,
        carried,
        current,
        requires,
    )
    .await?;
    Ok(Joined {
        membership,
        created,
    })
}

/// How a subject joins `org`, given the membership it already has there (its id and state): the
/// membership to change and the command. An active one is a conflict naming it.
fn joining(
    org: &OrganizationId,
    existing: Option<(&str, &Membership)>,
    input: NewMembership,
    source: MembershipSource,
    at: DateTime<Utc>,
) -> Result<(String, MembershipCommand), AppError> {
    let Some((id, membership)) = existing else {
        let id = MembershipId::new();
        let command = MembershipCommand::Create {
            id,
            organization_id: *org,
            subject: input.subject,
            roles: input.roles,
            attributes: input.attributes,
            source,
            at,
        };
        return Ok((id.to_string(), command));
    };
    if membership.current().map(|m| m.status) == Some(MembershipStatus::Active) {
        return Err(AppError::Taken {
            field: "membership_id",
            detail: format!(
                "{} {} already has membership {id} in {org}",
                input.subject.kind(),
                input.subject.id().as_str()
            ),
            message: id.to_owned(),
        });
    }
    let command = MembershipCommand::Reactivate {
        roles: Some(input.roles),
        attributes: Some(input.attributes),
        source,
        at,
    };
    Ok((id.to_owned(), command))
}

/// Joins every item on its own ([`join`]); one failing does not stop the others. The results are
/// in the order of `items`. An organization that is not there (or not the caller's) fails the
/// whole import.
pub async fn import(
    state: &CommandState,
    ctx: &RequestContext,
    org: &OrganizationId,
    items: Vec<NewMembership>,
) -> Result<Vec<Result<Joined, AppError>>, AppError> {
    reach(ctx, org, Kind::Organization, &org.to_string())?;
    roles::check(state, org, &BTreeSet::new()).await?;
    Ok(futures::stream::iter(items)
        .map(|item| join(state, ctx, org, item, MembershipSource::Bulk))
        .buffered(IMPORT_CONCURRENCY)
        .collect()
        .await)
}

/// A live membership (not deleted) the caller reaches.
async fn live(
    state: &CommandState,
    ctx: &RequestContext,
    id: &MembershipId,
) -> Result<MembershipData, AppError> {
    let id = id.to_string();
    let membership: Membership = load(&state.memberships, &id).await?;
    let current = membership
        .current()
        .cloned()
        .ok_or_else(|| AppError::NotFound(Kind::Membership, id.clone()))?;
    reach(ctx, &current.organization_id, Kind::Membership, &id)?;
    Ok(current)
}

/// Runs `command` on `membership` (live, and reached by the caller).
async fn change(
    state: &CommandState,
    ctx: &RequestContext,
    membership: &MembershipData,
    command: MembershipCommand,
) -> Result<Written<MembershipData>, AppError> {
    let (id, org) = (
        membership.id.to_string(),
        membership.organization_id.to_string(),
    );
    execute(
        &state.memberships,
        ctx,
        (&id, &org),
        command,
        carried,
        current,
    )
    .await
}

/// Changes roles and/or attributes (`None` leaves one alone); new roles must be in the catalogue.
pub async fn update(
    state: &CommandState,
    ctx: &RequestContext,
    id: &MembershipId,
    roles: Option<BTreeSet<RoleSlug>>,
    attributes: Option<Attributes>,
) -> Result<Written<MembershipData>, AppError> {
    let membership = live(state, ctx, id).await?;
    if let Some(roles) = &roles {
        roles::check(state, &membership.organization_id, roles).await?;
    }
    let command = MembershipCommand::Update {
        roles,
        attributes,
        at: Utc::now(),
    };
    change(state, ctx, &membership, command).await
}

/// Reactivates an inactive membership with the roles and attributes it had.
pub async fn reactivate(
    state: &CommandState,
    ctx: &RequestContext,
    id: &MembershipId,
) -> Result<Written<MembershipData>, AppError> {
    let membership = live(state, ctx, id).await?;
    let command = MembershipCommand::Reactivate {
        roles: None,
        attributes: None,
        source: MembershipSource::Api,
        at: Utc::now(),
    };
    change(state, ctx, &membership, command).await
}

/// Ways a membership leaves its organization's groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leave {
    Deactivate,
    Delete,
}

/// Deactivates or deletes a membership and takes it out of every group it is in
/// (`group.member_removed` each, before the membership's own event), in one unit of work: all of
/// it commits or none of it. An add to a group that races it either commits first (and the unit is
/// decided again, now removing that one too) or fails because the membership is no longer active.
///
/// Returns the membership after the change and the position of the unit's last event (or of the
/// membership's last event when nothing changed: deactivating an inactive membership).
pub async fn leave(
    state: &CommandState,
    ctx: &RequestContext,
    id: &MembershipId,
    how: Leave,
) -> Result<Written<MembershipData>, AppError> {
    let id_str = id.to_string();
    with_retries(|| async {
        let membership = state
            .memberships
            .load_for_change(&id_str)
            .await
            .map_err(explain(&id_str))?;
        let Some(before) = membership.state.current().cloned() else {
            return Err(AppError::NotFound(Kind::Membership, id_str.clone()).into());
        };
        reach(ctx, &before.organization_id, Kind::Membership, &id_str)?;
        let org = before.organization_id.to_string();
        let mut unit = UnitOfWork::new();
        let groups_prefix = claims::membership_groups_prefix(id);
        for (_, group_id) in store::claims::with_prefix(&state.pool, &groups_prefix).await? {
            let group = state
                .groups
                .load_for_change(&group_id)
                .await
                .map_err(explain(&group_id))?;
            let command = GroupCommand::RemoveMember {
                membership_id: *id,
                at: Utc::now(),
            };
            match state
                .groups
                .decide(group, Some(&org), command, ctx, &mut unit)
                .await
            {
                Ok(_)
                | Err(CommandError::Rejected(GroupError::NotMember(_) | GroupError::NotFound)) => {}
                Err(e) => return Err(explain(&group_id)(e).into()),
            }
        }
        unit.expect_no_claims_under(&groups_prefix);
        let command = match how {
            Leave::Deactivate => MembershipCommand::Deactivate { at: Utc::now() },
            Leave::Delete => MembershipCommand::Delete { at: Utc::now() },
        };
        let after = state
            .memberships
            .decide(membership, Some(&org), command, ctx, &mut unit)
            .await
            .map_err(explain(&id_str))?;
        let committed = commit(&state.pool, unit, |_| Try::Again).await?;
        let position = match committed.last() {
            Some(last) => last.position,
            None => state
                .memberships
                .last_position(&id_str)
                .await
                .map_err(explain(&id_str))?
                .unwrap_or(0),
        };
        // A deleted membership's last state is in its `membership.deleted` event.
        let object = match after.events.last() {
            Some(event) => event.membership().clone(),
            None => after.state.current().cloned().unwrap_or(before),
        };
        Ok(Written { object, position })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::super::given::{self, deactivated, user};
    use super::*;

    fn input(subject: &str, roles: &[&str]) -> NewMembership {
        NewMembership {
            subject: user(subject),
            roles: given::slugs(roles),
            attributes: Default::default(),
        }
    }

    #[test]
    fn given_no_membership_when_a_subject_joins_then_one_is_created() {
        let org = OrganizationId::new();
        let (id, command) = joining(
            &org,
            None,
            input("ada", &["member"]),
            MembershipSource::Api,
            Utc::now(),
        )
        .unwrap();
        let MembershipCommand::Create {
            id: created,
            organization_id,
            subject,
            roles,
            ..
        } = command
        else {
            panic!("not a create: {command:?}");
        };
        assert_eq!(id, created.to_string());
        assert_eq!(organization_id, org);
        assert_eq!(subject, user("ada"));
        assert_eq!(roles, given::slugs(&["member"]));
    }

    #[test]
    fn given_an_inactive_membership_when_its_subject_joins_again_then_it_is_reactivated_with_the_new_roles(
    ) {
        let org = OrganizationId::new();
        let old = given::membership(org, user("ada"), &["admin"], vec![deactivated()]);
        let (id, command) = joining(
            &org,
            Some(("om_old", &old)),
            input("ada", &["member"]),
            MembershipSource::Api,
            Utc::now(),
        )
        .unwrap();
        assert_eq!(id, "om_old");
        assert!(matches!(
            command,
            MembershipCommand::Reactivate { roles: Some(r), .. } if r == given::slugs(&["member"])
        ));
    }

    #[test]
    fn given_an_active_membership_when_its_subject_joins_again_then_the_conflict_names_it() {
        let org = OrganizationId::new();
        let active = given::membership(org, user("ada"), &["admin"], vec![]);
        let refused = joining(
            &org,
            Some(("om_active", &active)),
            input("ada", &[]),
            MembershipSource::Api,
            Utc::now(),
        );
        assert!(matches!(
            refused,
            Err(AppError::Taken { field: "membership_id", message, .. }) if message == "om_active"
        ));
    }
}
