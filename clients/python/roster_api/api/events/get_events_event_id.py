from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.api_key_created_event import ApiKeyCreatedEvent
from ...models.api_key_revoked_event import ApiKeyRevokedEvent
from ...models.group_created_event import GroupCreatedEvent
from ...models.group_deleted_event import GroupDeletedEvent
from ...models.group_member_added_event import GroupMemberAddedEvent
from ...models.group_member_removed_event import GroupMemberRemovedEvent
from ...models.group_roles_updated_event import GroupRolesUpdatedEvent
from ...models.group_updated_event import GroupUpdatedEvent
from ...models.invitation_accepted_event import InvitationAcceptedEvent
from ...models.invitation_created_event import InvitationCreatedEvent
from ...models.invitation_expired_event import InvitationExpiredEvent
from ...models.invitation_resent_event import InvitationResentEvent
from ...models.invitation_revoked_event import InvitationRevokedEvent
from ...models.membership_created_event import MembershipCreatedEvent
from ...models.membership_deactivated_event import MembershipDeactivatedEvent
from ...models.membership_deleted_event import MembershipDeletedEvent
from ...models.membership_reactivated_event import MembershipReactivatedEvent
from ...models.membership_updated_event import MembershipUpdatedEvent
from ...models.organization_created_event import OrganizationCreatedEvent
from ...models.organization_deleted_event import OrganizationDeletedEvent
from ...models.organization_deletion_requested_event import (
    OrganizationDeletionRequestedEvent,
)
from ...models.organization_domain_added_event import OrganizationDomainAddedEvent
from ...models.organization_domain_expired_event import OrganizationDomainExpiredEvent
from ...models.organization_domain_removed_event import OrganizationDomainRemovedEvent
from ...models.organization_domain_updated_event import OrganizationDomainUpdatedEvent
from ...models.organization_domain_verified_event import OrganizationDomainVerifiedEvent
from ...models.organization_role_created_event import OrganizationRoleCreatedEvent
from ...models.organization_role_deleted_event import OrganizationRoleDeletedEvent
from ...models.organization_role_updated_event import OrganizationRoleUpdatedEvent
from ...models.organization_updated_event import OrganizationUpdatedEvent
from ...models.problem import Problem
from ...models.role_template_created_event import RoleTemplateCreatedEvent
from ...models.role_template_deleted_event import RoleTemplateDeletedEvent
from ...models.role_template_updated_event import RoleTemplateUpdatedEvent
from ...models.webhook_endpoint_disabled_event import WebhookEndpointDisabledEvent
from ...types import UNSET, Response, Unset


