//! The one mapping from the application layer's answers to problem+json.

use actix_web::http::StatusCode;

use crate::app::{AppError, Kind};
use http_edge::Problem;

impl From<AppError> for Problem {
    fn from(e: AppError) -> Self {
        let detail = e.to_string();
        let unprocessable = |slug: &str, title: &str, field: &str| {
            Problem::unprocessable(slug, title, field, detail.clone())
        };
        match e {
            AppError::NotFound(..) | AppError::NotMember { .. } => Problem::not_found(detail),
            AppError::AlreadyExists(Kind::Role, _) => {
                Problem::conflict(detail).with_field("slug", "already exists")
            }
            AppError::AlreadyExists(Kind::Domain, _) => {
                Problem::conflict(detail).with_field("domain", "already added")
            }
            AppError::AlreadyExists(..) | AppError::Concurrent => Problem::conflict(detail),
            AppError::DomainElsewhere(_) => Problem::new(
                StatusCode::CONFLICT,
                "domain-verified-elsewhere",
                "Domain verified by another organization",
                detail.clone(),
            )
            .with_field("domain", "verified by another organization"),
            AppError::DomainNotVerified { ref reason, .. } => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "domain-not-verified",
                "Domain not verified",
                detail.clone(),
            )
            .with_field("domain", reason.clone()),
            AppError::TooManyDomains(_) => {
                unprocessable("too-many-domains", "Too many domains", "domain")
            }
            AppError::FreeMailDomain(_) => {
                unprocessable("free-mail-domain", "Free-mail domain", "domain")
            }
            AppError::UnknownDefaultRole(_) => {
                unprocessable("unknown-role", "Unknown role", "default_roles")
            }
            AppError::NoAutoJoin(_) => unprocessable("no-auto-join", "No auto-join", "email"),
            AppError::Taken { field, message, .. } => {
                Problem::conflict(detail).with_field(field, message)
            }
            AppError::UnknownRole { ref role, .. } => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown-role",
                "Unknown role",
                detail.clone(),
            )
            .with_field("roles", format!("unknown role `{role}`")),
            AppError::RoleRemoved(_) => unprocessable("unknown-role", "Unknown role", "roles"),
            AppError::BuiltInRole(_) => unprocessable("built-in-role", "Built-in role", "slug"),
            AppError::TemplateRole(_) => Problem::new(
                StatusCode::CONFLICT,
                "template-role",
                "Template role",
                detail.clone(),
            )
            .with_field("slug", "a role of the organization template"),
            AppError::MembershipNotActive(_) => unprocessable(
                "membership-not-active",
                "Membership not active",
                "membership_id",
            ),
            AppError::WrongOrganization(_) => {
                unprocessable("wrong-organization", "Wrong organization", "membership_id")
            }
            AppError::NotPending { .. } => {
                unprocessable("invitation-not-pending", "Invitation not pending", "state")
            }
            AppError::Expired(_) => {
                unprocessable("invitation-expired", "Invitation expired", "expires_at")
            }
            AppError::InvalidToken => unprocessable(
                "invalid-accept-token",
                "Invalid accept token",
                "accept_token",
            ),
            AppError::Forbidden(_) => Problem::new(
                StatusCode::FORBIDDEN,
                "admin-key-required",
                "Admin key required",
                detail,
            ),
            AppError::Refused(refusals) => refusals.into_iter().fold(
                Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "change-refused",
                    "Change refused",
                    detail,
                ),
                |problem, r| problem.with_field(&r.field, r.reason),
            ),
            AppError::RequirementNotMet(_) => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "requirement-not-met",
                "Requirement not met",
                detail,
            ),
            AppError::SeatLimit { limit, .. } => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "seat-limit-reached",
                "Seat limit reached",
                detail,
            )
            .with_field(
                "max_members",
                format!("the organization's limit of {limit} active members is reached"),
            ),
            AppError::Unavailable(cause) => {
                tracing::warn!(%cause, "database unavailable");
                Problem::unavailable("the database is unavailable; retry shortly")
            }
            AppError::Unstorable(_) => Problem::malformed(detail),
            AppError::Internal(cause) => {
                tracing::error!(%cause, "command failed");
                Problem::internal()
            }
        }
    }
}
