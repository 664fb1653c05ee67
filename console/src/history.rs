//! The log through time: the event log with the Events API's filters; an organization's history
//! (everything that happened in it); each object's timeline (its own events, with the fields each
//! changed); and links to see an object as it was at any event (`as_of`).

use actix_web::http::StatusCode;
use actix_web::web;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use domain::{EventEnvelope, OrganizationId};
use paging::{List, Params};
use query_service::reads;
use read_models::organizations::OrganizationRow;
use serde_json::Value;

use crate::form::api_query;
use crate::page::{id, render, Chrome, ConsoleError, Pager};
use crate::visitor::Visitor;
use crate::ConsoleState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/events", web::get().to(log))
        .route("/organizations/{id}/history", web::get().to(organization));
}

/// One field an event changed: its value before (if the previous event is known) and after.
pub struct Change {
    pub field: String,
    pub before: Option<String>,
    pub after: String,
}

/// An event as a timeline shows it.
pub struct Entry {
    pub event: EventEnvelope,
    /// The fields it changed, against the object's previous event (`None`: that one is not on
    /// this page, so every field is shown).
    pub changes: Vec<Change>,
    /// The whole envelope, as JSON.
    pub envelope: String,
    /// Where the object (or its organization's member list) is shown as of this event.
    pub as_of_link: Option<String>,
}

impl Entry {
    pub fn actor(&self) -> String {
        match &self.event.actor.id {
            Some(id) => format!("{} {id}", self.event.actor.kind),
            None => self.event.actor.kind.clone(),
        }
    }
}

fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "—".to_owned(),
        other => other.to_string(),
    }
}

/// The top-level fields of `after` that differ from `before` (every field when there is no
/// `before`); timestamps that change with every event are left out.
pub fn changes(before: Option<&Value>, after: &Value) -> Vec<Change> {
    let Some(fields) = after.as_object() else {
        return Vec::new();
    };
    fields
        .iter()
        .filter(|(k, _)| k.as_str() != "updated_at")
        .filter_map(|(k, v)| {
            let old = before.and_then(|b| b.get(k));
            if before.is_some() && old == Some(v) {
                return None;
            }
            Some(Change {
                field: k.clone(),
                before: old.map(shown),
                after: shown(v),
            })
        })
        .collect()
}

/// Where an event's object is shown as of that event.
pub fn as_of_link(e: &EventEnvelope) -> Option<String> {
    let at = e.position;
    let org = e.organization_id.as_deref()?;
    Some(match e.aggregate.kind.as_str() {
        "membership" if !e.event_type.ends_with(".deleted") => {
            format!("/console/memberships/{}?as_of={at}", e.aggregate.id)
        }
        "group" if !e.event_type.ends_with(".deleted") => {
            format!("/console/groups/{}?as_of={at}", e.aggregate.id)
        }
        _ if e.event_type == "organization.deleted" => return None,
        _ => format!("/console/organizations/{org}/members?as_of={at}"),
    })
}

/// Timeline entries of `events`; when `one_object`, each is compared with the one before it.
pub fn entries(events: Vec<EventEnvelope>, one_object: bool) -> Vec<Entry> {
    let mut previous: Option<Value> = None;
    events
        .into_iter()
        .map(|event| {
            let changes = if one_object {
                changes(previous.as_ref(), &event.data)
            } else {
                Vec::new()
            };
            if one_object {
                previous = Some(event.data.clone());
            }
            Entry {
                envelope: serde_json::to_string_pretty(&event).unwrap_or_default(),
                as_of_link: as_of_link(&event),
                changes,
                event,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "events.html")]
struct LogPage {
    chrome: Chrome,
    entries: Vec<Entry>,
    pager: Pager,
    types: String,
    organization_id: String,
    aggregate_id: String,
    actor_id: String,
    range_start: String,
    range_end: String,
}

/// `datetime-local` values (no zone, read as UTC) as the RFC 3339 times the API takes.
fn times_as_utc(query: &str) -> String {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .unwrap_or_default()
        .into_iter()
        .map(|(n, v)| match n.as_str() {
            "range_start" | "range_end" => (n, crate::form::utc_time(&v)),
            _ => (n, v),
        })
        .collect();
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

/// The event log, newest first, with the Events API's filters.
async fn log(
    state: web::Data<ConsoleState>,
    visitor: Visitor,
    req: HttpRequest,
) -> Result<HttpResponse, ConsoleError> {
    let query = times_as_utc(&api_query(req.query_string()));
    let params = Params::from_query(&query, &reads::EVENTS)?;
    let list = reads::events_page(&state.queries, &visitor.session.caller, &params).await?;
    let given = |name: &str| params.get(name).unwrap_or_default().to_owned();
    let page = LogPage {
        chrome: Chrome::new(&visitor, "events", "Event log"),
        pager: Pager::new("/events", &query, &list),
        entries: entries(list.data, false),
        types: given("types"),
        organization_id: given("organization_id"),
        aggregate_id: given("aggregate_id"),
        actor_id: given("actor_id"),
        range_start: given("range_start")
            .trim_end_matches('Z')
            .chars()
            .take(16)
            .collect(),
        range_end: given("range_end")
            .trim_end_matches('Z')
            .chars()
            .take(16)
            .collect(),
    };
    render(StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "organization_history.html")]
struct OrganizationHistory {
    chrome: Chrome,
    org: OrganizationRow,
    tab: &'static str,
    entries: Vec<Entry>,
    pager: Pager,
}

/// Everything that happened in an organization, newest first, each event with a link to the
/// organization's members as they were then.
async fn organization(
    state: web::Data<ConsoleState>,
    visitor: Visitor,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let org: OrganizationId = id(&path)?;
    let caller = &visitor.session.caller;
    let row = reads::organization_uncounted(&state.queries, caller, None, &org).await?;
    let query = crate::form::with(
        &api_query(req.query_string()),
        "organization_id",
        &org.to_string(),
    );
    let params = Params::from_query(&query, &reads::EVENTS)?;
    let list: List<EventEnvelope> = reads::events_page(&state.queries, caller, &params).await?;
    let page = OrganizationHistory {
        chrome: Chrome::new(&visitor, "organizations", format!("{} · History", row.name)),
        pager: Pager::new(
            &format!("/organizations/{org}/history"),
            req.query_string(),
            &list,
        ),
        org: row,
        tab: "history",
        entries: entries(list.data, false),
    };
    render(StatusCode::OK, &page)
}

/// An object's own events, oldest first, each with the fields it changed.
pub async fn timeline(
    state: &ConsoleState,
    visitor: &Visitor,
    kind: &'static str,
    id: &str,
) -> Result<Vec<Entry>, ConsoleError> {
    let params = Params::from_query("limit=100", &reads::HISTORY)?;
    let list = reads::history_page(
        &state.queries,
        &visitor.session.caller,
        &params,
        kind,
        id.to_owned(),
    )
    .await?;
    Ok(entries(list.data, true))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn changes_name_the_fields_that_moved() {
        let before = json!({"name": "a", "roles": ["member"], "updated_at": "1"});
        let after = json!({"name": "a", "roles": ["admin"], "updated_at": "2"});
        let c = changes(Some(&before), &after);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].field, "roles");
        assert_eq!(c[0].before.as_deref(), Some(r#"["member"]"#));
        assert_eq!(c[0].after, r#"["admin"]"#);
        // The first event shows every field (but the timestamp that changes every time).
        assert_eq!(changes(None, &after).len(), 2);
    }
}
