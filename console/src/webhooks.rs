//! Webhooks: endpoints (create, edit filters, enable and disable, rotate the signing secret with
//! the previous one's grace shown, delete), each endpoint's deliveries with a chart of successes
//! and failures, each delivery's attempts and a retry, recovering failed deliveries since a time,
//! and replaying a position range with the job's progress.

use actix_web::http::StatusCode;
use actix_web::web;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use domain::{DeliveryId, ReplayId, WebhookEndpointId};
use http_edge::Problem;
use paging::{List, Params};
use query_service::reads;
use webhook_dispatcher::manage::{self, SecretView, WithAttempts};
use webhook_dispatcher::queue::{DeliveryRow, EndpointRow, Outcomes};
use webhook_dispatcher::WebhookState;

use crate::form::{api_query, Form};
use crate::page::{id, render, see_other, Chrome, ConsoleError, Feedback, Pager, Shown};
use crate::visitor::{Change, Visitor};
use crate::ConsoleState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/webhooks", web::get().to(list))
        .route("/webhooks", web::post().to(create))
        .route("/webhooks/{id}", web::get().to(endpoint))
        .route("/webhooks/{id}", web::post().to(update))
        .route("/webhooks/{id}/{action}", web::post().to(act))
        .route("/deliveries/{id}", web::get().to(delivery))
        .route("/deliveries/{id}/retry", web::post().to(retry))
        .route("/replays/{id}", web::get().to(replay));
}

/// The dispatcher's state, where this process runs webhooks.
fn dispatcher(state: &ConsoleState) -> Result<&WebhookState, Problem> {
    state.webhooks.as_deref().ok_or_else(|| {
        Problem::unavailable("webhooks are not served by this process (roster serve --only)")
    })
}

#[derive(Default)]
pub struct EndpointForm {
    pub url: String,
    pub description: String,
    pub event_types: String,
    pub organization_id: String,
    pub rate_limit_per_s: String,
}

impl EndpointForm {
    fn typed(form: &Form) -> Self {
        Self {
            url: form.typed("url"),
            description: form.typed("description"),
            event_types: form.typed("event_types"),
            organization_id: form.typed("organization_id"),
            rate_limit_per_s: form.typed("rate_limit_per_s"),
        }
    }

    fn of(row: &EndpointRow) -> Self {
        Self {
            url: row.url.clone(),
            description: row.description.clone().unwrap_or_default(),
            event_types: row.event_types.join("\n"),
            organization_id: row.organization_id.clone().unwrap_or_default(),
            rate_limit_per_s: row
                .rate_limit_per_s
                .map(|r| r.to_string())
                .unwrap_or_default(),
        }
    }
}

/// A whole number typed in `field`, or a problem naming it.
fn number(form: &Form, field: &str) -> Result<Option<i64>, Problem> {
    form.text(field)
        .map(|t| {
            t.trim()
                .parse::<i64>()
                .map_err(|_| Problem::field(field, "a whole number"))
        })
        .transpose()
}

#[derive(Template)]
#[template(path = "webhooks.html")]
struct ListPage {
    chrome: Chrome,
    list: List<EndpointRow>,
    pager: Pager,
    form: EndpointForm,
    feedback: Feedback,
}

