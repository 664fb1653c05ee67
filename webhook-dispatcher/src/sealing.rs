//! Signing secrets at rest. roster must read an endpoint's secret back to sign with it, so it
//! cannot keep only a hash (as it does for API keys): each secret is sealed with
//! XChaCha20-Poly1305 under a key kept outside the database, bound to its endpoint's id (a sealed
//! secret copied to another endpoint does not open). A dump of the database holds no secret.
//!
//! Stored form: `sealed:v1:<key id>:<base64 of nonce ‖ ciphertext>`, where the key id is the
//! first 8 bytes of SHA-256 over the key, in hex: which key sealed a secret is visible (a wrong
//! key is a start-up error, not garbage signatures), the key itself is not.
//!
//! A keyring holds the current key (it seals) and older ones (they only open), so the key can be
//! rotated without downtime: `roster secrets rotate-key` puts a new key first, keeps the last
//! one, and seals every secret again. A keyring read from a file reads it again when it meets a
//! key it does not know, or before sealing when the file changed, so running processes follow a
//! rotation without a restart.

use std::path::{Path, PathBuf};
use std::sync::RwLock;
use std::time::SystemTime;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};

const PREFIX: &str = "sealed:v1:";
/// A key file holds the current key first, then older ones, one per line (base64, 32 bytes).
const KEY_BYTES: usize = 32;
const NONCE_BYTES: usize = 24;

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("a secret key must be 32 bytes in base64 (make one with `roster secrets new-key`)")]
    BadKey,
    #[error("no secret key given")]
    NoKey,
    #[error("{path}: {source}")]
    File {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "a webhook signing secret is sealed with key {0}, which the configured secret key(s) \
         do not hold: start roster with the key the secrets were sealed with"
    )]
    UnknownKey(String),
    #[error("a sealed webhook signing secret does not open: it was altered or belongs elsewhere")]
    Tampered,
    #[error("a stored webhook signing secret is neither sealed nor a whsec_ secret")]
    Malformed,
}

/// One key.
#[derive(Clone)]
pub struct SecretKey {
    bytes: [u8; KEY_BYTES],
    id: String,
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretKey({})", self.id)
    }
}

impl SecretKey {
    pub fn generate() -> Self {
        use rand::RngCore;
        let mut bytes = [0u8; KEY_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        Self::from_bytes(bytes)
    }

    fn from_bytes(bytes: [u8; KEY_BYTES]) -> Self {
        let digest = Sha256::digest(bytes);
        let id = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        Self { bytes, id }
    }

    pub fn parse(text: &str) -> Result<Self, SealError> {
        let bytes = STANDARD
            .decode(text.trim())
            .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(text.trim()))
            .map_err(|_| SealError::BadKey)?;
        let bytes: [u8; KEY_BYTES] = bytes.try_into().map_err(|_| SealError::BadKey)?;
        Ok(Self::from_bytes(bytes))
    }

    /// The key as a key file or `ROSTER_SECRET_KEY` holds it.
    pub fn encoded(&self) -> String {
        STANDARD.encode(self.bytes)
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new((&self.bytes).into())
    }
}

/// The keys of a keyring, current first: comma-separated (`ROSTER_SECRET_KEY`), or one per
/// line with `#` comments (a key file).
fn parse_keys(text: &str) -> Result<Vec<SecretKey>, SealError> {
    let keys = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .flat_map(|l| l.split(','))
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(SecretKey::parse)
        .collect::<Result<Vec<_>, _>>()?;
    if keys.is_empty() {
        return Err(SealError::NoKey);
    }
    Ok(keys)
}

/// Where the keys come from.
#[derive(Debug, Clone)]
pub enum KeySource {
    /// Given as they are (`ROSTER_SECRET_KEY`, comma-separated, current first).
    Given,
    /// A file, read again when it changes (`--secret-key-file`, or the embedded default).
    File(PathBuf),
}

