//! Value types that parse instead of "validating later": holding one means it is valid.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// Why a value was refused; the HTTP edge pairs it with the field name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ValueError(pub String);

/// Whether `s` holds a control character: never allowed in names, ids and keys (a NUL cannot even
/// be stored in Postgres text or JSON).
pub fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

/// Free-form values (metadata and attribute values) may hold tabs and line breaks, but no other
/// control character.
fn has_control_beyond_whitespace(s: &str) -> bool {
    s.chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// Trimmed, non-empty, without control characters, and at most `max_chars` as sent (so the
/// documented `maxLength` holds for what a client sends, surrounding blanks included).
fn bounded_text(s: &str, what: &str, max_chars: usize) -> Result<String, ValueError> {
    let trimmed = s.trim();
    if trimmed.is_empty() {
        return Err(ValueError(format!("{what} must not be empty")));
    }
    if s.chars().count() > max_chars {
        return Err(ValueError(format!(
            "{what} must be at most {max_chars} characters"
        )));
    }
    if has_control(trimmed) {
        return Err(ValueError(format!(
            "{what} must not contain control characters"
        )));
    }
    Ok(trimmed.to_owned())
}

/// What `bounded_text` accepts, as a JSON Schema `pattern` (ECMA-262 and Python `re` read it
/// alike): whitespace around (Rust's `trim`, which takes `\t`, `\n`, `\r`, `\u0085` …), then a
/// non-blank text without control characters. Spelled out, never `\s`: its meaning differs
/// between regex dialects and from `trim`.
pub const TEXT_PATTERN: &str = concat!(
    // blanks around (what `trim` takes)
    r"^[\t\n\u000B\u000C\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*",
    // a first character neither blank nor control …
    r"[^\u0000-\u001F\u007F-\u009F \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]",
    // … then anything but controls, ending with a character neither blank nor control
    r"(?:[^\u0000-\u001F\u007F-\u009F]*[^\u0000-\u001F\u007F-\u009F \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])?",
    r"[\t\n\u000B\u000C\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$",
);

macro_rules! text_value {
    ($(#[$doc:meta])* $name:ident, $what:literal, $max:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const MAX_CHARS: usize = $max;

            pub fn parse(s: &str) -> Result<Self, ValueError> {
                bounded_text(s, $what, $max).map(Self)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = ValueError;
            fn try_from(s: String) -> Result<Self, ValueError> {
                Self::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }

        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({
                    "type": "string", "minLength": 1, "maxLength": $max, "pattern": TEXT_PATTERN
                })
            }
        }
    };
}

/// A value type stored and sent as its string: parsed on the way in, as it is on the way out.
macro_rules! string_conversions {
    ($name:ident) => {
        impl TryFrom<String> for $name {
            type Error = ValueError;
            fn try_from(s: String) -> Result<Self, ValueError> {
                Self::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }
    };
}

/// A JSON Schema impl for a value type, from a literal schema.
macro_rules! schema {
    ($name:ident, $schema:tt) => {
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!($schema)
            }
        }
    };
}

