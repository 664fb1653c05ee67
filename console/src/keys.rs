//! An organization's API keys (admin keys only): the list, create (its secret shown once, on the
//! page that answers the change), revoke — at once, in every process, ending the key's sessions.

use actix_web::web;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use domain::api_key::ApiKeyData;
use domain::{ApiKeyId, OrganizationId};
use paging::{List, Params};
use query_service::reads;
use read_models::organizations::OrganizationRow;

use crate::form::api_query;
use crate::page::{id, render, see_other, Chrome, ConsoleError, Feedback, Pager, Shown};
use crate::visitor::{Change, Visitor};
use crate::ConsoleState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/organizations/{id}/keys", web::get().to(list))
        .route("/organizations/{id}/keys", web::post().to(create))
        .route(
            "/organizations/{id}/keys/{key}/revoke",
            web::post().to(revoke),
        );
}

#[derive(Default)]
pub struct KeyForm {
    pub name: String,
    pub read_only: bool,
    pub expires_at: String,
}

#[derive(Template)]
#[template(path = "keys.html")]
struct KeysPage {
    chrome: Chrome,
    org: OrganizationRow,
    tab: &'static str,
    list: List<ApiKeyData>,
    pager: Pager,
    form: KeyForm,
    feedback: Feedback,
    /// A key just made, and its secret: shown this once.
    made: Option<(String, String)>,
}

async fn keys_page(
    state: &ConsoleState,
    visitor: &Visitor,
    org: &OrganizationId,
    query: &str,
    shown: Shown<KeyForm>,
    made: Option<(String, String)>,
) -> Result<HttpResponse, ConsoleError> {
    let caller = &visitor.session.caller;
    if !caller.is_admin() {
        return Err(ConsoleError::NotFound);
    }
    let row = reads::organization_uncounted(&state.queries, caller, None, org).await?;
    let api = crate::form::with(&api_query(query), "organization_id", &org.to_string());
    let params = Params::from_query(&api, &access::KEYS)?;
    let list = access::keys_page(&state.keys_admin, caller, &params).await?;
    let page = KeysPage {
        chrome: Chrome::new(visitor, "organizations", format!("{} · API keys", row.name)),
        pager: Pager::new(&format!("/organizations/{org}/keys"), query, &list),
        org: row,
        tab: "keys",
        list,
        form: shown.form,
        feedback: shown.feedback,
        made,
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
    let query = crate::form::without(req.query_string(), &["min_position"]);
    keys_page(&state, &visitor, &org, &query, Shown::fresh(), None).await
}

async fn create(
    state: web::Data<ConsoleState>,
    Change { visitor, form }: Change,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let org: OrganizationId = id(&path)?;
    let input = access::KeyCreate {
        name: form.typed("name"),
        organization_id: Some(org.to_string()),
        read_only: form.text("read_only").is_some(),
        expires_at: form.text("expires_at").map(|t| crate::form::utc_time(&t)),
    };
    match access::create_key(
        &state.keys_admin,
        &visitor.session.caller,
        &visitor.context(),
        input,
    )
    .await
    {
        Ok((key, secret)) => {
            keys_page(
                &state,
                &visitor,
                &org,
                "",
                Shown::fresh(),
                Some((key.name, secret)),
            )
            .await
        }
        Err(problem) => {
            let typed = KeyForm {
                name: form.typed("name"),
                read_only: form.text("read_only").is_some(),
                expires_at: form.typed("expires_at"),
            };
            keys_page(
                &state,
                &visitor,
                &org,
                "",
                Shown::refused(typed, &problem),
                None,
            )
            .await
        }
    }
}

async fn revoke(
    state: web::Data<ConsoleState>,
    Change { visitor, .. }: Change,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ConsoleError> {
    let (raw, raw_key) = path.into_inner();
    let org: OrganizationId = id(&raw)?;
    let key: ApiKeyId = id(&raw_key)?;
    access::revoke_key(
        &state.keys_admin,
        &visitor.session.caller,
        &visitor.context(),
        &key,
    )
    .await?;
    Ok(see_other(&format!("/organizations/{org}/keys"), None))
}