def _get_kwargs(
    event_id: str,
    *,
    min_position: int | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["min_position"] = min_position

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/events/{event_id}".format(
            event_id=quote(str(event_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
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
    | Problem
    | None
):
    if response.status_code == 200:

        def _parse_response_200(
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
                componentsschemas_event_type_4 = OrganizationRoleCreatedEvent.from_dict(
                    data
                )

                return componentsschemas_event_type_4
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_event_type_5 = OrganizationRoleUpdatedEvent.from_dict(
                    data
                )

                return componentsschemas_event_type_5
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_event_type_6 = OrganizationRoleDeletedEvent.from_dict(
                    data
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
                componentsschemas_event_type_15 = MembershipCreatedEvent.from_dict(data)

                return componentsschemas_event_type_15
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_event_type_16 = MembershipUpdatedEvent.from_dict(data)

                return componentsschemas_event_type_16
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_event_type_17 = MembershipDeactivatedEvent.from_dict(
                    data
                )

                return componentsschemas_event_type_17
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_event_type_18 = MembershipReactivatedEvent.from_dict(
                    data
                )

                return componentsschemas_event_type_18
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_event_type_19 = MembershipDeletedEvent.from_dict(data)

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
                componentsschemas_event_type_23 = GroupMemberAddedEvent.from_dict(data)

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
                componentsschemas_event_type_25 = GroupRolesUpdatedEvent.from_dict(data)

                return componentsschemas_event_type_25
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_event_type_26 = InvitationCreatedEvent.from_dict(data)

                return componentsschemas_event_type_26
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_event_type_27 = InvitationResentEvent.from_dict(data)

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
                componentsschemas_event_type_29 = InvitationRevokedEvent.from_dict(data)

                return componentsschemas_event_type_29
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_event_type_30 = InvitationExpiredEvent.from_dict(data)

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

        response_200 = _parse_response_200(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[
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
    | Problem
]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    event_id: str,
    *,
    client: AuthenticatedClient,
    min_position: int | Unset = UNSET,
) -> Response[
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
    | Problem
]:
    """Get one event

    Args:
        event_id (str):
        min_position (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ApiKeyCreatedEvent | ApiKeyRevokedEvent | GroupCreatedEvent | GroupDeletedEvent | GroupMemberAddedEvent | GroupMemberRemovedEvent | GroupRolesUpdatedEvent | GroupUpdatedEvent | InvitationAcceptedEvent | InvitationCreatedEvent | InvitationExpiredEvent | InvitationResentEvent | InvitationRevokedEvent | MembershipCreatedEvent | MembershipDeactivatedEvent | MembershipDeletedEvent | MembershipReactivatedEvent | MembershipUpdatedEvent | OrganizationCreatedEvent | OrganizationDeletedEvent | OrganizationDeletionRequestedEvent | OrganizationDomainAddedEvent | OrganizationDomainExpiredEvent | OrganizationDomainRemovedEvent | OrganizationDomainUpdatedEvent | OrganizationDomainVerifiedEvent | OrganizationRoleCreatedEvent | OrganizationRoleDeletedEvent | OrganizationRoleUpdatedEvent | OrganizationUpdatedEvent | RoleTemplateCreatedEvent | RoleTemplateDeletedEvent | RoleTemplateUpdatedEvent | WebhookEndpointDisabledEvent | Problem]
    """

    kwargs = _get_kwargs(
        event_id=event_id,
        min_position=min_position,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    event_id: str,
    *,
    client: AuthenticatedClient,
    min_position: int | Unset = UNSET,
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
    | Problem
    | None
):
    """Get one event

    Args:
        event_id (str):
        min_position (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ApiKeyCreatedEvent | ApiKeyRevokedEvent | GroupCreatedEvent | GroupDeletedEvent | GroupMemberAddedEvent | GroupMemberRemovedEvent | GroupRolesUpdatedEvent | GroupUpdatedEvent | InvitationAcceptedEvent | InvitationCreatedEvent | InvitationExpiredEvent | InvitationResentEvent | InvitationRevokedEvent | MembershipCreatedEvent | MembershipDeactivatedEvent | MembershipDeletedEvent | MembershipReactivatedEvent | MembershipUpdatedEvent | OrganizationCreatedEvent | OrganizationDeletedEvent | OrganizationDeletionRequestedEvent | OrganizationDomainAddedEvent | OrganizationDomainExpiredEvent | OrganizationDomainRemovedEvent | OrganizationDomainUpdatedEvent | OrganizationDomainVerifiedEvent | OrganizationRoleCreatedEvent | OrganizationRoleDeletedEvent | OrganizationRoleUpdatedEvent | OrganizationUpdatedEvent | RoleTemplateCreatedEvent | RoleTemplateDeletedEvent | RoleTemplateUpdatedEvent | WebhookEndpointDisabledEvent | Problem
    """

    return sync_detailed(
        event_id=event_id,
        client=client,
        min_position=min_position,
    ).parsed


async def asyncio_detailed(
    event_id: str,
    *,
    client: AuthenticatedClient,
    min_position: int | Unset = UNSET,
) -> Response[
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
    | Problem
]:
    """Get one event

    Args:
        event_id (str):
        min_position (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ApiKeyCreatedEvent | ApiKeyRevokedEvent | GroupCreatedEvent | GroupDeletedEvent | GroupMemberAddedEvent | GroupMemberRemovedEvent | GroupRolesUpdatedEvent | GroupUpdatedEvent | InvitationAcceptedEvent | InvitationCreatedEvent | InvitationExpiredEvent | InvitationResentEvent | InvitationRevokedEvent | MembershipCreatedEvent | MembershipDeactivatedEvent | MembershipDeletedEvent | MembershipReactivatedEvent | MembershipUpdatedEvent | OrganizationCreatedEvent | OrganizationDeletedEvent | OrganizationDeletionRequestedEvent | OrganizationDomainAddedEvent | OrganizationDomainExpiredEvent | OrganizationDomainRemovedEvent | OrganizationDomainUpdatedEvent | OrganizationDomainVerifiedEvent | OrganizationRoleCreatedEvent | OrganizationRoleDeletedEvent | OrganizationRoleUpdatedEvent | OrganizationUpdatedEvent | RoleTemplateCreatedEvent | RoleTemplateDeletedEvent | RoleTemplateUpdatedEvent | WebhookEndpointDisabledEvent | Problem]
    """

    kwargs = _get_kwargs(
        event_id=event_id,
        min_position=min_position,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    event_id: str,
    *,
    client: AuthenticatedClient,
    min_position: int | Unset = UNSET,
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
    | Problem
    | None
):
    """Get one event

    Args:
        event_id (str):
        min_position (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ApiKeyCreatedEvent | ApiKeyRevokedEvent | GroupCreatedEvent | GroupDeletedEvent | GroupMemberAddedEvent | GroupMemberRemovedEvent | GroupRolesUpdatedEvent | GroupUpdatedEvent | InvitationAcceptedEvent | InvitationCreatedEvent | InvitationExpiredEvent | InvitationResentEvent | InvitationRevokedEvent | MembershipCreatedEvent | MembershipDeactivatedEvent | MembershipDeletedEvent | MembershipReactivatedEvent | MembershipUpdatedEvent | OrganizationCreatedEvent | OrganizationDeletedEvent | OrganizationDeletionRequestedEvent | OrganizationDomainAddedEvent | OrganizationDomainExpiredEvent | OrganizationDomainRemovedEvent | OrganizationDomainUpdatedEvent | OrganizationDomainVerifiedEvent | OrganizationRoleCreatedEvent | OrganizationRoleDeletedEvent | OrganizationRoleUpdatedEvent | OrganizationUpdatedEvent | RoleTemplateCreatedEvent | RoleTemplateDeletedEvent | RoleTemplateUpdatedEvent | WebhookEndpointDisabledEvent | Problem
    """

    return (
        await asyncio_detailed(
            event_id=event_id,
            client=client,
            min_position=min_position,
        )
    ).parsed