schema!(RoleSlug, {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{0,63}$"});
schema!(Permissions, {
    "type": "array", "maxItems": 100,
    "description": "At most 100; duplicates are dropped.",
    "items": {"type": "string", "pattern": "^[A-Za-z0-9_:.*-]{1,128}$"}
});
/// Text without any control character (a key of metadata or attributes, a query parameter).
pub const NO_CONTROLS_PATTERN: &str = r"^[^\u0000-\u001F\u007F-\u009F]*$";
/// A free-form value: tabs and line breaks, no other control character.
const FREE_TEXT_PATTERN: &str = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$";

schema!(Metadata, {
    "type": "object", "maxProperties": 50,
    "propertyNames": {"minLength": 1, "maxLength": 40, "pattern": NO_CONTROLS_PATTERN},
    "additionalProperties": {"type": "string", "maxLength": 500, "pattern": FREE_TEXT_PATTERN}
});
schema!(Attributes, {
    "type": "object", "maxProperties": 50,
    "propertyNames": {"minLength": 1, "maxLength": 40, "pattern": NO_CONTROLS_PATTERN},
    "additionalProperties": {
        "type": ["string", "number", "boolean"], "maxLength": 500, "pattern": FREE_TEXT_PATTERN
    }
});
schema!(Email, {"type": "string", "format": "email", "maxLength": 254});
schema!(MaxMembers, {
    "type": "integer", "minimum": 0, "maximum": 10000000,
    "description": "How many active members the organization may have; deactivated ones do not count."
});

/// An organization's seat limit (Clerk's `max_allowed_memberships`): 0–10,000,000 active members.
/// Lowering it below the members an organization has is allowed; it only refuses new seats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct MaxMembers(u32);

impl MaxMembers {
    pub const MAX: u32 = 10_000_000;

    pub fn parse(n: u64) -> Result<Self, ValueError> {
        match u32::try_from(n) {
            Ok(n) if n <= Self::MAX => Ok(Self(n)),
            _ => Err(ValueError(format!(
                "max_members must be between 0 and {}",
                Self::MAX
            ))),
        }
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for MaxMembers {
    type Error = ValueError;
    fn try_from(n: u32) -> Result<Self, ValueError> {
        Self::parse(n.into())
    }
}

impl From<MaxMembers> for u32 {
    fn from(v: MaxMembers) -> u32 {
        v.0
    }
}

/// `null` clears a field; absence leaves it alone (`Some(None)` and `None`; serde alone reads
/// both as `None`). Use with `#[serde(default)]`: request bodies, and events' previous values.
pub fn nullable<'de, T: Deserialize<'de>, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

schema!(TemplateRoleSet, {
    "type": "array", "maxItems": 1000, "contains": {"const": "member"},
    "description": "The template roles the organization offers (Clerk's role sets); `member` must be among them; duplicates are dropped.",
    "items": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{0,63}$"}
});

/// Which of the organization template's roles an organization offers, when not all of them:
/// at most 1,000 slugs, `member` among them (what joining without roles gives). Its own custom
/// roles are offered besides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "BTreeSet<RoleSlug>", into = "BTreeSet<RoleSlug>")]
pub struct TemplateRoleSet(BTreeSet<RoleSlug>);

impl TemplateRoleSet {
    pub const MAX: usize = 1000;

    pub fn parse(slugs: BTreeSet<RoleSlug>) -> Result<Self, ValueError> {
        if slugs.len() > Self::MAX {
            return Err(ValueError(format!(
                "template_roles holds at most {} roles",
                Self::MAX
            )));
        }
        if !slugs.contains(&RoleSlug::member()) {
            return Err(ValueError(
                "template_roles must include `member` (what joining without roles gives)".into(),
            ));
        }
        Ok(Self(slugs))
    }

    pub fn contains(&self, slug: &RoleSlug) -> bool {
        self.0.contains(slug)
    }

    pub fn iter(&self) -> impl Iterator<Item = &RoleSlug> {
        self.0.iter()
    }
}

impl TryFrom<BTreeSet<RoleSlug>> for TemplateRoleSet {
    type Error = ValueError;
    fn try_from(slugs: BTreeSet<RoleSlug>) -> Result<Self, ValueError> {
        Self::parse(slugs)
    }
}

impl From<TemplateRoleSet> for BTreeSet<RoleSlug> {
    fn from(v: TemplateRoleSet) -> Self {
        v.0
    }
}

text_value!(
    /// An organization's display name, trimmed, 1–100 characters.
    OrganizationName,
    "name",
    100
);
text_value!(
    /// Free text describing an object, 1–1000 characters.
    Description,
    "description",
    1000
);
text_value!(
    /// The caller's own id for an object, unique per kind (like WorkOS's `external_id`), 1–128 characters.
    ExternalId,
    "external_id",
    128
);

text_value!(
    /// A group's name, 1–100 characters, unique in its organization regardless of case.
    GroupName,
    "name",
    100
);
/// An email address, trimmed; compared case-insensitively. Deliberately loose (one `@`, a dotted
/// domain, no spaces, at most 254 characters): the caller's identity system owns verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let s = s.trim();
        let valid = s.len() <= 254
            && !s.chars().any(|c| c.is_whitespace() || c.is_control())
            && matches!(s.split_once('@'), Some((local, domain))
                if !local.is_empty() && !domain.contains('@') && domain.contains('.')
                    && !domain.starts_with('.') && !domain.ends_with('.'));
        if !valid {
            return Err(ValueError("email must be a valid address".into()));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form uniqueness is decided on.
    pub fn normalized(&self) -> String {
        self.0.to_lowercase()
    }
}

string_conversions!(Email);

/// A domain an organization verifies (`acme.com`, `eng.acme.co.uk`), normalised so one domain has
/// one spelling: trimmed, without a trailing dot, lower case, international names in punycode
/// (`bücher.de` → `xn--bcher-kva.de`). A public suffix (`com`, `co.uk`) is refused: verifying it
/// would claim every address under it. Free-mail domains are the deployment's list, checked by the
/// command side.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DomainName(String);

impl DomainName {
    /// What a client may send (before normalisation): a DNS name is at most 253 characters.
    pub const MAX_CHARS: usize = 255;

    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let invalid = |why: &str| ValueError(format!("domain {why}"));
        if s.chars().count() > Self::MAX_CHARS {
            return Err(invalid("must be at most 253 characters"));
        }
        let trimmed = s.trim();
        let trimmed = trimmed.strip_suffix('.').unwrap_or(trimmed);
        if trimmed.is_empty() || has_control(trimmed) {
            return Err(invalid("must be a domain name such as acme.com"));
        }
        let ascii = idna::domain_to_ascii_strict(trimmed).map_err(|_| {
            invalid("must be a valid domain name (letters, digits and `-` in dot-separated labels)")
        })?;
        let labels: Vec<&str> = ascii.split('.').collect();
        let valid_label = |l: &&str| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        };
        if ascii.len() > 253 || labels.len() < 2 || !labels.iter().all(valid_label) {
            return Err(invalid(
                "must be a valid domain name with at least two labels, such as acme.com",
            ));
        }
        if labels
            .last()
            .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit()))
        {
            return Err(invalid("must be a name, not an IP address"));
        }
        if psl::domain_str(&ascii).is_none() {
            return Err(invalid(&format!(
                "`{ascii}` is a public suffix (like com or co.uk): verify a domain registered under it"
            )));
        }
        Ok(Self(ascii))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The domain of an email address (what auto-join compares), normalised the same way.
    pub fn of_email(email: &Email) -> Result<Self, ValueError> {
        let (_, domain) = email
            .as_str()
            .rsplit_once('@')
            .ok_or_else(|| ValueError("email must be a valid address".into()))?;
        Self::parse(domain)
    }
}

string_conversions!(DomainName);

schema!(DomainName, {
    "type": "string", "minLength": 1, "maxLength": 255,
    "description": "A domain name such as acme.com; stored lower case, without a trailing dot, international names in punycode. Public suffixes (com, co.uk) and the deployment's free-mail domains are refused.",
    "examples": ["acme.com"]
});

text_value!(
    /// A role's display name, 1–100 characters.
    RoleName,
    "name",
    100
);

/// A role's identifier within its organization: 1–64 of `a-z 0-9 _ -`, starting with a letter or
/// digit (like WorkOS role slugs). It is what memberships and tokens carry.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RoleSlug(String);

impl RoleSlug {
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let ok_char =
            |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-';
        let first_ok = s
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        if s.is_empty() || s.len() > 64 || !first_ok || !s.chars().all(ok_char) {
            return Err(ValueError(
                "slug must be 1–64 characters of a-z, 0-9, `_` and `-`, starting with a letter or digit"
                    .into(),
            ));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The roles every organization starts with.
    pub fn admin() -> Self {
        Self("admin".into())
    }

    /// The default role of a membership; it cannot be deleted.
    pub fn member() -> Self {
        Self("member".into())
    }
}

string_conversions!(RoleSlug);

/// A role's permissions (`billing:read`, `members:*` …): each 1–128 of `A-Z a-z 0-9 _ - : . *`,
/// at most 100, kept sorted and without duplicates so equal sets compare equal.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<String>", into = "Vec<String>")]
pub struct Permissions(Vec<String>);

impl Permissions {
    pub const MAX: usize = 100;

    pub fn parse(list: Vec<String>) -> Result<Self, ValueError> {
        let ok_char = |c: char| c.is_ascii_alphanumeric() || "_-:.*".contains(c);
        if let Some(bad) = list
            .iter()
            .find(|p| p.is_empty() || p.len() > 128 || !p.chars().all(ok_char))
        {
            return Err(ValueError(format!(
                "permission {bad:?} must be 1–128 characters of A-Z, a-z, 0-9, `_ - : . *`"
            )));
        }
        if list.len() > Self::MAX {
            return Err(ValueError(format!("at most {} permissions", Self::MAX)));
        }
        let mut list = list;
        list.sort();
        list.dedup();
        Ok(Self(list))
    }

    pub fn as_slice(&self) -> &[String] {
        &self.0
    }
}

impl TryFrom<Vec<String>> for Permissions {
    type Error = ValueError;
    fn try_from(list: Vec<String>) -> Result<Self, ValueError> {
        Self::parse(list)
    }
}

impl From<Permissions> for Vec<String> {
    fn from(p: Permissions) -> Self {
        p.0
    }
}

text_value!(
    /// An id from the caller's identity system (a user or an application), 1–255 characters.
    SubjectId,
    "id",
    255
);

/// A membership's attributes: a flat object of string, number or boolean values (like Keycloak
/// user attributes), at most 50 keys of 1–40 characters, strings at most 500 characters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(
    try_from = "serde_json::Map<String, serde_json::Value>",
    into = "serde_json::Map<String, serde_json::Value>"
)]
pub struct Attributes(serde_json::Map<String, serde_json::Value>);

