//! A unit of work: the events of one or more aggregates, each stream with its own optimistic
//! version check, their claim changes and snapshots, committed by one statement
//! (`roster_commit_units`, migrations/0020) — all of it or none of it; units committing at the
//! same moment share that statement (`group_commit`), each still all or nothing on its own.
//!
//! Every write of the event log goes through here: a single command is a unit of one stream;
//! invitation accept and membership deactivation are units of several.

use std::collections::BTreeMap;

use cqrs_es::DomainEvent;
use domain::{ClaimChange, Claims, EventId};
use serde_json::Value;
use sqlx::{PgConnection, PgPool};

use crate::StoreError;

/// The metadata key under which every stored event carries its public id.
pub const EVENT_ID: &str = "event_id";
/// The metadata key that routes an event to its organization (also copied to a column).
pub const ORGANIZATION_ID: &str = "organization_id";

/// One event as it was committed.
#[derive(Debug, Clone, PartialEq)]
pub struct Committed {
    pub position: i64,
    pub event_id: String,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    pub payload: Value,
}

/// An event ready to be stored: its type, schema version, payload and metadata.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub event_type: String,
    pub event_version: String,
    pub payload: Value,
    pub metadata: serde_json::Map<String, Value>,
}

/// The changes of one aggregate in a unit.
#[derive(Debug, Clone)]
pub struct StreamChange {
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub organization_id: Option<String>,
    /// The sequence the stream is at now (its version); the events take the next ones, and the
    /// commit fails with `Conflict` when another writer took them first.
    pub version: i64,
    pub events: Vec<NewEvent>,
    pub claims: Vec<ClaimChange>,
    /// `(payload, snapshot number)` of the aggregate after these events.
    pub snapshot: Option<(Value, i64)>,
}

impl StreamChange {
    /// The typed events of one stream at `version`, each with the claims it states: the one way
    /// every event is made ready to be stored (commands, API keys, the dispatcher's own events).
    pub fn typed<E: DomainEvent + Claims>(
        aggregate_type: &str,
        aggregate_id: String,
        organization_id: Option<String>,
        version: i64,
        events: &[E],
        metadata: &serde_json::Map<String, Value>,
    ) -> Result<Self, StoreError> {
        let mut claims = Vec::new();
        let mut new = Vec::with_capacity(events.len());
        for e in events {
            claims.extend(e.claim_changes());
            new.push(NewEvent {
                event_type: e.event_type(),
                event_version: e.event_version(),
                payload: serde_json::to_value(e).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                metadata: metadata.clone(),
            });
        }
        Ok(Self {
            aggregate_type: aggregate_type.to_owned(),
            aggregate_id,
            organization_id,
            version,
            events: new,
            claims,
            snapshot: None,
        })
    }
}

/// Changes to commit together.
#[derive(Debug, Default)]
pub struct UnitOfWork {
    streams: Vec<StreamChange>,
    /// Claim-key prefixes under which nothing may be left after the unit.
    absent: Vec<String>,
    /// The commands the unit carries out, for the metrics (`aggregate.verb`).
    commands: Vec<&'static str>,
    /// Claim keys that must be held when the unit commits, besides what its events require.
    required: Vec<String>,
}

impl UnitOfWork {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one aggregate's changes; nothing is written before `commit`.
    pub fn push(&mut self, change: StreamChange) {
        if !change.events.is_empty() {
            self.streams.push(change);
        }
    }

    /// After the unit, no claim key may start with `prefix`; if a racing command added one the
    /// unit did not see, the commit fails with `Conflict` (and is decided again).
    pub fn expect_no_claims_under(&mut self, prefix: &str) {
        // Every claim is under the empty prefix: nothing could ever be committed.
        debug_assert!(!prefix.is_empty(), "an empty claim prefix");
        self.absent.push(prefix.to_owned());
    }

