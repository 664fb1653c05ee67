from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.previous_group_attributes import PreviousGroupAttributes


T = TypeVar("T", bound="GroupUpdated")


@_attrs_define
class GroupUpdated:
    """
    Attributes:
        created_at (datetime.datetime):
        description (None | str):
        id (str):
        name (str):
        organization_id (str):
        previous_attributes (PreviousGroupAttributes):
        roles (list[str]): Roles every member of the group has through it (its effective roles), besides its own.
            Events written before groups carried roles read as none.
        updated_at (datetime.datetime):
    """

    created_at: datetime.datetime
    description: None | str
    id: str
    name: str
    organization_id: str
    previous_attributes: PreviousGroupAttributes
    roles: list[str]
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        description: None | str
        description = self.description

        id = self.id

        name = self.name

        organization_id = self.organization_id

        previous_attributes = self.previous_attributes.to_dict()

        roles = self.roles

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "description": description,
                "id": id,
                "name": name,
                "organization_id": organization_id,
                "previous_attributes": previous_attributes,
                "roles": roles,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.previous_group_attributes import PreviousGroupAttributes

        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_description(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        description = _parse_description(d.pop("description"))

        id = d.pop("id")

        name = d.pop("name")

        organization_id = d.pop("organization_id")

        previous_attributes = PreviousGroupAttributes.from_dict(
            d.pop("previous_attributes")
        )

        roles = cast(list[str], d.pop("roles"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        group_updated = cls(
            created_at=created_at,
            description=description,
            id=id,
            name=name,
            organization_id=organization_id,
            previous_attributes=previous_attributes,
            roles=roles,
            updated_at=updated_at,
        )

        group_updated.additional_properties = d
        return group_updated

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
