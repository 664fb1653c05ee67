//! `roster export`: the organizations as a document (docs/apply.md), read once the projector has
//! caught up, written to standard output.

use std::io::Write;

use read_models::state::Selection;

use crate::cli::{DocumentExportArgs, DocumentFormat};
use crate::plan::PlanError;

pub async fn run(args: DocumentExportArgs) -> Result<(), PlanError> {
    let organization = match &args.organization {
        Some(raw) => Some(
            domain::OrganizationId::parse(raw)
                .map_err(|e| PlanError::Document(format!("--organization: {e}")))?
                .to_string(),
        ),
        None => None,
    };
    let exported = crate::database::tool(&args.database, |pool| async move {
        crate::plan::caught_up(&pool).await?;
        let selection = match &organization {
            Some(id) => Selection::Id(id),
            None => Selection::All,
        };
        query_service::document::export(&pool, projector::CONSUMER, selection)
            .await
            .map_err(|e| PlanError::Document(e.to_string()))
    })
    .await?;
    if exported.without_external_id > 0 {
        eprintln!(
            "roster: {} organizations have no external id and are left out (give them one to \
             keep them in a document)",
            exported.without_external_id
        );
    }
    let text = match args.format {
        DocumentFormat::Yaml => {
            let yaml = declarative::to_yaml(&exported.document)
                .map_err(|e| PlanError::Output(e.to_string()))?;
            if yaml.ends_with('\n') {
                yaml
            } else {
                yaml + "\n"
            }
        }
        DocumentFormat::Json => {
            serde_json::to_string_pretty(&exported.document)
                .map_err(|e| PlanError::Output(e.to_string()))?
                + "\n"
        }
    };
    // A reader that went away (`| head`) is not an error of the export's.
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    Ok(())
}
