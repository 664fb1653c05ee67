//! What the application layer can answer instead of a result: typed, so every caller (HTTP, the
//! process manager, later the CLI and the console) decides what to make of it. HTTP maps these to
//! problem+json in one place (`routes::problems`).

use std::fmt;

use domain::group::GroupError;
use domain::invitation::InvitationError;
use domain::membership::MembershipError;
use domain::organization::OrganizationError;
use domain::role_template::RoleTemplateError;
use store::StoreError;

use crate::bus::CommandError;

/// The kind of object an answer is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Organization,
    Role,
    Membership,
    Group,
    Invitation,
    Domain,
    TemplateRole,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Organization => "organization",
            Kind::Role => "role",
            Kind::Membership => "membership",
            Kind::Group => "group",
            Kind::Invitation => "invitation",
            Kind::Domain => "domain",
            Kind::TemplateRole => "template role",
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0} {1} does not exist")]
    NotFound(Kind, String),
    #[error("{0} {1} already exists")]
    AlreadyExists(Kind, String),
    /// A uniqueness rule: the value given as `field` already belongs to another object.
    #[error("{detail}")]
    Taken {
        field: &'static str,
        message: String,
        detail: String,
    },
    #[error("organization {org} has no role `{role}`")]
    UnknownRole { org: String, role: String },
    /// A role the change assigns left the catalogue while it was decided.
    #[error("a role was removed from the organization meanwhile (`{0}`)")]
    RoleRemoved(String),
    #[error("role `{0}` is built in and cannot be deleted")]
    BuiltInRole(String),
    /// An organization's role that is the template's: changed for every organization at
    /// `/v1/role-templates/{slug}` by an admin key.
    #[error("role `{0}` comes from the organization template; an admin key changes it at /v1/role-templates/{0}")]
    TemplateRole(String),
    #[error("membership {0} is not active")]
    MembershipNotActive(String),
    #[error("membership {0} belongs to another organization")]
    WrongOrganization(String),
    #[error("{membership} is not a member of group {group}")]
    NotMember { group: String, membership: String },
    #[error("invitation {id} is {state}, not pending")]
    NotPending { id: String, state: String },
    #[error("invitation {0} has expired")]
    Expired(String),
    #[error("the accept token is not valid for this invitation")]
    InvalidToken,
    /// Parts of a bulk change that cannot take it, all of them; nothing was changed.
    #[error("{} of the named members or roles cannot take the change; nothing was changed", .0.len())]
    Refused(Vec<super::role_assignment::Refusal>),
    #[error("the change requires `{0}`, which does not hold")]
    RequirementNotMet(String),
    /// Every seat is taken: the organization has `limit` active members (`max_members`).
    #[error(
        "organization {organization} has reached its limit of {limit} active members (max_members)"
    )]
    SeatLimit { organization: String, limit: i64 },
    /// Another organization verified the domain (one at a time).
    #[error("domain `{0}` is verified by another organization")]
    DomainElsewhere(String),
    /// The check did not find the verification record (`reason` says what it found).
    #[error("domain `{domain}` is not verified: {reason}")]
    DomainNotVerified { domain: String, reason: String },
    #[error("an organization holds at most {0} domains")]
    TooManyDomains(usize),
    /// The deployment's free-mail list holds the domain: nobody owns it for an organization.
    #[error("`{0}` is a free-mail domain; verify your organization's own domain")]
    FreeMailDomain(String),
    /// A domain's default role the catalogue does not have.
    #[error("the organization has no role `{0}`")]
    UnknownDefaultRole(String),
    /// Joining through an email's domain, where the domain does not allow it.
    #[error("{0}")]
    NoAutoJoin(String),
    /// The caller's key may not do this at all (not a question of which object).
    #[error("{0}")]
    Forbidden(String),
    /// Still conflicting after the bounded retries.
    #[error("the objects were changed concurrently; retry the request")]
    Concurrent,
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// Input the database cannot store (a NUL character): refused, never a 500.
    #[error("{0}")]
    Unstorable(String),
    #[error("{0}")]
    Internal(String),
}

