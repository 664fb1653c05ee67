//! The read side's tables (`rm_*`): how the projector writes them (`write`: upserts and deletes
//! from events, and the shadow schema a rebuild fills) and how the query side reads them (one
//! module per object, every list a keyset page; `state`: whole organizations at one position, for
//! plans and exports).
//!
//! Never: writes the event log, or decides anything: what a row holds follows from the events.

pub mod groups;
pub mod invitations;
pub mod memberships;
pub mod organizations;
pub mod state;
pub mod write;

/// The checkpoint name of the projector that keeps these tables: how far they include the log.
pub const CONSUMER: &str = "projector";
