from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.organization_domain_change import OrganizationDomainChange
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    org_id: str,
    domain: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/organizations/{org_id}/domains/{domain}/verify".format(
            org_id=quote(str(org_id), safe=""),
            domain=quote(str(domain), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> OrganizationDomainChange | Problem | None:
    if response.status_code == 200:
        response_200 = OrganizationDomainChange.from_dict(response.json())

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
) -> Response[OrganizationDomainChange | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    org_id: str,
    domain: str,
    *,
    client: AuthenticatedClient,
) -> Response[OrganizationDomainChange | Problem]:
    """Check a domain's TXT record now

     Found: the domain is verified (200). Not found: 422 `domain-not-verified` saying what the look-up
    saw. Verified by another organization: 409 `domain-verified-elsewhere`.

    Args:
        org_id (str):
        domain (str): A domain name such as acme.com; stored lower case, without a trailing dot,
            international names in punycode. Public suffixes (com, co.uk) and the deployment's free-
            mail domains are refused.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[OrganizationDomainChange | Problem]
    """

    kwargs = _get_kwargs(
        org_id=org_id,
        domain=domain,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    org_id: str,
    domain: str,
    *,
    client: AuthenticatedClient,
) -> OrganizationDomainChange | Problem | None:
    """Check a domain's TXT record now

     Found: the domain is verified (200). Not found: 422 `domain-not-verified` saying what the look-up
    saw. Verified by another organization: 409 `domain-verified-elsewhere`.

    Args:
        org_id (str):
        domain (str): A domain name such as acme.com; stored lower case, without a trailing dot,
            international names in punycode. Public suffixes (com, co.uk) and the deployment's free-
            mail domains are refused.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        OrganizationDomainChange | Problem
    """

    return sync_detailed(
        org_id=org_id,
        domain=domain,
        client=client,
    ).parsed


async def asyncio_detailed(
    org_id: str,
    domain: str,
    *,
    client: AuthenticatedClient,
) -> Response[OrganizationDomainChange | Problem]:
    """Check a domain's TXT record now

     Found: the domain is verified (200). Not found: 422 `domain-not-verified` saying what the look-up
    saw. Verified by another organization: 409 `domain-verified-elsewhere`.

    Args:
        org_id (str):
        domain (str): A domain name such as acme.com; stored lower case, without a trailing dot,
            international names in punycode. Public suffixes (com, co.uk) and the deployment's free-
            mail domains are refused.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[OrganizationDomainChange | Problem]
    """

    kwargs = _get_kwargs(
        org_id=org_id,
        domain=domain,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    org_id: str,
    domain: str,
    *,
    client: AuthenticatedClient,
) -> OrganizationDomainChange | Problem | None:
    """Check a domain's TXT record now

     Found: the domain is verified (200). Not found: 422 `domain-not-verified` saying what the look-up
    saw. Verified by another organization: 409 `domain-verified-elsewhere`.

    Args:
        org_id (str):
        domain (str): A domain name such as acme.com; stored lower case, without a trailing dot,
            international names in punycode. Public suffixes (com, co.uk) and the deployment's free-
            mail domains are refused.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        OrganizationDomainChange | Problem
    """

    return (
        await asyncio_detailed(
            org_id=org_id,
            domain=domain,
            client=client,
        )
    ).parsed
