from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.invitation_state import InvitationState

T = TypeVar("T", bound="InvitationData")


@_attrs_define
class InvitationData:
    """
    Attributes:
        accepted_user_id (None | str):
        created_at (datetime.datetime):
        email (str):
        expires_at (datetime.datetime):
        id (str):
        inviter_user_id (None | str):
        membership_id (None | str):
        organization_id (str):
        roles (list[str]):
        state (InvitationState):
        updated_at (datetime.datetime):
    """

    accepted_user_id: None | str
    created_at: datetime.datetime
    email: str
    expires_at: datetime.datetime
    id: str
    inviter_user_id: None | str
    membership_id: None | str
    organization_id: str
    roles: list[str]
    state: InvitationState
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        accepted_user_id: None | str
        accepted_user_id = self.accepted_user_id

        created_at = self.created_at.isoformat()

        email = self.email

        expires_at = self.expires_at.isoformat()

        id = self.id

        inviter_user_id: None | str
        inviter_user_id = self.inviter_user_id

        membership_id: None | str
        membership_id = self.membership_id

        organization_id = self.organization_id

        roles = self.roles

        state = self.state.value

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "accepted_user_id": accepted_user_id,
                "created_at": created_at,
                "email": email,
                "expires_at": expires_at,
                "id": id,
                "inviter_user_id": inviter_user_id,
                "membership_id": membership_id,
                "organization_id": organization_id,
                "roles": roles,
                "state": state,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_accepted_user_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        accepted_user_id = _parse_accepted_user_id(d.pop("accepted_user_id"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        email = d.pop("email")

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        id = d.pop("id")

        def _parse_inviter_user_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        inviter_user_id = _parse_inviter_user_id(d.pop("inviter_user_id"))

        def _parse_membership_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        membership_id = _parse_membership_id(d.pop("membership_id"))

        organization_id = d.pop("organization_id")

        roles = cast(list[str], d.pop("roles"))

        state = InvitationState(d.pop("state"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        invitation_data = cls(
            accepted_user_id=accepted_user_id,
            created_at=created_at,
            email=email,
            expires_at=expires_at,
            id=id,
            inviter_user_id=inviter_user_id,
            membership_id=membership_id,
            organization_id=organization_id,
            roles=roles,
            state=state,
            updated_at=updated_at,
        )

        invitation_data.additional_properties = d
        return invitation_data

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
