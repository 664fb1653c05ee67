//! The membership aggregate: a user or a machine application in an organization, with roles and
//! attributes, active or inactive (like WorkOS organization memberships and Keycloak members).

mod aggregate;
mod events;

pub use aggregate::{Membership, MembershipCommand, MembershipError};
pub use events::{
    MembershipData, MembershipEvent, MembershipSource, MembershipStatus, MembershipUpdated,
    PreviousMembershipAttributes, Subject,
};
