//! The process manager: carries out the changes whose reach is unbounded, recorded as intents in
//! the log, until they are done — whatever happened to the request that asked for them.
//!
//! - `organization.deletion_requested`: deletes the organization's groups, memberships (leaving
//!   their groups) and pending invitations, each with its own events, then `organization.deleted`
//!   (its roles first) as the organization's last event.
//! - `organization_role.deleted`: takes the role from every membership holding it.
//! - `role_template.deleted`: takes the role from every membership and group holding it through
//!   the template, organization by organization.
//! - `organization.updated` narrowing the template roles an organization offers: takes those it
//!   no longer offers from its memberships and groups.
//!
//! It is a feed consumer with a checkpoint (the shared loop: one active instance, others on
//! standby). Every step is an ordinary command and idempotent, so after a crash it picks the
//! intent up again from its checkpoint and finishes it; its state is the log itself.

use std::collections::BTreeSet;
use std::sync::Arc;

use cqrs_es::Aggregate;
use domain::organization::{Organization, OrganizationEvent};
use domain::role_template::{RoleTemplate, RoleTemplateEvent};
use domain::values::RoleSlug;
use domain::OrganizationId;
use domain::RequestContext;
use store::consumer::{self, Consumer, Step};
use store::{FeedEvent, StoreError};
use tokio::sync::watch;

use crate::app;
use crate::CommandState;

/// The checkpoint name of the process manager.
pub const CONSUMER: &str = "workflows";

pub struct Workflows {
    state: Arc<CommandState>,
}

impl Workflows {
    pub fn new(state: Arc<CommandState>) -> Self {
        Self { state }
    }

    /// Follows the feed until the task is dropped.
    pub async fn run(self, role: watch::Sender<consumer::Role>) {
        let pool = self.state.pool.clone();
        consumer::run(pool, self, consumer::LoopConfig::default(), role).await
    }

    async fn carry_out(&self, event: &FeedEvent) -> Result<(), StoreError> {
        let Some(intent) = Intent::of(event)? else {
            return Ok(());
        };
        let ctx = RequestContext::system(CONSUMER);
        let done = match &intent {
            Intent::DeleteContents(org) => {
                app::organizations::delete_contents(&self.state, &ctx, org).await
            }
            Intent::TakeRole(org, slug) => {
                app::roles::take_from_holders(&self.state, &ctx, org, slug).await
            }
            Intent::TakeTemplateRole(slug) => {
                app::role_templates::take_from_holders(&self.state, &ctx, slug).await
            }
            Intent::TakeWithdrawn { org, before, after } => {
                app::role_templates::take_withdrawn(&self.state, &ctx, org, before, after).await
            }
        };
        done.map_err(|e| {
            StoreError::Step(format!(
                "{} at position {}: {}",
                event.event_type, event.position, e
            ))
        })
    }
}

/// What an event asks the process manager to carry out.
#[derive(Debug, Clone, PartialEq)]
pub enum Intent {
    /// `organization.deletion_requested`: delete the organization's contents, then it.
    DeleteContents(OrganizationId),
    /// `organization_role.deleted`: take the role from every membership holding it.
    TakeRole(OrganizationId, RoleSlug),
    /// `role_template.deleted`: take the role from its holders in every organization that has
    /// no custom role of that slug.
    TakeTemplateRole(RoleSlug),
    /// `organization.updated` offering only `after` of the template, where it offered `before`
    /// (`None`: all): take the others from their holders in the organization.
    TakeWithdrawn {
        org: OrganizationId,
        before: Option<BTreeSet<RoleSlug>>,
        after: BTreeSet<RoleSlug>,
    },
}

impl Intent {
    /// The intent an event records, read through the domain's own event type; most events
    /// record none.
    pub fn of(event: &FeedEvent) -> Result<Option<Self>, StoreError> {
        let corrupt =
            |e: serde_json::Error| StoreError::Corrupt(format!("event {}: {e}", event.position));
        if event.aggregate_type == RoleTemplate::TYPE {
            let typed: RoleTemplateEvent =
                serde_json::from_value(event.payload.clone()).map_err(corrupt)?;
            return Ok(match typed {
                RoleTemplateEvent::Deleted(r) => Some(Self::TakeTemplateRole(r.slug)),
                _ => None,
            });
        }
        if event.aggregate_type != Organization::TYPE {
            return Ok(None);
        }
        let typed: OrganizationEvent =
            serde_json::from_value(event.payload.clone()).map_err(corrupt)?;
        Ok(match typed {
            OrganizationEvent::DeletionRequested(o) => Some(Self::DeleteContents(o.id)),
            OrganizationEvent::RoleDeleted(r) => Some(Self::TakeRole(r.organization_id, r.slug)),
            OrganizationEvent::Updated(u) => {
                let after = u.organization.template_roles;
                match (u.previous_attributes.template_roles, after) {
                    (Some(before), Some(after)) => Some(Self::TakeWithdrawn {
                        org: u.organization.id,
                        before: before.map(BTreeSet::from),
                        after: after.into(),
                    }),
                    _ => None,
                }
            }
            _ => None,
        })
    }
}

