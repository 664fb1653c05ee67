//! What a document changes, decided from the document and the organizations as they stand: per
//! object, create, update (each changed field, old → new), remove, or nothing. Pure: the state is
//! read before, in one snapshot ([`read_models::state`]), and the plan keeps every value it will
//! write, so applying a saved plan needs neither the document nor a second diff.
//!
//! Fields a document leaves out are left alone (a description, a member's roles or attributes);
//! what it gives is the truth. Removals only when pruning is asked for, and then only of what the
//! document's source manages — or of anything unlisted in a list the document calls the whole
//! truth (`mode: replace`). The built-in `admin` and `member` roles, and roles the document's
//! members still hold, are never removed. Removals come first in each organization's list.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use declarative::{Document, Located, MemberRef};
use read_models::state::{MemberState, OrganizationState, TemplateRoleState};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// What happens to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(rename = "PlanAction")]
pub enum Action {
    Create,
    Update,
    Remove,
}

/// The kind of object a change is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(rename = "PlanObject")]
pub enum Object {
    Organization,
    // A role of the organization template (deployment-wide). Not a doc comment: the schema
    // stays a plain enum of strings.
    RoleTemplate,
    Role,
    Member,
    Group,
    GroupMember,
    Invitation,
    Domain,
}

impl Object {
    /// How a person reads the kind: `organization`, `group member` …
    pub fn label(self) -> &'static str {
        match self {
            Object::Organization => "organization",
            Object::RoleTemplate => "template role",
            Object::Role => "role",
            Object::Member => "member",
            Object::Group => "group",
            Object::GroupMember => "group member",
            Object::Invitation => "invitation",
            Object::Domain => "domain",
        }
    }
}

/// One field of a change: what it was (`null` when created) and what it becomes (`null` when
/// removed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "PlanField")]
pub struct Field {
    pub field: String,
    #[schemars(schema_with = "any_value")]
    pub old: Value,
    #[schemars(schema_with = "any_value")]
    pub new: Value,
}

/// A field's value: whatever JSON the field holds (`null` for none).
fn any_value(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({"description": "The field's value: any JSON value, `null` for none."})
}

/// One object's change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "PlanChange")]
pub struct Change {
    pub action: Action,
    pub object: Object,
    /// Which one: the role's slug, `user:<id>` or `application:<id>`, the group's name,
    /// `<group>/user:<id>` for a group member, the invitation's email.
    pub key: String,
    /// Its id, when it exists already.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub fields: Vec<Field>,
}

/// The changes to one organization, in the order they are carried out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrganizationPlan {
    pub external_id: String,
    /// The organization's id; absent when the plan creates it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub changes: Vec<Change>,
}

/// How to plan.
#[derive(Debug, Clone)]
pub struct Options {
    /// Roles that members or invitations name and the organization lacks are created (named
    /// after their slug, with no permissions) instead of being reported.
    pub create_missing_roles: bool,
    /// Members, groups (and their members), roles and invitations the document no longer lists
    /// are removed when its source manages them (any, in a `mode: replace` list).
    pub prune: bool,
    /// Organizations this source manages that the document no longer lists are deleted.
    pub prune_organizations: bool,
    /// The most objects the plan may remove ([`super::MAX_DELETIONS`] from the commands).
    pub max_deletions: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            create_missing_roles: false,
            prune: false,
            prune_organizations: false,
            max_deletions: super::MAX_DELETIONS,
        }
    }
}

/// The built-in roles: the organization template's, and own copies in organizations created
/// before the template. Never removed by a prune.
const BUILT_IN: [&str; 2] = ["admin", "member"];

/// The changes `document` makes to `live` (the organizations with its external ids that exist),
/// or every problem that stops it: roles that do not exist, group members that are not members.
pub fn plan(
    document: &Document,
    live: &[OrganizationState],
    template_roles: &BTreeSet<String>,
    options: &Options,
) -> Result<Vec<OrganizationPlan>, Vec<Located>> {
    let source = document.source.clone().unwrap_or_default();
    let listed: BTreeSet<&str> = (document.organizations.iter())
        .map(|o| o.external_id.as_str())
        .collect();
    let mut plans: Vec<OrganizationPlan> = Vec::new();
    if options.prune_organizations {
        let unlisted = live.iter().filter(|o| {
            o.managed_by.as_deref() == Some(source.as_str())
                && !listed.contains(o.external_id.as_deref().unwrap_or_default())
        });
        for o in unlisted {
            let external_id = o.external_id.clone().unwrap_or_else(|| o.id.clone());
            let fields = vec![removed("name", json!(o.name))];
            plans.push(OrganizationPlan {
                id: Some(o.id.clone()),
                changes: vec![change(
                    Action::Remove,
                    Object::Organization,
                    &external_id,
                    Some(&o.id),
                    fields,
                )],
                external_id,
            });
        }
    }
    let live: HashMap<&str, &OrganizationState> = live
        .iter()
        .filter_map(|o| o.external_id.as_deref().map(|e| (e, o)))
        .collect();
    let mut problems = Vec::new();
    let prune = options.prune.then_some(source.as_str());
    plans.extend((document.organizations.iter().enumerate()).map(|(i, org)| {
        let at = format!("organizations[{i}]");
        let existing = live.get(org.external_id.as_str()).copied();
        let mut plan = organization(org, existing, template_roles, options, &at, &mut problems);
        if let (Some(source), Some(existing)) = (prune, existing) {
            let removals = removals(org, existing, source);
            plan.changes.splice(0..0, removals);
        }
        plan
    }));
    if problems.is_empty() {
        Ok(plans)
    } else {
        Err(problems)
    }
}

