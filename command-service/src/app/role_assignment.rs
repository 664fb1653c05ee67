//! Bulk role assignment (Logto's `POST …/users/roles`, but all or nothing): one change of roles —
//! add and remove, or set — for up to 1,000 members of an organization, named by user, application
//! or membership id, committed as one unit of work. Either every named membership takes the change
//! or none does; what cannot take it is reported together, item by item.

use std::collections::{BTreeSet, HashMap};

use chrono::Utc;
use domain::membership::{MembershipCommand, MembershipData, MembershipStatus, Subject};
use domain::organization::Organization;
use domain::values::{RoleSlug, SubjectId};
use domain::{claims, MembershipId, OrganizationId, RequestContext};
use futures::StreamExt;
use store::{StoreError, UnitOfWork};

use super::error::explain;
use super::{commit, load, reach, with_retries, AppError, Kind, Try};
use crate::CommandState;

/// Who the change is for: one list, in the caller's order.
#[derive(Debug, Clone)]
pub enum Members {
    Users(Vec<SubjectId>),
    Applications(Vec<SubjectId>),
    Memberships(Vec<MembershipId>),
}

impl Members {
    /// The request field the list came in, for naming its items.
    pub fn field(&self) -> &'static str {
        match self {
            Members::Users(_) => "user_ids",
            Members::Applications(_) => "application_ids",
            Members::Memberships(_) => "membership_ids",
        }
    }
}

/// What happens to each member's roles.
#[derive(Debug, Clone)]
pub enum RoleChange {
    /// Adds `add` and takes `remove` (a member that has them already, or lacks them, is left so).
    Adjust {
        add: Vec<RoleSlug>,
        remove: Vec<RoleSlug>,
    },
    /// Replaces every member's roles with exactly these.
    Set(Vec<RoleSlug>),
}

impl RoleChange {
    /// Every role the change names, with the field and index it came at.
    fn named(&self) -> Vec<(String, &RoleSlug)> {
        let list = |field: &str, slugs: &'_ [RoleSlug]| -> Vec<(String, usize)> {
            (0..slugs.len()).map(|i| (field.to_owned(), i)).collect()
        };
        let (pairs, slugs): (Vec<(String, usize)>, Vec<&RoleSlug>) = match self {
            RoleChange::Adjust { add, remove } => (
                [list("add", add), list("remove", remove)].concat(),
                add.iter().chain(remove).collect(),
            ),
            RoleChange::Set(set) => (list("set", set), set.iter().collect()),
        };
        pairs
            .into_iter()
            .zip(slugs)
            .map(|((field, i), slug)| (format!("{field}[{i}]"), slug))
            .collect()
    }

    /// The roles a member holding `roles` has after the change.
    pub fn apply(&self, roles: &BTreeSet<RoleSlug>) -> BTreeSet<RoleSlug> {
        match self {
            RoleChange::Adjust { add, remove } => roles
                .iter()
                .chain(add)
                .filter(|r| !remove.contains(r))
                .cloned()
                .collect(),
            RoleChange::Set(set) => set.iter().cloned().collect(),
        }
    }
}

/// One part of the request that cannot take the change: where it is (`user_ids[3]`, `add[0]`) and
/// why.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Refusal {
    pub field: String,
    pub reason: String,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

/// Every named membership after the change, in the request's order, whether it changed, and the
/// position to read them at.
#[derive(Debug)]
pub struct Assigned {
    pub memberships: Vec<(MembershipData, bool)>,
    pub position: i64,
}

/// Concurrent loads of the named memberships.
const LOADS: usize = 16;