    /// The unit commits only while `key` is held (by anyone), as if one of its events required
    /// it: a precondition the decision read elsewhere (e.g. a domain's policy), which a change
    /// racing the unit cannot take away before it commits.
    pub fn require(&mut self, key: String) {
        self.required.push(key);
    }

    pub fn is_empty(&self) -> bool {
        self.streams.is_empty()
    }

    /// The unit's own requirements, stated by its first stream (the unit commits as a whole).
    fn attach_requirements(&mut self) {
        if let Some(first) = self.streams.first_mut() {
            first
                .claims
                .extend(self.required.drain(..).map(ClaimChange::Require));
        }
    }

    /// Commits the unit in its own transaction, grouped with whatever other units of this pool
    /// are committing at the same moment (`group_commit`): one statement, one round trip.
    pub async fn commit(mut self, pool: &PgPool) -> Result<Vec<Committed>, StoreError> {
        if self.is_empty() {
            return Ok(Vec::new());
        }
        self.attach_requirements();
        let ids: Vec<&str> = self
            .streams
            .iter()
            .map(|s| s.aggregate_id.as_str())
            .collect();
        crate::faults::check("unit_of_work::commit", &ids.join(" "))?;
        let prepared = Prepared::new(self)?;
        crate::group_commit::commit(pool, prepared).await
    }

    /// Writes the unit inside the caller's transaction, which must not have written anything yet
    /// (the position/xid rule of `roster_commit_units`); the caller commits, then announces the
    /// events (`store::announce::announce`).
    pub async fn write(mut self, conn: &mut PgConnection) -> Result<Vec<Committed>, StoreError> {
        self.attach_requirements();
        let prepared = Prepared::new(self)?;
        let mut outcomes = write_batch(conn, std::slice::from_ref(&prepared)).await?;
        let outcome = outcomes.pop().unwrap_or(Err(StoreError::Corrupt(
            "the commit reported no outcome".into(),
        )));
        prepared.finish(outcome)
    }

    /// Names a command the unit carries out (counted with the unit's outcome in the metrics).
    pub fn named(&mut self, command: &'static str) {
        self.commands.push(command);
    }
}

/// A unit checked and laid out as rows, ready to join a batch.
#[derive(Debug)]
pub(crate) struct Prepared {
    unit: UnitOfWork,
    rows: Rows,
    /// What it locks, for keeping units that would wait for each other out of one batch.
    pub(crate) streams: Vec<String>,
    pub(crate) exclusive_keys: Vec<String>,
    pub(crate) shared_keys: Vec<String>,
}

impl Prepared {
    fn new(unit: UnitOfWork) -> Result<Self, StoreError> {
        let rows = match Rows::new(&unit.streams) {
            Ok(rows) => rows,
            // Two streams of the unit taking one key: refused as a commit would refuse it.
            Err(e) => {
                for command in &unit.commands {
                    meters::meters().command(command, label(Some(&e)));
                }
                return Err(e);
            }
        };
        let streams = unit
            .streams
            .iter()
            .map(|s| format!("{}/{}", s.aggregate_type, s.aggregate_id))
            .collect();
        let (mut exclusive_keys, mut shared_keys) = (Vec::new(), Vec::new());
        for (op, key) in rows.claim_ops.iter().zip(&rows.claim_keys) {
            if op == "acquire" || op == "release" {
                exclusive_keys.push(key.clone());
            } else {
                shared_keys.push(key.clone());
            }
        }
        // The locks of limits (the function's names for them): units counted against one prefix
        // never share a batch, as their counts must each see the others' keys.
        exclusive_keys.extend(rows.limit_keys.iter().map(|k| format!("limit/{k}")));
        shared_keys.extend(rows.within_limits.iter().map(|k| format!("limit/{k}")));
        exclusive_keys.extend(rows.within_prefixes.iter().map(|p| format!("count/{p}")));
        Ok(Self {
            unit,
            rows,
            streams,
            exclusive_keys,
            shared_keys,
        })
    }