fn organization(
    org: &declarative::Organization,
    live: Option<&OrganizationState>,
    template_roles: &BTreeSet<String>,
    options: &Options,
    at: &str,
    problems: &mut Vec<Located>,
) -> OrganizationPlan {
    let mut changes = Vec::new();
    let metadata = org.metadata.as_ref().map(|m| json!(m));
    let description = org.description.as_ref().map(|d| json!(d.as_str()));
    let max_members = org.max_members.map(|m| json!(m.get()));
    let offers = (org.template_roles.as_ref()).map(|t| json!(sorted(t.iter().map(|r| r.as_str()))));
    match live {
        None => {
            let mut fields = vec![
                created("name", json!(org.name.as_str())),
                created("external_id", json!(org.external_id.as_str())),
            ];
            fields.extend(description.clone().map(|d| created("description", d)));
            fields.extend(metadata.clone().map(|m| created("metadata", m)));
            fields.extend(max_members.map(|m| created("max_members", m)));
            fields.extend(offers.clone().map(|t| created("template_roles", t)));
            changes.push(change(
                Action::Create,
                Object::Organization,
                org.external_id.as_str(),
                None,
                fields,
            ));
        }
        Some(o) => {
            let mut fields = Vec::new();
            differs(
                &mut fields,
                "name",
                json!(o.name),
                Some(json!(org.name.as_str())),
            );
            differs(
                &mut fields,
                "description",
                json!(o.description),
                description,
            );
            differs(&mut fields, "metadata", o.metadata.clone(), metadata);
            differs(
                &mut fields,
                "max_members",
                json!(o.max_members),
                max_members,
            );
            differs(
                &mut fields,
                "template_roles",
                json!(o.template_roles),
                offers.clone(),
            );
            if !fields.is_empty() {
                changes.push(change(
                    Action::Update,
                    Object::Organization,
                    org.external_id.as_str(),
                    Some(&o.id),
                    fields,
                ));
            }
        }
    }

    // The catalogue: the organization's own roles, then the document's.
    let mut catalogue: BTreeMap<String, (String, Option<String>, Vec<String>)> = match live {
        Some(o) => (o.roles.iter())
            .map(|r| {
                (
                    r.slug.clone(),
                    (r.name.clone(), r.description.clone(), r.permissions.clone()),
                )
            })
            .collect(),
        // A new organization starts with the template's roles only.
        None => BTreeMap::new(),
    };
    for (j, role) in org.roles.items.iter().enumerate() {
        let slug = role.slug.as_str();
        // Organizations from before the template keep their own `admin` and `member`.
        if template_roles.contains(slug) && !catalogue.contains_key(slug) {
            problems.push(Located {
                path: format!("{at}.roles[{j}].slug"),
                reason: format!("`{slug}` is a role of the organization template (/v1/role-templates/{slug}); an organization may not define its own"),
            });
            continue;
        }
        changes.extend(role_change(Object::Role, role, catalogue.get(slug)));
        catalogue.insert(slug.to_owned(), Default::default());
    }
    // The template's roles it offers once applied: the document's choice, else its own.
    let chosen: Option<BTreeSet<String>> = match (&org.template_roles, live) {
        (Some(t), _) => Some(t.iter().map(|r| r.as_str().to_owned()).collect()),
        (None, Some(o)) => o
            .template_roles
            .as_ref()
            .map(|t| t.iter().cloned().collect()),
        (None, None) => None,
    };
    // (Named by the field: the set is sorted, its positions are not the document's.)
    for slug in org.template_roles.iter().flat_map(|t| t.iter()) {
        if !template_roles.contains(slug.as_str()) {
            problems.push(Located {
                path: format!("{at}.template_roles"),
                reason: format!("the organization template has no role `{}`", slug.as_str()),
            });
        }
    }
    let offered = |slug: &str| {
        template_roles.contains(slug) && chosen.as_ref().is_none_or(|c| c.contains(slug))
    };
    // Roles named by members and invitations must be in the catalogue (or be made).
    let mut missing: BTreeSet<String> = BTreeSet::new();
    let mut known = |slug: &str, path: String, problems: &mut Vec<Located>| {
        if catalogue.contains_key(slug) || offered(slug) {
            return;
        }
        if template_roles.contains(slug) {
            problems.push(Located {
                path,
                reason: format!("the organization does not offer the template's role `{slug}` (add it to template_roles)"),
            });
            return;
        }
        if options.create_missing_roles {
            missing.insert(slug.to_owned());
        } else {
            problems.push(Located {
                path,
                reason: format!("the organization has no role `{slug}` (define it under roles, or pass --create-missing-roles)"),
            });
        }
    };
    for (j, member) in org.members.items.iter().enumerate() {
        for (k, role) in member.roles.iter().flatten().enumerate() {
            known(
                role.as_str(),
                format!("{at}.members[{j}].roles[{k}]"),
                problems,
            );
        }
    }
    for (j, domain) in org.domains.items.iter().enumerate() {
        for (k, role) in domain.default_roles.iter().flatten().enumerate() {
            known(
                role.as_str(),
                format!("{at}.domains[{j}].default_roles[{k}]"),
                problems,
            );
        }
    }
    for (j, group) in org.groups.items.iter().enumerate() {
        for (k, role) in group.roles.iter().flatten().enumerate() {
            known(
                role.as_str(),
                format!("{at}.groups[{j}].roles[{k}]"),
                problems,
            );
        }
    }
    for (j, invitation) in org.invitations.items.iter().enumerate() {
        for (k, role) in invitation.roles.iter().flatten().enumerate() {
            known(
                role.as_str(),
                format!("{at}.invitations[{j}].roles[{k}]"),
                problems,
            );
        }
    }
    for slug in &missing {
        let fields = vec![
            created("name", json!(slug)),
            created("permissions", json!([])),
        ];
        changes.push(change(Action::Create, Object::Role, slug, None, fields));
    }

    // Members, by subject.
    let by_subject: HashMap<String, &MemberState> = live
        .map(|o| o.members.iter().map(|m| (live_subject(m), m)).collect())
        .unwrap_or_default();
    let mut active: BTreeSet<String> = (by_subject.iter())
        .filter(|(_, m)| m.status == "active")
        .map(|(s, _)| s.clone())
        .collect();
    for member in &org.members.items {
        let subject = listed_subject(member);
        let roles = member
            .roles
            .as_ref()
            .map(|r| json!(sorted(r.iter().map(|s| s.as_str()))));
        let attributes = member.attributes.as_ref().map(|a| json!(a));
        match by_subject.get(&subject) {
            None => {
                let fields = vec![
                    created("roles", roles.unwrap_or_else(|| json!(["member"]))),
                    created("attributes", attributes.unwrap_or_else(|| json!({}))),
                ];
                changes.push(change(
                    Action::Create,
                    Object::Member,
                    &subject,
                    None,
                    fields,
                ));
            }
            Some(m) => {
                let mut fields = Vec::new();
                differs(
                    &mut fields,
                    "status",
                    json!(m.status),
                    Some(json!("active")),
                );
                differs(
                    &mut fields,
                    "roles",
                    json!(sorted(m.roles.iter().map(String::as_str))),
                    roles,
                );
                differs(&mut fields, "attributes", m.attributes.clone(), attributes);
                if !fields.is_empty() {
                    changes.push(change(
                        Action::Update,
                        Object::Member,
                        &subject,
                        Some(&m.id),
                        fields,
                    ));
                }
            }
        }
        active.insert(subject);
    }

    // Groups, by name in any case; then their members.
    let groups: HashMap<String, &read_models::state::GroupState> = live
        .map(|o| {
            o.groups
                .iter()
                .map(|g| (g.name.to_lowercase(), g))
                .collect()
        })
        .unwrap_or_default();
    let subject_of: HashMap<&str, String> = (by_subject.iter())
        .map(|(s, m)| (m.id.as_str(), s.clone()))
        .collect();
    let mut additions = Vec::new();
    for (j, group) in org.groups.items.iter().enumerate() {
        let name = group.name.as_str();
        let description = group.description.as_ref().map(|d| json!(d.as_str()));
        let roles = (group.roles.as_ref()).map(|r| json!(sorted(r.iter().map(|s| s.as_str()))));
        let existing = groups.get(&name.to_lowercase()).copied();
        match existing {
            None => {
                let mut fields = vec![created("name", json!(name))];
                fields.extend(description.map(|d| created("description", d)));
                fields.extend(
                    roles
                        .filter(|r| r != &json!([]))
                        .map(|r| created("roles", r)),
                );
                changes.push(change(Action::Create, Object::Group, name, None, fields));
            }
            Some(g) => {
                let mut fields = Vec::new();
                differs(&mut fields, "name", json!(g.name), Some(json!(name)));
                differs(
                    &mut fields,
                    "description",
                    json!(g.description),
                    description,
                );
                differs(&mut fields, "roles", json!(g.roles), roles);
                if !fields.is_empty() {
                    changes.push(change(
                        Action::Update,
                        Object::Group,
                        name,
                        Some(&g.id),
                        fields,
                    ));
                }
            }
        }
        let inside: BTreeSet<&str> = existing
            .map(|g| {
                g.members
                    .iter()
                    .filter_map(|m| subject_of.get(m.membership_id.as_str()).map(String::as_str))
                    .collect()
            })
            .unwrap_or_default();
        for (k, member) in group.members.iter().enumerate() {
            let subject = subject(member);
            if !active.contains(&subject) {
                problems.push(Located {
                    path: format!("{at}.groups[{j}].members[{k}]"),
                    reason: format!("{subject} is not an active member of the organization (list it under members)"),
                });
            } else if !inside.contains(subject.as_str()) {
                let key = format!("{name}/{subject}");
                let fields = vec![
                    created("group", json!(name)),
                    created("member", json!(subject)),
                ];
                additions.push(change(
                    Action::Create,
                    Object::GroupMember,
                    &key,
                    None,
                    fields,
                ));
            }
        }
    }
    changes.extend(additions);

    // Pending invitations, by email in any case.
    let pending: HashMap<String, &read_models::state::InvitationState> = live
        .map(|o| {
            o.invitations
                .iter()
                .map(|i| (i.email.to_lowercase(), i))
                .collect()
        })
        .unwrap_or_default();
    for invitation in &org.invitations.items {
        let email = invitation.email.as_str();
        let roles = json!(match &invitation.roles {
            Some(r) => sorted(r.iter().map(|s| s.as_str())),
            None => vec!["member".to_owned()],
        });
        match pending.get(&invitation.email.normalized()) {
            None => {
                let days = invitation.expires_in_days.unwrap_or(7);
                let fields = vec![
                    created("roles", roles),
                    created("expires_in_days", json!(days)),
                ];
                changes.push(change(
                    Action::Create,
                    Object::Invitation,
                    email,
                    None,
                    fields,
                ));
            }
            Some(i) => {
                let mut fields = Vec::new();
                differs(
                    &mut fields,
                    "roles",
                    json!(sorted(i.roles.iter().map(String::as_str))),
                    Some(roles),
                );
                if !fields.is_empty() {
                    changes.push(change(
                        Action::Update,
                        Object::Invitation,
                        email,
                        Some(&i.id),
                        fields,
                    ));
                }
            }
        }
    }

    // Domains, by name: added (pending: DNS verifies them), or their policy and default roles
    // changed. After the roles, which their default roles may name.
    let domains: HashMap<&str, &read_models::state::DomainState> = live
        .map(|o| o.domains.iter().map(|d| (d.domain.as_str(), d)).collect())
        .unwrap_or_default();
    for domain in &org.domains.items {
        let name = domain.domain.as_str();
        let policy = domain.policy.map(|p| json!(p));
        let roles =
            (domain.default_roles.as_ref()).map(|r| json!(sorted(r.iter().map(|s| s.as_str()))));
        match domains.get(name) {
            None => {
                let mut fields = vec![created("domain", json!(name))];
                fields.extend(policy.map(|p| created("policy", p)));
                fields.extend(roles.map(|r| created("default_roles", r)));
                changes.push(change(Action::Create, Object::Domain, name, None, fields));
            }
            Some(d) => {
                let mut fields = Vec::new();
                differs(&mut fields, "policy", json!(d.policy), policy);
                differs(&mut fields, "default_roles", json!(d.default_roles), roles);
                if !fields.is_empty() {
                    changes.push(change(Action::Update, Object::Domain, name, None, fields));
                }
            }
        }
    }

    OrganizationPlan {
        external_id: org.external_id.as_str().to_owned(),
        id: live.map(|o| o.id.clone()),
        changes,
    }
}

