//! Organizations: the list (search by name and external id, cursor paging), create, edit, and
//! delete — carried out in the background by the process manager, its progress shown.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::web;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use command_service::app::organizations as app;
use command_service::input::organizations::{OrganizationCreate, OrganizationUpdate};
use domain::OrganizationId;
use http_edge::Problem;
use paging::{List, Params};
use query_service::reads;
use read_models::organizations::OrganizationRow;

use crate::form::{api_query, Form};
use crate::page::{id, render, see_other, Chrome, ConsoleError, Feedback, Pager, Shown};
use crate::visitor::{Change, Visitor};
use crate::ConsoleState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/organizations", web::get().to(list))
        .route("/organizations", web::post().to(create))
        .route("/organizations/{id}", web::get().to(open))
        .route("/organizations/{id}/settings", web::get().to(settings))
        .route("/organizations/{id}/settings", web::post().to(update))
        .route("/organizations/{id}/delete", web::post().to(delete))
        .route("/organizations/{id}/deletion", web::get().to(deletion));
}

/// What the create and edit forms hold, as typed.
#[derive(Default)]
pub struct OrganizationForm {
    pub name: String,
    pub description: String,
    pub external_id: String,
    pub metadata: String,
    /// The seat limit as typed; empty: unlimited.
    pub max_members: String,
}

impl OrganizationForm {
    fn of(row: &OrganizationRow) -> Self {
        let metadata = (row.metadata.as_object().into_iter().flatten())
            .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
            .collect::<Vec<_>>()
            .join("\n");
        Self {
            name: row.name.clone(),
            description: row.description.clone().unwrap_or_default(),
            external_id: row.external_id.clone().unwrap_or_default(),
            metadata,
            max_members: row.max_members.map(|n| n.to_string()).unwrap_or_default(),
        }
    }

    fn typed(form: &Form) -> Self {
        Self {
            name: form.typed("name"),
            description: form.typed("description"),
            external_id: form.typed("external_id"),
            metadata: form.typed("metadata"),
            max_members: form.typed("max_members"),
        }
    }
}

/// The seat limit as typed: empty is unlimited; anything but a whole number is a problem naming
/// the field (its range is the API's, checked when the input is parsed).
fn max_members(form: &Form) -> Result<Option<u64>, Problem> {
    form.text("max_members")
        .map(|n| {
            n.trim().parse().map_err(|_| {
                Problem::field(
                    "max_members",
                    "must be a whole number, or empty for no limit",
                )
            })
        })
        .transpose()
}

/// `key=value` lines as metadata, or a problem naming the line.
fn metadata(form: &Form) -> Result<BTreeMap<String, String>, Problem> {
    form.lines("metadata")
        .map(|pairs| pairs.into_iter().collect())
        .map_err(|line| Problem::field("metadata", format!("line {line} is not key=value")))
}

#[derive(Template)]
#[template(path = "organizations.html")]
struct ListPage {
    chrome: Chrome,
    list: List<OrganizationRow>,
    pager: Pager,
    name: String,
    external_id: String,
    form: OrganizationForm,
    feedback: Feedback,
}

