use chrono::{DateTime, Utc};

use crate::ids::OrganizationId;
use crate::values::{Description, ExternalId, Metadata, OrganizationName};

#[derive(Debug, Clone, PartialEq)]
pub enum OrganizationCommand {
    Create(CreateOrganization),
    Update(UpdateOrganization),
}

#[derive(Debug, Clone, PartialEq)]
pub struct CreateOrganization {
    pub id: OrganizationId,
    pub name: OrganizationName,
    pub description: Option<Description>,
    pub external_id: Option<ExternalId>,
    pub metadata: Metadata,
    pub at: DateTime<Utc>,
}

/// A partial update: `None` leaves a field alone; `Some(None)` clears an optional field.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UpdateOrganization {
    pub name: Option<OrganizationName>,
    pub description: Option<Option<Description>>,
    pub external_id: Option<Option<ExternalId>>,
    pub metadata: Option<Metadata>,
    pub at: DateTime<Utc>,
}
