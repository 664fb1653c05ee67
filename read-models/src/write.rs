//! Writes of the read-model tables (`migrations/0005_read_models.sql`) from events, set-based: a
//! batch of events becomes a few statements, one per run of like changes to one table.
//!
//! Each change takes the event's `data` (the object after the change), its position and the
//! source that manages the object (`managed_by` of an apply's event; `None` keeps the one it had),
//! and is idempotent: a row only moves forward (`position` guard), so replaying events leaves the
//! same state. The tables share no keys or constraints, so a batch is applied table by table,
//! each table's changes in log order; within one statement no row is written twice (a run ends
//! where its next change would touch a row it already holds), so a run does exactly what its
//! events one by one would.

use std::collections::HashSet;

use serde_json::Value;
use sqlx::PgConnection;

use store::{FeedEvent, StoreError};

/// The read-model tables, in a fixed order (also the lock order of a swap, and the order a batch
/// is applied in).
pub const TABLES: [&str; 8] = [
    "rm_organizations",
    "rm_roles",
    "rm_role_templates",
    "rm_domains",
    "rm_memberships",
    "rm_groups",
    "rm_group_members",
    "rm_invitations",
];

/// One of [`TABLES`] (its index there), in the same order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Table {
    Organizations,
    Roles,
    RoleTemplates,
    Domains,
    Memberships,
    Groups,
    GroupMembers,
    Invitations,
}

/// What one event does to one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Writes the object after the change (or, for a group member, adds it).
    Upsert,
    Delete,
}

/// One event's change: its table, kind, the row's key, and what to write.
#[derive(Debug)]
struct Change<'a> {
    table: Table,
    kind: Kind,
    /// The row's key: an id, or (organization, slug) of a role, (group, membership) of a member.
    key: (&'a str, &'a str),
    data: &'a Value,
    position: i64,
    managed_by: Option<&'a str>,
}

impl<'a> Change<'a> {
    /// The change `e` makes, if it writes a read model.
    fn of(e: &'a FeedEvent) -> Option<Self> {
        let data = &e.payload["data"];
        let text = |key: &str| data[key].as_str().unwrap_or_default();
        use {Kind::*, Table::*};
        let (table, kind) = match e.event_type.as_str() {
            "organization.created" | "organization.updated" => (Organizations, Upsert),
            "organization.deleted" => (Organizations, Delete),
            "organization_role.created" | "organization_role.updated" => (Roles, Upsert),
            "organization_role.deleted" => (Roles, Delete),
            "role_template.created" | "role_template.updated" => (RoleTemplates, Upsert),
            "role_template.deleted" => (RoleTemplates, Delete),
            "organization_domain.added"
            | "organization_domain.verified"
            | "organization_domain.expired"
            | "organization_domain.updated" => (Domains, Upsert),
            "organization_domain.removed" => (Domains, Delete),
            "membership.created"
            | "membership.updated"
            | "membership.deactivated"
            | "membership.reactivated" => (Memberships, Upsert),
            "membership.deleted" => (Memberships, Delete),
            "group.created" | "group.updated" | "group.roles_updated" => (Groups, Upsert),
            "group.deleted" => (Groups, Delete),
            "group.member_added" => (GroupMembers, Upsert),
            "group.member_removed" => (GroupMembers, Delete),
            t if t.starts_with("invitation.") => (Invitations, Upsert),
            // Keys, endpoints and deletion requests: no read model reads them.
            _ => return None,
        };
        let key = match table {
            Roles => (text("organization_id"), text("slug")),
            Domains => (text("organization_id"), text("domain")),
            RoleTemplates => (text("slug"), ""),
            GroupMembers => (text("group_id"), text("membership_id")),
            _ => (text("id"), ""),
        };
        Some(Self {
            table,
            kind,
            key,
            data,
            position: e.position,
            managed_by: e.managed_by(),
        })
    }
}

/// `changes` (in log order) as runs: each of one table and kind, table by table, each table's
/// changes in their order, a run never holding one key twice.
fn runs<'a>(mut changes: Vec<Change<'a>>) -> Vec<Vec<Change<'a>>> {
    // Stable: each table's changes keep their log order.
    changes.sort_by_key(|c| c.table);
    let mut runs: Vec<Vec<Change>> = Vec::new();
    let mut keys: HashSet<(&str, &str)> = HashSet::new();
    for change in changes {
        let joins = runs.last().is_some_and(|run| {
            let last = &run[run.len() - 1];
            last.table == change.table && last.kind == change.kind && !keys.contains(&change.key)
        });
        if !joins {
            keys.clear();
            runs.push(Vec::new());
        }
        keys.insert(change.key);
        runs.last_mut().expect("pushed above").push(change);
    }
    runs
}