async fn list_page(
    state: &ConsoleState,
    visitor: &Visitor,
    query: &str,
    shown: Shown<EndpointForm>,
) -> Result<HttpResponse, ConsoleError> {
    let api = api_query(query);
    let params = Params::from_query(&api, &manage::ENDPOINTS)?;
    let list = manage::endpoints_page(dispatcher(state)?, &visitor.session.caller, &params).await?;
    let page = ListPage {
        chrome: Chrome::new(visitor, "webhooks", "Webhooks"),
        pager: Pager::new("/webhooks", &api, &list),
        list,
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
    list_page(&state, &visitor, req.query_string(), Shown::fresh()).await
}

async fn create(
    state: web::Data<ConsoleState>,
    Change { visitor, form }: Change,
) -> Result<HttpResponse, ConsoleError> {
    let created = async {
        let input = manage::EndpointCreate {
            url: Some(form.typed("url")),
            description: form.text("description"),
            event_types: Some(form.words("event_types")),
            organization_id: form.text("organization_id"),
            secret: None,
            rate_limit_per_s: number(&form, "rate_limit_per_s")?,
        };
        manage::create_endpoint(dispatcher(&state)?, &visitor.session.caller, input).await
    }
    .await;
    match created {
        Ok(row) => Ok(see_other(&format!("/webhooks/{}", row.id), None)),
        Err(problem) => {
            list_page(
                &state,
                &visitor,
                "",
                Shown::refused(EndpointForm::typed(&form), &problem),
            )
            .await
        }
    }
}

/// A slice of the chart: its bars' heights (of 100) and what they count.
pub struct Bar {
    pub label: String,
    pub succeeded: i64,
    pub failed: i64,
    pub x: usize,
    pub ok_height: i64,
    pub failed_height: i64,
}

/// The chart's bars: 24 hourly slices of the last day, scaled to the busiest.
fn bars(outcomes: &[Outcomes]) -> Vec<Bar> {
    let most = outcomes
        .iter()
        .map(|o| o.succeeded + o.failed)
        .max()
        .unwrap_or(0)
        .max(1);
    outcomes
        .iter()
        .enumerate()
        .map(|(i, o)| Bar {
            label: o.from.format("%H:%M").to_string(),
            succeeded: o.succeeded,
            failed: o.failed,
            x: i * 20,
            ok_height: o.succeeded * 100 / most,
            failed_height: o.failed * 100 / most,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "webhook.html")]
struct EndpointPage {
    chrome: Chrome,
    endpoint: EndpointRow,
    secret: SecretView,
    deliveries: List<DeliveryRow>,
    pager: Pager,
    status: String,
    bars: Vec<Bar>,
    form: EndpointForm,
    feedback: Feedback,
    /// What a recover, replay or rotation said or could not do.
    notice: Option<String>,
    action_problem: Option<Feedback>,
}

struct View {
    shown: Option<Shown<EndpointForm>>,
    notice: Option<String>,
    action_problem: Option<Feedback>,
    status: StatusCode,
}

impl Default for View {
    fn default() -> Self {
        Self {
            shown: None,
            notice: None,
            action_problem: None,
            status: StatusCode::OK,
        }
    }
}

async fn endpoint_page(
    state: &ConsoleState,
    visitor: &Visitor,
    id: &WebhookEndpointId,
    query: &str,
    view: View,
) -> Result<HttpResponse, ConsoleError> {
    let dispatcher = dispatcher(state)?;
    let caller = &visitor.session.caller;
    let endpoint = manage::endpoint(dispatcher, caller, id).await?;
    let api = api_query(query);
    let params = Params::from_query(&api, &manage::DELIVERIES)?;
    let deliveries = manage::deliveries_page(dispatcher, caller, &params, id).await?;
    let secret = manage::secret_of(dispatcher, caller, id).await?;
    let outcomes = manage::outcomes(
        dispatcher,
        caller,
        id,
        std::time::Duration::from_secs(24 * 3600),
        24,
    )
    .await?;
    let (form, feedback, status) = match view.shown {
        Some(shown) => (shown.form, shown.feedback, shown.status),
        None => (
            EndpointForm::of(&endpoint),
            Feedback::default(),
            view.status,
        ),
    };
    let page = EndpointPage {
        chrome: Chrome::new(visitor, "webhooks", format!("Webhook {}", endpoint.url)),
        pager: Pager::new(&format!("/webhooks/{id}"), &api, &deliveries),
        status: params.get("status").unwrap_or_default().to_owned(),
        bars: bars(&outcomes),
        endpoint,
        secret,
        deliveries,
        form,
        feedback,
        notice: view.notice,
        action_problem: view.action_problem,
    };
    render(status, &page)
}

async fn endpoint(
    state: web::Data<ConsoleState>,
    visitor: Visitor,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let endpoint = id(&path)?;
    let query = crate::form::without(req.query_string(), &["min_position"]);
    endpoint_page(&state, &visitor, &endpoint, &query, View::default()).await
}

async fn update(
    state: web::Data<ConsoleState>,
    Change { visitor, form }: Change,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let endpoint: WebhookEndpointId = id(&path)?;
    let updated = async {
        let input = manage::EndpointUpdate {
            url: Some(form.typed("url")),
            description: Some(form.text("description")),
            event_types: Some(form.words("event_types")),
            organization_id: visitor
                .session
                .caller
                .is_admin()
                .then(|| form.text("organization_id")),
            rate_limit_per_s: Some(number(&form, "rate_limit_per_s")?),
        };
        manage::update_endpoint(
            dispatcher(&state)?,
            &visitor.session.caller,
            &endpoint,
            input,
        )
        .await
    }
    .await;
    match updated {
        Ok(_) => Ok(see_other(&format!("/webhooks/{endpoint}"), None)),
        Err(p) if p.status == 404 => Err(ConsoleError::NotFound),
        Err(problem) => {
            let view = View {
                shown: Some(Shown::refused(EndpointForm::typed(&form), &problem)),
                ..View::default()
            };
            endpoint_page(&state, &visitor, &endpoint, "", view).await
        }
    }
}

async fn act(
    state: web::Data<ConsoleState>,
    Change { visitor, form }: Change,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ConsoleError> {
    let (raw, action) = path.into_inner();
    let endpoint: WebhookEndpointId = id(&raw)?;
    let dispatcher = dispatcher(&state)?;
    let caller = &visitor.session.caller;
    let done: Result<Option<String>, Problem> = match action.as_str() {
        "enable" | "disable" => {
            manage::set_enabled(dispatcher, caller, &endpoint, action == "enable")
                .await
                .map(|_| None)
        }
        "rotate" => manage::rotate(dispatcher, caller, &endpoint, None)
            .await
            .map(|s| {
                Some(format!(
                    "The signing secret was rotated; the previous one keeps signing until {}.",
                    s.previous_expires_at
                        .map(|t| t.to_rfc3339())
                        .unwrap_or_default()
                ))
            }),
        "delete" => {
            manage::delete_endpoint(dispatcher, caller, &endpoint).await?;
            return Ok(see_other("/webhooks", None));
        }
        "recover" => {
            let input = manage::RecoverBody {
                since: crate::form::utc_time(&form.typed("since")),
            };
            manage::recover_since(dispatcher, caller, &endpoint, input)
                .await
                .map(|n| Some(format!("{n} failed deliveries were queued again.")))
        }
        "replay" => {
            let input = async {
                Ok::<_, Problem>(manage::ReplayBody {
                    from_position: number(&form, "from_position")?
                        .ok_or_else(|| Problem::field("from_position", "required"))?,
                    to_position: number(&form, "to_position")?,
                })
            }
            .await;
            match input {
                Ok(input) => match manage::replay_range(dispatcher, caller, &endpoint, input).await
                {
                    Ok(job) => return Ok(see_other(&format!("/replays/{}", job.id), None)),
                    Err(p) => Err(p),
                },
                Err(p) => Err(p),
            }
        }
        _ => return Err(ConsoleError::NotFound),
    };
    match done {
        Ok(notice) if notice.is_none() => Ok(see_other(&format!("/webhooks/{endpoint}"), None)),
        Ok(notice) => {
            let view = View {
                notice,
                ..View::default()
            };
            endpoint_page(&state, &visitor, &endpoint, "", view).await
        }
        Err(p) if p.status == 404 => Err(ConsoleError::NotFound),
        Err(problem) => {
            let view = View {
                action_problem: Some(Feedback::from_problem(&problem)),
                status: crate::page::status(&problem),
                ..View::default()
            };
            endpoint_page(&state, &visitor, &endpoint, "", view).await
        }
    }
}

#[derive(Template)]
#[template(path = "delivery.html")]
struct DeliveryPage {
    chrome: Chrome,
    delivery: WithAttempts,
}

async fn delivery(
    state: web::Data<ConsoleState>,
    visitor: Visitor,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let delivery: DeliveryId = id(&path)?;
    let found =
        manage::with_attempts(dispatcher(&state)?, &visitor.session.caller, &delivery).await?;
    let page = DeliveryPage {
        chrome: Chrome::new(&visitor, "webhooks", format!("Delivery {delivery}")),
        delivery: found,
    };
    render(StatusCode::OK, &page)
}

async fn retry(
    state: web::Data<ConsoleState>,
    Change { visitor, .. }: Change,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let delivery: DeliveryId = id(&path)?;
    manage::retry_delivery(dispatcher(&state)?, &visitor.session.caller, &delivery).await?;
    Ok(see_other(&format!("/deliveries/{delivery}"), None))
}

#[derive(Template)]
#[template(path = "replay.html")]
struct ReplayPage {
    chrome: Chrome,
    job: store::replays::Replay,
}

/// A replay job's progress, followed until it is done.
async fn replay(
    state: web::Data<ConsoleState>,
    visitor: Visitor,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let job: ReplayId = id(&path)?;
    let job = reads::replay(&state.queries, &visitor.session.caller, &job).await?;
    let page = ReplayPage {
        chrome: Chrome::new(&visitor, "webhooks", format!("Replay {}", job.id)),
        job,
    };
    render(StatusCode::OK, &page)
}
