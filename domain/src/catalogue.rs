//! Every public event type with its JSON Schema and an example envelope: the source of
//! `docs/events.md` (a test keeps that file in step with this code).

use std::collections::BTreeSet;

use std::borrow::Cow;

use chrono::{DateTime, TimeZone, Utc};
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Serialize;
use serde_json::{json, Value};

use crate::envelope::{public_data, Actor, AggregateRef, EventEnvelope};
use crate::group::{
    GroupData, GroupMember, GroupRolesUpdated, GroupUpdated, PreviousGroupAttributes,
};
use crate::ids::{GroupId, InvitationId, MembershipId, OrganizationId};
use crate::invitation::{InvitationData, InvitationState};
use crate::membership::{
    MembershipData, MembershipStatus, MembershipUpdated, PreviousMembershipAttributes,
};
use crate::organization::{
    DomainPolicy, DomainState, DomainUpdated, DomainVerification, OrganizationData,
    OrganizationDomain, OrganizationUpdated, PreviousDomainAttributes,
    PreviousOrganizationAttributes, PreviousRoleAttributes, RoleData, RoleUpdated,
};
use crate::role_template::{TemplateRole, TemplateRoleUpdated};
use crate::values::{
    Attributes, Description, Email, GroupName, Metadata, OrganizationName, Permissions, RoleName,
    RoleSlug, SubjectId,
};
use crate::webhook_endpoint::{DisabledReason, EndpointDisabled, ENDPOINT_DISABLED};

pub struct EventDoc {
    pub event_type: &'static str,
    pub when: &'static str,
    /// JSON Schema of the envelope's `data`.
    pub schema: Value,
    /// The same, as a generator makes it (named schemas as references): for the API document.
    pub data_schema: fn(&mut SchemaGenerator) -> Schema,
    pub example: Value,
}

/// The envelope as the API documents describe it: one named schema per event type
/// (`OrganizationCreatedEvent` …: the common fields, `type` a constant and `data` that type's
/// schema), and `Event` the `oneOf` of them with `type` as discriminator — so a typed client gets
/// each event's data typed.
impl JsonSchema for EventEnvelope {
    fn schema_name() -> Cow<'static, str> {
        "Event".into()
    }

    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        let base = g.settings().definitions_path.clone();
        let (mut variants, mut mapping) = (Vec::new(), serde_json::Map::new());
        for d in events() {
            let name = variant_name(d.event_type);
            let data = (d.data_schema)(g).to_value();
            let variant = envelope_schema(g, d.event_type, data);
            g.definitions_mut().insert(name.clone(), variant);
            let reference = format!("#{base}/{name}");
            variants.push(json!({ "$ref": reference }));
            mapping.insert(d.event_type.to_owned(), reference.into());
        }
        Schema::try_from(json!({
            "description": "One event as webhooks, Kafka and the Events API carry it (docs/events.md).",
            "oneOf": variants,
            "discriminator": {"propertyName": "type", "mapping": mapping},
        }))
        .unwrap_or_default()
    }
}

/// `organization_role.created` → `OrganizationRoleCreatedEvent`.
fn variant_name(event_type: &str) -> String {
    let mut name: String = (event_type.split(['.', '_']))
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect();
    name.push_str("Event");
    name
}

/// The envelope of one event type: `type` is `event_type`, `data` is `data`.
fn envelope_schema(g: &mut SchemaGenerator, event_type: &str, data: Value) -> Value {
    let described = |schema: Schema, description: &str| {
        let mut value = schema.to_value();
        if let Some(map) = value.as_object_mut() {
            map.insert("description".into(), description.into());
        }
        value
    };
    let properties = json!({
        "id": described(g.subschema_for::<String>(), "The event's id (`evt_…`)."),
        "type": {"type": "string", "const": event_type, "description": "The event type."},
        "position": described(g.subschema_for::<i64>(), "Its position in the log."),
        "occurred_at": described(g.subschema_for::<DateTime<Utc>>(), "When it was recorded."),
        "organization_id": described(g.subschema_for::<Option<String>>(), "The organization it belongs to, if any."),
        "aggregate": g.subschema_for::<AggregateRef>().to_value(),
        "actor": g.subschema_for::<Actor>().to_value(),
        "data": data,
    });
    let required: Vec<&str> = (properties.as_object().into_iter())
        .flat_map(|p| p.keys().map(String::as_str))
        .collect();
    json!({
        "type": "object",
        "required": required,
        "properties": properties,
    })
}

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0)
        .single()
        .unwrap_or_default()
}

