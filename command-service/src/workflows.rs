//! The process manager: carries out the changes whose reach is unbounded, recorded as intents in
//! the log, until they are done — whatever happened to the request that asked for them.
//!
//! - `organization.deletion_requested`: deletes the organization's groups, memberships (leaving
//!   their groups) and pending invitations, each with its own events, then `organization.deleted`
//!   (its roles first) as the organization's last event.
//! - `organization_role.deleted`: takes the role from every membership holding it.
//!
//! It is a feed consumer with a checkpoint (the shared loop: one active instance, others on
//! standby). Every step is an ordinary command and idempotent, so after a crash it picks the
//! intent up again from its checkpoint and finishes it; its state is the log itself.

use std::sync::Arc;

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
        let data = &event.payload["data"];
        let org = || {
            data["organization_id"]
                .as_str()
                .or(data["id"].as_str())
                .and_then(|id| OrganizationId::parse(id).ok())
                .ok_or_else(|| {
                    StoreError::Corrupt(format!("event {} has no organization", event.position))
                })
        };
        let ctx = RequestContext::system(CONSUMER);
        let done = match event.event_type.as_str() {
            "organization.deletion_requested" => {
                app::organizations::delete_contents(&self.state, &ctx, &org()?).await
            }
            "organization_role.deleted" => {
                let slug = data["slug"]
                    .as_str()
                    .and_then(|s| RoleSlug::parse(s).ok())
                    .ok_or_else(|| {
                        StoreError::Corrupt(format!("event {} has no role", event.position))
                    })?;
                app::roles::take_from_holders(&self.state, &ctx, &org()?, &slug).await
            }
            _ => return Ok(()),
        };
        done.map_err(|e| {
            StoreError::Step(format!(
                "{} at position {}: {}",
                event.event_type, event.position, e
            ))
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
