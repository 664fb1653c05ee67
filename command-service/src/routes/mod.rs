pub mod organizations;
pub mod roles;
