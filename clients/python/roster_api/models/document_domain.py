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

T = TypeVar("T", bound="DocumentDomain")


@_attrs_define
class DocumentDomain:
    """A domain of the organization, found by its name (normalised as the API does).

    Attributes:
        domain (str): A domain name such as acme.com; stored lower case, without a trailing dot, international names in
            punycode. Public suffixes (com, co.uk) and the deployment's free-mail domains are refused.
        default_roles (list[str] | None | Unset): The roles a member joining through the domain gets. Left out:
            unchanged (`member` for a
            new domain).
        policy (Literal['auto_join'] | Literal['off'] | Literal['suggest'] | None | Unset): `off`, `suggest` or
            `auto_join` (effective once verified). Left out: unchanged (`off` for
            a new domain).
    """

    domain: str
    default_roles: list[str] | None | Unset = UNSET
    policy: Literal["auto_join", "off", "suggest"] | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        domain = self.domain

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

        field_dict.update(
            {
                "domain": domain,
            }
        )
        if default_roles is not UNSET:
            field_dict["default_roles"] = default_roles
        if policy is not UNSET:
            field_dict["policy"] = policy

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        domain = d.pop("domain")

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

        document_domain = cls(
            domain=domain,
            default_roles=default_roles,
            policy=policy,
        )

        return document_domain
