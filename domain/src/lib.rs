//! The roster domain: aggregates, their commands and events, the rules they enforce, and the
//! public event envelope.
//!
//! This crate decides; it never does I/O. No SQL, no HTTP, no clock (times come in with commands),
//! no async runtime beyond what cqrs-es's traits require.

/// Implements cqrs-es's `Aggregate` for a type that decides with
/// `decide(&self, command) -> Result<Vec<Event>, Error>` and changes with `evolve(&mut self, event)`,
/// so each aggregate reads as two plain functions.
#[macro_export]
macro_rules! aggregate {
    ($ty:ty, $name:literal, $command:ty, $event:ty, $error:ty) => {
        impl cqrs_es::Aggregate for $ty {
            const TYPE: &'static str = $name;
            type Command = $command;
            type Event = $event;
            type Error = $error;
            type Services = ();

            async fn handle(
                &mut self,
                command: Self::Command,
                _services: &Self::Services,
                sink: &cqrs_es::event_sink::EventSink<Self>,
            ) -> Result<(), Self::Error> {
                for event in self.decide(command)? {
                    sink.write(event, self).await;
                }
                Ok(())
            }

            fn apply(&mut self, event: Self::Event) {
                self.evolve(event)
            }
        }
    };
}

pub mod api_key;
pub mod catalogue;
pub mod claims;
pub mod envelope;
pub mod group;
pub mod ids;
pub mod invitation;
pub mod membership;
pub mod organization;
pub mod role_template;
pub mod stored;
pub mod upcast;
pub mod values;
pub mod webhook_endpoint;

/// A command's name, for metrics and logs (`aggregate.verb`, e.g. `membership.create`).
pub trait Named {
    fn name(&self) -> &'static str;

    /// Whether the command starts a new aggregate (its stream must be empty): the bus then
    /// decides it on the empty state without loading the stream first.
    fn creates(&self) -> bool {
        false
    }
}

pub use claims::{ClaimChange, Claims};
pub use envelope::{Actor, AggregateRef, DocumentRef, EventEnvelope, RequestContext};
pub use ids::{
    ApiKeyId, AttemptId, DeliveryId, EventId, GroupId, IdError, InvitationId, MembershipId,
    OrganizationId, ReplayId, WebhookEndpointId,
};
