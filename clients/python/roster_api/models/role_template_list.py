from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.list_metadata import ListMetadata
    from ..models.role_template import RoleTemplate


T = TypeVar("T", bound="RoleTemplateList")


@_attrs_define
class RoleTemplateList:
    """One page of a list.

    Attributes:
        data (list[RoleTemplate]):
        list_metadata (ListMetadata): Cursors of the pages either side (`null` at an end of the list).
    """

    data: list[RoleTemplate]
    list_metadata: ListMetadata
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = []
        for data_item_data in self.data:
            data_item = data_item_data.to_dict()
            data.append(data_item)

        list_metadata = self.list_metadata.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "data": data,
                "list_metadata": list_metadata,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.list_metadata import ListMetadata
        from ..models.role_template import RoleTemplate

        d = dict(src_dict)
        data = []
        _data = d.pop("data")
        for data_item_data in _data:
            data_item = RoleTemplate.from_dict(data_item_data)

            data.append(data_item)

        list_metadata = ListMetadata.from_dict(d.pop("list_metadata"))

        role_template_list = cls(
            data=data,
            list_metadata=list_metadata,
        )

        role_template_list.additional_properties = d
        return role_template_list

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
