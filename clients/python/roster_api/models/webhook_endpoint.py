from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="WebhookEndpoint")


@_attrs_define
class WebhookEndpoint:
    """
    Attributes:
        created_at (datetime.datetime):
        description (None | str):
        disabled_reason (None | str):
        enabled (bool):
        event_types (list[str]):
        id (str):
        object_ (str):
        organization_id (None | str):
        rate_limit_per_s (int | None):
        updated_at (datetime.datetime):
        url (str):
    """

    created_at: datetime.datetime
    description: None | str
    disabled_reason: None | str
    enabled: bool
    event_types: list[str]
    id: str
    object_: str
    organization_id: None | str
    rate_limit_per_s: int | None
    updated_at: datetime.datetime
    url: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        description: None | str
        description = self.description

        disabled_reason: None | str
        disabled_reason = self.disabled_reason

        enabled = self.enabled

        event_types = self.event_types

        id = self.id

        object_ = self.object_

        organization_id: None | str
        organization_id = self.organization_id

        rate_limit_per_s: int | None
        rate_limit_per_s = self.rate_limit_per_s

        updated_at = self.updated_at.isoformat()

        url = self.url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "description": description,
                "disabled_reason": disabled_reason,
                "enabled": enabled,
                "event_types": event_types,
                "id": id,
                "object": object_,
                "organization_id": organization_id,
                "rate_limit_per_s": rate_limit_per_s,
                "updated_at": updated_at,
                "url": url,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_description(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        description = _parse_description(d.pop("description"))

        def _parse_disabled_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        disabled_reason = _parse_disabled_reason(d.pop("disabled_reason"))

        enabled = d.pop("enabled")

        event_types = cast(list[str], d.pop("event_types"))

        id = d.pop("id")

        object_ = d.pop("object")

        def _parse_organization_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        organization_id = _parse_organization_id(d.pop("organization_id"))

        def _parse_rate_limit_per_s(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        rate_limit_per_s = _parse_rate_limit_per_s(d.pop("rate_limit_per_s"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        url = d.pop("url")

        webhook_endpoint = cls(
            created_at=created_at,
            description=description,
            disabled_reason=disabled_reason,
            enabled=enabled,
            event_types=event_types,
            id=id,
            object_=object_,
            organization_id=organization_id,
            rate_limit_per_s=rate_limit_per_s,
            updated_at=updated_at,
            url=url,
        )

        webhook_endpoint.additional_properties = d
        return webhook_endpoint

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
