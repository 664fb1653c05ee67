from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Group")


@_attrs_define
class Group:
    """
    Attributes:
        created_at (datetime.datetime):
        description (None | str):
        id (str):
        managed_by (None | str): The source of the declarative document (`roster apply`) that manages it, if any: only
            that document's `--prune` may remove it.
        name (str):
        object_ (str): The kind of object, as in command responses.
        organization_id (str):
        roles (list[str]): Roles every member has through the group (in its effective roles and claims).
        updated_at (datetime.datetime):
        member_count (int | None | Unset): On the read of one group and the list of an organization's groups.
    """

    created_at: datetime.datetime
    description: None | str
    id: str
    managed_by: None | str
    name: str
    object_: str
    organization_id: str
    roles: list[str]
    updated_at: datetime.datetime
    member_count: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        description: None | str
        description = self.description

        id = self.id

        managed_by: None | str
        managed_by = self.managed_by

        name = self.name

        object_ = self.object_

        organization_id = self.organization_id

        roles = self.roles

        updated_at = self.updated_at.isoformat()

        member_count: int | None | Unset
        if isinstance(self.member_count, Unset):
            member_count = UNSET
        else:
            member_count = self.member_count

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "description": description,
                "id": id,
                "managed_by": managed_by,
                "name": name,
                "object": object_,
                "organization_id": organization_id,
                "roles": roles,
                "updated_at": updated_at,
            }
        )
        if member_count is not UNSET:
            field_dict["member_count"] = member_count

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

        id = d.pop("id")

        def _parse_managed_by(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        managed_by = _parse_managed_by(d.pop("managed_by"))

        name = d.pop("name")

        object_ = d.pop("object")

        organization_id = d.pop("organization_id")

        roles = cast(list[str], d.pop("roles"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        def _parse_member_count(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        member_count = _parse_member_count(d.pop("member_count", UNSET))

        group = cls(
            created_at=created_at,
            description=description,
            id=id,
            managed_by=managed_by,
            name=name,
            object_=object_,
            organization_id=organization_id,
            roles=roles,
            updated_at=updated_at,
            member_count=member_count,
        )

        group.additional_properties = d
        return group

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
