//! The one way a route takes ids (and role slugs, user ids) from its path (and, through
//! [`FromParam`], typed values from its query string): parsed by the domain's
//! own parsers, a malformed one a 400 naming the path parameter as the route declares it (a
//! well-formed unknown one is a 404 later, from the route).

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use domain::values::{DomainName, Email, ExternalId, GroupName, RoleSlug, SubjectId};

use crate::Problem;

/// A value a path or query parameter can hold, parsed by its own parser.
pub trait FromParam: Sized {
    fn from_param(raw: &str) -> Result<Self, String>;
}

macro_rules! ids {
    ($($ty:ty),*) => {$(
        impl FromParam for $ty {
            fn from_param(raw: &str) -> Result<Self, String> {
                <$ty>::parse(raw).map_err(|e| e.to_string())
            }
        }
    )*};
}

ids!(
    domain::OrganizationId,
    domain::MembershipId,
    domain::GroupId,
    domain::InvitationId,
    domain::ApiKeyId,
    domain::WebhookEndpointId,
    domain::DeliveryId,
    domain::ReplayId,
    domain::EventId
);

macro_rules! values {
    ($($ty:ty),*) => {$(
        impl FromParam for $ty {
            fn from_param(raw: &str) -> Result<Self, String> {
                <$ty>::parse(raw).map_err(|e| e.0)
            }
        }
    )*};
}

values!(RoleSlug, SubjectId, Email, ExternalId, GroupName, DomainName);

/// The route's one path parameter (or its first), parsed.
pub struct Id<A>(pub A);

/// The route's two path parameters, parsed, in the order of the path.
pub struct Ids<A, B>(pub A, pub B);

/// The path parameter at `n`: its value percent-decoded as `web::Path` decodes it, parsed, or a
/// 400 naming it.
fn param<T: FromParam>(req: &HttpRequest, n: usize) -> Result<T, Problem> {
    let values = web::Path::<Vec<String>>::extract(req)
        .into_inner()
        .map_err(|e| Problem::malformed(format!("invalid path parameter: {e}")))?;
    let name = req.match_info().iter().nth(n).map(|(name, _)| name);
    match (name, values.get(n)) {
        (Some(name), Some(raw)) => T::from_param(raw).map_err(|e| Problem::field(name, e)),
        _ => Err(Problem::internal()),
    }
}

impl<A: FromParam> FromRequest for Id<A> {
    type Error = Problem;
    type Future = Ready<Result<Self, Problem>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(param(req, 0).map(Id))
    }
}

impl<A: FromParam, B: FromParam> FromRequest for Ids<A, B> {
    type Error = Problem;
    type Future = Ready<Result<Self, Problem>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(param(req, 0).and_then(|a| Ok(Ids(a, param(req, 1)?))))
    }
}