fn id<T: std::str::FromStr>(s: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    s.parse().unwrap_or_else(|e| panic!("sample id {s}: {e:?}"))
}

fn val<T, E: std::fmt::Debug>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("sample value: {e:?}"))
}

fn org() -> OrganizationData {
    OrganizationData {
        id: id::<OrganizationId>("org_01JD8Z5V7Q4S2M9K3X6T1B0C8N"),
        name: val(OrganizationName::parse("Acme Inc")),
        description: None,
        external_id: Some(val(crate::values::ExternalId::parse("acme-42"))),
        metadata: val(Metadata::parse(
            [("tier".to_string(), "gold".to_string())].into(),
        )),
        max_members: Some(val(crate::values::MaxMembers::parse(50))),
        template_roles: None,
        created_at: at(),
        updated_at: at(),
    }
}

fn role() -> RoleData {
    RoleData {
        organization_id: org().id,
        slug: val(RoleSlug::parse("billing")),
        name: val(RoleName::parse("Billing")),
        description: Some(val(Description::parse("Manages invoices"))),
        permissions: val(Permissions::parse(vec![
            "billing:read".into(),
            "billing:write".into(),
        ])),
        created_at: at(),
        updated_at: at(),
    }
}

fn domain(state: DomainState) -> OrganizationDomain {
    let verified = state == DomainState::Verified;
    OrganizationDomain {
        organization_id: org().id,
        domain: val(crate::values::DomainName::parse("acme.com")),
        state,
        policy: if verified {
            DomainPolicy::AutoJoin
        } else {
            DomainPolicy::Off
        },
        default_roles: if verified {
            BTreeSet::from([RoleSlug::member()])
        } else {
            BTreeSet::new()
        },
        verification: DomainVerification {
            name: "_roster-challenge.acme.com".into(),
            value: "roster-verification=Vq3JmQ2k8yJ1s9bZ0eXf4w".into(),
        },
        verified_at: verified.then(at),
        expires_at: at() + chrono::Duration::days(7),
        created_at: at(),
        updated_at: at(),
    }
}

fn membership() -> MembershipData {
    MembershipData {
        id: id::<MembershipId>("om_01JD8Z6A2B3C4D5E6F7G8H9J0K"),
        organization_id: org().id,
        user_id: Some(val(SubjectId::parse("user_2xQ9"))),
        application_id: None,
        status: MembershipStatus::Active,
        roles: BTreeSet::from([RoleSlug::member(), val(RoleSlug::parse("billing"))]),
        source: Some(crate::membership::MembershipSource::Invitation),
        attributes: val(Attributes::parse(
            serde_json::json!({"department": "finance", "level": 3})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        )),
        created_at: at(),
        updated_at: at(),
    }
}

fn group() -> GroupData {
    GroupData {
        id: id::<GroupId>("grp_01JD8Z7M1N2P3Q4R5S6T7V8W9X"),
        organization_id: org().id,
        name: val(GroupName::parse("Finance")),
        description: None,
        roles: BTreeSet::new(),
        created_at: at(),
        updated_at: at(),
    }
}

fn member() -> GroupMember {
    GroupMember {
        group_id: group().id,
        organization_id: org().id,
        membership_id: membership().id,
        at: at(),
    }
}

fn invitation(state: InvitationState) -> InvitationData {
    let accepted = state == InvitationState::Accepted;
    InvitationData {
        id: id::<InvitationId>("inv_01JD8Z8Y0Z1A2B3C4D5E6F7G8H"),
        organization_id: org().id,
        email: val(Email::parse("ann@example.com")),
        roles: BTreeSet::from([RoleSlug::member()]),
        state,
        expires_at: at() + chrono::Duration::days(7),
        inviter_user_id: Some(val(SubjectId::parse("user_admin"))),
        accepted_user_id: accepted.then(|| val(SubjectId::parse("user_2xQ9"))),
        membership_id: accepted.then(|| membership().id),
        accept_token_sha256: "0".repeat(64),
        created_at: at(),
        updated_at: at(),
    }
}

