from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import (
    Any,
    Literal,
    Self,
    TypeVar,
    cast,
)

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="EndpointDisabled")


@_attrs_define
class EndpointDisabled:
    """
    Attributes:
        disabled_at (datetime.datetime):
        id (str): The endpoint (`we_…`).
        organization_id (None | str): Set when the endpoint receives one organization's events only.
        reason (Literal['failing'] | Literal['gone']): Why the dispatcher disabled an endpoint.
        url (str):
    """

    disabled_at: datetime.datetime
    id: str
    organization_id: None | str
    reason: Literal["failing", "gone"]
    url: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        disabled_at = self.disabled_at.isoformat()

        id = self.id

        organization_id: None | str
        organization_id = self.organization_id

        reason: Literal["failing", "gone"]
        reason = self.reason

        url = self.url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "disabled_at": disabled_at,
                "id": id,
                "organization_id": organization_id,
                "reason": reason,
                "url": url,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        disabled_at = datetime.datetime.fromisoformat(d.pop("disabled_at"))

        id = d.pop("id")

        def _parse_organization_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        organization_id = _parse_organization_id(d.pop("organization_id"))

        def _parse_reason(data: object) -> Literal["failing", "gone"]:
            componentsschemas_disabled_reason_type_0 = cast(Literal["gone"], data)
            if componentsschemas_disabled_reason_type_0 != "gone":
                raise ValueError(
                    f"/components/schemas/DisabledReason_type_0 must match const 'gone', got '{componentsschemas_disabled_reason_type_0}'"
                )
            return componentsschemas_disabled_reason_type_0
            componentsschemas_disabled_reason_type_1 = cast(Literal["failing"], data)
            if componentsschemas_disabled_reason_type_1 != "failing":
                raise ValueError(
                    f"/components/schemas/DisabledReason_type_1 must match const 'failing', got '{componentsschemas_disabled_reason_type_1}'"
                )
            return componentsschemas_disabled_reason_type_1

        reason = _parse_reason(d.pop("reason"))

        url = d.pop("url")

        endpoint_disabled = cls(
            disabled_at=disabled_at,
            id=id,
            organization_id=organization_id,
            reason=reason,
            url=url,
        )

        endpoint_disabled.additional_properties = d
        return endpoint_disabled

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
