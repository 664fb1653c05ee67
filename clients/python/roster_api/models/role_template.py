from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="RoleTemplate")


@_attrs_define
class RoleTemplate:
    """A role of the organization template.

    Attributes:
        created_at (datetime.datetime):
        description (None | str):
        name (str):
        object_ (str): The kind of object, as in command responses.
        permissions (list[str]):
        slug (str):
        updated_at (datetime.datetime):
    """

    created_at: datetime.datetime
    description: None | str
    name: str
    object_: str
    permissions: list[str]
    slug: str
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        description: None | str
        description = self.description

        name = self.name

        object_ = self.object_

        permissions = self.permissions

        slug = self.slug

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "description": description,
                "name": name,
                "object": object_,
                "permissions": permissions,
                "slug": slug,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_description(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        description = _parse_description(d.pop("description"))

        name = d.pop("name")

        object_ = d.pop("object")

        permissions = cast(list[str], d.pop("permissions"))

        slug = d.pop("slug")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        role_template = cls(
            created_at=created_at,
            description=description,
            name=name,
            object_=object_,
            permissions=permissions,
            slug=slug,
            updated_at=updated_at,
        )

        role_template.additional_properties = d
        return role_template

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
