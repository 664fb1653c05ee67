from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import (
    TYPE_CHECKING,
    Any,
    Literal,
    Self,
    TypeVar,
    cast,
)

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.membership_status import MembershipStatus

if TYPE_CHECKING:
    from ..models.attributes import Attributes


T = TypeVar("T", bound="MembershipData")


@_attrs_define
class MembershipData:
    """The membership as consumers see it; every event carries the whole object after the change.

    Attributes:
        application_id (None | str):
        attributes (Attributes):
        created_at (datetime.datetime):
        id (str):
        organization_id (str):
        roles (list[str]):
        source (Literal['api'] | Literal['apply'] | Literal['bulk'] | Literal['domain'] | Literal['invitation'] | None):
            How it joined (created or last reactivated); null for memberships that joined before
            roster recorded it.
        status (MembershipStatus):
        updated_at (datetime.datetime):
        user_id (None | str):
    """

    application_id: None | str
    attributes: Attributes
    created_at: datetime.datetime
    id: str
    organization_id: str
    roles: list[str]
    source: Literal["api", "apply", "bulk", "domain", "invitation"] | None
    status: MembershipStatus
    updated_at: datetime.datetime
    user_id: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        application_id: None | str
        application_id = self.application_id

        attributes = self.attributes.to_dict()

        created_at = self.created_at.isoformat()

        id = self.id

        organization_id = self.organization_id

        roles = self.roles

        source: Literal["api", "apply", "bulk", "domain", "invitation"] | None
        source = self.source

        status = self.status.value

        updated_at = self.updated_at.isoformat()

        user_id: None | str
        user_id = self.user_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "application_id": application_id,
                "attributes": attributes,
                "created_at": created_at,
                "id": id,
                "organization_id": organization_id,
                "roles": roles,
                "source": source,
                "status": status,
                "updated_at": updated_at,
                "user_id": user_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.attributes import Attributes

        d = dict(src_dict)

        def _parse_application_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        application_id = _parse_application_id(d.pop("application_id"))

        attributes = Attributes.from_dict(d.pop("attributes"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        id = d.pop("id")

        organization_id = d.pop("organization_id")

        roles = cast(list[str], d.pop("roles"))

        def _parse_source(
            data: object,
        ) -> Literal["api", "apply", "bulk", "domain", "invitation"] | None:
            if data is None:
                return data
            componentsschemas_membership_source_type_0 = cast(Literal["api"], data)
            if componentsschemas_membership_source_type_0 != "api":
                raise ValueError(
                    f"/components/schemas/MembershipSource_type_0 must match const 'api', got '{componentsschemas_membership_source_type_0}'"
                )
            return componentsschemas_membership_source_type_0
            componentsschemas_membership_source_type_1 = cast(
                Literal["invitation"], data
            )
            if componentsschemas_membership_source_type_1 != "invitation":
                raise ValueError(
                    f"/components/schemas/MembershipSource_type_1 must match const 'invitation', got '{componentsschemas_membership_source_type_1}'"
                )
            return componentsschemas_membership_source_type_1
            componentsschemas_membership_source_type_2 = cast(Literal["domain"], data)
            if componentsschemas_membership_source_type_2 != "domain":
                raise ValueError(
                    f"/components/schemas/MembershipSource_type_2 must match const 'domain', got '{componentsschemas_membership_source_type_2}'"
                )
            return componentsschemas_membership_source_type_2
            componentsschemas_membership_source_type_3 = cast(Literal["apply"], data)
            if componentsschemas_membership_source_type_3 != "apply":
                raise ValueError(
                    f"/components/schemas/MembershipSource_type_3 must match const 'apply', got '{componentsschemas_membership_source_type_3}'"
                )
            return componentsschemas_membership_source_type_3
            componentsschemas_membership_source_type_4 = cast(Literal["bulk"], data)
            if componentsschemas_membership_source_type_4 != "bulk":
                raise ValueError(
                    f"/components/schemas/MembershipSource_type_4 must match const 'bulk', got '{componentsschemas_membership_source_type_4}'"
                )
            return componentsschemas_membership_source_type_4
            return cast(
                Literal["api", "apply", "bulk", "domain", "invitation"] | None, data
            )

        source = _parse_source(d.pop("source"))

        status = MembershipStatus(d.pop("status"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        def _parse_user_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        user_id = _parse_user_id(d.pop("user_id"))

        membership_data = cls(
            application_id=application_id,
            attributes=attributes,
            created_at=created_at,
            id=id,
            organization_id=organization_id,
            roles=roles,
            source=source,
            status=status,
            updated_at=updated_at,
            user_id=user_id,
        )

        membership_data.additional_properties = d
        return membership_data

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