/// A store failure outside any aggregate's decision (a look-up, a unit's commit).
impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::ClaimTaken { key, owner_id, .. } => AppError::Taken {
                field: "id",
                message: format!("already used by {owner_id}"),
                detail: format!("`{key}` is already used by {owner_id}"),
            },
            StoreError::RequirementFailed { key } => match alive_organization(&key) {
                Some(org) => AppError::NotFound(Kind::Organization, org.to_owned()),
                None => AppError::RequirementNotMet(key),
            },
            StoreError::Conflict => AppError::Concurrent,
            StoreError::LimitReached { key, limit, .. } => AppError::SeatLimit {
                organization: domain::claims::max_members_of(&key)
                    .unwrap_or(&key)
                    .to_owned(),
                limit,
            },
            e @ (StoreError::Unavailable(_) | StoreError::Injected(_)) => {
                AppError::Unavailable(e.to_string())
            }
            e @ StoreError::Unstorable(_) => AppError::Unstorable(e.to_string()),
            other => AppError::Internal(other.to_string()),
        }
    }
}

/// The organization whose "alive" claim `key` is: everything in an organization requires it
/// alive, so a missing one means the organization is closed for deletion, or gone.
fn alive_organization(key: &str) -> Option<&str> {
    key.strip_prefix("organization/")?.strip_suffix("/alive")
}

/// What an aggregate's refusals and failed claims mean, for [`explain`].
pub(crate) trait Rejection: std::error::Error + Sized {
    const KIND: Kind;
    /// The aggregate refused a command on object `id`.
    fn explain(self, id: &str) -> AppError;
    /// A uniqueness claim (`key`) the change takes is held by `owner`.
    fn taken(key: &str, owner: String) -> AppError {
        AppError::Taken {
            field: "id",
            message: format!("already used by {owner}"),
            detail: format!("`{key}` is already used by {owner}"),
        }
    }
    /// A claim the change requires (other than its organization being alive) does not hold.
    fn unmet(key: String) -> AppError {
        AppError::RequirementNotMet(key)
    }
}

/// Turns a command's failure on object `id` into the application's answer: the aggregate's own
/// refusals and the claims its events take or require mean what the aggregate says they mean;
/// anything else is a store failure like any other.
pub(crate) fn explain<E: Rejection>(id: &str) -> impl FnOnce(CommandError<E>) -> AppError + '_ {
    move |e| match e {
        CommandError::Rejected(e) => e.explain(id),
        CommandError::Store(StoreError::ClaimTaken { key, owner_id, .. }) => {
            E::taken(&key, owner_id)
        }
        CommandError::Store(StoreError::RequirementFailed { key })
            if alive_organization(&key).is_none() =>
        {
            E::unmet(key)
        }
        CommandError::Store(e) => e.into(),
    }
}

impl Rejection for OrganizationError {
    const KIND: Kind = Kind::Organization;
    fn explain(self, id: &str) -> AppError {
        match self {
            Self::NotFound => AppError::NotFound(Kind::Organization, id.to_owned()),
            Self::AlreadyExists => AppError::AlreadyExists(Kind::Organization, id.to_owned()),
            Self::RoleExists(slug) => AppError::AlreadyExists(Kind::Role, format!("`{slug}`")),
            Self::RoleNotFound(slug) => AppError::NotFound(Kind::Role, format!("`{slug}` of {id}")),
            Self::BuiltInRole(slug) => AppError::BuiltInRole(slug),
            Self::DomainExists(d) => AppError::AlreadyExists(Kind::Domain, format!("`{d}`")),
            Self::DomainNotFound(d) => AppError::NotFound(Kind::Domain, format!("`{d}` of {id}")),
            Self::TooManyDomains(n) => AppError::TooManyDomains(n),
        }
    }
    fn taken(key: &str, owner: String) -> AppError {
        if let Some(slug) = key.strip_prefix(domain::claims::ROLE_TEMPLATES_PREFIX) {
            return AppError::Taken {
                field: "slug",
                message: format!("`{slug}` is a role of the organization template"),
                detail: format!(
                    "`{slug}` is a role of the organization template, which every organization offers; a custom role needs another slug"
                ),
            };
        }
        if let Some(domain) = key
            .strip_prefix("domain/")
            .and_then(|k| k.strip_suffix("/verified"))
        {
            return AppError::DomainElsewhere(domain.to_owned());
        }
        AppError::Taken {
            field: "external_id",
            message: format!("already used by {owner}"),
            detail: format!("`{key}` is already used by {owner}"),
        }
    }
    /// Offering a template role requires it in the template.
    fn unmet(key: String) -> AppError {
        match key.strip_prefix(domain::claims::ROLE_TEMPLATES_PREFIX) {
            Some(slug) => AppError::Refused(vec![super::role_assignment::Refusal {
                field: "template_roles".into(),
                reason: format!("the organization template has no role `{slug}`"),
            }]),
            None => AppError::RequirementNotMet(key),
        }
    }
}

