//! Membership create (one, or each item of a bulk import), update, and the bulk role change.

use std::collections::BTreeSet;

use domain::membership::Subject;
use domain::values::{Attributes, Email, RoleSlug, SubjectId, ValueError};
use domain::MembershipId;
use http_edge::{present, Fields, Problem};
use serde::Deserialize;
use serde_json::Value;

use crate::app::memberships::NewMembership;
use crate::app::role_assignment::{Members, RoleChange};
use crate::request::roles;

/// At most this many items per bulk request, and members per bulk role change.
pub const BULK_MAX: usize = 1000;

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[schemars(transform = one_subject)]
#[serde(deny_unknown_fields)]
pub struct MembershipCreate {
    #[schemars(with = "domain::values::SubjectId")]
    #[serde(default, deserialize_with = "present")]
    pub user_id: Option<String>,
    #[schemars(with = "domain::values::SubjectId")]
    #[serde(default, deserialize_with = "present")]
    pub application_id: Option<String>,
    #[schemars(with = "Option<std::collections::BTreeSet<domain::values::RoleSlug>>")]
    pub roles: Option<Vec<String>>,
    #[schemars(with = "Option<domain::values::Attributes>")]
    pub attributes: Option<serde_json::Map<String, Value>>,
    /// The user's email: joins through its domain, without an invitation, when the organization
    /// verified that domain with the `auto_join` policy (roles: the domain's default roles, so
    /// `roles` must be left out; `source: domain`). With `user_id` only.
    #[schemars(with = "domain::values::Email")]
    #[serde(default, deserialize_with = "present")]
    pub email: Option<String>,
}

/// A create: the membership, and the email whose domain it joins through (auto-join).
#[derive(Debug)]
pub struct Joining {
    pub membership: NewMembership,
    pub email: Option<Email>,
}

fn one_subject(schema: &mut schemars::Schema) {
    http_edge::schema::exactly_one(schema, &["user_id", "application_id"]);
}

impl MembershipCreate {
    /// The subject (exactly one of `user_id`, `application_id`), roles (default `member`) and
    /// attributes of a new membership; an item of a bulk import (no `email`).
    pub fn parse(self) -> Result<NewMembership, Problem> {
        if self.email.is_some() {
            return Err(Problem::field(
                "email",
                "joining through an email's domain is for one membership at a time",
            ));
        }
        self.parse_joining().map(|j| j.membership)
    }

