pub mod apply;
pub mod domains;
pub mod groups;
pub mod invitations;
pub mod memberships;
pub mod organizations;
mod problems;
pub mod role_templates;
pub mod roles;
