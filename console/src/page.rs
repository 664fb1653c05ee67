//! What every page shares: the frame around it (who is signed in, the CSRF token, the
//! navigation), rendering, redirects after a change, and error pages.

use actix_web::http::header::{CONTENT_TYPE, LOCATION};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;
use http_edge::{FieldError, Problem};

use crate::session::Ended;
use crate::visitor::Visitor;
use crate::PREFIX;

/// The frame of a signed-in page.
pub struct Chrome {
    pub key_name: String,
    /// An admin key (sees every organization, may create them).
    pub admin: bool,
    /// Not a read-only key: action buttons are shown.
    pub can_write: bool,
    pub csrf: String,
    /// The organization an organization key is limited to.
    pub own_organization: Option<String>,
    /// The navigation entry of this page.
    pub nav: &'static str,
    pub title: String,
}

impl Chrome {
    pub fn new(visitor: &Visitor, nav: &'static str, title: impl Into<String>) -> Self {
        let caller = &visitor.session.caller;
        Self {
            key_name: visitor.session.key_name.clone(),
            admin: caller.is_admin(),
            can_write: !caller.read_only,
            csrf: visitor.secret.csrf_token(),
            own_organization: caller.organization.map(|o| o.to_string()),
            nav,
            title: title.into(),
        }
    }
}

/// The errors of a form, by field, and the values typed (shown again as typed).
#[derive(Debug, Default)]
pub struct Feedback {
    pub detail: Option<String>,
    pub errors: Vec<FieldError>,
}

impl Feedback {
    pub fn from_problem(problem: &Problem) -> Self {
        let named = !problem.errors.is_empty();
        Self {
            // The detail of a validation problem only says "see the fields".
            detail: (!named || problem.status != 400).then(|| problem.detail.clone()),
            errors: problem.errors.clone(),
        }
    }

    /// The message for `field` (or one of its items, `field[i]`), if any.
    pub fn of(&self, field: &str) -> Option<String> {
        let messages: Vec<&str> = (self.errors.iter())
            .filter(|e| {
                e.field == field
                    || e.field
                        .strip_prefix(field)
                        .is_some_and(|rest| rest.starts_with('[') || rest.starts_with('.'))
            })
            .map(|e| e.message.as_str())
            .collect();
        (!messages.is_empty()).then(|| messages.join("; "))
    }

    /// Errors naming no field of the form (`fields`): shown above it.
    pub fn others(&self, fields: &[&str]) -> Vec<String> {
        let mut out: Vec<String> = self.detail.iter().cloned().collect();
        for e in &self.errors {
            let known = fields.iter().any(|f| {
                e.field == *f
                    || e.field
                        .strip_prefix(f)
                        .is_some_and(|r| r.starts_with('[') || r.starts_with('.'))
            });
            if !known {
                out.push(format!("{}: {}", e.field, e.message));
            }
        }
        out
    }
}

/// A form as a page shows it: as typed, with what was wrong with it, and the status of the
/// answer (200 for a fresh form; the problem's status after a refused change).
pub struct Shown<F> {
    pub form: F,
    pub feedback: Feedback,
    pub status: StatusCode,
}

impl<F: Default> Shown<F> {
    pub fn fresh() -> Self {
        Self::of(F::default())
    }
}

impl<F> Shown<F> {
    pub fn of(form: F) -> Self {
        Self {
            form,
            feedback: Feedback::default(),
            status: StatusCode::OK,
        }
    }

    pub fn refused(form: F, problem: &Problem) -> Self {
        Self {
            form,
            feedback: Feedback::from_problem(problem),
            status: status(problem),
        }
    }
}

/// Renders `page` as a complete HTML answer.
pub fn render(status: StatusCode, page: &impl Template) -> Result<HttpResponse, ConsoleError> {
    let body = page.render().map_err(|e| {
        tracing::error!(error = %e, "a console template failed to render");
        ConsoleError::Problem(Problem::internal())
    })?;
    Ok(HttpResponse::build(status)
        .insert_header((CONTENT_TYPE, "text/html; charset=utf-8"))
        .body(body))
}

/// The status a problem answers with.
pub fn status(problem: &Problem) -> StatusCode {
    problem.status_code()
}

