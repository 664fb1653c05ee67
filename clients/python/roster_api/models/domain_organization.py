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

T = TypeVar("T", bound="DomainOrganization")


@_attrs_define
class DomainOrganization:
    """An organization a person with an email under the domain may find (`suggest`) or join
    (`auto_join`).

        Attributes:
            default_roles (list[str]): The roles a member joining through the domain gets.
            domain (str): A domain name such as acme.com; stored lower case, without a trailing dot, international names in
                punycode. Public suffixes (com, co.uk) and the deployment's free-mail domains are refused.
            object_ (str): The kind of object.
            organization_id (str):
            organization_name (str):
            policy (Literal['auto_join'] | Literal['off'] | Literal['suggest']):
    """

    default_roles: list[str]
    domain: str
    object_: str
    organization_id: str
    organization_name: str
    policy: Literal["auto_join", "off", "suggest"]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        default_roles = self.default_roles

        domain = self.domain

        object_ = self.object_

        organization_id = self.organization_id

        organization_name = self.organization_name

        policy: Literal["auto_join", "off", "suggest"]
        policy = self.policy

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "default_roles": default_roles,
                "domain": domain,
                "object": object_,
                "organization_id": organization_id,
                "organization_name": organization_name,
                "policy": policy,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        default_roles = cast(list[str], d.pop("default_roles"))

        domain = d.pop("domain")

        object_ = d.pop("object")

        organization_id = d.pop("organization_id")

        organization_name = d.pop("organization_name")

        def _parse_policy(data: object) -> Literal["auto_join", "off", "suggest"]:
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

        policy = _parse_policy(d.pop("policy"))

        domain_organization = cls(
            default_roles=default_roles,
            domain=domain,
            object_=object_,
            organization_id=organization_id,
            organization_name=organization_name,
            policy=policy,
        )

        domain_organization.additional_properties = d
        return domain_organization

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
