//! `GET /v1/export`: the organizations as a declarative document (docs/apply.md), YAML (the
//! default) or JSON; an organization key gets its own organization.

use access::Caller;
use actix_web::{web, HttpRequest, HttpResponse};
use domain::OrganizationId;
use http_edge::Problem;
use paging::{Filter, Params, Spec};
use read_models::state::Selection;

use crate::document::ExportError;
use crate::{not_found, QueryState};

pub(super) const EXPORT: Spec = Spec::single_with(&[
    Filter::of::<OrganizationId>("organization_id"),
    Filter::one_of("format", &["yaml", "json"]),
]);

pub async fn export(
    state: web::Data<QueryState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, Problem> {
    let params = Params::parse(&req, &EXPORT)?;
    let format = params.get("format").unwrap_or("yaml");
    let named = (params.typed::<OrganizationId>("organization_id")).map(|id| id.to_string());
    state.caught_up(params.min_position).await?;
    let id = match (caller.organization.map(|o| o.to_string()), named) {
        (Some(own), Some(named)) if own != named => return Err(not_found("organization", &named)),
        (Some(own), _) => Some(own),
        (None, named) => named,
    };
    let selection = id.as_deref().map_or(Selection::All, Selection::Id);
    let exported = crate::document::export(&state.pool, state.consumer, selection)
        .await
        .map_err(|e| match e {
            ExportError::Store(e) => Problem::from(e),
            ExportError::Stored(org, cause) => {
                tracing::error!(%org, %cause, "a stored organization does not fit the document");
                Problem::internal()
            }
        })?;
    if let Some(id) = &id {
        if exported.document.organizations.is_empty() && exported.without_external_id == 0 {
            return Err(not_found("organization", id));
        }
    }
    let (content_type, body) = match format {
        "json" => (
            "application/json",
            serde_json::to_vec(&exported.document).map_err(|_| Problem::internal())?,
        ),
        _ => (
            "application/yaml",
            declarative::to_yaml(&exported.document)
                .map_err(|_| Problem::internal())?
                .into_bytes(),
        ),
    };
    Ok(HttpResponse::Ok()
        .insert_header(("Roster-Left-Out", exported.without_external_id.to_string()))
        .content_type(content_type)
        .body(body))
}
