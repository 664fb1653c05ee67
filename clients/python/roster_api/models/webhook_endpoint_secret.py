from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="WebhookEndpointSecret")


@_attrs_define
class WebhookEndpointSecret:
    """An endpoint's signing secret, and during a rotation's grace period the previous one.

    Attributes:
        key (str): `whsec_…`: verify signatures with it.
        object_ (str): `webhook_endpoint_secret`.
        previous_expires_at (datetime.datetime | None):
        previous_key (None | str): The secret before the last rotation, still signing until `previous_expires_at`.
    """

    key: str
    object_: str
    previous_expires_at: datetime.datetime | None
    previous_key: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        key = self.key

        object_ = self.object_

        previous_expires_at: None | str
        if isinstance(self.previous_expires_at, datetime.datetime):
            previous_expires_at = self.previous_expires_at.isoformat()
        else:
            previous_expires_at = self.previous_expires_at

        previous_key: None | str
        previous_key = self.previous_key

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "key": key,
                "object": object_,
                "previous_expires_at": previous_expires_at,
                "previous_key": previous_key,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        key = d.pop("key")

        object_ = d.pop("object")

        def _parse_previous_expires_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                previous_expires_at_type_0 = datetime.datetime.fromisoformat(data)

                return previous_expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        previous_expires_at = _parse_previous_expires_at(d.pop("previous_expires_at"))

        def _parse_previous_key(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        previous_key = _parse_previous_key(d.pop("previous_key"))

        webhook_endpoint_secret = cls(
            key=key,
            object_=object_,
            previous_expires_at=previous_expires_at,
            previous_key=previous_key,
        )

        webhook_endpoint_secret.additional_properties = d
        return webhook_endpoint_secret

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
