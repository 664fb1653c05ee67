//! An organization's domains: add one (its TXT record to publish is shown), check it now, set
//! its policy (`off`, `suggest`, `auto_join`) and default roles, remove it. Pending domains are
//! also checked in the background until they expire.

use actix_web::web;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use command_service::app::domains as app;
use command_service::input::domains::{DomainAdd, DomainUpdate};
use domain::values::DomainName;
use domain::OrganizationId;
use http_edge::Problem;
use paging::Params;
use query_service::reads;
use read_models::domains::DomainRow;
use read_models::organizations::{OrganizationRow, RoleRow};

use crate::organizations::at;
use crate::page::{id, render, see_other, status, Chrome, ConsoleError, Feedback, Shown};
use crate::visitor::{Change, Visitor};
use crate::ConsoleState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/organizations/{id}/domains", web::get().to(list))
        .route("/organizations/{id}/domains", web::post().to(add))
        .route(
            "/organizations/{id}/domains/{domain}",
            web::post().to(update),
        )
        .route(
            "/organizations/{id}/domains/{domain}/verify",
            web::post().to(verify),
        )
        .route(
            "/organizations/{id}/domains/{domain}/remove",
            web::post().to(remove),
        );
}

/// The add form as typed.
#[derive(Default)]
pub struct DomainForm {
    pub domain: String,
}

/// A domain with the record to publish, and what went wrong with its last change (if anything).
pub struct DomainView {
    pub row: DomainRow,
    pub record_name: String,
    pub record_value: String,
    pub feedback: Feedback,
    pub open: bool,
}

#[derive(Template)]
#[template(path = "domains.html")]
struct DomainsPage {
    chrome: Chrome,
    org: OrganizationRow,
    tab: &'static str,
    domains: Vec<DomainView>,
    catalogue: Vec<RoleRow>,
    form: DomainForm,
    feedback: Feedback,
}

/// What a refused change of one domain left to show beside it.
type Refused = Option<(String, Feedback)>;

async fn domains_page(
    state: &ConsoleState,
    visitor: &Visitor,
    org: &OrganizationId,
    min_position: Option<i64>,
    shown: Shown<DomainForm>,
    refused: Refused,
) -> Result<HttpResponse, ConsoleError> {
    let caller = &visitor.session.caller;
    let row = reads::organization_uncounted(&state.queries, caller, min_position, org).await?;
    let params = Params::from_query("limit=100", &reads::DOMAINS)?;
    let domains = reads::domains_page(&state.queries, caller, &params, org).await?;
    let params = Params::from_query("limit=100", &reads::ROLES)?;
    let catalogue = reads::roles_page(&state.queries, caller, &params, org).await?;
    let mut refused = refused;
    let domains = (domains.data.into_iter())
        .map(|row| {
            let text = |k: &str| row.verification[k].as_str().unwrap_or_default().to_owned();
            let (record_name, record_value) = (text("name"), text("value"));
            let (feedback, open) = match refused.take_if(|(d, _)| *d == row.domain) {
                Some((_, feedback)) => (feedback, true),
                None => (Feedback::default(), false),
            };
            DomainView {
                row,
                record_name,
                record_value,
                feedback,
                open,
            }
        })
        .collect();
    let page = DomainsPage {
        chrome: Chrome::new(visitor, "organizations", format!("{} · Domains", row.name)),
        org: row,
        tab: "domains",
        domains,
        catalogue: catalogue.data,
        form: shown.form,
        feedback: shown.feedback,
    };
    render(shown.status, &page)
}

async fn list(
    state: web::Data<ConsoleState>,
    visitor: Visitor,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let org = id(&path)?;
    let shown = Shown::fresh();
    domains_page(&state, &visitor, &org, at(req.query_string()), shown, None).await
}

async fn add(
    state: web::Data<ConsoleState>,
    Change { visitor, form }: Change,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let org: OrganizationId = id(&path)?;
    let typed = form.typed("domain");
    let added = async {
        let input = DomainAdd {
            domain: typed.clone(),
        };
        Ok::<_, Problem>(app::add(&state.commands, &visitor.context(), &org, input.parse()?).await?)
    }
    .await;
    match added {
        Ok(w) => Ok(see_other(
            &format!("/organizations/{org}/domains"),
            Some(w.position),
        )),
        Err(problem) => {
            let shown = Shown::refused(DomainForm { domain: typed }, &problem);
            domains_page(&state, &visitor, &org, None, shown, None).await
        }
    }
}

/// The organization and domain a per-domain action names; a malformed one is not there.
fn target(path: web::Path<(String, String)>) -> Result<(OrganizationId, DomainName), ConsoleError> {
    let (raw, raw_domain) = path.into_inner();
    let org = id(&raw)?;
    let domain = DomainName::parse(&raw_domain).map_err(|_| ConsoleError::NotFound)?;
    Ok((org, domain))
}

/// After a change of one domain: to the page at its position, or the page with the problem
/// beside the domain.
async fn answer(
    state: &ConsoleState,
    visitor: &Visitor,
    org: &OrganizationId,
    domain: &DomainName,
    done: Result<i64, Problem>,
) -> Result<HttpResponse, ConsoleError> {
    match done {
        Ok(position) => Ok(see_other(
            &format!("/organizations/{org}/domains"),
            Some(position),
        )),
        Err(problem) if problem.status == 404 => Err(ConsoleError::NotFound),
        Err(problem) => {
            let shown = Shown {
                status: status(&problem),
                ..Shown::fresh()
            };
            let refused = Some((domain.as_str().to_owned(), Feedback::from_problem(&problem)));
            domains_page(state, visitor, org, None, shown, refused).await
        }
    }
}

async fn update(
    state: web::Data<ConsoleState>,
    Change { visitor, form }: Change,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ConsoleError> {
    let (org, domain) = target(path)?;
    let done = async {
        let input = DomainUpdate {
            policy: form.text("policy"),
            default_roles: Some(form.all("default_roles")),
        };
        let change = input.parse(domain.clone())?;
        let w = app::update(&state.commands, &visitor.context(), &org, change).await?;
        Ok::<_, Problem>(w.position)
    }
    .await;
    answer(&state, &visitor, &org, &domain, done).await
}

async fn verify(
    state: web::Data<ConsoleState>,
    Change { visitor, .. }: Change,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ConsoleError> {
    let (org, domain) = target(path)?;
    let done = app::verify(&state.commands, &visitor.context(), &org, &domain)
        .await
        .map(|w| w.position)
        .map_err(Problem::from);
    answer(&state, &visitor, &org, &domain, done).await
}

async fn remove(
    state: web::Data<ConsoleState>,
    Change { visitor, .. }: Change,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ConsoleError> {
    let (org, domain) = target(path)?;
    let done = app::remove(&state.commands, &visitor.context(), &org, &domain)
        .await
        .map(|w| w.position)
        .map_err(Problem::from);
    answer(&state, &visitor, &org, &domain, done).await
}
