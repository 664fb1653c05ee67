from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.membership_roles_item import MembershipRolesItem


T = TypeVar("T", bound="MembershipRolesResult")


@_attrs_define
class MembershipRolesResult:
    """The answer to a bulk role change.

    Attributes:
        changed (int): How many memberships changed (each got a `membership.updated`).
        data (list[MembershipRolesItem]): Every named membership after the change, in request order.
        object_ (str): `membership_roles_result`.
        position (int): The position of the last event written (or, nothing changed, of the members' last).
    """

    changed: int
    data: list[MembershipRolesItem]
    object_: str
    position: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        changed = self.changed

        data = []
        for data_item_data in self.data:
            data_item = data_item_data.to_dict()
            data.append(data_item)

        object_ = self.object_

        position = self.position

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "changed": changed,
                "data": data,
                "object": object_,
                "position": position,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.membership_roles_item import MembershipRolesItem

        d = dict(src_dict)
        changed = d.pop("changed")

        data = []
        _data = d.pop("data")
        for data_item_data in _data:
            data_item = MembershipRolesItem.from_dict(data_item_data)

            data.append(data_item)

        object_ = d.pop("object")

        position = d.pop("position")

        membership_roles_result = cls(
            changed=changed,
            data=data,
            object_=object_,
            position=position,
        )

        membership_roles_result.additional_properties = d
        return membership_roles_result

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
