//! What every command handler takes from the request and hands back in the response.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use domain::values::{RoleSlug, ValueError};
use serde::Serialize;

use crate::app::Written;
use http_edge::Problem;

/// Who asks and why (see `access::request_context`).
pub use access::request_context as context;

/// An object after a change, as every command answers it: its kind (`object`), its fields, and
/// the `position` of the change's last event.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(rename = "{T}Change")]
pub struct Shown<'a, T> {
    /// The kind of object.
    pub object: &'static str,
    #[serde(flatten)]
    pub fields: &'a T,
    /// The position of the change's last event: pass it as `min_position` to read your write.
    pub position: i64,
}

pub fn shown<'a, T>(what: &'static str, written: &'a Written<T>) -> Shown<'a, T> {
    Shown {
        object: what,
        fields: &written.object,
        position: written.position,
    }
}

/// The object after the change, with the position of the change's last event in the body and in
/// the `Roster-Position` header.
pub fn respond<T: Serialize>(
    status: StatusCode,
    what: &'static str,
    written: &Written<T>,
) -> Result<HttpResponse, Problem> {
    Ok(with_position(status, written.position).json(shown(what, written)))
}

/// A response builder carrying `position` in the `Roster-Position` header.
pub fn with_position(status: StatusCode, position: i64) -> actix_web::HttpResponseBuilder {
    let mut builder = HttpResponse::build(status);
    builder.insert_header((crate::POSITION_HEADER, position.to_string()));
    builder
}

/// A list of role slugs, as a set.
pub fn roles(list: Vec<String>) -> Result<std::collections::BTreeSet<RoleSlug>, ValueError> {
    list.iter().map(|r| RoleSlug::parse(r)).collect()
}
