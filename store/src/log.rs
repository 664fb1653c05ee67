//! Reads of the event log itself for the Events API, aggregate histories, point-in-time reads
//! and the event tools. Pages are keyed on `position` and obey the feed's visibility rule, so
//! paging on with `after` never skips an event that commits late: a page ends at the last
//! readable position, and every smaller position is then either readable or rolled back.

use chrono::{DateTime, Utc};
use cqrs_es::Aggregate;
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Postgres, QueryBuilder};

use crate::feed::{FeedEvent, COLUMNS, READABLE};
use crate::page::{Page, PageRequest};
use crate::StoreError;

/// Which events; every filter given must hold.
#[derive(Debug, Default, Clone)]
pub struct EventFilter {
    pub organization_id: Option<String>,
    /// Exact type names (wildcards are expanded against the catalogue before they get here);
    /// empty: every type.
    pub types: Vec<String>,
    /// `(aggregate type, aggregate id)`.
    pub aggregate: Option<(String, String)>,
    pub actor_id: Option<String>,
    /// Occurred at or after.
    pub range_start: Option<DateTime<Utc>>,
    /// Occurred before.
    pub range_end: Option<DateTime<Utc>>,
}

impl EventFilter {
    fn push(&self, qb: &mut QueryBuilder<'_, Postgres>) {
        if let Some(org) = &self.organization_id {
            qb.push(" AND organization_id = ").push_bind(org.clone());
        }
        if !self.types.is_empty() {
            qb.push(" AND event_type = ANY (")
                .push_bind(self.types.clone())
                .push(")");
        }
        if let Some((kind, id)) = &self.aggregate {
            qb.push(" AND aggregate_type = ")
                .push_bind(kind.clone())
                .push(" AND aggregate_id = ")
                .push_bind(id.clone());
        }
        if let Some(actor) = &self.actor_id {
            qb.push(" AND metadata->>'actor_id' = ")
                .push_bind(actor.clone());
        }
        if let Some(start) = self.range_start {
            qb.push(" AND recorded_at >= ").push_bind(start);
        }
        if let Some(end) = self.range_end {
            qb.push(" AND recorded_at < ").push_bind(end);
        }
    }

    fn select(&self) -> QueryBuilder<'_, Postgres> {
        let mut qb = QueryBuilder::new(format!("SELECT {COLUMNS} FROM events WHERE {READABLE}"));
        self.push(&mut qb);
        qb
    }
}

impl<'r> sqlx::FromRow<'r, PgRow> for FeedEvent {
    fn from_row(row: &'r PgRow) -> Result<Self, sqlx::Error> {
        FeedEvent::from_row(row)
    }
}

/// A page of the events `filter` selects; cursors are positions.
pub async fn list(
    pool: &PgPool,
    filter: &EventFilter,
    page: &PageRequest,
) -> Result<Page<FeedEvent>, StoreError> {
    page.fetch_positions(pool, filter.select(), |e: &FeedEvent| {
        e.position.to_string()
    })
    .await
}

/// Up to `limit` events `filter` selects in `(after, up_to]`, in position order: one step of an
/// export, which reads the log in such batches and never holds more than one.
pub async fn batch(
    pool: &PgPool,
    filter: &EventFilter,
    after: i64,
    up_to: i64,
    limit: i64,
) -> Result<Vec<FeedEvent>, StoreError> {
    FeedEvent::from_rows(&batch_rows(pool, filter, after, up_to, limit).await?)
}

/// [`batch`] as the rows come (decoded by [`FeedEvent::from_rows`]), for a reader that decodes
/// them elsewhere (an export decodes on the blocking pool while it reads the next batch).
pub async fn batch_rows(
    pool: &PgPool,
    filter: &EventFilter,
    after: i64,
    up_to: i64,
    limit: i64,
) -> Result<Vec<PgRow>, StoreError> {
    let mut qb = filter.select();
    qb.push(" AND position > ")
        .push_bind(after)
        .push(" AND position <= ")
        .push_bind(up_to)
        .push(" ORDER BY position LIMIT ")
        .push_bind(limit);
    Ok(qb.build().fetch_all(pool).await?)
}

/// The last committed position and the last readable one (the feed's visibility rule): they
/// differ while an older writer is still open.
pub async fn heads(pool: &PgPool) -> Result<(i64, i64), StoreError> {
    let (committed, readable): (Option<i64>, Option<i64>) = sqlx::query_as(&format!(
        "SELECT (SELECT max(position) FROM events),
                (SELECT max(position) FROM events WHERE {READABLE})"
    ))
    .fetch_one(pool)
    .await?;
    Ok((committed.unwrap_or(0), readable.unwrap_or(0)))
}