/// The list page, with the create form as typed and its feedback.
async fn list_page(
    state: &ConsoleState,
    visitor: &Visitor,
    req: &HttpRequest,
    shown: Shown<OrganizationForm>,
) -> Result<HttpResponse, ConsoleError> {
    let query = api_query(req.query_string());
    let params = Params::from_query(&query, &reads::ORGANIZATIONS)?;
    let list = reads::organizations_page(&state.queries, &visitor.session.caller, &params).await?;
    let page = ListPage {
        chrome: Chrome::new(visitor, "organizations", "Organizations"),
        pager: Pager::new("/organizations", &query, &list),
        list,
        name: params.get("name").unwrap_or_default().to_owned(),
        external_id: params.get("external_id").unwrap_or_default().to_owned(),
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
    list_page(&state, &visitor, &req, Shown::fresh()).await
}

async fn create(
    state: web::Data<ConsoleState>,
    Change { visitor, form }: Change,
    req: HttpRequest,
) -> Result<HttpResponse, ConsoleError> {
    let created = async {
        let input = OrganizationCreate {
            name: form.typed("name"),
            description: form.text("description"),
            external_id: form.text("external_id"),
            metadata: Some(metadata(&form)?),
            max_members: max_members(&form)?,
            template_roles: None,
        };
        Ok::<_, Problem>(app::create(&state.commands, &visitor.context(), input.parse()?).await?)
    }
    .await;
    match created {
        Ok(written) => Ok(see_other(
            &format!("/organizations/{}/members", written.object.id),
            Some(written.position),
        )),
        Err(problem) => {
            let shown = Shown::refused(OrganizationForm::typed(&form), &problem);
            list_page(&state, &visitor, &req, shown).await
        }
    }
}

async fn open(path: web::Path<String>) -> Result<HttpResponse, ConsoleError> {
    let org: OrganizationId = id(&path)?;
    Ok(see_other(&format!("/organizations/{org}/members"), None))
}

#[derive(Template)]
#[template(path = "organization_settings.html")]
struct SettingsPage {
    chrome: Chrome,
    org: OrganizationRow,
    tab: &'static str,
    form: OrganizationForm,
    feedback: Feedback,
    saved: bool,
}

async fn settings_page(
    state: &ConsoleState,
    visitor: &Visitor,
    org: &OrganizationId,
    min_position: Option<i64>,
    typed: Option<Shown<OrganizationForm>>,
) -> Result<HttpResponse, ConsoleError> {
    let row =
        reads::organization(&state.queries, &visitor.session.caller, min_position, org).await?;
    let shown = typed.unwrap_or_else(|| Shown::of(OrganizationForm::of(&row)));
    let page = SettingsPage {
        chrome: Chrome::new(visitor, "organizations", format!("{} · Settings", row.name)),
        form: shown.form,
        saved: min_position.is_some(),
        org: row,
        tab: "settings",
        feedback: shown.feedback,
    };
    render(shown.status, &page)
}

#[derive(serde::Deserialize)]
pub struct AtPosition {
    pub min_position: Option<i64>,
}

/// `min_position` as the reads take it (a malformed one is ignored: the page reads as of now).
pub fn at(query: &str) -> Option<i64> {
    serde_urlencoded::from_str::<AtPosition>(query)
        .ok()
        .and_then(|a| a.min_position)
        .filter(|p| (0..=paging::MAX_POSITION).contains(p))
}

async fn settings(
    state: web::Data<ConsoleState>,
    visitor: Visitor,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let org = id(&path)?;
    settings_page(&state, &visitor, &org, at(req.query_string()), None).await
}

async fn update(
    state: web::Data<ConsoleState>,
    Change { visitor, form }: Change,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let org: OrganizationId = id(&path)?;
    let updated = async {
        let input = OrganizationUpdate {
            name: Some(form.typed("name")),
            description: Some(form.text("description")),
            external_id: Some(form.text("external_id")),
            metadata: Some(metadata(&form)?),
            max_members: Some(max_members(&form)?),
            template_roles: None,
        };
        Ok::<_, Problem>(
            app::update(&state.commands, &visitor.context(), &org, input.parse()?).await?,
        )
    }
    .await;
    match updated {
        Ok(written) => Ok(see_other(
            &format!("/organizations/{org}/settings"),
            Some(written.position),
        )),
        Err(problem) if problem.status == 404 => Err(ConsoleError::NotFound),
        Err(problem) => {
            let shown = Shown::refused(OrganizationForm::typed(&form), &problem);
            settings_page(&state, &visitor, &org, None, Some(shown)).await
        }
    }
}

async fn delete(
    state: web::Data<ConsoleState>,
    Change { visitor, .. }: Change,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let org: OrganizationId = id(&path)?;
    let written = app::request_deletion(&state.commands, &visitor.context(), &org).await?;
    Ok(see_other(
        &format!("/organizations/{org}/deletion"),
        Some(written.position),
    ))
}

#[derive(Template)]
#[template(path = "organization_deletion.html")]
struct DeletionPage {
    chrome: Chrome,
    id: String,
    /// The organization while its deletion goes on; `None` once it is done.
    org: Option<OrganizationRow>,
}

/// The deletion's progress: the organization with what is left in it until the process manager
/// has deleted it (the page refreshes itself), then that it is gone.
async fn deletion(
    state: web::Data<ConsoleState>,
    visitor: Visitor,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let org: OrganizationId = id(&path)?;
    let row = match reads::organization(
        &state.queries,
        &visitor.session.caller,
        at(req.query_string()),
        &org,
    )
    .await
    {
        Ok(row) => Some(row),
        Err(p) if p.status == 404 => None,
        Err(p) => return Err(p.into()),
    };
    let page = DeletionPage {
        chrome: Chrome::new(&visitor, "organizations", "Deleting an organization"),
        id: org.to_string(),
        org: row,
    };
    render(StatusCode::OK, &page)
}
