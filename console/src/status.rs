//! How the system is doing: how far each feed consumer trails the log, the webhook queue, the
//! version.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use crate::page::{render, Chrome, ConsoleError};
use crate::visitor::Visitor;
use crate::ConsoleState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/status", web::get().to(status));
}

pub struct Consumer {
    pub name: &'static str,
    /// `None`: it has never run against this database (the Kafka relay without brokers).
    pub position: Option<i64>,
    pub lag: Option<i64>,
}

#[derive(Template)]
#[template(path = "status.html")]
struct StatusPage {
    chrome: Chrome,
    head: i64,
    consumers: Vec<Consumer>,
    queue: Option<webhook_dispatcher::queue::Stats>,
    version: &'static str,
}

async fn status(
    state: web::Data<ConsoleState>,
    visitor: Visitor,
) -> Result<HttpResponse, ConsoleError> {
    let head = store::Feed::new(state.pool.clone()).head().await?;
    let mut consumers = Vec::new();
    for (name, checkpoint) in state.consumers.iter() {
        let position = store::checkpoints::find(&state.pool, checkpoint).await?;
        consumers.push(Consumer {
            name,
            position,
            lag: position.map(|p| head - p),
        });
    }
    let queue = match &state.webhooks {
        Some(_) => Some(webhook_dispatcher::queue::stats(&state.pool).await?),
        None => None,
    };
    let page = StatusPage {
        chrome: Chrome::new(&visitor, "status", "Status"),
        head,
        consumers,
        queue,
        version: env!("CARGO_PKG_VERSION"),
    };
    render(StatusCode::OK, &page)
}