fn doc<T: Serialize + JsonSchema>(
    event_type: &'static str,
    when: &'static str,
    aggregate: (&str, String, u64),
    data: &T,
) -> EventDoc {
    let schema = serde_json::to_value(schemars::schema_for!(T)).unwrap_or_default();
    let envelope = EventEnvelope {
        id: "evt_01JD8ZA0B1C2D3E4F5G6H7J8K9".into(),
        event_type: event_type.into(),
        position: 4711,
        occurred_at: at(),
        organization_id: Some(org().id.to_string()),
        aggregate: AggregateRef {
            kind: aggregate.0.into(),
            id: aggregate.1,
            version: aggregate.2,
        },
        actor: Actor {
            kind: "api_key".into(),
            id: Some("key_01JD8ZB0C1D2E3F4G5H6J7K8M9".into()),
        },
        data: public_data(serde_json::to_value(data).unwrap_or_default()),
    };
    EventDoc {
        event_type,
        when,
        schema,
        data_schema: |g| g.subschema_for::<T>(),
        example: serde_json::to_value(envelope).unwrap_or_default(),
    }
}

/// Every event type roster publishes, in the order of docs/events.md, then the dispatcher's own.
pub fn events() -> Vec<EventDoc> {
    let o = ("organization", org().id.to_string(), 1);
    let m = ("membership", membership().id.to_string(), 1);
    let g = ("group", group().id.to_string(), 1);
    let i = (
        "invitation",
        invitation(InvitationState::Pending).id.to_string(),
        1,
    );
    let updated_org = OrganizationUpdated {
        organization: OrganizationData {
            name: val(OrganizationName::parse("Acme Corp")),
            ..org()
        },
        previous_attributes: PreviousOrganizationAttributes {
            name: Some(org().name),
            ..Default::default()
        },
    };
    let updated_role = RoleUpdated {
        role: RoleData {
            permissions: val(Permissions::parse(vec!["billing:read".into()])),
            ..role()
        },
        previous_attributes: PreviousRoleAttributes {
            permissions: Some(role().permissions),
            ..Default::default()
        },
    };
    let updated_membership = MembershipUpdated::new(
        MembershipData {
            roles: BTreeSet::from([RoleSlug::member()]),
            ..membership()
        },
        PreviousMembershipAttributes {
            roles: Some(membership().roles),
            ..Default::default()
        },
    );
    let inactive = MembershipData {
        status: MembershipStatus::Inactive,
        ..membership()
    };
    let group_roles = GroupRolesUpdated {
        group: GroupData {
            roles: BTreeSet::from([val(RoleSlug::parse("billing"))]),
            ..group()
        },
        previous_roles: BTreeSet::new(),
    };
    let updated_group = GroupUpdated {
        group: GroupData {
            name: val(GroupName::parse("Finance & Ops")),
            ..group()
        },
        previous_attributes: PreviousGroupAttributes {
            name: Some(group().name),
            ..Default::default()
        },
    };
    let t = ("role_template", "billing".to_owned(), 1);
    let template = template_role();
    let updated_template = TemplateRoleUpdated {
        role: TemplateRole {
            permissions: val(Permissions::parse(vec!["billing:read".into()])),
            ..template_role()
        },
        previous_attributes: PreviousRoleAttributes {
            permissions: Some(template_role().permissions),
            ..Default::default()
        },
    };
    let updated_domain = DomainUpdated {
        domain: domain(DomainState::Verified),
        previous_attributes: PreviousDomainAttributes {
            policy: Some(DomainPolicy::Off),
            default_roles: Some(BTreeSet::new()),
        },
    };
    vec![
        doc("organization.created", "an organization was created", o.clone(), &org()),
        doc("organization.updated", "fields of an organization changed; `previous_attributes` holds their old values", o.clone(), &updated_org),
        doc("organization.deletion_requested", "an organization's deletion was accepted: from here on nothing new can be created in it, and the process manager deletes its groups, memberships, pending invitations and roles, each with its own events", o.clone(), &org()),
        doc("organization.deleted", "an organization was deleted: its last event, after its groups, memberships, invitations and roles", o.clone(), &org()),
        doc("organization_role.created", "a custom role joined an organization's catalogue (organizations created before the organization template also got their own `admin` and `member` with the organization)", o.clone(), &role()),
        doc("organization_role.updated", "a role's name, description or permissions changed", o.clone(), &updated_role),
        doc("organization_role.deleted", "a role left the catalogue; the process manager then takes it from every membership holding it (`membership.updated` each); domains lose it from their default roles (`organization_domain.updated`, same stream)", o.clone(), &role()),
        deployment_wide(doc("role_template.created", "a role joined the organization template: every organization offers it (unless it has a custom role of that slug, which only roles from before the template can be)", t.clone(), &template)),
        deployment_wide(doc("role_template.updated", "a template role's name, description or permissions changed: every holder's claims in every organization show the change at once", t.clone(), &updated_template)),
        deployment_wide(doc("role_template.deleted", "a role left the template; the process manager then takes it from every membership and group holding it through the template, organization by organization (`membership.updated`, `group.roles_updated`)", t, &template)),
        doc("organization_domain.added", "a domain was added to an organization, `pending` until its TXT record `verification.name` = `verification.value` is seen", o.clone(), &domain(DomainState::Pending)),
        doc("organization_domain.verified", "a domain's TXT record was seen (by `POST …/verify` or the background check); no other organization may verify it while this one holds it", o.clone(), &domain(DomainState::Verified)),
        doc("organization_domain.expired", "nobody published a pending domain's record before `expires_at` (7 days); a later check that finds it still verifies it", o.clone(), &domain(DomainState::Expired)),
        doc("organization_domain.updated", "a domain's policy (`off`, `suggest`, `auto_join`) or default roles changed", o.clone(), &updated_domain),
        doc("organization_domain.removed", "a domain left the organization (removed, or the organization deleted); a verified domain is free to verify elsewhere", o, &domain(DomainState::Verified)),
        doc("membership.created", "a user or application joined an organization", m.clone(), &membership()),
        doc("membership.updated", "a membership's roles or attributes changed", m.clone(), &updated_membership),
        doc("membership.deactivated", "a membership was deactivated (it leaves its groups)", m.clone(), &inactive),
        doc("membership.reactivated", "an inactive membership became active again", m.clone(), &membership()),
        doc("membership.deleted", "a membership was deleted (after leaving its groups)", m, &membership()),
        doc("group.created", "a group was created", g.clone(), &group()),
        doc("group.updated", "a group's name or description changed", g.clone(), &updated_group),
        doc("group.deleted", "a group was deleted (after every `group.member_removed`)", g.clone(), &group()),
        doc("group.member_added", "an active membership joined a group", g.clone(), &member()),
        doc("group.member_removed", "a membership left a group", g.clone(), &member()),
        doc("group.roles_updated", "the roles a group grants its members changed (set, or a role taken when it left the catalogue)", g, &group_roles),
        doc("invitation.created", "an email was invited into an organization", i.clone(), &invitation(InvitationState::Pending)),
        doc("invitation.resent", "a pending invitation got a new token and expiry", i.clone(), &invitation(InvitationState::Pending)),
        doc("invitation.accepted", "an invitation was accepted; the membership's event follows", i.clone(), &invitation(InvitationState::Accepted)),
        doc("invitation.revoked", "a pending invitation was revoked", i.clone(), &invitation(InvitationState::Revoked)),
        doc("invitation.expired", "a pending invitation passed its expiry (emitted by the sweeper)", i, &invitation(InvitationState::Expired)),
        endpoint_disabled(),
        api_key(crate::api_key::CREATED, "an API key was created (never its secret)", None),
        api_key(crate::api_key::REVOKED, "an API key was revoked: it no longer authenticates", Some(at())),
    ]
}

