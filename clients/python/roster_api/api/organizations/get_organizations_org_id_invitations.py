from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.get_organizations_org_id_invitations_order import (
    GetOrganizationsOrgIdInvitationsOrder,
)
from ...models.get_organizations_org_id_invitations_state import (
    GetOrganizationsOrgIdInvitationsState,
)
from ...models.invitation_list import InvitationList
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    org_id: str,
    *,
    min_position: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    order: GetOrganizationsOrgIdInvitationsOrder | Unset = UNSET,
    before: str | Unset = UNSET,
    after: str | Unset = UNSET,
    state: GetOrganizationsOrgIdInvitationsState | Unset = UNSET,
    email: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["min_position"] = min_position

    params["limit"] = limit

    json_order: str | Unset = UNSET
    if not isinstance(order, Unset):
        json_order = order.value

    params["order"] = json_order

    params["before"] = before

    params["after"] = after

    json_state: str | Unset = UNSET
    if not isinstance(state, Unset):
        json_state = state.value

    params["state"] = json_state

    params["email"] = email

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/organizations/{org_id}/invitations".format(
            org_id=quote(str(org_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> InvitationList | Problem | None:
    if response.status_code == 200:
        response_200 = InvitationList.from_dict(response.json())

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
) -> Response[InvitationList | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    org_id: str,
    *,
    client: AuthenticatedClient,
    min_position: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    order: GetOrganizationsOrgIdInvitationsOrder | Unset = UNSET,
    before: str | Unset = UNSET,
    after: str | Unset = UNSET,
    state: GetOrganizationsOrgIdInvitationsState | Unset = UNSET,
    email: str | Unset = UNSET,
) -> Response[InvitationList | Problem]:
    """List an organization's invitations

     `state` is one of `pending`, `accepted`, `revoked`, `expired`.

    Args:
        org_id (str):
        min_position (int | Unset):
        limit (int | Unset):
        order (GetOrganizationsOrgIdInvitationsOrder | Unset):
        before (str | Unset):
        after (str | Unset):
        state (GetOrganizationsOrgIdInvitationsState | Unset):
        email (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[InvitationList | Problem]
    """

    kwargs = _get_kwargs(
        org_id=org_id,
        min_position=min_position,
        limit=limit,
        order=order,
        before=before,
        after=after,
        state=state,
        email=email,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    org_id: str,
    *,
    client: AuthenticatedClient,
    min_position: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    order: GetOrganizationsOrgIdInvitationsOrder | Unset = UNSET,
    before: str | Unset = UNSET,
    after: str | Unset = UNSET,
    state: GetOrganizationsOrgIdInvitationsState | Unset = UNSET,
    email: str | Unset = UNSET,
) -> InvitationList | Problem | None:
    """List an organization's invitations

     `state` is one of `pending`, `accepted`, `revoked`, `expired`.

    Args:
        org_id (str):
        min_position (int | Unset):
        limit (int | Unset):
        order (GetOrganizationsOrgIdInvitationsOrder | Unset):
        before (str | Unset):
        after (str | Unset):
        state (GetOrganizationsOrgIdInvitationsState | Unset):
        email (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        InvitationList | Problem
    """

    return sync_detailed(
        org_id=org_id,
        client=client,
        min_position=min_position,
        limit=limit,
        order=order,
        before=before,
        after=after,
        state=state,
        email=email,
    ).parsed


async def asyncio_detailed(
    org_id: str,
    *,
    client: AuthenticatedClient,
    min_position: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    order: GetOrganizationsOrgIdInvitationsOrder | Unset = UNSET,
    before: str | Unset = UNSET,
    after: str | Unset = UNSET,
    state: GetOrganizationsOrgIdInvitationsState | Unset = UNSET,
    email: str | Unset = UNSET,
) -> Response[InvitationList | Problem]:
    """List an organization's invitations

     `state` is one of `pending`, `accepted`, `revoked`, `expired`.

    Args:
        org_id (str):
        min_position (int | Unset):
        limit (int | Unset):
        order (GetOrganizationsOrgIdInvitationsOrder | Unset):
        before (str | Unset):
        after (str | Unset):
        state (GetOrganizationsOrgIdInvitationsState | Unset):
        email (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[InvitationList | Problem]
    """

    kwargs = _get_kwargs(
        org_id=org_id,
        min_position=min_position,
        limit=limit,
        order=order,
        before=before,
        after=after,
        state=state,
        email=email,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    org_id: str,
    *,
    client: AuthenticatedClient,
    min_position: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    order: GetOrganizationsOrgIdInvitationsOrder | Unset = UNSET,
    before: str | Unset = UNSET,
    after: str | Unset = UNSET,
    state: GetOrganizationsOrgIdInvitationsState | Unset = UNSET,
    email: str | Unset = UNSET,
) -> InvitationList | Problem | None:
    """List an organization's invitations

     `state` is one of `pending`, `accepted`, `revoked`, `expired`.

    Args:
        org_id (str):
        min_position (int | Unset):
        limit (int | Unset):
        order (GetOrganizationsOrgIdInvitationsOrder | Unset):
        before (str | Unset):
        after (str | Unset):
        state (GetOrganizationsOrgIdInvitationsState | Unset):
        email (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        InvitationList | Problem
    """

    return (
        await asyncio_detailed(
            org_id=org_id,
            client=client,
            min_position=min_position,
            limit=limit,
            order=order,
            before=before,
            after=after,
            state=state,
            email=email,
        )
    ).parsed
