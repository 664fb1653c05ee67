//! An organization's roles: the catalogue with permissions, create, edit (name, description,
//! permissions) and delete — the role leaves the catalogue at once and the process manager takes
//! it from every holder in the background; the page follows it until no one holds it. Also which
//! of the organization template's roles it offers: all of them, or those checked.

use actix_web::http::StatusCode;
use actix_web::web;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use command_service::app::organizations;
use command_service::app::roles as app;
use command_service::input::organizations::OrganizationUpdate;
use command_service::input::roles::{RoleCreate, RoleUpdate};
use domain::values::RoleSlug;
use domain::OrganizationId;
use http_edge::Problem;
use paging::Params;
use query_service::reads;
use read_models::organizations::{OrganizationRow, RoleRow};

use crate::form::Form;
use crate::organizations::at;
use crate::page::{id, render, see_other, status, Chrome, ConsoleError, Feedback, Shown};
use crate::visitor::{Change, Visitor};
use crate::ConsoleState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/organizations/{id}/roles", web::get().to(list))
        .route("/organizations/{id}/roles", web::post().to(create))
        .route("/organizations/{id}/roles/{slug}", web::post().to(update))
        .route(
            "/organizations/{id}/roles/{slug}/delete",
            web::post().to(delete),
        )
        .route(
            "/organizations/{id}/roles/{slug}/deletion",
            web::get().to(deletion),
        )
        .route("/organizations/{id}/template-roles", web::post().to(offer));
}

/// A role of the template, and whether the organization offers it.
pub struct TemplateChoice {
    pub slug: String,
    pub name: String,
    pub offered: bool,
}

/// What the organization offers of the template: all of it, or the roles checked — as it is, or
/// as typed when the change failed.
pub struct Offering {
    pub all: bool,
    pub roles: Vec<TemplateChoice>,
    pub feedback: Feedback,
}

/// The choice as typed: `offer=all`, or the `template_roles` checked.
struct TypedOffering {
    all: bool,
    chosen: Vec<String>,
    feedback: Feedback,
}

/// Every role of the template, page after page (a choice must show all of them, or saving it
/// would withdraw those not shown).
async fn template_roles(
    state: &ConsoleState,
    min_position: Option<i64>,
) -> Result<Vec<read_models::organizations::TemplateRoleRow>, ConsoleError> {
    let mut all = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let mut query = vec![("limit", "100".to_owned()), ("order", "asc".to_owned())];
        query.extend(min_position.map(|p| ("min_position", p.to_string())));
        query.extend(after.take().map(|a| ("after", a)));
        let query = serde_urlencoded::to_string(&query).unwrap_or_default();
        let params = Params::from_query(&query, &reads::ROLE_TEMPLATES)?;
        let page = reads::role_templates_page(&state.queries, &params).await?;
        all.extend(page.data);
        match page.list_metadata.after {
            Some(a) => after = Some(a),
            None => return Ok(all),
        }
    }
}

/// The role form as typed (permissions one per line).
#[derive(Default)]
pub struct RoleForm {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub permissions: String,
}

impl RoleForm {
    pub(crate) fn typed(form: &Form) -> Self {
        Self {
            slug: form.typed("slug"),
            name: form.typed("name"),
            description: form.typed("description"),
            permissions: form.typed("permissions"),
        }
    }
}

/// A role with its edit form: as it is, or as typed when its change failed (then open).
pub struct RoleView<R = RoleRow> {
    pub row: R,
    pub form: RoleForm,
    pub feedback: Feedback,
    pub open: bool,
}

/// A role row an edit form starts from: an organization's or the template's.
pub trait EditableRole {
    fn slug(&self) -> &str;
    fn form(&self) -> RoleForm;
}

fn form_of(
    slug: &str,
    name: &str,
    description: &Option<String>,
    permissions: &[String],
) -> RoleForm {
    RoleForm {
        slug: slug.to_owned(),
        name: name.to_owned(),
        description: description.clone().unwrap_or_default(),
        permissions: permissions.join("\n"),
    }
}

impl EditableRole for RoleRow {
    fn slug(&self) -> &str {
        &self.slug
    }
    fn form(&self) -> RoleForm {
        form_of(&self.slug, &self.name, &self.description, &self.permissions)
    }
}