/// 303 to `path` (under the console), after a change: the next page reads at `position`, so it
/// shows the change (read-your-writes).
pub fn see_other(path: &str, position: Option<i64>) -> HttpResponse {
    let mut location = format!("{PREFIX}{path}");
    if let Some(p) = position {
        location.push(if location.contains('?') { '&' } else { '?' });
        location.push_str(&format!("min_position={p}"));
    }
    HttpResponse::SeeOther()
        .insert_header((LOCATION, location))
        .finish()
}

/// Why a console request was not served as asked.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    #[error("not signed in")]
    SignIn(Ended),
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Problem(Problem),
}

impl From<Problem> for ConsoleError {
    fn from(p: Problem) -> Self {
        if p.status == 404 {
            ConsoleError::NotFound
        } else {
            ConsoleError::Problem(p)
        }
    }
}

impl From<store::StoreError> for ConsoleError {
    fn from(e: store::StoreError) -> Self {
        ConsoleError::Problem(e.into())
    }
}

impl From<command_service::app::AppError> for ConsoleError {
    fn from(e: command_service::app::AppError) -> Self {
        Problem::from(e).into()
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    title: &'a str,
    detail: &'a str,
    /// What each input at fault was refused for.
    fields: Vec<String>,
}

impl ResponseError for ConsoleError {
    fn status_code(&self) -> StatusCode {
        match self {
            ConsoleError::SignIn(_) => StatusCode::SEE_OTHER,
            ConsoleError::Forbidden(_) => StatusCode::FORBIDDEN,
            ConsoleError::NotFound => StatusCode::NOT_FOUND,
            ConsoleError::Problem(p) => p.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (title, detail) = match self {
            ConsoleError::SignIn(ended) => {
                return HttpResponse::SeeOther()
                    .insert_header((LOCATION, format!("{PREFIX}/sign-in?ended={}", ended.code())))
                    .finish()
            }
            ConsoleError::Forbidden(why) => ("Not allowed", *why),
            ConsoleError::NotFound => (
                "Not found",
                "There is no such page, or it is outside what your key reaches.",
            ),
            ConsoleError::Problem(p) => (p.title.as_str(), p.detail.as_str()),
        };
        let status = self.status_code();
        let fields = match self {
            ConsoleError::Problem(p) => (p.errors.iter())
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect(),
            _ => Vec::new(),
        };
        let page = ErrorPage {
            status: status.as_u16(),
            title,
            detail,
            fields,
        };
        match page.render() {
            Ok(body) => HttpResponse::build(status)
                .insert_header((CONTENT_TYPE, "text/html; charset=utf-8"))
                .body(body),
            Err(_) => HttpResponse::build(status).finish(),
        }
    }
}

/// `/console`: the organizations (or, for an organization key, its organization).
pub async fn home(visitor: Visitor) -> HttpResponse {
    match visitor.session.caller.organization {
        Some(org) => see_other(&format!("/organizations/{org}/members"), None),
        None => see_other("/organizations", None),
    }
}

pub async fn not_found() -> Result<HttpResponse, ConsoleError> {
    Err(ConsoleError::NotFound)
}

/// An id from the path, or the not-found page (ids cannot be told from missing objects).
pub fn id<T: std::str::FromStr>(raw: &str) -> Result<T, ConsoleError> {
    raw.parse().map_err(|_| ConsoleError::NotFound)
}

/// Links to the pages either side of a list page, keeping the filters of `query`.
pub struct Pager {
    pub previous: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    pub fn new<T>(path: &str, query: &str, list: &paging::List<T>) -> Self {
        let kept: Vec<(String, String)> =
            serde_urlencoded::from_str::<Vec<(String, String)>>(query)
                .unwrap_or_default()
                .into_iter()
                .filter(|(n, v)| {
                    !matches!(n.as_str(), "before" | "after" | "min_position") && !v.is_empty()
                })
                .collect();
        let link = |name: &str, cursor: &Option<String>| {
            cursor.as_ref().map(|c| {
                let mut pairs = kept.clone();
                pairs.push((name.to_owned(), c.clone()));
                format!(
                    "{PREFIX}{path}?{}",
                    serde_urlencoded::to_string(pairs).unwrap_or_default()
                )
            })
        };
        Self {
            previous: link("before", &list.list_metadata.before),
            next: link("after", &list.list_metadata.after),
        }
    }
}
