import datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.get_organizations_org_id_memberships_order import (
    GetOrganizationsOrgIdMembershipsOrder,
)
from ...models.get_organizations_org_id_memberships_role_source import (
    GetOrganizationsOrgIdMembershipsRoleSource,
)
from ...models.get_organizations_org_id_memberships_source import (
    GetOrganizationsOrgIdMembershipsSource,
)
from ...models.get_organizations_org_id_memberships_status import (
    GetOrganizationsOrgIdMembershipsStatus,
)
from ...models.membership_list import MembershipList
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    org_id: str,
    *,
    min_position: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    order: GetOrganizationsOrgIdMembershipsOrder | Unset = UNSET,
    before: str | Unset = UNSET,
    after: str | Unset = UNSET,
    status: GetOrganizationsOrgIdMembershipsStatus | Unset = UNSET,
    role_source: GetOrganizationsOrgIdMembershipsRoleSource | Unset = UNSET,
    source: GetOrganizationsOrgIdMembershipsSource | Unset = UNSET,
    group_id: str | Unset = UNSET,
    user_id: str | Unset = UNSET,
    application_id: str | Unset = UNSET,
    as_of: datetime.datetime | int | Unset = UNSET,
    role: str | Unset = UNSET,
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

    json_status: str | Unset = UNSET
    if not isinstance(status, Unset):
        json_status = status.value

    params["status"] = json_status

    json_role_source: str | Unset = UNSET
    if not isinstance(role_source, Unset):
        json_role_source = role_source.value

    params["role_source"] = json_role_source

    json_source: str | Unset = UNSET
    if not isinstance(source, Unset):
        json_source = source.value

    params["source"] = json_source

    params["group_id"] = group_id

    params["user_id"] = user_id

    params["application_id"] = application_id

    json_as_of: int | str | Unset
    if isinstance(as_of, Unset):
        json_as_of = UNSET
    elif isinstance(as_of, datetime.datetime):
        json_as_of = as_of.isoformat()
    else:
        json_as_of = as_of
    params["as_of"] = json_as_of

    params["role"] = role

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/organizations/{org_id}/memberships".format(
            org_id=quote(str(org_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> MembershipList | Problem | None:
    if response.status_code == 200:
        response_200 = MembershipList.from_dict(response.json())

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
) -> Response[MembershipList | Problem]:
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
    order: GetOrganizationsOrgIdMembershipsOrder | Unset = UNSET,
    before: str | Unset = UNSET,
    after: str | Unset = UNSET,
    status: GetOrganizationsOrgIdMembershipsStatus | Unset = UNSET,
    role_source: GetOrganizationsOrgIdMembershipsRoleSource | Unset = UNSET,
    source: GetOrganizationsOrgIdMembershipsSource | Unset = UNSET,
    group_id: str | Unset = UNSET,
    user_id: str | Unset = UNSET,
    application_id: str | Unset = UNSET,
    as_of: datetime.datetime | int | Unset = UNSET,
    role: str | Unset = UNSET,
) -> Response[MembershipList | Problem]:
    """List an organization's memberships

     `status` is `active` (the default), `inactive` or `all`; `role` may repeat; `attr.<key>=<value>`
    filters on attributes. With `as_of` (a position or a time), the members as they were then, each
    membership rebuilt from its events; only `status` filters them.

    Args:
        org_id (str):
        min_position (int | Unset):
        limit (int | Unset):
        order (GetOrganizationsOrgIdMembershipsOrder | Unset):
        before (str | Unset):
        after (str | Unset):
        status (GetOrganizationsOrgIdMembershipsStatus | Unset):
        role_source (GetOrganizationsOrgIdMembershipsRoleSource | Unset):
        source (GetOrganizationsOrgIdMembershipsSource | Unset):
        group_id (str | Unset):
        user_id (str | Unset):
        application_id (str | Unset):
        as_of (datetime.datetime | int | Unset): A log position or an RFC 3339 time.
        role (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[MembershipList | Problem]
    """

    kwargs = _get_kwargs(
        org_id=org_id,
        min_position=min_position,
        limit=limit,
        order=order,
        before=before,
        after=after,
        status=status,
        role_source=role_source,
        source=source,
        group_id=group_id,
        user_id=user_id,
        application_id=application_id,
        as_of=as_of,
        role=role,
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
    order: GetOrganizationsOrgIdMembershipsOrder | Unset = UNSET,
    before: str | Unset = UNSET,
    after: str | Unset = UNSET,
    status: GetOrganizationsOrgIdMembershipsStatus | Unset = UNSET,
    role_source: GetOrganizationsOrgIdMembershipsRoleSource | Unset = UNSET,
    source: GetOrganizationsOrgIdMembershipsSource | Unset = UNSET,
    group_id: str | Unset = UNSET,
    user_id: str | Unset = UNSET,
    application_id: str | Unset = UNSET,
    as_of: datetime.datetime | int | Unset = UNSET,
    role: str | Unset = UNSET,
) -> MembershipList | Problem | None:
    """List an organization's memberships

     `status` is `active` (the default), `inactive` or `all`; `role` may repeat; `attr.<key>=<value>`
    filters on attributes. With `as_of` (a position or a time), the members as they were then, each
    membership rebuilt from its events; only `status` filters them.

    Args:
        org_id (str):
        min_position (int | Unset):
        limit (int | Unset):
        order (GetOrganizationsOrgIdMembershipsOrder | Unset):
        before (str | Unset):
        after (str | Unset):
        status (GetOrganizationsOrgIdMembershipsStatus | Unset):
        role_source (GetOrganizationsOrgIdMembershipsRoleSource | Unset):
        source (GetOrganizationsOrgIdMembershipsSource | Unset):
        group_id (str | Unset):
        user_id (str | Unset):
        application_id (str | Unset):
        as_of (datetime.datetime | int | Unset): A log position or an RFC 3339 time.
        role (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        MembershipList | Problem
    """

    return sync_detailed(
        org_id=org_id,
        client=client,
        min_position=min_position,
        limit=limit,
        order=order,
        before=before,
        after=after,
        status=status,
        role_source=role_source,
        source=source,
        group_id=group_id,
        user_id=user_id,
        application_id=application_id,
        as_of=as_of,
        role=role,
    ).parsed


