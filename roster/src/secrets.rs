//! The key that seals webhook signing secrets at rest: where it comes from (`--secret-key`,
//! `--secret-key-file`, or the embedded default's file beside the data), and `roster secrets`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use webhook_dispatcher::sealing::{self, KeySource, Keyring, Reseal, SecretKey};

use crate::cli::{RotateKeyArgs, SecretKeyArgs, SecretsCommand};
use crate::database::Database;

/// What a server needs to be told when no key is given and there is no embedded default.
const NO_KEY: &str = "webhook signing secrets are sealed at rest and DATABASE_URL is set: give \
                      the key with --secret-key-file or ROSTER_SECRET_KEY (make one with \
                      `roster secrets new-key`)";

/// The embedded default's key file: beside the data directory, like its password.
pub fn default_key_file(data_dir: &Path) -> PathBuf {
    data_dir.with_extension("secret-key")
}

/// Why `roster secrets` failed, or why the secret key cannot be used.
pub type SecretsError = crate::database::ToolError;

fn error(e: impl std::fmt::Display) -> SecretsError {
    SecretsError::Invalid(e.to_string())
}

/// The keyring `args` name; without one, the embedded default's (made on first use, and said
/// so). `data_dir`: the embedded server's, None with DATABASE_URL.
pub fn keyring(
    args: &SecretKeyArgs,
    data_dir: Option<&Path>,
) -> Result<Arc<Keyring>, SecretsError> {
    if let Some(given) = &args.secret_key {
        return Keyring::given(given).map(Arc::new).map_err(error);
    }
    if let Some(path) = &args.secret_key_file {
        return Keyring::from_file(path).map(Arc::new).map_err(error);
    }
    let Some(data_dir) = data_dir else {
        return Err(error(NO_KEY));
    };
    let path = default_key_file(data_dir);
    let (keyring, made) = Keyring::from_file_or_new(&path).map_err(error)?;
    if made {
        tracing::info!(
            file = %path.display(),
            key = keyring.current().id(),
            "made the key that seals webhook signing secrets at rest; back it up with the data"
        );
    }
    Ok(Arc::new(keyring))
}

/// For `serve --check`: the key as given parses (a file is read); without one, only the
/// embedded default may go on.
pub fn check(args: &SecretKeyArgs, database_url: bool) -> Result<(), SecretsError> {
    match (&args.secret_key, &args.secret_key_file) {
        (Some(_), _) | (_, Some(_)) => keyring(args, None).map(|_| ()),
        (None, None) if database_url => Err(error(NO_KEY)),
        (None, None) => Ok(()),
    }
}

pub async fn run(command: SecretsCommand) -> Result<(), SecretsError> {
    match command {
        SecretsCommand::NewKey => {
            println!("{}", SecretKey::generate().encoded());
            Ok(())
        }
        SecretsCommand::RotateKey(args) => rotate(args).await,
    }
}

/// `roster secrets rotate-key`: see its help.
async fn rotate(args: RotateKeyArgs) -> Result<(), SecretsError> {
    let db = Database::open(&args.database, true).await?;
    let result = async {
        crate::database::prepare(&db.pool).await?;
        let keyring = keyring(&args.keys, db.data_dir())?;
        // First everything under the current key, so that no secret stays under a key the
        // rotation drops from the file.
        sealing::reseal(&db.pool, &keyring, Reseal::NotCurrent)
            .await
            .map_err(error)?;
        let keyring = match keyring.source() {
            KeySource::File(path) => {
                let (new, previous) = (SecretKey::generate(), keyring.current());
                sealing::write_key_file(path, &[new.clone(), previous.clone()]).map_err(error)?;
                println!(
                    "{}: new key {} first, the previous one ({}) kept for processes that have \
                     not read the file again yet",
                    path.display(),
                    new.id(),
                    previous.id()
                );
                Arc::new(Keyring::from_file(path).map_err(error)?)
            }
            KeySource::Given => keyring,
        };
        let done = sealing::reseal(&db.pool, &keyring, Reseal::NotCurrent)
            .await
            .map_err(error)?;
        println!(
            "sealed the secrets of {} of {} webhook endpoints under key {}; every one is under \
             it now",
            done.sealed,
            done.endpoints,
            keyring.current().id()
        );
        Ok(())
    }
    .await;
    db.close().await;
    result
}
