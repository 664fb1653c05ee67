from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.membership_data_change import MembershipDataChange
    from ..models.problem import Problem


T = TypeVar("T", bound="MembershipBulkItem")


@_attrs_define
class MembershipBulkItem:
    """One item's result: `membership` when it succeeded, `error` when it failed.

    Attributes:
        index (int):
        status (int):
        error (None | Problem | Unset):
        membership (MembershipDataChange | None | Unset):
        position (int | None | Unset):
    """

    index: int
    status: int
    error: None | Problem | Unset = UNSET
    membership: MembershipDataChange | None | Unset = UNSET
    position: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.membership_data_change import MembershipDataChange
        from ..models.problem import Problem

        index = self.index

        status = self.status

        error: dict[str, Any] | None | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        elif isinstance(self.error, Problem):
            error = self.error.to_dict()
        else:
            error = self.error

        membership: dict[str, Any] | None | Unset
        if isinstance(self.membership, Unset):
            membership = UNSET
        elif isinstance(self.membership, MembershipDataChange):
            membership = self.membership.to_dict()
        else:
            membership = self.membership

        position: int | None | Unset
        if isinstance(self.position, Unset):
            position = UNSET
        else:
            position = self.position

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "index": index,
                "status": status,
            }
        )
        if error is not UNSET:
            field_dict["error"] = error
        if membership is not UNSET:
            field_dict["membership"] = membership
        if position is not UNSET:
            field_dict["position"] = position

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.membership_data_change import MembershipDataChange
        from ..models.problem import Problem

        d = dict(src_dict)
        index = d.pop("index")

        status = d.pop("status")

        def _parse_error(data: object) -> None | Problem | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                error_type_0 = Problem.from_dict(data)

                return error_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Problem | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        def _parse_membership(data: object) -> MembershipDataChange | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                membership_type_0 = MembershipDataChange.from_dict(data)

                return membership_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(MembershipDataChange | None | Unset, data)

        membership = _parse_membership(d.pop("membership", UNSET))

        def _parse_position(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        position = _parse_position(d.pop("position", UNSET))

        membership_bulk_item = cls(
            index=index,
            status=status,
            error=error,
            membership=membership,
            position=position,
        )

        membership_bulk_item.additional_properties = d
        return membership_bulk_item

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
