from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.metadata import Metadata


T = TypeVar("T", bound="Organization")


@_attrs_define
class Organization:
    """
    Attributes:
        created_at (datetime.datetime):
        description (None | str):
        external_id (None | str):
        id (str):
        managed_by (None | str): The source of the declarative document (`roster apply`) that manages it, if any: only
            that document's `--prune` may remove it.
        max_members (int | None): The seat limit: active members at most (null: unlimited).
        metadata (Metadata):
        name (str):
        object_ (str): The kind of object, as in command responses.
        template_roles (list[str] | None): The organization template's roles it offers besides its own: null for all of
            them (also
            those added later), or only these (`member` always among them).
        updated_at (datetime.datetime):
        group_count (int | None | Unset):
        member_count (int | None | Unset): The same as `members_count`, under its first name; kept for existing clients.
        members_count (int | None | Unset): Active memberships (the seats taken); only on the single-object read.
    """

    created_at: datetime.datetime
    description: None | str
    external_id: None | str
    id: str
    managed_by: None | str
    max_members: int | None
    metadata: Metadata
    name: str
    object_: str
    template_roles: list[str] | None
    updated_at: datetime.datetime
    group_count: int | None | Unset = UNSET
    member_count: int | None | Unset = UNSET
    members_count: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        description: None | str
        description = self.description

        external_id: None | str
        external_id = self.external_id

        id = self.id

        managed_by: None | str
        managed_by = self.managed_by

        max_members: int | None
        max_members = self.max_members

        metadata = self.metadata.to_dict()

        name = self.name

        object_ = self.object_

        template_roles: list[str] | None
        if isinstance(self.template_roles, list):
            template_roles = self.template_roles

        else:
            template_roles = self.template_roles

        updated_at = self.updated_at.isoformat()

        group_count: int | None | Unset
        if isinstance(self.group_count, Unset):
            group_count = UNSET
        else:
            group_count = self.group_count

        member_count: int | None | Unset
        if isinstance(self.member_count, Unset):
            member_count = UNSET
        else:
            member_count = self.member_count

        members_count: int | None | Unset
        if isinstance(self.members_count, Unset):
            members_count = UNSET
        else:
            members_count = self.members_count

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "description": description,
                "external_id": external_id,
                "id": id,
                "managed_by": managed_by,
                "max_members": max_members,
                "metadata": metadata,
                "name": name,
                "object": object_,
                "template_roles": template_roles,
                "updated_at": updated_at,
            }
        )
        if group_count is not UNSET:
            field_dict["group_count"] = group_count
        if member_count is not UNSET:
            field_dict["member_count"] = member_count
        if members_count is not UNSET:
            field_dict["members_count"] = members_count

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

        def _parse_managed_by(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        managed_by = _parse_managed_by(d.pop("managed_by"))

        def _parse_max_members(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        max_members = _parse_max_members(d.pop("max_members"))

        metadata = Metadata.from_dict(d.pop("metadata"))

        name = d.pop("name")

        object_ = d.pop("object")

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

        def _parse_group_count(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        group_count = _parse_group_count(d.pop("group_count", UNSET))

        def _parse_member_count(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        member_count = _parse_member_count(d.pop("member_count", UNSET))

        def _parse_members_count(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        members_count = _parse_members_count(d.pop("members_count", UNSET))

        organization = cls(
            created_at=created_at,
            description=description,
            external_id=external_id,
            id=id,
            managed_by=managed_by,
            max_members=max_members,
            metadata=metadata,
            name=name,
            object_=object_,
            template_roles=template_roles,
            updated_at=updated_at,
            group_count=group_count,
            member_count=member_count,
            members_count=members_count,
        )

        organization.additional_properties = d
        return organization

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
