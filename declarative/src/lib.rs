//! The document of `roster plan | apply | export` (and `POST /v1/apply`, `GET /v1/export`): one
//! schema of organizations by external id with their roles, members, groups, pending
//! invitations and domains; reading it from YAML or JSON of any origin within limits, with every problem
//! located; writing it back; and its JSON Schema (`docs/apply.schema.json`).
//!
//! It owns the document only: what a document means for a store (plan, apply, export) is the
//! application layer's. It never touches a database, a file or the network.

pub mod collection;
pub mod document;
pub mod read;
pub mod rules;

pub use collection::{Collection, Mode};
pub use document::{
    Document, Domain, Group, Invitation, Member, MemberRef, Organization, Role, Source,
};
pub use read::{read, Format, Located, ReadError};

/// The document's JSON Schema, as published in `docs/apply.schema.json`.
pub fn schema() -> serde_json::Value {
    let schema = schemars::generate::SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<Document>();
    serde_json::to_value(schema).unwrap_or_default()
}

/// The document as YAML, as `roster export` writes it.
pub fn to_yaml(document: &Document) -> Result<String, serde_saphyr::SerializeError> {
    serde_saphyr::to_string(document)
}

/// The SHA-256 of a document's bytes, in hex: recorded with every change it makes, so the log
/// can say which file made a change.
pub fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
