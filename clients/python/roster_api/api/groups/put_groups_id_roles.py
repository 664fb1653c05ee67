from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.group_data_change import GroupDataChange
from ...models.group_roles import GroupRoles
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    id: str,
    *,
    body: GroupRoles,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/v1/groups/{id}/roles".format(
            id=quote(str(id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> GroupDataChange | Problem | None:
    if response.status_code == 200:
        response_200 = GroupDataChange.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())

        return response_415

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

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
) -> Response[GroupDataChange | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    id: str,
    *,
    client: AuthenticatedClient,
    body: GroupRoles,
) -> Response[GroupDataChange | Problem]:
    """Set the roles the group grants its members

     Replaces the roles every member has through the group (`[]`: none); each must be in the
    organization's catalogue (422 naming `roles`). A member's effective roles (claims,
    `effective_roles`) are its own and its groups'. The same set again changes nothing.

    Args:
        id (str):
        body (GroupRoles): The roles a group grants its members, replacing what it granted (`[]`:
            none).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GroupDataChange | Problem]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: str,
    *,
    client: AuthenticatedClient,
    body: GroupRoles,
) -> GroupDataChange | Problem | None:
    """Set the roles the group grants its members

     Replaces the roles every member has through the group (`[]`: none); each must be in the
    organization's catalogue (422 naming `roles`). A member's effective roles (claims,
    `effective_roles`) are its own and its groups'. The same set again changes nothing.

    Args:
        id (str):
        body (GroupRoles): The roles a group grants its members, replacing what it granted (`[]`:
            none).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GroupDataChange | Problem
    """

    return sync_detailed(
        id=id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    id: str,
    *,
    client: AuthenticatedClient,
    body: GroupRoles,
) -> Response[GroupDataChange | Problem]:
    """Set the roles the group grants its members

     Replaces the roles every member has through the group (`[]`: none); each must be in the
    organization's catalogue (422 naming `roles`). A member's effective roles (claims,
    `effective_roles`) are its own and its groups'. The same set again changes nothing.

    Args:
        id (str):
        body (GroupRoles): The roles a group grants its members, replacing what it granted (`[]`:
            none).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GroupDataChange | Problem]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: str,
    *,
    client: AuthenticatedClient,
    body: GroupRoles,
) -> GroupDataChange | Problem | None:
    """Set the roles the group grants its members

     Replaces the roles every member has through the group (`[]`: none); each must be in the
    organization's catalogue (422 naming `roles`). A member's effective roles (claims,
    `effective_roles`) are its own and its groups'. The same set again changes nothing.

    Args:
        id (str):
        body (GroupRoles): The roles a group grants its members, replacing what it granted (`[]`:
            none).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GroupDataChange | Problem
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            body=body,
        )
    ).parsed
