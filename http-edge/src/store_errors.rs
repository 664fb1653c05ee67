//! The one mapping of a store failure to a problem, for every service: an outage is a 503 the
//! client may retry, input the database cannot store a 400, anything else a logged 500.

use store::StoreError;

use crate::Problem;

impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Self {
        if e.is_unavailable() {
            tracing::warn!(error = %e, "database unavailable");
            return Problem::unavailable("the database is unavailable; retry shortly");
        }
        match e {
            StoreError::Unstorable(_) => Problem::malformed(e.to_string()),
            other => {
                tracing::error!(error = %other, "request failed");
                Problem::internal()
            }
        }
    }
}
