from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="GroupMemberChange")


@_attrs_define
class GroupMemberChange:
    """An object after a change, as every command answers it: its kind (`object`), its fields, and
    the `position` of the change's last event.

        Attributes:
            at (datetime.datetime):
            group_id (str):
            membership_id (str):
            object_ (str): The kind of object.
            organization_id (str):
            position (int): The position of the change's last event: pass it as `min_position` to read your write.
    """

    at: datetime.datetime
    group_id: str
    membership_id: str
    object_: str
    organization_id: str
    position: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        at = self.at.isoformat()

        group_id = self.group_id

        membership_id = self.membership_id

        object_ = self.object_

        organization_id = self.organization_id

        position = self.position

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "at": at,
                "group_id": group_id,
                "membership_id": membership_id,
                "object": object_,
                "organization_id": organization_id,
                "position": position,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        at = datetime.datetime.fromisoformat(d.pop("at"))

        group_id = d.pop("group_id")

        membership_id = d.pop("membership_id")

        object_ = d.pop("object")

        organization_id = d.pop("organization_id")

        position = d.pop("position")

        group_member_change = cls(
            at=at,
            group_id=group_id,
            membership_id=membership_id,
            object_=object_,
            organization_id=organization_id,
            position=position,
        )

        group_member_change.additional_properties = d
        return group_member_change

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
