//! Role create and update (an organization's catalogue).

use chrono::Utc;
use domain::organization::{CreateRole, UpdateRole};
use domain::values::{Description, Permissions, RoleName, RoleSlug};
use http_edge::{nullable, present, Fields, Problem};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleCreate {
    #[schemars(with = "domain::values::RoleSlug")]
    pub slug: String,
    #[schemars(with = "domain::values::RoleName")]
    pub name: String,
    #[schemars(with = "Option<domain::values::Description>")]
    pub description: Option<String>,
    #[schemars(with = "Option<domain::values::Permissions>")]
    pub permissions: Option<Vec<String>>,
}

impl RoleCreate {
    pub fn parse(self) -> Result<CreateRole, Problem> {
        let mut fields = Fields::default();
        let slug = fields.check("slug", RoleSlug::parse(&self.slug));
        let name = fields.check("name", RoleName::parse(&self.name));
        let description = self
            .description
            .and_then(|d| fields.check("description", Description::parse(&d)));
        let permissions = fields.check(
            "permissions",
            Permissions::parse(self.permissions.unwrap_or_default()),
        );
        let ((slug, name), permissions) = fields.done(slug.zip(name).zip(permissions))?;
        Ok(CreateRole {
            slug,
            name,
            description,
            permissions,
            at: Utc::now(),
        })
    }
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleUpdate {
    #[schemars(with = "domain::values::RoleName")]
    #[serde(default, deserialize_with = "present")]
    pub name: Option<String>,
    #[schemars(with = "Option<Option<domain::values::Description>>")]
    #[serde(default, deserialize_with = "nullable")]
    pub description: Option<Option<String>>,
    #[schemars(with = "domain::values::Permissions")]
    #[serde(default, deserialize_with = "present")]
    pub permissions: Option<Vec<String>>,
}

impl RoleUpdate {
    /// The change to the role `slug` (named by the path, not the body).
    pub fn parse(self, slug: RoleSlug) -> Result<UpdateRole, Problem> {
        let mut fields = Fields::default();
        let name = self
            .name
            .and_then(|n| fields.check("name", RoleName::parse(&n)));
        let description =
            fields.check_nullable("description", self.description, |d| Description::parse(&d));
        let permissions = self
            .permissions
            .and_then(|p| fields.check("permissions", Permissions::parse(p)));
        fields.finish()?;
        Ok(UpdateRole {
            slug,
            name,
            description,
            permissions,
            at: Utc::now(),
        })
    }
}
