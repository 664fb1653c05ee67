//! Text that a third party controls (a receiver's error, a broker's message) made safe to store:
//! Postgres text holds no NUL, and nobody else decides how much of our disk it takes.

/// At most this many bytes of a third party's text are kept.
pub const MAX_BYTES: usize = 2048;

/// `text` with every NUL replaced (U+FFFD) and cut, at a character boundary, to `MAX_BYTES`.
pub fn storable(text: &str) -> String {
    let mut end = text.len().min(MAX_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].replace('\0', "\u{fffd}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_is_replaced_and_long_text_is_cut_at_a_character_boundary() {
        assert_eq!(storable("a\0b"), "a\u{fffd}b");
        let long = "é".repeat(MAX_BYTES);
        let cut = storable(&long);
        assert!(cut.len() <= MAX_BYTES && cut.len() >= MAX_BYTES - 1);
        assert!(cut.chars().all(|c| c == 'é'));
        assert_eq!(storable("plain"), "plain");
    }
}
