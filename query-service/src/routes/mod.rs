mod groups;
mod invitations;
mod memberships;
mod organizations;

use actix_web::{guard, web, Route};
use problem::resource;

/// Every read route: its path and its GET handler.
fn routes() -> Vec<(&'static str, Route)> {
    vec![
        ("/v1/organizations", web::get().to(organizations::list)),
        (
            "/v1/organizations/{org_id}",
            web::get().to(organizations::get),
        ),
        (
            "/v1/organizations/{org_id}/roles",
            web::get().to(organizations::roles),
        ),
        (
            "/v1/organizations/{org_id}/claims",
            web::get().to(organizations::claims),
        ),
        (
            "/v1/organizations/{org_id}/memberships",
            web::get().to(memberships::of_organization),
        ),
        ("/v1/memberships/{id}", web::get().to(memberships::get)),
        (
            "/v1/memberships/{id}/groups",
            web::get().to(memberships::groups),
        ),
        (
            "/v1/users/{user_id}/memberships",
            web::get().to(memberships::of_user),
        ),
        (
            "/v1/organizations/{org_id}/groups",
            web::get().to(groups::of_organization),
        ),
        ("/v1/groups/{id}", web::get().to(groups::get)),
        ("/v1/groups/{id}/members", web::get().to(groups::members)),
        (
            "/v1/organizations/{org_id}/invitations",
            web::get().to(invitations::of_organization),
        ),
        ("/v1/invitations/{id}", web::get().to(invitations::get)),
    ]
}

/// `(GET, path)` of every read route: what `configure` serves.
pub fn table() -> Vec<(actix_web::http::Method, &'static str)> {
    routes()
        .into_iter()
        .map(|(path, _)| (actix_web::http::Method::GET, path))
        .collect()
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    for (path, route) in routes() {
        // A resource-level guard lets other methods fall through to the command routes.
        cfg.service(web::resource(path).guard(guard::Get()).route(route));
    }
}

pub fn method_fallbacks(cfg: &mut web::ServiceConfig) {
    for (path, _) in routes() {
        cfg.service(resource(path));
    }
}
