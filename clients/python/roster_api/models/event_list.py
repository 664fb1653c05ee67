from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.api_key_created_event import ApiKeyCreatedEvent
    from ..models.api_key_revoked_event import ApiKeyRevokedEvent
    from ..models.group_created_event import GroupCreatedEvent
    from ..models.group_deleted_event import GroupDeletedEvent
    from ..models.group_member_added_event import GroupMemberAddedEvent
    from ..models.group_member_removed_event import GroupMemberRemovedEvent
    from ..models.group_roles_updated_event import GroupRolesUpdatedEvent
    from ..models.group_updated_event import GroupUpdatedEvent
    from ..models.invitation_accepted_event import InvitationAcceptedEvent
    from ..models.invitation_created_event import InvitationCreatedEvent
    from ..models.invitation_expired_event import InvitationExpiredEvent
    from ..models.invitation_resent_event import InvitationResentEvent
    from ..models.invitation_revoked_event import InvitationRevokedEvent
    from ..models.list_metadata import ListMetadata
    from ..models.membership_created_event import MembershipCreatedEvent
    from ..models.membership_deactivated_event import MembershipDeactivatedEvent
    from ..models.membership_deleted_event import MembershipDeletedEvent
    from ..models.membership_reactivated_event import MembershipReactivatedEvent
    from ..models.membership_updated_event import MembershipUpdatedEvent
    from ..models.organization_created_event import OrganizationCreatedEvent
    from ..models.organization_deleted_event import OrganizationDeletedEvent
    from ..models.organization_deletion_requested_event import (
        OrganizationDeletionRequestedEvent,
    )
    from ..models.organization_domain_added_event import OrganizationDomainAddedEvent
    from ..models.organization_domain_expired_event import (
        OrganizationDomainExpiredEvent,
    )
    from ..models.organization_domain_removed_event import (
        OrganizationDomainRemovedEvent,
    )
    from ..models.organization_domain_updated_event import (
        OrganizationDomainUpdatedEvent,
    )
    from ..models.organization_domain_verified_event import (
        OrganizationDomainVerifiedEvent,
    )
    from ..models.organization_role_created_event import OrganizationRoleCreatedEvent
    from ..models.organization_role_deleted_event import OrganizationRoleDeletedEvent
    from ..models.organization_role_updated_event import OrganizationRoleUpdatedEvent
    from ..models.organization_updated_event import OrganizationUpdatedEvent
    from ..models.role_template_created_event import RoleTemplateCreatedEvent
    from ..models.role_template_deleted_event import RoleTemplateDeletedEvent
    from ..models.role_template_updated_event import RoleTemplateUpdatedEvent
    from ..models.webhook_endpoint_disabled_event import WebhookEndpointDisabledEvent


T = TypeVar("T", bound="EventList")


