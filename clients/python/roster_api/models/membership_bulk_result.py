from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.membership_bulk_item import MembershipBulkItem


T = TypeVar("T", bound="MembershipBulkResult")


@_attrs_define
class MembershipBulkResult:
    """The answer to a bulk import.

    Attributes:
        data (list[MembershipBulkItem]):
        failed (int):
        object_ (str): `bulk_result`.
        position (int): The position of the last event written.
        succeeded (int):
    """

    data: list[MembershipBulkItem]
    failed: int
    object_: str
    position: int
    succeeded: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = []
        for data_item_data in self.data:
            data_item = data_item_data.to_dict()
            data.append(data_item)

        failed = self.failed

        object_ = self.object_

        position = self.position

        succeeded = self.succeeded

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "data": data,
                "failed": failed,
                "object": object_,
                "position": position,
                "succeeded": succeeded,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.membership_bulk_item import MembershipBulkItem

        d = dict(src_dict)
        data = []
        _data = d.pop("data")
        for data_item_data in _data:
            data_item = MembershipBulkItem.from_dict(data_item_data)

            data.append(data_item)

        failed = d.pop("failed")

        object_ = d.pop("object")

        position = d.pop("position")

        succeeded = d.pop("succeeded")

        membership_bulk_result = cls(
            data=data,
            failed=failed,
            object_=object_,
            position=position,
            succeeded=succeeded,
        )

        membership_bulk_result.additional_properties = d
        return membership_bulk_result

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
