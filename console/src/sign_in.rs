//! Signing in (an API key exchanged for a session) and out.

use actix_web::cookie::{time, Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::web::{self, Bytes};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use access::keys::Refused;

use crate::form::Form;
use crate::page::{render, see_other, ConsoleError};
use crate::session::{self, Ended};
use crate::visitor::{Visitor, COOKIE};
use crate::{ConsoleState, PREFIX};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/sign-in", web::get().to(show))
        .route("/sign-in", web::post().to(sign_in))
        .route("/sign-out", web::post().to(sign_out));
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignIn {
    message: Option<&'static str>,
    /// Whether the message reports a failure (else: a notice, such as signed out).
    failed: bool,
}

#[derive(Deserialize)]
struct Query {
    ended: Option<String>,
}

async fn show(query: web::Query<Query>) -> Result<HttpResponse, ConsoleError> {
    let ended = query.ended.as_deref().and_then(Ended::from_code);
    let message = match ended {
        Some(Ended::Unknown) if query.ended.as_deref() == Some("signed-out") => {
            Some("You have signed out.")
        }
        Some(e) => e.message(),
        None => None,
    };
    render(
        StatusCode::OK,
        &SignIn {
            message,
            failed: !matches!(ended, Some(Ended::Unknown) | None),
        },
    )
}

fn refused(status: StatusCode, message: &'static str) -> Result<HttpResponse, ConsoleError> {
    render(
        status,
        &SignIn {
            message: Some(message),
            failed: true,
        },
    )
}

fn cookie(req: &HttpRequest, value: String, max_age: time::Duration) -> Cookie<'static> {
    Cookie::build(COOKIE, value)
        .path(PREFIX)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(req.connection_info().scheme() == "https")
        .max_age(max_age)
        .finish()
}

async fn sign_in(
    state: web::Data<ConsoleState>,
    req: HttpRequest,
    body: Bytes,
) -> Result<HttpResponse, ConsoleError> {
    let client = req.peer_addr().map(|a| a.ip());
    if client.is_some_and(|ip| state.sign_ins.check_key(&ip).is_err()) {
        return refused(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many sign-in attempts from your address. Wait a minute and try again.",
        );
    }
    let form = Form::parse(&body)?;
    let key = form.text("key").unwrap_or_default();
    let caller = match state.keys.authenticate(key.trim()).await {
        Ok(caller) => caller,
        Err(Refused::Store(e)) => return Err(e.into()),
        Err(Refused::Revoked) => {
            return refused(StatusCode::UNAUTHORIZED, "This API key was revoked.")
        }
        Err(Refused::Expired) => {
            return refused(StatusCode::UNAUTHORIZED, "This API key has expired.")
        }
        Err(Refused::Malformed | Refused::Unknown) => {
            return refused(
                StatusCode::UNAUTHORIZED,
                "That is not a valid API key. Paste the whole key, starting with rk_live_.",
            )
        }
    };
    let secret = session::start(&state.pool, &caller.key_id, state.lifetimes).await?;
    let max_age = time::Duration::seconds(state.lifetimes.absolute.as_secs() as i64);
    let mut res = see_other("", None);
    res.add_cookie(&cookie(&req, secret.as_str().to_owned(), max_age))
        .map_err(|_| http_edge::Problem::internal())?;
    Ok(res)
}

async fn sign_out(
    state: web::Data<ConsoleState>,
    req: HttpRequest,
    visitor: Visitor,
    body: Bytes,
) -> Result<HttpResponse, ConsoleError> {
    let form = Form::parse(&body)?;
    if !visitor
        .secret
        .csrf_matches(&form.text("csrf").unwrap_or_default())
    {
        return Err(ConsoleError::Forbidden(
            "The form did not carry this session's token. Reload the page and try again.",
        ));
    }
    session::end(&state.pool, &visitor.secret).await?;
    let mut res = see_other("/sign-in?ended=signed-out", None);
    res.add_cookie(&cookie(&req, String::new(), time::Duration::ZERO))
        .map_err(|_| http_edge::Problem::internal())?;
    Ok(res)
}