/// Waits (at most `within`) until the log is readable up to `position`. Returns the readable end
/// reached: below `position` when the wait ran out (an older transaction is still open, or the
/// position is not committed yet).
pub async fn wait_readable(
    pool: &PgPool,
    position: i64,
    within: std::time::Duration,
) -> Result<i64, StoreError> {
    let deadline = tokio::time::Instant::now() + within;
    let mut pause = std::time::Duration::from_millis(2);
    loop {
        let (_, readable) = heads(pool).await?;
        if readable >= position || tokio::time::Instant::now() >= deadline {
            return Ok(readable);
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(std::time::Duration::from_millis(50));
    }
}

/// The last position an export started now may read: the feed's readable end.
pub async fn readable_head(pool: &PgPool) -> Result<i64, StoreError> {
    let head: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT max(position) FROM events WHERE {READABLE}"
    ))
    .fetch_one(pool)
    .await?;
    Ok(head.unwrap_or(0))
}

/// One event by its public id (`evt_…`).
pub async fn by_id(pool: &PgPool, event_id: &str) -> Result<Option<FeedEvent>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM events WHERE metadata->>'event_id' = $1"
    ))
    .bind(event_id)
    .fetch_optional(pool)
    .await?)
}

/// A point in the log's past: a position, or a time (events recorded at or before it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AsOf {
    Position(i64),
    Time(DateTime<Utc>),
}

impl AsOf {
    fn includes(&self, e: &FeedEvent) -> bool {
        match self {
            Self::Position(p) => e.position <= *p,
            Self::Time(t) => e.recorded_at <= *t,
        }
    }
}

/// The event as its aggregate's type (already upcast by the read).
fn typed<A: Aggregate>(e: &FeedEvent) -> Result<A::Event, StoreError> {
    serde_json::from_value(e.payload.clone())
        .map_err(|err| StoreError::Corrupt(format!("event at position {}: {err}", e.position)))
}

/// An aggregate as it was at `at`, rebuilt from its events with the aggregate's own `apply`
/// (after upcasting), or `None` if it had no events by then. Also returns those events.
/// Every committed event of the stream counts (the visibility rule is for paging the whole log
/// by position; one stream's versions are contiguous as soon as they commit).
pub async fn state_at<A: Aggregate>(
    pool: &PgPool,
    id: &str,
    at: AsOf,
) -> Result<Option<(A, Vec<FeedEvent>)>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM events
          WHERE aggregate_type = $1 AND aggregate_id = $2
          ORDER BY sequence"
    ))
    .bind(A::TYPE)
    .bind(id)
    .fetch_all(pool)
    .await?;
    let events = FeedEvent::from_rows(&rows)?;
    let mut aggregate = A::default();
    // A stream's events are recorded in sequence order: its past is a prefix.
    let past: Vec<FeedEvent> = events.into_iter().take_while(|e| at.includes(e)).collect();
    for e in &past {
        aggregate.apply(typed::<A>(e)?);
    }
    Ok((!past.is_empty()).then_some((aggregate, past)))
}

/// Whether the aggregate has events: `Some(its organization)` if so (`Some(None)` for one of
/// no organization), `None` if it never existed.
pub async fn organization_of(
    pool: &PgPool,
    aggregate_type: &str,
    aggregate_id: &str,
) -> Result<Option<Option<String>>, StoreError> {
    let row: Option<(Option<String>,)> = sqlx::query_as(
        "SELECT organization_id FROM events
          WHERE aggregate_type = $1 AND aggregate_id = $2 ORDER BY sequence LIMIT 1",
    )
    .bind(aggregate_type)
    .bind(aggregate_id)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|(org,)| org))
}

/// The member of the newest `group.member_added` event of `membership_id` in group `group_id`:
/// when that membership joined the group last.
pub async fn group_member_added(
    pool: &PgPool,
    group_id: &str,
    membership_id: &str,
) -> Result<Option<domain::group::GroupMember>, StoreError> {
    let data: Option<serde_json::Value> = sqlx::query_scalar(
        "SELECT payload->'data' FROM events
          WHERE aggregate_type = 'group' AND aggregate_id = $1
            AND event_type = 'group.member_added' AND payload->'data'->>'membership_id' = $2
          ORDER BY sequence DESC LIMIT 1",
    )
    .bind(group_id)
    .bind(membership_id)
    .fetch_optional(pool)
    .await?;
    data.map(serde_json::from_value)
        .transpose()
        .map_err(|e| StoreError::Corrupt(format!("group.member_added in {group_id}: {e}")))
}

/// A group's members as they were at `at`: the group's member set then, each membership rebuilt
/// at `at` too (with the source that managed it then: every membership event but its deletion
/// writes its read-model row), paged by membership id like the live list. `None` if the group
/// did not exist then (not yet, or deleted).
pub async fn group_members_at(
    pool: &PgPool,
    group_id: &str,
    at: AsOf,
    page: &PageRequest,
) -> Result<Option<Page<(domain::membership::MembershipData, Option<String>)>>, StoreError> {
    use crate::page::Bound;
    use domain::group::Group;

    let Some((group, _)) = state_at::<Group>(pool, group_id, at).await? else {
        return Ok(None);
    };
    if group.current().is_none() {
        return Ok(None);
    }
    let mut ids: Vec<String> = group.members.iter().map(ToString::to_string).collect();
    ids.sort();
    if page.scans_desc() {
        ids.reverse();
    }
    let past = |id: &String| match &page.bound {
        Bound::After(k) | Bound::Before(k) if page.scans_desc() => id < k,
        Bound::After(k) | Bound::Before(k) => id > k,
        Bound::Start => true,
    };
    let wanted: Vec<String> = ids
        .into_iter()
        .filter(past)
        .take(page.limit as usize + 1)
        .collect();
    let mut rebuilt = memberships_at(pool, &wanted, at).await?;
    let members = wanted.iter().filter_map(|id| rebuilt.remove(id)).collect();
    Ok(Some(page.finish(members, |(m, _)| m.id.to_string())))
}

