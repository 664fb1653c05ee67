//! A process that has just started serves HTTP at once (health reports it not ready), while the
//! store is prepared in the background: migrations, then the organization template's built-in
//! roles. A change asked for in between would find no template (`member` unknown), so every
//! request that is not a read waits for the store to be prepared — up to [`WAIT`], then a 503
//! with `Retry-After`. Once prepared, the check is one look at a watch channel.

use std::time::Duration;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web;
use http_edge::Problem;
use tokio::sync::watch;

/// How long a change waits for the store to be prepared.
pub const WAIT: Duration = Duration::from_secs(10);

/// Says `true` once the store is prepared (`roster serve`'s migrator).
#[derive(Clone)]
pub struct Prepared(pub watch::Receiver<bool>);

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let reads = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if let (false, Some(prepared)) = (reads, req.app_data::<web::Data<Prepared>>()) {
        let mut prepared = prepared.0.clone();
        let ready = tokio::time::timeout(WAIT, prepared.wait_for(|p| *p)).await;
        if !matches!(ready, Ok(Ok(_))) {
            let problem =
                Problem::unavailable("the database is still being prepared; retry shortly");
            let (req, _) = req.into_parts();
            let res = actix_web::ResponseError::error_response(&problem);
            return Ok(ServiceResponse::new(req, res).map_into_right_body());
        }
    }
    Ok(next.call(req).await?.map_into_left_body())
}
