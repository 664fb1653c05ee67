"""The hand-written layer over the generated client (`roster_api`, from the OpenAPI document by
scripts/generate-clients.sh): only what generated code cannot make idiomatic. A key as a bearer
token, an `Idempotency-Key` per POST, problem+json answers raised as one exception type, cursor
pages followed as an iterator, the `position` a write returns for read-your-writes, and 429/503
retried after `Retry-After`.

    from roster_client import Roster
    from roster_api.api.organizations import post_organizations
    from roster_api.models import OrganizationCreate

    roster = Roster("http://127.0.0.1:8080", api_key)
    org = roster.call(post_organizations, body=OrganizationCreate(name="Acme"))
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from roster_api.client import AuthenticatedClient
from roster_api.types import UNSET, Response

__all__ = ["FieldProblem", "Roster", "RosterProblem"]

# A read waiting for `min_position` past its bound, a storage outage (503) and a key past its rate
# limit (429) say when to come back (`Retry-After`): a GET, and a POST (its Idempotency-Key makes
# a retry apply it at most once), are retried that many times, each wait at most MAX_WAIT seconds.
RETRIES = 3
MAX_WAIT = 5.0


@dataclass(frozen=True)
class FieldProblem:
    """One bad field of a refused request."""

    field: str
    message: str


@dataclass
class RosterProblem(Exception):
    """An answer of 400 or more: the API's `application/problem+json` (RFC 9457)."""

    status: int
    type: str
    title: str
    detail: str
    errors: list[FieldProblem] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.status} {self.title}: {self.detail}"

    @classmethod
    def of(cls, response: Response[Any]) -> RosterProblem:
        try:
            body = json.loads(response.content)
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        return cls(
            status=int(response.status_code),
            type=str(body.get("type", "about:blank")),
            title=str(body.get("title", "")),
            detail=str(body.get("detail", response.content[:500].decode("utf-8", "replace"))),
            errors=[
                FieldProblem(str(e.get("field", "")), str(e.get("message", "")))
                for e in body.get("errors") or []
                if isinstance(e, dict)
            ],
        )


class Roster:
    """roster's API with one key: call any generated operation through it."""

    def __init__(self, base_url: str, api_key: str, *, timeout: float = 30.0) -> None:
        import httpx

        self.client = AuthenticatedClient(
            base_url=base_url.rstrip("/"),
            token=api_key,
            timeout=httpx.Timeout(timeout),
        )

    def call(self, operation: ModuleType, *args: Any, idempotency_key: str | None = None, **kwargs: Any) -> Any:
        """Runs `operation` (a module of `roster_api.api`) and returns its parsed answer, or raises
        `RosterProblem`. A write is sent with an `Idempotency-Key` (a new one unless given), so
        retrying it with the same key never applies it twice."""
        client = self.client
        posts = operation_posts(operation)
        if posts:
            client = client.with_headers({"Idempotency-Key": idempotency_key or str(uuid.uuid4())})
        retryable = posts or operation.__name__.rsplit(".", 1)[-1].startswith("get_")
        for attempt in range(RETRIES + 1):
            response = operation.sync_detailed(*args, client=client, **kwargs)
            status = int(response.status_code)
            if status in (429, 503) and retryable and attempt < RETRIES:
                time.sleep(retry_after(response))
                continue
            if status >= 400:
                raise RosterProblem.of(response)
            return response.parsed
        raise AssertionError("unreachable")

    def pages(self, operation: ModuleType, *args: Any, **kwargs: Any) -> Iterator[Any]:
        """Every item of a list operation, following `list_metadata.after` page by page."""
        after = kwargs.pop("after", UNSET)
        while True:
            page = self.call(operation, *args, after=after, **kwargs)
            yield from page.data
            after = page.list_metadata.after
            if after is None or after is UNSET:
                return


def retry_after(response: Response[Any]) -> float:
    """The seconds `Retry-After` asks for (1 if it says nothing usable), at most MAX_WAIT."""
    try:
        seconds = float(response.headers.get("retry-after", "1"))
    except ValueError:
        seconds = 1.0
    return min(max(seconds, 0.0), MAX_WAIT)


def operation_posts(operation: ModuleType) -> bool:
    """Whether a generated operation is a POST (its module is named by its method): the requests
    roster makes idempotent by key."""
    return operation.__name__.rsplit(".", 1)[-1].startswith(("post_", "patch_", "put_", "delete_"))