impl Attributes {
    pub const MAX_KEYS: usize = 50;

    pub fn parse(map: serde_json::Map<String, serde_json::Value>) -> Result<Self, ValueError> {
        use serde_json::Value;
        if map.len() > Self::MAX_KEYS {
            return Err(ValueError(format!(
                "attributes must have at most {} keys",
                Self::MAX_KEYS
            )));
        }
        for (k, v) in &map {
            if k.is_empty() || k.chars().count() > 40 || has_control(k) {
                return Err(ValueError(
                    "attribute keys must be 1–40 characters, without control characters".into(),
                ));
            }
            match v {
                Value::String(s) if s.chars().count() > 500 => {
                    return Err(ValueError(format!(
                        "attribute `{k}` must be at most 500 characters"
                    )))
                }
                Value::String(s) if has_control_beyond_whitespace(s) => {
                    return Err(ValueError(format!(
                        "attribute `{k}` must not contain control characters"
                    )))
                }
                Value::String(_) | Value::Number(_) | Value::Bool(_) => {}
                _ => {
                    return Err(ValueError(format!(
                        "attribute `{k}` must be a string, number or boolean"
                    )))
                }
            }
        }
        Ok(Self(map))
    }

    pub fn get(&self, key: &str) -> Option<&serde_json::Value> {
        self.0.get(key)
    }
}

