//! The roster domain: aggregates, their commands and events, the rules they enforce, and the
//! public event envelope.
//!
//! This crate decides; it never does I/O. No SQL, no HTTP, no clock (times come in with commands),
//! no async runtime beyond what cqrs-es's traits require.

pub mod catalogue;
pub mod claims;
pub mod envelope;
pub mod group;
pub mod ids;
pub mod invitation;
pub mod membership;
pub mod organization;
pub mod values;

pub use claims::ClaimChange;
pub use envelope::{Actor, AggregateRef, EventEnvelope};
pub use ids::{EventId, GroupId, IdError, InvitationId, MembershipId, OrganizationId};
