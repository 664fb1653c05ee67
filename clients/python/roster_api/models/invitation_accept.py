from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="InvitationAccept")


@_attrs_define
class InvitationAccept:
    """
    Attributes:
        accept_token (str): The token the invitation was issued with.
        user_id (str):
    """

    accept_token: str
    user_id: str

    def to_dict(self) -> dict[str, Any]:
        accept_token = self.accept_token

        user_id = self.user_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "accept_token": accept_token,
                "user_id": user_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        accept_token = d.pop("accept_token")

        user_id = d.pop("user_id")

        invitation_accept = cls(
            accept_token=accept_token,
            user_id=user_id,
        )

        return invitation_accept