impl TryFrom<serde_json::Map<String, serde_json::Value>> for Attributes {
    type Error = ValueError;
    fn try_from(map: serde_json::Map<String, serde_json::Value>) -> Result<Self, ValueError> {
        Self::parse(map)
    }
}

impl From<Attributes> for serde_json::Map<String, serde_json::Value> {
    fn from(a: Attributes) -> Self {
        a.0
    }
}

/// Free-form string key/value pairs the caller attaches to an object (like WorkOS's `metadata`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    try_from = "BTreeMap<String, String>",
    into = "BTreeMap<String, String>"
)]
pub struct Metadata(BTreeMap<String, String>);

impl Metadata {
    pub const MAX_KEYS: usize = 50;
    pub const MAX_KEY_CHARS: usize = 40;
    pub const MAX_VALUE_CHARS: usize = 500;

    pub fn parse(map: BTreeMap<String, String>) -> Result<Self, ValueError> {
        if map.len() > Self::MAX_KEYS {
            return Err(ValueError(format!(
                "metadata must have at most {} keys",
                Self::MAX_KEYS
            )));
        }
        for (k, v) in &map {
            if k.is_empty() || k.chars().count() > Self::MAX_KEY_CHARS || has_control(k) {
                return Err(ValueError(format!(
                    "metadata keys must be 1–{} characters, without control characters",
                    Self::MAX_KEY_CHARS
                )));
            }
            if v.chars().count() > Self::MAX_VALUE_CHARS {
                return Err(ValueError(format!(
                    "metadata value of `{k}` must be at most {} characters",
                    Self::MAX_VALUE_CHARS
                )));
            }
            if has_control_beyond_whitespace(v) {
                return Err(ValueError(format!(
                    "metadata value of `{k}` must not contain control characters"
                )));
            }
        }
        Ok(Self(map))
    }
}

impl TryFrom<BTreeMap<String, String>> for Metadata {
    type Error = ValueError;
    fn try_from(map: BTreeMap<String, String>) -> Result<Self, ValueError> {
        Self::parse(map)
    }
}