    /// Events in the unit.
    pub(crate) fn events(&self) -> usize {
        self.rows.sequences.len()
    }

    /// Whether it expects claims absent (such a unit is committed alone: its check must see
    /// every other unit's changes).
    pub(crate) fn expects_absence(&self) -> bool {
        !self.unit.absent.is_empty()
    }

    /// The committed events from the positions the commit returned; counts the outcome.
    pub(crate) fn finish(
        mut self,
        outcome: Result<Vec<i64>, StoreError>,
    ) -> Result<Vec<Committed>, StoreError> {
        let commands = std::mem::take(&mut self.unit.commands);
        let written = outcome.and_then(|positions| self.committed(positions));
        let meters = meters::meters();
        for e in written.iter().flatten() {
            meters
                .events_appended
                .get_or_create(&meters::EventType {
                    event_type: e.event_type.clone(),
                })
                .inc();
        }
        for command in commands {
            meters.command(command, label(written.as_ref().err()));
        }
        written
    }

    fn committed(self, positions: Vec<i64>) -> Result<Vec<Committed>, StoreError> {
        if positions.len() != self.rows.sequences.len() {
            return Err(StoreError::Corrupt(format!(
                "{} events written, {} positions returned",
                self.rows.sequences.len(),
                positions.len()
            )));
        }
        let committed = self
            .unit
            .streams
            .into_iter()
            .flat_map(|s| {
                let (t, id) = (s.aggregate_type, s.aggregate_id);
                (s.version + 1..)
                    .zip(s.events)
                    .map(move |(sequence, e)| (t.clone(), id.clone(), sequence, e))
            })
            .zip(self.rows.event_ids)
            .zip(positions)
            .map(
                |(((aggregate_type, aggregate_id, sequence, e), event_id), position)| Committed {
                    position,
                    event_id,
                    aggregate_type,
                    aggregate_id,
                    sequence,
                    event_type: e.event_type,
                    payload: e.payload,
                },
            )
            .collect();
        Ok(committed)
    }
}

/// A row of `roster_commit_units`: (unit, position) per event written, (unit, _, failure, detail)
/// per unit refused.
type Outcome = (i32, Option<i64>, Option<String>, Option<String>);

/// How the metrics name a unit's outcome (`None`: committed).
fn label(error: Option<&StoreError>) -> &'static str {
    match error {
        None => "ok",
        Some(StoreError::Conflict) => "conflict",
        Some(StoreError::ClaimTaken { .. }) => "claim_taken",
        Some(StoreError::RequirementFailed { .. }) => "requirement_failed",
        Some(StoreError::LimitReached { .. }) => "limit_reached",
        Some(e) if e.is_unavailable() => "unavailable",
        Some(_) => "error",
    }
}