/// A template role of the example.
fn template_role() -> TemplateRole {
    let r = role();
    TemplateRole {
        slug: r.slug,
        name: r.name,
        description: r.description,
        permissions: r.permissions,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

/// An event of no organization (the template is the deployment's).
fn deployment_wide(mut d: EventDoc) -> EventDoc {
    d.example["organization_id"] = Value::Null;
    d
}

/// Logged by the key management routes (the actor is the admin key) and by `roster keys` (the
/// actor is `system`): keys are no aggregate.
fn api_key(
    event_type: &'static str,
    when: &'static str,
    revoked_at: Option<DateTime<Utc>>,
) -> EventDoc {
    let data = crate::api_key::ApiKeyData {
        id: id("key_01JD8ZE5F6G7H8J9K0M1N2P3Q4"),
        name: "billing service".into(),
        organization_id: Some(org().id),
        read_only: false,
        expires_at: None,
        prefix: "rk_live_Xq3v".into(),
        created_at: at(),
        revoked_at,
    };
    let version = if revoked_at.is_some() { 2 } else { 1 };
    doc(
        event_type,
        when,
        ("api_key", data.id.to_string(), version),
        &data,
    )
}

/// Logged by the webhook dispatcher, not by a domain aggregate: its actor is `system`.
fn endpoint_disabled() -> EventDoc {
    let id = "we_01JD8ZC0D1E2F3G4H5J6K7M8N9";
    let data = EndpointDisabled {
        id: id.into(),
        url: "https://hooks.example.com/roster".into(),
        organization_id: Some(org().id.to_string()),
        reason: DisabledReason::Gone,
        disabled_at: at(),
    };
    let mut d = doc(
        ENDPOINT_DISABLED,
        "the webhook dispatcher disabled an endpoint by itself: it answered `410 Gone` (`reason: gone`) or failed for the whole failure window (`reason: failing`)",
        ("webhook_endpoint", id.into(), 1),
        &data,
    );
    d.example["actor"] = serde_json::to_value(Actor::system()).unwrap_or_default();
    d
}

/// Every event type's name, in catalogue order.
pub fn event_types() -> &'static [&'static str] {
    static TYPES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    TYPES.get_or_init(|| events().iter().map(|e| e.event_type).collect())
}

/// The types a filter names: an exact type (`group.created`), every type of a prefix
/// (`group.*`), or every type (`*`). Anything else, or a prefix with no type, is an error
/// saying what is accepted.
/// The JSON Schema pattern (without anchors) of what [`expand`] accepts: an event type,
/// `<prefix>.*` or `*`.
pub fn selector_pattern() -> String {
    let mut names: Vec<String> = vec![r"\*".into()];
    for name in event_types() {
        if let Some((prefix, _)) = name.split_once('.') {
            let wildcard = format!(r"{prefix}\.\*");
            if !names.contains(&wildcard) {
                names.push(wildcard);
            }
        }
        names.push(name.replace('.', r"\."));
    }
    format!("({})", names.join("|"))
}

pub fn expand(pattern: &str) -> Result<Vec<&'static str>, String> {
    let all = event_types();
    if pattern == "*" {
        return Ok(all.to_vec());
    }
    let found: Vec<&'static str> = match pattern.strip_suffix(".*") {
        Some(prefix) if !prefix.is_empty() && !prefix.contains(['*', '.']) => all
            .iter()
            .copied()
            .filter(|t| t.split_once('.').is_some_and(|(p, _)| p == prefix))
            .collect(),
        Some(_) => return Err(bad_wildcard(pattern)),
        None if pattern.contains('*') => return Err(bad_wildcard(pattern)),
        None => all.iter().copied().filter(|t| *t == pattern).collect(),
    };
    if found.is_empty() {
        return Err(format!(
            "`{pattern}` names no event type; see docs/events.md (e.g. `membership.created`, `group.*`)"
        ));
    }
    Ok(found)
}