#[derive(Debug)]
struct Keys {
    keys: Vec<SecretKey>,
    /// Which version of the file they came from.
    version: Option<FileVersion>,
}

/// A key file is replaced, never edited in place (`write_key_file` renames a new file over it):
/// its inode and modification time tell one version from the next.
type FileVersion = (u64, SystemTime);

#[derive(Debug)]
pub struct Keyring {
    source: KeySource,
    keys: RwLock<Keys>,
}

fn version(path: &Path) -> Option<FileVersion> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.ino(), meta.modified().ok()?))
}

fn read_file(path: &Path) -> Result<Vec<SecretKey>, SealError> {
    let text = std::fs::read_to_string(path).map_err(|source| SealError::File {
        path: path.to_path_buf(),
        source,
    })?;
    parse_keys(&text)
}

/// Writes `keys` (current first) to `path`, mode 0600, replacing it at once (rename).
pub fn write_key_file(path: &Path, keys: &[SecretKey]) -> Result<(), SealError> {
    let mut text = String::from(
        "# roster's keys for webhook signing secrets at rest: the first seals, the others only\n\
         # open. Keep this file with the database's backups, readable by roster's user only.\n",
    );
    for key in keys {
        text.push_str(&key.encoded());
        text.push('\n');
    }
    embedded_postgres::private::write_owner_only(path, &text).map_err(|source| SealError::File {
        path: path.to_path_buf(),
        source,
    })
}

impl Keyring {
    /// The keys in `text` (`ROSTER_SECRET_KEY`: one key, or several comma-separated, current
    /// first).
    pub fn given(text: &str) -> Result<Self, SealError> {
        Ok(Self::new(KeySource::Given, parse_keys(text)?, None))
    }

    /// The keys in the file at `path`.
    pub fn from_file(path: &Path) -> Result<Self, SealError> {
        let version = version(path);
        let keys = read_file(path)?;
        Ok(Self::new(
            KeySource::File(path.to_path_buf()),
            keys,
            version,
        ))
    }

    /// The file at `path`, made with a new key (mode 0600) if it does not exist. The bool says
    /// whether it was made now.
    pub fn from_file_or_new(path: &Path) -> Result<(Self, bool), SealError> {
        if path.exists() {
            return Ok((Self::from_file(path)?, false));
        }
        write_key_file(path, &[SecretKey::generate()])?;
        Ok((Self::from_file(path)?, true))
    }

    /// A keyring of one random key, kept nowhere (tests).
    pub fn ephemeral() -> Self {
        Self::new(KeySource::Given, vec![SecretKey::generate()], None)
    }

    fn new(source: KeySource, keys: Vec<SecretKey>, version: Option<FileVersion>) -> Self {
        Self {
            source,
            keys: RwLock::new(Keys { keys, version }),
        }
    }

    pub fn source(&self) -> &KeySource {
        &self.source
    }

    /// The keys, current first.
    pub fn keys(&self) -> Vec<SecretKey> {
        self.read().keys.clone()
    }