    /// As [`Self::parse`], and the `email` to join through.
    pub fn parse_joining(self) -> Result<Joining, Problem> {
        let mut fields = Fields::default();
        let email = match (&self.email, &self.application_id, &self.roles) {
            (None, ..) => None,
            (Some(_), Some(_), _) => fields.check::<Email, _>(
                "email",
                Err(ValueError("joining through an email's domain is for users (user_id)".into())),
            ),
            (Some(_), None, Some(_)) => fields.check::<Email, _>(
                "roles",
                Err(ValueError(
                    "joining through an email's domain gives the domain's default roles; leave roles out".into(),
                )),
            ),
            (Some(e), None, None) => fields.check("email", Email::parse(e)),
        };
        let subject = match (self.user_id, self.application_id) {
            (Some(u), None) => fields
                .check("user_id", SubjectId::parse(&u))
                .map(Subject::User),
            (None, Some(a)) => fields
                .check("application_id", SubjectId::parse(&a))
                .map(Subject::Application),
            _ => fields.check::<Subject, _>(
                "user_id",
                Err(ValueError(
                    "give exactly one of user_id or application_id".into(),
                )),
            ),
        };
        let roles = match self.roles {
            Some(list) => fields.check("roles", roles(list)),
            None => Some(BTreeSet::from([RoleSlug::member()])),
        };
        let attributes = match self.attributes {
            Some(a) => fields.check("attributes", Attributes::parse(a)),
            None => Some(Attributes::default()),
        };
        let ((subject, roles), attributes) = fields.done(subject.zip(roles).zip(attributes))?;
        Ok(Joining {
            membership: NewMembership {
                subject,
                roles,
                attributes,
            },
            email,
        })
    }
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MembershipUpdate {
    #[schemars(with = "std::collections::BTreeSet<domain::values::RoleSlug>")]
    #[serde(default, deserialize_with = "present")]
    pub roles: Option<Vec<String>>,
    #[schemars(with = "domain::values::Attributes")]
    #[serde(default, deserialize_with = "present")]
    pub attributes: Option<serde_json::Map<String, Value>>,
}

/// What an update changes: the roles, the attributes, or both (`None`: left alone).
pub type MembershipChange = (Option<BTreeSet<RoleSlug>>, Option<Attributes>);

impl MembershipUpdate {
    pub fn parse(self) -> Result<MembershipChange, Problem> {
        let mut fields = Fields::default();
        let roles = self.roles.and_then(|r| fields.check("roles", roles(r)));
        let attributes = self
            .attributes
            .and_then(|a| fields.check("attributes", Attributes::parse(a)));
        fields.finish()?;
        Ok((roles, attributes))
    }
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[schemars(transform = named_members_and_change)]
#[serde(deny_unknown_fields)]
pub struct MembershipRolesChange {
    /// 1–1,000 users (or give `application_ids` or `membership_ids`).
    #[schemars(with = "Vec<domain::values::SubjectId>", length(min = 1, max = 1000))]
    #[serde(default, deserialize_with = "present")]
    pub user_ids: Option<Vec<String>>,
    #[schemars(with = "Vec<domain::values::SubjectId>", length(min = 1, max = 1000))]
    #[serde(default, deserialize_with = "present")]
    pub application_ids: Option<Vec<String>>,
    #[schemars(with = "Vec<domain::MembershipId>", length(min = 1, max = 1000))]
    #[serde(default, deserialize_with = "present")]
    pub membership_ids: Option<Vec<String>>,
    /// Roles to give each member.
    #[schemars(with = "Vec<domain::values::RoleSlug>")]
    #[serde(default, deserialize_with = "present")]
    pub add: Option<Vec<String>>,
    /// Roles to take from each member.
    #[schemars(with = "Vec<domain::values::RoleSlug>")]
    #[serde(default, deserialize_with = "present")]
    pub remove: Option<Vec<String>>,
    /// Each member's roles, replacing what it had (instead of `add` and `remove`).
    #[schemars(with = "Vec<domain::values::RoleSlug>")]
    #[serde(default, deserialize_with = "present")]
    pub set: Option<Vec<String>>,
}

fn named_members_and_change(schema: &mut schemars::Schema) {
    http_edge::schema::exactly_one(schema, &["user_ids", "application_ids", "membership_ids"]);
    http_edge::schema::one_or_some_of(schema, "set", &["add", "remove"]);
}

impl MembershipRolesChange {
    /// The members (one list of 1–1,000) and the change (`add`/`remove`, or `set`); every bad
    /// item named.
    pub fn parse(self) -> Result<(Members, RoleChange), Problem> {
        let mut fields = Fields::default();
        let lists = (self.user_ids, self.application_ids, self.membership_ids);
        let listed = match lists {
            (Some(ids), None, None) => Some(("user_ids", ids)),
            (None, Some(ids), None) => Some(("application_ids", ids)),
            (None, None, Some(ids)) => Some(("membership_ids", ids)),
            _ => {
                let one = "give exactly one of user_ids, application_ids or membership_ids";
                fields.fail("user_ids", one);
                None
            }
        };
        let members = match listed {
            Some((field, ids)) if !(1..=BULK_MAX).contains(&ids.len()) => {
                fields.fail(field, format!("give 1–{BULK_MAX} members"));
                None
            }
            Some(("user_ids", ids)) => fields
                .each("user_ids", &ids, SubjectId::parse)
                .map(Members::Users),
            Some(("application_ids", ids)) => {
                (fields.each("application_ids", &ids, SubjectId::parse)).map(Members::Applications)
            }
            Some((field, ids)) => fields
                .each(field, &ids, MembershipId::parse)
                .map(Members::Memberships),
            None => None,
        };
        let change = match (self.add, self.remove, self.set) {
            (None, None, Some(set)) => fields
                .each("set", &set, RoleSlug::parse)
                .map(RoleChange::Set),
            (None, None, None) => {
                fields.fail("add", "give add and/or remove, or set");
                None
            }
            (add, remove, None) => {
                let add = fields.each("add", &add.unwrap_or_default(), RoleSlug::parse);
                let remove = fields.each("remove", &remove.unwrap_or_default(), RoleSlug::parse);
                add.zip(remove)
                    .map(|(add, remove)| RoleChange::Adjust { add, remove })
            }
            (_, _, Some(_)) => {
                fields.fail("set", "give either set, or add and remove, not both");
                None
            }
        };
        let (members, change) = fields.done(members.zip(change))?;
        // Well-formed, but contradictory: a rule (422), as a schema cannot say "disjoint".
        if let RoleChange::Adjust { add, remove } = &change {
            if let Some((i, role)) = remove.iter().enumerate().find(|(_, r)| add.contains(r)) {
                return Err(Problem::unprocessable(
                    "contradictory-change",
                    "Contradictory change",
                    &format!("remove[{i}]"),
                    format!("role `{}` is both added and removed", role.as_str()),
                ));
            }
        }
        Ok((members, change))
    }
}
