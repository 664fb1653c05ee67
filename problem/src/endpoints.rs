//! Every route is declared once, as an [`Endpoint`] (method, path, handler), and mounted from that
//! declaration: so the list of routes the router serves can be read back (for the OpenAPI
//! document, and for tests that must cover every route) without keeping a second list by hand.

use actix_web::dev::Handler;
use actix_web::http::Method;
use actix_web::{web, FromRequest, Responder, Route};

pub struct Endpoint {
    pub method: Method,
    pub path: &'static str,
    route: Route,
}

macro_rules! verb {
    ($name:ident, $method:expr) => {
        pub fn $name<F, Args>(path: &'static str, handler: F) -> Endpoint
        where
            F: Handler<Args>,
            Args: FromRequest + 'static,
            F::Output: Responder + 'static,
        {
            Endpoint {
                method: $method,
                path,
                route: web::to(handler),
            }
        }
    };
}

verb!(get, Method::GET);
verb!(post, Method::POST);
verb!(patch, Method::PATCH);
verb!(delete, Method::DELETE);

/// Mounts `endpoints`, one resource per path (other methods on it answer 405 as a problem).
pub fn mount(cfg: &mut web::ServiceConfig, endpoints: Vec<Endpoint>) {
    let mut paths: Vec<&'static str> = Vec::new();
    for e in &endpoints {
        if !paths.contains(&e.path) {
            paths.push(e.path);
        }
    }
    let mut endpoints: Vec<Option<Endpoint>> = endpoints.into_iter().map(Some).collect();
    for path in paths {
        let mut resource = crate::resource(path);
        for slot in endpoints.iter_mut() {
            if slot.as_ref().is_some_and(|e| e.path == path) {
                if let Some(e) = slot.take() {
                    resource = resource.route(e.route.method(e.method));
                }
            }
        }
        cfg.service(resource);
    }
}

/// `(method, path)` of each endpoint: what `mount` serves.
pub fn table(endpoints: &[Endpoint]) -> Vec<(Method, &'static str)> {
    endpoints
        .iter()
        .map(|e| (e.method.clone(), e.path))
        .collect()
}
