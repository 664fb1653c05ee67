//! The read models, grouped by the events that feed them, so one can be rebuilt alone.

/// A set of read-model tables fed by one family of events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Projection {
    /// `rm_organizations`, `rm_roles`, `rm_role_templates` and `rm_domains`, from
    /// `organization.*`, `organization_role.*`, `role_template.*` and `organization_domain.*`
    /// (an organization's catalogue is its roles and the template's).
    Organizations,
    /// `rm_memberships`, from `membership.*`.
    Memberships,
    /// `rm_groups` and `rm_group_members`, from `group.*`.
    Groups,
    /// `rm_invitations`, from `invitation.*`.
    Invitations,
}

impl Projection {
    pub const ALL: [Projection; 4] = [
        Self::Organizations,
        Self::Memberships,
        Self::Groups,
        Self::Invitations,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Organizations => "organizations",
            Self::Memberships => "memberships",
            Self::Groups => "groups",
            Self::Invitations => "invitations",
        }
    }

    pub fn parse(name: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|p| p.name() == name)
            .ok_or_else(|| {
                let known: Vec<&str> = Self::ALL.iter().map(|p| p.name()).collect();
                format!("unknown projection `{name}`; known: {}", known.join(", "))
            })
    }

    pub fn tables(self) -> &'static [&'static str] {
        match self {
            Self::Organizations => &[
                "rm_organizations",
                "rm_roles",
                "rm_role_templates",
                "rm_domains",
            ],
            Self::Memberships => &["rm_memberships"],
            Self::Groups => &["rm_groups", "rm_group_members"],
            Self::Invitations => &["rm_invitations"],
        }
    }

    /// Whether events of this type write this projection's tables.
    pub fn covers(self, event_type: &str) -> bool {
        let family = event_type.split('.').next().unwrap_or_default();
        match self {
            Self::Organizations => {
                matches!(
                    family,
                    "organization" | "organization_role" | "organization_domain" | "role_template"
                )
            }
            Self::Memberships => family == "membership",
            Self::Groups => family == "group",
            Self::Invitations => family == "invitation",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_belongs_to_exactly_one_projection() {
        for table in read_models::write::TABLES {
            let owners = Projection::ALL
                .iter()
                .filter(|p| p.tables().contains(&table))
                .count();
            assert_eq!(owners, 1, "{table}");
        }
    }

    #[test]
    fn every_documented_domain_event_type_feeds_exactly_one_projection() {
        for doc in domain::catalogue::events() {
            let feeding = Projection::ALL
                .iter()
                .filter(|p| p.covers(doc.event_type))
                .count();
            // The dispatcher's and the key management's events are not about the identity model:
            // no read model reads them.
            let expected = usize::from(
                doc.event_type != domain::webhook_endpoint::ENDPOINT_DISABLED
                    && !doc.event_type.starts_with("api_key."),
            );
            assert_eq!(feeding, expected, "{}", doc.event_type);
        }
        assert!(Projection::Groups.covers("group.member_added"));
        assert!(!Projection::Groups.covers("organization.created"));
        assert!(Projection::Organizations.covers("organization_role.deleted"));
    }
}
