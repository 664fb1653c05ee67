//! Who is asking: the session the cookie opens (or a redirect to the sign-in page), and the checks
//! a change must pass — the session's CSRF token, and a key that may write.

use std::future::Future;
use std::pin::Pin;

use actix_web::{web, FromRequest, HttpRequest};
use domain::RequestContext;

use crate::form::Form;
use crate::page::ConsoleError;
use crate::session::{self, Ended, Secret, Session};
use crate::ConsoleState;

/// The session cookie: `HttpOnly`, `SameSite=Strict`, limited to the console's path, `Secure`
/// when served over TLS.
pub const COOKIE: &str = "roster_console";

/// A signed-in visitor.
pub struct Visitor {
    pub session: Session,
    pub secret: Secret,
    request_id: String,
}

impl Visitor {
    /// Who asks, for the application layer: the session's key is the actor, as on the API.
    pub fn context(&self) -> RequestContext {
        self.session.caller.context(self.request_id.clone())
    }

    /// A change may be made: the form carries this session's CSRF token, and the key is not
    /// read-only (a forged request from a read-only session is refused, not just unshown).
    pub fn may_change(&self, form: &Form) -> Result<(), ConsoleError> {
        let token = form.text("csrf").unwrap_or_default();
        if !self.secret.csrf_matches(&token) {
            return Err(ConsoleError::Forbidden(
                "The form did not carry this session's token (it was sent from elsewhere, or \
                 before you signed in again). Reload the page and try again.",
            ));
        }
        if self.session.caller.read_only {
            return Err(ConsoleError::Forbidden(
                "This API key may only read: it cannot change anything.",
            ));
        }
        Ok(())
    }
}

impl FromRequest for Visitor {
    type Error = ConsoleError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ConsoleError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let state = req.app_data::<web::Data<ConsoleState>>().cloned();
        let secret = req
            .cookie(COOKIE)
            .and_then(|c| Secret::from_cookie(c.value()));
        let request_id = req
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        Box::pin(async move {
            let state = state.ok_or(ConsoleError::NotFound)?;
            let secret = secret.ok_or(ConsoleError::SignIn(Ended::Unknown))?;
            let session = session::resume(&state.pool, &secret, state.lifetimes)
                .await?
                .map_err(ConsoleError::SignIn)?;
            Ok(Visitor {
                session,
                secret,
                request_id,
            })
        })
    }
}

/// A change a signed-in visitor sends: its form, already checked — the session's CSRF token, a
/// key that may write ([`Visitor::may_change`]).
pub struct Change {
    pub visitor: Visitor,
    pub form: Form,
}

impl FromRequest for Change {
    type Error = ConsoleError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ConsoleError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let visitor = Visitor::from_request(req, payload);
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let visitor = visitor.await?;
            let body = body
                .await
                .map_err(|_| http_edge::Problem::malformed("the form cannot be read"))?;
            let form = Form::parse(&body)?;
            visitor.may_change(&form)?;
            Ok(Change { visitor, form })
        })
    }
}