impl EditableRole for read_models::organizations::TemplateRoleRow {
    fn slug(&self) -> &str {
        &self.slug
    }
    fn form(&self) -> RoleForm {
        form_of(&self.slug, &self.name, &self.description, &self.permissions)
    }
}

impl<R: EditableRole> RoleView<R> {
    /// Every role with its form; `editing` (a slug, its form as typed and the refusal) open.
    pub fn list(rows: Vec<R>, editing: Option<(String, RoleForm, Feedback)>) -> Vec<Self> {
        let mut editing = editing;
        (rows.into_iter())
            .map(
                |row| match editing.take_if(|(slug, _, _)| slug == row.slug()) {
                    Some((_, form, feedback)) => RoleView {
                        row,
                        form,
                        feedback,
                        open: true,
                    },
                    None => RoleView {
                        form: row.form(),
                        row,
                        feedback: Feedback::default(),
                        open: false,
                    },
                },
            )
            .collect()
    }
}

#[derive(Template)]
#[template(path = "roles.html")]
struct RolesPage {
    chrome: Chrome,
    org: OrganizationRow,
    tab: &'static str,
    roles: Vec<RoleView>,
    form: RoleForm,
    feedback: Feedback,
    offering: Offering,
}

async fn roles_page(
    state: &ConsoleState,
    visitor: &Visitor,
    org: &OrganizationId,
    min_position: Option<i64>,
    shown: Shown<RoleForm>,
    editing: Option<(String, RoleForm, Feedback)>,
    typed: Option<TypedOffering>,
) -> Result<HttpResponse, ConsoleError> {
    let caller = &visitor.session.caller;
    let row = reads::organization_uncounted(&state.queries, caller, min_position, org).await?;
    let params = Params::from_query("limit=100", &reads::ROLES)?;
    let roles = reads::roles_page(&state.queries, caller, &params, org).await?;
    let roles = RoleView::list(roles.data, editing);
    let typed = typed.unwrap_or_else(|| TypedOffering {
        all: row.template_roles.is_none(),
        chosen: row.template_roles.clone().unwrap_or_default(),
        feedback: Feedback::default(),
    });
    let offering = Offering {
        all: typed.all,
        roles: (template_roles(state, min_position).await?.into_iter())
            .map(|t| TemplateChoice {
                offered: typed.all || typed.chosen.contains(&t.slug),
                slug: t.slug,
                name: t.name,
            })
            .collect(),
        feedback: typed.feedback,
    };
    let page = RolesPage {
        chrome: Chrome::new(visitor, "organizations", format!("{} · Roles", row.name)),
        org: row,
        tab: "roles",
        roles,
        form: shown.form,
        feedback: shown.feedback,
        offering,
    };
    render(shown.status, &page)
}

/// Offers all of the template, or only the roles checked; those no longer offered are taken from
/// their holders by the process manager.
async fn offer(
    state: web::Data<ConsoleState>,
    Change { visitor, form }: Change,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let org: OrganizationId = id(&path)?;
    let all = form.text("offer").as_deref() == Some("all");
    let chosen = form.all("template_roles");
    let updated = async {
        let input = OrganizationUpdate {
            template_roles: Some((!all).then(|| chosen.clone())),
            ..Default::default()
        };
        let change = input.parse()?;
        Ok::<_, Problem>(
            organizations::update(&state.commands, &visitor.context(), &org, change).await?,
        )
    }
    .await;
    match updated {
        Ok(w) => Ok(see_other(
            &format!("/organizations/{org}/roles"),
            Some(w.position),
        )),
        Err(problem) if problem.status == 404 => Err(ConsoleError::NotFound),
        Err(problem) => {
            let typed = TypedOffering {
                all,
                chosen,
                feedback: Feedback::from_problem(&problem),
            };
            let shown = Shown {
                status: status(&problem),
                ..Shown::fresh()
            };
            roles_page(&state, &visitor, &org, None, shown, None, Some(typed)).await
        }
    }
}

async fn list(
    state: web::Data<ConsoleState>,
    visitor: Visitor,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let org = id(&path)?;
    roles_page(
        &state,
        &visitor,
        &org,
        at(req.query_string()),
        Shown::fresh(),
        None,
        None,
    )
    .await
}

