//! `roster psql`: psql on roster's database, as its owner. The password goes to psql in its
//! environment (`PGPASSWORD`), never on a command line that every local user could read in the
//! process list.

use std::process::Command;

use embedded_postgres::Binaries;

use crate::cli::PsqlArgs;
use crate::database::Database;

/// Why `roster psql` failed.
#[derive(Debug, thiserror::Error)]
pub enum PsqlError {
    #[error(transparent)]
    Database(#[from] crate::database::DatabaseError),
    #[error("psql: {0}")]
    Psql(String),
}

pub async fn run(args: PsqlArgs) -> Result<(), PsqlError> {
    let db = Database::open(&args.database, true).await?;
    let result = session(&db, &args.args).await;
    db.close().await;
    result
}

async fn session(db: &Database, args: &[String]) -> Result<(), PsqlError> {
    let mut url = url::Url::parse(db.secret_url())
        .map_err(|e| PsqlError::Psql(format!("the database URL does not parse: {e}")))?;
    let password = url.password().map(|p| {
        percent_encoding::percent_decode_str(p)
            .decode_utf8_lossy()
            .into_owned()
    });
    let _ = url.set_password(None);
    // The psql beside the server binaries if there is one, else the one on PATH.
    let program = Binaries::locate()
        .ok()
        .map(|b| b.bindir.join("psql"))
        .filter(|p| p.is_file())
        .unwrap_or_else(|| "psql".into());
    let mut psql = Command::new(&program);
    psql.arg("--dbname").arg(url.as_str()).args(args);
    match password {
        Some(p) => psql.env("PGPASSWORD", p),
        None => psql.env_remove("PGPASSWORD"),
    };
    let mut child = psql
        .spawn()
        .map_err(|e| PsqlError::Psql(format!("cannot run {}: {e}", program.display())))?;
    // Ctrl-C is psql's (it cancels the query): roster, and the server it may have started for
    // this session, stay up until psql ends.
    let ignore_interrupts = tokio::spawn(async { while tokio::signal::ctrl_c().await.is_ok() {} });
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .map_err(|e| PsqlError::Psql(e.to_string()))?
        .map_err(|e| PsqlError::Psql(e.to_string()))?;
    ignore_interrupts.abort();
    if status.success() {
        Ok(())
    } else {
        Err(PsqlError::Psql(format!("exited with {status}")))
    }
}
