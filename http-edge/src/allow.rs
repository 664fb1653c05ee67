//! RFC 9110 §15.5.6: a 405 answer names the methods its resource has, in `Allow`. Routes of one
//! path may be served by several components (reads and commands), so the list is taken from the
//! routes actually served, keyed by the path's template.

use std::collections::{BTreeMap, BTreeSet};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderValue, ALLOW};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web;

/// The methods of each served path template (`/v1/groups/{}`: parameter names left out, as
/// components may name them differently).
#[derive(Debug, Default)]
pub struct Allowed(BTreeMap<String, String>);

impl Allowed {
    pub fn of(routes: &[(Method, &str)]) -> Self {
        let mut methods: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
        for (method, path) in routes {
            methods
                .entry(template(path))
                .or_default()
                .insert(method.as_str());
        }
        Self(
            methods
                .into_iter()
                .map(|(path, m)| (path, m.into_iter().collect::<Vec<_>>().join(", ")))
                .collect(),
        )
    }

    fn of_path(&self, pattern: &str) -> Option<&str> {
        self.0.get(&template(pattern)).map(String::as_str)
    }
}

/// `/v1/groups/{id}/members` → `/v1/groups/{}/members`.
fn template(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut inside = false;
    for c in path.chars() {
        match c {
            '{' => {
                inside = true;
                out.push_str("{}");
            }
            '}' => inside = false,
            _ if inside => {}
            _ => out.push(c),
        }
    }
    out
}

/// Adds `Allow` to every 405 (reads `web::Data<Allowed>` from the app data).
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let allowed = req.app_data::<web::Data<Allowed>>().cloned();
    let mut res = next.call(req).await?;
    if res.status() == StatusCode::METHOD_NOT_ALLOWED && !res.headers().contains_key(ALLOW) {
        let methods = (allowed.as_deref())
            .zip(res.request().match_pattern())
            .and_then(|(allowed, pattern)| allowed.of_path(&pattern).map(str::to_owned));
        if let Some(value) = methods.and_then(|m| HeaderValue::from_str(&m).ok()) {
            res.headers_mut().insert(ALLOW, value);
        }
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_of_one_path_are_gathered_whatever_its_parameters_are_called() {
        let allowed = Allowed::of(&[
            (Method::GET, "/v1/groups/{id}"),
            (Method::PATCH, "/v1/groups/{group_id}"),
            (Method::DELETE, "/v1/groups/{id}"),
            (Method::POST, "/v1/groups/{id}/members"),
        ]);
        assert_eq!(
            allowed.of_path("/v1/groups/{x}"),
            Some("DELETE, GET, PATCH")
        );
        assert_eq!(allowed.of_path("/v1/groups/{id}/members"), Some("POST"));
        assert_eq!(allowed.of_path("/v1/other"), None);
    }
}
