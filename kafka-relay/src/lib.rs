//! The Kafka relay: follows the event feed with the shared consumer loop and produces every
//! event to one topic — key the organization id (else the aggregate id), value the public
//! envelope, CloudEvents headers (binary mode) — with an idempotent `acks=all` producer.
//!
//! Owns: the relay's configuration and its validation, the message format, topic creation, the
//! oversize policy and its dead-letter records, and the relay's health as `/readyz` shows it.
//! Never: advances its checkpoint past an event whose delivery report did not succeed (a crash
//! or an outage may duplicate messages, never lose one), or blocks a command or another consumer
//! on the broker.

pub mod config;
pub mod dead_letters;
pub mod message;
mod relay;
mod replay;
mod topic;

pub use config::{Oversize, RelayConfig, RelayConfigError};
pub use relay::{check, flush, Checked, Producing, Relay, RelayHealth, CONSUMER};
pub use topic::ensure as ensure_topic;
