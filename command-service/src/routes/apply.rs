//! `POST /v1/apply`: a declarative document (docs/apply.md) as the body, JSON or YAML by its
//! content type; `dry_run=true` answers the plan, otherwise the plan is carried out and the
//! answer says what became of each organization — the shapes `roster plan --output json` and
//! `roster apply --output json` print. An organization key reaches its own organization only
//! (any other the document names is a 404 naming it); a read-only key may plan, not apply (the
//! key check lets only the dry run through).

use std::time::Duration;

use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use declarative::{Format, ReadError};
use http_edge::endpoints::{self as e, Endpoint, ParamKind, QueryParam};
use http_edge::{FieldError, Problem, Raw};

use crate::app::apply::execute::{self, Applied};
use crate::app::apply::{self, Options, Plan};
use crate::request::{context, with_position};
use crate::CommandState;

pub fn endpoints() -> Vec<Endpoint> {
    vec![e::post("/v1/apply", run)
        .summary("Plan or apply a declarative document")
        .describe(
            "The body is a document (docs/apply.md, schema docs/apply.schema.json) as JSON \
             (`application/json`) or YAML (`application/yaml`). With `dry_run=true` the answer \
             is the plan and nothing changes; otherwise each organization's changes commit as \
             one unit and the answer says, per organization, `applied`, `unchanged` or \
             `refused` (with the problems): check `complete`. Every event records the \
             document's SHA-256 and its `source` (`managed_by`); the actor is the key. An \
             organization key may name only its own organization; a read-only key may only \
             plan.",
        )
        .body::<declarative::Document>()
        .query(params())
        .answers::<Answer>(200, "The plan (dry run), or what was applied")]
}

/// The answer, for the OpenAPI document: a plan, or an apply's result.
#[derive(schemars::JsonSchema)]
#[allow(dead_code)]
#[serde(untagged)]
enum Answer {
    Plan(Plan),
    Applied(Applied),
}

#[derive(Debug, Default)]
struct Query {
    dry_run: bool,
    options: Options,
}

impl Query {
    /// The parameters, each at most once and checked by its documented kind; anything else is
    /// a 400 naming it.
    fn parse(query: &str) -> Result<Self, Problem> {
        let pairs = web::Query::<Vec<(String, String)>>::from_query(query)
            .map_err(|e| Problem::malformed(format!("invalid query string: {e}")))?;
        let params = params();
        let mut parsed = Query::default();
        let mut seen = std::collections::BTreeSet::new();
        for (name, value) in pairs.into_inner() {
            if !seen.insert(name.clone()) {
                return Err(Problem::field(&name, "given more than once"));
            }
            let Some(param) = params.iter().find(|p| p.name == name) else {
                let known = params.iter().map(|p| p.name).collect::<Vec<_>>();
                return Err(Problem::field(
                    &name,
                    format!("unknown parameter; known: {}", known.join(", ")),
                ));
            };
            param
                .kind
                .check(&value)
                .map_err(|message| Problem::field(&name, message))?;
            let flag = value == "true";
            let o = &mut parsed.options;
            match param.name {
                "dry_run" => parsed.dry_run = flag,
                "create_missing_roles" => o.create_missing_roles = flag,
                "prune" => o.prune = flag,
                "prune_organizations" => o.prune_organizations = flag,
                // Checked above: an integer from 0 to u32::MAX.
                _ => o.max_deletions = value.parse().unwrap_or(o.max_deletions),
            }
        }
        Ok(parsed)
    }
}

fn params() -> Vec<QueryParam> {
    let flag = |name, description| QueryParam {
        name,
        description,
        kind: ParamKind::OneOf(&["true", "false"]),
        required: false,
    };
    vec![
        flag(
            "dry_run",
            "`true`: answer the plan and change nothing (default `false`).",
        ),
        flag(
            "create_missing_roles",
            "Create the roles members or invitations name and the organization lacks.",
        ),
        flag(
            "prune",
            "Also remove what the document no longer lists and its `source` manages (any of \
             it, in a list with `mode: replace`).",
        ),
        flag(
            "prune_organizations",
            "Also delete the organizations the document's `source` manages that it no longer \
             lists (admin keys).",
        ),
        QueryParam {
            name: "max_deletions",
            description: "Refuse a plan that removes more objects than this (default 100).",
            kind: ParamKind::Integer {
                min: 0,
                max: Some(u32::MAX.into()),
            },
            required: false,
        },
    ]
}

/// How long a plan waits for the read models to reach the end of the log.
const CATCH_UP: Duration = Duration::from_secs(10);

async fn run(
    state: web::Data<CommandState>,
    req: HttpRequest,
    Raw(bytes): Raw,
) -> Result<HttpResponse, Problem> {
    let ctx = context(&req)?;
    let Query { dry_run, options } = Query::parse(req.query_string())?;
    let format = (req.mime_type().ok().flatten())
        .and_then(|mime| Format::of_content_type(mime.essence_str()))
        .ok_or_else(|| {
            Problem::new(
                actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
                "the document must be `application/json` or `application/yaml`",
            )
        })?;
    let document = declarative::read(&bytes, format).map_err(unreadable)?;
    if options.prune_organizations && ctx.limited_to.is_some() {
        return Err(crate::app::AppError::Forbidden(
            "only an admin key prunes organizations".into(),
        )
        .into());
    }
    apply::read_models_at_head(&state.pool, read_models::CONSUMER, CATCH_UP).await?;
    let sha256 = declarative::sha256(&bytes);
    let plan = apply::plan(
        &state.pool,
        read_models::CONSUMER,
        &ctx,
        &document,
        sha256,
        &options,
    )
    .await?;
    if dry_run {
        return Ok(with_position(actix_web::http::StatusCode::OK, plan.position).json(plan));
    }
    let outcomes = execute::apply(&state, &ctx, &plan).await;
    let applied = Applied::of(&plan, outcomes);
    let position = applied.position.unwrap_or(plan.position);
    Ok(with_position(actix_web::http::StatusCode::OK, position).json(applied))
}

/// A document that cannot be read: too large (413), not JSON/YAML (400), or not the schema
/// (400, every problem with its path).
fn unreadable(e: ReadError) -> Problem {
    match e {
        ReadError::TooLarge { .. } => Problem::new(
            actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            "Payload too large",
            e.to_string(),
        ),
        ReadError::Syntax { .. } => Problem::malformed(e.to_string()),
        ReadError::Invalid(problems) => Problem::validation(
            (problems.into_iter())
                .map(|p| FieldError {
                    field: if p.path.is_empty() {
                        "body".into()
                    } else {
                        p.path
                    },
                    message: p.reason,
                })
                .collect(),
        ),
    }
}
