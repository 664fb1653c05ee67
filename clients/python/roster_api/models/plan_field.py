from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="PlanField")


@_attrs_define
class PlanField:
    """One field of a change: what it was (`null` when created) and what it becomes (`null` when
    removed).

        Attributes:
            field (str):
            new (Any): The field's value: any JSON value, `null` for none.
            old (Any): The field's value: any JSON value, `null` for none.
    """

    field: str
    new: Any
    old: Any
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        field = self.field

        new = self.new

        old = self.old

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "field": field,
                "new": new,
                "old": old,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        field = d.pop("field")

        new = d.pop("new")

        old = d.pop("old")

        plan_field = cls(
            field=field,
            new=new,
            old=old,
        )

        plan_field.additional_properties = d
        return plan_field

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
