from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.membership_create import MembershipCreate
from ...models.membership_data_change import MembershipDataChange
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    org_id: str,
    *,
    body: MembershipCreate,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/organizations/{org_id}/memberships".format(
            org_id=quote(str(org_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> MembershipDataChange | Problem | None:
    if response.status_code == 200:
        response_200 = MembershipDataChange.from_dict(response.json())

        return response_200

    if response.status_code == 201:
        response_201 = MembershipDataChange.from_dict(response.json())

        return response_201

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
) -> Response[MembershipDataChange | Problem]:
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
    body: MembershipCreate,
) -> Response[MembershipDataChange | Problem]:
    """Add a user or application to the organization

     Give exactly one of `user_id` or `application_id`. Roles default to `member`. An inactive membership
    of the same subject is reactivated (200). With `user_id` and `email` (no `roles`): joins through the
    email's domain when the organization verified it with the `auto_join` policy, with the domain's
    default roles and `source: domain`; otherwise 422 `no-auto-join`.

    Args:
        org_id (str):
        body (MembershipCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[MembershipDataChange | Problem]
    """

    kwargs = _get_kwargs(
        org_id=org_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    org_id: str,
    *,
    client: AuthenticatedClient,
    body: MembershipCreate,
) -> MembershipDataChange | Problem | None:
    """Add a user or application to the organization

     Give exactly one of `user_id` or `application_id`. Roles default to `member`. An inactive membership
    of the same subject is reactivated (200). With `user_id` and `email` (no `roles`): joins through the
    email's domain when the organization verified it with the `auto_join` policy, with the domain's
    default roles and `source: domain`; otherwise 422 `no-auto-join`.

    Args:
        org_id (str):
        body (MembershipCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        MembershipDataChange | Problem
    """

    return sync_detailed(
        org_id=org_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    org_id: str,
    *,
    client: AuthenticatedClient,
    body: MembershipCreate,
) -> Response[MembershipDataChange | Problem]:
    """Add a user or application to the organization

     Give exactly one of `user_id` or `application_id`. Roles default to `member`. An inactive membership
    of the same subject is reactivated (200). With `user_id` and `email` (no `roles`): joins through the
    email's domain when the organization verified it with the `auto_join` policy, with the domain's
    default roles and `source: domain`; otherwise 422 `no-auto-join`.

    Args:
        org_id (str):
        body (MembershipCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[MembershipDataChange | Problem]
    """

    kwargs = _get_kwargs(
        org_id=org_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    org_id: str,
    *,
    client: AuthenticatedClient,
    body: MembershipCreate,
) -> MembershipDataChange | Problem | None:
    """Add a user or application to the organization

     Give exactly one of `user_id` or `application_id`. Roles default to `member`. An inactive membership
    of the same subject is reactivated (200). With `user_id` and `email` (no `roles`): joins through the
    email's domain when the organization verified it with the `auto_join` policy, with the domain's
    default roles and `source: domain`; otherwise 422 `no-auto-join`.

    Args:
        org_id (str):
        body (MembershipCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        MembershipDataChange | Problem
    """

    return (
        await asyncio_detailed(
            org_id=org_id,
            client=client,
            body=body,
        )
    ).parsed
