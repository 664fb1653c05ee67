from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="MembershipRolesChange")


@_attrs_define
class MembershipRolesChange:
    """
    Attributes:
        add (list[str] | Unset): Roles to give each member.
        application_ids (list[str] | Unset):
        membership_ids (list[str] | Unset):
        remove (list[str] | Unset): Roles to take from each member.
        set_ (list[str] | Unset): Each member's roles, replacing what it had (instead of `add` and `remove`).
        user_ids (list[str] | Unset): 1–1,000 users (or give `application_ids` or `membership_ids`).
    """

    add: list[str] | Unset = UNSET
    application_ids: list[str] | Unset = UNSET
    membership_ids: list[str] | Unset = UNSET
    remove: list[str] | Unset = UNSET
    set_: list[str] | Unset = UNSET
    user_ids: list[str] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        add: list[str] | Unset = UNSET
        if not isinstance(self.add, Unset):
            add = self.add

        application_ids: list[str] | Unset = UNSET
        if not isinstance(self.application_ids, Unset):
            application_ids = self.application_ids

        membership_ids: list[str] | Unset = UNSET
        if not isinstance(self.membership_ids, Unset):
            membership_ids = self.membership_ids

        remove: list[str] | Unset = UNSET
        if not isinstance(self.remove, Unset):
            remove = self.remove

        set_: list[str] | Unset = UNSET
        if not isinstance(self.set_, Unset):
            set_ = self.set_

        user_ids: list[str] | Unset = UNSET
        if not isinstance(self.user_ids, Unset):
            user_ids = self.user_ids

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if add is not UNSET:
            field_dict["add"] = add
        if application_ids is not UNSET:
            field_dict["application_ids"] = application_ids
        if membership_ids is not UNSET:
            field_dict["membership_ids"] = membership_ids
        if remove is not UNSET:
            field_dict["remove"] = remove
        if set_ is not UNSET:
            field_dict["set"] = set_
        if user_ids is not UNSET:
            field_dict["user_ids"] = user_ids

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        add = cast(list[str], d.pop("add", UNSET))

        application_ids = cast(list[str], d.pop("application_ids", UNSET))

        membership_ids = cast(list[str], d.pop("membership_ids", UNSET))

        remove = cast(list[str], d.pop("remove", UNSET))

        set_ = cast(list[str], d.pop("set", UNSET))

        user_ids = cast(list[str], d.pop("user_ids", UNSET))

        membership_roles_change = cls(
            add=add,
            application_ids=application_ids,
            membership_ids=membership_ids,
            remove=remove,
            set_=set_,
            user_ids=user_ids,
        )

        return membership_roles_change