/// What `org` no longer lists and may be removed: its source manages it, or its list is the
/// whole truth (`mode: replace`). Group members first, then groups, invitations, members, roles.
fn removals(
    org: &declarative::Organization,
    live: &OrganizationState,
    source: &str,
) -> Vec<Change> {
    use declarative::Mode;
    let may = |mode: Mode, managed_by: &Option<String>| {
        mode == Mode::Replace || managed_by.as_deref() == Some(source)
    };
    let mut out = Vec::new();

    let listed: BTreeSet<String> = (org.members.items.iter()).map(listed_subject).collect();
    let leaving: Vec<&MemberState> = (live.members.iter())
        .filter(|m| !listed.contains(&live_subject(m)) && may(org.members.mode, &m.managed_by))
        .collect();
    let gone: BTreeSet<&str> = leaving.iter().map(|m| m.id.as_str()).collect();
    let subject_of: HashMap<&str, String> = (live.members.iter())
        .map(|m| (m.id.as_str(), live_subject(m)))
        .collect();

    let groups: HashMap<String, &declarative::Group> = (org.groups.items.iter())
        .map(|g| (g.name.as_str().to_lowercase(), g))
        .collect();
    let mut dropped_groups = Vec::new();
    for group in &live.groups {
        match groups.get(&group.name.to_lowercase()) {
            None if may(org.groups.mode, &group.managed_by) => dropped_groups.push(change(
                Action::Remove,
                Object::Group,
                &group.name,
                Some(&group.id),
                vec![removed("name", json!(group.name))],
            )),
            None => {}
            Some(declared) => {
                let named: BTreeSet<String> = declared.members.iter().map(subject).collect();
                for member in &group.members {
                    let Some(who) = subject_of.get(member.membership_id.as_str()) else {
                        continue;
                    };
                    // A member that leaves the organization leaves its groups with it.
                    let stays = gone.contains(member.membership_id.as_str()) || named.contains(who);
                    if !stays && may(org.groups.mode, &member.managed_by) {
                        out.push(change(
                            Action::Remove,
                            Object::GroupMember,
                            &format!("{}/{who}", group.name),
                            Some(&group.id),
                            vec![removed("member", json!(who))],
                        ));
                    }
                }
            }
        }
    }
    out.extend(dropped_groups);

    let invited: BTreeSet<String> = (org.invitations.items.iter())
        .map(|i| i.email.normalized())
        .collect();
    for invitation in &live.invitations {
        if !invited.contains(&invitation.email.to_lowercase())
            && may(org.invitations.mode, &invitation.managed_by)
        {
            out.push(change(
                Action::Remove,
                Object::Invitation,
                &invitation.email,
                Some(&invitation.id),
                vec![removed("roles", json!(invitation.roles))],
            ));
        }
    }

    for member in &leaving {
        out.push(change(
            Action::Remove,
            Object::Member,
            &live_subject(member),
            Some(&member.id),
            vec![removed("roles", json!(member.roles))],
        ));
    }

    let listed: BTreeSet<&str> = (org.domains.items.iter())
        .map(|d| d.domain.as_str())
        .collect();
    for domain in &live.domains {
        if !listed.contains(domain.domain.as_str()) && may(org.domains.mode, &domain.managed_by) {
            out.push(change(
                Action::Remove,
                Object::Domain,
                &domain.domain,
                None,
                vec![removed("policy", json!(domain.policy))],
            ));
        }
    }

    // Roles the document still uses stay: named by a member or an invitation, or held by a
    // member it lists without roles (whose roles it leaves as they are).
    let mut used: BTreeSet<&str> = BUILT_IN.into();
    used.extend(org.roles.items.iter().map(|r| r.slug.as_str()));
    for member in &org.members.items {
        used.extend(member.roles.iter().flatten().map(|r| r.as_str()));
    }
    for invitation in &org.invitations.items {
        used.extend(invitation.roles.iter().flatten().map(|r| r.as_str()));
    }
    for domain in &org.domains.items {
        used.extend(domain.default_roles.iter().flatten().map(|r| r.as_str()));
    }
    let unchanged: BTreeSet<String> = (org.members.items.iter())
        .filter(|m| m.roles.is_none())
        .map(listed_subject)
        .collect();
    for member in &live.members {
        if unchanged.contains(&live_subject(member)) {
            used.extend(member.roles.iter().map(String::as_str));
        }
    }
    for role in &live.roles {
        if !used.contains(role.slug.as_str()) && may(org.roles.mode, &role.managed_by) {
            out.push(change(
                Action::Remove,
                Object::Role,
                &role.slug,
                None,
                vec![removed("name", json!(role.name))],
            ));
        }
    }
    out
}

