from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="WebhookEndpointCreate")


@_attrs_define
class WebhookEndpointCreate:
    """
    Attributes:
        secret (str): The signing secret (`whsec_` and base64 of 24–64 bytes); one is made when left out.
        url (str): Required; optional here so that a request missing it hears about its other fields too.
            Required: where events are POSTed.
        description (None | str | Unset):
        event_types (list[str] | Unset):
        organization_id (None | str | Unset):
        rate_limit_per_s (int | None | Unset): At most this many deliveries per second.
    """

    secret: str
    url: str
    description: None | str | Unset = UNSET
    event_types: list[str] | Unset = UNSET
    organization_id: None | str | Unset = UNSET
    rate_limit_per_s: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        secret = self.secret

        url = self.url

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        event_types: list[str] | Unset = UNSET
        if not isinstance(self.event_types, Unset):
            event_types = self.event_types

        organization_id: None | str | Unset
        if isinstance(self.organization_id, Unset):
            organization_id = UNSET
        else:
            organization_id = self.organization_id

        rate_limit_per_s: int | None | Unset
        if isinstance(self.rate_limit_per_s, Unset):
            rate_limit_per_s = UNSET
        else:
            rate_limit_per_s = self.rate_limit_per_s

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "secret": secret,
                "url": url,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if event_types is not UNSET:
            field_dict["event_types"] = event_types
        if organization_id is not UNSET:
            field_dict["organization_id"] = organization_id
        if rate_limit_per_s is not UNSET:
            field_dict["rate_limit_per_s"] = rate_limit_per_s

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        secret = d.pop("secret")

        url = d.pop("url")

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        event_types = cast(list[str], d.pop("event_types", UNSET))

        def _parse_organization_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        organization_id = _parse_organization_id(d.pop("organization_id", UNSET))

        def _parse_rate_limit_per_s(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        rate_limit_per_s = _parse_rate_limit_per_s(d.pop("rate_limit_per_s", UNSET))

        webhook_endpoint_create = cls(
            secret=secret,
            url=url,
            description=description,
            event_types=event_types,
            organization_id=organization_id,
            rate_limit_per_s=rate_limit_per_s,
        )

        return webhook_endpoint_create
