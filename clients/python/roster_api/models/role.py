from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Role")


@_attrs_define
class Role:
    """
    Attributes:
        created_at (datetime.datetime):
        description (None | str):
        managed_by (None | str): The source of the declarative document (`roster apply`) that manages it, if any: only
            that document's `--prune` may remove it.
        name (str):
        object_ (str): The kind of object, as in command responses.
        organization_id (str):
        permissions (list[str]):
        slug (str):
        template (bool): Whether it is a role of the organization template (the same in every organization; an
            admin key changes it at `/v1/role-templates/{slug}`) rather than the organization's own.
        updated_at (datetime.datetime):
    """

    created_at: datetime.datetime
    description: None | str
    managed_by: None | str
    name: str
    object_: str
    organization_id: str
    permissions: list[str]
    slug: str
    template: bool
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        description: None | str
        description = self.description

        managed_by: None | str
        managed_by = self.managed_by

        name = self.name

        object_ = self.object_

        organization_id = self.organization_id

        permissions = self.permissions

        slug = self.slug

        template = self.template

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "description": description,
                "managed_by": managed_by,
                "name": name,
                "object": object_,
                "organization_id": organization_id,
                "permissions": permissions,
                "slug": slug,
                "template": template,
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

        def _parse_managed_by(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        managed_by = _parse_managed_by(d.pop("managed_by"))

        name = d.pop("name")

        object_ = d.pop("object")

        organization_id = d.pop("organization_id")

        permissions = cast(list[str], d.pop("permissions"))

        slug = d.pop("slug")

        template = d.pop("template")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        role = cls(
            created_at=created_at,
            description=description,
            managed_by=managed_by,
            name=name,
            object_=object_,
            organization_id=organization_id,
            permissions=permissions,
            slug=slug,
            template=template,
            updated_at=updated_at,
        )

        role.additional_properties = d
        return role

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
