//! The `roster` binary's library half: configuration, the HTTP app that composes the services,
//! and the `serve`/`migrate` commands. Tests build the very same app through `app::start`.
//!
//! This crate wires; it holds no business rules and no SQL of its own.

pub mod app;
pub mod bench;
pub mod cli;
pub mod database;
pub mod domains;
pub mod events;
pub mod export;
pub mod health;
pub mod keys;
pub mod lag;
pub mod maintenance;
pub mod metrics;
pub mod plan;
pub mod progress;
pub mod psql;
pub mod replay;
pub mod secrets;
pub mod serve;
pub mod starting;
pub mod telemetry;
