//! The rules a document keeps beyond its shape, all reported at once: one template role per
//! slug, one organization per external id, one role per slug, one member per user or application, one group per name (any
//! case), one invitation per email (any case), one domain per name, exactly one id per member,
//! expiries in range.
//! Whether the roles and members it names exist is for the plan, which knows the live state.

use std::collections::HashMap;

use crate::document::{Document, MemberRef};
use crate::read::Located;

/// Every rule `document` breaks.
pub fn check(document: &Document) -> Vec<Located> {
    let mut broken = Vec::new();
    let mut first = Firsts::default();
    for (i, role) in document.role_templates.iter().enumerate() {
        let slug = role.slug.as_str();
        first.once(
            "template",
            slug,
            &format!("role_templates[{i}].slug"),
            &mut broken,
        );
    }
    for (i, org) in document.organizations.iter().enumerate() {
        let at = format!("organizations[{i}]");
        first.once("organization", org.external_id.as_str(), &at, &mut broken);
        for (j, role) in org.roles.items.iter().enumerate() {
            let key = format!("{at}/role/{}", role.slug.as_str());
            first.once(&key, "", &format!("{at}.roles[{j}].slug"), &mut broken);
        }
        for (j, member) in org.members.items.iter().enumerate() {
            let path = format!("{at}.members[{j}]");
            let by = MemberRef {
                user_id: member.user_id.clone(),
                application_id: member.application_id.clone(),
            };
            if let Some(subject) = subject(&by, &path, &mut broken) {
                first.once(&format!("{at}/member"), &subject, &path, &mut broken);
            }
        }
        for (j, group) in org.groups.items.iter().enumerate() {
            let path = format!("{at}.groups[{j}]");
            let name = group.name.as_str().to_lowercase();
            first.once(
                &format!("{at}/group"),
                &name,
                &format!("{path}.name"),
                &mut broken,
            );
            for (k, member) in group.members.iter().enumerate() {
                let member_at = format!("{path}.members[{k}]");
                if let Some(subject) = subject(member, &member_at, &mut broken) {
                    first.once(&format!("{path}/member"), &subject, &member_at, &mut broken);
                }
            }
        }
        for (j, invitation) in org.invitations.items.iter().enumerate() {
            let path = format!("{at}.invitations[{j}]");
            let email = invitation.email.normalized();
            first.once(
                &format!("{at}/invitation"),
                &email,
                &format!("{path}.email"),
                &mut broken,
            );
            if invitation
                .expires_in_days
                .is_some_and(|d| !(1..=30).contains(&d))
            {
                broken.push(Located {
                    path: format!("{path}.expires_in_days"),
                    reason: "must be 1–30".into(),
                });
            }
        }
        for (j, domain) in org.domains.items.iter().enumerate() {
            first.once(
                &format!("{at}/domain"),
                domain.domain.as_str(),
                &format!("{at}.domains[{j}].domain"),
                &mut broken,
            );
        }
    }
    broken
}

/// Where each (scope, key) was first seen.
#[derive(Default)]
struct Firsts(HashMap<(String, String), String>);

impl Firsts {
    /// Records `key` in `scope` at `path`, or a problem if it was there already.
    fn once(&mut self, scope: &str, key: &str, path: &str, broken: &mut Vec<Located>) {
        let seen = (scope.to_owned(), key.to_owned());
        match self.0.get(&seen) {
            Some(first) => broken.push(Located {
                path: path.to_owned(),
                reason: format!("the same as {first}"),
            }),
            None => {
                self.0.insert(seen, path.to_owned());
            }
        }
    }
}

/// `user:<id>` or `application:<id>`; exactly one of the two must be given.
fn subject(member: &MemberRef, path: &str, broken: &mut Vec<Located>) -> Option<String> {
    match (&member.user_id, &member.application_id) {
        (Some(user), None) => Some(format!("user:{}", user.as_str())),
        (None, Some(app)) => Some(format!("application:{}", app.as_str())),
        _ => {
            broken.push(Located {
                path: format!("{path}.user_id"),
                reason: "give exactly one of user_id or application_id".into(),
            });
            None
        }
    }
}
