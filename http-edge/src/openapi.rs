//! The OpenAPI 3.1 document at `GET /openapi.json`, and Swagger UI at `/docs` (every asset is in
//! the binary: no CDN).
//!
//! The document is generated from the same endpoint declarations the router is built from
//! (method, path, query parameters, body, answers, and the error statuses that follow from the
//! route's kind), with the JSON Schemas of the very types the handlers read and write (schemars,
//! as for the event schemas of `docs/events.md`). So a route cannot be served and left out, and
//! a documented shape is the serialised one.

use std::collections::BTreeMap;

use crate::endpoints::{self as e, schema_of, Doc, Endpoint, ParamKind};
use actix_web::http::Method;
use actix_web::{web, HttpResponse};
use schemars::generate::SchemaSettings;
use schemars::SchemaGenerator;
use serde_json::{Map, Value};
use utoipa::openapi::path::{HttpMethod, Operation, Parameter, ParameterIn};
use utoipa::openapi::request_body::RequestBody;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    Components, Content, Info, OpenApi, Paths, Ref, RefOr, Required, Response, Tag,
};

/// The name of the security scheme every `/v1` route requires.
const SCHEME: &str = "api_key";
const PROBLEM_JSON: &str = "application/problem+json";

/// The documentation routes themselves.
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        e::get("/openapi.json", openapi_json)
            .summary("This OpenAPI 3.1 document")
            .answers_other(200, "The document", Some("application/json")),
        e::get("/docs", docs)
            .summary("Interactive API documentation (Swagger UI)")
            .answers_other(308, "To the documentation page", None),
    ]
}

/// The served document (built once per process).
pub struct Document(pub Value);

/// Mounts `/openapi.json`, `/docs` and Swagger UI's assets under `/docs/`.
pub fn configure(document: web::Data<Document>) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(document);
        crate::endpoints::mount(cfg, endpoints());
        cfg.service(
            utoipa_swagger_ui::SwaggerUi::new("/docs/{_:.*}").config(
                utoipa_swagger_ui::Config::from("/openapi.json")
                    .persist_authorization(true)
                    // No badge fetched from validator.swagger.io: the page makes no outside request.
                    .validator_url("none"),
            ),
        );
    }
}

async fn openapi_json(document: web::Data<Document>) -> HttpResponse {
    HttpResponse::Ok().json(&document.0)
}

async fn docs() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header(("Location", "/docs/"))
        .finish()
}

/// The OpenAPI document of `endpoints`.
pub fn document(endpoints: &[Endpoint]) -> Value {
    build(endpoints).document
}

/// A document, and the names of the schemas that differ between what the API reads and what it
/// writes (each must have one meaning: a test keeps this empty).
pub struct Built {
    pub document: Value,
    pub conflicts: Vec<String>,
}

/// Two schema generators: a body is documented as it is read (fields with defaults may be left
/// out), an answer as it is written (fields that are skipped when empty may be absent).
struct Generators {
    reads: SchemaGenerator,
    writes: SchemaGenerator,
}

pub fn build(endpoints: &[Endpoint]) -> Built {
    let settings = SchemaSettings::draft2020_12().with(|s| {
        s.definitions_path = "/components/schemas".into();
        s.meta_schema = None;
    });
    let mut generators = Generators {
        reads: SchemaGenerator::new(settings.clone().for_deserialize()),
        writes: SchemaGenerator::new(settings.for_serialize()),
    };
    let mut inline = BTreeMap::new();
    let problem = named(
        &mut generators.writes,
        schema_of::<crate::Problem>,
        "Problem".into(),
        &mut inline,
    );
    let mut paths = Paths::new();
    let mut tags: Vec<String> = Vec::new();
    for endpoint in endpoints {
        let tag = tag_of(endpoint.path);
        if !tags.contains(&tag) {
            tags.push(tag.clone());
        }
        let operation = operation(endpoint, &tag, &problem, &mut generators, &mut inline);
        paths.add_path_operation(
            endpoint.path,
            vec![http_method(&endpoint.method)],
            operation,
        );
    }

    let mut components = Components::new();
    components.add_security_scheme(
        SCHEME,
        SecurityScheme::Http(
            Http::builder()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("rk_live_…")
                .description(Some(
                    "An API key: `Authorization: Bearer rk_live_…`. Admin keys reach everything; \
                     organization keys only their organization (404 for anything else); \
                     read-only keys get 403 on commands.",
                ))
                .build(),
        ),
    );
    let mut api = OpenApi::new(
        Info::builder()
            .title("roster")
            .version(env!("CARGO_PKG_VERSION"))
            .description(Some(
                "Organizations, roles, memberships, groups and invitations for B2B SaaS, \
                 event-sourced: every command answers with the `position` of its last event \
                 (pass it as `min_position` to a read to read your write). Errors are \
                 `application/problem+json` naming the fields at fault.",
            ))
            .build(),
        paths,
    );
    api.components = Some(components);
    api.tags = Some(tags.into_iter().map(Tag::new).collect());

    // The schemas are schemars' JSON Schema 2020-12, which OpenAPI 3.1 takes as they are.
    let mut document = serde_json::to_value(&api).unwrap_or_default();
    let mut schemas: Map<String, Value> = generators.writes.take_definitions(true);
    let mut conflicts = Vec::new();
    for (name, schema) in generators.reads.take_definitions(true) {
        match schemas.get(&name) {
            Some(written) if *written != schema => conflicts.push(name),
            Some(_) => {}
            None => {
                schemas.insert(name, schema);
            }
        }
    }
    schemas.extend(inline);
    document["components"]["schemas"] = Value::Object(schemas);
    link_created_objects(&mut document);
    Built {
        document,
        conflicts,
    }
}