impl From<Metadata> for BTreeMap<String, String> {
    fn from(m: Metadata) -> Self {
        m.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_patterns_of_keys_and_free_text_accept_what_parsing_accepts() {
        let key = regex::Regex::new(NO_CONTROLS_PATTERN).unwrap();
        let free = regex::Regex::new(FREE_TEXT_PATTERN).unwrap();
        for s in ["tier", "a b", "x\u{0}", "x\n", "\u{85}", "é"] {
            let metadata = Metadata::parse([(s.to_owned(), "v".to_owned())].into());
            assert_eq!(
                key.is_match(s) && !s.is_empty(),
                metadata.is_ok(),
                "key {s:?}"
            );
            let metadata = Metadata::parse([("k".to_owned(), s.to_owned())].into());
            assert_eq!(free.is_match(s), metadata.is_ok(), "value {s:?}");
        }
        assert!(free.is_match("line\r\nbreak\tand tab"));
    }

    #[test]
    fn the_schema_pattern_of_text_accepts_exactly_what_parsing_accepts() {
        let pattern = regex::Regex::new(TEXT_PATTERN).unwrap();
        for s in [
            "Acme",
            "A",
            "A B",
            " Acme ",
            "\tAcme\r\n",
            "",
            "   ",
            "\n",
            "Ac\u{0}me",
            "Ac\nme",
            "\u{85}Acme",
            "Acme\u{85}",
            "\u{1c}Acme",
            "\u{feff}Acme",
            "\u{3000}",
            "\u{3000}Acme\u{2029}",
            "a\u{200b}",
            "\u{7f}",
            "x\u{9f}y",
            "é€😀",
            "\u{a0}x\u{a0}",
        ] {
            assert_eq!(
                pattern.is_match(s),
                OrganizationName::parse(s).is_ok(),
                "{s:?}"
            );
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(OrganizationName::parse("  Acme ").unwrap().as_str(), "Acme");
        assert!(OrganizationName::parse("   ").is_err());
        assert!(OrganizationName::parse(&"x".repeat(100)).is_ok());
        assert!(OrganizationName::parse(&"x".repeat(101)).is_err());
        let padded = format!(" {} ", "x".repeat(99));
        assert!(
            OrganizationName::parse(&padded).is_err(),
            "101 characters as sent"
        );
        assert!(OrganizationName::parse("a\u{0}b").is_err());
    }

    #[test]
    fn slugs_and_permissions() {
        assert!(RoleSlug::parse("billing-admin").is_ok());
        for bad in ["", "Admin", "-x", "a b", &"a".repeat(65)] {
            assert!(RoleSlug::parse(bad).is_err(), "{bad:?}");
        }
        let p = Permissions::parse(vec!["b:read".into(), "a:*".into(), "b:read".into()]).unwrap();
        assert_eq!(p.as_slice(), ["a:*", "b:read"]);
        assert!(Permissions::parse(vec!["no spaces".into()]).is_err());
        assert!(Permissions::parse((0..101).map(|i| format!("p{i}")).collect()).is_err());
    }

    #[test]
    fn emails() {
        assert_eq!(
            Email::parse(" Ann@Example.com ").unwrap().normalized(),
            "ann@example.com"
        );
        for bad in [
            "",
            "ann",
            "ann@",
            "@x.com",
            "a@b",
            "a b@c.com",
            "a@b@c.com",
            "a@.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn metadata_limits() {
        let many: BTreeMap<_, _> = (0..51).map(|i| (format!("k{i}"), "v".into())).collect();
        assert!(Metadata::parse(many).is_err());
        let long_key = BTreeMap::from([("k".repeat(41), "v".to_string())]);
        assert!(Metadata::parse(long_key).is_err());
        let ok = BTreeMap::from([("tier".to_string(), "gold\nplus".to_string())]);
        assert!(Metadata::parse(ok).is_ok());
        for (k, v) in [
            ("a\u{0}b", "v"),
            ("k", "a\u{0}b"),
            ("k\n", "v"),
            ("k", "\u{7}"),
        ] {
            let map = BTreeMap::from([(k.to_string(), v.to_string())]);
            assert!(Metadata::parse(map).is_err(), "{k:?}: {v:?}");
        }
    }

    #[test]
    fn attributes_refuse_control_characters() {
        let parse = |v: serde_json::Value| Attributes::parse(v.as_object().unwrap().clone());
        assert!(parse(serde_json::json!({"team": "a\tb", "n": 1})).is_ok());
        assert!(parse(serde_json::json!({"team": "a\u{0}b"})).is_err());
        assert!(parse(serde_json::json!({"te\u{0}am": "x"})).is_err());
        assert!(parse(serde_json::json!({"t\u{1b}m": "x"})).is_err());
    }
}