fn change(
    action: Action,
    object: Object,
    key: &str,
    id: Option<&String>,
    fields: Vec<Field>,
) -> Change {
    Change {
        action,
        object,
        key: key.to_owned(),
        id: id.cloned(),
        fields,
    }
}

/// What a document's role changes: a role of that kind created, or updated from what it is now
/// (`existing`: name, description, permissions); `None` when it already says all that.
fn role_change(
    object: Object,
    role: &declarative::Role,
    existing: Option<&(String, Option<String>, Vec<String>)>,
) -> Option<Change> {
    let slug = role.slug.as_str();
    let permissions = role.permissions.as_ref().map(|p| json!(p.as_slice()));
    let description = role.description.as_ref().map(|d| json!(d.as_str()));
    let Some((name, old_description, old_permissions)) = existing else {
        let mut fields = vec![created("name", json!(role.name.as_str()))];
        fields.extend(description.map(|d| created("description", d)));
        fields.push(created(
            "permissions",
            permissions.unwrap_or_else(|| json!([])),
        ));
        return Some(change(Action::Create, object, slug, None, fields));
    };
    let mut fields = Vec::new();
    differs(
        &mut fields,
        "name",
        json!(name),
        Some(json!(role.name.as_str())),
    );
    differs(
        &mut fields,
        "description",
        json!(old_description),
        description,
    );
    differs(
        &mut fields,
        "permissions",
        json!(old_permissions),
        permissions,
    );
    (!fields.is_empty()).then(|| change(Action::Update, object, slug, None, fields))
}

