//! Reading a document: bytes of YAML or JSON, of any origin (a file given to the CLI, a request
//! body), into a [`Document`], or every problem found, each with its path
//! (`organizations[2].groups[0].members[5].user_id`) and reason.
//!
//! The bytes are bounded before anything is parsed ([`MAX_BYTES`]); YAML aliases, anchors, nesting
//! and node counts have budgets of their own (a "billion laughs" document is refused early, in
//! little memory); a key given twice in one mapping is an error in both formats. Each item of each
//! list is then decoded on its own, so one bad member does not hide the next one's problem.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::collection::{Collection, Mode};
use crate::document::{Document, Organization, Role};

/// The largest document read, in bytes.
pub const MAX_BYTES: usize = 8 * 1024 * 1024;

/// How deep a document may nest (a document has 6 levels; attributes and metadata are flat).
const MAX_DEPTH: usize = 32;

/// How a document is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Json,
}

impl Format {
    /// By a file name's extension (`.json`; `.yaml`, `.yml`), else by the content: JSON when it
    /// starts with `{`.
    pub fn of(name: Option<&str>, bytes: &[u8]) -> Format {
        let extension = name.and_then(|n| n.rsplit_once('.')).map(|(_, e)| e);
        match extension.map(str::to_ascii_lowercase).as_deref() {
            Some("json") => Format::Json,
            Some("yaml" | "yml") => Format::Yaml,
            _ if bytes.trim_ascii_start().starts_with(b"{") => Format::Json,
            _ => Format::Yaml,
        }
    }

    /// By a request's content type: JSON, YAML (`application/yaml`, `application/x-yaml`,
    /// `text/yaml`), or `None` for anything else.
    pub fn of_content_type(essence: &str) -> Option<Format> {
        match essence {
            "application/json" => Some(Format::Json),
            "application/yaml" | "application/x-yaml" | "text/yaml" | "text/x-yaml" => {
                Some(Format::Yaml)
            }
            _ => None,
        }
    }
}

/// One problem of a document: where (a path; empty for the whole document) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub path: String,
    pub reason: String,
}

impl std::fmt::Display for Located {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.path.as_str() {
            "" => f.write_str(&self.reason),
            path => write!(f, "{path}: {}", self.reason),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("the document is {size} bytes; at most {MAX_BYTES} are read")]
    TooLarge { size: usize },
    /// Not YAML or JSON at all, or over a parsing budget (aliases, depth, size of the tree).
    #[error("the document is not valid {format}: {reason}")]
    Syntax {
        format: &'static str,
        reason: String,
    },
    /// Well-formed, but not a document: every problem, located.
    #[error("{}", list(.0))]
    Invalid(Vec<Located>),
}

fn list(problems: &[Located]) -> String {
    let lines: Vec<String> = problems.iter().map(Located::to_string).collect();
    lines.join("\n")
}

/// Reads a document written in `format`.
pub fn read(bytes: &[u8], format: Format) -> Result<Document, ReadError> {
    if bytes.len() > MAX_BYTES {
        return Err(ReadError::TooLarge { size: bytes.len() });
    }
    let value = match format {
        Format::Json => json(bytes)?,
        Format::Yaml => yaml(bytes)?,
    };
    let mut problems = Vec::new();
    let document = document(value, &mut problems);
    match document {
        Some(document) if problems.is_empty() => {
            let broken = crate::rules::check(&document);
            if broken.is_empty() {
                Ok(document)
            } else {
                Err(ReadError::Invalid(broken))
            }
        }
        _ => Err(ReadError::Invalid(problems)),
    }
}

fn json(bytes: &[u8]) -> Result<Value, ReadError> {
    let value = http_edge::body::strict_value(bytes).map_err(|p| ReadError::Syntax {
        format: "JSON",
        reason: match p.errors.first() {
            Some(e) => format!("{}: {}", e.field, e.message),
            None => p.detail,
        },
    })?;
    if depth(&value) > MAX_DEPTH {
        return Err(ReadError::Syntax {
            format: "JSON",
            reason: format!("nested deeper than {MAX_DEPTH} levels"),
        });
    }
    Ok(value)
}

fn yaml(bytes: &[u8]) -> Result<Value, ReadError> {
    let syntax = |reason: String| ReadError::Syntax {
        format: "YAML",
        reason,
    };
    let text = std::str::from_utf8(bytes).map_err(|e| syntax(format!("not UTF-8: {e}")))?;
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = MAX_DEPTH;
    budget.max_aliases = 1_000;
    budget.max_anchors = 1_000;
    budget.max_nodes = 2_000_000;
    budget.max_recorded_anchor_events = 100_000;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options.alias_limits.max_total_replayed_events = 100_000;
    options.alias_limits.max_replay_stack_depth = 16;
    options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::Error;
    options.strict_booleans = true;
    options.reject_unsupported_tags = true;
    let value: Value = serde_saphyr::from_str_with_options(text, options)
        .map_err(|e| syntax(first_line(&e.to_string())))?;
    // An empty document is an empty document, not an error.
    Ok(match value {
        Value::Null => Value::Object(Map::new()),
        v => v,
    })
}