/// Commits `units` with one call of `roster_commit_units` on `conn`: per unit, its positions or
/// why it failed. `Err` when the statement itself failed (then none of them was written).
pub(crate) async fn write_batch(
    conn: &mut PgConnection,
    units: &[Prepared],
) -> Result<Vec<Result<Vec<i64>, StoreError>>, StoreError> {
    let mut batch = Batch::default();
    for (n, p) in units.iter().enumerate() {
        batch.add(n as i32, &p.rows, &p.unit.absent);
    }
    let r = &batch.rows;
    let outcome: Vec<Outcome> = sqlx::query_as(
        "SELECT unit, position, failure, detail FROM roster_commit_units($1, $2, $3, $4, $5, $6,
                 $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23,
                 $24, $25, $26, $27, $28, $29)",
    )
    .bind(&batch.event_units)
    .bind(&r.aggregate_types)
    .bind(&r.aggregate_ids)
    .bind(&r.organization_ids)
    .bind(&r.sequences)
    .bind(&r.event_types)
    .bind(&r.event_versions)
    .bind(&r.payloads)
    .bind(&r.metadata)
    .bind(&batch.claim_units)
    .bind(&r.claim_ops)
    .bind(&r.claim_keys)
    .bind(&r.claim_aggregate_types)
    .bind(&r.claim_aggregate_ids)
    .bind(&r.claim_organization_ids)
    .bind(&batch.snapshot_units)
    .bind(&r.snapshot_types)
    .bind(&r.snapshot_ids)
    .bind(&r.snapshot_sequences)
    .bind(&r.snapshot_versions)
    .bind(&r.snapshot_payloads)
    .bind(&batch.absent_units)
    .bind(&batch.absent_prefixes)
    .bind(&batch.limit_units)
    .bind(&r.limit_keys)
    .bind(&r.limit_max)
    .bind(&batch.within_units)
    .bind(&r.within_prefixes)
    .bind(&r.within_limits)
    .fetch_all(conn)
    .await?;
    let mut outcomes: Vec<Result<Vec<i64>, StoreError>> =
        units.iter().map(|_| Ok(Vec::new())).collect();
    for (unit, position, failure, detail) in outcome {
        let Some(slot) = outcomes.get_mut(unit as usize) else {
            return Err(StoreError::Corrupt(format!(
                "the commit reported unit {unit}"
            )));
        };
        match (position, failure) {
            (Some(position), _) => {
                if let Ok(positions) = slot {
                    positions.push(position);
                }
            }
            (None, failure) => {
                *slot = Err(crate::error::failure(
                    failure.as_deref().unwrap_or_default(),
                    detail.as_deref().unwrap_or_default(),
                ))
            }
        }
    }
    Ok(outcomes)
}

/// Several units' rows, each row with the number of its unit.
#[derive(Default)]
struct Batch {
    rows: Rows,
    event_units: Vec<i32>,
    claim_units: Vec<i32>,
    snapshot_units: Vec<i32>,
    absent_units: Vec<i32>,
    absent_prefixes: Vec<String>,
    limit_units: Vec<i32>,
    within_units: Vec<i32>,
}

impl Batch {
    fn add(&mut self, unit: i32, rows: &Rows, absent: &[String]) {
        let b = &mut self.rows;
        self.event_units
            .extend(std::iter::repeat_n(unit, rows.sequences.len()));
        b.aggregate_types.extend_from_slice(&rows.aggregate_types);
        b.aggregate_ids.extend_from_slice(&rows.aggregate_ids);
        b.organization_ids.extend_from_slice(&rows.organization_ids);
        b.sequences.extend_from_slice(&rows.sequences);
        b.event_types.extend_from_slice(&rows.event_types);
        b.event_versions.extend_from_slice(&rows.event_versions);
        b.payloads.extend_from_slice(&rows.payloads);
        b.metadata.extend_from_slice(&rows.metadata);
        self.claim_units
            .extend(std::iter::repeat_n(unit, rows.claim_keys.len()));
        b.claim_ops.extend_from_slice(&rows.claim_ops);
        b.claim_keys.extend_from_slice(&rows.claim_keys);
        b.claim_aggregate_types
            .extend_from_slice(&rows.claim_aggregate_types);
        b.claim_aggregate_ids
            .extend_from_slice(&rows.claim_aggregate_ids);
        b.claim_organization_ids
            .extend_from_slice(&rows.claim_organization_ids);
        self.snapshot_units
            .extend(std::iter::repeat_n(unit, rows.snapshot_ids.len()));
        b.snapshot_types.extend_from_slice(&rows.snapshot_types);
        b.snapshot_ids.extend_from_slice(&rows.snapshot_ids);
        b.snapshot_sequences
            .extend_from_slice(&rows.snapshot_sequences);
        b.snapshot_versions
            .extend_from_slice(&rows.snapshot_versions);
        b.snapshot_payloads
            .extend_from_slice(&rows.snapshot_payloads);
        self.limit_units
            .extend(std::iter::repeat_n(unit, rows.limit_keys.len()));
        b.limit_keys.extend_from_slice(&rows.limit_keys);
        b.limit_max.extend_from_slice(&rows.limit_max);
        self.within_units
            .extend(std::iter::repeat_n(unit, rows.within_prefixes.len()));
        b.within_prefixes.extend_from_slice(&rows.within_prefixes);
        b.within_limits.extend_from_slice(&rows.within_limits);
        self.absent_units
            .extend(std::iter::repeat_n(unit, absent.len()));
        self.absent_prefixes.extend_from_slice(absent);
    }
}

