from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.metadata import Metadata


T = TypeVar("T", bound="OrganizationUpdate")


@_attrs_define
class OrganizationUpdate:
    """
    Attributes:
        description (None | str | Unset):
        external_id (None | str | Unset):
        max_members (int | None | Unset): null lifts the limit; lowering it below the active members is allowed and only
            refuses
            new ones.
        metadata (Metadata | Unset):
        name (str | Unset):
        template_roles (list[str] | None | Unset): Only these template roles (`member` among them), or null for all of
            them. Roles it no
            longer offers are taken from their holders by the process manager; they grant no
            permission from the change on.
    """

    description: None | str | Unset = UNSET
    external_id: None | str | Unset = UNSET
    max_members: int | None | Unset = UNSET
    metadata: Metadata | Unset = UNSET
    name: str | Unset = UNSET
    template_roles: list[str] | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        external_id: None | str | Unset
        if isinstance(self.external_id, Unset):
            external_id = UNSET
        else:
            external_id = self.external_id

        max_members: int | None | Unset
        if isinstance(self.max_members, Unset):
            max_members = UNSET
        else:
            max_members = self.max_members

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        name = self.name

        template_roles: list[str] | None | Unset
        if isinstance(self.template_roles, Unset):
            template_roles = UNSET
        elif isinstance(self.template_roles, list):
            template_roles = self.template_roles

        else:
            template_roles = self.template_roles

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if description is not UNSET:
            field_dict["description"] = description
        if external_id is not UNSET:
            field_dict["external_id"] = external_id
        if max_members is not UNSET:
            field_dict["max_members"] = max_members
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if name is not UNSET:
            field_dict["name"] = name
        if template_roles is not UNSET:
            field_dict["template_roles"] = template_roles

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.metadata import Metadata

        d = dict(src_dict)

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        def _parse_external_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        external_id = _parse_external_id(d.pop("external_id", UNSET))

        def _parse_max_members(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_members = _parse_max_members(d.pop("max_members", UNSET))

        _metadata = d.pop("metadata", UNSET)
        metadata: Metadata | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = Metadata.from_dict(_metadata)

        name = d.pop("name", UNSET)

        def _parse_template_roles(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                template_roles_type_0 = cast(list[str], data)

                return template_roles_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        template_roles = _parse_template_roles(d.pop("template_roles", UNSET))

        organization_update = cls(
            description=description,
            external_id=external_id,
            max_members=max_members,
            metadata=metadata,
            name=name,
            template_roles=template_roles,
        )

        return organization_update
