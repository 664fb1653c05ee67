//! Standard Webhooks signing: secrets are `whsec_` + base64 of the key bytes; a signature is
//! `v1,` + base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

pub const PREFIX: &str = "whsec_";
/// Generated keys have 32 random bytes; given ones must have 24 to 64.
const GENERATED_BYTES: usize = 32;
pub const MIN_BYTES: usize = 24;
pub const MAX_BYTES: usize = 64;

/// A fresh random secret.
pub fn generate() -> String {
    let mut key = [0u8; GENERATED_BYTES];
    rand::rng().fill_bytes(&mut key);
    format!("{PREFIX}{}", STANDARD.encode(key))
}

/// The key bytes of a `whsec_` secret, or why it is not one.
/// The JSON Schema pattern of what [`key`] accepts: the prefix and canonical standard base64 of
/// `MIN_BYTES..=MAX_BYTES` bytes (padding and the unused bits of the last symbol as the decoder
/// requires them).
pub fn secret_pattern() -> String {
    const GROUP: &str = "[A-Za-z0-9+/]{4}";
    // The last quantum of a key whose length leaves 0, 1 or 2 bytes over.
    let tails = [
        "",
        "[A-Za-z0-9+/][AQgw]==",
        "[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=",
    ];
    let lengths = tails.iter().enumerate().map(|(over, tail)| {
        let fewest = (MIN_BYTES.saturating_sub(over)).div_ceil(3);
        let most = (MAX_BYTES - over) / 3;
        format!("(?:{GROUP}){{{fewest},{most}}}{tail}")
    });
    format!("^{PREFIX}(?:{})$", lengths.collect::<Vec<_>>().join("|"))
}

pub fn key(secret: &str) -> Result<Vec<u8>, String> {
    let encoded = secret
        .strip_prefix(PREFIX)
        .ok_or_else(|| format!("must start with `{PREFIX}`"))?;
    let key = STANDARD
        .decode(encoded)
        .map_err(|_| format!("must be `{PREFIX}` followed by standard base64"))?;
    if !(MIN_BYTES..=MAX_BYTES).contains(&key.len()) {
        return Err(format!(
            "the key must have {MIN_BYTES} to {MAX_BYTES} bytes; it has {}",
            key.len()
        ));
    }
    Ok(key)
}

/// `v1,<signature>` of one message under one key.
pub fn sign(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// The `webhook-signature` header value: one signature per valid secret, space-separated.
pub fn header(secrets: &[&str], id: &str, timestamp: i64, body: &[u8]) -> String {
    secrets
        .iter()
        .filter_map(|s| key(s).ok())
        .map(|k| sign(&k, id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_reference_library_vector() {
        // docs/webhooks.md: computed with the reference `standardwebhooks` library. Its test key is
        // 24 bytes, the minimum we accept.
        let key = key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        assert_eq!(
            sign(
                &key,
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330,
                br#"{"test": 2432232314}"#
            ),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn the_documented_pattern_accepts_exactly_the_secrets_that_parse() {
        let pattern = regex::Regex::new(&secret_pattern()).unwrap();
        let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for length in 0..=80usize {
            let bytes: Vec<u8> = (0..length).map(|i| (i * 37 + 11) as u8).collect();
            let encoded = STANDARD.encode(&bytes);
            // The secret itself, and every other last symbol before the padding (most of which
            // leave bits set that canonical base64 keeps zero).
            let last = encoded.trim_end_matches('=').len().saturating_sub(1);
            let mut candidates = vec![encoded.clone()];
            for c in alphabet.chars() {
                let mut changed = encoded.clone();
                if last < changed.len() {
                    changed.replace_range(last..last + 1, &c.to_string());
                }
                candidates.push(changed);
            }
            candidates.push(encoded.trim_end_matches('=').to_owned());
            for candidate in candidates {
                let secret = format!("{PREFIX}{candidate}");
                assert_eq!(
                    pattern.is_match(&secret),
                    key(&secret).is_ok(),
                    "{secret} ({length} bytes)"
                );
            }
        }
    }

    #[test]
    fn generated_secrets_parse_and_bad_ones_do_not() {
        let s = generate();
        assert_eq!(key(&s).unwrap().len(), GENERATED_BYTES);
        assert!(key("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").is_err());
        assert!(key("whsec_not base64!").is_err());
        assert!(key("whsec_c2hvcnQ=").is_err(), "5 bytes is too short");
    }

    #[test]
    fn header_signs_with_every_secret() {
        let (a, b) = (generate(), generate());
        let h = header(&[&a, &b], "evt_1", 1, b"{}");
        let parts: Vec<&str> = h.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0], sign(&key(&a).unwrap(), "evt_1", 1, b"{}"));
        assert_eq!(parts[1], sign(&key(&b).unwrap(), "evt_1", 1, b"{}"));
    }
}