/// A unit as the column arrays `roster_commit_units` takes.
#[derive(Debug, Default)]
struct Rows {
    aggregate_types: Vec<String>,
    aggregate_ids: Vec<String>,
    organization_ids: Vec<Option<String>>,
    sequences: Vec<i64>,
    event_types: Vec<String>,
    event_versions: Vec<String>,
    payloads: Vec<Value>,
    metadata: Vec<Value>,
    event_ids: Vec<String>,
    /// `acquire`, `release` (exclusive locks), `require`, `forbid`, `require_any/<n>` (shared).
    claim_ops: Vec<String>,
    claim_keys: Vec<String>,
    claim_aggregate_types: Vec<String>,
    claim_aggregate_ids: Vec<String>,
    claim_organization_ids: Vec<Option<String>>,
    snapshot_types: Vec<String>,
    snapshot_ids: Vec<String>,
    snapshot_sequences: Vec<i64>,
    snapshot_versions: Vec<i64>,
    snapshot_payloads: Vec<Value>,
    /// Limits set (`Some`) or lifted (`None`), by key.
    limit_keys: Vec<String>,
    limit_max: Vec<Option<i64>>,
    /// Counted prefixes, with the limit each counts against.
    within_prefixes: Vec<String>,
    within_limits: Vec<String>,
}

