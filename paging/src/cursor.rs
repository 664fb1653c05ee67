//! Opaque pagination cursors: the row key, signed with a secret every roster process shares
//! (kept in the database) and bound to the list it came from, so a cursor that was edited or
//! taken from another list is refused instead of silently paging somewhere else.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Bytes of the HMAC-SHA256 tag kept in a cursor (128 bits: unforgeable, and short URLs).
const TAG_BYTES: usize = 16;

fn mac(secret: &[u8], scope: &str, key: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(scope.as_bytes());
    mac.update(b"\n");
    mac.update(key.as_bytes());
    mac
}

pub fn encode(secret: &[u8], scope: &str, key: &str) -> String {
    let tag = mac(secret, scope, key).finalize().into_bytes();
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(key),
        URL_SAFE_NO_PAD.encode(&tag[..TAG_BYTES])
    )
}

/// The key inside `cursor`, if this process's secret signed it for `scope`.
pub fn decode(secret: &[u8], scope: &str, cursor: &str) -> Option<String> {
    let (key, tag) = cursor.split_once('.')?;
    let key = String::from_utf8(URL_SAFE_NO_PAD.decode(key).ok()?).ok()?;
    let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
    if tag.len() != TAG_BYTES {
        return None;
    }
    mac(secret, scope, &key)
        .verify_truncated_left(&tag)
        .ok()
        .map(|()| key)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn round_trips() {
        let c = encode(SECRET, "memberships:org_1", "om_01ABC");
        assert_eq!(
            decode(SECRET, "memberships:org_1", &c).as_deref(),
            Some("om_01ABC")
        );
    }

    #[test]
    fn refuses_edits_other_lists_and_other_secrets() {
        let c = encode(SECRET, "memberships:org_1", "om_01ABC");
        let forged = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode("om_01ABD"),
            c.split_once('.').unwrap().1
        );
        assert_eq!(decode(SECRET, "memberships:org_1", &forged), None);
        assert_eq!(decode(SECRET, "memberships:org_2", &c), None);
        assert_eq!(decode(b"another secret", "memberships:org_1", &c), None);
        assert_eq!(decode(SECRET, "memberships:org_1", "garbage"), None);
        assert_eq!(decode(SECRET, "memberships:org_1", ""), None);
    }
}
