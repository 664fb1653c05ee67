//! Who is calling: the key the edge authenticated, and what it reaches.

use std::future::{ready, Ready};

use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use domain::RequestContext;
use domain::{Actor, ApiKeyId, OrganizationId};
use http_edge::Problem;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub key_id: ApiKeyId,
    /// Set for an organization key: the only organization it reaches.
    pub organization: Option<OrganizationId>,
    pub read_only: bool,
}

impl Caller {
    /// An admin key reaches everything, and alone may manage keys and organizations.
    pub fn is_admin(&self) -> bool {
        self.organization.is_none()
    }

    pub fn reaches(&self, org: &OrganizationId) -> bool {
        self.organization.is_none_or(|own| own == *org)
    }

    /// For rows that keep organization ids as text: an object of no organization (an endpoint
    /// for every organization's events) is reached by admin keys only.
    pub fn reaches_text(&self, org: Option<&str>) -> bool {
        match (&self.organization, org) {
            (None, _) => true,
            (Some(own), Some(org)) => OrganizationId::parse(org).is_ok_and(|o| o == *own),
            (Some(_), None) => false,
        }
    }

    /// The actor every event this caller causes carries.
    pub fn actor(&self) -> Actor {
        Actor {
            kind: "api_key".into(),
            id: Some(self.key_id.to_string()),
        }
    }

    /// Who asked and what they reach, for the application layer.
    pub fn context(&self, request_id: String) -> RequestContext {
        RequestContext {
            document: None,
            actor: self.actor(),
            request_id,
            limited_to: self.organization,
        }
    }
}

/// Who asks and why, for the application layer: the caller the edge authenticated (the actor of
/// every event, and what it reaches) and the request id the edge set (or the client sent).
pub fn request_context(req: &HttpRequest) -> Result<RequestContext, Problem> {
    let caller = req
        .extensions()
        .get::<Caller>()
        .cloned()
        .ok_or_else(unauthenticated_problem)?;
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    Ok(caller.context(request_id))
}

/// The caller the edge put on the request; a route reached without it is a configuration error,
/// answered as unauthenticated rather than served.
impl FromRequest for Caller {
    type Error = Problem;
    type Future = Ready<Result<Self, Problem>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(
            req.extensions()
                .get::<Caller>()
                .cloned()
                .ok_or_else(unauthenticated_problem),
        )
    }
}

/// The answer to a request without a valid key.
pub(crate) fn unauthenticated_problem() -> Problem {
    Problem::new(
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
        "Unauthenticated",
        "send an API key: `Authorization: Bearer rk_live_…`",
    )
}
