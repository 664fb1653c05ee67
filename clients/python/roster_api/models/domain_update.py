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

from ..types import UNSET, Unset

T = TypeVar("T", bound="DomainUpdate")


@_attrs_define
class DomainUpdate:
    """
    Attributes:
        default_roles (list[str] | Unset): The roles a member joining through the domain gets.
        policy (Literal['auto_join'] | Literal['off'] | Literal['suggest'] | Unset):
    """

    default_roles: list[str] | Unset = UNSET
    policy: Literal["auto_join", "off", "suggest"] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        default_roles: list[str] | Unset = UNSET
        if not isinstance(self.default_roles, Unset):
            default_roles = self.default_roles

        policy: Literal["auto_join", "off", "suggest"] | Unset
        if isinstance(self.policy, Unset):
            policy = UNSET
        else:
            policy = self.policy

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if default_roles is not UNSET:
            field_dict["default_roles"] = default_roles
        if policy is not UNSET:
            field_dict["policy"] = policy

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        default_roles = cast(list[str], d.pop("default_roles", UNSET))

        def _parse_policy(
            data: object,
        ) -> Literal["auto_join", "off", "suggest"] | Unset:
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

        policy = _parse_policy(d.pop("policy", UNSET))

        domain_update = cls(
            default_roles=default_roles,
            policy=policy,
        )

        return domain_update
