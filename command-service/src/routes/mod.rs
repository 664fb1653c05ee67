pub mod organizations;
