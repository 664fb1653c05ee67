from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.metadata import Metadata


T = TypeVar("T", bound="OrganizationData")


@_attrs_define
class OrganizationData:
    """The organization as consumers see it; every event carries the whole object after the change.

    Attributes:
        created_at (datetime.datetime):
        description (None | str):
        external_id (None | str):
        id (str):
        max_members (int | None): The seat limit: active members at most (null: unlimited). Events written before it
            existed read as unlimited.
        metadata (Metadata):
        name (str):
        template_roles (list[str] | None): The organization template's roles it offers besides its own: null for all of
            them (also
            those added later), or only these. Events written before it existed read as all.
        updated_at (datetime.datetime):
    """

    created_at: datetime.datetime
    description: None | str
    external_id: None | str
    id: str
    max_members: int | None
    metadata: Metadata
    name: str
    template_roles: list[str] | None
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        description: None | str
        description = self.description

        external_id: None | str
        external_id = self.external_id

        id = self.id

        max_members: int | None
        max_members = self.max_members

        metadata = self.metadata.to_dict()

        name = self.name

        template_roles: list[str] | None
        if isinstance(self.template_roles, list):
            template_roles = self.template_roles

        else:
            template_roles = self.template_roles

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "description": description,
                "external_id": external_id,
                "id": id,
                "max_members": max_members,
                "metadata": metadata,
                "name": name,
                "template_roles": template_roles,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.metadata import Metadata

        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_description(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        description = _parse_description(d.pop("description"))

        def _parse_external_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        external_id = _parse_external_id(d.pop("external_id"))

        id = d.pop("id")

        def _parse_max_members(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        max_members = _parse_max_members(d.pop("max_members"))

        metadata = Metadata.from_dict(d.pop("metadata"))

        name = d.pop("name")

        def _parse_template_roles(data: object) -> list[str] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                template_roles_type_0 = cast(list[str], data)

                return template_roles_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None, data)

        template_roles = _parse_template_roles(d.pop("template_roles"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        organization_data = cls(
            created_at=created_at,
            description=description,
            external_id=external_id,
            id=id,
            max_members=max_members,
            metadata=metadata,
            name=name,
            template_roles=template_roles,
            updated_at=updated_at,
        )

        organization_data.additional_properties = d
        return organization_data

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