/// Applies `change` to every member in `members`, all or nothing. Each membership whose roles
/// change gets its own `membership.updated`; the others get nothing. A member that is unknown,
/// inactive or named twice, and a role the organization does not have, are all reported at once
/// ([`AppError::Refused`]). A change racing this one (a deactivation, a role's deletion) makes it
/// decide again from fresh state.
pub async fn assign(
    state: &CommandState,
    ctx: &RequestContext,
    org: &OrganizationId,
    members: &Members,
    change: &RoleChange,
) -> Result<Assigned, AppError> {
    let org_str = org.to_string();
    reach(ctx, org, Kind::Organization, &org_str)?;
    with_retries(|| async {
        let organization: Organization = load(&state.organizations, &org_str).await?;
        if organization.current().is_none() {
            return Err(AppError::NotFound(Kind::Organization, org_str.clone()).into());
        }
        let catalogue = super::roles::catalogue(state, &organization).await?;
        let mut refused: Vec<Refusal> = change
            .named()
            .into_iter()
            .filter(|(_, slug)| !catalogue.contains(*slug))
            .map(|(field, slug)| Refusal {
                field,
                reason: format!("organization {org} has no role `{}`", slug.as_str()),
            })
            .collect();
        let ids = resolve(state, org, members).await?;
        let loaded: Vec<_> = futures::stream::iter(ids.iter())
            .map(|id| async move {
                match id {
                    Some(id) => state.memberships.load_for_change(id).await.map(Some),
                    None => Ok(None),
                }
            })
            .buffered(LOADS)
            .collect()
            .await;
        let mut unit = UnitOfWork::new();
        let mut after = Vec::with_capacity(ids.len());
        let mut first_at: HashMap<&str, usize> = HashMap::new();
        for (i, (id, loaded)) in ids.iter().zip(loaded).enumerate() {
            let field = format!("{}[{i}]", members.field());
            let refuse = |reason: String| Refusal {
                field: field.clone(),
                reason,
            };
            let loaded = loaded.map_err(explain(id.as_deref().unwrap_or_default()))?;
            let current = loaded
                .as_ref()
                .and_then(|l| l.state.current())
                .filter(|m| m.organization_id == *org)
                .cloned();
            let (Some(id), Some(loaded), Some(current)) = (id, loaded, current) else {
                refused.push(refuse(format!("no member of organization {org}")));
                continue;
            };
            if let Some(first) = first_at.insert(id, i) {
                let named = format!("names the same membership as {}[{first}]", members.field());
                refused.push(refuse(named));
                continue;
            }
            if current.status != MembershipStatus::Active {
                refused.push(refuse(format!("membership {id} is not active")));
                continue;
            }
            let roles = change.apply(&current.roles);
            if roles == current.roles || !refused.is_empty() {
                after.push((current, false));
                continue;
            }
            let command = MembershipCommand::Update {
                roles: Some(roles),
                attributes: None,
                at: Utc::now(),
            };
            let decided = state
                .memberships
                .decide(loaded, Some(&org_str), command, ctx, &mut unit)
                .await
                .map_err(explain(id))?;
            after.push(match decided.events.last() {
                Some(event) => (event.membership().clone(), true),
                None => (current, false),
            });
        }
        if !refused.is_empty() {
            return Err(AppError::Refused(refused).into());
        }
        // A role deleted after it was checked fails the commit: decide again (and refuse it).
        let committed = commit(&state.pool, unit, |e| match e {
            StoreError::RequirementFailed { .. } => Try::Again,
            other => Try::Fail(AppError::Internal(other.to_string())),
        })
        .await?;
        let position = match committed.last() {
            Some(last) => last.position,
            None => {
                let named: Vec<String> = ids.into_iter().flatten().collect();
                state.memberships.last_position_of(&named).await?
            }
        };
        Ok(Assigned {
            memberships: after,
            position,
        })
    })
    .await
}

/// The membership id each member stands for in `org` (`None`: it has none), in order; users and
/// applications are looked up together in the write side's index.
async fn resolve(
    state: &CommandState,
    org: &OrganizationId,
    members: &Members,
) -> Result<Vec<Option<String>>, AppError> {
    let subjects: Vec<Subject> = match members {
        Members::Memberships(ids) => {
            return Ok(ids.iter().map(|id| Some(id.to_string())).collect())
        }
        Members::Users(ids) => ids.iter().cloned().map(Subject::User).collect(),
        Members::Applications(ids) => ids.iter().cloned().map(Subject::Application).collect(),
    };
    let keys: Vec<String> = subjects
        .iter()
        .map(|s| claims::membership_subject(org, s))
        .collect();
    let owners = store::claims::owners(&state.pool, &keys).await?;
    Ok(keys.iter().map(|k| owners.get(k).cloned()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slugs(list: &[&str]) -> Vec<RoleSlug> {
        list.iter().map(|s| RoleSlug::parse(s).unwrap()).collect()
    }

    fn set(list: &[&str]) -> BTreeSet<RoleSlug> {
        slugs(list).into_iter().collect()
    }

    #[test]
    fn adjusting_adds_and_removes_and_leaves_the_rest() {
        let change = RoleChange::Adjust {
            add: slugs(&["admin", "billing"]),
            remove: slugs(&["member", "viewer"]),
        };
        assert_eq!(
            change.apply(&set(&["member", "ops"])),
            set(&["admin", "billing", "ops"])
        );
        assert_eq!(
            change.apply(&set(&["admin", "billing"])),
            set(&["admin", "billing"]),
            "already so"
        );
    }

    #[test]
    fn setting_replaces_whatever_was_there() {
        let change = RoleChange::Set(slugs(&["viewer"]));
        assert_eq!(change.apply(&set(&["admin", "member"])), set(&["viewer"]));
        assert_eq!(RoleChange::Set(vec![]).apply(&set(&["admin"])), set(&[]));
    }

    #[test]
    fn every_named_role_is_located_by_field_and_index() {
        let change = RoleChange::Adjust {
            add: slugs(&["a", "b"]),
            remove: slugs(&["c"]),
        };
        let located: Vec<(String, &str)> = change
            .named()
            .into_iter()
            .map(|(f, s)| (f, s.as_str()))
            .collect();
        assert_eq!(
            located,
            [
                ("add[0]".to_owned(), "a"),
                ("add[1]".to_owned(), "b"),
                ("remove[0]".to_owned(), "c")
            ]
        );
    }
}
