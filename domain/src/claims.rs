//! Uniqueness claims that span streams (one external id per organization across all of them, and
//! later group names, memberships, pending invitations).
//!
//! Claims are derived from the events themselves, so the rule travels with the history: the store
//! applies them in the same transaction as the events, and a replay derives the same claims.

use crate::ids::{GroupId, MembershipId, OrganizationId};
use crate::membership::Subject;

/// What an event does to the claims: each event type states it next to its definition, and the
/// store applies it in the statement that appends the event (so a replay derives the same).
pub trait Claims {
    fn claim_changes(&self) -> Vec<ClaimChange> {
        Vec::new()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimChange {
    /// The aggregate takes the key; fails if another aggregate holds it.
    Acquire(String),
    /// The aggregate gives the key up.
    Release(String),
    /// The key must be held (by anyone) when the change commits; releasing it waits for us.
    Require(String),
    /// At least one of the keys must be held (by anyone) when the change commits; releasing any
    /// of them waits for us. A refusal names the smallest key.
    RequireAny(Vec<String>),
    /// The key must not be held when the change commits (a refusal names its holder, as for a
    /// key taken); taking it waits for us.
    Forbid(String),
    /// Sets (`Some`) or lifts (`None`) the limit named `key`: how many claim keys may be held
    /// under the prefixes counted against it. Lowering it below the count held is allowed; it
    /// only refuses new keys.
    Limit { key: String, max: Option<u32> },
    /// A key this change acquires under `prefix` counts against the limit `limit`: the change
    /// fails (`LimitReached`) when, after it, more keys than the limit are held under `prefix`.
    /// Changes counted against one prefix commit one at a time, so racing ones cannot both take
    /// the last place.
    Within { prefix: String, limit: String },
}

/// Claim key of an organization's external id; unique across all organizations.
pub fn organization_external_id(external_id: &str) -> String {
    format!("organization/external_id/{external_id}")
}

/// Held while the organization exists; what creating anything in it requires.
pub fn organization_alive(organization: &OrganizationId) -> String {
    format!("organization/{organization}/alive")
}

/// Held while the organization's catalogue has the role; what assigning it requires.
pub fn organization_role(organization: &OrganizationId, slug: &str) -> String {
    format!("organization/{organization}/role/{slug}")
}

/// Held while the deployment's template has the role; what holding it requires in an organization
/// without a custom role of that slug, and what creating such a custom role forbids.
pub fn role_template(slug: &str) -> String {
    format!("{ROLE_TEMPLATES_PREFIX}{slug}")
}

pub const ROLE_TEMPLATES_PREFIX: &str = "role_template/";

/// Index entry: `organization` has a custom role `slug` (found by `role_slug_prefix`): what a
/// template role's creation must find empty.
pub fn role_slug(slug: &str, organization: &OrganizationId) -> String {
    format!("{}{organization}", role_slug_prefix(slug))
}

/// The organization a key under `organization/<id>/` belongs to.
pub fn organization_of(key: &str) -> Option<OrganizationId> {
    let (id, _) = key.strip_prefix("organization/")?.split_once('/')?;
    OrganizationId::parse(id).ok()
}

/// The middle parts of the index keys of role `slug`'s holders in any organization (after
/// `organization/<id>`): its members' and its groups'.
pub fn role_holder_parts(slug: &str) -> [String; 2] {
    [
        format!("/role_member/{slug}/"),
        format!("/role_group/{slug}/"),
    ]
}

pub fn role_slug_prefix(slug: &str) -> String {
    format!("role_slug/{slug}/")
}

/// Held by an organization that offers every role of the template (its default).
pub fn template_offered_all(organization: &OrganizationId) -> String {
    format!("organization/{organization}/template/all")
}

/// Held by an organization that offers only some of the template's roles, one per role offered.
pub fn template_offered(organization: &OrganizationId, slug: &str) -> String {
    format!("organization/{organization}/template/role/{slug}")
}

/// What holding role `slug` in `organization` requires: the organization's own role of that
/// slug, or the template's where the organization offers it — `own ∨ (template ∧ (all ∨
/// offered))`, stated as two groups of alternatives: `(own ∨ template) ∧ (own ∨ all ∨ offered)`.
pub fn role_available(organization: &OrganizationId, slug: &str) -> [ClaimChange; 2] {
    let own = organization_role(organization, slug);
    [
        ClaimChange::RequireAny(vec![own.clone(), role_template(slug)]),
        ClaimChange::RequireAny(vec![
            own,
            template_offered_all(organization),
            template_offered(organization, slug),
        ]),
    ]
}

/// The role whose catalogue claim `key` is (`organization_role`), if it is one of `organization`'s.
pub fn role_of(organization: &OrganizationId, key: &str) -> Option<crate::values::RoleSlug> {
    let slug = key.strip_prefix(&format!("organization/{organization}/role/"))?;
    crate::values::RoleSlug::parse(slug).ok()
}

/// What a holder's roles going from `old` to `new` does to the claims: the index entries
/// (`index(slug)`) of roles taken off released, of roles given acquired, and every role held
/// after the change required in the organization's catalogue or the template it offers (kept
/// ones too: a role deleted or withdrawn meanwhile makes the change fail instead of leaving a
/// holder of a role that is gone; the refusal names the organization's key, the smallest).
pub fn roles_held(
    organization: &OrganizationId,
    old: &std::collections::BTreeSet<crate::values::RoleSlug>,
    new: &std::collections::BTreeSet<crate::values::RoleSlug>,
    index: impl Fn(&str) -> String,
) -> Vec<ClaimChange> {
    let removed = old
        .difference(new)
        .map(|r| ClaimChange::Release(index(r.as_str())));
    let added = new
        .difference(old)
        .map(|r| ClaimChange::Acquire(index(r.as_str())));
    let held = new
        .iter()
        .flat_map(|r| role_available(organization, r.as_str()));
    removed.chain(added).chain(held).collect()
}

/// Index entry: `membership` has role `slug` (found by `role_members_prefix`).
pub fn role_member(organization: &OrganizationId, slug: &str, membership: &MembershipId) -> String {
    format!("{}{membership}", role_members_prefix(organization, slug))
}

pub fn role_members_prefix(organization: &OrganizationId, slug: &str) -> String {
    format!("organization/{organization}/role_member/{slug}/")
}

/// Index entry: `group` grants role `slug` to its members (found by `role_groups_prefix`).
pub fn role_group(organization: &OrganizationId, slug: &str, group: &GroupId) -> String {
    format!("{}{group}", role_groups_prefix(organization, slug))
}

pub fn role_groups_prefix(organization: &OrganizationId, slug: &str) -> String {
    format!("organization/{organization}/role_group/{slug}/")
}

/// Index: the organization's memberships (their subject claims) and groups (their name claims).
pub fn memberships_prefix(organization: &OrganizationId) -> String {
    format!("organization/{organization}/membership/")
}

pub fn group_names_prefix(organization: &OrganizationId) -> String {
    format!("organization/{organization}/group_name/")
}

/// One pending invitation per email (any case) and organization.
pub fn pending_invitation(organization: &OrganizationId, normalized_email: &str) -> String {
    format!(
        "{}{normalized_email}",
        pending_invitations_prefix(organization)
    )
}

pub fn pending_invitations_prefix(organization: &OrganizationId) -> String {
    format!("organization/{organization}/invitation/")
}

/// One membership per subject (user or application) and organization.
pub fn membership_subject(organization: &OrganizationId, subject: &Subject) -> String {
    format!(
        "{}{}/{}",
        memberships_prefix(organization),
        subject.kind(),
        subject.id().as_str()
    )
}

/// Held while a membership is active, under its organization's prefix: the organization's seats,
/// counted against `max_members`.
pub fn seat(organization: &OrganizationId, membership: &MembershipId) -> String {
    format!("{}{membership}", seats_prefix(organization))
}

pub fn seats_prefix(organization: &OrganizationId) -> String {
    format!("organization/{organization}/seat/")
}

/// The limit of the organization's seats (`max_members`).
pub fn max_members(organization: &OrganizationId) -> String {
    format!("organization/{organization}/max_members")
}

/// The organization whose seat limit `key` is (`max_members`), if it is one.
pub fn max_members_of(key: &str) -> Option<&str> {
    key.strip_prefix("organization/")?
        .strip_suffix("/max_members")
}

/// Held while a domain is pending (and by its organization): what the background check walks.
pub fn domain_pending(domain: &crate::organization::OrganizationDomain) -> String {
    format!(
        "{DOMAINS_PENDING_PREFIX}{}/{}",
        domain.organization_id,
        domain.domain.as_str()
    )
}

pub const DOMAINS_PENDING_PREFIX: &str = "domain_pending/";

/// The organization and domain a `domain_pending` key names.
pub fn pending_domain_of(key: &str) -> Option<(OrganizationId, crate::values::DomainName)> {
    let (org, domain) = key.strip_prefix(DOMAINS_PENDING_PREFIX)?.split_once('/')?;
    Some((
        OrganizationId::parse(org).ok()?,
        crate::values::DomainName::parse(domain).ok()?,
    ))
}

/// Held by the organization while it lets people with an email under the verified domain join
/// (`auto_join`): what such a join requires.
pub fn domain_auto_join(
    organization: &OrganizationId,
    domain: &crate::values::DomainName,
) -> String {
    format!("organization/{organization}/auto_join/{}", domain.as_str())
}

/// Held by the one organization that verified the domain.
pub fn domain_verified(domain: &crate::values::DomainName) -> String {
    format!("domain/{}/verified", domain.as_str())
}

/// Held while a membership is active; what adding it to a group will require.
pub fn membership_active(membership: &MembershipId) -> String {
    format!("membership/{membership}/active")
}

/// One group name per organization, case-insensitively.
pub fn group_name(organization: &OrganizationId, name: &str) -> String {
    format!(
        "organization/{organization}/group_name/{}",
        name.to_lowercase()
    )
}

/// Index entry: `membership` is in `group` (found by the prefix `membership/<id>/group/`).
pub fn membership_in_group(membership: &MembershipId, group: &GroupId) -> String {
    format!("{}{group}", membership_groups_prefix(membership))
}

pub fn membership_groups_prefix(membership: &MembershipId) -> String {
    format!("membership/{membership}/group/")
}
