from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.domain_organization_list import DomainOrganizationList
from ...models.get_domains_domain_organizations_order import (
    GetDomainsDomainOrganizationsOrder,
)
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    domain: str,
    *,
    min_position: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    order: GetDomainsDomainOrganizationsOrder | Unset = UNSET,
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
        "url": "/v1/domains/{domain}/organizations".format(
            domain=quote(str(domain), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> DomainOrganizationList | Problem | None:
    if response.status_code == 200:
        response_200 = DomainOrganizationList.from_dict(response.json())

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
) -> Response[DomainOrganizationList | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    domain: str,
    *,
    client: AuthenticatedClient,
    min_position: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    order: GetDomainsDomainOrganizationsOrder | Unset = UNSET,
    before: str | Unset = UNSET,
    after: str | Unset = UNSET,
) -> Response[DomainOrganizationList | Problem]:
    """Which organizations an email's domain may find or join

     For a login flow: the organization that verified the domain with the `suggest` or `auto_join` policy
    (a domain is verified by one organization at a time). Under `auto_join`, `POST
    /v1/organizations/{org_id}/memberships` with `user_id` and `email` joins it. An organization key
    sees its own only.

    Args:
        domain (str): A domain name such as acme.com; stored lower case, without a trailing dot,
            international names in punycode. Public suffixes (com, co.uk) and the deployment's free-
            mail domains are refused.
        min_position (int | Unset):
        limit (int | Unset):
        order (GetDomainsDomainOrganizationsOrder | Unset):
        before (str | Unset):
        after (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DomainOrganizationList | Problem]
    """

    kwargs = _get_kwargs(
        domain=domain,
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
    domain: str,
    *,
    client: AuthenticatedClient,
    min_position: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    order: GetDomainsDomainOrganizationsOrder | Unset = UNSET,
    before: str | Unset = UNSET,
    after: str | Unset = UNSET,
) -> DomainOrganizationList | Problem | None:
    """Which organizations an email's domain may find or join

     For a login flow: the organization that verified the domain with the `suggest` or `auto_join` policy
    (a domain is verified by one organization at a time). Under `auto_join`, `POST
    /v1/organizations/{org_id}/memberships` with `user_id` and `email` joins it. An organization key
    sees its own only.

    Args:
        domain (str): A domain name such as acme.com; stored lower case, without a trailing dot,
            international names in punycode. Public suffixes (com, co.uk) and the deployment's free-
            mail domains are refused.
        min_position (int | Unset):
        limit (int | Unset):
        order (GetDomainsDomainOrganizationsOrder | Unset):
        before (str | Unset):
        after (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DomainOrganizationList | Problem
    """

    return sync_detailed(
        domain=domain,
        client=client,
        min_position=min_position,
        limit=limit,
        order=order,
        before=before,
        after=after,
    ).parsed


async def asyncio_detailed(
    domain: str,
    *,
    client: AuthenticatedClient,
    min_position: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    order: GetDomainsDomainOrganizationsOrder | Unset = UNSET,
    before: str | Unset = UNSET,
    after: str | Unset = UNSET,
) -> Response[DomainOrganizationList | Problem]:
    """Which organizations an email's domain may find or join

     For a login flow: the organization that verified the domain with the `suggest` or `auto_join` policy
    (a domain is verified by one organization at a time). Under `auto_join`, `POST
    /v1/organizations/{org_id}/memberships` with `user_id` and `email` joins it. An organization key
    sees its own only.

    Args:
        domain (str): A domain name such as acme.com; stored lower case, without a trailing dot,
            international names in punycode. Public suffixes (com, co.uk) and the deployment's free-
            mail domains are refused.
        min_position (int | Unset):
        limit (int | Unset):
        order (GetDomainsDomainOrganizationsOrder | Unset):
        before (str | Unset):
        after (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DomainOrganizationList | Problem]
    """

    kwargs = _get_kwargs(
        domain=domain,
        min_position=min_position,
        limit=limit,
        order=order,
        before=before,
        after=after,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    domain: str,
    *,
    client: AuthenticatedClient,
    min_position: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    order: GetDomainsDomainOrganizationsOrder | Unset = UNSET,
    before: str | Unset = UNSET,
    after: str | Unset = UNSET,
) -> DomainOrganizationList | Problem | None:
    """Which organizations an email's domain may find or join

     For a login flow: the organization that verified the domain with the `suggest` or `auto_join` policy
    (a domain is verified by one organization at a time). Under `auto_join`, `POST
    /v1/organizations/{org_id}/memberships` with `user_id` and `email` joins it. An organization key
    sees its own only.

    Args:
        domain (str): A domain name such as acme.com; stored lower case, without a trailing dot,
            international names in punycode. Public suffixes (com, co.uk) and the deployment's free-
            mail domains are refused.
        min_position (int | Unset):
        limit (int | Unset):
        order (GetDomainsDomainOrganizationsOrder | Unset):
        before (str | Unset):
        after (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DomainOrganizationList | Problem
    """

    return (
        await asyncio_detailed(
            domain=domain,
            client=client,
            min_position=min_position,
            limit=limit,
            order=order,
            before=before,
            after=after,
        )
    ).parsed
