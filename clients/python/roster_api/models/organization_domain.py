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

from ..models.domain_state_type_0 import DomainStateType0

if TYPE_CHECKING:
    from ..models.domain_verification import DomainVerification


T = TypeVar("T", bound="OrganizationDomain")


@_attrs_define
class OrganizationDomain:
    """An organization's domain as consumers see it; every `organization_domain.*` event carries it
    whole after the change.

        Attributes:
            created_at (datetime.datetime):
            default_roles (list[str]): The roles a member joining through the domain (`auto_join`) gets.
            domain (str): A domain name such as acme.com; stored lower case, without a trailing dot, international names in
                punycode. Public suffixes (com, co.uk) and the deployment's free-mail domains are refused.
            expires_at (datetime.datetime): Until when a pending domain is checked; after it, it expires.
            organization_id (str):
            policy (Literal['auto_join'] | Literal['off'] | Literal['suggest']):
            state (DomainStateType0 | Literal['expired'] | Literal['pending']):
            updated_at (datetime.datetime):
            verification (DomainVerification): What to publish: a TXT record named `name` whose value is `value`.
            verified_at (datetime.datetime | None):
    """

    created_at: datetime.datetime
    default_roles: list[str]
    domain: str
    expires_at: datetime.datetime
    organization_id: str
    policy: Literal["auto_join", "off", "suggest"]
    state: Literal["expired", "pending"] | DomainStateType0
    updated_at: datetime.datetime
    verification: DomainVerification
    verified_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        default_roles = self.default_roles

        domain = self.domain

        expires_at = self.expires_at.isoformat()

        organization_id = self.organization_id

        policy: Literal["auto_join", "off", "suggest"]
        policy = self.policy

        state: Literal["expired", "pending"] | str
        if isinstance(self.state, DomainStateType0):
            state = self.state.value
        else:
            state = self.state

        updated_at = self.updated_at.isoformat()

        verification = self.verification.to_dict()

        verified_at: None | str
        if isinstance(self.verified_at, datetime.datetime):
            verified_at = self.verified_at.isoformat()
        else:
            verified_at = self.verified_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "default_roles": default_roles,
                "domain": domain,
                "expires_at": expires_at,
                "organization_id": organization_id,
                "policy": policy,
                "state": state,
                "updated_at": updated_at,
                "verification": verification,
                "verified_at": verified_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.domain_verification import DomainVerification

        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        default_roles = cast(list[str], d.pop("default_roles"))

        domain = d.pop("domain")

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        organization_id = d.pop("organization_id")

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

        def _parse_state(
            data: object,
        ) -> Literal["expired", "pending"] | DomainStateType0:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                componentsschemas_domain_state_type_0 = DomainStateType0(data)

                return componentsschemas_domain_state_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            componentsschemas_domain_state_type_1 = cast(Literal["pending"], data)
            if componentsschemas_domain_state_type_1 != "pending":
                raise ValueError(
                    f"/components/schemas/DomainState_type_1 must match const 'pending', got '{componentsschemas_domain_state_type_1}'"
                )
            return componentsschemas_domain_state_type_1
            componentsschemas_domain_state_type_2 = cast(Literal["expired"], data)
            if componentsschemas_domain_state_type_2 != "expired":
                raise ValueError(
                    f"/components/schemas/DomainState_type_2 must match const 'expired', got '{componentsschemas_domain_state_type_2}'"
                )
            return componentsschemas_domain_state_type_2

        state = _parse_state(d.pop("state"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        verification = DomainVerification.from_dict(d.pop("verification"))

        def _parse_verified_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                verified_at_type_0 = datetime.datetime.fromisoformat(data)

                return verified_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        verified_at = _parse_verified_at(d.pop("verified_at"))

        organization_domain = cls(
            created_at=created_at,
            default_roles=default_roles,
            domain=domain,
            expires_at=expires_at,
            organization_id=organization_id,
            policy=policy,
            state=state,
            updated_at=updated_at,
            verification=verification,
            verified_at=verified_at,
        )

        organization_domain.additional_properties = d
        return organization_domain

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
