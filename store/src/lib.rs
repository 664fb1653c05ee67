//! The event store: the pool and the migrations, the repository cqrs-es loads aggregates
//! through (postgres-es's table layout, the domain's upcasters on every read), units of work (the
//! one way events are written, with their claims and snapshots), claims as the write side's index,
//! the gap-free feed, consumer checkpoints and the one consumer loop, reads of the log (Events
//! API, histories, `as_of`), replays, and keyset pages.
//!
//! Never: decides business rules or who may do what, builds events by hand (every event comes
//! typed from the domain, see `StreamChange::typed`), or holds a feature's tables: the webhook
//! queue, API keys, idempotency, dead letters and read models live with their features.

pub mod announce;
pub mod checkpoints;
pub mod claims;
pub mod consumer;
pub mod error;
pub mod faults;
pub mod feed;
mod group_commit;
pub mod log;
pub mod migrate;
pub mod page;
pub mod pool;
pub mod replays;
pub mod repository;
pub mod retry;
pub mod text;
pub mod unit_of_work;

pub use error::StoreError;
pub use feed::{Feed, FeedEvent};
pub use pool::{connect, PoolConfig, PoolOptions};
pub use repository::EventRepository;
pub use retry::{retry_conflicts, Backoff};
pub use unit_of_work::{Committed, NewEvent, StreamChange, UnitOfWork};
