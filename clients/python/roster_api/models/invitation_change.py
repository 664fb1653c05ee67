from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.invitation_state import InvitationState
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.membership_data import MembershipData


T = TypeVar("T", bound="InvitationChange")


@_attrs_define
class InvitationChange:
    """The invitation as the API shows it (never the token's hash), with the one-time token when one
    was just issued, and the position.

        Attributes:
            accepted_user_id (None | str):
            created_at (datetime.datetime):
            email (str):
            expires_at (datetime.datetime):
            id (str):
            inviter_user_id (None | str):
            membership_id (None | str):
            object_ (str): `invitation`.
            organization_id (str):
            position (int): The position of the change's last event.
            roles (list[str]):
            state (InvitationState):
            updated_at (datetime.datetime):
            accept_token (None | str | Unset): The one-time accept token, when one was just issued: shown this once.
            membership (MembershipData | None | Unset): The membership the acceptance created or changed.
    """

    accepted_user_id: None | str
    created_at: datetime.datetime
    email: str
    expires_at: datetime.datetime
    id: str
    inviter_user_id: None | str
    membership_id: None | str
    object_: str
    organization_id: str
    position: int
    roles: list[str]
    state: InvitationState
    updated_at: datetime.datetime
    accept_token: None | str | Unset = UNSET
    membership: MembershipData | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.membership_data import MembershipData

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

        object_ = self.object_

        organization_id = self.organization_id

        position = self.position

        roles = self.roles

        state = self.state.value

        updated_at = self.updated_at.isoformat()

        accept_token: None | str | Unset
        if isinstance(self.accept_token, Unset):
            accept_token = UNSET
        else:
            accept_token = self.accept_token

        membership: dict[str, Any] | None | Unset
        if isinstance(self.membership, Unset):
            membership = UNSET
        elif isinstance(self.membership, MembershipData):
            membership = self.membership.to_dict()
        else:
            membership = self.membership

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
                "object": object_,
                "organization_id": organization_id,
                "position": position,
                "roles": roles,
                "state": state,
                "updated_at": updated_at,
            }
        )
        if accept_token is not UNSET:
            field_dict["accept_token"] = accept_token
        if membership is not UNSET:
            field_dict["membership"] = membership

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.membership_data import MembershipData

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

        object_ = d.pop("object")

        organization_id = d.pop("organization_id")

        position = d.pop("position")

        roles = cast(list[str], d.pop("roles"))

        state = InvitationState(d.pop("state"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        def _parse_accept_token(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        accept_token = _parse_accept_token(d.pop("accept_token", UNSET))

        def _parse_membership(data: object) -> MembershipData | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                membership_type_0 = MembershipData.from_dict(data)

                return membership_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(MembershipData | None | Unset, data)

        membership = _parse_membership(d.pop("membership", UNSET))

        invitation_change = cls(
            accepted_user_id=accepted_user_id,
            created_at=created_at,
            email=email,
            expires_at=expires_at,
            id=id,
            inviter_user_id=inviter_user_id,
            membership_id=membership_id,
            object_=object_,
            organization_id=organization_id,
            position=position,
            roles=roles,
            state=state,
            updated_at=updated_at,
            accept_token=accept_token,
            membership=membership,
        )

        invitation_change.additional_properties = d
        return invitation_change

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
