//! The JSON body extractor of command routes: actix checks content type, size and syntax; then
//! the body is decoded with the path of any field that does not fit (`metadata.tier`, `roles[2]`),
//! so the problem names the field.

use std::future::Future;
use std::pin::Pin;

use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use crate::problem::{FieldError, Problem};

pub struct Body<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Body<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let json = web::Json::<serde_json::Value>::from_request(req, payload);
        Box::pin(async move {
            let value = json.await?.into_inner();
            if !value.is_object() {
                return Err(Problem::malformed("the body must be a JSON object").into());
            }
            serde_path_to_error::deserialize(value)
                .map(Body)
                .map_err(|e| {
                    let path = e.path().to_string();
                    let message = e.inner().to_string();
                    // A missing field is reported at its parent; serde names it in the message.
                    let missing = message
                        .strip_prefix("missing field `")
                        .and_then(|m| m.split('`').next());
                    let field = match (path.as_str(), missing) {
                        (".", Some(name)) => name.to_owned(),
                        (p, Some(name)) => format!("{p}.{name}"),
                        (".", None) => "body".to_owned(),
                        (p, None) => p.to_owned(),
                    };
                    Problem::validation(vec![FieldError { field, message }]).into()
                })
        })
    }
}