/// The organization template's roles `document` creates or updates. None is removed: a template
/// role is every organization's, and no document owns it.
pub fn template_changes(document: &Document, live: &[TemplateRoleState]) -> Vec<Change> {
    let live: HashMap<&str, (String, Option<String>, Vec<String>)> = (live.iter())
        .map(|t| {
            let attributes = (t.name.clone(), t.description.clone(), t.permissions.clone());
            (t.slug.as_str(), attributes)
        })
        .collect();
    (document.role_templates.iter())
        .filter_map(|role| role_change(Object::RoleTemplate, role, live.get(role.slug.as_str())))
        .collect()
}

fn created(field: &str, new: Value) -> Field {
    Field {
        field: field.to_owned(),
        old: Value::Null,
        new,
    }
}

fn removed(field: &str, old: Value) -> Field {
    Field {
        field: field.to_owned(),
        old,
        new: Value::Null,
    }
}

/// Records `field` if the document gives a value (`new`) other than `old`.
fn differs(fields: &mut Vec<Field>, field: &str, old: Value, new: Option<Value>) {
    if let Some(new) = new.filter(|n| *n != old) {
        fields.push(Field {
            field: field.to_owned(),
            old,
            new,
        });
    }
}

fn sorted<'a>(slugs: impl Iterator<Item = &'a str>) -> Vec<String> {
    let set: BTreeSet<&str> = slugs.collect();
    set.into_iter().map(str::to_owned).collect()
}

/// `user:<id>` or `application:<id>` of a document's member (the reader made sure of exactly one).
fn subject(member: &MemberRef) -> String {
    match (&member.user_id, &member.application_id) {
        (Some(user), _) => format!("user:{}", user.as_str()),
        (None, Some(app)) => format!("application:{}", app.as_str()),
        (None, None) => String::new(),
    }
}

/// The subject of a member the document lists.
fn listed_subject(member: &declarative::Member) -> String {
    subject(&MemberRef {
        user_id: member.user_id.clone(),
        application_id: member.application_id.clone(),
    })
}

