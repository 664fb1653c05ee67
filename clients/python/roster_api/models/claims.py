from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.claim_group import ClaimGroup
    from ..models.claims_permission_sources import ClaimsPermissionSources
    from ..models.claims_role_sources import ClaimsRoleSources


T = TypeVar("T", bound="Claims")


@_attrs_define
class Claims:
    """What an identity provider embeds in an access token for one organization.

    Attributes:
        groups (list[ClaimGroup]): The groups it belongs to, sorted by id.
        membership_id (str):
        organization_id (str):
        permission_sources (ClaimsPermissionSources): Where each permission comes from: the sources of the roles that
            carry it.
        permissions (list[str]): The union of the roles' permissions, sorted.
        role_sources (ClaimsRoleSources): Where each role comes from: `direct` (its own) and/or `group:<id>` for each
            group
            granting it.
        roles (list[str]): Its effective roles: its own and those its groups grant, sorted.
        status (str):
    """

    groups: list[ClaimGroup]
    membership_id: str
    organization_id: str
    permission_sources: ClaimsPermissionSources
    permissions: list[str]
    role_sources: ClaimsRoleSources
    roles: list[str]
    status: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        groups = []
        for groups_item_data in self.groups:
            groups_item = groups_item_data.to_dict()
            groups.append(groups_item)

        membership_id = self.membership_id

        organization_id = self.organization_id

        permission_sources = self.permission_sources.to_dict()

        permissions = self.permissions

        role_sources = self.role_sources.to_dict()

        roles = self.roles

        status = self.status

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "groups": groups,
                "membership_id": membership_id,
                "organization_id": organization_id,
                "permission_sources": permission_sources,
                "permissions": permissions,
                "role_sources": role_sources,
                "roles": roles,
                "status": status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.claim_group import ClaimGroup
        from ..models.claims_permission_sources import ClaimsPermissionSources
        from ..models.claims_role_sources import ClaimsRoleSources

        d = dict(src_dict)
        groups = []
        _groups = d.pop("groups")
        for groups_item_data in _groups:
            groups_item = ClaimGroup.from_dict(groups_item_data)

            groups.append(groups_item)

        membership_id = d.pop("membership_id")

        organization_id = d.pop("organization_id")

        permission_sources = ClaimsPermissionSources.from_dict(
            d.pop("permission_sources")
        )

        permissions = cast(list[str], d.pop("permissions"))

        role_sources = ClaimsRoleSources.from_dict(d.pop("role_sources"))

        roles = cast(list[str], d.pop("roles"))

        status = d.pop("status")

        claims = cls(
            groups=groups,
            membership_id=membership_id,
            organization_id=organization_id,
            permission_sources=permission_sources,
            permissions=permissions,
            role_sources=role_sources,
            roles=roles,
            status=status,
        )

        claims.additional_properties = d
        return claims

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
