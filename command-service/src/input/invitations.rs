//! Invitation create and accept.

use std::collections::BTreeSet;

use chrono::Duration;
use domain::values::{Email, RoleSlug, SubjectId, ValueError};
use http_edge::{Fields, Problem};
use serde::Deserialize;

use crate::app::invitations::NewInvitation;
use crate::request::roles;

/// Days an invitation lasts unless told otherwise.
pub const DEFAULT_DAYS: i64 = 7;

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationCreate {
    #[schemars(with = "domain::values::Email")]
    pub email: String,
    #[schemars(with = "Option<std::collections::BTreeSet<domain::values::RoleSlug>>")]
    pub roles: Option<Vec<String>>,
    /// Days until it expires (default 7).
    #[schemars(range(min = 1, max = 30))]
    pub expires_in_days: Option<i64>,
    #[schemars(with = "Option<domain::values::SubjectId>")]
    pub inviter_user_id: Option<String>,
}

fn lifetime(days: i64) -> Result<Duration, ValueError> {
    if (1..=30).contains(&days) {
        Ok(Duration::days(days))
    } else {
        Err(ValueError("expires_in_days must be 1–30".into()))
    }
}

impl InvitationCreate {
    pub fn parse(self) -> Result<NewInvitation, Problem> {
        let mut fields = Fields::default();
        let email = fields.check("email", Email::parse(&self.email));
        let roles = match self.roles {
            Some(list) => fields.check("roles", roles(list)),
            None => Some(BTreeSet::from([RoleSlug::member()])),
        };
        let lifetime = fields.check(
            "expires_in_days",
            lifetime(self.expires_in_days.unwrap_or(DEFAULT_DAYS)),
        );
        let inviter_user_id = self
            .inviter_user_id
            .and_then(|u| fields.check("inviter_user_id", SubjectId::parse(&u)));
        let ((email, roles), lifetime) = fields.done(email.zip(roles).zip(lifetime))?;
        Ok(NewInvitation {
            email,
            roles,
            lifetime,
            inviter_user_id,
        })
    }
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationAccept {
    #[schemars(with = "domain::values::SubjectId")]
    pub user_id: String,
    /// The token the invitation was issued with.
    #[schemars(length(min = 1))]
    pub accept_token: String,
}

impl InvitationAccept {
    /// The accepting user and the token.
    pub fn parse(self) -> Result<(SubjectId, String), Problem> {
        let mut fields = Fields::default();
        let user_id = fields.check("user_id", SubjectId::parse(&self.user_id));
        if self.accept_token.is_empty() {
            fields.fail("accept_token", "accept_token must not be empty");
        }
        Ok((fields.done(user_id)?, self.accept_token))
    }
}
