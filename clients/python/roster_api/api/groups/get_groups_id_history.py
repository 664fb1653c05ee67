from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.event_list import EventList
from ...models.get_groups_id_history_order import GetGroupsIdHistoryOrder
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    id: str,
    *,
    min_position: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    order: GetGroupsIdHistoryOrder | Unset = UNSET,
    before: int | Unset = UNSET,
    after: int | Unset = UNSET,
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
        "url": "/v1/groups/{id}/history".format(
            id=quote(str(id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> EventList | Problem | None:
    if response.status_code == 200:
        response_200 = EventList.from_dict(response.json())

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
) -> Response[EventList | Problem]:
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
    min_position: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    order: GetGroupsIdHistoryOrder | Unset = UNSET,
    before: int | Unset = UNSET,
    after: int | Unset = UNSET,
) -> Response[EventList | Problem]:
    """A group's events, in version order

     Oldest first unless `order=desc`; found after deletion too. `after` and `before` are positions.

    Args:
        id (str):
        min_position (int | Unset):
        limit (int | Unset):
        order (GetGroupsIdHistoryOrder | Unset):
        before (int | Unset):
        after (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[EventList | Problem]
    """

    kwargs = _get_kwargs(
        id=id,
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
    id: str,
    *,
    client: AuthenticatedClient,
    min_position: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    order: GetGroupsIdHistoryOrder | Unset = UNSET,
    before: int | Unset = UNSET,
    after: int | Unset = UNSET,
) -> EventList | Problem | None:
    """A group's events, in version order

     Oldest first unless `order=desc`; found after deletion too. `after` and `before` are positions.

    Args:
        id (str):
        min_position (int | Unset):
        limit (int | Unset):
        order (GetGroupsIdHistoryOrder | Unset):
        before (int | Unset):
        after (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        EventList | Problem
    """

    return sync_detailed(
        id=id,
        client=client,
        min_position=min_position,
        limit=limit,
        order=order,
        before=before,
        after=after,
    ).parsed


async def asyncio_detailed(
    id: str,
    *,
    client: AuthenticatedClient,
    min_position: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    order: GetGroupsIdHistoryOrder | Unset = UNSET,
    before: int | Unset = UNSET,
    after: int | Unset = UNSET,
) -> Response[EventList | Problem]:
    """A group's events, in version order

     Oldest first unless `order=desc`; found after deletion too. `after` and `before` are positions.

    Args:
        id (str):
        min_position (int | Unset):
        limit (int | Unset):
        order (GetGroupsIdHistoryOrder | Unset):
        before (int | Unset):
        after (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[EventList | Problem]
    """

    kwargs = _get_kwargs(
        id=id,
        min_position=min_position,
        limit=limit,
        order=order,
        before=before,
        after=after,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: str,
    *,
    client: AuthenticatedClient,
    min_position: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    order: GetGroupsIdHistoryOrder | Unset = UNSET,
    before: int | Unset = UNSET,
    after: int | Unset = UNSET,
) -> EventList | Problem | None:
    """A group's events, in version order

     Oldest first unless `order=desc`; found after deletion too. `after` and `before` are positions.

    Args:
        id (str):
        min_position (int | Unset):
        limit (int | Unset):
        order (GetGroupsIdHistoryOrder | Unset):
        before (int | Unset):
        after (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        EventList | Problem
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            min_position=min_position,
            limit=limit,
            order=order,
            before=before,
            after=after,
        )
    ).parsed
