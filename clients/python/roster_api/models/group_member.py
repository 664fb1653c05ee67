from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="GroupMember")


@_attrs_define
class GroupMember:
    """A membership's place in a group.

    Attributes:
        at (datetime.datetime):
        group_id (str):
        membership_id (str):
        organization_id (str):
    """

    at: datetime.datetime
    group_id: str
    membership_id: str
    organization_id: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        at = self.at.isoformat()

        group_id = self.group_id

        membership_id = self.membership_id

        organization_id = self.organization_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "at": at,
                "group_id": group_id,
                "membership_id": membership_id,
                "organization_id": organization_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        at = datetime.datetime.fromisoformat(d.pop("at"))

        group_id = d.pop("group_id")

        membership_id = d.pop("membership_id")

        organization_id = d.pop("organization_id")

        group_member = cls(
            at=at,
            group_id=group_id,
            membership_id=membership_id,
            organization_id=organization_id,
        )

        group_member.additional_properties = d
        return group_member

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