async fn create(
    state: web::Data<ConsoleState>,
    Change { visitor, form }: Change,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let org: OrganizationId = id(&path)?;
    let created = async {
        let input = RoleCreate {
            slug: form.typed("slug"),
            name: form.typed("name"),
            description: form.text("description"),
            permissions: Some(form.words("permissions")),
        };
        Ok::<_, Problem>(
            app::create(&state.commands, &visitor.context(), &org, input.parse()?).await?,
        )
    }
    .await;
    match created {
        Ok(w) => Ok(see_other(
            &format!("/organizations/{org}/roles"),
            Some(w.position),
        )),
        Err(problem) => {
            roles_page(
                &state,
                &visitor,
                &org,
                None,
                Shown::refused(RoleForm::typed(&form), &problem),
                None,
                None,
            )
            .await
        }
    }
}

async fn update(
    state: web::Data<ConsoleState>,
    Change { visitor, form }: Change,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ConsoleError> {
    let (raw, raw_slug) = path.into_inner();
    let org: OrganizationId = id(&raw)?;
    let slug = RoleSlug::parse(&raw_slug).map_err(|_| ConsoleError::NotFound)?;
    let updated = async {
        let input = RoleUpdate {
            name: Some(form.typed("name")),
            description: Some(form.text("description")),
            permissions: Some(form.words("permissions")),
        };
        Ok::<_, Problem>(
            app::update(
                &state.commands,
                &visitor.context(),
                &org,
                input.parse(slug.clone())?,
            )
            .await?,
        )
    }
    .await;
    match updated {
        Ok(w) => Ok(see_other(
            &format!("/organizations/{org}/roles"),
            Some(w.position),
        )),
        Err(problem) if problem.status == 404 => Err(ConsoleError::NotFound),
        Err(problem) => {
            let editing = Some((
                slug.as_str().to_owned(),
                RoleForm::typed(&form),
                Feedback::from_problem(&problem),
            ));
            roles_page(
                &state,
                &visitor,
                &org,
                None,
                Shown {
                    status: status(&problem),
                    ..Shown::fresh()
                },
                editing,
                None,
            )
            .await
        }
    }
}

async fn delete(
    state: web::Data<ConsoleState>,
    Change { visitor, .. }: Change,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ConsoleError> {
    let (raw, raw_slug) = path.into_inner();
    let org: OrganizationId = id(&raw)?;
    let slug = RoleSlug::parse(&raw_slug).map_err(|_| ConsoleError::NotFound)?;
    match app::delete(&state.commands, &visitor.context(), &org, &slug).await {
        Ok(w) => Ok(see_other(
            &format!("/organizations/{org}/roles/{}/deletion", slug.as_str()),
            Some(w.position),
        )),
        Err(e) => {
            let problem = Problem::from(e);
            if problem.status == 404 {
                return Err(ConsoleError::NotFound);
            }
            let editing = Some((
                slug.as_str().to_owned(),
                RoleForm::default(),
                Feedback::from_problem(&problem),
            ));
            roles_page(
                &state,
                &visitor,
                &org,
                None,
                Shown {
                    status: status(&problem),
                    ..Shown::fresh()
                },
                editing,
                None,
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "role_deletion.html")]
struct DeletionPage {
    chrome: Chrome,
    org: OrganizationRow,
    slug: String,
    /// Memberships still holding the role (up to a page of them).
    holders: usize,
    more: bool,
}

/// The role's deletion: how many memberships still hold it, until none does.
async fn deletion(
    state: web::Data<ConsoleState>,
    visitor: Visitor,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ConsoleError> {
    let (raw, raw_slug) = path.into_inner();
    let org: OrganizationId = id(&raw)?;
    let slug = RoleSlug::parse(&raw_slug).map_err(|_| ConsoleError::NotFound)?;
    let caller = &visitor.session.caller;
    let row =
        reads::organization_uncounted(&state.queries, caller, at(req.query_string()), &org).await?;
    let query =
        serde_urlencoded::to_string([("role", slug.as_str()), ("status", "all"), ("limit", "100")])
            .unwrap_or_default();
    let params = Params::from_query(&query, &reads::MEMBERSHIPS)?;
    let holders = reads::memberships_page(&state.queries, caller, &params, &org).await?;
    let page = DeletionPage {
        chrome: Chrome::new(
            &visitor,
            "organizations",
            format!("Deleting the role {}", slug.as_str()),
        ),
        org: row,
        slug: slug.as_str().to_owned(),
        holders: holders.data.len(),
        more: holders.list_metadata.after.is_some(),
    };
    render(StatusCode::OK, &page)
}