async def asyncio_detailed(
    org_id: str,
    *,
    client: AuthenticatedClient,
    min_position: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    order: GetOrganizationsOrgIdMembershipsOrder | Unset = UNSET,
    before: str | Unset = UNSET,
    after: str | Unset = UNSET,
    status: GetOrganizationsOrgIdMembershipsStatus | Unset = UNSET,
    role_source: GetOrganizationsOrgIdMembershipsRoleSource | Unset = UNSET,
    source: GetOrganizationsOrgIdMembershipsSource | Unset = UNSET,
    group_id: str | Unset = UNSET,
    user_id: str | Unset = UNSET,
    application_id: str | Unset = UNSET,
    as_of: datetime.datetime | int | Unset = UNSET,
    role: str | Unset = UNSET,
) -> Response[MembershipList | Problem]:
    """List an organization's memberships

     `status` is `active` (the default), `inactive` or `all`; `role` may repeat; `attr.<key>=<value>`
    filters on attributes. With `as_of` (a position or a time), the members as they were then, each
    membership rebuilt from its events; only `status` filters them.

    Args:
        org_id (str):
        min_position (int | Unset):
        limit (int | Unset):
        order (GetOrganizationsOrgIdMembershipsOrder | Unset):
        before (str | Unset):
        after (str | Unset):
        status (GetOrganizationsOrgIdMembershipsStatus | Unset):
        role_source (GetOrganizationsOrgIdMembershipsRoleSource | Unset):
        source (GetOrganizationsOrgIdMembershipsSource | Unset):
        group_id (str | Unset):
        user_id (str | Unset):
        application_id (str | Unset):
        as_of (datetime.datetime | int | Unset): A log position or an RFC 3339 time.
        role (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[MembershipList | Problem]
    """

    kwargs = _get_kwargs(
        org_id=org_id,
        min_position=min_position,
        limit=limit,
        order=order,
        before=before,
        after=after,
        status=status,
        role_source=role_source,
        source=source,
        group_id=group_id,
        user_id=user_id,
        application_id=application_id,
        as_of=as_of,
        role=role,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    org_id: str,
    *,
    client: AuthenticatedClient,
    min_position: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    order: GetOrganizationsOrgIdMembershipsOrder | Unset = UNSET,
    before: str | Unset = UNSET,
    after: str | Unset = UNSET,
    status: GetOrganizationsOrgIdMembershipsStatus | Unset = UNSET,
    role_source: GetOrganizationsOrgIdMembershipsRoleSource | Unset = UNSET,
    source: GetOrganizationsOrgIdMembershipsSource | Unset = UNSET,
    group_id: str | Unset = UNSET,
    user_id: str | Unset = UNSET,
    application_id: str | Unset = UNSET,
    as_of: datetime.datetime | int | Unset = UNSET,
    role: str | Unset = UNSET,
) -> MembershipList | Problem | None:
    """List an organization's memberships

     `status` is `active` (the default), `inactive` or `all`; `role` may repeat; `attr.<key>=<value>`
    filters on attributes. With `as_of` (a position or a time), the members as they were then, each
    membership rebuilt from its events; only `status` filters them.

    Args:
        org_id (str):
        min_position (int | Unset):
        limit (int | Unset):
        order (GetOrganizationsOrgIdMembershipsOrder | Unset):
        before (str | Unset):
        after (str | Unset):
        status (GetOrganizationsOrgIdMembershipsStatus | Unset):
        role_source (GetOrganizationsOrgIdMembershipsRoleSource | Unset):
        source (GetOrganizationsOrgIdMembershipsSource | Unset):
        group_id (str | Unset):
        user_id (str | Unset):
        application_id (str | Unset):
        as_of (datetime.datetime | int | Unset): A log position or an RFC 3339 time.
        role (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        MembershipList | Problem
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
            status=status,
            role_source=role_source,
            source=source,
            group_id=group_id,
            user_id=user_id,
            application_id=application_id,
            as_of=as_of,
            role=role,
        )
    ).parsed