/// A `$ref` to the schema `of` makes; a schema without a name of its own is kept in `inline` as
/// `name`.
fn named(
    generator: &mut SchemaGenerator,
    of: e::SchemaOf,
    name: String,
    inline: &mut BTreeMap<String, Value>,
) -> RefOr<Schema> {
    let schema = of(generator);
    if let Some(location) = schema.get("$ref").and_then(Value::as_str) {
        return RefOr::Ref(Ref::new(location));
    }
    inline.insert(name.clone(), schema.to_value());
    RefOr::Ref(Ref::from_schema_name(name))
}

fn operation(
    endpoint: &Endpoint,
    tag: &str,
    problem: &RefOr<Schema>,
    generators: &mut Generators,
    inline: &mut BTreeMap<String, Value>,
) -> Operation {
    let doc: &Doc = &endpoint.doc;
    let id = operation_id(&endpoint.method, endpoint.path);
    let mut operation = Operation::builder()
        .operation_id(Some(id.clone()))
        .summary(Some(doc.summary))
        .description(doc.description)
        .tag(tag);
    for (collection, name) in path_params(endpoint.path) {
        operation = operation.parameter(path_param(&mut generators.reads, collection, name));
    }
    for param in &doc.query {
        operation = operation.parameter(
            Parameter::builder()
                .name(param.name)
                .parameter_in(ParameterIn::Query)
                .description(Some(param.description))
                .required(if param.required {
                    Required::True
                } else {
                    Required::False
                })
                .schema(Some(match param.kind {
                    ParamKind::Typed { schema, .. } => named(
                        &mut generators.reads,
                        schema,
                        format!("{id}{}", pascal(param.name)),
                        inline,
                    ),
                    kind => query_schema(&kind),
                })),
        );
    }
    if let Some(body) = doc.body {
        let schema = named(&mut generators.reads, body, format!("{id}Body"), inline);
        let mut request = RequestBody::builder()
            .content("application/json", Content::new(Some(schema)))
            .required(Some(if doc.body_optional {
                Required::False
            } else {
                Required::True
            }));
        if doc.body_optional {
            request = request.description(Some("Optional."));
        }
        operation = operation.request_body(Some(request.build()));
    }
    // Answers sharing a status are one response with several media types.
    let mut responses: Vec<(u16, utoipa::openapi::response::ResponseBuilder)> = Vec::new();
    for answer in &doc.answers {
        let at = match responses.iter().position(|(s, _)| *s == answer.status) {
            Some(at) => at,
            None => {
                let described = doc
                    .answers
                    .iter()
                    .filter(|a| a.status == answer.status)
                    .map(|a| a.description)
                    .collect::<Vec<_>>()
                    .join("; or ");
                responses.push((answer.status, Response::builder().description(described)));
                responses.len() - 1
            }
        };
        let (_, builder) = responses.remove(at);
        let mut response = builder;
        match (answer.schema, answer.content_type) {
            (Some(of), _) => {
                let schema = named(
                    &mut generators.writes,
                    of,
                    format!("{id}{}", answer.status),
                    inline,
                );
                response = response.content("application/json", Content::new(Some(schema)));
            }
            (None, Some(media)) => {
                response = response.content(media, Content::new(None::<RefOr<Schema>>));
            }
            (None, None) => {}
        }
        responses.insert(at, (answer.status, response));
    }
    for (status, response) in responses {
        operation = operation.response(status.to_string(), response.build());
    }
    for status in doc.errors(&endpoint.method, endpoint.path) {
        let reason = actix_web::http::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("Error");
        operation = operation.response(
            status.to_string(),
            Response::builder()
                .description(reason)
                .content(PROBLEM_JSON, Content::new(Some(problem.clone())))
                .build(),
        );
    }
    if endpoint.path.starts_with("/v1/") {
        operation = operation.security(SecurityRequirement::new(SCHEME, Vec::<String>::new()));
    }
    operation.build()
}

