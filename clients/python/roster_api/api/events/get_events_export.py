import datetime
from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.get_events_export_format import GetEventsExportFormat
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    min_position: int | Unset = UNSET,
    organization_id: str | Unset = UNSET,
    types: str | Unset = UNSET,
    aggregate_id: str | Unset = UNSET,
    actor_id: str | Unset = UNSET,
    range_start: datetime.datetime | Unset = UNSET,
    range_end: datetime.datetime | Unset = UNSET,
    after: int | Unset = UNSET,
    format_: GetEventsExportFormat | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["min_position"] = min_position

    params["organization_id"] = organization_id

    params["types"] = types

    params["aggregate_id"] = aggregate_id

    params["actor_id"] = actor_id

    json_range_start: str | Unset = UNSET
    if not isinstance(range_start, Unset):
        json_range_start = range_start.isoformat()
    params["range_start"] = json_range_start

    json_range_end: str | Unset = UNSET
    if not isinstance(range_end, Unset):
        json_range_end = range_end.isoformat()
    params["range_end"] = json_range_end

    params["after"] = after

    json_format_: str | Unset = UNSET
    if not isinstance(format_, Unset):
        json_format_ = format_.value

    params["format"] = json_format_

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/events/export",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | Problem | None:
    if response.status_code == 200:
        response_200 = cast(Any, None)
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
) -> Response[Any | Problem]:
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
    organization_id: str | Unset = UNSET,
    types: str | Unset = UNSET,
    aggregate_id: str | Unset = UNSET,
    actor_id: str | Unset = UNSET,
    range_start: datetime.datetime | Unset = UNSET,
    range_end: datetime.datetime | Unset = UNSET,
    after: int | Unset = UNSET,
    format_: GetEventsExportFormat | Unset = UNSET,
) -> Response[Any | Problem]:
    """Export the event log as JSON Lines or CSV

     The same filters as the list, streamed oldest first up to the end of the log when the export starts,
    without buffering: one envelope per line (`application/x-ndjson`), or CSV with `Accept: text/csv` or
    `format=csv`.

    Args:
        min_position (int | Unset):
        organization_id (str | Unset):
        types (str | Unset):
        aggregate_id (str | Unset):
        actor_id (str | Unset):
        range_start (datetime.datetime | Unset):
        range_end (datetime.datetime | Unset):
        after (int | Unset):
        format_ (GetEventsExportFormat | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem]
    """

    kwargs = _get_kwargs(
        min_position=min_position,
        organization_id=organization_id,
        types=types,
        aggregate_id=aggregate_id,
        actor_id=actor_id,
        range_start=range_start,
        range_end=range_end,
        after=after,
        format_=format_,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    min_position: int | Unset = UNSET,
    organization_id: str | Unset = UNSET,
    types: str | Unset = UNSET,
    aggregate_id: str | Unset = UNSET,
    actor_id: str | Unset = UNSET,
    range_start: datetime.datetime | Unset = UNSET,
    range_end: datetime.datetime | Unset = UNSET,
    after: int | Unset = UNSET,
    format_: GetEventsExportFormat | Unset = UNSET,
) -> Any | Problem | None:
    """Export the event log as JSON Lines or CSV

     The same filters as the list, streamed oldest first up to the end of the log when the export starts,
    without buffering: one envelope per line (`application/x-ndjson`), or CSV with `Accept: text/csv` or
    `format=csv`.

    Args:
        min_position (int | Unset):
        organization_id (str | Unset):
        types (str | Unset):
        aggregate_id (str | Unset):
        actor_id (str | Unset):
        range_start (datetime.datetime | Unset):
        range_end (datetime.datetime | Unset):
        after (int | Unset):
        format_ (GetEventsExportFormat | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem
    """

    return sync_detailed(
        client=client,
        min_position=min_position,
        organization_id=organization_id,
        types=types,
        aggregate_id=aggregate_id,
        actor_id=actor_id,
        range_start=range_start,
        range_end=range_end,
        after=after,
        format_=format_,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    min_position: int | Unset = UNSET,
    organization_id: str | Unset = UNSET,
    types: str | Unset = UNSET,
    aggregate_id: str | Unset = UNSET,
    actor_id: str | Unset = UNSET,
    range_start: datetime.datetime | Unset = UNSET,
    range_end: datetime.datetime | Unset = UNSET,
    after: int | Unset = UNSET,
    format_: GetEventsExportFormat | Unset = UNSET,
) -> Response[Any | Problem]:
    """Export the event log as JSON Lines or CSV

     The same filters as the list, streamed oldest first up to the end of the log when the export starts,
    without buffering: one envelope per line (`application/x-ndjson`), or CSV with `Accept: text/csv` or
    `format=csv`.

    Args:
        min_position (int | Unset):
        organization_id (str | Unset):
        types (str | Unset):
        aggregate_id (str | Unset):
        actor_id (str | Unset):
        range_start (datetime.datetime | Unset):
        range_end (datetime.datetime | Unset):
        after (int | Unset):
        format_ (GetEventsExportFormat | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem]
    """

    kwargs = _get_kwargs(
        min_position=min_position,
        organization_id=organization_id,
        types=types,
        aggregate_id=aggregate_id,
        actor_id=actor_id,
        range_start=range_start,
        range_end=range_end,
        after=after,
        format_=format_,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    min_position: int | Unset = UNSET,
    organization_id: str | Unset = UNSET,
    types: str | Unset = UNSET,
    aggregate_id: str | Unset = UNSET,
    actor_id: str | Unset = UNSET,
    range_start: datetime.datetime | Unset = UNSET,
    range_end: datetime.datetime | Unset = UNSET,
    after: int | Unset = UNSET,
    format_: GetEventsExportFormat | Unset = UNSET,
) -> Any | Problem | None:
    """Export the event log as JSON Lines or CSV

     The same filters as the list, streamed oldest first up to the end of the log when the export starts,
    without buffering: one envelope per line (`application/x-ndjson`), or CSV with `Accept: text/csv` or
    `format=csv`.

    Args:
        min_position (int | Unset):
        organization_id (str | Unset):
        types (str | Unset):
        aggregate_id (str | Unset):
        actor_id (str | Unset):
        range_start (datetime.datetime | Unset):
        range_end (datetime.datetime | Unset):
        after (int | Unset):
        format_ (GetEventsExportFormat | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            min_position=min_position,
            organization_id=organization_id,
            types=types,
            aggregate_id=aggregate_id,
            actor_id=actor_id,
            range_start=range_start,
            range_end=range_end,
            after=after,
            format_=format_,
        )
    ).parsed