@_attrs_define
class EventList:
    """One page of a list.

    Attributes:
        data (list[ApiKeyCreatedEvent | ApiKeyRevokedEvent | GroupCreatedEvent | GroupDeletedEvent |
            GroupMemberAddedEvent | GroupMemberRemovedEvent | GroupRolesUpdatedEvent | GroupUpdatedEvent |
            InvitationAcceptedEvent | InvitationCreatedEvent | InvitationExpiredEvent | InvitationResentEvent |
            InvitationRevokedEvent | MembershipCreatedEvent | MembershipDeactivatedEvent | MembershipDeletedEvent |
            MembershipReactivatedEvent | MembershipUpdatedEvent | OrganizationCreatedEvent | OrganizationDeletedEvent |
            OrganizationDeletionRequestedEvent | OrganizationDomainAddedEvent | OrganizationDomainExpiredEvent |
            OrganizationDomainRemovedEvent | OrganizationDomainUpdatedEvent | OrganizationDomainVerifiedEvent |
            OrganizationRoleCreatedEvent | OrganizationRoleDeletedEvent | OrganizationRoleUpdatedEvent |
            OrganizationUpdatedEvent | RoleTemplateCreatedEvent | RoleTemplateDeletedEvent | RoleTemplateUpdatedEvent |
            WebhookEndpointDisabledEvent]):
        list_metadata (ListMetadata): Cursors of the pages either side (`null` at an end of the list).
    """

    data: list[
        ApiKeyCreatedEvent
        | ApiKeyRevokedEvent
        | GroupCreatedEvent
        | GroupDeletedEvent
        | GroupMemberAddedEvent
        | GroupMemberRemovedEvent
        | GroupRolesUpdatedEvent
        | GroupUpdatedEvent
        | InvitationAcceptedEvent
        | InvitationCreatedEvent
        | InvitationExpiredEvent
        | InvitationResentEvent
        | InvitationRevokedEvent
        | MembershipCreatedEvent
        | MembershipDeactivatedEvent
        | MembershipDeletedEvent
        | MembershipReactivatedEvent
        | MembershipUpdatedEvent
        | OrganizationCreatedEvent
        | OrganizationDeletedEvent
        | OrganizationDeletionRequestedEvent
        | OrganizationDomainAddedEvent
        | OrganizationDomainExpiredEvent
        | OrganizationDomainRemovedEvent
        | OrganizationDomainUpdatedEvent
        | OrganizationDomainVerifiedEvent
        | OrganizationRoleCreatedEvent
        | OrganizationRoleDeletedEvent
        | OrganizationRoleUpdatedEvent
        | OrganizationUpdatedEvent
        | RoleTemplateCreatedEvent
        | RoleTemplateDeletedEvent
        | RoleTemplateUpdatedEvent
        | WebhookEndpointDisabledEvent
    ]
    list_metadata: ListMetadata
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.api_key_created_event import ApiKeyCreatedEvent
        from ..models.group_created_event import GroupCreatedEvent
        from ..models.group_deleted_event import GroupDeletedEvent
        from ..models.group_member_added_event import GroupMemberAddedEvent
        from ..models.group_member_removed_event import GroupMemberRemovedEvent
        from ..models.group_roles_updated_event import GroupRolesUpdatedEvent
        from ..models.group_updated_event import GroupUpdatedEvent
        from ..models.invitation_accepted_event import InvitationAcceptedEvent
        from ..models.invitation_created_event import InvitationCreatedEvent
        from ..models.invitation_expired_event import InvitationExpiredEvent
        from ..models.invitation_resent_event import InvitationResentEvent
        from ..models.invitation_revoked_event import InvitationRevokedEvent
        from ..models.membership_created_event import MembershipCreatedEvent
        from ..models.membership_deactivated_event import MembershipDeactivatedEvent
        from ..models.membership_deleted_event import MembershipDeletedEvent
        from ..models.membership_reactivated_event import MembershipReactivatedEvent
        from ..models.membership_updated_event import MembershipUpdatedEvent
        from ..models.organization_created_event import OrganizationCreatedEvent
        from ..models.organization_deleted_event import OrganizationDeletedEvent
        from ..models.organization_deletion_requested_event import (
            OrganizationDeletionRequestedEvent,
        )
        from ..models.organization_domain_added_event import (
            OrganizationDomainAddedEvent,
        )
        from ..models.organization_domain_expired_event import (
            OrganizationDomainExpiredEvent,
        )
        from ..models.organization_domain_removed_event import (
            OrganizationDomainRemovedEvent,
        )
        from ..models.organization_domain_updated_event import (
            OrganizationDomainUpdatedEvent,
        )
        from ..models.organization_domain_verified_event import (
            OrganizationDomainVerifiedEvent,
        )
        from ..models.organization_role_created_event import (
            OrganizationRoleCreatedEvent,
        )
        from ..models.organization_role_deleted_event import (
            OrganizationRoleDeletedEvent,
        )
        from ..models.organization_role_updated_event import (
            OrganizationRoleUpdatedEvent,
        )
        from ..models.organization_updated_event import OrganizationUpdatedEvent
        from ..models.role_template_created_event import RoleTemplateCreatedEvent
        from ..models.role_template_deleted_event import RoleTemplateDeletedEvent
        from ..models.role_template_updated_event import RoleTemplateUpdatedEvent
        from ..models.webhook_endpoint_disabled_event import (
            WebhookEndpointDisabledEvent,
        )

        data = []
        for data_item_data in self.data:
            data_item: dict[str, Any]
            if (
                isinstance(data_item_data, OrganizationCreatedEvent)
                or isinstance(data_item_data, OrganizationUpdatedEvent)
                or isinstance(data_item_data, OrganizationDeletionRequestedEvent)
                or isinstance(data_item_data, OrganizationDeletedEvent)
                or isinstance(data_item_data, OrganizationRoleCreatedEvent)
                or isinstance(data_item_data, OrganizationRoleUpdatedEvent)
                or isinstance(data_item_data, OrganizationRoleDeletedEvent)
                or isinstance(data_item_data, RoleTemplateCreatedEvent)
                or isinstance(data_item_data, RoleTemplateUpdatedEvent)
                or isinstance(data_item_data, RoleTemplateDeletedEvent)
                or isinstance(data_item_data, OrganizationDomainAddedEvent)
                or isinstance(data_item_data, OrganizationDomainVerifiedEvent)
                or isinstance(data_item_data, OrganizationDomainExpiredEvent)
                or isinstance(data_item_data, OrganizationDomainUpdatedEvent)
                or isinstance(data_item_data, OrganizationDomainRemovedEvent)
                or isinstance(data_item_data, MembershipCreatedEvent)
                or isinstance(data_item_data, MembershipUpdatedEvent)
                or isinstance(data_item_data, MembershipDeactivatedEvent)
                or isinstance(data_item_data, MembershipReactivatedEvent)
                or isinstance(data_item_data, MembershipDeletedEvent)
                or isinstance(data_item_data, GroupCreatedEvent)
                or isinstance(data_item_data, GroupUpdatedEvent)
                or isinstance(data_item_data, GroupDeletedEvent)
                or isinstance(data_item_data, GroupMemberAddedEvent)
                or isinstance(data_item_data, GroupMemberRemovedEvent)
                or isinstance(data_item_data, GroupRolesUpdatedEvent)
                or isinstance(data_item_data, InvitationCreatedEvent)
                or isinstance(data_item_data, InvitationResentEvent)
                or isinstance(data_item_data, InvitationAcceptedEvent)
                or isinstance(data_item_data, InvitationRevokedEvent)
                or isinstance(data_item_data, InvitationExpiredEvent)
                or isinstance(data_item_data, WebhookEndpointDisabledEvent)
                or isinstance(data_item_data, ApiKeyCreatedEvent)
            ):
                data_item = data_item_data.to_dict()
            else:
                data_item = data_item_data.to_dict()

            data.append(data_item)

        list_metadata = self.list_metadata.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "data": data,
                "list_metadata": list_metadata,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.api_key_created_event import ApiKeyCreatedEvent
        from ..models.api_key_revoked_event import ApiKeyRevokedEvent
        from ..models.group_created_event import GroupCreatedEvent
        from ..models.group_deleted_event import GroupDeletedEvent
        from ..models.group_member_added_event import GroupMemberAddedEvent
        from ..models.group_member_removed_event import GroupMemberRemovedEvent
        from ..models.group_roles_updated_event import GroupRolesUpdatedEvent
        from ..models.group_updated_event import GroupUpdatedEvent
        from ..models.invitation_accepted_event import InvitationAcceptedEvent
        from ..models.invitation_created_event import InvitationCreatedEvent
        from ..models.invitation_expired_event import InvitationExpiredEvent
        from ..models.invitation_resent_event import InvitationResentEvent
        from ..models.invitation_revoked_event import InvitationRevokedEvent
        from ..models.list_metadata import ListMetadata
        from ..models.membership_created_event import MembershipCreatedEvent
        from ..models.membership_deactivated_event import MembershipDeactivatedEvent
        from ..models.membership_deleted_event import MembershipDeletedEvent
        from ..models.membership_reactivated_event import MembershipReactivatedEvent
        from ..models.membership_updated_event import MembershipUpdatedEvent
        from ..models.organization_created_event import OrganizationCreatedEvent
        from ..models.organization_deleted_event import OrganizationDeletedEvent
        from ..models.organization_deletion_requested_event import (
            OrganizationDeletionRequestedEvent,
        )
        from ..models.organization_domain_added_event import (
            OrganizationDomainAddedEvent,
        )
        from ..models.organization_domain_expired_event import (
            OrganizationDomainExpiredEvent,
        )
        from ..models.organization_domain_removed_event import (
            OrganizationDomainRemovedEvent,
        )
        from ..models.organization_domain_updated_event import (
            OrganizationDomainUpdatedEvent,
        )
        from ..models.organization_domain_verified_event import (
            OrganizationDomainVerifiedEvent,
        )
        from ..models.organization_role_created_event import (
            OrganizationRoleCreatedEvent,
        )
        from ..models.organization_role_deleted_event import (
            OrganizationRoleDeletedEvent,
        )
        from ..models.organization_role_updated_event import (
            OrganizationRoleUpdatedEvent,
        )
        from ..models.organization_updated_event import OrganizationUpdatedEvent
        from ..models.role_template_created_event import RoleTemplateCreatedEvent
        from ..models.role_template_deleted_event import RoleTemplateDeletedEvent
        from ..models.role_template_updated_event import RoleTemplateUpdatedEvent
        from ..models.webhook_endpoint_disabled_event import (
            WebhookEndpointDisabledEvent,
        )

        d = dict(src_dict)
        data = []
        _data = d.pop("data")
        for data_item_data in _data:

            def _parse_data_item(
                data: object,
            ) -> (
                ApiKeyCreatedEvent
                | ApiKeyRevokedEvent
                | GroupCreatedEvent
                | GroupDeletedEvent
                | GroupMemberAddedEvent
                | GroupMemberRemovedEvent
                | GroupRolesUpdatedEvent
                | GroupUpdatedEvent
                | InvitationAcceptedEvent
                | InvitationCreatedEvent
                | InvitationExpiredEvent
                | InvitationResentEvent
                | InvitationRevokedEvent
                | MembershipCreatedEvent
                | MembershipDeactivatedEvent
                | MembershipDeletedEvent
                | MembershipReactivatedEvent
                | MembershipUpdatedEvent
                | OrganizationCreatedEvent
                | OrganizationDeletedEvent
                | OrganizationDeletionRequestedEvent
                | OrganizationDomainAddedEvent
                | OrganizationDomainExpiredEvent
                | OrganizationDomainRemovedEvent
                | OrganizationDomainUpdatedEvent
                | OrganizationDomainVerifiedEvent
                | OrganizationRoleCreatedEvent
                | OrganizationRoleDeletedEvent
                | OrganizationRoleUpdatedEvent
                | OrganizationUpdatedEvent
                | RoleTemplateCreatedEvent
                | RoleTemplateDeletedEvent
                | RoleTemplateUpdatedEvent
                | WebhookEndpointDisabledEvent
            ):
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_event_type_0 = OrganizationCreatedEvent.from_dict(
                        data
                    )

                    return componentsschemas_event_type_0
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_event_type_1 = OrganizationUpdatedEvent.from_dict(
                        data
                    )

                    return componentsschemas_event_type_1
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_event_type_2 = (
                        OrganizationDeletionRequestedEvent.from_dict(data)
                    )

                    return componentsschemas_event_type_2
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_event_type_3 = OrganizationDeletedEvent.from_dict(
                        data
                    )

                    return componentsschemas_event_type_3
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_event_type_4 = (
                        OrganizationRoleCreatedEvent.from_dict(data)
                    )

                    return componentsschemas_event_type_4
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_event_type_5 = (
                        OrganizationRoleUpdatedEvent.from_dict(data)
                    )

                    return componentsschemas_event_type_5
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_event_type_6 = (
                        OrganizationRoleDeletedEvent.from_dict(data)
                    )

                    return componentsschemas_event_type_6
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_event_type_7 = RoleTemplateCreatedEvent.from_dict(
                        data
                    )

                    return componentsschemas_event_type_7
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_event_type_8 = RoleTemplateUpdatedEvent.from_dict(
                        data
                    )

                    return componentsschemas_event_type_8
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_event_type_9 = RoleTemplateDeletedEvent.from_dict(
                        data
                    )

                    return componentsschemas_event_type_9
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_event_type_10 = (
                        OrganizationDomainAddedEvent.from_dict(data)
                    )

                    return componentsschemas_event_type_10
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_event_type_11 = (
                        OrganizationDomainVerifiedEvent.from_dict(data)
                    )

                    return componentsschemas_event_type_11
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_event_type_12 = (
                        OrganizationDomainExpiredEvent.from_dict(data)
                    )

                    return componentsschemas_event_type_12
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_event_type_13 = (
                        OrganizationDomainUpdatedEvent.from_dict(data)
                    )

                    return componentsschemas_event_type_13
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_event_type_14 = (
                        OrganizationDomainRemovedEvent.from_dict(data)
                    )

                    return componentsschemas_event_type_14
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_event_type_15 = MembershipCreatedEvent.from_dict(
                        data
                    )

                    return componentsschemas_event_type_15
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_event_type_16 = MembershipUpdatedEvent.from_dict(
                        data
                    )

                    return componentsschemas_event_type_16
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_event_type_17 = (
                        MembershipDeactivatedEvent.from_dict(data)
                    )

                    return componentsschemas_event_type_17
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_event_type_18 = (
                        MembershipReactivatedEvent.from_dict(data)
                    )

                    return componentsschemas_event_type_18
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_event_type_19 = MembershipDeletedEvent.from_dict(
                        data
                    )

                    return componentsschemas_event_type_19
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_event_type_20 = GroupCreatedEvent.from_dict(data)

                    return componentsschemas_event_type_20
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_event_type_21 = GroupUpdatedEvent.from_dict(data)

                    return componentsschemas_event_type_21
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_event_type_22 = GroupDeletedEvent.from_dict(data)

                    return componentsschemas_event_type_22
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_event_type_23 = GroupMemberAddedEvent.from_dict(
                        data
                    )

                    return componentsschemas_event_type_23
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_event_type_24 = GroupMemberRemovedEvent.from_dict(
                        data
                    )

                    return componentsschemas_event_type_24
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_event_type_25 = GroupRolesUpdatedEvent.from_dict(
                        data
                    )

                    return componentsschemas_event_type_25
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_event_type_26 = InvitationCreatedEvent.from_dict(
                        data
                    )

                    return componentsschemas_event_type_26
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_event_type_27 = InvitationResentEvent.from_dict(
                        data
                    )

                    return componentsschemas_event_type_27
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_event_type_28 = InvitationAcceptedEvent.from_dict(
                        data
                    )

                    return componentsschemas_event_type_28
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_event_type_29 = InvitationRevokedEvent.from_dict(
                        data
                    )

                    return componentsschemas_event_type_29
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_event_type_30 = InvitationExpiredEvent.from_dict(
                        data
                    )

                    return componentsschemas_event_type_30
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_event_type_31 = (
                        WebhookEndpointDisabledEvent.from_dict(data)
                    )

                    return componentsschemas_event_type_31
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_event_type_32 = ApiKeyCreatedEvent.from_dict(data)

                    return componentsschemas_event_type_32
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_event_type_33 = ApiKeyRevokedEvent.from_dict(data)

                return componentsschemas_event_type_33

            data_item = _parse_data_item(data_item_data)

            data.append(data_item)

        list_metadata = ListMetadata.from_dict(d.pop("list_metadata"))

        event_list = cls(
            data=data,
            list_metadata=list_metadata,
        )

        event_list.additional_properties = d
        return event_list

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