impl Rows {
    fn new(streams: &[StreamChange]) -> Result<Self, StoreError> {
        let mut r = Rows::default();
        // Per key: what the unit does with it, and for whom (sorted: a fixed lock order).
        let mut claims: BTreeMap<String, (&'static str, &StreamChange)> = BTreeMap::new();
        let mut required: BTreeMap<String, &StreamChange> = BTreeMap::new();
        let mut forbidden: BTreeMap<String, &StreamChange> = BTreeMap::new();
        // Groups of alternatives, each its own op (`require_any/<n>`), in the order stated.
        let mut alternatives: Vec<(String, String, &StreamChange)> = Vec::new();
        let mut groups = 0;
        let mut limits: BTreeMap<String, Option<i64>> = BTreeMap::new();
        let mut within: BTreeMap<String, String> = BTreeMap::new();
        for s in streams {
            for (sequence, e) in (s.version + 1..).zip(&s.events) {
                let id = EventId::new().to_string();
                let mut meta = e.metadata.clone();
                meta.insert(EVENT_ID.into(), Value::String(id.clone()));
                if let Some(org) = &s.organization_id {
                    meta.insert(ORGANIZATION_ID.into(), Value::String(org.clone()));
                }
                r.aggregate_types.push(s.aggregate_type.clone());
                r.aggregate_ids.push(s.aggregate_id.clone());
                r.organization_ids.push(s.organization_id.clone());
                r.sequences.push(sequence);
                r.event_types.push(e.event_type.clone());
                r.event_versions.push(e.event_version.clone());
                r.payloads.push(e.payload.clone());
                r.metadata.push(Value::Object(meta));
                r.event_ids.push(id);
            }
            // The last change of each key wins within a stream.
            for c in &s.claims {
                match c {
                    ClaimChange::Require(k) => {
                        required.insert(k.clone(), s);
                    }
                    ClaimChange::Forbid(k) => {
                        forbidden.insert(k.clone(), s);
                    }
                    ClaimChange::RequireAny(keys) => {
                        groups += 1;
                        let keys: std::collections::BTreeSet<&String> = keys.iter().collect();
                        for k in keys {
                            alternatives.push((k.clone(), format!("require_any/{groups}"), s));
                        }
                    }
                    ClaimChange::Limit { key, max } => {
                        limits.insert(key.clone(), max.map(i64::from));
                    }
                    ClaimChange::Within { prefix, limit } => {
                        within.insert(prefix.clone(), limit.clone());
                    }
                    ClaimChange::Acquire(k) | ClaimChange::Release(k) => {
                        let op = if matches!(c, ClaimChange::Acquire(_)) {
                            "acquire"
                        } else {
                            "release"
                        };
                        if let Some((_, other)) = claims.get(k) {
                            if other.aggregate_id != s.aggregate_id
                                || other.aggregate_type != s.aggregate_type
                            {
                                return Err(StoreError::ClaimTaken {
                                    key: k.clone(),
                                    owner_type: other.aggregate_type.clone(),
                                    owner_id: other.aggregate_id.clone(),
                                });
                            }
                        }
                        claims.insert(k.clone(), (op, s));
                    }
                }
            }
            if let Some((payload, number)) = &s.snapshot {
                r.snapshot_types.push(s.aggregate_type.clone());
                r.snapshot_ids.push(s.aggregate_id.clone());
                r.snapshot_sequences.push(s.version + s.events.len() as i64);
                r.snapshot_versions.push(*number);
                r.snapshot_payloads.push(payload.clone());
            }
        }
        let changes = claims
            .into_iter()
            .map(|(k, (op, s))| (k, op.to_owned(), s))
            .chain(required.into_iter().map(|(k, s)| (k, "require".into(), s)))
            .chain(forbidden.into_iter().map(|(k, s)| (k, "forbid".into(), s)))
            .chain(alternatives);
        (r.limit_keys, r.limit_max) = limits.into_iter().unzip();
        (r.within_prefixes, r.within_limits) = within.into_iter().unzip();
        for (key, op, s) in changes {
            r.claim_ops.push(op);
            r.claim_keys.push(key);
            r.claim_aggregate_types.push(s.aggregate_type.clone());
            r.claim_aggregate_ids.push(s.aggregate_id.clone());
            r.claim_organization_ids.push(s.organization_id.clone());
        }
        Ok(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(id: &str, claims: Vec<ClaimChange>) -> StreamChange {
        StreamChange {
            aggregate_type: "membership".into(),
            aggregate_id: id.into(),
            organization_id: Some("org_1".into()),
            version: 2,
            events: vec![NewEvent {
                event_type: "membership.updated".into(),
                event_version: "1".into(),
                payload: Value::Null,
                metadata: Default::default(),
            }],
            claims,
            snapshot: None,
        }
    }

    #[test]
    fn claims_keep_the_last_change_per_key_in_key_order() {
        let s = stream(
            "om_1",
            vec![
                ClaimChange::Acquire("b".into()),
                ClaimChange::Release("a".into()),
                ClaimChange::Release("b".into()),
                ClaimChange::Require("z".into()),
                ClaimChange::Acquire("c".into()),
                ClaimChange::Acquire("a".into()),
                ClaimChange::Require("z".into()),
            ],
        );
        let r = Rows::new(&[s]).unwrap();
        assert_eq!(r.claim_keys, ["a", "b", "c", "z"]);
        assert_eq!(r.claim_ops, ["acquire", "release", "acquire", "require"]);
        assert_eq!(r.sequences, [3]);
        assert_eq!(
            r.metadata[0][ORGANIZATION_ID],
            Value::String("org_1".into())
        );
    }

    #[test]
    fn two_streams_cannot_take_one_key() {
        let a = stream("om_1", vec![ClaimChange::Acquire("k".into())]);
        let b = stream("om_2", vec![ClaimChange::Acquire("k".into())]);
        assert!(matches!(
            Rows::new(&[a, b]),
            Err(StoreError::ClaimTaken { owner_id, .. }) if owner_id == "om_1"
        ));
    }
}
