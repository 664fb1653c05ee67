from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.get_export_format import GetExportFormat
from ...models.problem import Problem
from ...models.roster_document import RosterDocument
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    min_position: int | Unset = UNSET,
    organization_id: str | Unset = UNSET,
    format_: GetExportFormat | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["min_position"] = min_position

    params["organization_id"] = organization_id

    json_format_: str | Unset = UNSET
    if not isinstance(format_, Unset):
        json_format_ = format_.value

    params["format"] = json_format_

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/export",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | RosterDocument | None:
    if response.status_code == 200:
        response_200 = RosterDocument.from_dict(response.json())

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
) -> Response[Problem | RosterDocument]:
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
    format_: GetExportFormat | Unset = UNSET,
) -> Response[Problem | RosterDocument]:
    """Export organizations as a declarative document (YAML or JSON)

     The document `roster plan` and `roster apply` read (docs/apply.md): every organization with an
    external id, or the one `organization_id` names (an organization key: its own), with its roles,
    active members, groups and pending invitations. Planning it back finds nothing to change. YAML
    unless `format=json`; `Roster-Left-Out` counts organizations without an external id.

    Args:
        min_position (int | Unset):
        organization_id (str | Unset):
        format_ (GetExportFormat | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | RosterDocument]
    """

    kwargs = _get_kwargs(
        min_position=min_position,
        organization_id=organization_id,
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
    format_: GetExportFormat | Unset = UNSET,
) -> Problem | RosterDocument | None:
    """Export organizations as a declarative document (YAML or JSON)

     The document `roster plan` and `roster apply` read (docs/apply.md): every organization with an
    external id, or the one `organization_id` names (an organization key: its own), with its roles,
    active members, groups and pending invitations. Planning it back finds nothing to change. YAML
    unless `format=json`; `Roster-Left-Out` counts organizations without an external id.

    Args:
        min_position (int | Unset):
        organization_id (str | Unset):
        format_ (GetExportFormat | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | RosterDocument
    """

    return sync_detailed(
        client=client,
        min_position=min_position,
        organization_id=organization_id,
        format_=format_,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    min_position: int | Unset = UNSET,
    organization_id: str | Unset = UNSET,
    format_: GetExportFormat | Unset = UNSET,
) -> Response[Problem | RosterDocument]:
    """Export organizations as a declarative document (YAML or JSON)

     The document `roster plan` and `roster apply` read (docs/apply.md): every organization with an
    external id, or the one `organization_id` names (an organization key: its own), with its roles,
    active members, groups and pending invitations. Planning it back finds nothing to change. YAML
    unless `format=json`; `Roster-Left-Out` counts organizations without an external id.

    Args:
        min_position (int | Unset):
        organization_id (str | Unset):
        format_ (GetExportFormat | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | RosterDocument]
    """

    kwargs = _get_kwargs(
        min_position=min_position,
        organization_id=organization_id,
        format_=format_,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    min_position: int | Unset = UNSET,
    organization_id: str | Unset = UNSET,
    format_: GetExportFormat | Unset = UNSET,
) -> Problem | RosterDocument | None:
    """Export organizations as a declarative document (YAML or JSON)

     The document `roster plan` and `roster apply` read (docs/apply.md): every organization with an
    external id, or the one `organization_id` names (an organization key: its own), with its roles,
    active members, groups and pending invitations. Planning it back finds nothing to change. YAML
    unless `format=json`; `Roster-Left-Out` counts organizations without an external id.

    Args:
        min_position (int | Unset):
        organization_id (str | Unset):
        format_ (GetExportFormat | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | RosterDocument
    """

    return (
        await asyncio_detailed(
            client=client,
            min_position=min_position,
            organization_id=organization_id,
            format_=format_,
        )
    ).parsed
