//! The organization template: the roles every organization offers besides its own. Every key
//! sees it; an admin key (not read-only) creates, edits and deletes its roles — a deleted role is
//! taken from its holders in every organization by the process manager in the background.

use actix_web::web;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use command_service::app::role_templates as app;
use command_service::input::roles::{RoleCreate, RoleUpdate};
use domain::values::RoleSlug;
use http_edge::Problem;
use paging::Params;
use query_service::reads;
use read_models::organizations::TemplateRoleRow;

use crate::organizations::at;
use crate::page::{render, see_other, status, Chrome, ConsoleError, Feedback, Shown};
use crate::roles::{RoleForm, RoleView};
use crate::visitor::{Change, Visitor};
use crate::ConsoleState;

const PAGE: &str = "/role-templates";

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(PAGE, web::get().to(list))
        .route(PAGE, web::post().to(create))
        .route("/role-templates/{slug}", web::post().to(update))
        .route("/role-templates/{slug}/delete", web::post().to(delete));
}

#[derive(Template)]
#[template(path = "role_templates.html")]
struct TemplatePage {
    chrome: Chrome,
    roles: Vec<RoleView<TemplateRoleRow>>,
    form: RoleForm,
    feedback: Feedback,
}

/// The page, with the form of `editing` (a slug) as typed and its feedback when its change
/// failed.
async fn page(
    state: &ConsoleState,
    visitor: &Visitor,
    min_position: Option<i64>,
    shown: Shown<RoleForm>,
    editing: Option<(String, RoleForm, Feedback)>,
) -> Result<HttpResponse, ConsoleError> {
    let mut query = "limit=100&order=asc".to_owned();
    if let Some(p) = min_position {
        query.push_str(&format!("&min_position={p}"));
    }
    let params = Params::from_query(&query, &reads::ROLE_TEMPLATES)?;
    let roles = reads::role_templates_page(&state.queries, &params).await?;
    let roles = RoleView::list(roles.data, editing);
    let page = TemplatePage {
        chrome: Chrome::new(visitor, "role-templates", "Organization template"),
        roles,
        form: shown.form,
        feedback: shown.feedback,
    };
    render(shown.status, &page)
}

async fn list(
    state: web::Data<ConsoleState>,
    visitor: Visitor,
    req: HttpRequest,
) -> Result<HttpResponse, ConsoleError> {
    page(
        &state,
        &visitor,
        at(req.query_string()),
        Shown::fresh(),
        None,
    )
    .await
}

fn slug(raw: &str) -> Result<RoleSlug, ConsoleError> {
    RoleSlug::parse(raw).map_err(|_| ConsoleError::NotFound)
}

/// Back on the page after a change, or on it again with what went wrong next to the role.
async fn after(
    state: &ConsoleState,
    visitor: &Visitor,
    done: Result<i64, Problem>,
    editing: Option<(String, RoleForm)>,
    typed: RoleForm,
) -> Result<HttpResponse, ConsoleError> {
    match done {
        Ok(position) => Ok(see_other(PAGE, Some(position))),
        Err(problem) if problem.status == 404 && editing.is_some() => Err(ConsoleError::NotFound),
        Err(problem) => match editing {
            Some((slug, form)) => {
                let shown = Shown {
                    status: status(&problem),
                    ..Shown::fresh()
                };
                let editing = Some((slug, form, Feedback::from_problem(&problem)));
                page(state, visitor, None, shown, editing).await
            }
            None => page(state, visitor, None, Shown::refused(typed, &problem), None).await,
        },
    }
}

async fn create(
    state: web::Data<ConsoleState>,
    Change { visitor, form }: Change,
) -> Result<HttpResponse, ConsoleError> {
    let done = async {
        let input = RoleCreate {
            slug: form.typed("slug"),
            name: form.typed("name"),
            description: form.text("description"),
            permissions: Some(form.words("permissions")),
        };
        let written = app::create(&state.commands, &visitor.context(), input.parse()?).await?;
        Ok::<_, Problem>(written.position)
    }
    .await;
    after(&state, &visitor, done, None, RoleForm::typed(&form)).await
}

async fn update(
    state: web::Data<ConsoleState>,
    Change { visitor, form }: Change,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let slug = slug(&path)?;
    let done = async {
        let input = RoleUpdate {
            name: Some(form.typed("name")),
            description: Some(form.text("description")),
            permissions: Some(form.words("permissions")),
        };
        let change = input.parse(slug.clone())?;
        let written = app::update(&state.commands, &visitor.context(), change).await?;
        Ok::<_, Problem>(written.position)
    }
    .await;
    let editing = Some((slug.as_str().to_owned(), RoleForm::typed(&form)));
    after(&state, &visitor, done, editing, RoleForm::default()).await
}

async fn delete(
    state: web::Data<ConsoleState>,
    Change { visitor, .. }: Change,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let slug = slug(&path)?;
    let done = (app::delete(&state.commands, &visitor.context(), &slug).await)
        .map(|w| w.position)
        .map_err(Problem::from);
    let editing = Some((slug.as_str().to_owned(), RoleForm::default()));
    after(&state, &visitor, done, editing, RoleForm::default()).await
}
