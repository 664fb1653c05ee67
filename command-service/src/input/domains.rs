//! Domain add and update (an organization's verified domains).

use chrono::Utc;
use domain::organization::{DomainPolicy, UpdateDomain};
use domain::values::{DomainName, ValueError};
use http_edge::{present, Fields, Problem};
use serde::Deserialize;

use crate::request::roles;

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DomainAdd {
    #[schemars(with = "domain::values::DomainName")]
    pub domain: String,
}

impl DomainAdd {
    pub fn parse(self) -> Result<DomainName, Problem> {
        let mut fields = Fields::default();
        let domain = fields.check("domain", DomainName::parse(&self.domain));
        fields.done(domain)
    }
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DomainUpdate {
    /// `off`, `suggest` (listed for people with an email under the domain) or `auto_join`
    /// (they join without an invitation, with `default_roles`).
    #[schemars(with = "DomainPolicy")]
    #[serde(default, deserialize_with = "present")]
    pub policy: Option<String>,
    /// The roles a member joining through the domain gets.
    #[schemars(with = "std::collections::BTreeSet<domain::values::RoleSlug>")]
    #[serde(default, deserialize_with = "present")]
    pub default_roles: Option<Vec<String>>,
}

/// A policy by its name.
pub fn policy(raw: &str) -> Result<DomainPolicy, ValueError> {
    serde_json::from_value(serde_json::Value::String(raw.to_owned()))
        .map_err(|_| ValueError("policy must be one of off, suggest, auto_join".into()))
}

impl DomainUpdate {
    /// The change to `domain` (named by the path).
    pub fn parse(self, domain: DomainName) -> Result<UpdateDomain, Problem> {
        let mut fields = Fields::default();
        let policy = self.policy.and_then(|p| fields.check("policy", policy(&p)));
        let default_roles = self
            .default_roles
            .and_then(|r| fields.check("default_roles", roles(r)));
        fields.finish()?;
        Ok(UpdateDomain {
            template_roles: Default::default(),
            domain,
            policy,
            default_roles,
            at: Utc::now(),
        })
    }
}
