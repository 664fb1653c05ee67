//! Key secrets: `rk_live_` and 256 random bits (base64url), so that a SHA-256 lookup is safe; only
//! the hash is ever stored.

use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

pub use domain::api_key::SECRET_PREFIX as PREFIX;

/// Characters of the random part: 32 bytes in unpadded base64url.
const RANDOM_CHARS: usize = 43;

/// How many characters of a secret are kept to tell keys apart (`rk_live_AbCd`).
const SHOWN: usize = PREFIX.len() + 4;

/// A new secret.
pub fn generate() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!(
        "{PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// Whether `s` has the shape of a secret (checked before any lookup).
pub fn well_formed(s: &str) -> bool {
    s.strip_prefix(PREFIX).is_some_and(|random| {
        random.len() == RANDOM_CHARS
            && random
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

pub fn hash(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// The part of a secret shown in lists.
pub fn shown(secret: &str) -> String {
    secret.chars().take(SHOWN).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_secrets_are_well_formed_and_distinct() {
        let (a, b) = (generate(), generate());
        assert!(well_formed(&a) && well_formed(&b));
        assert_ne!(a, b);
        assert_eq!(shown(&a).len(), PREFIX.len() + 4);
    }

    #[test]
    fn other_shapes_are_not() {
        let good = generate();
        for bad in [
            String::new(),
            "rk_live_".into(),
            good.replace(PREFIX, "rk_test_"),
            format!("{good}x"),
            good[..good.len() - 1].to_owned(),
            format!("{} ", &good[..good.len() - 1]),
            format!("{}=", &good[..good.len() - 1]),
        ] {
            assert!(!well_formed(&bad), "{bad:?}");
        }
    }
}