fn http_method(method: &Method) -> HttpMethod {
    match *method {
        Method::POST => HttpMethod::Post,
        Method::PATCH => HttpMethod::Patch,
        Method::DELETE => HttpMethod::Delete,
        Method::PUT => HttpMethod::Put,
        _ => HttpMethod::Get,
    }
}

/// `/v1/organizations/{org_id}/memberships` → `organizations`.
fn tag_of(path: &str) -> String {
    match path.strip_prefix("/v1/") {
        Some(rest) => rest.split('/').next().unwrap_or(rest).to_owned(),
        None => "operations".to_owned(),
    }
}

/// `post /v1/organizations/{org_id}/memberships` → `postOrganizationsOrgIdMemberships`.
fn operation_id(method: &Method, path: &str) -> String {
    let mut id = method.as_str().to_lowercase();
    let mut upper = true;
    for c in path.trim_start_matches("/v1").chars() {
        if c.is_ascii_alphanumeric() {
            if upper {
                id.extend(c.to_uppercase());
            } else {
                id.push(c);
            }
            upper = false;
        } else {
            upper = true;
        }
    }
    id
}

/// `snake_case` → `SnakeCase`, for the name of a parameter's own schema.
fn pascal(name: &str) -> String {
    name.split('_')
        .flat_map(|word| {
            let mut chars = word.chars();
            chars.next().map(|first| first.to_uppercase().chain(chars))
        })
        .flatten()
        .collect()
}

/// The `{name}`s of a path, in order, each with the path segment before it.
fn path_params(path: &str) -> Vec<(&str, &str)> {
    let segments: Vec<&str> = path.split('/').collect();
    segments
        .windows(2)
        .filter_map(|w| {
            let name = w[1].strip_prefix('{')?.strip_suffix('}')?;
            Some((w[0], name))
        })
        .collect()
}

/// A path parameter, typed by the domain's schema for what it names (`/groups/{id}` is a group
/// id, `{org_id}` an organization id): so malformed ids are documented as they are refused.
fn path_param(generator: &mut SchemaGenerator, collection: &str, name: &str) -> Parameter {
    let (of, description): (e::SchemaOf, &str) = match (collection, name) {
        (_, "org_id") | ("organizations", "id") => (
            schema_of::<domain::OrganizationId>,
            "The organization's id.",
        ),
        (_, "membership_id") | ("memberships", "id") => {
            (schema_of::<domain::MembershipId>, "The membership's id.")
        }
        ("groups", "id") => (schema_of::<domain::GroupId>, "The group's id."),
        ("invitations", "id") => (schema_of::<domain::InvitationId>, "The invitation's id."),
        ("webhook-endpoints", "id") => (
            schema_of::<domain::WebhookEndpointId>,
            "The webhook endpoint's id.",
        ),
        ("deliveries", "id") => (schema_of::<domain::DeliveryId>, "The delivery's id."),
        ("api-keys", "id") => (schema_of::<domain::ApiKeyId>, "The API key's id."),
        (_, "event_id") => (schema_of::<domain::EventId>, "The event's id."),
        ("replays", "id") => (schema_of::<domain::ReplayId>, "The replay job's id."),
        (_, "slug") => (schema_of::<domain::values::RoleSlug>, "The role's slug."),
        (_, "domain") => (
            schema_of::<domain::values::DomainName>,
            "The domain, in any case, with or without its trailing dot.",
        ),
        (_, "user_id") => (
            schema_of::<domain::values::SubjectId>,
            "The user's id in your system.",
        ),
        _ => (schema_of::<String>, "An id."),
    };
    let schema = of(generator);
    let schema = match schema.get("$ref").and_then(Value::as_str) {
        Some(location) => RefOr::Ref(Ref::new(location)),
        None => RefOr::T(Schema::Object(
            ObjectBuilder::new().schema_type(Type::String).build(),
        )),
    };
    Parameter::builder()
        .name(name)
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .description(Some(description))
        .schema(Some(schema))
        .build()
}

fn query_schema(kind: &ParamKind) -> RefOr<Schema> {
    let object = match kind {
        ParamKind::Text => ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .pattern(Some(domain::values::NO_CONTROLS_PATTERN)),
        ParamKind::Integer { min, max } => ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(*min as f64))
            .maximum(max.map(|m| m as f64)),
        ParamKind::OneOf(values) => ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(values.iter().copied())),
        ParamKind::Typed { .. } => ObjectBuilder::new().schema_type(Type::String),
    };
    RefOr::T(Schema::Object(object.build()))
}

