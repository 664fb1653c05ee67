from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.applied import Applied
from ...models.plan import Plan
from ...models.post_apply_create_missing_roles import PostApplyCreateMissingRoles
from ...models.post_apply_dry_run import PostApplyDryRun
from ...models.post_apply_prune import PostApplyPrune
from ...models.post_apply_prune_organizations import PostApplyPruneOrganizations
from ...models.problem import Problem
from ...models.roster_document import RosterDocument
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: RosterDocument,
    dry_run: PostApplyDryRun | Unset = UNSET,
    create_missing_roles: PostApplyCreateMissingRoles | Unset = UNSET,
    prune: PostApplyPrune | Unset = UNSET,
    prune_organizations: PostApplyPruneOrganizations | Unset = UNSET,
    max_deletions: int | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    params: dict[str, Any] = {}

    json_dry_run: str | Unset = UNSET
    if not isinstance(dry_run, Unset):
        json_dry_run = dry_run.value

    params["dry_run"] = json_dry_run

    json_create_missing_roles: str | Unset = UNSET
    if not isinstance(create_missing_roles, Unset):
        json_create_missing_roles = create_missing_roles.value

    params["create_missing_roles"] = json_create_missing_roles

    json_prune: str | Unset = UNSET
    if not isinstance(prune, Unset):
        json_prune = prune.value

    params["prune"] = json_prune

    json_prune_organizations: str | Unset = UNSET
    if not isinstance(prune_organizations, Unset):
        json_prune_organizations = prune_organizations.value

    params["prune_organizations"] = json_prune_organizations

    params["max_deletions"] = max_deletions

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/apply",
        "params": params,
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Applied | Plan | Problem | None:
    if response.status_code == 200:

        def _parse_response_200(data: object) -> Applied | Plan:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_answer_type_0 = Plan.from_dict(data)

                return componentsschemas_answer_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_answer_type_1 = Applied.from_dict(data)

            return componentsschemas_answer_type_1

        response_200 = _parse_response_200(response.json())

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
) -> Response[Applied | Plan | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: RosterDocument,
    dry_run: PostApplyDryRun | Unset = UNSET,
    create_missing_roles: PostApplyCreateMissingRoles | Unset = UNSET,
    prune: PostApplyPrune | Unset = UNSET,
    prune_organizations: PostApplyPruneOrganizations | Unset = UNSET,
    max_deletions: int | Unset = UNSET,
) -> Response[Applied | Plan | Problem]:
    """Plan or apply a declarative document

     The body is a document (docs/apply.md, schema docs/apply.schema.json) as JSON (`application/json`)
    or YAML (`application/yaml`). With `dry_run=true` the answer is the plan and nothing changes;
    otherwise each organization's changes commit as one unit and the answer says, per organization,
    `applied`, `unchanged` or `refused` (with the problems): check `complete`. Every event records the
    document's SHA-256 and its `source` (`managed_by`); the actor is the key. An organization key may
    name only its own organization; a read-only key may only plan.

    Args:
        dry_run (PostApplyDryRun | Unset):
        create_missing_roles (PostApplyCreateMissingRoles | Unset):
        prune (PostApplyPrune | Unset):
        prune_organizations (PostApplyPruneOrganizations | Unset):
        max_deletions (int | Unset):
        body (RosterDocument): What `roster plan`, `roster apply` and `roster export` read and
            write.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Applied | Plan | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
        dry_run=dry_run,
        create_missing_roles=create_missing_roles,
        prune=prune,
        prune_organizations=prune_organizations,
        max_deletions=max_deletions,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: RosterDocument,
    dry_run: PostApplyDryRun | Unset = UNSET,
    create_missing_roles: PostApplyCreateMissingRoles | Unset = UNSET,
    prune: PostApplyPrune | Unset = UNSET,
    prune_organizations: PostApplyPruneOrganizations | Unset = UNSET,
    max_deletions: int | Unset = UNSET,
) -> Applied | Plan | Problem | None:
    """Plan or apply a declarative document

     The body is a document (docs/apply.md, schema docs/apply.schema.json) as JSON (`application/json`)
    or YAML (`application/yaml`). With `dry_run=true` the answer is the plan and nothing changes;
    otherwise each organization's changes commit as one unit and the answer says, per organization,
    `applied`, `unchanged` or `refused` (with the problems): check `complete`. Every event records the
    document's SHA-256 and its `source` (`managed_by`); the actor is the key. An organization key may
    name only its own organization; a read-only key may only plan.

    Args:
        dry_run (PostApplyDryRun | Unset):
        create_missing_roles (PostApplyCreateMissingRoles | Unset):
        prune (PostApplyPrune | Unset):
        prune_organizations (PostApplyPruneOrganizations | Unset):
        max_deletions (int | Unset):
        body (RosterDocument): What `roster plan`, `roster apply` and `roster export` read and
            write.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Applied | Plan | Problem
    """

    return sync_detailed(
        client=client,
        body=body,
        dry_run=dry_run,
        create_missing_roles=create_missing_roles,
        prune=prune,
        prune_organizations=prune_organizations,
        max_deletions=max_deletions,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: RosterDocument,
    dry_run: PostApplyDryRun | Unset = UNSET,
    create_missing_roles: PostApplyCreateMissingRoles | Unset = UNSET,
    prune: PostApplyPrune | Unset = UNSET,
    prune_organizations: PostApplyPruneOrganizations | Unset = UNSET,
    max_deletions: int | Unset = UNSET,
) -> Response[Applied | Plan | Problem]:
    """Plan or apply a declarative document

     The body is a document (docs/apply.md, schema docs/apply.schema.json) as JSON (`application/json`)
    or YAML (`application/yaml`). With `dry_run=true` the answer is the plan and nothing changes;
    otherwise each organization's changes commit as one unit and the answer says, per organization,
    `applied`, `unchanged` or `refused` (with the problems): check `complete`. Every event records the
    document's SHA-256 and its `source` (`managed_by`); the actor is the key. An organization key may
    name only its own organization; a read-only key may only plan.

    Args:
        dry_run (PostApplyDryRun | Unset):
        create_missing_roles (PostApplyCreateMissingRoles | Unset):
        prune (PostApplyPrune | Unset):
        prune_organizations (PostApplyPruneOrganizations | Unset):
        max_deletions (int | Unset):
        body (RosterDocument): What `roster plan`, `roster apply` and `roster export` read and
            write.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Applied | Plan | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
        dry_run=dry_run,
        create_missing_roles=create_missing_roles,
        prune=prune,
        prune_organizations=prune_organizations,
        max_deletions=max_deletions,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: RosterDocument,
    dry_run: PostApplyDryRun | Unset = UNSET,
    create_missing_roles: PostApplyCreateMissingRoles | Unset = UNSET,
    prune: PostApplyPrune | Unset = UNSET,
    prune_organizations: PostApplyPruneOrganizations | Unset = UNSET,
    max_deletions: int | Unset = UNSET,
) -> Applied | Plan | Problem | None:
    """Plan or apply a declarative document

     The body is a document (docs/apply.md, schema docs/apply.schema.json) as JSON (`application/json`)
    or YAML (`application/yaml`). With `dry_run=true` the answer is the plan and nothing changes;
    otherwise each organization's changes commit as one unit and the answer says, per organization,
    `applied`, `unchanged` or `refused` (with the problems): check `complete`. Every event records the
    document's SHA-256 and its `source` (`managed_by`); the actor is the key. An organization key may
    name only its own organization; a read-only key may only plan.

    Args:
        dry_run (PostApplyDryRun | Unset):
        create_missing_roles (PostApplyCreateMissingRoles | Unset):
        prune (PostApplyPrune | Unset):
        prune_organizations (PostApplyPruneOrganizations | Unset):
        max_deletions (int | Unset):
        body (RosterDocument): What `roster plan`, `roster apply` and `roster export` read and
            write.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Applied | Plan | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            dry_run=dry_run,
            create_missing_roles=create_missing_roles,
            prune=prune,
            prune_organizations=prune_organizations,
            max_deletions=max_deletions,
        )
    ).parsed
