from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.membership_create import MembershipCreate


T = TypeVar("T", bound="MembershipBulk")


@_attrs_define
class MembershipBulk:
    """
    Attributes:
        items (list[MembershipCreate]): 1–1,000 memberships, each as the body of a single create.
    """

    items: list[MembershipCreate]

    def to_dict(self) -> dict[str, Any]:
        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "items": items,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.membership_create import MembershipCreate

        d = dict(src_dict)
        items = []
        _items = d.pop("items")
        for items_item_data in _items:
            items_item = MembershipCreate.from_dict(items_item_data)

            items.append(items_item)

        membership_bulk = cls(
            items=items,
        )

        return membership_bulk