/// Applies `events` (in log order) to the read models, inside the caller's transaction.
pub async fn apply<'e>(
    conn: &mut PgConnection,
    events: impl IntoIterator<Item = &'e FeedEvent>,
) -> Result<(), StoreError> {
    let changes = events.into_iter().filter_map(Change::of).collect();
    for run in runs(changes) {
        write(conn, &run).await?;
    }
    Ok(())
}

/// One statement for `run` (non-empty, one table and kind, no key twice).
async fn write(conn: &mut PgConnection, run: &[Change<'_>]) -> Result<(), StoreError> {
    let (table, kind) = (run[0].table, run[0].kind);
    if kind == Kind::Delete {
        let first: Vec<&str> = run.iter().map(|c| c.key.0).collect();
        let query = sqlx::query(delete_sql(table)).bind(first);
        let query = match table {
            // Keyed by a pair: the second half too.
            Table::Roles | Table::Domains | Table::GroupMembers => {
                query.bind(run.iter().map(|c| c.key.1).collect::<Vec<&str>>())
            }
            _ => query,
        };
        query.execute(&mut *conn).await?;
        return Ok(());
    }
    let data: Vec<&Value> = run.iter().map(|c| c.data).collect();
    let positions: Vec<i64> = run.iter().map(|c| c.position).collect();
    let managed_by: Vec<Option<&str>> = run.iter().map(|c| c.managed_by).collect();
    sqlx::query(upsert_sql(table))
        .bind(data)
        .bind(positions)
        .bind(managed_by)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The delete of a run from `table`: `$1` the keys (with `$2` their second halves for a role or
/// a group member).
fn delete_sql(table: Table) -> &'static str {
    match table {
        Table::Organizations => "DELETE FROM rm_organizations WHERE id = ANY ($1)",
        Table::Roles => {
            "DELETE FROM rm_roles r
              USING unnest($1::text[], $2::text[]) AS k(organization_id, slug)
              WHERE r.organization_id = k.organization_id AND r.slug = k.slug"
        }
        Table::Domains => {
            "DELETE FROM rm_domains r
              USING unnest($1::text[], $2::text[]) AS k(organization_id, domain)
              WHERE r.organization_id = k.organization_id AND r.domain = k.domain"
        }
        Table::RoleTemplates => "DELETE FROM rm_role_templates WHERE slug = ANY ($1)",
        Table::Memberships => "DELETE FROM rm_memberships WHERE id = ANY ($1)",
        Table::Groups => "DELETE FROM rm_groups WHERE id = ANY ($1)",
        Table::GroupMembers => {
            "DELETE FROM rm_group_members g
              USING unnest($1::text[], $2::text[]) AS k(group_id, membership_id)
              WHERE g.group_id = k.group_id AND g.membership_id = k.membership_id"
        }
        Table::Invitations => "DELETE FROM rm_invitations WHERE id = ANY ($1)",
    }
}

/// The upsert of a run into `table`: `$1` the objects, `$2` their positions, `$3` their sources.
fn upsert_sql(table: Table) -> &'static str {
    match table {
        Table::Organizations => {
            "INSERT INTO rm_organizations (id, name, description, external_id, metadata, max_members, template_roles, created_at, updated_at, position, managed_by)
             SELECT d->>'id', d->>'name', d->>'description', d->>'external_id', coalesce(d->'metadata', '{}'),
                    (d->>'max_members')::bigint,
                    CASE WHEN jsonb_typeof(d->'template_roles') = 'array'
                         THEN ARRAY(SELECT jsonb_array_elements_text(d->'template_roles')) END,
                    (d->>'created_at')::timestamptz, (d->>'updated_at')::timestamptz, p, m
               FROM unnest($1::jsonb[], $2::int8[], $3::text[]) AS s(d, p, m)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description,
                external_id = excluded.external_id, metadata = excluded.metadata,
                max_members = excluded.max_members, template_roles = excluded.template_roles,
                updated_at = excluded.updated_at, position = excluded.position,
                managed_by = coalesce(excluded.managed_by, rm_organizations.managed_by)
              WHERE rm_organizations.position < excluded.position"
        }
        Table::Roles => {
            "INSERT INTO rm_roles (organization_id, slug, name, description, permissions, created_at, updated_at, position, managed_by)
             SELECT d->>'organization_id', d->>'slug', d->>'name', d->>'description',
                    ARRAY(SELECT jsonb_array_elements_text(coalesce(d->'permissions', '[]'))),
                    (d->>'created_at')::timestamptz, (d->>'updated_at')::timestamptz, p, m
               FROM unnest($1::jsonb[], $2::int8[], $3::text[]) AS s(d, p, m)
             ON CONFLICT (organization_id, slug) DO UPDATE SET name = excluded.name,
                description = excluded.description, permissions = excluded.permissions,
                created_at = excluded.created_at, updated_at = excluded.updated_at, position = excluded.position,
                managed_by = coalesce(excluded.managed_by, rm_roles.managed_by)
              WHERE rm_roles.position < excluded.position"
        }
        Table::RoleTemplates => {
            "INSERT INTO rm_role_templates (slug, name, description, permissions, created_at, updated_at, position)
             SELECT d->>'slug', d->>'name', d->>'description',
                    ARRAY(SELECT jsonb_array_elements_text(coalesce(d->'permissions', '[]'))),
                    (d->>'created_at')::timestamptz, (d->>'updated_at')::timestamptz, p
               FROM unnest($1::jsonb[], $2::int8[], $3::text[]) AS s(d, p, m)
             ON CONFLICT (slug) DO UPDATE SET name = excluded.name,
                description = excluded.description, permissions = excluded.permissions,
                created_at = excluded.created_at, updated_at = excluded.updated_at, position = excluded.position
              WHERE rm_role_templates.position < excluded.position"
        }
        Table::Domains => {
            "INSERT INTO rm_domains (organization_id, domain, state, policy, default_roles, verification_name,
                                     verification_value, verified_at, expires_at, created_at, updated_at, position, managed_by)
             SELECT d->>'organization_id', d->>'domain', d->>'state', d->>'policy',
                    ARRAY(SELECT jsonb_array_elements_text(coalesce(d->'default_roles', '[]'))),
                    d->'verification'->>'name', d->'verification'->>'value',
                    (d->>'verified_at')::timestamptz, (d->>'expires_at')::timestamptz,
                    (d->>'created_at')::timestamptz, (d->>'updated_at')::timestamptz, p, m
               FROM unnest($1::jsonb[], $2::int8[], $3::text[]) AS s(d, p, m)
             ON CONFLICT (organization_id, domain) DO UPDATE SET state = excluded.state, policy = excluded.policy,
                default_roles = excluded.default_roles, verification_name = excluded.verification_name,
                verification_value = excluded.verification_value, verified_at = excluded.verified_at,
                expires_at = excluded.expires_at, created_at = excluded.created_at,
                updated_at = excluded.updated_at, position = excluded.position,
                managed_by = coalesce(excluded.managed_by, rm_domains.managed_by)
              WHERE rm_domains.position < excluded.position"
        }
        Table::Memberships => {
            "INSERT INTO rm_memberships (id, organization_id, user_id, application_id, status, roles, attributes,
                                         source, created_at, updated_at, position, managed_by)
             SELECT d->>'id', d->>'organization_id', d->>'user_id', d->>'application_id', d->>'status',
                    ARRAY(SELECT jsonb_array_elements_text(coalesce(d->'roles', '[]'))),
                    coalesce(d->'attributes', '{}'), d->>'source',
                    (d->>'created_at')::timestamptz, (d->>'updated_at')::timestamptz, p, m
               FROM unnest($1::jsonb[], $2::int8[], $3::text[]) AS s(d, p, m)
             ON CONFLICT (id) DO UPDATE SET status = excluded.status, roles = excluded.roles,
                attributes = excluded.attributes, source = excluded.source, updated_at = excluded.updated_at, position = excluded.position,
                managed_by = coalesce(excluded.managed_by, rm_memberships.managed_by)
              WHERE rm_memberships.position < excluded.position"
        }
        Table::Groups => {
            "INSERT INTO rm_groups (id, organization_id, name, description, roles, created_at, updated_at, position, managed_by)
             SELECT d->>'id', d->>'organization_id', d->>'name', d->>'description',
                    ARRAY(SELECT jsonb_array_elements_text(coalesce(d->'roles', '[]'))),
                    (d->>'created_at')::timestamptz, (d->>'updated_at')::timestamptz, p, m
               FROM unnest($1::jsonb[], $2::int8[], $3::text[]) AS s(d, p, m)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description,
                roles = excluded.roles,
                updated_at = excluded.updated_at, position = excluded.position,
                managed_by = coalesce(excluded.managed_by, rm_groups.managed_by)
              WHERE rm_groups.position < excluded.position"
        }
        Table::GroupMembers => {
            "INSERT INTO rm_group_members (group_id, membership_id, organization_id, added_at, position, managed_by)
             SELECT d->>'group_id', d->>'membership_id', d->>'organization_id', (d->>'at')::timestamptz, p, m
               FROM unnest($1::jsonb[], $2::int8[], $3::text[]) AS s(d, p, m)
             ON CONFLICT (group_id, membership_id) DO UPDATE
                SET managed_by = coalesce(excluded.managed_by, rm_group_members.managed_by)"
        }
        Table::Invitations => {
            "INSERT INTO rm_invitations (id, organization_id, email, roles, state, expires_at, inviter_user_id,
                                         accepted_user_id, membership_id, created_at, updated_at, position, managed_by)
             SELECT d->>'id', d->>'organization_id', d->>'email',
                    ARRAY(SELECT jsonb_array_elements_text(coalesce(d->'roles', '[]'))), d->>'state',
                    (d->>'expires_at')::timestamptz, d->>'inviter_user_id', d->>'accepted_user_id',
                    d->>'membership_id', (d->>'created_at')::timestamptz, (d->>'updated_at')::timestamptz, p, m
               FROM unnest($1::jsonb[], $2::int8[], $3::text[]) AS s(d, p, m)
             ON CONFLICT (id) DO UPDATE SET state = excluded.state, expires_at = excluded.expires_at,
                accepted_user_id = excluded.accepted_user_id, membership_id = excluded.membership_id,
                updated_at = excluded.updated_at, position = excluded.position,
                managed_by = coalesce(excluded.managed_by, rm_invitations.managed_by)
              WHERE rm_invitations.position < excluded.position"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(position: i64, event_type: &str, data: Value) -> FeedEvent {
        FeedEvent {
            position,
            aggregate_type: event_type.split('.').next().unwrap_or_default().to_owned(),
            aggregate_id: String::new(),
            sequence: position,
            event_type: event_type.to_owned(),
            event_version: "1".to_owned(),
            organization_id: None,
            payload: json!({ "data": data }),
            metadata: json!({}),
            recorded_at: chrono::Utc::now(),
        }
    }

    /// Each run as (table, kind, positions).
    fn shape(events: &[FeedEvent]) -> Vec<(Table, Kind, Vec<i64>)> {
        runs(events.iter().filter_map(Change::of).collect())
            .iter()
            .map(|run| {
                let positions = run.iter().map(|c| c.position).collect();
                (run[0].table, run[0].kind, positions)
            })
            .collect()
    }

    #[test]
    fn like_changes_of_one_table_share_a_statement_across_other_tables_changes() {
        let events = [
            event(1, "membership.created", json!({"id": "m1"})),
            event(
                2,
                "group.member_added",
                json!({"group_id": "g", "membership_id": "m1"}),
            ),
            event(3, "membership.created", json!({"id": "m2"})),
            event(4, "organization.updated", json!({"id": "o"})),
            event(5, "membership.updated", json!({"id": "m3"})),
            event(6, "api_key.created", json!({"id": "k"})),
        ];
        use {Kind::*, Table::*};
        assert_eq!(
            shape(&events),
            vec![
                (Organizations, Upsert, vec![4]),
                (Memberships, Upsert, vec![1, 3, 5]),
                (GroupMembers, Upsert, vec![2]),
            ]
        );
    }

    #[test]
    fn a_run_ends_where_a_row_would_be_written_twice_or_the_kind_changes() {
        let events = [
            event(1, "membership.created", json!({"id": "m1"})),
            event(2, "membership.created", json!({"id": "m2"})),
            event(3, "membership.updated", json!({"id": "m1"})),
            event(4, "membership.deleted", json!({"id": "m2"})),
            event(5, "membership.deleted", json!({"id": "m1"})),
            event(
                6,
                "organization_role.created",
                json!({"organization_id": "o", "slug": "a"}),
            ),
            event(
                7,
                "organization_role.created",
                json!({"organization_id": "p", "slug": "a"}),
            ),
            event(
                8,
                "organization_role.deleted",
                json!({"organization_id": "o", "slug": "a"}),
            ),
            event(
                9,
                "organization_role.created",
                json!({"organization_id": "o", "slug": "a"}),
            ),
        ];
        use {Kind::*, Table::*};
        assert_eq!(
            shape(&events),
            vec![
                (Roles, Upsert, vec![6, 7]),
                (Roles, Delete, vec![8]),
                (Roles, Upsert, vec![9]),
                (Memberships, Upsert, vec![1, 2]),
                (Memberships, Upsert, vec![3]),
                (Memberships, Delete, vec![4, 5]),
            ]
        );
    }

    #[test]
    fn tables_are_in_the_order_of_their_names() {
        use Table::*;
        for table in [
            Organizations,
            Roles,
            RoleTemplates,
            Domains,
            Memberships,
            Groups,
            GroupMembers,
            Invitations,
        ] {
            let name = TABLES[table as usize];
            let expected = match table {
                Organizations => "rm_organizations",
                Roles => "rm_roles",
                RoleTemplates => "rm_role_templates",
                Domains => "rm_domains",
                Memberships => "rm_memberships",
                Groups => "rm_groups",
                GroupMembers => "rm_group_members",
                Invitations => "rm_invitations",
            };
            assert_eq!(name, expected);
        }
    }
}