    pub fn current(&self) -> SecretKey {
        self.read().keys[0].clone()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Keys> {
        self.keys.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Reads the file again if it was replaced since it was read (a rotation by another
    /// process), or in any case when `always`.
    fn refresh(&self, always: bool) {
        let KeySource::File(path) = &self.source else {
            return;
        };
        let now = version(path);
        if now.is_none() || (!always && now == self.read().version) {
            return;
        }
        match read_file(path) {
            Ok(keys) => {
                let mut held = self.keys.write().unwrap_or_else(|e| e.into_inner());
                *held = Keys { keys, version: now };
            }
            Err(e) => tracing::warn!(error = %e, "cannot read the secret key file again"),
        }
    }

    /// `secret` sealed under the current key, for endpoint `endpoint_id`.
    pub fn seal(&self, endpoint_id: &str, secret: &str) -> String {
        self.refresh(false);
        let key = self.current();
        let nonce = {
            use rand::RngCore;
            let mut n = [0u8; NONCE_BYTES];
            rand::rng().fill_bytes(&mut n);
            n
        };
        // Encrypting to a Vec with a 24-byte nonce cannot fail.
        let sealed = key
            .cipher()
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: secret.as_bytes(),
                    aad: endpoint_id.as_bytes(),
                },
            )
            .unwrap_or_default();
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        format!("{PREFIX}{}:{}", key.id, STANDARD.encode(bytes))
    }

    /// The secret in `stored` (sealed, or a `whsec_` secret stored before sealing existed).
    pub fn open(&self, endpoint_id: &str, stored: &str) -> Result<String, SealError> {
        if stored.starts_with("whsec_") {
            return Ok(stored.to_owned());
        }
        let (key_id, payload) = key_id(stored).ok_or(SealError::Malformed)?;
        let key = match self.find(key_id) {
            Some(key) => key,
            None => {
                self.refresh(true);
                self.find(key_id)
                    .ok_or_else(|| SealError::UnknownKey(key_id.to_owned()))?
            }
        };
        let bytes = STANDARD.decode(payload).map_err(|_| SealError::Malformed)?;
        if bytes.len() < NONCE_BYTES {
            return Err(SealError::Malformed);
        }
        let (nonce, sealed) = bytes.split_at(NONCE_BYTES);
        let secret = key
            .cipher()
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: endpoint_id.as_bytes(),
                },
            )
            .map_err(|_| SealError::Tampered)?;
        String::from_utf8(secret).map_err(|_| SealError::Tampered)
    }

    fn find(&self, key_id: &str) -> Option<SecretKey> {
        self.read().keys.iter().find(|k| k.id == key_id).cloned()
    }

    /// Whether `stored` is sealed under the current key already.
    pub fn is_current(&self, stored: &str) -> bool {
        key_id(stored).is_some_and(|(id, _)| id == self.current().id)
    }
}

/// The key id and payload of a sealed secret.
fn key_id(stored: &str) -> Option<(&str, &str)> {
    stored.strip_prefix(PREFIX)?.split_once(':')
}

/// Why the stored secrets could not be (re)sealed.
#[derive(Debug, thiserror::Error)]
pub enum ResealError {
    #[error(transparent)]
    Seal(#[from] SealError),
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

/// What a pass over every endpoint's secrets did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Resealed {
    pub endpoints: usize,
    /// Endpoints whose secrets were sealed (again) by this pass.
    pub sealed: usize,
}

/// Which stored secrets a pass seals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reseal {
    /// Those stored before sealing existed (at every start-up).
    Plain,
    /// Every one not sealed under the current key (a key rotation).
    NotCurrent,
}

