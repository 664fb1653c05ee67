//! The document's shape: the organization template's roles, and organizations by external id,
//! with their roles, members, groups and pending invitations. Every value is a domain value type, so a value the API would refuse is
//! refused here too, with the same words.

use domain::organization::DomainPolicy;
use domain::values::{
    Attributes, Description, DomainName, Email, ExternalId, GroupName, MaxMembers, Metadata,
    OrganizationName, Permissions, RoleName, RoleSlug, SubjectId, TemplateRoleSet,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::collection::Collection;

/// What `roster plan`, `roster apply` and `roster export` read and write.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "roster document")]
pub struct Document {
    /// Who manages what this document creates or updates: objects are marked with it
    /// (`managed_by`), and `--prune` removes only objects this source manages. Default `apply`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// Roles of the organization template, which every organization offers (created or
    /// updated; never removed by a document). Admin keys only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(with = "Option<Vec<Role>>")]
    pub role_templates: Vec<Role>,
    /// The organizations (`null` is none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(with = "Option<Vec<Organization>>")]
    pub organizations: Vec<Organization>,
}

/// An organization, found by its external id (created when there is none).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = synonym_of_external_id)]
#[schemars(rename = "DocumentOrganization")]
pub struct Organization {
    /// The organization's external id (`alias` is accepted as a synonym).
    #[serde(alias = "alias")]
    pub external_id: ExternalId,
    pub name: OrganizationName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Description>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    /// The seat limit (active members at most). Left out: unchanged (unlimited for a new
    /// organization).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_members: Option<MaxMembers>,
    /// The organization template's roles it offers (`member` among them). Left out: unchanged
    /// (all of them for a new organization).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_roles: Option<TemplateRoleSet>,
    /// Custom roles; `admin` and `member` come with every organization.
    #[serde(default, skip_serializing_if = "Collection::is_empty")]
    pub roles: Collection<Role>,
    #[serde(default, skip_serializing_if = "Collection::is_empty")]
    pub members: Collection<Member>,
    #[serde(default, skip_serializing_if = "Collection::is_empty")]
    pub groups: Collection<Group>,
    /// Pending invitations, by email.
    #[serde(default, skip_serializing_if = "Collection::is_empty")]
    pub invitations: Collection<Invitation>,
    /// Domains, by name: added `pending` (the TXT record to publish is in the API and the
    /// console; DNS verifies them, never a document), with their policy and default roles.
    #[serde(default, skip_serializing_if = "Collection::is_empty")]
    pub domains: Collection<Domain>,
}

/// A domain of the organization, found by its name (normalised as the API does).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "DocumentDomain")]
pub struct Domain {
    pub domain: DomainName,
    /// `off`, `suggest` or `auto_join` (effective once verified). Left out: unchanged (`off` for
    /// a new domain).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<DomainPolicy>,
    /// The roles a member joining through the domain gets. Left out: unchanged (`member` for a
    /// new domain).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_roles: Option<Vec<RoleSlug>>,
}

/// A custom role of the organization's catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "DocumentRole")]
pub struct Role {
    pub slug: RoleSlug,
    pub name: RoleName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Description>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Permissions>,
}

/// A user or a machine app (exactly one of `user_id`, `application_id`) and what it holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = one_subject)]
#[schemars(rename = "DocumentMember")]
pub struct Member {
    /// The user (`username` is accepted as a synonym).
    #[serde(default, alias = "username", skip_serializing_if = "Option::is_none")]
    pub user_id: Option<SubjectId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_id: Option<SubjectId>,
    /// The member's roles. Left out: `member` for a new member, unchanged for an existing one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<RoleSlug>>,
    /// The member's attributes, replacing what it had. Left out: unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Attributes>,
}

/// A group of the organization, found by its name (any case).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "DocumentGroup")]
pub struct Group {
    pub name: GroupName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Description>,
    /// Roles every member has through the group. Left out: unchanged (none for a new group).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<RoleSlug>>,
    /// Members of the organization, by user or application id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<MemberRef>,
}

/// A member of the organization named by its user or application id (exactly one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = one_subject)]
#[schemars(rename = "DocumentMemberRef")]
pub struct MemberRef {
    #[serde(default, alias = "username", skip_serializing_if = "Option::is_none")]
    pub user_id: Option<SubjectId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_id: Option<SubjectId>,
}

/// A pending invitation, found by its email (any case).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "DocumentInvitation")]
pub struct Invitation {
    pub email: Email,
    /// The roles the invited person gets on accepting. Left out: `member`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<RoleSlug>>,
    /// Days until a new invitation expires (1–30, default 7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 30))]
    pub expires_in_days: Option<u32>,
}

fn synonym_of_external_id(schema: &mut schemars::Schema) {
    http_edge::schema::synonym(schema, "external_id", "alias", &[]);
}

/// Exactly one of `user_id` (or its synonym `username`) and `application_id`, with a value.
fn one_subject(schema: &mut schemars::Schema) {
    http_edge::schema::synonym(schema, "user_id", "username", &["application_id"]);
}

/// The name a document's changes are marked with: 1–64 of `a-z 0-9 . _ -`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Source(String);

impl Source {
    pub fn parse(s: &str) -> Result<Self, domain::values::ValueError> {
        let ok = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c);
        if s.is_empty() || s.len() > 64 || !s.chars().all(ok) {
            return Err(domain::values::ValueError(
                "source must be 1–64 characters of a-z, 0-9, `.`, `_`, `-`".into(),
            ));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for Source {
    fn default() -> Self {
        Self("apply".into())
    }
}

impl TryFrom<String> for Source {
    type Error = domain::values::ValueError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Source> for String {
    fn from(s: Source) -> String {
        s.0
    }
}

impl JsonSchema for Source {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Source".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "pattern": "^[a-z0-9._-]{1,64}$"})
    }
}
