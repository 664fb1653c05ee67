//! An organization's invitations: the list with state and expiry (filtered by state), create
//! with roles and expiry, resend, revoke. A new accept token is shown once, on the page that
//! answers the change (never put in a URL).

use actix_web::http::StatusCode;
use actix_web::web;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use command_service::app::invitations as app;
use command_service::input::invitations::{InvitationCreate, DEFAULT_DAYS};
use domain::{InvitationId, OrganizationId};
use http_edge::Problem;
use paging::{List, Params};
use query_service::reads;
use read_models::invitations::InvitationRow;
use read_models::organizations::{OrganizationRow, RoleRow};

use crate::form::{api_query, Form};
use crate::page::{id, render, see_other, status, Chrome, ConsoleError, Feedback, Pager};
use crate::visitor::{Change, Visitor};
use crate::ConsoleState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/organizations/{id}/invitations", web::get().to(list))
        .route("/organizations/{id}/invitations", web::post().to(create))
        .route("/invitations/{id}/{action}", web::post().to(change));
}

#[derive(Default)]
pub struct InvitationForm {
    pub email: String,
    pub roles: Vec<String>,
    pub expires_in_days: String,
}

impl InvitationForm {
    fn typed(form: &Form) -> Self {
        Self {
            email: form.typed("email"),
            roles: form.all("roles"),
            expires_in_days: form.typed("expires_in_days"),
        }
    }

    pub fn has_role(&self, slug: &str) -> bool {
        self.roles.iter().any(|r| r == slug)
    }
}

/// A token just issued, shown once.
pub struct Issued {
    pub email: String,
    pub token: String,
}

#[derive(Template)]
#[template(path = "invitations.html")]
struct InvitationsPage {
    chrome: Chrome,
    org: OrganizationRow,
    tab: &'static str,
    list: List<InvitationRow>,
    pager: Pager,
    roles: Vec<RoleRow>,
    state: String,
    form: InvitationForm,
    feedback: Feedback,
    issued: Option<Issued>,
    action_problem: Option<Feedback>,
}

struct View {
    form: InvitationForm,
    feedback: Feedback,
    issued: Option<Issued>,
    action_problem: Option<Feedback>,
    status: StatusCode,
}

impl Default for View {
    fn default() -> Self {
        Self {
            form: InvitationForm {
                expires_in_days: DEFAULT_DAYS.to_string(),
                ..Default::default()
            },
            feedback: Feedback::default(),
            issued: None,
            action_problem: None,
            status: StatusCode::OK,
        }
    }
}

async fn invitations_page(
    state: &ConsoleState,
    visitor: &Visitor,
    org: &OrganizationId,
    query: &str,
    view: View,
) -> Result<HttpResponse, ConsoleError> {
    let caller = &visitor.session.caller;
    let api = api_query(query);
    let params = Params::from_query(&api, &reads::INVITATIONS)?;
    let row =
        reads::organization_uncounted(&state.queries, caller, params.min_position, org).await?;
    let list = reads::invitations_page(&state.queries, caller, &params, org).await?;
    let roles_params = Params::from_query("limit=100", &reads::ROLES)?;
    let roles = reads::roles_page(&state.queries, caller, &roles_params, org).await?;
    let page = InvitationsPage {
        chrome: Chrome::new(
            visitor,
            "organizations",
            format!("{} · Invitations", row.name),
        ),
        pager: Pager::new(&format!("/organizations/{org}/invitations"), &api, &list),
        org: row,
        tab: "invitations",
        list,
        roles: roles.data,
        state: params.get("state").unwrap_or_default().to_owned(),
        form: view.form,
        feedback: view.feedback,
        issued: view.issued,
        action_problem: view.action_problem,
    };
    render(view.status, &page)
}

async fn list(
    state: web::Data<ConsoleState>,
    visitor: Visitor,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let org = id(&path)?;
    invitations_page(&state, &visitor, &org, req.query_string(), View::default()).await
}

async fn create(
    state: web::Data<ConsoleState>,
    Change { visitor, form }: Change,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let org: OrganizationId = id(&path)?;
    let created = async {
        let days =
            match form.text("expires_in_days") {
                Some(d) => Some(d.trim().parse::<i64>().map_err(|_| {
                    Problem::field("expires_in_days", "a whole number of days, 1–30")
                })?),
                None => None,
            };
        let input = InvitationCreate {
            email: form.typed("email"),
            roles: Some(form.all("roles")).filter(|r| !r.is_empty()),
            expires_in_days: days,
            inviter_user_id: None,
        };
        Ok::<_, Problem>(
            app::create(&state.commands, &visitor.context(), &org, input.parse()?).await?,
        )
    }
    .await;
    match created {
        Ok(issued) => {
            let at = format!("min_position={}", issued.invitation.position);
            let view = View {
                issued: Some(Issued {
                    email: issued.invitation.object.email.as_str().to_owned(),
                    token: issued.token,
                }),
                ..Default::default()
            };
            invitations_page(&state, &visitor, &org, &at, view).await
        }
        Err(problem) => {
            let view = View {
                form: InvitationForm::typed(&form),
                feedback: Feedback::from_problem(&problem),
                status: status(&problem),
                ..Default::default()
            };
            invitations_page(&state, &visitor, &org, "", view).await
        }
    }
}

async fn change(
    state: web::Data<ConsoleState>,
    Change { visitor, form }: Change,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ConsoleError> {
    let (raw, action) = path.into_inner();
    let invitation: InvitationId = id(&raw)?;
    let ctx = visitor.context();
    match action.as_str() {
        "revoke" => match app::revoke(&state.commands, &ctx, &invitation).await {
            Ok(w) => Ok(see_other(
                &format!("/organizations/{}/invitations", w.object.organization_id),
                Some(w.position),
            )),
            Err(e) => failed(&state, &visitor, &form, e.into()).await,
        },
        "resend" => match app::resend(&state.commands, &ctx, &invitation).await {
            Ok(issued) => {
                let org = issued.invitation.object.organization_id;
                let view = View {
                    issued: Some(Issued {
                        email: issued.invitation.object.email.as_str().to_owned(),
                        token: issued.token,
                    }),
                    ..Default::default()
                };
                let at = format!("min_position={}", issued.invitation.position);
                invitations_page(&state, &visitor, &org, &at, view).await
            }
            Err(e) => failed(&state, &visitor, &form, e.into()).await,
        },
        _ => Err(ConsoleError::NotFound),
    }
}

/// A resend or revoke failed: the list again (the organization the form came from), with why.
async fn failed(
    state: &ConsoleState,
    visitor: &Visitor,
    form: &Form,
    problem: Problem,
) -> Result<HttpResponse, ConsoleError> {
    let org: OrganizationId = match (problem.status, form.text("organization_id")) {
        (404, _) | (_, None) => return Err(ConsoleError::from(problem)),
        (_, Some(org)) => id(&org)?,
    };
    let view = View {
        action_problem: Some(Feedback::from_problem(&problem)),
        status: status(&problem),
        ..Default::default()
    };
    invitations_page(state, visitor, &org, "", view).await
}