/// Memberships `ids` as they were at `at`, each with the source that managed it then (every
/// membership event but its deletion writes its read-model row); those that did not exist then
/// (not yet, or deleted) are left out.
async fn memberships_at(
    pool: &PgPool,
    ids: &[String],
    at: AsOf,
) -> Result<
    std::collections::HashMap<String, (domain::membership::MembershipData, Option<String>)>,
    StoreError,
> {
    use domain::membership::Membership;
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM events
          WHERE aggregate_type = 'membership' AND aggregate_id = ANY ($1)
          ORDER BY aggregate_id, sequence"
    ))
    .bind(ids)
    .fetch_all(pool)
    .await?;
    let mut rebuilt: std::collections::HashMap<String, (Membership, Option<String>)> =
        Default::default();
    for e in FeedEvent::from_rows(&rows)?
        .into_iter()
        .filter(|e| at.includes(e))
    {
        let event = typed::<Membership>(&e)?;
        let (membership, managed_by) = rebuilt.entry(e.aggregate_id.clone()).or_default();
        membership.apply(event);
        if let Some(source) = e.managed_by() {
            *managed_by = Some(source.to_owned());
        }
    }
    Ok(rebuilt
        .into_iter()
        .filter_map(|(id, (m, managed_by))| Some((id, (m.current().cloned()?, managed_by))))
        .collect())
}

/// An organization's memberships as they were at `at` (each rebuilt from its events then), with
/// status `status` then (`None`: any), paged by membership id like the live list. Memberships are
/// found by their events' organization; they never move to another one.
pub async fn organization_members_at(
    pool: &PgPool,
    organization: &str,
    at: AsOf,
    status: Option<&str>,
    page: &PageRequest,
) -> Result<Page<(domain::membership::MembershipData, Option<String>)>, StoreError> {
    use crate::page::Bound;
    /// Memberships rebuilt per round until the page is full.
    const BATCH: i64 = 200;
    let desc = page.scans_desc();
    let mut bound = match &page.bound {
        Bound::After(k) | Bound::Before(k) => Some(k.clone()),
        Bound::Start => None,
    };
    let (at_position, at_time) = match at {
        AsOf::Position(p) => (Some(p), None),
        AsOf::Time(t) => (None, Some(t)),
    };
    let mut members = Vec::new();
    loop {
        let ids: Vec<String> = sqlx::query_scalar(&format!(
            "SELECT DISTINCT aggregate_id FROM events
              WHERE organization_id = $1 AND aggregate_type = 'membership'
                AND ($2::bigint IS NULL OR position <= $2)
                AND ($3::timestamptz IS NULL OR recorded_at <= $3)
                AND ($4::text IS NULL OR aggregate_id {} $4)
              ORDER BY aggregate_id {} LIMIT $5",
            if desc { "<" } else { ">" },
            if desc { "DESC" } else { "ASC" },
        ))
        .bind(organization)
        .bind(at_position)
        .bind(at_time)
        .bind(&bound)
        .bind(BATCH)
        .fetch_all(pool)
        .await?;
        let Some(last) = ids.last().cloned() else {
            break;
        };
        let mut rebuilt = memberships_at(pool, &ids, at).await?;
        for id in &ids {
            if let Some((m, managed_by)) = rebuilt.remove(id) {
                let wanted = status.is_none_or(|s| {
                    serde_json::to_value(m.status).is_ok_and(|v| v.as_str() == Some(s))
                });
                if wanted {
                    members.push((m, managed_by));
                }
            }
        }
        if members.len() > page.limit as usize || (ids.len() as i64) < BATCH {
            break;
        }
        bound = Some(last);
    }
    members.truncate(page.limit as usize + 1);
    Ok(page.finish(members, |(m, _)| m.id.to_string()))
}

/// The objects of `organization` with events after `position` (the organization itself too), as
/// `(aggregate type, aggregate id)`: what moved since a plan was made at `position`.
pub async fn changed_since(
    pool: &PgPool,
    organization: &str,
    position: i64,
) -> Result<Vec<(String, String)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT DISTINCT aggregate_type, aggregate_id FROM events
          WHERE organization_id = $1 AND position > $2 ORDER BY 1, 2",
    )
    .bind(organization)
    .bind(position)
    .fetch_all(pool)
    .await?)
}
