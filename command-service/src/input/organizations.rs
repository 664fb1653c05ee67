//! Organization create and update.

use std::collections::BTreeMap;

use chrono::Utc;
use domain::organization::{CreateOrganization, UpdateOrganization};
use domain::values::{
    Description, ExternalId, MaxMembers, Metadata, OrganizationName, TemplateRoleSet, ValueError,
};
use domain::OrganizationId;
use http_edge::{nullable, present, Fields, Problem};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationCreate {
    #[schemars(with = "domain::values::OrganizationName")]
    pub name: String,
    #[schemars(with = "Option<domain::values::Description>")]
    pub description: Option<String>,
    #[schemars(with = "Option<domain::values::ExternalId>")]
    pub external_id: Option<String>,
    #[schemars(with = "Option<domain::values::Metadata>")]
    pub metadata: Option<BTreeMap<String, String>>,
    /// Active members at most; absent or null: unlimited.
    #[schemars(with = "Option<domain::values::MaxMembers>")]
    pub max_members: Option<u64>,
    /// The template roles it offers besides its own (`member` among them); absent or null: all
    /// of them, also those the template gains later.
    #[schemars(with = "Option<domain::values::TemplateRoleSet>")]
    pub template_roles: Option<Vec<String>>,
}

impl OrganizationCreate {
    pub fn parse(self) -> Result<CreateOrganization, Problem> {
        let mut fields = Fields::default();
        let name = fields.check("name", OrganizationName::parse(&self.name));
        let description = self
            .description
            .and_then(|d| fields.check("description", Description::parse(&d)));
        let external_id = self
            .external_id
            .and_then(|e| fields.check("external_id", ExternalId::parse(&e)));
        let metadata = fields.check(
            "metadata",
            Metadata::parse(self.metadata.unwrap_or_default()),
        );
        let max_members = self
            .max_members
            .and_then(|n| fields.check("max_members", MaxMembers::parse(n)));
        let template_roles = self
            .template_roles
            .and_then(|r| fields.check("template_roles", template_roles(r)));
        let (name, metadata) = fields.done(name.zip(metadata))?;
        Ok(CreateOrganization {
            id: OrganizationId::new(),
            name,
            description,
            external_id,
            metadata,
            max_members,
            template_roles,
            at: Utc::now(),
        })
    }
}

/// A set of the template's roles an organization offers.
pub fn template_roles(list: Vec<String>) -> Result<TemplateRoleSet, ValueError> {
    TemplateRoleSet::parse(crate::request::roles(list)?)
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationUpdate {
    #[schemars(with = "domain::values::OrganizationName")]
    #[serde(default, deserialize_with = "present")]
    pub name: Option<String>,
    #[schemars(with = "Option<Option<domain::values::Description>>")]
    #[serde(default, deserialize_with = "nullable")]
    pub description: Option<Option<String>>,
    #[schemars(with = "Option<Option<domain::values::ExternalId>>")]
    #[serde(default, deserialize_with = "nullable")]
    pub external_id: Option<Option<String>>,
    #[schemars(with = "domain::values::Metadata")]
    #[serde(default, deserialize_with = "present")]
    pub metadata: Option<BTreeMap<String, String>>,
    /// null lifts the limit; lowering it below the active members is allowed and only refuses
    /// new ones.
    #[schemars(with = "Option<Option<domain::values::MaxMembers>>")]
    #[serde(default, deserialize_with = "nullable")]
    pub max_members: Option<Option<u64>>,
    /// Only these template roles (`member` among them), or null for all of them. Roles it no
    /// longer offers are taken from their holders by the process manager; they grant no
    /// permission from the change on.
    #[schemars(with = "Option<Option<domain::values::TemplateRoleSet>>")]
    #[serde(default, deserialize_with = "nullable")]
    pub template_roles: Option<Option<Vec<String>>>,
}

impl OrganizationUpdate {
    pub fn parse(self) -> Result<UpdateOrganization, Problem> {
        let mut fields = Fields::default();
        let name = self
            .name
            .and_then(|n| fields.check("name", OrganizationName::parse(&n)));
        let description =
            fields.check_nullable("description", self.description, |d| Description::parse(&d));
        let external_id =
            fields.check_nullable("external_id", self.external_id, |e| ExternalId::parse(&e));
        let metadata = self
            .metadata
            .and_then(|m| fields.check("metadata", Metadata::parse(m)));
        let max_members = fields.check_nullable("max_members", self.max_members, MaxMembers::parse);
        let template_roles =
            fields.check_nullable("template_roles", self.template_roles, template_roles);
        fields.finish()?;
        Ok(UpdateOrganization {
            name,
            description,
            external_id,
            metadata,
            max_members,
            template_roles,
            at: Utc::now(),
        })
    }
}
