from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.plan_action import PlanAction
from ..models.plan_object import PlanObject
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.plan_field import PlanField


T = TypeVar("T", bound="PlanChange")


@_attrs_define
class PlanChange:
    """One object's change.

    Attributes:
        action (PlanAction): What happens to an object.
        fields (list[PlanField]):
        key (str): Which one: the role's slug, `user:<id>` or `application:<id>`, the group's name,
            `<group>/user:<id>` for a group member, the invitation's email.
        object_ (PlanObject): The kind of object a change is about.
        id (None | str | Unset): Its id, when it exists already.
    """

    action: PlanAction
    fields: list[PlanField]
    key: str
    object_: PlanObject
    id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        action = self.action.value

        fields = []
        for fields_item_data in self.fields:
            fields_item = fields_item_data.to_dict()
            fields.append(fields_item)

        key = self.key

        object_ = self.object_.value

        id: None | str | Unset
        if isinstance(self.id, Unset):
            id = UNSET
        else:
            id = self.id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "action": action,
                "fields": fields,
                "key": key,
                "object": object_,
            }
        )
        if id is not UNSET:
            field_dict["id"] = id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.plan_field import PlanField

        d = dict(src_dict)
        action = PlanAction(d.pop("action"))

        fields = []
        _fields = d.pop("fields")
        for fields_item_data in _fields:
            fields_item = PlanField.from_dict(fields_item_data)

            fields.append(fields_item)

        key = d.pop("key")

        object_ = PlanObject(d.pop("object"))

        def _parse_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        id = _parse_id(d.pop("id", UNSET))

        plan_change = cls(
            action=action,
            fields=fields,
            key=key,
            object_=object_,
            id=id,
        )

        plan_change.additional_properties = d
        return plan_change

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