fn bad_wildcard(pattern: &str) -> String {
    format!("`{pattern}` is not a type or a wildcard; a wildcard is `<prefix>.*` (e.g. `group.*`) or `*`")
}

/// The schema versions of types that have more than one, with what changed: events stored in
/// an older version are upcast on read (`crate::upcast`).
pub const VERSIONS: &[(&str, &str, &str)] = &[(
    "membership.updated",
    crate::upcast::MEMBERSHIP_UPDATED_VERSION,
    "Version 2 added `roles_added` and `roles_removed`. Version 1 events (without them) are upcast on read: both sets are computed from `roles` and `previous_attributes.roles`.",
)];

fn version_of(event_type: &str) -> (&'static str, Option<&'static str>) {
    VERSIONS
        .iter()
        .find(|(t, _, _)| *t == event_type)
        .map_or(("1", None), |(_, v, what)| (*v, Some(*what)))
}

/// `docs/events.md`.
pub fn markdown() -> String {
    let mut out = String::from(
        "# Events\n\n\
         Generated from `domain/src/catalogue.rs` (run `UPDATE_DOCS=1 cargo test -p domain --test events_doc` after changing an event).\n\n\
         Every event reaches consumers (webhooks, Kafka, the Events API) in one envelope:\n\n\
         | field | meaning |\n|---|---|\n\
         | `id` | the event's public id (`evt_…`), the same on every delivery |\n\
         | `type` | one of the types below |\n\
         | `position` | global position in the feed; strictly increasing, gap-free for consumers |\n\
         | `occurred_at` | when it was recorded (RFC 3339, UTC) |\n\
         | `organization_id` | the organization it belongs to (partition key) |\n\
         | `aggregate` | `{type, id, version}`: the object's stream and its version after this event |\n\
         | `actor` | `{type, id}`: who caused it (`system` for sweeps and cascades) |\n\
         | `data` | the object after the change, described by the type's schema |\n\n\
         Each type has a schema version (`event_version` in the store). When a type's shape changes, its version goes up and events stored in the older shape are upcast when read, so every consumer, the Events API, exports and replays see the current shape. Stored events are never rewritten.\n\n",
    );
    for e in events() {
        out.push_str(&format!(
            "## `{}`\n\n{}.\n\n",
            e.event_type,
            capitalise(e.when)
        ));
        let (version, history) = version_of(e.event_type);
        out.push_str(&format!("Version {version}."));
        if let Some(history) = history {
            out.push_str(&format!(" {history}"));
        }
        out.push_str("\n\n");
        out.push_str("Schema of `data`:\n\n```json\n");
        out.push_str(&serde_json::to_string_pretty(&e.schema).unwrap_or_default());
        out.push_str("\n```\n\nExample:\n\n```json\n");
        out.push_str(&serde_json::to_string_pretty(&e.example).unwrap_or_default());
        out.push_str("\n```\n\n");
    }
    out
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_expand_to_their_prefix_only() {
        let groups = expand("group.*").unwrap();
        assert_eq!(groups.len(), 6);
        assert!(groups.iter().all(|t| t.starts_with("group.")));
        // `organization.*` must not take `organization_role.*`.
        assert!(expand("organization.*")
            .unwrap()
            .iter()
            .all(|t| t.starts_with("organization.")));
        assert_eq!(expand("*").unwrap().len(), event_types().len());
        assert_eq!(expand("group.created").unwrap(), vec!["group.created"]);
    }

    #[test]
    fn the_documented_selector_pattern_accepts_exactly_what_expands() {
        let pattern = regex::Regex::new(&format!("^{}$", selector_pattern())).unwrap();
        let mut candidates: Vec<String> = vec![
            "*".into(),
            "**".into(),
            "".into(),
            "group".into(),
            "group.".into(),
            "group.*.*".into(),
            ".*".into(),
            "organization_role.*".into(),
            "organization.created ".into(),
            "Group.created".into(),
        ];
        for name in event_types() {
            let (prefix, _) = name.split_once('.').unwrap();
            candidates.extend([name.to_string(), format!("{prefix}.*"), format!("{name}x")]);
        }
        for candidate in candidates {
            assert_eq!(
                pattern.is_match(&candidate),
                expand(&candidate).is_ok(),
                "{candidate:?}"
            );
        }
    }

    #[test]
    fn unknown_types_and_bad_wildcards_are_refused() {
        for bad in [
            "group.*.x",
            "gro*",
            "*.created",
            ".*",
            "nope.*",
            "group.nope",
            "group",
        ] {
            assert!(expand(bad).is_err(), "{bad}");
        }
    }
}
