//! `roster keys create|list|revoke`, and the first admin key of a fresh embedded installation.
//! Secrets go to standard output once, never to the log.

use std::io::Write;

use access::manage::{self, NewKey};
use chrono::Utc;
use domain::api_key::ApiKeyData;
use domain::RequestContext;
use domain::{ApiKeyId, OrganizationId};
use sqlx::PgPool;

use crate::cli::{KeyCreateArgs, KeysCommand};

/// Why `roster keys` (or the first key at start-up) failed.
pub type KeysError = crate::database::ToolError;

pub async fn run(command: KeysCommand) -> Result<(), KeysError> {
    let database = match &command {
        KeysCommand::Create(a) => a.database.clone(),
        KeysCommand::List(d) => d.clone(),
        KeysCommand::Revoke(a) => a.database.clone(),
    };
    crate::database::tool(&database, |pool| async move { on(&pool, command).await }).await
}

async fn on(pool: &PgPool, command: KeysCommand) -> Result<(), KeysError> {
    let ctx = RequestContext::system("cli");
    match command {
        KeysCommand::Create(args) => {
            let (key, secret) = create(pool, &args, &ctx).await?;
            println!("{}", describe(&key));
            println!("secret (shown this once): {secret}");
        }
        KeysCommand::List(_) => {
            let mut after = None;
            loop {
                let page = store::page::PageRequest {
                    limit: 1000,
                    order: store::page::Order::Asc,
                    bound: after
                        .take()
                        .map_or(store::page::Bound::Start, store::page::Bound::After),
                };
                let rows = access::persistence::list(pool, None, &page).await?;
                for key in &rows.rows {
                    println!("{}", describe(key));
                }
                match rows.after {
                    Some(next) => after = Some(next),
                    None => break,
                }
            }
        }
        KeysCommand::Revoke(args) => {
            let id = ApiKeyId::parse(&args.id).map_err(|e| KeysError::Invalid(e.to_string()))?;
            let key = manage::revoke(pool, &id, &ctx)
                .await?
                .ok_or_else(|| KeysError::Invalid(format!("there is no API key {id}")))?;
            println!("revoked {}", describe(&key));
        }
    }
    Ok(())
}

async fn create(
    pool: &PgPool,
    args: &KeyCreateArgs,
    ctx: &RequestContext,
) -> Result<(ApiKeyData, String), KeysError> {
    let organization_id = args
        .organization
        .as_deref()
        .map(OrganizationId::parse)
        .transpose()
        .map_err(|e| KeysError::Invalid(format!("--organization: {e}")))?;
    let expires_at = args
        .expires_in
        .map(|d| chrono::Duration::from_std(d).map(|d| Utc::now() + d))
        .transpose()
        .map_err(|_| KeysError::Invalid("--expires-in: too long".into()))?;
    let new = NewKey {
        name: args.name.clone(),
        organization_id,
        read_only: args.read_only,
        expires_at,
    };
    manage::create(pool, new, ctx).await.map_err(|e| match e {
        manage::Invalid::Store(e) => e.into(),
        other => KeysError::Invalid(other.to_string()),
    })
}

/// One line per key: id, reach, flags, name.
fn describe(key: &ApiKeyData) -> String {
    let reach = match &key.organization_id {
        Some(org) => format!("organization {org}"),
        None => "admin".into(),
    };
    let mut flags = Vec::new();
    if key.read_only {
        flags.push("read-only".to_owned());
    }
    if let Some(at) = key.expires_at {
        flags.push(format!("expires {}", at.to_rfc3339()));
    }
    if let Some(at) = key.revoked_at {
        flags.push(format!("revoked {}", at.to_rfc3339()));
    }
    format!(
        "{}  {}…  {reach}{}  {:?}",
        key.id,
        key.prefix,
        flags.iter().map(|f| format!(", {f}")).collect::<String>(),
        key.name
    )
}

/// A fresh installation on the embedded database gets an admin key, printed once with a request
/// to try; later starts find a key (even a revoked one) and print nothing.
pub async fn bootstrap(pool: &PgPool, base_url: &str) -> Result<(), KeysError> {
    if access::persistence::any(pool).await? {
        return Ok(());
    }
    let new = NewKey {
        name: "first admin key".into(),
        organization_id: None,
        read_only: false,
        expires_at: None,
    };
    let (key, secret) = manage::create(pool, new, &RequestContext::system("serve"))
        .await
        .map_err(|e| KeysError::Invalid(e.to_string()))?;
    let rule = "=".repeat(78);
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "\n{rule}\n  roster made an admin API key ({}). It is shown this once: keep it.\n\n    {secret}\n\n  Try it:\n\n    curl -H 'Authorization: Bearer {secret}' {base_url}/v1/organizations\n\n  More keys: roster keys create --help\n{rule}\n",
        key.id
    );
    let _ = out.flush();
    tracing::info!(key = %key.id, "made the first admin key (printed on standard output)");
    Ok(())
}
