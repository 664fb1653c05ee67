//! Group create, update and adding a member.

use domain::values::{Description, GroupName, RoleSlug};
use domain::MembershipId;
use http_edge::{nullable, present, Fields, Problem};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupCreate {
    #[schemars(with = "domain::values::GroupName")]
    pub name: String,
    #[schemars(with = "Option<domain::values::Description>")]
    pub description: Option<String>,
}

impl GroupCreate {
    pub fn parse(self) -> Result<(GroupName, Option<Description>), Problem> {
        let mut fields = Fields::default();
        let name = fields.check("name", GroupName::parse(&self.name));
        let description = self
            .description
            .and_then(|d| fields.check("description", Description::parse(&d)));
        Ok((fields.done(name)?, description))
    }
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupUpdate {
    #[schemars(with = "domain::values::GroupName")]
    #[serde(default, deserialize_with = "present")]
    pub name: Option<String>,
    #[schemars(with = "Option<Option<domain::values::Description>>")]
    #[serde(default, deserialize_with = "nullable")]
    pub description: Option<Option<String>>,
}

impl GroupUpdate {
    /// The new name and description (`None`: left alone; `Some(None)`: description cleared).
    pub fn parse(self) -> Result<(Option<GroupName>, Option<Option<Description>>), Problem> {
        let mut fields = Fields::default();
        let name = self
            .name
            .and_then(|n| fields.check("name", GroupName::parse(&n)));
        let description =
            fields.check_nullable("description", self.description, |d| Description::parse(&d));
        fields.finish()?;
        Ok((name, description))
    }
}

/// The roles a group grants its members, replacing what it granted (`[]`: none).
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupRoles {
    #[schemars(with = "Vec<domain::values::RoleSlug>")]
    pub roles: Vec<String>,
}

impl GroupRoles {
    pub fn parse(self) -> Result<std::collections::BTreeSet<RoleSlug>, Problem> {
        let mut fields = Fields::default();
        let roles = fields.each("roles", &self.roles, RoleSlug::parse);
        fields.done(roles.map(|r| r.into_iter().collect()))
    }
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupMemberAdd {
    #[schemars(with = "domain::MembershipId")]
    pub membership_id: String,
}

impl GroupMemberAdd {
    pub fn parse(self) -> Result<MembershipId, Problem> {
        MembershipId::parse(&self.membership_id)
            .map_err(|e| Problem::field("membership_id", e.to_string()))
    }
}
