pub mod groups;
pub mod invitations;
pub mod memberships;
pub mod organizations;
pub mod roles;
