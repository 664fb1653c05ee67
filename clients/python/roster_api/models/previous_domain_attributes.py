from __future__ import annotations

from collections.abc import Mapping
from typing import (
    Any,
    Literal,
    Self,
    TypeVar,
    cast,
)

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PreviousDomainAttributes")


@_attrs_define
class PreviousDomainAttributes:
    """
    Attributes:
        default_roles (list[str] | None | Unset):
        policy (Literal['auto_join'] | Literal['off'] | Literal['suggest'] | None | Unset):
    """

    default_roles: list[str] | None | Unset = UNSET
    policy: Literal["auto_join", "off", "suggest"] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        default_roles: list[str] | None | Unset
        if isinstance(self.default_roles, Unset):
            default_roles = UNSET
        elif isinstance(self.default_roles, list):
            default_roles = self.default_roles

        else:
            default_roles = self.default_roles

        policy: Literal["auto_join", "off", "suggest"] | None | Unset
        if isinstance(self.policy, Unset):
            policy = UNSET
        else:
            policy = self.policy

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if default_roles is not UNSET:
            field_dict["default_roles"] = default_roles
        if policy is not UNSET:
            field_dict["policy"] = policy

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_default_roles(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                default_roles_type_0 = cast(list[str], data)

                return default_roles_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        default_roles = _parse_default_roles(d.pop("default_roles", UNSET))

        def _parse_policy(
            data: object,
        ) -> Literal["auto_join", "off", "suggest"] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            componentsschemas_domain_policy_type_0 = cast(Literal["off"], data)
            if componentsschemas_domain_policy_type_0 != "off":
                raise ValueError(
                    f"/components/schemas/DomainPolicy_type_0 must match const 'off', got '{componentsschemas_domain_policy_type_0}'"
                )
            return componentsschemas_domain_policy_type_0
            componentsschemas_domain_policy_type_1 = cast(Literal["suggest"], data)
            if componentsschemas_domain_policy_type_1 != "suggest":
                raise ValueError(
                    f"/components/schemas/DomainPolicy_type_1 must match const 'suggest', got '{componentsschemas_domain_policy_type_1}'"
                )
            return componentsschemas_domain_policy_type_1
            componentsschemas_domain_policy_type_2 = cast(Literal["auto_join"], data)
            if componentsschemas_domain_policy_type_2 != "auto_join":
                raise ValueError(
                    f"/components/schemas/DomainPolicy_type_2 must match const 'auto_join', got '{componentsschemas_domain_policy_type_2}'"
                )
            return componentsschemas_domain_policy_type_2
            return cast(Literal["auto_join", "off", "suggest"] | None | Unset, data)

        policy = _parse_policy(d.pop("policy", UNSET))

        previous_domain_attributes = cls(
            default_roles=default_roles,
            policy=policy,
        )

        previous_domain_attributes.additional_properties = d
        return previous_domain_attributes

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
