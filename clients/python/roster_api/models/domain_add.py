from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="DomainAdd")


@_attrs_define
class DomainAdd:
    """
    Attributes:
        domain (str): A domain name such as acme.com; stored lower case, without a trailing dot, international names in
            punycode. Public suffixes (com, co.uk) and the deployment's free-mail domains are refused.
    """

    domain: str

    def to_dict(self) -> dict[str, Any]:
        domain = self.domain

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "domain": domain,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        domain = d.pop("domain")

        domain_add = cls(
            domain=domain,
        )

        return domain_add