/// The first line of a parser's message (the rest is a rendered snippet of the input).
fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or_default().to_owned()
}

fn depth(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// Decodes `value` as a `T` at `path` (the edge's decoder: a field that does not fit is named
/// by its path); a problem is recorded.
fn decode<T: DeserializeOwned>(value: Value, path: &str, problems: &mut Vec<Located>) -> Option<T> {
    http_edge::body::from_value(value, path)
        .map_err(|problem| {
            problems.extend(problem.errors.into_iter().map(|e| Located {
                path: e.field,
                reason: e.message,
            }))
        })
        .ok()
}

/// The document, its organizations each decoded on their own.
fn document(value: Value, problems: &mut Vec<Located>) -> Option<Document> {
    let Value::Object(mut top) = value else {
        problems.push(Located {
            path: String::new(),
            reason: "a document is a mapping with `organizations`".into(),
        });
        return None;
    };
    let organizations = top.remove("organizations");
    let templates = top.remove("role_templates");
    let head: Option<Document> = decode(Value::Object(top), "", problems);
    let role_templates = match templates {
        None | Some(Value::Null) => Some(Vec::new()),
        Some(Value::Array(list)) => {
            let decoded: Vec<Option<Role>> = (list.into_iter().enumerate())
                .map(|(i, role)| decode(role, &format!("role_templates[{i}]"), problems))
                .collect();
            decoded.into_iter().collect()
        }
        Some(_) => {
            problems.push(Located {
                path: "role_templates".into(),
                reason: "must be a list".into(),
            });
            None
        }
    };
    let organizations = match organizations {
        None | Some(Value::Null) => Some(Vec::new()),
        Some(Value::Array(list)) => {
            let decoded: Vec<Option<Organization>> = (list.into_iter().enumerate())
                .map(|(i, org)| organization(org, &format!("organizations[{i}]"), problems))
                .collect();
            decoded.into_iter().collect()
        }
        Some(_) => {
            problems.push(Located {
                path: "organizations".into(),
                reason: "must be a list".into(),
            });
            None
        }
    };
    let (mut document, organizations) = (head?, organizations?);
    document.organizations = organizations;
    document.role_templates = role_templates?;
    Some(document)
}

/// An organization: its own fields, then each list's items on their own.
fn organization(value: Value, path: &str, problems: &mut Vec<Located>) -> Option<Organization> {
    let Value::Object(mut fields) = value else {
        problems.push(Located {
            path: path.to_owned(),
            reason: "an organization is a mapping".into(),
        });
        return None;
    };
    let mut list = |key: &str| fields.remove(key).unwrap_or(Value::Null);
    let (roles, members, groups, invitations) = (
        list("roles"),
        list("members"),
        list("groups"),
        list("invitations"),
    );
    let roles = collection(roles, &format!("{path}.roles"), problems);
    let members = collection(members, &format!("{path}.members"), problems);
    let groups = collection(groups, &format!("{path}.groups"), problems);
    let invitations = collection(invitations, &format!("{path}.invitations"), problems);
    let org: Option<Organization> = decode(Value::Object(fields), path, problems);
    Some(Organization {
        roles: roles?,
        members: members?,
        groups: groups?,
        invitations: invitations?,
        ..org?
    })
}

/// A list, or `{mode, items}`, each item decoded on its own.
fn collection<T: DeserializeOwned>(
    value: Value,
    path: &str,
    problems: &mut Vec<Located>,
) -> Option<Collection<T>> {
    let (mode, items) = match value {
        Value::Null => return Some(Collection::default()),
        Value::Array(items) => (Mode::Merge, items),
        Value::Object(mut full) => {
            let items = full.remove("items");
            let mode: Option<Mode> = match full.remove("mode") {
                Some(mode) => decode(mode, &format!("{path}.mode"), problems),
                None => Some(Mode::Merge),
            };
            if let Some(other) = full.keys().next() {
                problems.push(Located {
                    path: format!("{path}.{other}"),
                    reason: "unknown field: a list is written as a list or as {mode, items}".into(),
                });
                return None;
            }
            match items {
                Some(Value::Array(items)) => (mode?, items),
                _ => {
                    problems.push(Located {
                        path: format!("{path}.items"),
                        reason: "required: the list's items".into(),
                    });
                    return None;
                }
            }
        }
        _ => {
            problems.push(Located {
                path: path.to_owned(),
                reason: "must be a list, or {mode: merge|replace, items: [...]}".into(),
            });
            return None;
        }
    };
    let decoded: Vec<Option<T>> = (items.into_iter().enumerate())
        .map(|(i, item)| decode(item, &format!("{path}[{i}]"), problems))
        .collect();
    Some(Collection {
        mode,
        items: decoded.into_iter().collect::<Option<Vec<T>>>()?,
    })
}