fn live_subject(member: &MemberState) -> String {
    match (&member.user_id, &member.application_id) {
        (Some(user), _) => format!("user:{user}"),
        (None, Some(app)) => format!("application:{app}"),
        (None, None) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The template a deployment starts with.
    fn built_in() -> BTreeSet<String> {
        BUILT_IN.iter().map(|s| s.to_string()).collect()
    }
    use read_models::state::{DomainState, GroupState, InGroup, InvitationState, RoleState};

    fn document(yaml: &str) -> Document {
        declarative::read(yaml.as_bytes(), declarative::Format::Yaml).unwrap()
    }

    const ACME: &str = r#"
organizations:
  - external_id: acme
    name: Acme
    roles: [{slug: lead, name: Lead, permissions: [projects:write]}]
    members:
      - {user_id: ann, roles: [member, lead], attributes: {team: red}}
      - {application_id: bot}
    groups: [{name: Ops, members: [{user_id: ann}]}]
    invitations: [{email: bob@example.com}]
    domains: [{domain: Acme.Example, policy: suggest}]
"#;

    /// Acme as ACME describes it, stored.
    fn acme() -> OrganizationState {
        let role = |slug: &str, name: &str, permissions: &[&str]| RoleState {
            organization_id: "org_1".into(),
            slug: slug.into(),
            name: name.into(),
            description: None,
            permissions: permissions.iter().map(|p| p.to_string()).collect(),
            managed_by: managed(),
        };
        let member =
            |id: &str, user: Option<&str>, app: Option<&str>, roles: &[&str], attributes: Value| {
                MemberState {
                    id: id.into(),
                    organization_id: "org_1".into(),
                    user_id: user.map(str::to_owned),
                    application_id: app.map(str::to_owned),
                    status: "active".into(),
                    roles: roles.iter().map(|r| r.to_string()).collect(),
                    attributes,
                    managed_by: managed(),
                }
            };
        OrganizationState {
            id: "org_1".into(),
            external_id: Some("acme".into()),
            name: "Acme".into(),
            description: None,
            metadata: json!({}),
            max_members: None,
            template_roles: None,
            roles: vec![
                role("admin", "Admin", &[]),
                role("lead", "Lead", &["projects:write"]),
                role("member", "Member", &[]),
            ],
            members: vec![
                member(
                    "om_ann",
                    Some("ann"),
                    None,
                    &["lead", "member"],
                    json!({"team": "red"}),
                ),
                member("om_bot", None, Some("bot"), &["member"], json!({})),
            ],
            groups: vec![GroupState {
                id: "grp_ops".into(),
                organization_id: "org_1".into(),
                name: "Ops".into(),
                description: None,
                roles: Vec::new(),
                members: vec![InGroup {
                    membership_id: "om_ann".into(),
                    managed_by: managed(),
                }],
                managed_by: managed(),
            }],
            invitations: vec![InvitationState {
                id: "inv_bob".into(),
                organization_id: "org_1".into(),
                email: "Bob@Example.com".into(),
                roles: vec!["member".into()],
                expires_at: chrono::Utc::now(),
                managed_by: managed(),
            }],
            domains: vec![DomainState {
                organization_id: "org_1".into(),
                domain: "acme.example".into(),
                policy: "suggest".into(),
                default_roles: vec!["member".into()],
                managed_by: managed(),
            }],
            managed_by: managed(),
        }
    }

    /// What the default source (`apply`) manages.
    fn managed() -> Option<String> {
        Some("apply".into())
    }

    fn summary(plan: &OrganizationPlan) -> Vec<String> {
        (plan.changes.iter())
            .map(|c| format!("{:?} {:?} {}", c.action, c.object, c.key))
            .collect()
    }

    #[test]
    fn given_nothing_when_planned_then_everything_is_created_in_order() {
        let plans = plan(&document(ACME), &[], &built_in(), &Options::default()).unwrap();
        assert_eq!(plans[0].id, None);
        assert_eq!(
            summary(&plans[0]),
            [
                "Create Organization acme",
                "Create Role lead",
                "Create Member user:ann",
                "Create Member application:bot",
                "Create Group Ops",
                "Create GroupMember Ops/user:ann",
                "Create Invitation bob@example.com",
                "Create Domain acme.example",
            ]
        );
        assert_eq!(
            plans[0].changes[7].fields,
            [
                created("domain", json!("acme.example")),
                created("policy", json!("suggest"))
            ]
        );
        let bot = &plans[0].changes[3];
        assert_eq!(
            bot.fields[0],
            created("roles", json!(["member"])),
            "the default role"
        );
        let invitation = &plans[0].changes[6];
        assert_eq!(invitation.fields[1], created("expires_in_days", json!(7)));
    }

    #[test]
    fn domains_are_added_updated_checked_for_their_roles_and_pruned_by_name() {
        let text = ACME.replace(
            "    domains: [{domain: Acme.Example, policy: suggest}]",
            "    domains:\n      - {domain: acme.example, policy: auto_join, default_roles: [lead, member]}\n      - {domain: new.example}",
        );
        let plans = plan(
            &document(&text),
            &[acme()],
            &built_in(),
            &Options::default(),
        )
        .unwrap();
        assert_eq!(
            summary(&plans[0]),
            ["Update Domain acme.example", "Create Domain new.example"]
        );
        let update = &plans[0].changes[0].fields;
        assert_eq!(update[0].new, json!("auto_join"));
        assert_eq!(update[1].new, json!(["lead", "member"]));
        let ghost = ACME.replace(
            "policy: suggest}",
            "policy: suggest, default_roles: [ghost]}",
        );
        let problems = plan(
            &document(&ghost),
            &[acme()],
            &built_in(),
            &Options::default(),
        )
        .unwrap_err();
        assert_eq!(
            problems[0].path,
            "organizations[0].domains[0].default_roles[0]"
        );
        let none = ACME.replace(
            "    domains: [{domain: Acme.Example, policy: suggest}]\n",
            "",
        );
        let plans = plan(&document(&none), &[acme()], &built_in(), &pruning()).unwrap();
        assert_eq!(summary(&plans[0]), ["Remove Domain acme.example"]);
        let twice = ACME.replace(
            "[{domain: Acme.Example, policy: suggest}]",
            "[{domain: a.example}, {domain: A.EXAMPLE.}]",
        );
        let refused = declarative::read(twice.as_bytes(), declarative::Format::Yaml).unwrap_err();
        assert!(
            refused
                .to_string()
                .contains("organizations[0].domains[1].domain"),
            "{refused}"
        );
    }

    #[test]
    fn given_the_state_the_document_describes_when_planned_then_nothing_changes() {
        let plans = plan(&document(ACME), &[acme()], &built_in(), &Options::default()).unwrap();
        assert_eq!(plans[0].id.as_deref(), Some("org_1"));
        assert!(plans[0].changes.is_empty(), "{:?}", plans[0].changes);
    }

    #[test]
    fn given_a_drifted_state_when_planned_then_each_changed_field_shows_old_and_new() {
        let mut live = acme();
        live.name = "ACME".into();
        live.roles[1].permissions = vec![];
        live.members[0].roles = vec!["member".into()];
        live.members[0].attributes = json!({"team": "blue", "extra": 1});
        live.members[1].status = "inactive".into();
        live.groups[0].name = "ops".into();
        live.groups[0].members.clear();
        live.invitations[0].roles = vec!["admin".into()];
        let plans = plan(&document(ACME), &[live], &built_in(), &Options::default()).unwrap();
        assert_eq!(
            summary(&plans[0]),
            [
                "Update Organization acme",
                "Update Role lead",
                "Update Member user:ann",
                "Update Member application:bot",
                "Update Group Ops",
                "Create GroupMember Ops/user:ann",
                "Update Invitation bob@example.com",
            ]
        );
        let ann = &plans[0].changes[2];
        assert_eq!(ann.id.as_deref(), Some("om_ann"));
        assert_eq!(
            ann.fields,
            [
                Field {
                    field: "roles".into(),
                    old: json!(["member"]),
                    new: json!(["lead", "member"])
                },
                Field {
                    field: "attributes".into(),
                    old: json!({"team": "blue", "extra": 1}),
                    new: json!({"team": "red"})
                },
            ]
        );
        let bot = &plans[0].changes[3];
        assert_eq!(
            bot.fields,
            [Field {
                field: "status".into(),
                old: json!("inactive"),
                new: json!("active")
            }]
        );
        assert_eq!(
            plans[0].changes[4].fields[0].new,
            json!("Ops"),
            "the document's spelling"
        );
    }

    #[test]
    fn given_roles_nobody_defined_when_planned_then_all_are_reported_or_created() {
        let text = r#"
organizations:
  - external_id: acme
    name: Acme
    members: [{user_id: ann, roles: [member, project-lead, team-manager]}, {user_id: cy, roles: [team-manager]}]
    groups: [{name: Ops, members: [{user_id: ghost}]}]
    invitations: [{email: d@example.com, roles: [auditor]}]
"#;
        let problems = plan(&document(text), &[], &built_in(), &Options::default()).unwrap_err();
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "organizations[0].members[0].roles[1]",
                "organizations[0].members[0].roles[2]",
                "organizations[0].members[1].roles[0]",
                "organizations[0].invitations[0].roles[0]",
                "organizations[0].groups[0].members[0]",
            ]
        );
        let text = text.replace("{name: Ops, members: [{user_id: ghost}]}", "{name: Ops}");
        let options = Options {
            create_missing_roles: true,
            ..Options::default()
        };
        let plans = plan(&document(&text), &[], &built_in(), &options).unwrap();
        let roles: Vec<&str> = (plans[0].changes.iter())
            .filter(|c| c.object == Object::Role)
            .map(|c| c.key.as_str())
            .collect();
        assert_eq!(roles, ["auditor", "project-lead", "team-manager"]);
    }

    #[test]
    fn given_template_roles_in_a_document_when_planned_then_new_ones_are_created_and_changed_ones_updated(
    ) {
        let text = "role_templates:\n  - {slug: auditor, name: Auditor, permissions: [logs:read]}\n  - {slug: member, name: Member}\n  - {slug: admin, name: Boss}\n";
        let live: Vec<TemplateRoleState> = BUILT_IN
            .iter()
            .map(|slug| TemplateRoleState {
                slug: slug.to_string(),
                name: if *slug == "admin" { "Admin" } else { "Member" }.into(),
                description: None,
                permissions: Vec::new(),
            })
            .collect();
        let changes = template_changes(&document(text), &live);
        let summary: Vec<(Action, &str)> = (changes.iter())
            .map(|c| (c.action, c.key.as_str()))
            .collect();
        assert_eq!(
            summary,
            [(Action::Create, "auditor"), (Action::Update, "admin")],
            "member says what it is already"
        );
        assert_eq!(
            changes[1].fields,
            [Field {
                field: "name".into(),
                old: json!("Admin"),
                new: json!("Boss"),
            }]
        );
        assert!((changes.iter()).all(|c| c.object == Object::RoleTemplate));
    }

    #[test]
    fn given_the_template_has_a_role_when_planned_then_members_may_hold_it_and_no_one_defines_it() {
        let mut template = built_in();
        template.insert("auditor".to_owned());
        let text = r#"
organizations:
  - external_id: acme
    name: Acme
    members: [{user_id: ann, roles: [auditor]}]
    groups: [{name: Ops, roles: [auditor]}]
"#;
        let plans = plan(&document(text), &[], &template, &Options::default()).unwrap();
        assert!(
            !(plans[0].changes.iter()).any(|c| c.object == Object::Role),
            "a template role is not made again"
        );
        let problems = plan(&document(text), &[], &built_in(), &Options::default()).unwrap_err();
        assert_eq!(problems.len(), 2, "without the template: {problems:?}");

        let defines = format!("{text}    roles: [{{slug: auditor, name: Mine}}]\n");
        let problems = plan(&document(&defines), &[], &template, &Options::default()).unwrap_err();
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["organizations[0].roles[0].slug"]);
        assert!(problems[0].reason.contains("organization template"));
    }

    /// Acme with more than ACME lists: `extra` (a role, a member in Ops, a group, an
    /// invitation) managed by `source`, and the same made through the API (`api`).
    fn grown(source: Option<&str>) -> OrganizationState {
        let by = || source.map(str::to_owned);
        let mut live = acme();
        for (slug, managed_by) in [("extra", by()), ("api-role", None)] {
            let mut role = live.roles[0].clone();
            role.slug = slug.into();
            role.managed_by = managed_by;
            live.roles.push(role);
        }
        for (id, user, managed_by) in [("om_x", "extra", by()), ("om_api", "api", None)] {
            let mut member = live.members[0].clone();
            (member.id, member.user_id, member.managed_by) =
                (id.into(), Some(user.into()), managed_by);
            member.roles = vec!["extra".into(), "api-role".into()];
            live.members.push(member);
        }
        let in_ops = |id: &str, managed_by| InGroup {
            membership_id: id.into(),
            managed_by,
        };
        live.groups[0]
            .members
            .extend([in_ops("om_x", by()), in_ops("om_api", None)]);
        live.members[1].managed_by = by(); // the bot, listed, so kept
                                           // The bot was put in Ops by this source; the document no longer lists it there.
        live.groups[0].members.push(in_ops("om_bot", by()));
        for (id, name, managed_by) in [("grp_x", "Extra", by()), ("grp_api", "Api", None)] {
            let mut group = live.groups[0].clone();
            (group.id, group.name, group.managed_by) = (id.into(), name.into(), managed_by);
            group.members.clear();
            live.groups.push(group);
        }
        for (id, email, managed_by) in [
            ("inv_x", "x@example.com", by()),
            ("inv_api", "api@example.com", None),
        ] {
            let mut invitation = live.invitations[0].clone();
            (invitation.id, invitation.email, invitation.managed_by) =
                (id.into(), email.into(), managed_by);
            live.invitations.push(invitation);
        }
        live
    }

    fn pruning() -> Options {
        Options {
            prune: true,
            ..Options::default()
        }
    }

    #[test]
    fn given_more_than_the_document_lists_when_pruned_then_only_what_its_source_manages_goes_first()
    {
        let plans = plan(
            &document(ACME),
            &[grown(Some("apply"))],
            &built_in(),
            &pruning(),
        )
        .unwrap();
        assert_eq!(
            summary(&plans[0]),
            [
                "Remove GroupMember Ops/application:bot",
                "Remove Group Extra",
                "Remove Invitation x@example.com",
                "Remove Member user:extra",
                "Remove Role extra",
            ],
            "om_x leaves Ops with the organization; what the API made stays"
        );
        let member = &plans[0].changes[3];
        assert_eq!(member.id.as_deref(), Some("om_x"));
        assert_eq!(
            member.fields,
            [removed("roles", json!(["extra", "api-role"]))]
        );

        let unpruned = plan(
            &document(ACME),
            &[grown(Some("apply"))],
            &built_in(),
            &Options::default(),
        )
        .unwrap();
        assert!(unpruned[0].changes.is_empty(), "no removal without --prune");
        let other = plan(
            &document(ACME),
            &[grown(Some("hr-sync"))],
            &built_in(),
            &pruning(),
        )
        .unwrap();
        let removed: Vec<String> = summary(&other[0]);
        assert!(
            removed.is_empty(),
            "another source's objects stay: {removed:?}"
        );
    }

    #[test]
    fn given_a_list_in_replace_mode_when_pruned_then_everything_it_does_not_name_goes() {
        let text = ACME.replace(
            "    invitations: [{email: bob@example.com}]",
            "    invitations: {mode: replace, items: [{email: bob@example.com}]}",
        );
        let plans = plan(&document(&text), &[grown(None)], &built_in(), &pruning()).unwrap();
        assert_eq!(
            summary(&plans[0]),
            [
                "Remove Invitation x@example.com",
                "Remove Invitation api@example.com",
            ]
        );
    }

    #[test]
    fn given_roles_the_document_still_uses_when_pruned_then_they_stay() {
        // Ann is listed without roles: she keeps what she holds, so it is not removed.
        let text = ACME.replace(
            "{user_id: ann, roles: [member, lead], attributes: {team: red}}",
            "{user_id: ann}",
        );
        let mut live = grown(Some("apply"));
        live.members[0].roles.push("extra".into());
        let plans = plan(&document(&text), &[live], &built_in(), &pruning()).unwrap();
        assert!(
            !summary(&plans[0]).contains(&"Remove Role extra".to_owned()),
            "{:?}",
            summary(&plans[0])
        );
    }

    #[test]
    fn given_organizations_this_source_manages_when_unlisted_and_pruned_then_they_are_deleted_first(
    ) {
        let mut other = acme();
        (other.id, other.external_id) = ("org_2".into(), Some("gone".into()));
        let mut foreign = acme();
        (foreign.id, foreign.external_id, foreign.managed_by) =
            ("org_3".into(), Some("theirs".into()), None);
        let options = Options {
            prune_organizations: true,
            ..Options::default()
        };
        let plans = plan(
            &document(ACME),
            &[acme(), other, foreign],
            &built_in(),
            &options,
        )
        .unwrap();
        let listed: Vec<(&str, Vec<String>)> = (plans.iter())
            .map(|p| (p.external_id.as_str(), summary(p)))
            .collect();
        assert_eq!(
            listed,
            [
                ("gone", vec!["Remove Organization gone".to_owned()]),
                ("acme", vec![]),
            ]
        );
    }
}
