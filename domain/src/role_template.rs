//! The organization template (Logto's name): roles defined once for the whole deployment, which
//! every organization offers besides its own custom roles. One stream per role, named by its slug.
//!
//! A template role's permissions are not copied into organizations: claims read them when they
//! are asked for, so changing them changes every holder's claims in every organization at once.
//! A custom role may not take a template role's slug, nor a template role a slug an organization
//! uses for a custom role; the claims below keep both under races.

use chrono::{DateTime, Utc};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

use crate::claims::{self, ClaimChange, Claims};
use crate::organization::{CreateRole, PreviousRoleAttributes, UpdateRole};
use crate::values::{Description, Permissions, RoleName, RoleSlug};

/// A role of the template, as consumers see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TemplateRole {
    pub slug: RoleSlug,
    pub name: RoleName,
    pub description: Option<Description>,
    pub permissions: Permissions,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TemplateRoleUpdated {
    #[serde(flatten)]
    pub role: TemplateRole,
    pub previous_attributes: PreviousRoleAttributes,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum RoleTemplateEvent {
    #[serde(rename = "role_template.created")]
    Created(TemplateRole),
    #[serde(rename = "role_template.updated")]
    Updated(TemplateRoleUpdated),
    /// The role left the template: the process manager then takes it from every holder in
    /// every organization that has no custom role of that slug.
    #[serde(rename = "role_template.deleted")]
    Deleted(TemplateRole),
}

impl RoleTemplateEvent {
    /// The role as the event leaves it.
    pub fn role(&self) -> &TemplateRole {
        match self {
            Self::Created(r) | Self::Deleted(r) => r,
            Self::Updated(u) => &u.role,
        }
    }
}

impl DomainEvent for RoleTemplateEvent {
    fn event_type(&self) -> String {
        match self {
            Self::Created(_) => "role_template.created",
            Self::Updated(_) => "role_template.updated",
            Self::Deleted(_) => "role_template.deleted",
        }
        .to_owned()
    }

    fn event_version(&self) -> String {
        "1".to_owned()
    }
}

/// The template role holds its key while it exists: what holding the role requires when the
/// organization has no custom role of that slug, and what a custom role of that slug forbids.
impl Claims for RoleTemplateEvent {
    fn claim_changes(&self) -> Vec<ClaimChange> {
        match self {
            Self::Created(r) => vec![ClaimChange::Acquire(claims::role_template(r.slug.as_str()))],
            Self::Deleted(r) => vec![ClaimChange::Release(claims::role_template(r.slug.as_str()))],
            Self::Updated(_) => Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum RoleTemplateCommand {
    Create(CreateRole),
    Update(UpdateRole),
    Delete { slug: RoleSlug, at: DateTime<Utc> },
}

impl crate::Named for RoleTemplateCommand {
    fn name(&self) -> &'static str {
        match self {
            Self::Create(_) => "role_template.create",
            Self::Update(_) => "role_template.update",
            Self::Delete { .. } => "role_template.delete",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoleTemplateError {
    #[error("the template already has role `{0}`")]
    Exists(String),
    #[error("the template has no role `{0}`")]
    NotFound(String),
    #[error("role `{0}` is built in and cannot be deleted")]
    BuiltIn(String),
}

/// One template role's stream (its slug is the stream's id); `None` before it is created and
/// after it is deleted (the slug may then be created again).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RoleTemplate {
    pub role: Option<TemplateRole>,
}

crate::aggregate!(
    RoleTemplate,
    "role_template",
    RoleTemplateCommand,
    RoleTemplateEvent,
    RoleTemplateError
);

impl RoleTemplate {
    fn evolve(&mut self, event: RoleTemplateEvent) {
        self.role = match event {
            RoleTemplateEvent::Created(r) => Some(r),
            RoleTemplateEvent::Updated(u) => Some(u.role),
            RoleTemplateEvent::Deleted(_) => None,
        }
    }

    pub fn decide(
        &self,
        command: RoleTemplateCommand,
    ) -> Result<Vec<RoleTemplateEvent>, RoleTemplateError> {
        match command {
            RoleTemplateCommand::Create(c) => self.create(c),
            RoleTemplateCommand::Update(u) => self.update(u),
            RoleTemplateCommand::Delete { slug, at } => self.delete(slug, at),
        }
    }

    fn create(&self, c: CreateRole) -> Result<Vec<RoleTemplateEvent>, RoleTemplateError> {
        if self.role.is_some() {
            return Err(RoleTemplateError::Exists(c.slug.as_str().to_owned()));
        }
        Ok(vec![RoleTemplateEvent::Created(TemplateRole {
            slug: c.slug,
            name: c.name,
            description: c.description,
            permissions: c.permissions,
            created_at: c.at,
            updated_at: c.at,
        })])
    }

    fn update(&self, u: UpdateRole) -> Result<Vec<RoleTemplateEvent>, RoleTemplateError> {
        let current = (self.role.as_ref())
            .ok_or_else(|| RoleTemplateError::NotFound(u.slug.as_str().to_owned()))?;
        let mut next = current.clone();
        let at = u.at;
        let Some(previous) = u.change(&mut next.name, &mut next.description, &mut next.permissions)
        else {
            return Ok(Vec::new());
        };
        next.updated_at = at;
        Ok(vec![RoleTemplateEvent::Updated(TemplateRoleUpdated {
            role: next,
            previous_attributes: previous,
        })])
    }

    /// `member` is what joining without roles gives: it stays.
    fn delete(
        &self,
        slug: RoleSlug,
        at: DateTime<Utc>,
    ) -> Result<Vec<RoleTemplateEvent>, RoleTemplateError> {
        if slug == RoleSlug::member() {
            return Err(RoleTemplateError::BuiltIn(slug.as_str().to_owned()));
        }
        let mut role = (self.role.clone())
            .ok_or_else(|| RoleTemplateError::NotFound(slug.as_str().to_owned()))?;
        role.updated_at = at;
        Ok(vec![RoleTemplateEvent::Deleted(role)])
    }
}

#[cfg(test)]
mod tests {
    use cqrs_es::test::TestFramework;

    use super::*;

    type Given = TestFramework<RoleTemplate>;

    fn at() -> DateTime<Utc> {
        chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 12, 5, 10, 0, 0).unwrap()
    }

    fn create(slug: &str) -> CreateRole {
        CreateRole {
            slug: RoleSlug::parse(slug).unwrap(),
            name: RoleName::parse("Billing").unwrap(),
            description: None,
            permissions: Permissions::parse(vec!["billing:read".into()]).unwrap(),
            at: at(),
        }
    }

    fn role(slug: &str) -> TemplateRole {
        let c = create(slug);
        TemplateRole {
            slug: c.slug,
            name: c.name,
            description: None,
            permissions: c.permissions,
            created_at: at(),
            updated_at: at(),
        }
    }

    #[test]
    fn a_template_role_is_created_once_and_may_come_back_after_deletion() {
        Given::with(())
            .given_no_previous_events()
            .when(RoleTemplateCommand::Create(create("billing")))
            .then_expect_events(vec![RoleTemplateEvent::Created(role("billing"))]);
        Given::with(())
            .given(vec![RoleTemplateEvent::Created(role("billing"))])
            .when(RoleTemplateCommand::Create(create("billing")))
            .then_expect_error(RoleTemplateError::Exists("billing".into()));
        Given::with(())
            .given(vec![
                RoleTemplateEvent::Created(role("billing")),
                RoleTemplateEvent::Deleted(role("billing")),
            ])
            .when(RoleTemplateCommand::Create(create("billing")))
            .then_expect_events(vec![RoleTemplateEvent::Created(role("billing"))]);
    }

    #[test]
    fn updates_record_previous_attributes_and_skip_no_ops() {
        let permissions = Permissions::parse(vec!["billing:write".into()]).unwrap();
        let update = |permissions: Option<Permissions>| UpdateRole {
            slug: RoleSlug::parse("billing").unwrap(),
            name: None,
            description: None,
            permissions,
            at: at(),
        };
        Given::with(())
            .given(vec![RoleTemplateEvent::Created(role("billing"))])
            .when(RoleTemplateCommand::Update(update(Some(
                permissions.clone(),
            ))))
            .then_expect_events(vec![RoleTemplateEvent::Updated(TemplateRoleUpdated {
                role: TemplateRole {
                    permissions,
                    ..role("billing")
                },
                previous_attributes: PreviousRoleAttributes {
                    permissions: Some(role("billing").permissions),
                    ..Default::default()
                },
            })]);
        Given::with(())
            .given(vec![RoleTemplateEvent::Created(role("billing"))])
            .when(RoleTemplateCommand::Update(update(Some(
                role("billing").permissions,
            ))))
            .then_expect_events(vec![]);
        Given::with(())
            .given_no_previous_events()
            .when(RoleTemplateCommand::Update(update(None)))
            .then_expect_error(RoleTemplateError::NotFound("billing".into()));
    }

    #[test]
    fn member_stays_and_claims_follow_the_role() {
        Given::with(())
            .given(vec![RoleTemplateEvent::Created(role("member"))])
            .when(RoleTemplateCommand::Delete {
                slug: RoleSlug::member(),
                at: at(),
            })
            .then_expect_error(RoleTemplateError::BuiltIn("member".into()));
        let created = RoleTemplateEvent::Created(role("billing"));
        assert_eq!(
            created.claim_changes(),
            vec![ClaimChange::Acquire("role_template/billing".into())]
        );
        assert_eq!(
            RoleTemplateEvent::Deleted(role("billing")).claim_changes(),
            vec![ClaimChange::Release("role_template/billing".into())]
        );
    }
}
