from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.get_role_templates_order import GetRoleTemplatesOrder
from ...models.problem import Problem
from ...models.role_template_list import RoleTemplateList
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    min_position: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    order: GetRoleTemplatesOrder | Unset = UNSET,
    before: str | Unset = UNSET,
    after: str | Unset = UNSET,
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

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/role-templates",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | RoleTemplateList | None:
    if response.status_code == 200:
        response_200 = RoleTemplateList.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

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
) -> Response[Problem | RoleTemplateList]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    min_position: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    order: GetRoleTemplatesOrder | Unset = UNSET,
    before: str | Unset = UNSET,
    after: str | Unset = UNSET,
) -> Response[Problem | RoleTemplateList]:
    """List the organization template's roles

     Roles defined once for the deployment: every organization offers them besides its custom roles
    (`template: true` in its role list).

    Args:
        min_position (int | Unset):
        limit (int | Unset):
        order (GetRoleTemplatesOrder | Unset):
        before (str | Unset):
        after (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | RoleTemplateList]
    """

    kwargs = _get_kwargs(
        min_position=min_position,
        limit=limit,
        order=order,
        before=before,
        after=after,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    min_position: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    order: GetRoleTemplatesOrder | Unset = UNSET,
    before: str | Unset = UNSET,
    after: str | Unset = UNSET,
) -> Problem | RoleTemplateList | None:
    """List the organization template's roles

     Roles defined once for the deployment: every organization offers them besides its custom roles
    (`template: true` in its role list).

    Args:
        min_position (int | Unset):
        limit (int | Unset):
        order (GetRoleTemplatesOrder | Unset):
        before (str | Unset):
        after (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | RoleTemplateList
    """

    return sync_detailed(
        client=client,
        min_position=min_position,
        limit=limit,
        order=order,
        before=before,
        after=after,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    min_position: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    order: GetRoleTemplatesOrder | Unset = UNSET,
    before: str | Unset = UNSET,
    after: str | Unset = UNSET,
) -> Response[Problem | RoleTemplateList]:
    """List the organization template's roles

     Roles defined once for the deployment: every organization offers them besides its custom roles
    (`template: true` in its role list).

    Args:
        min_position (int | Unset):
        limit (int | Unset):
        order (GetRoleTemplatesOrder | Unset):
        before (str | Unset):
        after (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | RoleTemplateList]
    """

    kwargs = _get_kwargs(
        min_position=min_position,
        limit=limit,
        order=order,
        before=before,
        after=after,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    min_position: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    order: GetRoleTemplatesOrder | Unset = UNSET,
    before: str | Unset = UNSET,
    after: str | Unset = UNSET,
) -> Problem | RoleTemplateList | None:
    """List the organization template's roles

     Roles defined once for the deployment: every organization offers them besides its custom roles
    (`template: true` in its role list).

    Args:
        min_position (int | Unset):
        limit (int | Unset):
        order (GetRoleTemplatesOrder | Unset):
        before (str | Unset):
        after (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | RoleTemplateList
    """

    return (
        await asyncio_detailed(
            client=client,
            min_position=min_position,
            limit=limit,
            order=order,
            before=before,
            after=after,
        )
    ).parsed
