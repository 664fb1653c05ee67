//! `roster migrate` and `roster rebuild`: the schema and the read models, outside a running server.

use crate::cli::{DatabaseArgs, RebuildArgs};
use crate::database::{Database, DatabaseError};

/// Why `migrate` or `rebuild` failed, or what `rebuild --verify` found.
#[derive(Debug, thiserror::Error)]
pub enum MaintenanceError {
    #[error(transparent)]
    Database(#[from] DatabaseError),
    #[error(transparent)]
    Store(#[from] store::StoreError),
    /// `rebuild --verify` found this many rows that differ (exit code 1, like diff).
    #[error("{0} read-model rows differ from a rebuild")]
    Differs(usize),
}

/// `roster rebuild [--verify]`.
pub async fn rebuild(args: RebuildArgs) -> Result<(), MaintenanceError> {
    let db = Database::open(&args.database, true).await?;
    crate::database::prepare(&db.pool).await?;
    let progress = crate::progress::Progress::new("rebuilding");
    let result = projector::Projector::new(db.pool.clone())
        .rebuild(&args.projection, args.verify, &|p| {
            progress.update(p.events, p.position, p.target)
        })
        .await;
    progress.finish();
    db.close().await;
    let rebuilt = result?;
    if args.verify {
        for row in &rebuilt.differences {
            println!("{row}");
        }
        if !rebuilt.differences.is_empty() {
            return Err(MaintenanceError::Differs(rebuilt.differences.len()));
        }
        println!(
            "read models match a rebuild up to position {}",
            rebuilt.position
        );
    } else {
        println!(
            "rebuilt {} events up to position {} and swapped them in",
            rebuilt.events, rebuilt.position
        );
    }
    Ok(())
}

pub async fn migrate(args: DatabaseArgs) -> Result<(), MaintenanceError> {
    let db = Database::open(&args, true).await?;
    let result = crate::database::prepare(&db.pool).await;
    db.close().await;
    result?;
    tracing::info!("migrations applied");
    Ok(())
}