impl Consumer for Workflows {
    fn name(&self) -> &'static str {
        CONSUMER
    }

    fn prepare<'a>(&'a self, events: &'a [FeedEvent]) -> Step<'a> {
        Box::pin(async move {
            for e in events {
                self.carry_out(e).await?;
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    //! Given an organization's history, when a command is decided, then the intents its events
    //! record for the process manager.

    use chrono::Utc;
    use cqrs_es::{Aggregate, DomainEvent};
    use domain::organization::{
        CreateOrganization, CreateRole, OrganizationCommand, UpdateOrganization,
    };
    use domain::values::{Metadata, OrganizationName, Permissions, RoleName};

    use super::*;

    fn feed_event(position: i64, event: &OrganizationEvent) -> FeedEvent {
        FeedEvent {
            position,
            aggregate_type: Organization::TYPE.to_owned(),
            aggregate_id: "org".to_owned(),
            sequence: position,
            event_type: event.event_type(),
            event_version: event.event_version(),
            organization_id: None,
            payload: serde_json::to_value(event).unwrap(),
            metadata: serde_json::json!({}),
            recorded_at: Utc::now(),
        }
    }

    /// Decides `then` on the organization `given` leaves, and returns the intents of its events.
    fn intents(given: Vec<OrganizationCommand>, then: OrganizationCommand) -> Vec<Intent> {
        let mut org = Organization::default();
        for command in given {
            for event in org.decide(command).unwrap() {
                org.apply(event);
            }
        }
        org.decide(then)
            .unwrap()
            .iter()
            .enumerate()
            .filter_map(|(i, e)| Intent::of(&feed_event(i as i64, e)).unwrap())
            .collect()
    }

    fn created(id: OrganizationId) -> OrganizationCommand {
        OrganizationCommand::Create(CreateOrganization {
            id,
            name: OrganizationName::parse("Acme").unwrap(),
            description: None,
            external_id: None,
            metadata: Metadata::default(),
            max_members: None,
            template_roles: None,
            at: Utc::now(),
        })
    }

    fn slug(s: &str) -> RoleSlug {
        RoleSlug::parse(s).unwrap()
    }

    fn role_created(s: &str) -> OrganizationCommand {
        OrganizationCommand::CreateRole(CreateRole {
            slug: slug(s),
            name: RoleName::parse("Billing").unwrap(),
            description: None,
            permissions: Permissions::default(),
            at: Utc::now(),
        })
    }

    #[test]
    fn given_an_organization_when_its_deletion_is_requested_then_its_contents_are_deleted() {
        let id = OrganizationId::new();
        let at = Utc::now();
        assert_eq!(
            intents(vec![created(id)], OrganizationCommand::Delete { at }),
            [Intent::DeleteContents(id)]
        );
    }

    #[test]
    fn given_a_custom_role_when_it_is_deleted_then_it_is_taken_from_its_holders() {
        let id = OrganizationId::new();
        let then = OrganizationCommand::DeleteRole {
            slug: slug("billing"),
            at: Utc::now(),
        };
        assert_eq!(
            intents(vec![created(id), role_created("billing")], then),
            [Intent::TakeRole(id, slug("billing"))]
        );
    }

    /// Offering fewer template roles takes the others from their holders; offering all of them
    /// again, or changing something else, takes nothing. (Read back from the feed's JSON: the
    /// `null` of "all of them before" must survive it.)
    #[test]
    fn given_an_organization_when_it_offers_fewer_template_roles_then_the_others_are_taken() {
        let id = OrganizationId::new();
        let offer = |set: Option<&[&str]>| {
            let set = set.map(|s| {
                domain::values::TemplateRoleSet::parse(s.iter().map(|r| slug(r)).collect()).unwrap()
            });
            OrganizationCommand::Update(UpdateOrganization {
                template_roles: Some(set),
                at: Utc::now(),
                ..Default::default()
            })
        };
        let only_member = BTreeSet::from([slug("member")]);
        assert_eq!(
            intents(vec![created(id)], offer(Some(&["member"]))),
            [Intent::TakeWithdrawn {
                org: id,
                before: None,
                after: only_member.clone(),
            }]
        );
        assert_eq!(
            intents(
                vec![created(id), offer(Some(&["member", "viewer"]))],
                offer(Some(&["member"]))
            ),
            [Intent::TakeWithdrawn {
                org: id,
                before: Some(BTreeSet::from([slug("member"), slug("viewer")])),
                after: only_member,
            }]
        );
        assert_eq!(
            intents(vec![created(id), offer(Some(&["member"]))], offer(None)),
            []
        );
    }

    #[test]
    fn given_an_organization_when_it_is_created_or_given_roles_then_nothing_is_carried_out() {
        let id = OrganizationId::new();
        assert_eq!(intents(vec![], created(id)), []);
        assert_eq!(intents(vec![created(id)], role_created("billing")), []);
    }

    #[test]
    fn given_events_of_other_aggregates_then_no_intent_and_a_broken_payload_is_an_error() {
        let deletion = Organization::default()
            .decide(created(OrganizationId::new()))
            .unwrap();
        let mut event = feed_event(1, &deletion[0]);
        event.aggregate_type = "membership".into();
        assert_eq!(Intent::of(&event).unwrap(), None);
        event.aggregate_type = Organization::TYPE.into();
        event.payload = serde_json::json!({"type": "organization.deletion_requested"});
        assert!(matches!(Intent::of(&event), Err(StoreError::Corrupt(_))));
    }
}
