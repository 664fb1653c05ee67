//! What a change takes from outside, as the API documents it (`OrganizationCreate` …), and its
//! parsing into the application layer's typed input, every bad field named. The JSON routes and
//! the console fill the same bodies, so a value is accepted or refused the same way by both.

pub mod domains;
pub mod groups;
pub mod invitations;
pub mod memberships;
pub mod organizations;
pub mod roles;
