use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use serde::{Deserialize, Serialize};

use super::commands::{CreateOrganization, OrganizationCommand, UpdateOrganization};
use super::events::{
    OrganizationData, OrganizationEvent, OrganizationUpdated, PreviousOrganizationAttributes,
};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrganizationError {
    #[error("the organization already exists")]
    AlreadyExists,
    #[error("the organization does not exist")]
    NotFound,
}

/// State needed to decide commands; `None` until created.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organization {
    pub state: Option<OrganizationData>,
}

impl Aggregate for Organization {
    const TYPE: &'static str = "organization";
    type Command = OrganizationCommand;
    type Event = OrganizationEvent;
    type Error = OrganizationError;
    type Services = ();

    async fn handle(
        &mut self,
        command: Self::Command,
        _services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        for event in self.decide(command)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        match event {
            OrganizationEvent::Created(org) => self.state = Some(org),
            OrganizationEvent::Updated(u) => self.state = Some(u.organization),
        }
    }
}

impl Organization {
    /// The decision, separate from cqrs-es's sink so it reads (and tests) as a plain function.
    pub fn decide(
        &self,
        command: OrganizationCommand,
    ) -> Result<Vec<OrganizationEvent>, OrganizationError> {
        match command {
            OrganizationCommand::Create(c) => self.create(c),
            OrganizationCommand::Update(u) => self.update(u),
        }
    }

    fn create(&self, c: CreateOrganization) -> Result<Vec<OrganizationEvent>, OrganizationError> {
        if self.state.is_some() {
            return Err(OrganizationError::AlreadyExists);
        }
        Ok(vec![OrganizationEvent::Created(OrganizationData {
            id: c.id,
            name: c.name,
            description: c.description,
            external_id: c.external_id,
            metadata: c.metadata,
            created_at: c.at,
            updated_at: c.at,
        })])
    }

    fn update(&self, u: UpdateOrganization) -> Result<Vec<OrganizationEvent>, OrganizationError> {
        let current = self.state.as_ref().ok_or(OrganizationError::NotFound)?;
        let mut next = current.clone();
        let mut previous = PreviousOrganizationAttributes::default();
        if let Some(name) = u.name.filter(|n| *n != current.name) {
            previous.name = Some(std::mem::replace(&mut next.name, name));
        }
        if let Some(d) = u.description.filter(|d| *d != current.description) {
            previous.description = Some(std::mem::replace(&mut next.description, d));
        }
        if let Some(e) = u.external_id.filter(|e| *e != current.external_id) {
            previous.external_id = Some(std::mem::replace(&mut next.external_id, e));
        }
        if let Some(m) = u.metadata.filter(|m| *m != current.metadata) {
            previous.metadata = Some(std::mem::replace(&mut next.metadata, m));
        }
        if previous == PreviousOrganizationAttributes::default() {
            // Nothing changed: no event, so consumers are not woken for nothing.
            return Ok(Vec::new());
        }
        next.updated_at = u.at;
        Ok(vec![OrganizationEvent::Updated(OrganizationUpdated {
            organization: next,
            previous_attributes: previous,
        })])
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use cqrs_es::test::TestFramework;

    use super::*;
    use crate::claims::ClaimChange;
    use crate::ids::OrganizationId;
    use crate::values::{ExternalId, Metadata, OrganizationName};

    type Given = TestFramework<Organization>;

    fn created(external_id: Option<&str>) -> OrganizationData {
        let at = Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap();
        OrganizationData {
            id: OrganizationId::parse("org_01JD0000000000000000000000").unwrap(),
            name: OrganizationName::parse("Acme").unwrap(),
            description: None,
            external_id: external_id.map(|e| ExternalId::parse(e).unwrap()),
            metadata: Metadata::default(),
            created_at: at,
            updated_at: at,
        }
    }

    fn create_command(org: &OrganizationData) -> OrganizationCommand {
        OrganizationCommand::Create(CreateOrganization {
            id: org.id,
            name: org.name.clone(),
            description: None,
            external_id: org.external_id.clone(),
            metadata: Metadata::default(),
            at: org.created_at,
        })
    }

    #[test]
    fn create_emits_created() {
        let org = created(Some("acme-1"));
        Given::with(())
            .given_no_previous_events()
            .when(create_command(&org))
            .then_expect_events(vec![OrganizationEvent::Created(org)]);
    }

    #[test]
    fn create_twice_is_refused() {
        let org = created(None);
        Given::with(())
            .given(vec![OrganizationEvent::Created(org.clone())])
            .when(create_command(&org))
            .then_expect_error(OrganizationError::AlreadyExists);
    }

    #[test]
    fn update_of_missing_organization_is_not_found() {
        Given::with(())
            .given_no_previous_events()
            .when(OrganizationCommand::Update(UpdateOrganization::default()))
            .then_expect_error(OrganizationError::NotFound);
    }

    #[test]
    fn update_records_previous_attributes_and_skips_no_ops() {
        let org = created(Some("old"));
        let later = org.created_at + chrono::Duration::seconds(5);
        let mut after = org.clone();
        after.external_id = Some(ExternalId::parse("new").unwrap());
        after.updated_at = later;
        Given::with(())
            .given(vec![OrganizationEvent::Created(org.clone())])
            .when(OrganizationCommand::Update(UpdateOrganization {
                name: Some(org.name.clone()),
                external_id: Some(Some(ExternalId::parse("new").unwrap())),
                at: later,
                ..Default::default()
            }))
            .then_expect_events(vec![OrganizationEvent::Updated(OrganizationUpdated {
                organization: after,
                previous_attributes: PreviousOrganizationAttributes {
                    external_id: Some(Some(ExternalId::parse("old").unwrap())),
                    ..Default::default()
                },
            })]);

        Given::with(())
            .given(vec![OrganizationEvent::Created(org.clone())])
            .when(OrganizationCommand::Update(UpdateOrganization {
                name: Some(org.name.clone()),
                at: later,
                ..Default::default()
            }))
            .then_expect_events(vec![]);
    }

    #[test]
    fn external_id_claims_follow_the_events() {
        let org = created(Some("a"));
        assert_eq!(
            OrganizationEvent::Created(org.clone()).claim_changes(),
            vec![ClaimChange::Acquire("organization/external_id/a".into())]
        );
        let mut renamed = org.clone();
        renamed.external_id = None;
        let cleared = OrganizationEvent::Updated(OrganizationUpdated {
            organization: renamed,
            previous_attributes: PreviousOrganizationAttributes {
                external_id: Some(Some(ExternalId::parse("a").unwrap())),
                ..Default::default()
            },
        });
        assert_eq!(
            cleared.claim_changes(),
            vec![ClaimChange::Release("organization/external_id/a".into())]
        );
        let payload = serde_json::to_value(&cleared).unwrap();
        assert_eq!(payload["type"], "organization.updated");
        assert_eq!(
            crate::claims::changes_of("organization", &payload).unwrap(),
            cleared.claim_changes()
        );
    }
}