/// Goes over every endpoint's stored secrets: each must open with the keyring (a secret sealed
/// under a key the keyring lacks is an error, found before any secret is written), and those
/// `which` selects are sealed under the current key. A row changed meanwhile (a rotation) is
/// read again; what it holds then is sealed with the current key by whoever wrote it.
pub async fn reseal(
    pool: &sqlx::PgPool,
    keyring: &Keyring,
    which: Reseal,
) -> Result<Resealed, ResealError> {
    use crate::queue::{self as webhooks, StoredSecrets};
    const BATCH: i64 = 500;
    let needs = |stored: &str| match which {
        Reseal::Plain => stored.starts_with("whsec_"),
        Reseal::NotCurrent => !keyring.is_current(stored),
    };
    // A row's secrets opened, and whether `which` selects them.
    let open = |row: &StoredSecrets| -> Result<(String, Option<String>, bool), SealError> {
        let secret = keyring.open(&row.id, &row.secret)?;
        let previous = (row.previous_secret.as_deref())
            .map(|p| keyring.open(&row.id, p))
            .transpose()?;
        let stale = needs(&row.secret) || row.previous_secret.as_deref().is_some_and(needs);
        Ok((secret, previous, stale))
    };
    // One pass reads them all: every secret must open (a key missing from the keyring is found
    // before anything is sealed under a keyring that is not the right one), and the stale ones
    // are kept for the second.
    let mut done = Resealed::default();
    let mut stale = Vec::new();
    let mut after = String::new();
    loop {
        let rows = webhooks::stored_secrets(pool, &after, BATCH).await?;
        let Some(last) = rows.last() else { break };
        after = last.id.clone();
        done.endpoints += rows.len();
        for row in rows {
            if open(&row)?.2 {
                stale.push(row);
            }
        }
    }
    for mut row in stale {
        loop {
            let (secret, previous, still_stale) = open(&row)?;
            if !still_stale {
                break;
            }
            let sealed = keyring.seal(&row.id, &secret);
            let sealed_previous = previous.map(|p| keyring.seal(&row.id, &p));
            if webhooks::reseal(pool, &row, &sealed, sealed_previous.as_deref()).await? {
                done.sealed += 1;
                break;
            }
            // Changed meanwhile: read it again (gone: nothing to do).
            match webhooks::stored_secrets_of(pool, &row.id).await? {
                Some(fresh) => row = fresh,
                None => break,
            }
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_for_its_endpoint_only_and_shows_nothing_of_itself() {
        let ring = Keyring::ephemeral();
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let sealed = ring.seal("we_1", secret);
        assert!(sealed.starts_with("sealed:v1:"));
        assert!(!sealed.contains("MfKQ9r8G"));
        assert_ne!(sealed, ring.seal("we_1", secret), "a fresh nonce each time");
        assert_eq!(ring.open("we_1", &sealed).unwrap(), secret);
        assert!(matches!(
            ring.open("we_2", &sealed),
            Err(SealError::Tampered)
        ));
        // Under another key: named, not opened.
        let other = Keyring::ephemeral();
        assert!(matches!(
            other.open("we_1", &sealed),
            Err(SealError::UnknownKey(id)) if id == ring.current().id()
        ));
        // A secret stored before sealing existed still opens (it is sealed at start-up).
        assert_eq!(ring.open("we_1", secret).unwrap(), secret);
        assert!(matches!(
            ring.open("we_1", "nonsense"),
            Err(SealError::Malformed)
        ));
    }

    #[test]
    fn older_keys_open_and_the_first_seals() {
        let (old, new) = (SecretKey::generate(), SecretKey::generate());
        let before = Keyring::given(&old.encoded()).unwrap();
        let sealed = before.seal("we_1", "whsec_x");
        let after = Keyring::given(&format!("{},{}", new.encoded(), old.encoded())).unwrap();
        assert_eq!(after.open("we_1", &sealed).unwrap(), "whsec_x");
        assert!(!after.is_current(&sealed));
        assert!(after.is_current(&after.seal("we_1", "whsec_x")));
        assert!(matches!(Keyring::given("short"), Err(SealError::BadKey)));
        assert!(matches!(Keyring::given(" , "), Err(SealError::NoKey)));
    }

    #[test]
    fn a_keyring_from_a_file_follows_the_file() {
        let dir = std::env::temp_dir().join(format!("roster-keys-{}", ulid::Ulid::new()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("secret-key");
        let (ring, made) = Keyring::from_file_or_new(&path).unwrap();
        assert!(made);
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let old = ring.current();
        let sealed = ring.seal("we_1", "whsec_x");
        // Another process rotates: new key first, the old one kept.
        let new = SecretKey::generate();
        write_key_file(&path, &[new.clone(), old.clone()]).unwrap();
        let resealed = Keyring::from_file(&path).unwrap().seal("we_1", "whsec_x");
        // This keyring has not read the file since; meeting the new key, it reads it again.
        assert_eq!(ring.open("we_1", &resealed).unwrap(), "whsec_x");
        assert_eq!(ring.open("we_1", &sealed).unwrap(), "whsec_x");
        assert!(ring.is_current(&ring.seal("we_1", "whsec_x")));
        let _ = std::fs::remove_dir_all(dir);
    }
}
