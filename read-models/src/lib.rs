//! The read side's tables (`rm_*`): how the projector writes them (`write`: a batch of events
//! as a few set-based upserts and deletes; `shadow`: the fresh tables a rebuild fills) and how the query side reads them (one
//! module per object, every list a keyset page; `state`: whole organizations at one position, for
//! plans and exports).
//!
//! Never: writes the event log, or decides anything: what a row holds follows from the events.

pub mod domains;
pub mod groups;
pub mod invitations;
pub mod memberships;
pub mod organizations;
pub mod shadow;
pub mod state;
pub mod write;

/// The checkpoint name of the projector that keeps these tables: how far they include the log.
pub const CONSUMER: &str = "projector";

/// The `managed_by` an object's read-model row has after `events` (its own, oldest first): that
/// of the last apply event that wrote the row, kept through changes made otherwise — what the
/// projector does, for an object rebuilt at a past moment. Its row is written by the events of
/// its own kind that do not delete it (an organization's role events and a group's member events
/// write other rows).
pub fn managed_by(events: &[store::FeedEvent]) -> Option<String> {
    let writes_row = |e: &store::FeedEvent| {
        e.event_type.split_once('.').is_some_and(|(kind, what)| {
            kind == e.aggregate_type
                && !matches!(
                    what,
                    "deleted" | "deletion_requested" | "member_added" | "member_removed"
                )
        })
    };
    (events.iter().rev())
        .filter(|e| writes_row(e))
        .find_map(|e| e.managed_by())
        .map(str::to_owned)
}