/// What a path parameter typed by the schema `name` identifies (`OrganizationId` → an
/// organization), as the field that carries it in an answer: `id` in the object itself, or
/// `<kind>_id` in an object that points at it.
fn identified_by(schema: &str) -> Option<(&'static str, &'static str)> {
    Some(match schema {
        "OrganizationId" => ("organizations", "organization_id"),
        "MembershipId" => ("memberships", "membership_id"),
        "GroupId" => ("groups", "group_id"),
        "InvitationId" => ("invitations", "invitation_id"),
        "WebhookEndpointId" => ("webhook-endpoints", "endpoint_id"),
        "DeliveryId" => ("deliveries", "delivery_id"),
        "ApiKeyId" => ("api-keys", "api_key_id"),
        "RoleSlug" => ("roles", "slug"),
        "SubjectId" => ("users", "user_id"),
        _ => return None,
    })
}

/// An operation with path parameters: its id, and for each parameter the collection it names an
/// element of and the field that names one elsewhere.
type Target = (String, Vec<(String, &'static str, &'static str)>);

/// Whether a property's schema lets it be `null`.
fn may_be_null(schema: &Value) -> bool {
    let null = |s: &Value| {
        s["type"] == "null"
            || s["type"]
                .as_array()
                .is_some_and(|t| t.contains(&"null".into()))
    };
    null(schema)
        || ["anyOf", "oneOf"]
            .iter()
            .any(|k| schema[*k].as_array().is_some_and(|a| a.iter().any(null)))
}

/// OpenAPI links from each create (a POST answering 201) to every operation whose path
/// parameters its answer fills: a new membership's `id` and `organization_id` lead to
/// `PATCH /v1/memberships/{id}`, `GET /v1/organizations/{org_id}/memberships`, and so on. Clients
/// can follow them, and the fuzzer chains real objects through them instead of guessing ids.
fn link_created_objects(document: &mut Value) {
    let schemas = document["components"]["schemas"].clone();
    let resolve = |schema: &Value| -> Value {
        match schema["$ref"].as_str().and_then(|r| r.rsplit('/').next()) {
            Some(name) => schemas[name].clone(),
            None => schema.clone(),
        }
    };
    let mut targets: Vec<Target> = Vec::new();
    let Some(paths) = document["paths"].as_object() else {
        return;
    };
    for item in paths.values() {
        for op in item.as_object().into_iter().flat_map(|o| o.values()) {
            let mut params = Vec::new();
            for param in op["parameters"].as_array().into_iter().flatten() {
                if param["in"] != "path" {
                    continue;
                }
                let schema = param["schema"]["$ref"]
                    .as_str()
                    .and_then(|r| r.rsplit('/').next());
                if let Some((collection, field)) = schema.and_then(identified_by) {
                    params.push((
                        param["name"].as_str().unwrap_or("").to_owned(),
                        collection,
                        field,
                    ));
                }
            }
            if !params.is_empty() {
                let id = op["operationId"].as_str().unwrap_or("").to_owned();
                targets.push((id, params));
            }
        }
    }
    let mut links: Vec<(String, Map<String, Value>)> = Vec::new();
    for (path, item) in paths {
        let Some(created) =
            item["post"]["responses"]["201"]["content"]["application/json"].get("schema")
        else {
            continue;
        };
        let fields = resolve(created)["properties"].clone();
        // `/v1/organizations/{org_id}/memberships` creates a membership.
        let collection = path.rsplit('/').next().unwrap_or("");
        let mut found = Map::new();
        for (target, params) in &targets {
            let mut parameters = Map::new();
            for (name, named, field) in params {
                let from = if *named == collection {
                    if *named == "roles" {
                        "slug"
                    } else {
                        "id"
                    }
                } else {
                    field
                };
                // A field the answer may leave null (an admin key's `organization_id`) fills
                // no path: the link would send `None`.
                if fields.get(from).is_none_or(may_be_null) {
                    break;
                }
                parameters.insert(name.clone(), format!("$response.body#/{from}").into());
            }
            if parameters.len() == params.len() {
                found.insert(
                    target.clone(),
                    serde_json::json!({ "operationId": target, "parameters": parameters }),
                );
            }
        }
        if !found.is_empty() {
            links.push((path.clone(), found));
        }
    }
    for (path, found) in links {
        document["paths"][&path]["post"]["responses"]["201"]["links"] = Value::Object(found);
    }
}
