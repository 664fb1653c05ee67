from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="GroupMemberAdd")


@_attrs_define
class GroupMemberAdd:
    """
    Attributes:
        membership_id (str):
    """

    membership_id: str

    def to_dict(self) -> dict[str, Any]:
        membership_id = self.membership_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "membership_id": membership_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        membership_id = d.pop("membership_id")

        group_member_add = cls(
            membership_id=membership_id,
        )

        return group_member_add