impl Rejection for RoleTemplateError {
    const KIND: Kind = Kind::TemplateRole;
    fn explain(self, _: &str) -> AppError {
        match self {
            Self::Exists(slug) => {
                AppError::AlreadyExists(Kind::Role, format!("`{slug}` (template)"))
            }
            Self::NotFound(slug) => AppError::NotFound(Kind::TemplateRole, format!("`{slug}`")),
            Self::BuiltIn(slug) => AppError::BuiltInRole(slug),
        }
    }
}

impl Rejection for MembershipError {
    const KIND: Kind = Kind::Membership;
    fn explain(self, id: &str) -> AppError {
        match self {
            Self::NotFound => AppError::NotFound(Kind::Membership, id.to_owned()),
            Self::AlreadyExists => AppError::AlreadyExists(Kind::Membership, id.to_owned()),
        }
    }
    /// Lost a race for the subject: name the membership that won.
    fn taken(key: &str, owner: String) -> AppError {
        AppError::Taken {
            field: "membership_id",
            detail: format!("a membership for this subject already exists: {owner} (`{key}`)"),
            message: owner,
        }
    }
    /// Memberships require their roles in the catalogue.
    fn unmet(key: String) -> AppError {
        AppError::RoleRemoved(key)
    }
}

impl Rejection for GroupError {
    const KIND: Kind = Kind::Group;
    fn explain(self, id: &str) -> AppError {
        match self {
            Self::NotFound => AppError::NotFound(Kind::Group, id.to_owned()),
            Self::AlreadyExists => AppError::AlreadyExists(Kind::Group, id.to_owned()),
            Self::NotMember(m) => AppError::NotMember {
                group: id.to_owned(),
                membership: m.to_string(),
            },
        }
    }
    fn taken(_: &str, owner: String) -> AppError {
        AppError::Taken {
            field: "name",
            detail: format!("the organization already has a group with this name: {owner}"),
            message: format!("already used by {owner}"),
        }
    }
    /// Adding requires the membership active (`membership/<id>/active`); granting roles requires
    /// them in the catalogue.
    fn unmet(key: String) -> AppError {
        if key.starts_with("organization/") {
            return AppError::RoleRemoved(key);
        }
        let id = key.split('/').nth(1).unwrap_or_default();
        AppError::MembershipNotActive(id.to_owned())
    }
}

impl Rejection for InvitationError {
    const KIND: Kind = Kind::Invitation;
    fn explain(self, id: &str) -> AppError {
        match self {
            Self::NotFound => AppError::NotFound(Kind::Invitation, id.to_owned()),
            Self::AlreadyExists => AppError::AlreadyExists(Kind::Invitation, id.to_owned()),
            Self::NotPending(state) => AppError::NotPending {
                id: id.to_owned(),
                state: serde_json::to_value(state)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_else(|| "closed".into()),
            },
            Self::Expired => AppError::Expired(id.to_owned()),
            Self::InvalidToken => AppError::InvalidToken,
        }
    }
    fn taken(_: &str, owner: String) -> AppError {
        AppError::Taken {
            field: "email",
            detail: format!(
                "this email already has a pending invitation to the organization: {owner}"
            ),
            message: format!("pending invitation {owner}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_organization_is_not_found_whatever_the_aggregate() {
        let key = "organization/org_01JD0000000000000000000000/alive".to_owned();
        let e = explain::<GroupError>("grp_x")(StoreError::RequirementFailed { key }.into());
        assert!(
            matches!(e, AppError::NotFound(Kind::Organization, org) if org.starts_with("org_"))
        );
    }

    #[test]
    fn other_requirements_mean_what_the_aggregate_requires() {
        let key = "membership/om_1/active".to_owned();
        let e = explain::<GroupError>("grp_x")(StoreError::RequirementFailed { key }.into());
        assert!(matches!(e, AppError::MembershipNotActive(id) if id == "om_1"));
        let key = "organization/org_1/role/viewer".to_owned();
        let e = explain::<MembershipError>("om_1")(StoreError::RequirementFailed { key }.into());
        assert!(matches!(e, AppError::RoleRemoved(_)));
    }
}
