//! Everything roster keeps in Postgres: the pool, the migrations, the event store (cqrs-es over our
//! own repository on postgres-es's table layout, with the domain's upcasters on every read),
//! uniqueness claims, the gap-free event feed, consumer checkpoints, reads of the log for audits,
//! the replay engine, and the embedded Postgres server used when no `DATABASE_URL` is given.
//!
//! This crate owns all SQL. It knows the domain's events only as serialized JSON plus the claim
//! rules the domain derives from them; it never decides business rules itself.

pub mod api_keys;
pub mod checkpoints;
pub mod claims;
pub mod commands;
pub mod consumer;
pub mod dead_letters;
pub mod embedded;
pub mod error;
pub mod faults;
pub mod feed;
pub mod idempotency;
pub mod migrate;
pub mod pool;
pub mod queries;
pub mod read_models;
pub mod replays;
pub mod repository;
pub mod text;
pub mod unit_of_work;
pub mod webhooks;

pub use commands::{retry_conflicts, CommandError, Commands, Executed, Loaded, RequestContext};
pub use error::StoreError;
pub use feed::{Feed, FeedEvent};
pub use pool::{connect, PoolConfig, PoolOptions};
pub use repository::EventRepository;
pub use unit_of_work::{Committed, UnitOfWork};
